package model

import "wqcheck/model/syntax"

// Footprints: what a step may read and write, for partial-order reduction
// (explorer/por.go).
//
// The compiler gives every instruction the abstract locations its
// expressions touch: a global variable, or a struct field (one location for
// the field of every object of the struct: workers[0].flags and
// workers[1].flags are one location, which only makes more steps
// dependent). Three locations stand for what no expression names:
//
//   - LocCtx, the execution contexts of the running thread's CPU: what the
//     stepping rule reads to decide which context of a CPU may step
//     (preemption counts, interrupt state, active handlers). Every step of
//     a model with CPUs reads it; a step that takes or drops a spinlock,
//     changes a context (preempt_disable(), local_irq_save(), ...), fires
//     or returns from a handler, or ends its thread writes it. It stands
//     for the CPU the thread is on in the state at hand: two threads meet
//     there only when both are bound to one CPU (an unbound task takes
//     part in no exclusion). Which CPU a thread is on is read from the
//     CPU expressions' locations, in StepReads.
//   - LocTask, the task states: set_current_state() writes it,
//     wake_up_process() reads and writes it, schedule() and task_state()
//     read it.
//   - LocFin, whether a thread has finished (finished()): a thread's last
//     step writes it.
//
// A variable or field is written by an assignment, a list operation on it,
// or a lock operation on it, and read by any other access.
//
// Two steps whose footprints do not conflict (one writes what the other
// reads or writes; Access.ConflictsBeyondCtx, contexts per CPU) commute and
// neither enables nor disables the other: everything that decides whether a
// step can run, and what it does, is in its footprint.
const (
	LocCtx = iota
	LocTask
	LocFin
	locFirst // the first location of a variable or field
)

// maxLocs is the number of distinct locations a LocSet holds; further
// variables share the variables' and fields' locations (more dependence,
// never less), never LocCtx, LocTask or LocFin: a variable that shared
// LocCtx would be taken out with it where the contexts are left out
// (markCPUWrites, ConflictsBeyondCtx).
const maxLocs = 256

// LocSet is a set of abstract locations.
type LocSet [maxLocs / 64]uint64

// locBit is location i's place in a LocSet.
func locBit(i int) int {
	if i < maxLocs {
		return i
	}
	return locFirst + (i-locFirst)%(maxLocs-locFirst)
}

// Add puts location i in the set.
func (a *LocSet) Add(i int) { i = locBit(i); a[i/64] |= 1 << (i % 64) }

// Remove takes location i out of the set.
func (a *LocSet) Remove(i int) { i = locBit(i); a[i/64] &^= 1 << (i % 64) }

// Has reports whether location i is in the set.
func (a *LocSet) Has(i int) bool { i = locBit(i); return a[i/64]&(1<<(i%64)) != 0 }

// Or adds b's locations.
func (a *LocSet) Or(b *LocSet) {
	for i := range a {
		a[i] |= b[i]
	}
}

// Meets reports whether a and b share a location.
func (a *LocSet) Meets(b *LocSet) bool {
	for i := range a {
		if a[i]&b[i] != 0 {
			return true
		}
	}
	return false
}

// Access is a footprint: the locations read and written.
type Access struct{ R, W LocSet }

// Or adds b's reads and writes.
func (a *Access) Or(b *Access) {
	a.R.Or(&b.R)
	a.W.Or(&b.W)
}

// ConflictsBeyondCtx reports whether two footprints conflict (one writes
// what the other reads or writes), leaving LocCtx out: the contexts are
// per CPU, and only steps of contexts bound to one CPU meet there (the
// caller compares CPUs). While no step writes what a CPU expression reads
// (which every step reads: such a write conflicts), every thread stays on
// its CPU.
func (a *Access) ConflictsBeyondCtx(b *Access) bool {
	for i := range a.R {
		m := ^uint64(0)
		if i == LocCtx/64 {
			m &^= 1 << (LocCtx % 64)
		}
		if a.W[i]&(b.R[i]|b.W[i])&m != 0 || b.W[i]&a.R[i]&m != 0 {
			return true
		}
	}
	return false
}

