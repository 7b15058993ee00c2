package graphs

import (
	"fmt"
	"html"
	"strings"

	"github.com/emicklei/dot"

	"wqcheck/explorer"
	"wqcheck/model"
)

// DOT styles of a trace.
const (
	StyleLanes  = "lanes"
	StyleStates = "states"
)

// TraceDOT renders the brief trace as DOT (see TraceDOTWith).
func TraceDOT(p *model.Program, tr *explorer.Trace, style string) string {
	return TraceDOTWith(p, tr, style, PictureOptions{})
}

// TraceDOTWith renders a counterexample as DOT in the given style
// (StyleLanes or StyleStates): the brief trace, or with opt.Full every
// step. The output is deterministic: the same trace gives the same bytes.
func TraceDOTWith(p *model.Program, tr *explorer.Trace, style string, opt PictureOptions) string {
	pic := tracePicture(p, tr, opt)
	if style == StyleStates {
		return statesDOT(p, tr, pic)
	}
	return lanesDOT(pic)
}

func traceTitle(p *model.Program, tr *explorer.Trace) string {
	verb := "violated"
	if tr.Prop.Witness {
		verb = "witnessed"
	}
	if tr.Loop >= 0 {
		return fmt.Sprintf("%s: %s %s (%s)", p.Name, tr.Prop.Name, verb, lassoWords(tr))
	}
	return fmt.Sprintf("%s: %s %s (%d step%s)", p.Name, tr.Prop.Name, verb, len(tr.Steps), plural(len(tr.Steps)))
}

// lanesDOT is the "lanes" style: a cluster per actor, side by side (their
// headers share the top rank), each box of the picture in its actor's
// cluster on a rank of its own, in the order of the interleaving (the order
// edges are invisible: the rank is the time); a wake-up is an edge from the
// box that wakes to a dot in the woken thread's lane, on the same rank. A
// box during which its thread holds a lock (full pictures) is shaded and
// says which; the box that violates the property is red, and a note with
// the violation hangs under it.
func lanesDOT(pic *picture) string {
	g := dot.NewGraph(dot.Directed)
	g.ID("trace")
	g.Attr("rankdir", "TB")
	g.Attr("newrank", "true")
	g.Attr("nodesep", "0.3")
	g.Attr("ranksep", "0.25")
	g.Attr("fontname", "Helvetica")
	g.Attr("label", dotEscape(pic.title))
	g.Attr("labelloc", "t")
	g.NodeInitializer(func(n dot.Node) {
		n.Attr("shape", "box")
		n.Attr("fontname", "Courier")
		n.Attr("fontsize", "10")
	})
	l := &lanesGraph{g: g, last: make([]dot.Node, len(pic.lanes))}
	top := l.rank(0)
	// the step numbers: a column of their own, kept straight as the lanes
	// are (a group, heavy edges), so that a back edge (a lasso's "repeats
	// for ever") cannot pull it sideways
	l.spine = top.Node("t000").Attr("group", "steps").Attr("label", "step").Attr("shape", "plaintext").Attr("fontname", "Helvetica-Bold")
	prevHead := l.spine
	for i, t := range pic.lanes {
		l.last[i] = top.Node(fmt.Sprintf("h%02d", i)).Attr("group", fmt.Sprintf("lane%02d", i)).Attr("label", dotEscape(t.Label)).
			Attr("fontname", "Helvetica-Bold").Attr("fontsize", "12").Attr("style", "filled").Attr("fillcolor", "#f0f0f0")
		g.Edge(prevHead, l.last[i]).Attr("style", "invis") // the lanes' order, left to right
		prevHead = l.last[i]
	}
	var prev, loopStart dot.Node
	for k := range pic.boxes {
		n := l.box(pic, k)
		if k == pic.loop {
			loopStart = n
		}
		prev = n
	}
	// every lane reaches down to the last step; the note hangs below
	bottom := l.rank(len(pic.boxes) + 1)
	v := g.Node("violation").Attr("shape", "note").Attr("color", "red").Attr("fontname", "Helvetica").
		Attr("label", dotEscape(pic.dotFoot()))
	for i := range pic.lanes {
		f := bottom.Node(fmt.Sprintf("e%02d", i)).Attr("group", fmt.Sprintf("lane%02d", i)).Attr("shape", "point").Attr("style", "invis").Attr("width", "0")
		l.lifeline(i, f)
		g.Edge(f, v).Attr("style", "invis")
	}
	if pic.loop >= 0 && len(pic.boxes) > 0 {
		// a lasso: the last step leads back to the first that repeats
		g.Edge(prev, loopStart).Attr("color", "#1a6fb0").Attr("penwidth", "2").Attr("style", "dashed").
			Attr("constraint", "false").Attr("label", "repeats for ever").Attr("fontcolor", "#1a6fb0").Attr("fontname", "Helvetica")
	}
	if len(pic.boxes) > 0 {
		g.Edge(prev, v).Attr("color", "red").Attr("style", "dashed")
	}
	return g.String()
}

