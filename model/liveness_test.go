package model

import (
	"io/fs"
	"testing"
	"testing/fstest"

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
	active, held := 0, 0
	eachBuiltin(t, []map[string]string{{"UNBOUND": "false"}}, func(name string, p *Program) {
		if p.NCPUs == 0 {
			return
		}
		fast, view := p.NewEvaluator(), p.NewEvaluator()
		eachState(t, p, func(s State) {
			got, want := fast.IrqHeld(s), view.irqHeldView(s)
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
	})
	if active == 0 || held == 0 {
		t.Errorf("%d states with a handler active, %d with a thread held: the test tests nothing", active, held)
	}
}

// eachBuiltin calls f on every built-in model, and on upstream with each
// of extra's settings.
func eachBuiltin(t *testing.T, extra []map[string]string, f func(name string, p *Program)) {
	t.Helper()
	l := &Loader{Builtin: examples.FS}
	load := func(name string, o Options) {
		p, err := l.Load(name, o)
		if err != nil {
			t.Fatal(err)
		}
		f(name, p)
	}
	for _, n := range l.BuiltinNames() {
		load(n, Options{})
	}
	for _, set := range extra {
		load("upstream", Options{Set: set})
	}
}

// scan, which computes the per-thread liveness facts in one pass, gives
// what their one-fact definitions give in every reachable state of every
// built-in model (the per-cpu pool too), and each fact is set somewhere.
func TestScanMatches(t *testing.T) {
	var seen [4]uint64
	check := func(name string, p *Program) {
		ev, ref := p.NewEvaluator(), p.NewEvaluator()
		eachState(t, p, func(s State) {
			var m liveMemo
			ev.scan(&m, s)
			got := [4]uint64{m.sections, m.atLock, m.wantsLock, 0}
			want := [4]uint64{ref.sections(s), p.AtLock(s), p.WantsLock(s), 0}
			if m.irqActive {
				got[3] = 1
			}
			if p.anyIrqActive(s) {
				want[3] = 1
			}
			if got != want {
				t.Fatalf("%s: scan gives sections, at-lock, wants-lock, irq-active %x, the definitions %x in %v", name, got, want, s)
			}
			for i := range seen {
				seen[i] |= got[i]
			}
		})
	}
	eachBuiltin(t, []map[string]string{{"UNBOUND": "false"}}, check)
	l := &Loader{Builtin: fstest.MapFS{"scanfacts.wq": {Data: []byte(scanFactsModel)}}}
	for _, o := range []Options{
		{},                  // a fair thread
		{KeepResumes: true}, // and schedule()s that return, TASK_RUNNING, to a lock and to no lock
	} {
		p, err := l.Load("scanfacts", o)
		if err != nil {
			t.Fatal(err)
		}
		check("scanfacts", p)
	}
	for i, m := range seen {
		if m == 0 {
			t.Errorf("fact %d is never set: the test tests nothing for it", i)
		}
	}
}

const scanFactsModel = `model scanfacts;
cpus 2;
struct sleeper { bool done; }
spinlock lock;
bool flag;
sleeper sleepers[1];
thread sleep(sleeper self) for each sleepers as "S{i}" on cpu 0 {
    set_current_state(TASK_UNINTERRUPTIBLE);
    schedule();
    spin_lock(&lock);
    self->done = true;
    spin_unlock(&lock);
    set_current_state(TASK_UNINTERRUPTIBLE);
    schedule();
    flag = true;
}
fair thread waker() as "W" on cpu 1 {
    wake_up_process(&sleepers[0]);
    flag = false;
    wake_up_process(&sleepers[0]);
}
`

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
