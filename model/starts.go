package model

import (
	"strings"

	"wqcheck/model/syntax"
)

// Thread starts. A thread's first step runs the control flow in front of
// its first visible instruction (`if (!CULL) return;`, `for (;;)`, a
// dispatch on a ghost its own thread alone writes) together with that
// instruction, so a thread that has not run yet sits at pc 0 while, behind
// a loop, the same thread waiting at the same instruction sits at another
// pc: two states for one situation. advanceStarts runs that control flow
// in the initial state instead, when what it reads cannot differ between
// the initial state and the thread's first step:
//
//   - locals and constants (a thread's locals are its own);
//   - ghost variables that no thread other than this one touches: a ghost
//     global only when this thread is its kind's one instance, a ghost
//     field only through the thread's own object (`self->start`). Such a
//     field is then written by no thread but its object's own: a write by
//     another is a runtime error that names both (ownerOnly), so the
//     choice made in the initial state stays the one the thread would have
//     made.
//
// Only task-context threads move (an interrupt handler's pc 0 means "not
// fired"), only over branches and jumps (nothing is written), never into
// the thread's exit (retireIdleThreads has that case). The instructions
// are invisible, so no step is removed and every trace keeps its length;
// only the states in which a thread had not yet passed them are gone. On
// with lock-region merging (Options.Fine turns both off: the reference
// path keeps every thread at pc 0).

// advanceStarts moves each thread's pc in the initial state past its
// leading control flow, as above.
func (c *compiler) advanceStarts() {
	p := c.prog
	if !p.Merge || c.opts.KeepStarts || p.initErr != nil {
		return
	}
	for _, t := range p.Threads {
		if t.Kind.Ctx != CtxTask || p.Finished(p.init, t) {
			continue
		}
		if pc := c.startOf(t); pc != p.PC(p.init, t) {
			p.setPC(p.init, t, pc)
			p.advanced = append(p.advanced, t.Label)
			if p.startPC == nil {
				p.startPC = make([]int, len(p.Threads))
				for i := range p.startPC {
					p.startPC[i] = -1
				}
			}
			p.startPC[t.Index] = pc
		}
	}
}

// atStart reports whether thread t is at the pc advanceStarts gave it.
func (p *Program) atStart(s State, t *Thread) bool {
	return p.startPC != nil && p.startPC[t.Index] >= 0 && p.PC(s, t) == p.startPC[t.Index]
}

// AdvancedStarts lists the threads the initial state has past their
// leading control flow, by label ("" for none).
func (p *Program) AdvancedStarts() string { return strings.Join(p.advanced, ", ") }

// startOf follows t's code from its pc in the initial state over the
// branches and jumps advanceStarts may run there, and returns where it
// stops.
func (c *compiler) startOf(t *Thread) int {
	p := c.prog
	code := t.Kind.Code
	pc := p.PC(p.init, t)
	cx := &Ctx{p: p, s: p.init, th: t, lb: t.localsBase()}
	for n := 0; n < len(code); n++ {
		ins := code[pc]
		fields, ok := c.startReadable(t, ins)
		next := -1
		switch {
		case ins.Visible || ins.opaque || !ok:
		case ins.Op == OpJump && ins.symExit == nil:
			next = ins.Target
		case ins.Op == OpBranch:
			v, failed := evalChecked(cx, ins.X)
			if failed {
				// (a division by zero, say): the thread's first step
				// raises it, as without the advance
				return pc
			}
			next = ins.Else
			if v {
				next = ins.Target
			}
		}
		if next < 0 || next >= len(code) {
			return pc
		}
		for _, f := range fields {
			f.ownerOnly = true
		}
		pc = next
	}
	return pc
}

// evalChecked evaluates a branch condition in the initial state, and says
// whether it failed with a runtime error.
func evalChecked(cx *Ctx, x Eval) (v, failed bool) {
	defer func() {
		if recover() != nil {
			v, failed = false, true
		}
	}()
	return x(cx) != 0, false
}

// startReadable reports whether everything ins reads is, for thread t,
// the same in the initial state as at t's first step (see above), and
// which ghost fields it relies on (to be made ownerOnly). A live_when
// field is refused: where it is dead the initial state holds a zero the
// code never wrote, and the read's check (deadfields.go) would not run.
func (c *compiler) startReadable(t *Thread, ins *Instr) ([]*Field, bool) {
	if len(ins.locs) == 0 {
		return nil, true
	}
	if ins.foreignGhost {
		return nil, false
	}
	var fields []*Field
	for key := range ins.locs {
		u := c.locUses[key]
		if u == nil || !u.ghost {
			return nil, false
		}
		for k := range u.kinds {
			if k != t.Kind {
				return nil, false
			}
		}
		sname, fname, isField := strings.Cut(key, ".")
		if !isField {
			if k := t.Kind; k.ForEach != nil && k.ForEach.Len != 1 {
				return nil, false
			}
			continue
		}
		st := c.structs[sname]
		if st == nil || t.Kind.ForEach == nil || t.Kind.ForEach.Struct != st {
			return nil, false
		}
		f := st.byName[fname]
		if f == nil || f.Type.Kind == KList || f.dead != nil {
			return nil, false
		}
		fields = append(fields, f)
	}
	return fields, true
}

// ownerOnlySet wraps the setter of ghost field f of struct s, written at
// pos, with the check advanceStarts relies on: once a thread's start was
// decided reading f of its own object, no other thread writes f while that
// thread is still where its start put it (it may not have run yet; one
// that has looped back there is refused too, to be safe). (objOf gives the
// object written, -1 where unknown.)
func ownerOnlySet(set func(*Ctx, int64), s *Struct, f *Field, pos syntax.Pos, objOf func(*Ctx) int) func(*Ctx, int64) {
	return func(cx *Ctx, v int64) {
		if f.ownerOnly && cx.th != nil {
			if i := objOf(cx); i >= 0 {
				if owner := cx.p.ThreadOf(s, i); owner != nil && owner != cx.th && cx.p.atStart(cx.s, owner) {
					rtErr("%s: %s writes %s.%s, which %s's start read in the initial state (ghost state a thread's leading branches read is written by that thread only; declared at %s)",
						pos, cx.th.Label, s.ObjName(i), f.Name, owner.Label, f.Pos)
				}
			}
		}
		set(cx, v)
	}
}
