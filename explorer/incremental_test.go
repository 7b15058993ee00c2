package explorer_test

import (
	"fmt"
	"slices"
	"testing"

	"wqcheck/explorer"
	"wqcheck/model"
)

// fullSummary is summary with how the search ended and what each trace
// says at its end.
func fullSummary(r *explorer.Result) string {
	s := fmt.Sprintf("complete=%v stopped=%q err=%v\n%s", r.Complete, r.Stopped, r.Err, summary(r))
	for _, pr := range r.Props {
		if pr.Trace != nil {
			s += fmt.Sprintf("%s: %d steps: %s\n", pr.Prop.Name, len(pr.Trace.Steps), pr.Trace.Msg)
		}
	}
	return s
}

// The incremental checks change nothing: on every case, with and without
// symmetry and All, one worker and two, the same counts, verdicts,
// shortest traces and messages as the full check; the verifying mode
// (every property evaluated, the search failing when one a dirty set left
// out fails) finds nothing.
func TestIncrementalChecksAgree(t *testing.T) {
	alls, workersList := []bool{true, false}, []int{1, 2}
	if !long(t, "the incremental checks stopping at the first violation (All=false), and on one worker") {
		// the two-worker search's ids and traces are the one-worker
		// search's (modes_test.go), so two workers stand for both
		alls, workersList = alls[:1], workersList[1:]
	}
	for _, c := range checkCases(t) {
		for _, sym := range []bool{false, true} {
			for _, all := range alls {
				o := explorer.Options{All: all, Workers: 1, Symmetry: sym}
				name := fmt.Sprintf("%s symmetry=%v all=%v", c.name, sym, all)
				want := fullSummary(explorer.Explore(c.p, explorer.WithoutIncremental(o)))
				for _, workers := range workersList {
					o.Workers = workers
					if got := fullSummary(explorer.Explore(c.p, o)); got != want {
						t.Errorf("%s workers=%d: incremental checks differ from the full check:\n%s\n--- full ---\n%s", name, workers, got, want)
					}
				}
				if r := explorer.Explore(c.p, explorer.VerifyingIncremental(o)); r.Err != nil {
					t.Errorf("%s: %v", name, r.Err)
				}
			}
		}
	}
}

// Every state where a property fails is found failing it: with the graph
// kept (each state's failing properties, first or not), the incremental
// checks and the full check agree state by state.
func TestIncrementalChecksFailSameStates(t *testing.T) {
	for _, c := range checkCases(t) {
		o := explorer.Options{All: true, KeepGraph: true}
		ref := explorer.Explore(c.p, explorer.WithoutIncremental(o))
		got := explorer.Explore(c.p, o)
		if ref.Graph.NumStates() != got.Graph.NumStates() {
			t.Fatalf("%s: %d states, the full check %d", c.name, got.Graph.NumStates(), ref.Graph.NumStates())
		}
		failing := 0
		for id := range ref.Graph.NumStates() {
			if a, b := got.Graph.Failing(id), ref.Graph.Failing(id); !slices.Equal(a, b) {
				t.Fatalf("%s: state %d fails %v, with the full check %v", c.name, id, a, b)
			}
			failing += len(ref.Graph.Failing(id))
		}
		t.Logf("%s: %d states, %d failures", c.name, ref.Graph.NumStates(), failing)
	}
}

// Large enough for the parallel insert (more than 65,536 states, two
// workers), with an invariant failing in many states (All): the same as
// the full check on one worker, and the verifying mode finds nothing.
func TestIncrementalChecksParallelInsert(t *testing.T) {
	if testing.Short() || !long(t, "the incremental checks through the parallel insert") {
		t.Skip("-short, or no WQCHECK_LONG")
	}
	set := brokenSettings(t, "../testdata/broken/die-not-set.wq")
	// (per-cpu, 3 items: about 271,000 states since time is read lazily;
	// unbound fell below the 100,000 states the test needs)
	set["NR_WORKS"], set["UNBOUND"] = "3", "false"
	p, err := loader.Load("../testdata/broken/die-not-set.wq", model.Options{Set: set})
	if err != nil {
		t.Fatal(err)
	}
	o := explorer.Options{All: true, Workers: 1}
	ref := explorer.Explore(p, explorer.WithoutIncremental(o))
	if s2 := verdicts(ref)["S2-idle-consistent"]; ref.Stats.States < 100000 || s2 != explorer.Violated {
		t.Fatalf("%d states, S2 %s: not the case this test needs", ref.Stats.States, s2)
	}
	o.Workers = 2
	if got, want := fullSummary(explorer.Explore(p, o)), fullSummary(ref); got != want {
		t.Errorf("two workers, incremental checks:\n%s\n--- full, one worker ---\n%s", got, want)
	}
	if r := explorer.Explore(p, explorer.VerifyingIncremental(o)); r.Err != nil {
		t.Error(r.Err)
	}
}

// The tests above can fail: with dirty sets that leave out what a step
// changed (only a source's failures are evaluated again), the verifying
// mode reports a skipped property failing, and the results differ.
func TestIncrementalChecksCatchWrongDirtySets(t *testing.T) {
	p, err := loader.Load("../testdata/broken/die-not-set.wq", model.Options{Set: brokenSettings(t, "../testdata/broken/die-not-set.wq")})
	if err != nil {
		t.Fatal(err)
	}
	o := explorer.Options{All: true, Workers: 1}
	if r := explorer.Explore(p, explorer.VerifyingIncremental(explorer.IgnoringChanges(o))); r.Err == nil {
		t.Error("the verifying mode did not see a wrong dirty set")
	}
	if fullSummary(explorer.Explore(p, explorer.IgnoringChanges(o))) == fullSummary(explorer.Explore(p, explorer.WithoutIncremental(o))) {
		t.Error("wrong dirty sets gave the full check's results")
	}
}
