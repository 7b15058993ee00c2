package model

import "fmt"

// Holds evaluates an invariant in state s.
func (p *Program) Holds(pr *Property, s State) bool {
	c := Ctx{p: p, s: s}
	return pr.Invariant(&c) != 0
}

// PendingMask evaluates a stranded-work property's pending predicate for
// every item: bit i is set when item i of pr.Items is pending in s.
func (p *Program) PendingMask(pr *Property, s State) uint64 {
	c := Ctx{p: p, s: s}
	var m uint64
	for i := 0; i < pr.Items.Len; i++ {
		c.q[0] = int64(pr.Items.First + i + 1)
		if pr.Pending(&c) != 0 {
			m |= 1 << i
		}
	}
	return m
}

// ItemName names item i of a stranded-work property ("works[1]").
func (pr *Property) ItemName(i int) string { return pr.Items.Struct.ObjName(pr.Items.First + i) }

// EvalError is returned when a property itself cannot be evaluated (for
// example an invariant that dereferences NULL).
type EvalError struct{ Msg string }

func (e *EvalError) Error() string { return e.Msg }

// SafeHolds is Holds that turns a runtime error in the invariant into an error.
func (p *Program) SafeHolds(pr *Property, s State) (ok bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			rp, isRt := r.(rtPanic)
			if !isRt {
				panic(r)
			}
			err = &EvalError{Msg: fmt.Sprintf("invariant %s cannot be evaluated: %s", pr.Name, rp.msg)}
		}
	}()
	return p.Holds(pr, s), nil
}

// SafePendingMask is PendingMask that turns a runtime error into an error.
func (p *Program) SafePendingMask(pr *Property, s State) (m uint64, err error) {
	defer func() {
		if r := recover(); r != nil {
			rp, isRt := r.(rtPanic)
			if !isRt {
				panic(r)
			}
			err = &EvalError{Msg: fmt.Sprintf("stranded %s: the pending condition cannot be evaluated: %s", pr.Name, rp.msg)}
		}
	}()
	return p.PendingMask(pr, s), nil
}
