package model

import (
	"io/fs"
	"testing"

	"wqcheck/examples"
)

// Locals share slots when their lifetimes do not overlap. No two locals that
// share bits may be live at the same program point in any built-in model:
// that would let one overwrite the other.
func TestNoLiveLocalsShareBits(t *testing.T) {
	names, _ := fs.Glob(examples.FS, "*.wq")
	l := &Loader{Builtin: examples.FS}
	for _, name := range names {
		p, err := l.Load(name[:len(name)-3], Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range p.Kinds {
			for pc, ins := range k.Code {
				for i, a := range ins.live {
					for _, b := range ins.live[i+1:] {
						if a.Off < b.Off+uint32(b.Width) && b.Off < a.Off+uint32(a.Width) {
							t.Errorf("%s: %s pc %d (%s): live locals %s and %s share bits", name, k.Name, pc, ins.Text, a.Name, b.Name)
						}
					}
				}
			}
		}
	}
}

// IrqHeld's fast path (no interrupt handler active: 0 without the CPU
// view) is exact: in every reachable state of every built-in model with
// CPUs (the workqueue per-cpu pool too), it gives what the view gives.
// Some of those states have a handler active, and some hold a thread.
func TestIrqHeldFastPath(t *testing.T) {
	l := &Loader{Builtin: examples.FS}
	active, held := 0, 0
	check := func(name string, opts Options) {
		p, err := l.Load(name, opts)
		if err != nil {
			t.Fatal(err)
		}
		if p.NCPUs == 0 {
			return
		}
		fast, view := p.NewEvaluator(), p.NewEvaluator()
		eachState(t, p, func(s State) {
			got, want := fast.irqHeld(s), view.irqHeldView(s)
			if got != want {
				t.Fatalf("%s: IrqHeld %b, from the view %b", name, got, want)
			}
			if p.anyIrqActive(s) {
				active++
			}
			if want != 0 {
				held++
			}
		})
	}
	for _, n := range l.BuiltinNames() {
		check(n, Options{})
	}
	check("upstream", Options{Set: map[string]string{"UNBOUND": "false"}})
	if active == 0 || held == 0 {
		t.Errorf("%d states with a handler active, %d with a thread held: the test tests nothing", active, held)
	}
}

// eachState calls f on every reachable state of p (at most 200,000).
func eachState(t *testing.T, p *Program, f func(State)) {
	t.Helper()
	init, err := p.Initial()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{string(init.Bytes()): true}
	queue := []State{init}
	st := p.NewStepper()
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		f(s)
		st.Successors(s, func(sc *Succ) {
			if k := string(sc.State.Bytes()); sc.Err == nil && !seen[k] {
				seen[k] = true
				queue = append(queue, sc.State.Clone())
			}
		})
		if len(seen) > 200000 {
			t.Fatalf("%s: more than 200000 states", p.Name)
		}
	}
}
