package graphs

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"wqcheck/explorer"
	"wqcheck/model"
	"wqcheck/model/syntax"
)

// Line is one statement a step executed, as shown in a trace.
type Line struct {
	File string
	Line int
	Func string // the model function, "" when it is the thread's own body
	Text string // the statement, with the branch taken for conditions

	raw, note string
	op        model.Op // the instruction's opcode (brief traces pick lines by it)
	thread    bool     // the line is in the thread's own body, not a function it called
	fault     bool     // the statement whose execution raised the step's error
	// cont: the line names the calling statement of a one-line helper whose
	// body raised the error, which the step did not start (callSiteLine)
	cont bool
	pin  bool // a brief trace keeps the line, whatever it is (pinWindow)
}

// StepLines returns the statements a step executed, in order. Implicit jumps
// (loop back-edges, the end of an if) are left out, a statement that
// compiles to several instructions appears once, and a condition shows
// which way it went.
func StepLines(st *explorer.Step) []Line {
	var out []Line
	lineOf := -1 // the line the last instruction shows in (-1: none)
	for i, ins := range st.Instrs {
		lineOf = -1
		if ins.Hidden || ins.Detail {
			continue
		}
		next := st.Rest // where the step went after ins: the next instruction, or where it rests
		if i+1 < len(st.PCs) {
			next = st.PCs[i+1]
		}
		text := ins.Text
		note := ""
		switch ins.Op {
		case model.OpJump:
			if !(strings.HasPrefix(text, "goto ") || text == "break;" || text == "continue;" || strings.HasPrefix(text, "return")) {
				continue
			}
		case model.OpBranch:
			note = "false"
			if next == ins.Target && ins.Target != ins.Else {
				note = "true"
			}
		case model.OpEither:
			branch := 0
			for k, tg := range ins.Targets {
				if tg == next {
					branch = k
				}
			}
			text = fmt.Sprintf("either: branch %d of %d", branch+1, len(ins.Targets))
		case model.OpExit:
			text = "(thread exits)"
			if st.Thread.Kind.Ctx != model.CtxTask {
				text = "(returns from the interrupt)"
			}
		}
		if n, ok := st.Notes[i]; ok {
			note = n.Text
			if n.Kind == model.NoteAcquire || n.Kind == model.NoteRelease {
				// say which lock only when the statement does not
				note = ""
				if n.Lock != lockArg(text) {
					note = n.Lock
				}
			}
		}
		l := stmtLine(st, ins.Pos, text, ins.Func, ins.Op)
		// one statement that compiled to several instructions shows once,
		// with what it did (a wake's effect, which way a condition went)
		if n := len(out); n > 0 && out[n-1].Line == l.Line && out[n-1].File == l.File && out[n-1].raw == text {
			if note != "" && out[n-1].note == "" {
				out[n-1].note = note
			}
			lineOf = n - 1
			continue
		}
		l.raw, l.note = text, note
		out = append(out, l)
		lineOf = len(out) - 1
	}
	n := len(st.PCs)
	switch {
	case st.Err == nil:
	case n == 0:
		out = awaitLine(st, out)
	case st.Err.At == st.PCs[n-1]+1:
		// the step's last instruction raised the error: the statement it
		// shows in (for a one-line helper's body, which traces leave out,
		// the call; not ghost code, which the message names) is at fault,
		// and a condition the error stopped went neither way
		if lineOf < 0 {
			lineOf, out = callSiteLine(st, st.Instrs[n-1], out)
		}
		if lineOf >= 0 {
			out[lineOf].fault = true
			if st.Instrs[n-1].Op == model.OpBranch {
				out[lineOf].note = ""
			}
		}
	}
	for i := range out {
		if out[i].note != "" {
			out[i].Text = out[i].raw + " -> " + out[i].note
		}
	}
	out = foldRepeats(out)
	if st.Blocks {
		out = append(out, Line{Text: "(blocks)"})
	}
	return out
}

// stmtLine is the line of a statement at pos in function fn, as a step of
// st's thread shows it (its own body's statements name no function).
func stmtLine(st *explorer.Step, pos syntax.Pos, text, fn string, op model.Op) Line {
	if fn == st.Thread.Kind.Name {
		fn = ""
	}
	return Line{File: filepath.Base(pos.File), Line: pos.Line, Func: fn, Text: text, raw: text, op: op, thread: fn == ""}
}

