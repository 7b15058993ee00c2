package invariants

import (
	"testing"

	"wqcheck/model"
)

// ring is a Graph of n states in a cycle, each stepped by thread 0.
type ring struct{ n int }

func (r ring) NumStates() int                     { return r.n }
func (r ring) Succ(id int) []int32                { return []int32{int32((id + 1) % r.n)} }
func (r ring) SuccPerm(int) []uint16              { return nil }
func (r ring) MapItems(_ uint16, m uint64) uint64 { return m }
func (r ring) SuccThread(int) []uint16            { return []uint16{0} }
func (r ring) Quotient() bool                     { return false }
func (r ring) Moved(int, int) bool                { return false }
func (r ring) RenameThread(_, _, t int) int       { return t }
func (r ring) EdgeFair(int, int) uint8            { return 0 }
func (r ring) Erred(int) bool                     { return false }

// ringChecks are the whole-graph analyses on a ring of n: stranded work
// with nothing pending (each of its passes visits every state), a thread
// in a section for ever and a leads-to whose Q never holds (both failing
// on the whole ring).
func ringChecks(t *testing.T, n int) map[string]GraphCheck {
	t.Helper()
	p := &model.Program{Threads: []*model.Thread{{Label: "t0"}}}
	pr := &model.Property{Name: "s"}
	st := &stranded{prop: pr, m: newMasks(1)}
	lock := newThreadLive(p, pr, nil, false)
	live := newLeadsTo(p, pr)
	for _, c := range []GraphCheck{st, lock, live} {
		c.Grow(n)
	}
	for i := range n {
		lock.m.set(i, 1)
		live.from.set(i, 1)
	}
	return map[string]GraphCheck{"stranded": st, "lockup": lock, "leads-to": live}
}

// An analysis polls Stop as it starts and then every pollEvery steps of
// its loops, and returns Stopped at the first poll that says stop: a
// bound or a signal that comes in the middle of a long analysis ends it
// within a few thousand steps, and nothing is decided.
func TestAnalysesStopInTheirLoops(t *testing.T) {
	const n = 50_000
	for name, c := range ringChecks(t, n) {
		f, ok := c.Analyze(ring{n}, nil)
		if f.Stopped || ok != (name != "stranded") {
			t.Fatalf("%s, never stopped: %+v %v", name, f, ok)
		}
		for _, at := range []int{1, 2, 3} { // the poll at the start, then in the loops
			calls := 0
			stop := func() bool { calls++; return calls >= at }
			f, ok := c.Analyze(ring{n}, stop)
			if !ok || !f.Stopped || f.Lasso != nil || f.Msg != "" {
				t.Errorf("%s, stopped at poll %d: %+v %v, want Stopped and nothing decided", name, at, f, ok)
			}
			if calls != at {
				t.Errorf("%s: Stop called %d times, want %d: the analysis went on after it said stop", name, calls, at)
			}
		}
	}
}
