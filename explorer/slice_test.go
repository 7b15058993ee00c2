package explorer_test

import (
	"testing"

	"wqcheck/explorer"
)

// The slice keeps the violating step and what it depends on: the slice of
// upstream's S11 witness keeps its last step and the kick's wake, and
// leaves out some steps; a deadlock (a condition on the final state) keeps
// the steps that lead into it; stranded work keeps every step.
func TestSlice(t *testing.T) {
	cases := []struct {
		model, prop  string
		keepAll      bool
		kept, elided []int // steps (from 1) that must be kept, must be elided
	}{
		{model: "upstream", prop: "S11-kicked-worker-culled", kept: []int{1, 2, 13}, elided: []int{7, 12}},
		{model: "abba", prop: "deadlock", keepAll: true},
		{model: "lost-work", prop: "lost_work", keepAll: true},
	}
	for _, c := range cases {
		res := explorer.Explore(load(t, c.model, false), explorer.Options{All: true, Symmetry: true})
		var tr *explorer.Trace
		for _, pr := range res.Props {
			if pr.Prop.Name == c.prop {
				tr = pr.Trace
			}
		}
		if tr == nil {
			t.Fatalf("%s: no trace for %s", c.model, c.prop)
		}
		keep := explorer.Slice(res.Program, tr)
		if len(keep) != len(tr.Steps) || !keep[len(keep)-1] {
			t.Fatalf("%s %s: slice %v does not keep the last step", c.model, c.prop, keep)
		}
		for i, k := range keep {
			if c.keepAll && !k {
				t.Errorf("%s %s: step %d elided, want every step kept", c.model, c.prop, i+1)
			}
		}
		for _, s := range c.kept {
			if !keep[s-1] {
				t.Errorf("%s %s: step %d elided, want it kept", c.model, c.prop, s)
			}
		}
		for _, s := range c.elided {
			if keep[s-1] {
				t.Errorf("%s %s: step %d kept, want it elided", c.model, c.prop, s)
			}
		}
	}
}