// callSiteLine finds, for an error raised in a one-line helper's body
// (which traces leave out), the statement that called the helper: the last
// line of out when that is it, else a line added for it. It returns the
// line's index in out (-1 when ins is not such a body) and out.
func callSiteLine(st *explorer.Step, ins *model.Instr, out []Line) (int, []Line) {
	cs := ins.Call
	if !ins.Detail || ins.Hidden || cs == nil {
		return -1, out
	}
	l := stmtLine(st, cs.Pos, cs.Text, cs.Func, model.OpAssign)
	if n := len(out); n > 0 && out[n-1].File == l.File && out[n-1].Line == l.Line {
		return n - 1, out
	}
	l.cont = len(out) == 0
	return len(out), append(out, l)
}

// awaitLine adds, for a step that raised an error before it ran an
// instruction because its await's condition did (reading guarded state
// without the lock, say), the await statement, at fault.
func awaitLine(st *explorer.Step, out []Line) []Line {
	code := st.Thread.Kind.Code
	if st.Rest < 0 || st.Rest >= len(code) || code[st.Rest].Op != model.OpAwait {
		return out
	}
	ins := code[st.Rest]
	l := stmtLine(st, ins.Pos, ins.Text, ins.Func, ins.Op)
	l.fault = true
	return append(out, l)
}

// Repeated iterations of a loop within one step are folded: the first
// keptIterations are shown, then one line says how many more ran (a step
// that loops 100,000 times without a step boundary would print as many).
const (
	keptIterations = 3
	foldFrom       = 5  // fold runs of at least this many iterations
	maxLoopLines   = 64 // the longest iteration (in lines) that is looked for
)

// foldRepeats folds runs of a block of lines repeated foldFrom or more
// times in a row, preferring the run that covers the most lines (and, among
// those, the shortest block).
func foldRepeats(ls []Line) []Line {
	if len(ls) < 2*foldFrom {
		return ls
	}
	var out []Line
	for i := 0; i < len(ls); {
		period, reps := 0, 0
		for p := 1; p <= maxLoopLines && i+foldFrom*p <= len(ls); p++ {
			r := 1
			for i+(r+1)*p <= len(ls) && sameLines(ls[i:i+p], ls[i+r*p:i+(r+1)*p]) {
				r++
			}
			if r >= foldFrom && r*p > reps*period {
				period, reps = p, r
			}
		}
		if period == 0 {
			out = append(out, ls[i])
			i++
			continue
		}
		out = append(out, ls[i:i+keptIterations*period]...)
		top := ls[i]
		for _, l := range ls[i : i+period] {
			if l.File == top.File && l.Line > 0 && l.Line < top.Line {
				top = l
			}
		}
		more := reps - keptIterations
		out = append(out, Line{File: top.File, Text: fmt.Sprintf("... %s more iteration%s of the loop at line %d", commas(more), plural(more), top.Line)})
		i += reps * period
	}
	return out
}

func sameLines(a, b []Line) bool {
	for k := range a {
		if a[k].File != b[k].File || a[k].Line != b[k].Line || a[k].Func != b[k].Func || a[k].Text != b[k].Text || a[k].fault != b[k].fault {
			return false
		}
	}
	return true
}

// cell renders a line as it appears in a column: "16  transfer: spin_lock(&from->lock);".
func (l Line) cell() string {
	if l.Line == 0 {
		return "    " + l.Text
	}
	s := fmt.Sprintf("%3d ", l.Line)
	if l.Func != "" {
		s += l.Func + ": "
	}
	return s + l.Text
}

// TextOptions control the text rendering of a trace.
type TextOptions struct {
	Width int // total width in columns (default 100)
	// Explain adds, under each step, what the step changed in the state
	// (see Changes): lists, flags, counters, task states, locks.
	Explain bool
	// ByCPU lays the table out by CPU, as kernel commit messages do ("CPU 0
	// / CPU 1"): a column per CPU (an unbound thread keeps a column of its
	// own), each run of steps headed by the thread that takes it. Only
	// models with CPUs have them; others keep a column per thread.
	ByCPU bool
	// Brief keeps only what the violation depends on (brief.go); the full
	// trace is every step and statement.
	Brief bool
}

// minColumn is the narrowest thread column the side-by-side table uses; a
// trace whose threads would get less is written in the one-column layout.
const minColumn = 30

