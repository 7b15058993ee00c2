package invariants

import (
	"testing"

	"wqcheck/model"
)

// edgeGraph is a Graph of real states given by its edges: per state, the
// targets and the thread that takes each.
type edgeGraph struct {
	succ    [][]int32
	threads [][]uint16
}

func (g edgeGraph) NumStates() int                     { return len(g.succ) }
func (g edgeGraph) Succ(id int) []int32                { return g.succ[id] }
func (g edgeGraph) SuccPerm(int) []uint16              { return nil }
func (g edgeGraph) MapItems(_ uint16, m uint64) uint64 { return m }
func (g edgeGraph) SuccThread(id int) []uint16         { return g.threads[id] }
func (g edgeGraph) Quotient() bool                     { return false }
func (g edgeGraph) Moved(int, int) bool                { return false }
func (g edgeGraph) RenameThread(_, _, t int) int       { return t }
func (g edgeGraph) EdgeFair(int, int) uint8            { return 0 }
func (g edgeGraph) Erred(int) bool                     { return false }

// threadLiveOn returns lockup's or starvation's check (idle) over two
// threads, with thread 0 at a lock in every one of n states (its
// predicate and its strong fairness both hold there).
func threadLiveOn(n int, idle bool) *threadLive {
	p := &model.Program{Threads: []*model.Thread{{Label: "t0"}, {Label: "t1", Index: 1}}}
	c := newThreadLive(p, &model.Property{Name: "p"}, nil, idle)
	c.Grow(n)
	for v := range n {
		c.m.set(v, 1)
		c.facts.locks.set(v, 1)
	}
	return c
}

// A thread at a lock in every state of a cycle is starving only if it
// never steps in it: each of its steps is the acquisition. On the cycle
// where thread 0 goes 0 -> 1 -> 0 (taking the lock each time) while thread
// 1 loops in place, the product for starvation leaves out thread 0's own
// steps, and what is left is not fair to it (it could take the free lock
// and never does); the same cycle with its steps is a fair cycle, as
// lockup, which keeps them, sees it.
func TestStarvationLeavesOutTheThreadsOwnSteps(t *testing.T) {
	g := edgeGraph{
		succ:    [][]int32{{1, 0}, {0, 1}},
		threads: [][]uint16{{0, 1}, {0, 1}},
	}
	if f, ok := threadLiveOn(2, true).Analyze(g, nil); ok {
		t.Errorf("starvation: %+v, want none: thread 0 takes the lock on every step of its own", f)
	}
	f, ok := threadLiveOn(2, false).Analyze(g, nil)
	if !ok || f.Thread != 0 || f.Lasso == nil {
		t.Errorf("without leaving out its steps: %+v %v, want a fair cycle of thread 0", f, ok)
	}
}

// A thread that waits at a lock it can never take (no step of its own: the
// lock stays held) while another runs is starving.
func TestStarvationOfAThreadThatNeverSteps(t *testing.T) {
	g := edgeGraph{
		succ:    [][]int32{{1}, {0}},
		threads: [][]uint16{{1}, {1}},
	}
	f, ok := threadLiveOn(2, true).Analyze(g, nil)
	if !ok || f.Thread != 0 || f.Lasso == nil || len(f.Lasso.Path) != 2 {
		t.Fatalf("starvation: %+v %v, want thread 0 starving on the 2-step cycle of thread 1", f, ok)
	}
}
