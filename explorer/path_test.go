package explorer_test

import (
	"testing"

	"wqcheck/explorer"
	"wqcheck/model"
)

// TestGraphPath: following Graph.Path's successor indexes from the
// initial state reaches the state with that id, in Depth steps.
func TestGraphPath(t *testing.T) {
	p := load(t, "lost-work", false)
	res := explorer.Explore(p, explorer.Options{All: true, KeepGraph: true})
	gr := res.Graph
	st := p.NewStepper()
	for id := 0; id < gr.NumStates(); id++ {
		path := gr.Path(id)
		if len(path) != gr.Depth(id) {
			t.Fatalf("state %d: path of %d steps, depth %d", id, len(path), gr.Depth(id))
		}
		cur, _ := p.Initial()
		for _, k := range path {
			var next model.State
			n := 0
			st.Successors(cur, func(sc *model.Succ) {
				if n == k {
					next = sc.State.Clone()
				}
				n++
			})
			if next == nil {
				t.Fatalf("state %d: no successor %d", id, k)
			}
			cur = next
		}
		if got, ok := gr.Find(cur); !ok || got != id {
			t.Fatalf("state %d: the path leads to state %d (%v)", id, got, ok)
		}
	}
}