// Columns returns the threads that move in a trace, in order of first move.
func Columns(tr *explorer.Trace) []*model.Thread {
	var cols []*model.Thread
	seen := map[int]bool{}
	for _, st := range tr.Steps {
		if !seen[st.Thread.Index] {
			seen[st.Thread.Index] = true
			cols = append(cols, st.Thread)
		}
	}
	return cols
}

// WriteTrace writes a counterexample (or a witness) for people: a header,
// the steps, what is wrong, and the state at the violation.
//
// The steps are the kernel commit-message table, one column per thread that
// moves (named by its `as` label: "CPU A", "kworker W2"), one row per step,
// when every column gets at least minColumn characters of the width. With
// more threads than that allows (workqueue traces move 5-8), each step is a
// row of one wide column headed by the thread's name, and the statement text
// is indented by the thread's lane so the interleaving stays visible.
func WriteTrace(w io.Writer, p *model.Program, tr *explorer.Trace, opt TextOptions) {
	width := opt.Width
	if width <= 0 {
		width = 100
	}
	if opt.Brief && tr.Loop < 0 { // a lasso is shown whole: its cycle is the story
		writeBrief(w, p, tr, opt, width)
		return
	}
	if tr.Prop.Witness {
		fmt.Fprintf(w, "%s witnessed (informational): shortest witness, %d step%s\n\n", tr.Prop.Name, len(tr.Steps), plural(len(tr.Steps)))
	} else if tr.Loop >= 0 {
		fmt.Fprintf(w, "%s violated: a run that never ends well, %s\n\n", tr.Prop.Name, lassoWords(tr))
	} else {
		fmt.Fprintf(w, "%s violated: shortest counterexample, %d step%s\n\n", tr.Prop.Name, len(tr.Steps), plural(len(tr.Steps)))
	}
	writeSteps(w, p, tr, opt, width)
	fmt.Fprintln(w)
	writeProse(w, "violation: "+ViolationText(tr), width, "  ")
	if tr.Loop >= 0 {
		fmt.Fprintln(w, "state where the cycle starts (and ends):")
	} else {
		fmt.Fprintln(w, "state at the violation:")
	}
	WriteState(w, p, tr.Final(), "  ", width)
}

// lassoWords describes a lasso's shape: "12 steps, then 3 that repeat for
// ever".
func lassoWords(tr *explorer.Trace) string {
	if tr.Loop == len(tr.Steps) {
		return fmt.Sprintf("%d step%s to a state where no thread can move again", tr.Loop, plural(tr.Loop))
	}
	n := len(tr.Steps) - tr.Loop
	return fmt.Sprintf("%d step%s, then %d that repeat%s for ever", tr.Loop, plural(tr.Loop), n, map[bool]string{true: "s", false: ""}[n == 1])
}

// loopMark is the line before the first step of a lasso's cycle.
const loopMark = "     -- the following steps repeat for ever --"

// ViolationText says what is wrong at the end of a trace: in the model's
// words (describe NAME: "..."), then the message with the formula, or the
// message alone when the property has no description.
func ViolationText(tr *explorer.Trace) string {
	if tr.Prop.Desc == "" {
		return tr.Msg
	}
	return tr.Prop.Name + ": " + tr.Prop.Desc + " (" + tr.Msg + ")"
}

// WriteReplay writes a replayed trace (wqcheck replay): the steps that
// replayed, then whether the whole trace replayed and the property still
// fails at its end (tr.Msg says what was found), and the state reached.
func WriteReplay(w io.Writer, p *model.Program, tr *explorer.Trace, reproduced, complete bool, opt TextOptions) {
	width := opt.Width
	if width <= 0 {
		width = 100
	}
	writeSteps(w, p, tr, opt, width)
	fmt.Fprintln(w)
	switch {
	case reproduced && tr.Prop.Witness:
		writeProse(w, fmt.Sprintf("REPRODUCED: all %d step%s replay and %s is still witnessed: %s", len(tr.Steps), plural(len(tr.Steps)), tr.Prop.Name, tr.Msg), width, "  ")
	case reproduced:
		writeProse(w, fmt.Sprintf("REPRODUCED: all %d step%s replay and %s still fails: %s", len(tr.Steps), plural(len(tr.Steps)), tr.Prop.Name, tr.Msg), width, "  ")
	case complete:
		writeProse(w, fmt.Sprintf("NOT REPRODUCED: all %d step%s replay, but %s", len(tr.Steps), plural(len(tr.Steps)), tr.Msg), width, "  ")
	default:
		writeProse(w, fmt.Sprintf("NOT REPRODUCED after %d step%s: %s", len(tr.Steps), plural(len(tr.Steps)), tr.Msg), width, "  ")
	}
	fmt.Fprintln(w, "state at the end of the replay:")
	WriteState(w, p, tr.Final(), "  ", width)
}

