package graphs_test

import (
	"slices"
	"strings"
	"testing"

	"wqcheck/explorer"
	"wqcheck/graphs"
)

// TestTraceLanes: each step is in its thread's lane; sliced, the kept
// steps are explorer.Slice's, each with brief text; unsliced, every step is
// kept; a step's full text is every statement check --full prints.
func TestTraceLanes(t *testing.T) {
	// upstream's S11 witness: the slice keeps 13 of its 29 steps
	for _, name := range []string{"lost-wakeup", "abba", "lost-work", "upstream"} {
		p, tr := firstTrace(t, name)
		keep := explorer.Slice(p, tr)
		for _, slice := range []bool{true, false} {
			ln := graphs.TraceLanes(p, tr, false, slice)
			if len(ln.Steps) != len(tr.Steps) {
				t.Fatalf("%s: %d lane steps for %d steps", name, len(ln.Steps), len(tr.Steps))
			}
			for i, st := range ln.Steps {
				if !strings.HasPrefix(ln.Labels[st.Lane], tr.Steps[i].Thread.Label) {
					t.Errorf("%s step %d of %s is in lane %q", name, i+1, tr.Steps[i].Thread.Label, ln.Labels[st.Lane])
				}
				if st.Kept != (keep[i] || !slice) || st.Kept != (len(st.Brief) > 0) {
					t.Errorf("%s step %d (slice %v): kept %v, brief %q; Slice keeps it: %v", name, i+1, slice, st.Kept, st.Brief, keep[i])
				}
				var full []string
				for _, l := range graphs.StepLines(&tr.Steps[i]) {
					full = append(full, l.Text)
				}
				var got []string
				for _, l := range st.Full {
					got = append(got, l.Text)
				}
				if !slices.Equal(got, full) {
					t.Errorf("%s step %d: full %q, want %q", name, i+1, got, full)
				}
			}
		}
	}
}
