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
// vector (invariants.Suite.Changed; model.StateBits says which bits a
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
// The whole-graph properties whose per-state record is a function of the
// bits they read (invariants.Inheriting: the stranded-work items pending,
// a liveness property's P and Q per element) are treated the same way: a
// new state whose source agrees with it on those bits takes the source's
// record (checkGraph), as a state property that held there is not
// evaluated again. The source's evaluation succeeded (a failed one stops
// the search), and the source's record is kept for the whole search.
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

// dirtyOf returns the dirty set of new state s, found from state src, and
// the whole-graph properties that read a bit the step changed
// (invariants.Suite.Changed).
func (x *expander) dirtyOf(src int32, s model.State) (dirty, changed uint64) {
	failed := x.failing[src]
	switch {
	case x.incr&incrOff != 0:
		return invariants.AllDirty, invariants.AllDirty
	case x.incr&incrIgnoreChanges != 0:
		return failed, 0
	}
	return x.suite.Changed(x.g.State(int(src)), s, failed)
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

// checkGraph records new state id in each whole-graph check: a check that
// inherits (invariants.Inheriting) and whose property reads no bit where id
// differs from its source src (changed) copies src's record; every other
// one evaluates. With incrVerify every check evaluates, and one that could
// have inherited must have recorded what src did.
func (x *expander) checkGraph(c *checked, id, src int32, s model.State, changed uint64) {
	for k, gc := range x.checks {
		ih := x.inherit[k]
		if ih == nil || k >= 64 || changed&(1<<k) != 0 {
			if err := gc.AtState(x.ev, int(id), s); err != nil && c.err == nil {
				c.err = err
			}
			continue
		}
		if x.incr&incrVerify == 0 {
			ih.Inherit(x.ev, int(id), int(src), s)
			continue
		}
		err := gc.AtState(x.ev, int(id), s)
		if err == nil && !ih.Same(int(id), int(src)) {
			err = fmt.Errorf("incremental check: state %d records %s otherwise than its source %d, though the property reads no bit where they differ", id, x.p.Props[x.cprops[k]].Name, src)
		}
		if err != nil && c.err == nil {
			c.err = err
		}
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
