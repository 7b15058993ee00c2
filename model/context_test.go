package model

import (
	"testing"

	"wqcheck/model/syntax"
)

// The stepping rule, context by context: which context of a CPU keeps
// which other one from stepping. Each row puts one context of CPU 0 in a
// section (or inside its handler) and asks, for a task, a hardirq handler
// and a softirq handler of the same CPU, and a task of CPU 1, whether they
// may step.
func TestSteppingRule(t *testing.T) {
	src := `model rule;
cpus 2;
int x;
thread a() on cpu 0 { x = 1; x = 2; }
thread b() on cpu 0 { x = 3; }
thread far() on cpu 1 { x = 4; }
thread anywhere() unbound { x = 5; }
hardirq thread h() on cpu 0 { x = 6; x = 7; }
softirq thread s() on cpu 0 { x = 8; x = 9; }
`
	p := compileText(t, "rule.wq", src)
	th := map[string]*Thread{}
	for _, x := range p.Threads {
		th[x.Name] = x
	}
	type setup func(s State)
	section := func(name string, c CtxState) setup {
		return func(s State) { p.setCtx(s, th[name], c) }
	}
	inHandler := func(name string, c CtxState) setup {
		return func(s State) { p.setPC(s, th[name], 1); p.setCtx(s, th[name], c) }
	}
	rows := []struct {
		what  string
		setup setup
		// may step: task b, hardirq h, softirq s, task far (CPU 1), unbound
		b, h, s, far, anywhere bool
	}{
		{"nothing", func(State) {}, true, true, true, true, true},
		{"a: preemption off", section("a", CtxState{Preempt: 1}), false, true, true, true, true},
		{"a: interrupts off", section("a", CtxState{IrqOff: true}), false, false, false, true, true},
		{"a: bottom halves off", section("a", CtxState{Bh: 1}), false, true, false, true, true},
		{"h: in its handler", inHandler("h", CtxState{}), false, true, false, true, true},
		{"s: in its handler", inHandler("s", CtxState{}), false, true, true, true, true},
		{"s: in its handler, interrupts off", inHandler("s", CtxState{IrqOff: true}), false, false, true, true, true},
	}
	for _, r := range rows {
		s, _ := p.Initial()
		r.setup(s)
		for name, want := range map[string]bool{"b": r.b, "h": r.h, "s": r.s, "far": r.far, "anywhere": r.anywhere} {
			y, why := p.CPUBlocker(s, th[name])
			if got := y == nil; got != want {
				t.Errorf("%s: %s may step = %v, want %v (blocked by %v: %s)", r.what, name, got, want, y, why)
			}
			// the search agrees with the message
			st := p.NewStepper()
			moved := false
			st.ThreadSuccessors(s, th[name], func(*Succ) { moved = true })
			if moved != want {
				t.Errorf("%s: %s steps = %v in the search, want %v", r.what, name, moved, want)
			}
		}
	}
}

// A thread whose CPU expression reads no state has its CPU fixed once
// (fixCPUs), and one whose expression reads known bits keeps its CPU from
// one state to the next while they stay the same (evalCPU); either way
// the view's CPU is what the expression gives in every reachable state of
// the built-in models (the per-cpu pool with hotplug too, whose workers'
// CPUs change), visited in BFS order by one view. A thread whose fixed CPU
// would be out of range, or whose CPU tells objects apart, is evaluated at
// each step as before.
func TestFixedCPUs(t *testing.T) {
	fixed, kept, evaluated := 0, 0, 0
	settings := []map[string]string{{"UNBOUND": "false", "HOTPLUG": "true", "NR_BUSY": "1", "NR_WORKERS": "2"}}
	eachBuiltin(t, settings, func(name string, p *Program) {
		if p.NCPUs == 0 {
			return
		}
		var c Ctx
		st := p.NewStepper()
		eachState(t, p, func(s State) {
			st.view.compute(st, s)
			for i, th := range p.Threads {
				if th.Kind.CPU == nil || p.Finished(s, th) {
					continue
				}
				c.reset(p, s, nil)
				if got, view := p.cpuOf(&c, th), st.view.cpu[i]; got != int(view) {
					t.Fatalf("%s: %s: the view has CPU %d (fixed %v), its expression gives %d in %v", name, th.Name, view, th.cpuFixed, got, s)
				}
			}
		})
		for _, th := range p.Threads {
			switch {
			case th.cpuFixed:
				fixed++
			case th.Kind.cpuBits != nil:
				kept++
			case th.Kind.CPU != nil:
				evaluated++
			}
		}
	})
	if fixed == 0 || kept == 0 {
		t.Errorf("%d threads with a fixed CPU, %d kept, %d evaluated: the test tests nothing", fixed, kept, evaluated)
	}

	// A constant CPU the model does not have keeps its expression, so that
	// the thread's step reports the error; index(self) reads no state but
	// tells the objects apart, so it is evaluated, for the symmetry watch.
	src := `model far;
cpus 2;
const FAR = 2;
struct obj { bool done; }
obj objs[2];
bool x;
thread near() as "N" on cpu FAR - 1 { x = true; }
thread far() as "F" on cpu FAR { x = false; }
thread t(obj self) for each objs on cpu index(self) { self->done = true; }
`
	p := compileText(t, "far.wq", src)
	for i, th := range p.Threads {
		if want := i == 0; th.cpuFixed != want || want && th.cpu != 1 {
			t.Errorf("%s: fixed %v on CPU %d, want fixed %v (on 1)", th.Name, th.cpuFixed, th.cpu, want)
		}
	}
	s, _ := p.Initial()
	errs := 0
	p.NewStepper().Successors(s, func(sc *Succ) {
		if sc.Err != nil && sc.Thread == 1 {
			errs++
		}
	})
	if errs != 1 {
		t.Errorf("the thread on CPU 2 reported %d errors, want 1", errs)
	}
}

// compileText parses and compiles src, a model file called name.
func compileText(t *testing.T, name, src string) *Program {
	t.Helper()
	f, err := syntax.Parse(name, []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	p, err := Compile(f, map[string][]byte{name: []byte(src)}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}
