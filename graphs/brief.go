package graphs

import (
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"

	"wqcheck/explorer"
	"wqcheck/model"
)

// The brief trace (TextOptions.Brief, check --brief, review's default): the
// steps the violation depends on (explorer.Slice), consecutive steps of one
// thread in one row, each row only the statements that tell the story, a
// column per actor when three or fewer fit, and the story in words at the
// end.

// briefRow is one row of a brief trace: consecutive kept steps of a thread.
type briefRow struct {
	first, last int // step numbers, from 1
	thread      *model.Thread
	col         int
	text        []string
	step        *explorer.Step // the last
	tail        Line           // the last step's last statement
}

// sameStmt reports whether two lines are the same statement.
func sameStmt(a, b Line) bool { return a.File == b.File && a.Line == b.Line && a.Func == b.Func }

func (r *briefRow) num() string {
	if r.first == r.last {
		return fmt.Sprint(r.first)
	}
	return fmt.Sprintf("%d-%d", r.first, r.last)
}

// writeBrief writes a brief trace: header, rows, what is wrong, the story.
func writeBrief(w io.Writer, p *model.Program, tr *explorer.Trace, opt TextOptions, width int) {
	shown := explorer.Slice(p, tr)
	what := "violated"
	if tr.Prop.Witness {
		what = "witnessed (informational)"
	}
	if len(tr.Steps) == 0 {
		// no step, no lane: the initial state itself is at fault
		fmt.Fprintf(w, "%s %s in the initial state, before any step.\n\n", tr.Prop.Name, what)
		writeProse(w, "violation: "+tr.Msg, width, "  ")
		return
	}
	cols := traceColumns(p, tr, opt.ByCPU && p.NCPUs > 0, shown)
	rows, elided := briefRows(p, tr, shown, cols)
	fmt.Fprintf(w, "%s %s: %d step%s, the %d it depends on:\n\n", tr.Prop.Name, what, len(tr.Steps), plural(len(tr.Steps)), len(tr.Steps)-len(elided))
	if n := len(cols.labels); n <= 3 && (width-7-2*(n-1))/n >= 20 {
		writeBriefTable(w, cols, rows, (width-7-2*(n-1))/n, width)
	} else {
		writeBriefLanes(w, cols, rows, width)
	}
	if len(elided) > 0 {
		writeProse(w, fmt.Sprintf("(%d step%s elided: %s)", len(elided), plural(len(elided)), spans(elided)), width, " ")
	}
	fmt.Fprintln(w)
	if story := Story(p, tr, shown); story != "" {
		writeProse(w, story, width, "")
	} else {
		writeProse(w, "violation: "+tr.Msg, width, "  ")
	}
}

// briefRows groups the kept steps into rows, and lists the steps left out:
// a row is a thread's kept steps until another thread's kept step comes.
func briefRows(p *model.Program, tr *explorer.Trace, keep []bool, cols columns) ([]briefRow, []int) {
	var rows []briefRow
	var elided []int
	pick := pickFor(tr.Prop)
	lastIn := map[int]*model.Thread{} // by CPU: per column, the thread of its last row
	prev := tr.Initial
	for i := range tr.Steps {
		st := &tr.Steps[i]
		before := prev
		prev = st.After
		if !keep[i] {
			elided = append(elided, i+1)
			continue
		}
		ls := StepLines(st)
		if n := len(rows); n > 0 && len(ls) > 0 && ls[0].cont && rows[n-1].last == i && rows[n-1].thread == st.Thread && sameStmt(rows[n-1].tail, ls[0]) {
			// the step goes on with the statement the row's last step ended
			// in (the call of a one-line helper whose body raised the error):
			// the row shows it once
			ls = ls[1:]
		}
		pinWindow(ls)
		text := briefTexts(ls, pick)
		if st.Err != nil {
			text = append(text, "*** "+st.Err.Msg)
		}
		if slices.Contains(st.Fired, slices.Index(p.Props, tr.Prop)) {
			text = append(text, "*** "+tr.Prop.Name)
		}
		col := cols.of(p, before, st.Thread)
		var tail Line
		if len(ls) > 0 {
			tail = ls[len(ls)-1]
		}
		if n := len(rows); n > 0 && rows[n-1].thread == st.Thread && rows[n-1].col == col {
			rows[n-1].last, rows[n-1].step, rows[n-1].tail = i+1, st, tail
			rows[n-1].text = append(rows[n-1].text, text...)
			continue
		}
		if cols.byCPU && lastIn[col] != st.Thread {
			// a CPU's column: say whose steps these are
			text = append([]string{st.Thread.Label + ":"}, text...)
		}
		lastIn[col] = st.Thread
		rows = append(rows, briefRow{first: i + 1, last: i + 1, thread: st.Thread, col: col, text: text, step: st, tail: tail})
	}
	for k := range rows {
		if len(rows[k].text) == 0 || len(rows[k].text) == 1 && strings.HasSuffix(rows[k].text[0], ":") {
			rows[k].text = append(rows[k].text, stepName(rows[k].step))
		}
	}
	return rows, elided
}