// writeSteps writes the steps of a trace in the table or lane layout.
func writeSteps(w io.Writer, p *model.Program, tr *explorer.Trace, opt TextOptions, width int) {
	cols := traceColumns(p, tr, opt.ByCPU && p.NCPUs > 0, nil)
	const gutter = 5 // "%3d  "
	const sep = "  "
	n := max(len(cols.labels), 1)
	cw := (width - gutter - len(sep)*(n-1)) / n
	var lay layout
	if cw >= minColumn || n == 1 {
		lay = newTableLayout(cols, max(cw, 24), sep)
	} else {
		lay = newLaneLayout(cols, width)
	}
	lay.header(w)
	prev := tr.Initial
	last := map[int]int{} // per column, the thread whose step it shows last
	where := map[int]string{}
	for i := range tr.Steps {
		st := &tr.Steps[i]
		col := cols.of(p, prev, st.Thread)
		var cells []string
		ctx := p.DescribeCtx(prev, st.Thread)
		if cols.byCPU {
			if t, ok := last[col]; !ok || t != st.Thread.Index {
				cells = append(cells, ctxName(p, prev, st.Thread)+":")
			}
			last[col] = st.Thread.Index
		} else if w, ok := where[st.Thread.Index]; ok && w != ctx {
			// its column is named by where it first ran; it has moved
			cells = append(cells, "(now "+ctx+")")
		}
		where[st.Thread.Index] = ctx
		cells = append(cells, stepCells(p, tr, st)...)
		if opt.Explain {
			for _, c := range GroupChanges(Changes(p, prev, st.After)) {
				cells = append(cells, "  ~ "+c)
			}
		}
		if i == tr.Loop {
			fmt.Fprintln(w, loopMark)
		}
		lay.step(w, i+1, col, cells)
		prev = st.After
	}
	if tr.Loop >= 0 && tr.Loop == len(tr.Steps) {
		fmt.Fprintln(w, "     -- the final state repeats for ever: no thread can move --")
	}
}

// stepCells are a step's lines, then what went wrong in it.
func stepCells(p *model.Program, tr *explorer.Trace, st *explorer.Step) []string {
	var cells []string
	for _, l := range StepLines(st) {
		cells = append(cells, l.cell())
	}
	return append(cells, failCells(p, tr, st)...)
}

// failCells say what went wrong in a step: its error, the warn_on it fired.
func failCells(p *model.Program, tr *explorer.Trace, st *explorer.Step) []string {
	var cells []string
	if st.Err != nil {
		cells = append(cells, "*** "+st.Err.Msg)
	}
	for _, f := range st.Fired {
		if f == indexOf(p, tr.Prop) {
			cells = append(cells, fmt.Sprintf("*** warn_on fired (%s)", tr.Prop.Name))
		}
	}
	return cells
}

// layout places the cells of each step.
type layout interface {
	header(w io.Writer)
	step(w io.Writer, n int, col int, cells []string)
}

// tableLayout is the side-by-side table: a column per thread (or CPU).
type tableLayout struct {
	cols columns
	cw   int
	sep  string
}

func newTableLayout(cols columns, cw int, sep string) *tableLayout {
	return &tableLayout{cols: cols, cw: cw, sep: sep}
}

func (l *tableLayout) header(w io.Writer) {
	if len(l.cols.labels) == 0 {
		return
	}
	var hdr, rule strings.Builder
	hdr.WriteString("     ")
	rule.WriteString("     ")
	for i, label := range l.cols.labels {
		if i > 0 {
			hdr.WriteString(l.sep)
			rule.WriteString(l.sep)
		}
		hdr.WriteString(pad(clip(label, l.cw), l.cw))
		r := min(l.cw, max(len(label), 16))
		rule.WriteString(strings.Repeat("-", r) + strings.Repeat(" ", l.cw-r))
	}
	fmt.Fprintln(w, strings.TrimRight(hdr.String(), " "))
	fmt.Fprintln(w, strings.TrimRight(rule.String(), " "))
}

