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

// TraceDOT renders a counterexample as DOT in the given style (StyleLanes
// or StyleStates). The output is deterministic: the same trace gives the
// same bytes.
func TraceDOT(p *model.Program, tr *explorer.Trace, style string) string {
	if style == StyleStates {
		return statesDOT(p, tr)
	}
	return lanesDOT(p, tr)
}

func traceTitle(p *model.Program, tr *explorer.Trace) string {
	verb := "violated"
	if tr.Prop.Witness {
		verb = "witnessed"
	}
	if tr.Loop >= 0 {
		return fmt.Sprintf("%s: %s %s (%s)", p.Name, tr.Prop.Name, verb, lassoWords(tr))
	}
	return fmt.Sprintf("%s: %s %s (%d steps)", p.Name, tr.Prop.Name, verb, len(tr.Steps))
}

// lanesDOT is the "lanes" style: a cluster per thread with its steps top to
// bottom, and the global order of the interleaving as bold edges from each
// step to the next. A step during which its thread holds a lock is shaded
// and says which lock; the step that violates the property is red, and a
// note with the violation hangs off it.
func lanesDOT(p *model.Program, tr *explorer.Trace) string {
	g := dot.NewGraph(dot.Directed)
	g.ID("trace")
	g.Attr("rankdir", "TB")
	g.Attr("fontname", "Helvetica")
	g.Attr("label", dotEscape(traceTitle(p, tr)))
	g.Attr("labelloc", "t")
	g.NodeInitializer(func(n dot.Node) {
		n.Attr("shape", "box")
		n.Attr("fontname", "Courier")
		n.Attr("fontsize", "10")
	})
	cols := Columns(tr)
	lanes := map[int]*dot.Graph{}
	for i, t := range cols {
		sg := g.Subgraph(fmt.Sprintf("lane%02d", i), dot.ClusterOption{})
		sg.Attr("label", dotEscape(t.Label))
		sg.Attr("style", "rounded")
		lanes[t.Index] = sg
	}
	var prev, loopStart dot.Node
	hasPrev := false
	lastInLane := map[int]dot.Node{}
	before := tr.Initial
	for i := range tr.Steps {
		st := &tr.Steps[i]
		var lines []string
		held := stepLocks(p, before, st)
		head := fmt.Sprintf("%d", i+1)
		if len(held) > 0 {
			head += "  [holds " + strings.Join(held, ", ") + "]"
		}
		for _, l := range StepLines(st) {
			lines = append(lines, l.cell())
		}
		label := fmt.Sprintf("%s\\l%s\\l", dotEscapeLines([]string{head}), dotEscapeLines(lines))
		n := lanes[st.Thread.Index].Node(fmt.Sprintf("s%03d", i+1)).Attr("label", dot.Literal(`"`+label+`"`))
		if len(held) > 0 {
			n.Attr("style", "filled").Attr("fillcolor", "#e4e4e4")
		}
		if i == len(tr.Steps)-1 {
			n.Attr("color", "red").Attr("penwidth", "2")
		}
		if last, ok := lastInLane[st.Thread.Index]; ok {
			g.Edge(last, n).Attr("style", "invis")
		}
		lastInLane[st.Thread.Index] = n
		if hasPrev {
			g.Edge(prev, n).Attr("penwidth", "2").Attr("constraint", "true")
		}
		if i == tr.Loop {
			loopStart = n
		}
		prev, hasPrev = n, true
		before = st.After
	}
	if tr.Loop >= 0 && tr.Loop < len(tr.Steps) && hasPrev {
		// a lasso: the last step leads back to the first that repeats
		g.Edge(prev, loopStart).Attr("color", "#1a6fb0").Attr("penwidth", "2").Attr("style", "dashed").
			Attr("constraint", "false").Attr("label", "repeats for ever").Attr("fontcolor", "#1a6fb0")
	}
	v := g.Node("violation").Attr("shape", "note").Attr("color", "red").Attr("fontname", "Helvetica").
		Attr("label", dotEscape(wrapWords(tr.Msg, 60)))
	if hasPrev {
		g.Edge(prev, v).Attr("color", "red").Attr("style", "dashed")
	}
	return g.String()
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

// statesDOT is the "states" style: each state of the trace is a record of
// the variables that change somewhere in the trace (the rest are constant
// and left out), grouped by object, with what the step into it changed in
// bold red; lists of objects carry each element's flags. Edges are the
// steps, labelled with the thread and its statements. The violating state
// is filled red.
func statesDOT(p *model.Program, tr *explorer.Trace) string {
	g := dot.NewGraph(dot.Directed)
	g.ID("trace")
	g.Attr("rankdir", "TB")
	g.Attr("fontname", "Helvetica")
	g.Attr("label", dotEscape(traceTitle(p, tr)+"; variables that never change in the trace are left out"))
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
	states := []model.State{tr.Initial}
	for i := range tr.Steps {
		states = append(states, tr.Steps[i].After)
	}
	// the variables that change somewhere in the trace
	changing := map[string]bool{}
	for i := 1; i < len(states); i++ {
		for _, c := range Changes(p, states[i-1], states[i]) {
			changing[c.Path] = true
		}
	}
	var nodes []dot.Node
	for k, s := range states {
		var changed map[string]bool
		title := "initial state"
		if k > 0 {
			changed = map[string]bool{}
			for _, c := range Changes(p, states[k-1], s) {
				changed[c.Path] = true
			}
			title = fmt.Sprintf("state %d, after step %d (%s)", k, k, tr.Steps[k-1].Thread.Label)
		}
		bg := "#ffffff"
		if k == len(states)-1 {
			bg = "#ffd6d6"
			title += ": " + tr.Prop.Name
		}
		label := stateTable(p, s, title, bg, changing, changed)
		nodes = append(nodes, g.Node(fmt.Sprintf("st%03d", k)).Attr("label", dot.HTML(label)))
	}
	for i := range tr.Steps {
		st := &tr.Steps[i]
		lines := []string{fmt.Sprintf("%d: %s", i+1, st.Thread.Label)}
		sl := StepLines(st)
		const maxLines = 8
		for j, l := range sl {
			if j == maxLines && len(sl) > maxLines+1 {
				lines = append(lines, fmt.Sprintf("... %d more", len(sl)-maxLines))
				break
			}
			lines = append(lines, clip(l.cell(), 72))
		}
		e := g.Edge(nodes[i], nodes[i+1]).Attr("label", dot.Literal(`"`+dotEscapeLines(lines)+`\l"`))
		if i == len(tr.Steps)-1 {
			e.Attr("color", "red").Attr("penwidth", "2")
		}
	}
	if tr.Loop >= 0 && tr.Loop < len(tr.Steps) {
		// a lasso: the final state is the one the cycle starts from
		g.Edge(nodes[len(nodes)-1], nodes[tr.Loop]).Attr("color", "#1a6fb0").Attr("penwidth", "2").Attr("style", "dashed").
			Attr("constraint", "false").Attr("label", "the same state: the cycle repeats for ever").Attr("fontcolor", "#1a6fb0")
	}
	v := g.Node("violation").Attr("shape", "note").Attr("color", "red").Attr("fontname", "Helvetica").
		Attr("label", dotEscape(wrapWords(tr.Msg, 60)))
	g.Edge(nodes[len(nodes)-1], v).Attr("color", "red").Attr("style", "dashed")
	return g.String()
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
