package explorer

import (
	"fmt"

	"wqcheck/invariants"
	"wqcheck/model"
)

// Incremental checks: phase 3 evaluates in a new state only the state
// properties (invariants) that may have changed since the state it was
// found from. When phase 1 finds a new state (its representative, under
// symmetry) from a source whose check found the set failed of state
// properties failing, it keeps (found.dirty) the properties that failed
// there and those that read a bit where the new state differs from the
// source (invariants.Suite.Dirty; model.StateBits says which bits a
// property reads). Every other property held in the source and would be
// evaluated along the same path in the new state: same value, same
// runtime errors, same symmetry-watch hits. So the same failures are found
// in the same states, and counts, verdicts and traces are those of the
// full check (TestIncrementalChecksAgree).
//
// The new state is compared with the vector it was computed from and the
// representative stored, not with the successor before canonicalisation:
// that a property takes the same value in a state and its representative
// is what the symmetry watch checks as the search runs (a property that
// tells objects apart hits it), so it cannot be assumed here.
//
// What the sources' checks found failing is kept only for the states that
// are not yet expanded (search.failing: ids with some state property
// failing), and read by phase 1 only. A state found from several sources
// in one batch is checked against the one phase 2 takes it from (its
// first occurrence in the one-thread order): its dirty set travels with
// that successor.

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

// dirtyOf returns the dirty set of a new state whose representative is
// state, found from the source phase 1 is expanding (expander.was).
func (x *expander) dirtyOf(state model.State) uint64 {
	switch {
	case x.incr&incrOff != 0:
		return invariants.AllDirty
	case x.incr&incrIgnoreChanges != 0:
		return x.wasFailed
	}
	return x.suite.Dirty(x.was, state, x.wasFailed)
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

// noteFailing keeps, for phase 1 of the batches to come, which state
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
