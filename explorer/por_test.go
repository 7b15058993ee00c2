package explorer_test

import (
	"fmt"
	"testing"

	"wqcheck/explorer"
	"wqcheck/model"
)

// porCase is one model searched with and without partial-order reduction.
type porCase struct {
	name string
	p    *model.Program
}

// porCases are every built-in model, merged, without liveness (which turns
// the reduction off), and the reduction's own test models; with
// WQCHECK_LONG, the workqueue variants per-cpu too, and every model
// fine-grained.
func porCases(t *testing.T) []porCase {
	var cs []porCase
	add := func(name string, opts model.Options) {
		opts.NoLiveness = true
		p, err := loader.Load(name, opts)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		cs = append(cs, porCase{fmt.Sprintf("%s %v fine=%v", name, opts.Set, opts.Fine), p})
	}
	longRun := long(t, "partial-order reduction on the fine-grained models and per-cpu variants")
	for _, name := range append(loader.BuiltinNames(), "../testdata/por/independent.wq", "../testdata/por/race.wq") {
		if testing.Short() && (loader.BuiltinFolder(name) != "" || isWorkqueueVariant(name)) {
			continue
		}
		add(name, model.Options{})
		if longRun {
			add(name, model.Options{Fine: true})
			if isWorkqueueVariant(name) {
				add(name, model.Options{Set: map[string]string{"UNBOUND": "false"}})
			}
		}
	}
	return cs
}

// Partial-order reduction gives the reference's verdict for every property
// (the reduced search itself, before any search again), never more states,
// the same states and traces for any number of workers, and, through
// Explore, the reference's shortest counterexample lengths.
func TestPORAgreesWithReference(t *testing.T) {
	for _, c := range porCases(t) {
		for _, sym := range []bool{false, true} {
			name := fmt.Sprintf("%s symmetry=%v", c.name, sym)
			ref := explorer.Explore(c.p, explorer.Options{All: true, Workers: 1, Symmetry: sym})
			red := explorer.Explore(c.p, explorer.Options{All: true, Workers: 1, Symmetry: sym, POR: true, PORNoResearch: true})
			if ref.Err != nil || red.Err != nil {
				t.Fatalf("%s: %v / %v", name, ref.Err, red.Err)
			}
			if red.Stats.POR != "on" {
				t.Fatalf("%s: reduction not used: %q", name, red.Stats.POR)
			}
			if fmt.Sprint(verdicts(ref)) != fmt.Sprint(verdicts(red)) {
				t.Errorf("%s: verdicts differ\nreference: %v\nreduced:   %v", name, verdicts(ref), verdicts(red))
			}
			if red.Stats.States > ref.Stats.States {
				t.Errorf("%s: the reduced search stored %d states, the reference %d", name, red.Stats.States, ref.Stats.States)
			}
			two := explorer.Explore(c.p, explorer.Options{All: true, Workers: 2, Symmetry: sym, POR: true, PORNoResearch: true})
			if summary(two) != summary(red) {
				t.Errorf("%s: two workers differ from one:\n%s\n---\n%s", name, summary(two), summary(red))
			}
			full := explorer.Explore(c.p, explorer.Options{All: true, Workers: 2, Symmetry: sym, POR: true})
			if got, want := traceLengths(full), traceLengths(ref); got != want {
				t.Errorf("%s: shortest lengths differ: %s, reference %s", name, got, want)
			}
		}
	}
}

func traceLengths(r *explorer.Result) string {
	s := ""
	for _, pr := range r.Props {
		if pr.Trace != nil {
			s += fmt.Sprintf("%s:%d ", pr.Prop.Name, len(pr.Trace.Steps))
		}
	}
	return s
}

// Threads that share nothing are not interleaved where a property cannot
// tell: three counters on three CPUs, one of them read by an invariant.
// Fine-grained, so that each write is a step (merged, tb's and tc's
// counters are thread-local and their writes quiet movers: fewer steps).
func TestPORReduces(t *testing.T) {
	p, err := loader.Load("../testdata/por/independent.wq", model.Options{NoLiveness: true, Fine: true})
	if err != nil {
		t.Fatal(err)
	}
	ref := explorer.Explore(p, explorer.Options{All: true})
	red := explorer.Explore(p, explorer.Options{All: true, POR: true})
	if ref.Stats.States != 64 {
		t.Fatalf("the reference has %d states, want 4*4*4", ref.Stats.States)
	}
	if red.Stats.States*2 > ref.Stats.States || red.Stats.PORReduced == 0 {
		t.Errorf("reduced search: %d states (%d expansions reduced), reference %d", red.Stats.States, red.Stats.PORReduced, ref.Stats.States)
	}
	// with liveness the search does not reduce, and says why
	q, err := loader.Load("../testdata/por/independent.wq", model.Options{Fine: true})
	if err != nil {
		t.Fatal(err)
	}
	if r := explorer.Explore(q, explorer.Options{All: true, POR: true}); r.Stats.POR == "on" || r.Stats.States != 64 {
		t.Errorf("with liveness: POR %q, %d states", r.Stats.POR, r.Stats.States)
	}
}

// A reduced search big enough for the parallel insert (more than 65,536
// states): its own trace replays to its violation, and one worker (serial
// insert) and two (parallel) give the same states, ids and trace. (That
// the parent records name each state's step among all its source's
// successors is TestParallelInsertIsSerialInsert's.)
func TestPORTracesReplayLarge(t *testing.T) {
	if !long(t, "a reduced search of 100,000 states") {
		return
	}
	p, err := loader.Load("../testdata/por/deep.wq", model.Options{NoLiveness: true, Fine: true})
	if err != nil {
		t.Fatal(err)
	}
	r := explorer.Explore(p, explorer.Options{Workers: 2, POR: true, PORNoResearch: true})
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	if r.Stats.States < 100000 || r.Stats.PORReduced == 0 {
		t.Fatalf("%d states, %d reduced expansions: too small to test", r.Stats.States, r.Stats.PORReduced)
	}
	// one worker inserts serially, two in parallel: the same states, ids
	// and trace
	if one := explorer.Explore(p, explorer.Options{Workers: 1, POR: true, PORNoResearch: true}); summary(one) != summary(r) {
		t.Errorf("one worker and two differ:\n%s\n---\n%s", summary(one), summary(r))
	}
	i := p.Prop("sum-small")
	for k, pr := range r.Props {
		if pr.Prop != i {
			continue
		}
		if pr.Trace == nil {
			t.Fatal("sum-small: no trace")
		}
		if ok, msg := explorer.Reproduces(p, pr.Trace, k); !ok {
			t.Errorf("the reduced search's trace does not reproduce: %s", msg)
		}
	}
}