// stepName names a step none of whose statements tells: the function its
// last statement is in ("process_one_work_done()"), or that statement.
func stepName(st *explorer.Step) string {
	ls := StepLines(st)
	if len(ls) == 0 {
		return "(moves)"
	}
	if l := ls[len(ls)-1]; l.Func != "" {
		return l.Func + "()"
	}
	return ls[len(ls)-1].briefText()
}

// spans writes step numbers as ranges: "8, 10-11, 14".
func spans(ns []int) string {
	var parts []string
	for i := 0; i < len(ns); {
		j := i
		for j+1 < len(ns) && ns[j+1] == ns[j]+1 {
			j++
		}
		if j == i {
			parts = append(parts, fmt.Sprint(ns[i]))
		} else {
			parts = append(parts, fmt.Sprintf("%d-%d", ns[i], ns[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, ", ")
}

// writeBriefTable writes the rows in a column per actor, cw wide, in
// width columns in all.
func writeBriefTable(w io.Writer, cols columns, rows []briefRow, cw, width int) {
	var hdr, rule strings.Builder
	for i, label := range cols.labels {
		hdr.WriteString(pad(clip(label, cw), cw+2))
		r := min(cw, len(label))
		rule.WriteString(pad(strings.Repeat("-", r), cw+2))
		_ = i
	}
	fmt.Fprintln(w, strings.TrimRight("       "+hdr.String(), " "))
	fmt.Fprintln(w, strings.TrimRight("       "+rule.String(), " "))
	for _, r := range rows {
		ind := strings.Repeat(" ", r.col*(cw+2))
		// a word too long for the column may run into the empty columns to
		// its right (a row is one thread's), not past the width
		hard := max(width-7-r.col*(cw+2), cw)
		for k, part := range wrapProseIn(joinText(r.text), cw, cw, hard) {
			lead := "       "
			if k == 0 {
				lead = fmt.Sprintf("%5s  ", r.num())
			}
			fmt.Fprintln(w, strings.TrimRight(lead+ind+part, " "))
		}
	}
}

// writeBriefLanes writes the rows one under the other, each headed by its
// actor.
func writeBriefLanes(w io.Writer, cols columns, rows []briefRow, width int) {
	name := 0
	for _, r := range rows {
		name = max(name, len(r.thread.Label))
	}
	// a longer name runs into its first line; at a narrow --width the names
	// get at most a third of it
	name = min(name, 16, (width-9)/3)
	for _, r := range rows {
		lead := fmt.Sprintf("%5s  %s  ", r.num(), pad(r.thread.Label, name))
		first := max(width-len(lead), 16)
		for k, part := range wrapProse(joinText(r.text), first, max(width-7-name-2, 16)) {
			if k > 0 {
				lead = strings.Repeat(" ", 7+name+2)
			}
			fmt.Fprintln(w, strings.TrimRight(lead+part, " "))
		}
	}
}

// joinText joins a row's statements with "; ", an actor's "label:" with a
// space.
func joinText(parts []string) string {
	var b strings.Builder
	for i, p := range parts {
		if i > 0 {
			if strings.HasSuffix(parts[i-1], ":") {
				b.WriteString(" ")
			} else {
				b.WriteString("; ")
			}
		}
		b.WriteString(p)
	}
	return b.String()
}

// wrapProse breaks text at spaces into lines of at most n columns (the
// first line first columns), continuation lines indented by two. A word
// longer than a line is broken after a '(', ',', '_' or '.' where it can
// be, else at the line's end, so no line is wider than its column.
func wrapProse(text string, first, n int) []string { return wrapProseIn(text, first, n, n) }

// wrapProseIn is wrapProse for a column with room to its right: a word too
// long for a line of its own may run into that room, up to hard columns
// from the line's start (hard >= n), and is broken only beyond.
func wrapProseIn(text string, first, n, hard int) []string {
	var out []string
	line := ""
	for _, word := range strings.Fields(text) {
		for word != "" {
			limit := n
			if len(out) == 0 {
				limit = first
			}
			if strings.TrimSpace(line) != "" && len(line)+1+len(word) > limit {
				out = append(out, line)
				line = "  "
			}
			sep := " "
			if strings.TrimSpace(line) == "" {
				sep = ""
			}
			room := limit + hard - n - len(line) - len(sep)
			piece := word
			if len(word) > room && room >= 8 {
				piece = word[:breakAt(word, room)]
			}
			line += sep + piece
			word = word[len(piece):]
			if word != "" {
				out = append(out, line)
				line = "  "
			}
		}
	}
	if strings.TrimSpace(line) != "" {
		out = append(out, line)
	}
	return out
}

// breakAt is where to break word to fit room columns: after the last '(',
// ',', '_' or '.' within them that leaves more than two characters for the
// next line, else at room.
func breakAt(word string, room int) int {
	for i := min(room-1, len(word)-4); i >= room/3 && i >= 0; i-- {
		if strings.IndexByte("(,_.", word[i]) >= 0 {
			return i + 1
		}
	}
	return room
}

// callStmtRE is a statement that only calls a function: "f(a, b);".
var callStmtRE = regexp.MustCompile(`^([A-Za-z_]\w*)\((.*)\);$`)

// pinWindow pins, when a step ends in a helper's call of a model function
// (its arguments evaluated, the thread resting inside the callee) with a
// value the step computed ("deferred_wake(p, ...)" after
// "p = kick_pool_pick()" in the same function), that call: the thread
// carries the value through a window in which the others run, as a
// deferred wake does, and the brief trace, which leaves a helper's calls
// out, keeps this one.
func pinWindow(ls []Line) {
	n := len(ls)
	if n == 0 || ls[n-1].thread || ls[n-1].op != model.OpAssign {
		// the thread's own calls are kept anyway; a call of a model
		// function shows as the assignments of its arguments
		return
	}
	m := callStmtRE.FindStringSubmatch(ls[n-1].raw)
	if m == nil {
		return
	}
	args := map[string]bool{}
	for _, id := range identRE.FindAllString(m[2], -1) {
		args[id] = true
	}
	for i := n - 2; i >= 0; i-- {
		if lhs, _, ok := strings.Cut(ls[i].raw, " = "); ok && ls[i].Func == ls[n-1].Func && args[strings.TrimSpace(lhs)] {
			ls[n-1].pin = true
			return
		}
	}
}

var identRE = regexp.MustCompile(`[A-Za-z_]\w*`)

// briefLines keeps the statements of a step that tell the story: in the
// thread's own body, calls, assignments, and conditions that call a
// function (keep_working(), not a field test); anywhere, list operations,
// wake-ups and sleeps. A called function's body is
// folded into its call (what it does to lists and tasks stays).
// Declarations, jumps, returns, interrupt, preemption and
// nondeterministic-choice statements are left out, and so are locks, but
// for a deadlock, a breach of lock discipline or a lockdep report (locks).
// The statement whose execution raised the step's error is kept, whatever
// it is: "if (n > 0)" reading guarded state without its lock.
func briefLines(ls []Line, pk picker) []Line {
	var out []Line
	for _, l := range ls {
		if tells(l) || pk.locks && (l.op == model.OpLock || l.op == model.OpUnlock) || pk.writesRead(l) || l.fault || l.pin {
			out = append(out, l)
		}
	}
	return out
}

// picker is what a brief trace keeps besides what tells: locks (for a
// deadlock, a breach of lock discipline, a lockdep report), and, wherever
// they are, the assignments to a field the violated property's formula
// reads ("pool.nr_running++" under S5's "pool.nr_running >= 0 && ...").
type picker struct {
	locks  bool
	fields []string // "->nr_running", ".nr_running", ...
}

var fieldRE = regexp.MustCompile(`(?:->|\.)([A-Za-z_]\w*)`)

func pickFor(pr *model.Property) picker {
	pk := picker{locks: pr.Kind == model.PropDeadlock || pr.Kind == model.PropLockDiscipline || pr.Kind == model.PropLockdep}
	seen := map[string]bool{}
	for _, m := range fieldRE.FindAllStringSubmatch(pr.Text, -1) {
		if !seen[m[1]] {
			seen[m[1]] = true
			pk.fields = append(pk.fields, "->"+m[1], "."+m[1])
		}
	}
	return pk
}

// writesRead says whether l assigns a field the property reads.
func (pk picker) writesRead(l Line) bool {
	if l.op != model.OpAssign || len(pk.fields) == 0 {
		return false
	}
	lhs, _, ok := strings.Cut(l.raw, "=")
	if !ok {
		lhs = l.raw // x++, x--
	}
	for _, f := range pk.fields {
		if i := strings.Index(lhs, f); i >= 0 {
			if end := i + len(f); end == len(lhs) || !isIdentByte(lhs[end]) {
				return true
			}
		}
	}
	return false
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func tells(l Line) bool {
	if l.op == model.OpWake {
		return true
	}
	if strings.HasPrefix(l.raw, "if (") || strings.HasPrefix(l.raw, "while (") {
		// a condition (whatever its first instruction): the way not
		// taken into an if is not part of the story, nor a field test
		if strings.HasPrefix(l.raw, "if (") && strings.HasSuffix(l.Text, "-> false") {
			return false
		}
		cond := strings.TrimPrefix(strings.TrimPrefix(l.raw, "if ("), "while (")
		return l.thread && strings.Contains(cond, "(")
	}
	switch l.op {
	case model.OpListAdd, model.OpListDel, model.OpWake, model.OpSchedule, model.OpSetTask:
		return true
	case model.OpSetState:
		return l.thread
	case model.OpAssign:
		return l.thread && (strings.Contains(l.raw, "(") || strings.Contains(l.raw, "=") || strings.HasSuffix(l.raw, "++;") || strings.HasSuffix(l.raw, "--;"))
	}
	return l.Text == "(blocks)"
}

// briefTexts are a step's brief lines as text: a helper's statement joins
// the call that shows in the step ("worker_enter_idle(self): list_add(w,
// &pool.idle_list)").
func briefTexts(ls []Line, pk picker) []string {
	var out []string
	calls := map[string]int{} // a function called in the step -> its text's index
	joined := map[int]bool{}  // a text that statements of its function joined
	lastFn := ""              // the function of the last text, when it is a helper's statement
	for _, l := range briefLines(ls, pk) {
		t := l.briefText()
		k, ok := calls[l.Func]
		if !ok && l.Func != "" && l.Func == lastFn {
			k, ok = len(out)-1, true
		}
		if ok && l.Func != "" {
			sep := ": "
			if joined[k] || l.Func == lastFn {
				sep = ", "
			}
			out[k] += sep + strings.TrimPrefix(t, l.Func+": ")
			joined[k] = true
			continue
		}
		if i := strings.IndexByte(l.raw, '('); i > 0 && strings.HasSuffix(l.raw, ");") && !strings.ContainsAny(l.raw[:i], " =") {
			calls[l.raw[:i]] = len(out)
		}
		lastFn = l.Func
		out = append(out, t)
	}
	return out
}

// briefText is a line without its line number, the running thread's
// self left out of calls, a wake's note cut to whom it woke.
func (l Line) briefText() string {
	text := strings.TrimSuffix(l.raw, ";")
	if l.op == model.OpExit {
		text = "(exits)"
		if strings.Contains(l.raw, "interrupt") {
			text = "(returns from the interrupt)"
		}
	}
	text = strings.NewReplacer("(self, ", "(", "(self)", "()").Replace(text)
	if l.note != "" {
		text += " -> " + l.note
	}
	if i := strings.Index(text, " -> woke "); i >= 0 {
		if j := strings.Index(text[i:], " ("); j >= 0 {
			text = text[:i+j]
		}
	}
	if l.Func != "" {
		text = l.Func + ": " + text
	}
	return text
}