// lanesGraph builds the lanes style: the last node of each lane, and of
// the column of step numbers.
type lanesGraph struct {
	g     *dot.Graph
	last  []dot.Node
	spine dot.Node
}

// rank is the subgraph of rank k, where nodes on one rank are made (with
// rank=same: the library writes AddToSameRank's groups in map order).
func (l *lanesGraph) rank(k int) *dot.Graph {
	sg := l.g.Subgraph(fmt.Sprintf("rank%03d", k))
	sg.Attr("rank", "same")
	return sg
}

// lifeline extends lane i down to n: a dashed edge.
func (l *lanesGraph) lifeline(i int, n dot.Node) {
	l.g.Edge(l.last[i], n).Attr("style", "dashed").Attr("color", "#aaaaaa").Attr("arrowhead", "none").Attr("weight", "10")
	l.last[i] = n
}

// box draws box k on rank k+1, with its step numbers on the left and its
// wake-ups.
func (l *lanesGraph) box(pic *picture, k int) dot.Node {
	b := &pic.boxes[k]
	row := l.rank(k + 1)
	n := row.Node(fmt.Sprintf("s%03d", b.first)).Attr("group", fmt.Sprintf("lane%02d", b.lane)).Attr("label", dot.Literal(`"`+dotBoxLabel(b)+`"`))
	if len(b.locks) > 0 {
		n.Attr("style", "filled").Attr("fillcolor", "#e4e4e4")
	}
	if b.failed {
		n.Attr("color", "red").Attr("penwidth", "2")
	}
	l.lifeline(b.lane, n)
	t := row.Node(fmt.Sprintf("t%03d", b.first)).Attr("group", "steps").Attr("label", b.num()).Attr("shape", "plaintext").Attr("fontname", "Helvetica-Bold")
	l.g.Edge(l.spine, t).Attr("style", "invis").Attr("weight", "10")
	l.spine = t
	for j, w := range b.wakes {
		to := pic.laneOf[w.who]
		d := row.Node(fmt.Sprintf("w%03d_%d", b.first, j)).Attr("group", fmt.Sprintf("lane%02d", to)).Attr("shape", "point").Attr("width", "0.12").Attr("color", "#1a6fb0")
		l.lifeline(to, d)
		e := l.g.Edge(n, d).Attr("color", "#1a6fb0").Attr("penwidth", "2").Attr("fontcolor", "#1a6fb0").
			Attr("fontname", "Helvetica-Bold").Attr("fontsize", "10").Attr("label", dotEscape(w.label)).Attr("constraint", "false")
		if w.noop != "" {
			e.Attr("style", "dashed")
		}
	}
	return n
}

// dotFoot is the text of the note under a picture: the steps not drawn,
// the story or the violation.
func (pic *picture) dotFoot() string {
	foot := wrapWords(pic.foot, 70)
	if e := pic.elidedNote(); e != "" {
		foot = wrapWords(e, 70) + "\n\n" + foot
	}
	return foot
}

// dotBoxLabel is a box's label: the locks its thread holds (full
// pictures), then its statements, wrapped at 44 characters,
// left-justified.
func dotBoxLabel(b *picBox) string {
	var lines []string
	if len(b.locks) > 0 {
		lines = append(lines, "[holds "+strings.Join(b.locks, ", ")+"]")
	}
	for _, t := range b.text {
		lines = append(lines, wrapStatement(t, 44)...)
	}
	return dotEscapeLines(lines) + `\l`
}

