package invariants

import (
	"testing"

	"wqcheck/model"
)

// errGraph is an edgeGraph some of whose states have a step that raised an
// error (and so no edge for it).
type errGraph struct {
	edgeGraph
	erred map[int]bool
}

func (g errGraph) Erred(id int) bool { return g.erred[id] }

// A step that raised an error has no edge, so what follows it is not in
// the graph: work only such a step could still lead to taking is not
// stranded but unknown, and work that no path takes and no path reaches an
// error from is stranded whatever the errors elsewhere.
func TestStrandedPastAnError(t *testing.T) {
	st := &model.Struct{Name: "work"}
	st.Arrays = []*model.Array{{Name: "works", Struct: st, Len: 1}}
	pr := &model.Property{Name: "lost", Text: "x.queued", Items: st.Arrays[0]}
	for _, tc := range []struct {
		name    string
		succ    [][]int32
		pending []uint64 // per state: item 0 pending (1) or not
		erred   map[int]bool
		state   int // the finding's state, -1: none
		unknown bool
	}{
		// 0 -> 1, and 1's only step raised an error: unknown at 0
		{"only-past-error", [][]int32{{1}, {}}, []uint64{1, 1}, map[int]bool{1: true}, 0, true},
		// the same without the error: 1 is where the run stops, and 0 is stranded
		{"no-error", [][]int32{{1}, {}}, []uint64{1, 1}, nil, 0, false},
		// 0 -> 1 (erred), 0 -> 2 -> 3 (stuck, nothing erred from 2 on):
		// 2 is stranded, 0 (shallower) only unknown
		{"stranded-beside-error", [][]int32{{1, 2}, {}, {3}, {}}, []uint64{1, 1, 1, 1}, map[int]bool{1: true}, 2, false},
		// 0 -> 1 takes the item, 0 -> 2 errs with nothing pending: holds
		{"taken", [][]int32{{1, 2}, {}, {}}, []uint64{1, 0, 0}, map[int]bool{2: true}, -1, false},
		// 0 -> 1 -> 0 (a cycle that never takes it), 1 -> 2 (erred):
		// every state reaches the error, so unknown at the first, 0
		{"cycle-to-error", [][]int32{{1}, {0, 2}, {}}, []uint64{1, 1, 1}, map[int]bool{2: true}, 0, true},
	} {
		g := errGraph{edgeGraph{succ: tc.succ, threads: make([][]uint16, len(tc.succ))}, tc.erred}
		for i, s := range tc.succ {
			g.threads[i] = make([]uint16, len(s))
		}
		f := strandedIn(pr, g, func(i int) uint64 { return tc.pending[i] }, nil)
		if f.State != tc.state || f.Unknown != tc.unknown {
			t.Errorf("%s: state %d unknown %v (%q), want state %d unknown %v", tc.name, f.State, f.Unknown, f.Msg, tc.state, tc.unknown)
		}
		if f.State >= 0 && !f.Unknown && (f.Items != 1 || f.Msg != "stranded work: works[0] is pending (x.queued) and no interleaving from here ever takes it") {
			t.Errorf("%s: items %b (%q), want works[0]", tc.name, f.Items, f.Msg)
		}
	}
}