// touch records a read of the location named key (a global, "g:name", or
// a field, "f:struct.field") in the current instruction's footprint, and
// notes it as the last location named: a write site (touchWrite) marks it
// written once its lvalue is compiled.
func (c *compiler) touch(key string) {
	id, ok := c.locs[key]
	if !ok {
		id = locFirst + len(c.locs)
		c.locs[key] = id
	}
	c.track.foot.R.Add(id)
	c.lastLoc = id
}

// lvalueW compiles an lvalue that the statement writes: its location
// (when it is a variable or field, not a local) is written.
func (c *compiler) lvalueW(e syntax.Expr) lval {
	c.lastLoc, c.lastCPULocal = -1, nil
	lv := c.lvalue(e)
	if c.lastLoc >= 0 && lv.local == nil {
		c.track.foot.W.Add(c.lastLoc)
	}
	if c.lastCPULocal != nil {
		c.noteLocklessWrite(c.lastCPULocal)
	}
	return lv
}

// touchSpecial records an access to LocCtx, LocTask or LocFin.
func (c *compiler) touchSpecial(loc int, read, write bool) {
	if read {
		c.track.foot.R.Add(loc)
	}
	if write {
		c.track.foot.W.Add(loc)
	}
}

// opFoot adds what an instruction's opcode touches beyond its expressions.
func opFoot(ins *Instr) {
	f := &ins.foot
	switch ins.Op {
	case OpLock, OpUnlock:
		if !ins.Mutex || ins.Ctx != 0 {
			f.W.Add(LocCtx) // a spinlock counts in preempt_count
		}
	case OpCtx, OpIrqEnter:
		f.W.Add(LocCtx)
	case OpExit:
		f.W.Add(LocCtx)
		f.W.Add(LocFin)
	case OpSetState:
		f.W.Add(LocTask)
	case OpWake, OpSetTask:
		// (a wake may also move its task past a merged schedule(),
		// resume.go: only where that task's next instruction is the
		// schedule(), which reads LocTask, so the two are dependent)
		f.R.Add(LocTask)
		f.W.Add(LocTask)
	case OpSchedule:
		f.R.Add(LocTask)
	}
}

// computeFutures fills each kind's Future table: per program counter, the
// union of the footprints of every instruction reachable from it (an
// interrupt handler's return leads back to its entry), and, in a model
// with CPUs, the reads of the stepping rule.
func (p *Program) computeFutures() {
	for _, k := range p.Kinds {
		code := k.Code
		fut := make([]Access, len(code)+1)
		for pc, ins := range code {
			fut[pc] = ins.foot
		}
		// reaching the end finishes the thread: it leaves its CPU
		fut[len(code)].W.Add(LocFin)
		fut[len(code)].W.Add(LocCtx)
		for changed := true; changed; {
			changed = false
			for pc := len(code) - 1; pc >= 0; pc-- {
				before := fut[pc]
				for _, nx := range succPCs(code[pc]) {
					if nx >= 0 && nx <= len(code) {
						fut[pc].Or(&fut[nx])
					}
				}
				changed = changed || before != fut[pc]
			}
		}
		fut[len(code)] = Access{} // finished: nothing more
		for pc := range code {
			fut[pc].Or(&p.stepReads)
		}
		k.Future = fut
	}
}

// succPCs lists where control may go after ins (an over-approximation).
func succPCs(ins *Instr) []int {
	out := []int{ins.Next, ins.Target, ins.Else}
	out = append(out, ins.Targets...)
	if ins.Op == OpExit {
		out = append(out, 0)
	}
	return out
}

// Visible is the set of locations some property reads: a step that writes
// one may change a property's value and is never left out.
func (p *Program) Visible() *LocSet { return &p.visible }

// TrackFootprints makes the stepper record, per thread, the footprint of
// the steps Successors computed for it (Footprint).
func (st *Stepper) TrackFootprints() {
	st.foot = make([]Access, len(st.p.Threads))
}

// Footprint returns the union of the footprints of thread t's steps in the
// last Successors call (TrackFootprints must be on).
func (st *Stepper) Footprint(t int) *Access { return &st.foot[t] }