func (l *tableLayout) step(w io.Writer, n int, col int, cells []string) {
	indent := strings.Repeat(" ", col*(l.cw+len(l.sep)))
	first := true
	for _, c := range cells {
		for _, part := range wrap(c, l.cw) {
			lead := "     "
			if first {
				lead = fmt.Sprintf("%3d  ", n)
				first = false
			}
			fmt.Fprintln(w, strings.TrimRight(lead+indent+part, " "))
		}
	}
}

// laneLayout is the one-column form for many threads: "step  thread
// statement", the statement indented two spaces per lane.
type laneLayout struct {
	cols  columns
	name  int // width of the thread-name column
	text  int // width left for the statement
	lanes int
}

func newLaneLayout(cols columns, width int) *laneLayout {
	l := &laneLayout{cols: cols, lanes: len(cols.labels)}
	for _, label := range cols.labels {
		l.name = max(l.name, len(label))
	}
	l.name = min(l.name, 30)
	l.text = max(width-5-l.name-2, 40)
	return l
}

func (l *laneLayout) header(w io.Writer) {
	fmt.Fprintf(w, "step %s  statement (indented by thread)\n", pad("thread", l.name))
	fmt.Fprintf(w, "---- %s  %s\n", strings.Repeat("-", l.name), strings.Repeat("-", min(l.text, 40)))
}

func (l *laneLayout) step(w io.Writer, n int, col int, cells []string) {
	ind := strings.Repeat(" ", 2*col)
	first := true
	for _, c := range cells {
		for _, part := range wrap(c, l.text-len(ind)) {
			lead := strings.Repeat(" ", 5+l.name+2)
			if first {
				lead = fmt.Sprintf("%4d %s  ", n, pad(clip(l.cols.labels[col], l.name), l.name))
				first = false
			}
			fmt.Fprintln(w, strings.TrimRight(lead+ind+part, " "))
		}
	}
}

func indexOf(p *model.Program, pr *model.Property) int {
	for i, x := range p.Props {
		if x == pr {
			return i
		}
	}
	return -1
}

// WriteState writes a state for people: one line per object (its fields
// side by side, wrapped at width), then one line per thread, named by its
// label, saying what it is doing: its task state, where it is (or that it
// has exited), whether it is blocked, and its live locals.
func WriteState(w io.Writer, p *model.Program, s model.State, indent string, width int) {
	if width <= 0 {
		width = 100
	}
	isThread := map[string]bool{}
	for _, t := range p.Threads {
		isThread[t.Short] = true
	}
	// group by object: "accounts[0].lock" and "accounts[0].balance" share a line
	type group struct {
		name  string
		parts []string
	}
	var groups []*group
	byName := map[string]*group{}
	locals := map[string][]string{}
	ctx := map[string]string{}
	for _, v := range p.Describe(s) {
		obj, field := splitPath(v.Path)
		if i := strings.IndexByte(obj, '.'); i >= 0 && isThread[obj[:i]] {
			// a local of a function the thread is in: "cpu_a.transfer"
			obj, field = obj[:i], obj[i+1:]+"."+field
		}
		if isThread[obj] {
			switch field {
			case "at", "state":
			case "ctx":
				ctx[obj] = v.Value
			default:
				locals[obj] = append(locals[obj], field+"="+v.Value)
			}
			continue
		}
		g := byName[obj]
		if g == nil {
			g = &group{name: obj}
			byName[obj] = g
			groups = append(groups, g)
		}
		if field == "" {
			g.parts = append(g.parts, v.Value)
		} else {
			g.parts = append(g.parts, field+"="+v.Value)
		}
	}
	for _, g := range groups {
		writeFields(w, indent+g.name+": ", g.parts, width)
	}
	name := 0
	for _, t := range p.Threads {
		name = max(name, len(t.Label))
	}
	name = min(name, 24)
	for _, t := range p.Threads {
		lead := indent + pad(t.Label, name) + "  "
		if p.Finished(s, t) {
			fmt.Fprintln(w, strings.TrimRight(lead+"exited", " "))
			continue
		}
		parts := []string{model.TaskStateName(p.TaskState(s, t))}
		if t.Kind.Ctx != model.CtxTask {
			parts = parts[:0] // an interrupt handler has no task state
		}
		if c := ctx[t.Short]; c != "" {
			parts = append(parts, "["+c+"]")
		}
		parts = append(parts, "at "+p.Where(s, t))
		if t.Label != t.Short {
			parts = append(parts, "("+t.Short+")")
		}
		writeFields(w, lead, append(parts, locals[t.Short]...), width)
	}
}

