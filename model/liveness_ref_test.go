package model

// The plain definitions of the liveness facts, one fact and one thread at
// a time, that scan computes in one pass (TestScanMatches compares them).

// sections is Sections.
func (e *Evaluator) sections(s State) uint64 {
	p := e.c.p
	var m uint64
	for _, t := range p.Threads {
		if p.Finished(s, t) {
			continue
		}
		if p.Ctx(s, t).Atomic() || p.Active(s, t) {
			m |= 1 << t.Index
		}
	}
	return m | e.spinHolders(s)
}

// anyIrqActive reports whether some interrupt handler has fired and not
// returned in s (Active).
func (p *Program) anyIrqActive(s State) bool {
	for _, t := range p.irqThreads {
		if p.Active(s, t) {
			return true
		}
	}
	return false
}

// AtLock returns LiveFacts.AtLock: the threads whose next instruction
// takes a lock or returns from schedule() (TASK_RUNNING there), and the
// `fair thread`s that have not finished.
func (p *Program) AtLock(s State) uint64 {
	return p.threadsWhere(s, func(t *Thread, ins *Instr) bool {
		return ins.Op == OpLock || t.Kind.Fair || ins.Op == OpSchedule && p.TaskState(s, t) == TaskRunning
	})
}

// WantsLock returns Evaluator.WantsLock, from lockAhead.
func (p *Program) WantsLock(s State) uint64 {
	var m uint64
	for _, t := range p.Threads {
		if p.lockAhead(s, t) != nil {
			m |= 1 << t.Index
		}
	}
	return m
}

// threadsWhere returns, per thread (bit t.Index), whether t has not
// finished in s and f holds of t and its next instruction.
func (p *Program) threadsWhere(s State, f func(*Thread, *Instr) bool) uint64 {
	var m uint64
	for _, t := range p.Threads {
		pc := p.PC(s, t)
		if pc < len(t.Kind.Code) && f(t, t.Kind.Code[pc]) {
			m |= 1 << t.Index
		}
	}
	return m
}
