package model

import (
	"fmt"
	"testing"
)

// firstErr searches p breadth-first for the first successor that raises a
// step error, with the stepper recording (or not) what each step ran.
func firstErr(t *testing.T, p *Program, record bool) *Succ {
	t.Helper()
	init, err := p.Initial()
	if err != nil {
		t.Fatal(err)
	}
	st := p.NewStepper()
	st.Record = record
	seen := map[string]bool{fmt.Sprint(init): true}
	queue := []State{init}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		var found *Succ
		st.Successors(s, func(sc *Succ) {
			if sc.Err != nil && found == nil {
				c := *sc
				c.Log = append([]int(nil), sc.Log...)
				found = &c
			}
			if k := fmt.Sprint(sc.State); sc.Err == nil && !seen[k] {
				seen[k] = true
				queue = append(queue, sc.State.Clone())
			}
		})
		if found != nil {
			return found
		}
	}
	t.Fatal("no step error")
	return nil
}

// StepError.At names the instruction whose execution raised the error,
// when the stepper records: the step's last logged instruction. An error
// raised by no instruction (a check at the step's end; a statement refused
// before it runs) has At 0, and so has every error when nothing records.
func TestStepErrorAt(t *testing.T) {
	cases := []struct {
		name, src string
		at        string // the faulting instruction's text, "" for At 0
	}{
		{"div", "model div;\nint<0..3> d;\nint<0..3> x;\nthread t() {\n    x = 1;\n    x = 6 / d;\n}\n", "x = 6 / d;"},
		// the field becomes live again in a step that did not write it:
		// settled at the step's end
		{"stale", "model stale;\nstruct item { ghost bool old live_when(self in waiting); }\nlist<item> waiting;\nitem items[1];\n" +
			"thread user(item self) for each items {\n    list_add(self, &waiting);\n    self->old = true;\n" +
			"    list_del(self, &waiting);\n    list_add(self, &waiting);\n}\n", ""},
		{"sleepy", "model sleepy;\ncpus 1;\nmutex m;\nthread t() on cpu 0 {\n    preempt_disable();\n    mutex_lock(&m);\n    mutex_unlock(&m);\n    preempt_enable();\n}\n", ""},
	}
	for _, c := range cases {
		p := compileText(t, c.name+".wq", c.src)
		sc := firstErr(t, p, true)
		code := p.Threads[sc.Thread].Kind.Code
		if c.at == "" {
			if sc.Err.At != 0 {
				t.Errorf("%s: %q: At %d, want 0", c.name, sc.Err.Msg, sc.Err.At)
			}
			continue
		}
		if sc.Err.At == 0 || len(sc.Log) == 0 || sc.Err.At != sc.Log[len(sc.Log)-1]+1 || sc.Err.At > len(code) || code[sc.Err.At-1].Text != c.at {
			t.Errorf("%s: %q: At %d, log %v; want the logged %q", c.name, sc.Err.Msg, sc.Err.At, sc.Log, c.at)
		}
		if sc := firstErr(t, p, false); sc.Err.At != 0 {
			t.Errorf("%s: not recording, At %d, want 0", c.name, sc.Err.At)
		}
	}
}