// writeFields writes parts after lead, two spaces apart, breaking the line
// between parts (never inside one) when it would pass width; continuation
// lines are indented under the first part.
func writeFields(w io.Writer, lead string, parts []string, width int) {
	line := lead
	cont := strings.Repeat(" ", min(len(lead), 30))
	fresh := true
	for _, part := range parts {
		if !fresh && len(line)+2+len(part) > width {
			fmt.Fprintln(w, line)
			line, fresh = cont, true
		}
		if !fresh {
			line += "  "
		}
		line += part
		fresh = false
	}
	fmt.Fprintln(w, strings.TrimRight(line, " "))
}

func splitPath(path string) (string, string) {
	i := strings.LastIndexByte(path, '.')
	if i < 0 {
		return path, ""
	}
	return path[:i], path[i+1:]
}

func pad(s string, n int) string {
	if len(s) >= n {
		return s
	}
	return s + strings.Repeat(" ", n-len(s))
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	if n <= 3 {
		return s[:n]
	}
	return s[:n-3] + "..."
}

// wrap breaks s into pieces of at most n columns, at a space, or after an
// opening parenthesis or a comma, where it can; continuation pieces are
// indented past the line-number gutter of a cell.
func wrap(s string, n int) []string {
	if len(s) <= n {
		return []string{s}
	}
	const indent = "      "
	var out []string
	first := true
	for len(s) > 0 {
		limit := n
		lead := ""
		if !first {
			limit, lead = n-len(indent), indent
		}
		if len(s) <= limit {
			out = append(out, lead+s)
			break
		}
		cut := -1
		for i := limit; i > limit/3; i-- {
			if s[i] == ' ' {
				cut = i
				break
			}
			if c := s[i-1]; c == '(' || c == ',' {
				cut = i
				break
			}
		}
		if cut < 0 {
			cut = limit
		}
		out = append(out, lead+strings.TrimRight(s[:cut], " "))
		s = strings.TrimLeft(s[cut:], " ")
		first = false
	}
	return out
}

// writeProse word-wraps text at width columns, indenting continuation lines.
func writeProse(w io.Writer, text string, width int, indent string) {
	line := ""
	for _, word := range strings.Fields(text) {
		if line != "" && len(line)+1+len(word) > width {
			fmt.Fprintln(w, line)
			line = indent + word
			continue
		}
		if line == "" {
			line = word
		} else {
			line += " " + word
		}
	}
	if line != "" {
		fmt.Fprintln(w, line)
	}
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// columns are the columns of a trace table: one per thread that moves, or,
// by CPU, one per CPU (and one per unbound thread).
type columns struct {
	byCPU  bool
	labels []string
	colOf  map[int]int // thread index (or, by CPU, -1-cpu) -> column
}

// of returns the column of a step of t taken from state s.
func (c columns) of(p *model.Program, s model.State, t *model.Thread) int {
	if c.byCPU {
		if cpu := p.CPU(s, t); cpu != model.CPUUnbound {
			return c.colOf[-1-cpu]
		}
	}
	return c.colOf[t.Index]
}

// traceColumns lays out the columns of a trace: threads in order of first
// move, named by label (and, in a model with CPUs, where they run), or CPUs
// in order of first use.
func traceColumns(p *model.Program, tr *explorer.Trace, byCPU bool, keep []bool) columns {
	c := columns{byCPU: byCPU, colOf: map[int]int{}}
	prev := tr.Initial
	for i, st := range tr.Steps {
		if keep != nil && !keep[i] {
			prev = st.After
			continue
		}
		key, label := st.Thread.Index, st.Thread.Label
		if p.NCPUs > 0 {
			label = ctxName(p, prev, st.Thread)
		}
		if byCPU {
			if cpu := p.CPU(prev, st.Thread); cpu != model.CPUUnbound {
				key, label = -1-cpu, fmt.Sprintf("CPU %d", cpu)
			}
		}
		if _, ok := c.colOf[key]; !ok {
			c.colOf[key] = len(c.labels)
			c.labels = append(c.labels, label)
		}
		prev = st.After
	}
	return c
}

// ctxName names a thread with where it runs: "kworker W0 (CPU 0)",
// "idle_timer_fn (CPU 0 softirq)", "idle_cull_fn (unbound)".
func ctxName(p *model.Program, s model.State, t *model.Thread) string {
	if p.NCPUs == 0 {
		return t.Label
	}
	return t.Label + " (" + p.DescribeCtx(s, t) + ")"
}
