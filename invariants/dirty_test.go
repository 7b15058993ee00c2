package invariants_test

import (
	"math/bits"
	"testing"

	"wqcheck/explorer"
	"wqcheck/invariants"
	"wqcheck/model"
)

// Dirty, step by step: a step dirties the invariants that read what it
// wrote (a global, a field of one object of an array a quantifier reads
// whole, a task state that task_state() reads, a pc that finished()
// reads), not the others; task_curr() reads everything; what failed in
// the source stays dirty.
func TestDirtySets(t *testing.T) {
	p := compile(t, `model d;
cpus 1;
struct obj { bool f; int<0..3> g; }
obj objs[3];
int<0..3> a;
int<0..3> b;
int<0..3> d;
thread ta() unbound { a = 1; }
thread tb() unbound { objs[2].g = 1; }
thread tc() unbound { b = 1; }
thread td() unbound { d = 1; d = 2; }
invariant A: a < 3;
invariant B: b < 3;
invariant G: forall o in objs: o.g < 3;
invariant F: forall o in objs: !o.f;
invariant T: task_state(tc) != TASK_IDLE;
invariant C: task_curr(tc) || !task_curr(tc);
invariant D: d < 3;
invariant P: !finished(ta) || a == 1;`)
	const (
		A = 1 << iota
		B
		G
		F
		T
		C
		D
		P
	)
	su := invariants.NewSuite(p)
	init, err := p.Initial()
	if err != nil {
		t.Fatal(err)
	}
	// ta, tb and tc exit (their task state becomes TASK_DEAD), td does not
	// yet: only its pc and d change
	want := map[string]uint64{"ta": A | T | C | P, "tb": G | T | C | P, "tc": B | T | C | P, "td": D | C | P}
	n := 0
	p.NewStepper().Successors(init, func(sc *model.Succ) {
		name := p.Threads[sc.Thread].Name
		n++
		if got := dirtyOnly(su, init, sc.State, 0); got != want[name] {
			t.Errorf("step of %s: dirty %08b, want %08b", name, got, want[name])
		}
		if got := dirtyOnly(su, init, sc.State, F); got != want[name]|F {
			t.Errorf("step of %s from a source failing F: dirty %08b, want %08b", name, got, want[name]|F)
		}
	})
	if n != 4 {
		t.Fatalf("%d steps, want 4", n)
	}
	if got := dirtyOnly(su, init, init, 0); got != C {
		t.Errorf("no change: dirty %08b, want only C, which reads everything", got)
	}
	var fails []invariants.Failure
	for i, pr := range p.Props {
		if pr.Name == "G" || pr.Name == "T" || pr.Kind != model.PropInvariant {
			fails = append(fails, invariants.Failure{Prop: i})
		}
	}
	if got := su.FailedSet(fails); got != G|T {
		t.Errorf("FailedSet %08b, want G and T", got)
	}
}

// A property that reads a live_when field reads what its condition reads:
// the read checks that the field is live (a runtime error where it is
// not). A step that writes only the condition's global dirties it.
func TestDirtySetsDeadField(t *testing.T) {
	p := compile(t, `model lw;
struct obj { int<0..3> v live_when(on); }
obj objs[1];
bool on;
init { on = true; }
thread ta() { on = false; }
invariant V: objs[0].v == 0;`)
	su := invariants.NewSuite(p)
	init, err := p.Initial()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	p.NewStepper().Successors(init, func(sc *model.Succ) {
		n++
		if got := dirtyOnly(su, init, sc.State, 0); got != 1 {
			t.Errorf("dirty %b, want V's bit: its read checks on", got)
		}
	})
	if n != 1 {
		t.Fatalf("%d steps, want 1", n)
	}
	// and the search finds the read of the dead field, as the full check
	if v := verdict(t, p, "V"); v.Verdict != explorer.Violated || len(v.Trace.Steps) != 1 {
		t.Errorf("V is %s: the read of a dead field after the step went unnoticed", v.Verdict)
	}
}

// Changed's whole-graph set, step by step: a step changes the stranded-work
// and liveness properties that read what it wrote, and not the others
// (their records are then inherited from the source); and the state set
// found in the same pass dirties the invariant that the step wrote.
func TestChangedGraphSets(t *testing.T) {
	p := compile(t, `model g;
struct item { bool pending; bool done; }
item items[2];
int<0..3> a;
int<0..3> b;
thread ta() { a = 1; }
thread tb() { items[1].done = true; }
thread tc() { b = 1; }
invariant A: a < 3;
stranded S: x in items pending x.pending;
liveness L: forall x in items: x.pending ~> x.done;
liveness E: eventually b == 1;`)
	su := invariants.NewSuite(p)
	checks, props := su.GraphChecks()
	bit := map[string]uint64{}
	var ours uint64 // (lockup and starvation are whole-graph properties too, and do not inherit)
	for k, i := range props {
		name := p.Props[i].Name
		bit[name] = 1 << k
		if name == "S" || name == "L" || name == "E" {
			ours |= 1 << k
			if _, ok := checks[k].(invariants.Inheriting); !ok {
				t.Errorf("%s does not inherit", name)
			}
		}
	}
	init, err := p.Initial()
	if err != nil {
		t.Fatal(err)
	}
	// (every thread's step also ends it: none of them reads finished())
	want := map[string]uint64{"ta": 0, "tb": bit["L"], "tc": bit["E"]}
	n := 0
	states := map[string]uint64{}
	p.NewStepper().Successors(init, func(sc *model.Succ) {
		name := p.Threads[sc.Thread].Name
		n++
		dirty, graph := su.Changed(init, sc.State, 0)
		if graph &= ours; graph != want[name] {
			t.Errorf("step of %s: whole-graph set %04b, want %04b", name, graph, want[name])
		}
		states[name] = dirty
	})
	if n != 3 {
		t.Fatalf("%d steps, want 3", n)
	}
	// the state set in the same pass: ta's step dirties A (it reads a) on
	// top of what every step dirties; tb's and tc's dirty no more than that
	if extra := states["ta"] &^ states["tb"]; states["tb"] != states["tc"] ||
		states["tb"]&^states["ta"] != 0 || bits.OnesCount64(extra) != 1 {
		t.Errorf("state sets: ta %b, tb %b, tc %b; want tb = tc, and ta = tb and A", states["ta"], states["tb"], states["tc"])
	}
}

// dirtyOnly is Changed's state properties alone.
func dirtyOnly(su *invariants.Suite, was, s model.State, failed uint64) uint64 {
	d, _ := su.Changed(was, s, failed)
	return d
}
