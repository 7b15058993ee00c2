package explorer_test

import (
	"fmt"
	"testing"

	"wqcheck/explorer"
	"wqcheck/model"
)

// naiveCount explores p breadth-first over whole states in a Go map, with
// none of the explorer's machinery (fingerprints, parent records, batches,
// workers): the oracle the explorer's state and transition counts are
// compared with. Error steps are transitions that lead to no state.
func naiveCount(t *testing.T, p *model.Program, limit int) (states, transitions int) {
	t.Helper()
	init, err := p.Initial()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{string(init.Bytes()): true}
	queue := []model.State{init}
	st := p.NewStepper()
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		st.Successors(s, func(sc *model.Succ) {
			transitions++
			if sc.Err != nil {
				return
			}
			if k := string(sc.State.Bytes()); !seen[k] {
				seen[k] = true
				queue = append(queue, sc.State.Clone())
			}
		})
		if len(seen) > limit {
			return -1, -1
		}
	}
	return len(seen), transitions
}

// On every built-in model small enough for the oracle, merged and
// fine-grained, the explorer (exact storage, one worker, every property)
// finds the oracle's states and transitions.
func TestExplorerAgreesWithOracle(t *testing.T) {
	for _, name := range loader.BuiltinNames() {
		for _, fine := range []bool{false, true} {
			p := load(t, name, fine)
			want, wantTr := naiveCount(t, p, 100000)
			if want < 0 {
				t.Logf("%s fine=%v: over the oracle's limit, skipped", name, fine)
				continue
			}
			r := explorer.Explore(p, explorer.Options{All: true, Workers: 1, Exact: true})
			if r.Err != nil || !r.Complete {
				t.Fatalf("%s: %v (complete %v)", name, r.Err, r.Complete)
			}
			got := fmt.Sprintf("%d states, %d transitions", r.Stats.States, r.Stats.Transitions)
			if exp := fmt.Sprintf("%d states, %d transitions", want, wantTr); got != exp {
				t.Errorf("%s fine=%v: explorer %s, oracle %s", name, fine, got, exp)
			}
		}
	}
}
