package explorer_test

import (
	"fmt"
	"strings"
	"testing"

	"wqcheck/explorer"
	"wqcheck/model"
)

// lockSummary is what lockdep found: the lock graph's edges with the
// length of each one's shortest trace, and each lockdep verdict with its
// report's kind, classes and depth.
func lockSummary(r *explorer.Result, depths bool) string {
	var b strings.Builder
	if r.LockGraph != nil {
		for _, e := range r.LockGraph.Edges {
			fmt.Fprintf(&b, "%s->%s", r.Program.LockClasses[e.From].Name, r.Program.LockClasses[e.To].Name)
			if depths {
				fmt.Fprintf(&b, "@%d", e.Depth)
			}
			b.WriteString(" ")
		}
	}
	for _, pr := range r.Props {
		if pr.Prop.Kind != model.PropLockdep {
			continue
		}
		fmt.Fprintf(&b, "\n%s %s", pr.Prop.Name, pr.Verdict)
		if l := pr.Lockdep; l != nil {
			fmt.Fprintf(&b, " %s class=%d held=%d", l.Kind, l.Class, l.Held)
			if depths {
				fmt.Fprintf(&b, " depth=%d trace=%d", l.Depth, len(pr.Trace.Steps))
			}
		}
	}
	return b.String()
}

// Every reduction gives the reference's lockdep results: symmetry on or
// off, one or two workers, fingerprints or whole states give the same
// edges (found in the same order, at the same depths) and the same
// reports; fine-grained steps give the same edges and verdicts.
func TestLockdepSameInEveryMode(t *testing.T) {
	names := []string{"abba", "abba-fixed", "lock-cycle", "lock-cycle-fixed", "irq-inversion", "irq-inversion-fixed", "lost-wakeup"}
	type run struct {
		name string
		set  map[string]string
	}
	var runs []run
	for _, n := range names {
		runs = append(runs, run{n, nil})
	}
	runs = append(runs, run{"upstream", map[string]string{"UNBOUND": "true"}}, run{"upstream", map[string]string{"UNBOUND": "false"}})
	for _, rn := range runs {
		p, err := loader.Load(rn.name, model.Options{Set: rn.set})
		if err != nil {
			t.Fatal(err)
		}
		want := lockSummary(explorer.Explore(p, explorer.Options{All: true, Workers: 1, Exact: true}), true)
		for _, o := range []explorer.Options{
			{Workers: 2},
			{Workers: 1, Symmetry: true},
			{Workers: 2, Symmetry: true},
			{Workers: 2, Symmetry: true, Exact: true},
		} {
			o.All = true
			if got := lockSummary(explorer.Explore(p, o), true); got != want {
				t.Errorf("%s %v (workers=%d symmetry=%v exact=%v):\n%s\nreference:\n%s", rn.name, rn.set, o.Workers, o.Symmetry, o.Exact, got, want)
			}
		}
		fine, err := loader.Load(rn.name, model.Options{Set: rn.set, Fine: true})
		if err != nil {
			t.Fatal(err)
		}
		// the fine-grained reference finds the same edges and verdicts
		// (depths differ: its steps are smaller)
		strip := func(s string) string {
			var out []string
			for _, l := range strings.Split(s, "\n") {
				out = append(out, strings.Fields(l)...)
			}
			return strings.Join(out, " ")
		}
		ref := explorer.Explore(p, explorer.Options{All: true, Workers: 1})
		fr := explorer.Explore(fine, explorer.Options{All: true, Workers: 1})
		if got, want := strip(lockSummary(fr, false)), strip(lockSummary(ref, false)); !sameEdgeSet(got, want) {
			t.Errorf("%s %v fine-grained:\n%s\nmerged:\n%s", rn.name, rn.set, got, want)
		}
	}
}

// sameEdgeSet compares two summaries as sets of words (the order edges
// are found in may differ between step granularities).
func sameEdgeSet(a, b string) bool {
	count := map[string]int{}
	for _, w := range strings.Fields(a) {
		count[w]++
	}
	for _, w := range strings.Fields(b) {
		count[w]--
	}
	for _, n := range count {
		if n != 0 {
			return false
		}
	}
	return true
}

// Lockdep's bookkeeping costs nothing when it is off: the same states.
func TestLockdepOffSameStates(t *testing.T) {
	for _, n := range []string{"lock-cycle", "irq-inversion", "upstream"} {
		on, err := loader.Load(n, model.Options{})
		if err != nil {
			t.Fatal(err)
		}
		off, err := loader.Load(n, model.Options{NoLockdep: true})
		if err != nil {
			t.Fatal(err)
		}
		a := explorer.Explore(on, explorer.Options{All: true})
		b := explorer.Explore(off, explorer.Options{All: true})
		if a.Stats.States != b.Stats.States || a.Stats.Transitions != b.Stats.Transitions {
			t.Errorf("%s: %d states, %d transitions with lockdep, %d and %d without", n, a.Stats.States, a.Stats.Transitions, b.Stats.States, b.Stats.Transitions)
		}
		if off.Lockdep() || b.LockGraph != nil {
			t.Errorf("%s: lockdep properties or a lock graph with NoLockdep", n)
		}
	}
}
