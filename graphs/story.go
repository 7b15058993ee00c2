package graphs

import (
	"fmt"
	"slices"
	"strings"

	"wqcheck/explorer"
	"wqcheck/model"
)

// Story tells a brief trace in words, from what the trace records: who
// woke a thread, among the steps the violation depends on, that then did
// not run again or exited, and where the violation happened and what it
// is. It says only what the steps show; "" when they show nothing to tell.
func Story(p *model.Program, tr *explorer.Trace, keep []bool) string {
	var parts []string
	for i := range tr.Steps {
		if !keep[i] {
			continue
		}
		st := &tr.Steps[i]
		for k, n := range st.Notes {
			if n.Kind != model.NoteWake || n.Woken == nil {
				continue
			}
			if s := wakeStory(tr, i, st.Thread, st.Instrs[k].Func, n.Woken); s != "" {
				parts = append(parts, s)
			}
		}
	}
	for _, e := range exitStory(tr, keep) {
		// a wake's story may have told it already ("...; W2 exited at step 23")
		if !slices.ContainsFunc(parts, func(p string) bool { return strings.HasSuffix(p, "; "+e) }) {
			parts = append(parts, e)
		}
	}
	what := ViolationText(tr)
	if tr.Prop.Desc == "" && !strings.HasPrefix(what, tr.Prop.Name+":") {
		what = tr.Prop.Name + ": " + what
	}
	if n := len(tr.Steps); n > 0 && tr.FailStep {
		st := &tr.Steps[n-1]
		where := ""
		if f := lastFunc(st); f != "" {
			where = " in " + f + "()"
		}
		parts = append(parts, fmt.Sprintf("At step %d %s%s broke %s", n, st.Thread.Label, where, what))
	} else if tr.Msg != "" {
		parts = append(parts, fmt.Sprintf("At the end (step %d), %s", len(tr.Steps), what))
	}
	if len(parts) == 0 {
		return ""
	}
	return strings.Join(parts, ". ") + "."
}

// wakeStory: "queue_work (E0), in kick_pool(), woke kworker W2 at step 2;
// kworker W2 did not run again" (or "...; it exited at step 40").
func wakeStory(tr *explorer.Trace, i int, waker *model.Thread, fn string, woken *model.Thread) string {
	where := ""
	if fn != "" && fn != waker.Kind.Name {
		where = ", in " + fn + "(),"
	}
	s := fmt.Sprintf("%s%s woke %s at step %d", waker.Label, where, woken.Label, i+1)
	ran, exited := 0, 0
	for j := i + 1; j < len(tr.Steps); j++ {
		if tr.Steps[j].Thread != woken {
			continue
		}
		ran++
		for _, ins := range tr.Steps[j].Instrs {
			if ins.Op == model.OpExit {
				exited = j + 1
			}
		}
	}
	switch {
	case exited > 0:
		return s + fmt.Sprintf("; %s exited at step %d", woken.Label, exited)
	case ran == 0:
		return s + fmt.Sprintf("; %s did not run again before the end", woken.Label)
	}
	return "" // it woke and went on: nothing to tell

}

// lastFunc is the function of a step's last wake-up or warn_on shown, or
// of its last statement shown.
func lastFunc(st *explorer.Step) string {
	ls := StepLines(st)
	for k := len(ls) - 1; k >= 0; k-- {
		if ls[k].op == model.OpWake || ls[k].op == model.OpWarn {
			return ls[k].Func
		}
	}
	if len(ls) == 0 {
		return ""
	}
	return ls[len(ls)-1].Func
}

// exitStory: the exits, among the kept steps, of threads a later step's
// note names ("kworker W2 exited at step 47").
func exitStory(tr *explorer.Trace, keep []bool) []string {
	var out []string
	for i := range tr.Steps {
		st := &tr.Steps[i]
		if !keep[i] || !slices.ContainsFunc(st.Instrs, func(ins *model.Instr) bool { return ins.Op == model.OpExit }) {
			continue
		}
		for j := i + 1; j < len(tr.Steps); j++ {
			if named(tr.Steps[j].Notes, st.Thread) {
				out = append(out, fmt.Sprintf("%s exited at step %d", st.Thread.Label, i+1))
				break
			}
		}
	}
	return out
}

func named(notes map[int]model.Note, t *model.Thread) bool {
	for _, n := range notes {
		if strings.Contains(n.Text, t.Label+" ") || strings.HasSuffix(n.Text, t.Label) {
			return true
		}
	}
	return false
}
