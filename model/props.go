package model

import "fmt"

// Evaluator evaluates properties on states. It reuses one evaluation
// context, so checking every invariant of every new state allocates
// nothing; use one per goroutine.
type Evaluator struct {
	c     Ctx
	spins []lockSlot // the spinlocks, for Sections
	st    *Stepper   // for IrqHeld's view of the CPUs
	live  liveMemo   // the liveness facts of the state last asked about
	own   Ctx        // IrqHeld's context for blockedIn (no symmetry watch)
}

// Program returns the program the evaluator evaluates.
func (e *Evaluator) Program() *Program { return e.c.p }

// NewEvaluator returns an Evaluator for p.
func (p *Program) NewEvaluator() *Evaluator { return &Evaluator{c: Ctx{p: p}} }

// Holds evaluates an invariant in state s. A runtime error in the invariant
// itself (a NULL dereference, say) is returned as an *EvalError.
func (e *Evaluator) Holds(pr *Property, s State) (ok bool, err error) {
	defer e.recoverEval(&err, "invariant %s cannot be evaluated", pr) // the message is built only on failure
	e.c.s = s
	return pr.Invariant(&e.c) != 0, nil
}

// PendingMask evaluates a stranded-work property's pending predicate for
// every item: bit i is set when item i of pr.Items is pending in s.
func (e *Evaluator) PendingMask(pr *Property, s State) (m uint64, err error) {
	defer e.recoverEval(&err, "stranded %s: the pending condition cannot be evaluated", pr)
	e.c.s = s
	for i := 0; i < pr.Items.Len; i++ {
		e.c.q[0] = int64(pr.Items.First + i + 1)
		if pr.Pending(&e.c) != 0 {
			m |= 1 << i
		}
	}
	return m, nil
}

// LiveMasks evaluates a liveness property's two conditions for every
// element (bit 0 alone without forall): from is nil for eventually.
func (e *Evaluator) LiveMasks(pr *Property, s State) (from, to uint64, err error) {
	defer e.recoverEval(&err, "liveness %s: a condition cannot be evaluated", pr)
	e.c.s = s
	n, first := 1, 0
	if pr.Over != nil {
		n, first = pr.Over.Len, pr.Over.First
	}
	for i := 0; i < n; i++ {
		e.c.q[0] = int64(first + i + 1)
		if pr.From != nil && pr.From(&e.c) != 0 {
			from |= 1 << i
		}
		if pr.To(&e.c) != 0 {
			to |= 1 << i
		}
	}
	return from, to, nil
}

func (e *Evaluator) recoverEval(err *error, what string, pr *Property) {
	if r := recover(); r != nil {
		rp, ok := r.(rtPanic)
		if !ok {
			panic(r)
		}
		*err = &EvalError{Msg: fmt.Sprintf(what, pr.Name) + ": " + rp.msg}
	}
}

// ItemName names item i of a stranded-work property ("works[1]").
func (pr *Property) ItemName(i int) string { return pr.Items.Struct.ObjName(pr.Items.First + i) }

// EvalError is returned when a property itself cannot be evaluated (for
// example an invariant that dereferences NULL).
type EvalError struct{ Msg string }

func (e *EvalError) Error() string { return e.Msg }
