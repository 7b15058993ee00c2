package explorer

import (
	"fmt"

	"wqcheck/invariants"
	"wqcheck/model"
)

// Incremental checks: phase 3 evaluates in a new state only the state
// properties (invariants) that may have changed since the state it was
// found from (its source: phase 2 keeps, per new state, the source of the
// successor it numbered, search.src). Its dirty set is the properties
// that failed in the source, and those that read a bit where the new
// state (its representative, under symmetry) differs from the source's
// vector (invariants.Suite.Dirty; model.StateBits says which bits a
// property reads). Every other property held in the source and would be
// evaluated along the same path in the new state: same value, same
// runtime errors, same symmetry-watch hits. So the same failures are found
// in the same states, and counts, verdicts and traces are those of the
// full check (TestIncrementalChecksAgree).
//
// The new state is compared with the source vector it was computed from
// and the representative stored, not with the successor before
// canonicalisation: that a property takes the same value in a state and
// its representative is what the symmetry watch checks as the search runs
// (a property that tells objects apart hits it), so it cannot be assumed
// here. Any source would do (the value is a function of the state); the
// one phase 2 takes the state from is the first in the one-thread order.
// Its vector is still in the frontier in phase 3 (the batch's sources are
// released after phase 4).
//
// The set is computed in phase 3, once per new state, rather than in
// phase 1 for every successor not yet in the visited set (a state found
// again in its batch is such a successor each time).
//
// What the sources' checks found failing is kept only for the states that
// are not yet expanded (search.failing: ids with some state property
// failing); phase 3 reads it, and writes it only after its parallel part.

// incrMode says how phase 3 uses the dirty sets: the zero value
// evaluates the dirty properties only; tests set the flags
// (export_test.go).
type incrMode uint8

const (
	incrOff    incrMode = 1 << iota // evaluate every property (the reference)
	incrVerify                      // evaluate every property, and fail the search when one the dirty set left out fails
	// a wrong dirty set, to show that the tests catch one: only the
	// source's failures, whatever the step changed
	incrIgnoreChanges
)

// dirtyOf returns the dirty set of new state s, found from state src.
func (x *expander) dirtyOf(src int32, s model.State) uint64 {
	failed := x.failing[src]
	switch {
	case x.incr&incrOff != 0:
		return invariants.AllDirty
	case x.incr&incrIgnoreChanges != 0:
		return failed
	}
	return x.suite.Dirty(x.g.State(int(src)), s, failed)
}

// checkState evaluates the state properties of dirty in state id (every
// one with incrOff or incrVerify), and with incrVerify reports one that
// dirty left out and that fails.
func (x *expander) checkState(c *checked, id int32, s model.State, dirty uint64) {
	eval := dirty
	if x.incr&(incrOff|incrVerify) != 0 {
		eval = invariants.AllDirty
	}
	x.fails = x.suite.CheckDirty(x.ev, s, eval, x.fails[:0])
	if x.incr&incrVerify != 0 && c.err == nil {
		if bad := x.suite.FailedSet(x.fails) &^ dirty; bad != 0 {
			c.err = fmt.Errorf("incremental check: state %d fails state properties %#x that its dirty set %#x left out", id, bad, dirty)
		}
	}
	for _, f := range x.fails {
		c.failures = append(c.failures, stateFailure{id, f})
	}
}

// noteFailing keeps, for phase 3 of the batches to come, which state
// properties each new state of the batch failed.
func (s *search) noteFailing(fails []stateFailure) {
	if s.opts.incr&incrOff != 0 {
		return
	}
	for i := range fails {
		f := &fails[i]
		s.failing[f.id] |= s.suite.FailedSet([]invariants.Failure{f.Failure})
	}
}

// forgetFailing drops what noteFailing kept of the states expanded.
func (s *search) forgetFailing() {
	if len(s.failing) == 0 {
		return
	}
	for id := range s.failing {
		if id < s.head {
			delete(s.failing, id)
		}
	}
}
