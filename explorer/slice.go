package explorer

import (
	"slices"

	"wqcheck/invariants"
	"wqcheck/model"
)

// Slice marks the steps of a trace that the violation depends on, for the
// brief trace: the violating step (or the condition at the end), and,
// backwards, every step whose writes a kept step depends on.
//
// A dependence is found by experiment rather than from read sets: step j's
// writes that are still in place when step k runs (the state bits j
// changed and nobody changed since; not k's own program counter, so its
// control flow alone does not make a dependence) are put back to their values
// before j, and step k is run again from that state, same thread and
// branch; k depends on j when it cannot take that branch any more, runs
// other instructions, fires or fails otherwise, or writes something else.
// So a step that wakes a thread a kept step belongs to (the task state), or
// releases a lock a kept step takes (the lock word), is kept, as is one
// that writes a field a kept step reads; not one that only writes a
// `clock` field (time passing, not kernel code). The condition at the end
// (invariants, deadlock) is tested the same way on the final state; a
// whole-graph property (stranded work) cannot be, and keeps every step.
func Slice(p *model.Program, tr *Trace) []bool {
	n := len(tr.Steps)
	keep := make([]bool, n)
	if n == 0 {
		return keep
	}
	sl := &slicer{p: p, tr: tr, st: p.NewStepper(), clock: p.ClockBits()}
	sl.st.Record = true
	var work []int
	if tr.FailStep {
		keep[n-1] = true
		work = append(work, n-1)
	} else {
		prop := slices.Index(p.Props, tr.Prop)
		suite := invariants.NewSuite(p)
		if ok, _ := suite.AtEnd(prop, tr.Final()); !ok {
			for i := range keep {
				keep[i] = true
			}
			return keep
		}
		for j := n - 1; j >= 0; j-- {
			if s, ok := sl.revert(j, tr.Final(), nil); ok {
				if still, _ := suite.AtEnd(prop, s); !still {
					keep[j] = true
					work = append(work, j)
				}
			}
		}
	}
	for len(work) > 0 {
		k := work[len(work)-1]
		work = work[:len(work)-1]
		for j := k - 1; j >= 0; j-- {
			if !keep[j] && sl.dependsOn(k, j) {
				keep[j] = true
				work = append(work, j)
			}
		}
	}
	return keep
}

type slicer struct {
	p     *model.Program
	tr    *Trace
	st    *model.Stepper
	clock model.State // the `clock` fields' bits (model.Program.ClockBits)
}

func (sl *slicer) before(i int) model.State {
	if i == 0 {
		return sl.tr.Initial
	}
	return sl.tr.Steps[i-1].After
}

// revert returns s with the writes of step j that are still in place in s
// put back to their values before j, except the bits in keep; false when
// none is.
func (sl *slicer) revert(j int, s, keep model.State) (model.State, bool) {
	b, a := sl.before(j), sl.tr.Steps[j].After
	out := s.Clone()
	changed := false
	for w := range s {
		live := (b[w] ^ a[w]) &^ (s[w] ^ a[w])
		if keep != nil {
			live &^= keep[w]
		}
		if live != 0 {
			changed = true
			out[w] = s[w]&^live | b[w]&live
		}
	}
	return out, changed
}

// dependsOn says whether step k behaves otherwise once step j's writes are
// reverted in the state k starts from.
func (sl *slicer) dependsOn(k, j int) (dep bool) {
	step := &sl.tr.Steps[k]
	// its own program counter is control flow, not data; the clock is
	// time passing, not a cause
	pc := sl.clock.Clone()
	setBits(pc, step.Thread.Base, step.Thread.Kind.PCW)
	s, ok := sl.revert(j, sl.before(k), pc)
	if !ok {
		return false
	}
	orig := sl.before(k)
	defer func() {
		if recover() != nil {
			dep = true // a state the model cannot step from: it depends
		}
	}()
	dep = true
	sl.st.ThreadSuccessors(s, step.Thread, func(sc *model.Succ) {
		if sc.Branch != step.Branch {
			return
		}
		same := sameWrites(orig, step.After, s, sc.State) && slices.Equal(sc.Fired, step.Fired) && sameErr(sc.Err, step.Err) &&
			slices.Equal(sc.Log, step.PCs)
		dep = !same
	})
	return dep
}

// sameWrites says whether a step from s1 to a1 and the same step from s2
// to a2 leave the same values in every bit either of them changed.
func sameWrites(s1, a1, s2, a2 model.State) bool {
	for w := range s1 {
		if (a1[w]^a2[w])&(s1[w]^a1[w]|s2[w]^a2[w]) != 0 {
			return false
		}
	}
	return true
}

func sameErr(a, b *model.StepError) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Prop == b.Prop && a.Msg == b.Msg
}

// setBits sets bits [off, off+w) of s.
func setBits(s model.State, off uint32, w uint8) {
	for i := uint32(0); i < uint32(w); i++ {
		s[(off+i)/64] |= 1 << ((off + i) % 64)
	}
}