// stepLocks lists the locks the stepping thread holds at some point of the
// step: before it, after it, or in between (taken and released inside).
func stepLocks(p *model.Program, before model.State, st *explorer.Step) []string {
	seen := map[string]bool{}
	var out []string
	add := func(name string) {
		if !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	for _, l := range p.LocksHeld(before, st.Thread) {
		add(l)
	}
	for k := range st.Instrs {
		if n := st.Notes[k]; n.Kind == model.NoteAcquire || n.Kind == model.NoteRelease {
			add(n.Lock)
		}
	}
	for _, l := range p.LocksHeld(st.After, st.Thread) {
		add(l)
	}
	return out
}

// lockArg extracts the lock from "raw_spin_lock_irq(&pool.lock);".
func lockArg(text string) string {
	i := strings.IndexByte(text, '(')
	j := strings.LastIndexByte(text, ')')
	if i < 0 || j <= i {
		return ""
	}
	return strings.TrimPrefix(strings.TrimSpace(text[i+1:j]), "&")
}

// statesDOT is the "states" style: the state before the trace and after
// each box of the picture, as a record of variables grouped by object. The
// first record holds the variables the drawn steps change and those the
// violated property reads; each later one only what its box's steps
// changed, in bold red (the rest is as in the record above), and the last
// one the variables the property reads too. So a record is a few lines,
// whatever the size of the state. Edges are the boxes, labelled with the
// steps, the thread and its statements. The violating state is filled red.
func statesDOT(p *model.Program, tr *explorer.Trace, pic *picture) string {
	g := dot.NewGraph(dot.Directed)
	g.ID("trace")
	g.Attr("rankdir", "TB")
	g.Attr("ranksep", "0.3")
	g.Attr("fontname", "Helvetica")
	g.Attr("label", dotEscape(pic.title+"; each state shows what its steps changed (red), the first and last also what the property reads"))
	g.Attr("labelloc", "t")
	g.NodeInitializer(func(n dot.Node) {
		n.Attr("shape", "plaintext")
		n.Attr("fontname", "Courier")
		n.Attr("fontsize", "10")
	})
	g.EdgeInitializer(func(e dot.Edge) {
		e.Attr("fontname", "Courier")
		e.Attr("fontsize", "9")
	})
	changed := make([]map[string]bool, len(pic.boxes))
	all := map[string]bool{}
	for k, b := range pic.boxes {
		changed[k] = boxChanges(p, tr, &b)
		for path := range changed[k] {
			all[path] = true
		}
	}
	read := propertyReads(p, tr)
	first := stateTable(p, tr.Initial, "initial state", "#ffffff", union(all, read), nil)
	nodes := []dot.Node{g.Node("st000").Attr("label", dot.HTML(first))}
	for k, b := range pic.boxes {
		title := fmt.Sprintf("after step %d (%s)", b.last, b.thread.Label)
		bg, show := "#ffffff", changed[k]
		if k == len(pic.boxes)-1 {
			bg, show = "#ffd6d6", union(changed[k], read)
			title += ": " + tr.Prop.Name
		}
		label := stateTable(p, b.after, title, bg, show, changed[k])
		nodes = append(nodes, g.Node(fmt.Sprintf("st%03d", b.last)).Attr("label", dot.HTML(label)))
	}
	for k, b := range pic.boxes {
		lines := []string{b.num() + ": " + b.thread.Label}
		for _, t := range b.text {
			lines = append(lines, wrapStatement(t, 56)...)
		}
		e := g.Edge(nodes[k], nodes[k+1]).Attr("label", dot.Literal(`"`+dotEscapeLines(lines)+`\l"`))
		if b.failed {
			e.Attr("color", "red").Attr("penwidth", "2")
		}
	}
	if pic.loop >= 0 && pic.loop < len(pic.boxes) {
		// a lasso: the final state is the one the cycle starts from
		g.Edge(nodes[len(nodes)-1], nodes[pic.loop]).Attr("color", "#1a6fb0").Attr("penwidth", "2").Attr("style", "dashed").
			Attr("constraint", "false").Attr("label", "the same state: the cycle repeats for ever").Attr("fontcolor", "#1a6fb0")
	}
	v := g.Node("violation").Attr("shape", "note").Attr("color", "red").Attr("fontname", "Helvetica").
		Attr("label", dotEscape(pic.dotFoot()))
	g.Edge(nodes[len(nodes)-1], v).Attr("color", "red").Attr("style", "dashed")
	return g.String()
}

// boxChanges are the variables a box's drawn steps change and leave
// changed at its end (a lock taken and released inside is not).
func boxChanges(p *model.Program, tr *explorer.Trace, b *picBox) map[string]bool {
	before := func(i int) model.State {
		if i == 0 {
			return tr.Initial
		}
		return tr.Steps[i-1].After
	}
	touched := map[string]bool{}
	if len(b.steps) == 0 {
		return touched
	}
	for _, i := range b.steps {
		for _, c := range Changes(p, before(i), tr.Steps[i].After) {
			touched[c.Path] = true
		}
	}
	out := map[string]bool{}
	for _, c := range Changes(p, before(b.steps[0]), b.after) {
		if touched[c.Path] {
			out[c.Path] = true
		}
	}
	return out
}

// propertyReads are the variables the violated property's formula reads,
// by field name ("pool.nr_running" for "pool.nr_running >= 0"; a field of
// objects, in each of them).
func propertyReads(p *model.Program, tr *explorer.Trace) map[string]bool {
	out := map[string]bool{}
	pk := pickFor(tr.Prop)
	for _, c := range p.Describe(tr.Final()) {
		for _, f := range pk.fields {
			name := "." + strings.TrimLeft(f, "->.")
			if strings.HasSuffix(c.Path, name) {
				out[c.Path] = true
			}
		}
	}
	return out
}

func union(a, b map[string]bool) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

// stateTable is the HTML-like label of one state: a title row, then a row
// per object with its changing fields.
func stateTable(p *model.Program, s model.State, title, bg string, changing, changed map[string]bool) string {
	order := map[string]int{}
	split := map[string][2]string{}
	vals := describeMap(p, s, order, split)
	type row struct {
		obj   string
		cells []string
	}
	var rows []*row
	byObj := map[string]*row{}
	paths := make([]string, 0, len(changing))
	for path := range changing {
		paths = append(paths, path)
	}
	sortByOrder(paths, order)
	for _, path := range paths {
		v, ok := vals[path]
		if !ok {
			continue // a local out of scope here
		}
		obj, field := split[path][0], split[path][1]
		r := byObj[obj]
		if r == nil {
			r = &row{obj: obj}
			byObj[obj] = r
			rows = append(rows, r)
		}
		text := html.EscapeString(field + "=" + annotateList(v, vals))
		if field == "" {
			text = html.EscapeString(annotateList(v, vals))
		}
		if changed[path] {
			text = `<FONT COLOR="#c00000"><B>` + text + `</B></FONT>`
		}
		r.cells = append(r.cells, text)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2" BGCOLOR="%s">`, bg)
	fmt.Fprintf(&b, `<TR><TD COLSPAN="2" ALIGN="LEFT"><B>%s</B></TD></TR>`, html.EscapeString(title))
	for _, r := range rows {
		fmt.Fprintf(&b, `<TR><TD ALIGN="LEFT" VALIGN="TOP">%s</TD><TD ALIGN="LEFT">%s</TD></TR>`,
			html.EscapeString(r.obj), strings.Join(r.cells, `<BR ALIGN="LEFT"/>`)+`<BR ALIGN="LEFT"/>`)
	}
	b.WriteString(`</TABLE>`)
	return b.String()
}

// annotateList adds each element's flags to a list of objects:
// "[workers[1], workers[0]]" becomes "[workers[1] (IDLE|PREP), workers[0] (IDLE)]",
// with the flags' common prefix ("WORKER_") dropped.
func annotateList(v string, vals map[string]string) string {
	if !strings.HasPrefix(v, "[") || !strings.HasSuffix(v, "]") || v == "[]" {
		return v
	}
	elems := strings.Split(v[1:len(v)-1], ", ")
	for i, e := range elems {
		if f, ok := vals[e+".flags"]; ok {
			elems[i] = e + " (" + shortFlags(f) + ")"
		}
	}
	return "[" + strings.Join(elems, ", ") + "]"
}

// shortFlags drops the common prefix of flag names: WORKER_IDLE|WORKER_PREP -> IDLE|PREP.
func shortFlags(f string) string {
	parts := strings.Split(f, "|")
	for i, x := range parts {
		if j := strings.IndexByte(x, '_'); j > 0 && strings.ToUpper(x) == x {
			parts[i] = x[j+1:]
		}
	}
	return strings.Join(parts, "|")
}

// dotEscape quotes text for a DOT label.
func dotEscape(s string) string { return strings.ReplaceAll(s, `"`, `\"`) }

// dotEscapeLines joins lines into a left-justified DOT label body.
func dotEscapeLines(lines []string) string {
	var b strings.Builder
	for i, l := range lines {
		if i > 0 {
			b.WriteString(`\l`)
		}
		l = strings.ReplaceAll(l, `\`, `\\`)
		l = strings.ReplaceAll(l, `"`, `\"`)
		b.WriteString(l)
	}
	return b.String()
}

func wrapWords(s string, n int) string {
	var lines []string
	for _, part := range wrap(s, n) {
		lines = append(lines, strings.TrimSpace(part))
	}
	return strings.Join(lines, "\n")
}
