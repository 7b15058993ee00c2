package model

import (
	"fmt"
	"slices"
	"strings"
)

// What the liveness properties ask of a state (package invariants decides
// them on the explored graph): which threads are inside a section they
// must leave (lockup), which wait to take a lock (starvation), and whose
// steps are strongly fair.

// liveMemo keeps the liveness facts of one state: the liveness properties
// ask the same ones of each state in turn. scan fills sections, atLock,
// wantsLock and irqActive at once; irqHeld, which needs the CPU view when
// a handler is active, is computed when asked.
type liveMemo struct {
	s                                    State
	sections, atLock, wantsLock, irqHeld uint64
	irqActive                            bool  // some interrupt handler has fired and not returned
	have                                 uint8 // which of them are computed
}

const (
	haveScan = 1 << iota
	haveIrqHeld
)

// memo returns the memo for s, scanned afresh when it was another state's.
func (e *Evaluator) memo(s State) *liveMemo {
	m := &e.live
	if m.have&haveScan == 0 || !slices.Equal(m.s, s) {
		m.s = append(m.s[:0], s...)
		e.scan(m, s)
		m.have = haveScan
	}
	return m
}

// scan computes the facts of LiveFacts but IrqHeld, and whether an
// interrupt handler is active, in one pass over the threads, reading each
// thread's pc, task state and context once. TestScanMatches compares it
// with the plain definitions, one fact and one thread at a time
// (liveness_ref_test.go), in every reachable state of the built-in models.
func (e *Evaluator) scan(m *liveMemo, s State) {
	p := e.c.p
	var sec, at, wants uint64
	irq := false
	for _, t := range p.Threads {
		k := t.Kind
		pc := int(s.get(t.Base, k.PCW))
		if pc >= len(k.Code) {
			continue
		}
		bit := uint64(1) << t.Index
		if k.Ctx != CtxTask && pc != 0 { // Active
			sec, irq = sec|bit, true
		}
		if t.ctxRaw(s) != 0 { // Ctx().Atomic()
			sec |= bit
		}
		ins := k.Code[pc]
		switch {
		case ins.Op == OpLock:
			at, wants = at|bit, wants|bit
		case ins.Op == OpSchedule && p.TaskState(s, t) == TaskRunning:
			at |= bit
			if ins.ahead > 0 && k.Code[ins.ahead-1].Op == OpLock {
				wants |= bit
			}
		}
		if k.Fair {
			at |= bit
		}
	}
	m.sections = sec | e.spinHolders(s)
	m.atLock, m.wantsLock, m.irqActive = at, wants, irq
}

// Sections returns, per thread (bit t.Index), whether t is inside a section
// the kernel's lockup detectors watch in s: it holds a spinlock, or has
// interrupts, preemption or bottom halves disabled, or it is an interrupt
// handler that has fired and not returned. A mutex holder may sleep: not a
// section.
func (e *Evaluator) Sections(s State) uint64 { return e.memo(s).sections }

// spinHolders returns, per thread, whether it holds a spinlock in s.
func (e *Evaluator) spinHolders(s State) uint64 {
	if e.spins == nil {
		e.spins = []lockSlot{}
		for _, l := range e.c.p.lockSlots() {
			if !l.mutex {
				e.spins = append(e.spins, l)
			}
		}
	}
	var m uint64
	for _, l := range e.spins {
		if o := s.get(l.off, l.w); o != 0 {
			m |= 1 << (o - 1)
		}
	}
	return m
}

// IrqHeld returns, per thread (bit t.Index), whether only an interrupt
// handler active on t's CPU keeps t from stepping in s. An interrupt runs to
// completion and returns to what it interrupted, so for fairness such a
// thread counts as able to step: a tick that fires again and again does
// not starve the task it interrupts.
//
// With no interrupt handler active it is 0 at once, else it comes from the
// CPU view (irqHeldView). Exact: only an active handler is a blocker of
// the view that is not a task (cpuView.compute counts no other), so the
// view holds no thread then (TestIrqHeldFastPath).
func (e *Evaluator) IrqHeld(s State) uint64 { return e.irqHeldIn(e.memo(s), s) }

// irqHeldIn is IrqHeld, remembered in m (s's memo).
func (e *Evaluator) irqHeldIn(m *liveMemo, s State) uint64 {
	if m.have&haveIrqHeld == 0 {
		m.irqHeld, m.have = 0, m.have|haveIrqHeld
		if m.irqActive && e.c.p.NCPUs > 0 {
			m.irqHeld = e.irqHeldView(s)
		}
	}
	return m.irqHeld
}

// LiveFacts is what the liveness properties ask of one state, per thread
// (bit t.Index): Sections, WantsLock and IrqHeld, as those methods say,
// and AtLock: whether a step of the thread is strongly fair. It is when
// the thread's next instruction takes a lock (it waits for it, or is
// about to take it), or returns from schedule() (the thread is
// TASK_RUNNING there: the scheduler runs a runnable task whose CPU lets it
// run infinitely often), or the thread is a `fair thread` that has not
// finished. (The return is strongly fair as the acquisition after it is,
// so that merging the two, resume.go, changes no fairness.)
type LiveFacts struct{ Sections, AtLock, WantsLock, IrqHeld uint64 }

// LiveFacts returns the four facts of s at once (the memo looked up once).
func (e *Evaluator) LiveFacts(s State) LiveFacts {
	m := e.memo(s)
	held := e.irqHeldIn(m, s)
	return LiveFacts{Sections: m.sections, AtLock: m.atLock, WantsLock: m.wantsLock, IrqHeld: held}
}

// WantsLock returns, per thread (bit t.Index), whether t's next
// instruction in s takes a lock (it waits for it, or is about to take it),
// or t is TASK_RUNNING at a schedule() whose return goes on to take one
// (lockAhead): what starvation asks of a state. A step of such a thread
// is that acquisition (an OpLock runs only when the lock is free) or the
// return, so a thread that steps has got its lock or is on its way.
func (e *Evaluator) WantsLock(s State) uint64 { return e.memo(s).wantsLock }

// irqHeldView computes IrqHeld from the CPU view: the threads whose
// blocker is an interrupt handler and that could step otherwise.
func (e *Evaluator) irqHeldView(s State) uint64 {
	p := e.c.p
	if p.NCPUs == 0 {
		return 0
	}
	if e.st == nil {
		e.st = &Stepper{p: p}
	}
	e.st.view.compute(e.st, s)
	var m uint64
	for _, t := range p.Threads {
		pc := p.PC(s, t)
		if pc >= len(t.Kind.Code) {
			continue
		}
		i, _ := e.st.view.blocker(t)
		if i < 0 || p.Threads[i].Kind.Ctx == CtxTask {
			continue
		}
		e.own.reset(p, s, nil)
		e.own.th, e.own.lb = t, t.localsBase()
		if p.blockedIn(&e.own, t.Kind.Code[pc]) == NotBlocked {
			m |= 1 << t.Index
		}
	}
	return m
}

// lockAhead returns the lock instruction t is about to run in s: its next
// instruction, or, when t is TASK_RUNNING at a schedule(), the one that
// schedule()'s return reaches through jumps (Instr.ahead); nil if none.
func (p *Program) lockAhead(s State, t *Thread) *Instr {
	pc := p.PC(s, t)
	if pc >= len(t.Kind.Code) {
		return nil
	}
	ins := t.Kind.Code[pc]
	if ins.Op == OpSchedule && ins.ahead > 0 && p.TaskState(s, t) == TaskRunning {
		ins = t.Kind.Code[ins.ahead-1]
	}
	if ins.Op != OpLock {
		return nil
	}
	return ins
}

// DescribeSection says which section thread t is in, in s: "holds
// pool.lock, interrupts disabled, on CPU 0", "in hardirq context".
func (p *Program) DescribeSection(s State, t *Thread) string {
	var parts []string
	for _, l := range p.lockSlots() {
		if o := s.get(l.off, l.w); o == uint64(t.Index+1) && !l.mutex {
			parts = append(parts, "holds "+l.name)
		}
	}
	if t.Kind.Ctx != CtxTask && p.Active(s, t) {
		parts = append(parts, "in "+t.Kind.Ctx.String()+" context")
	}
	c := p.Ctx(s, t)
	if c.IrqOff {
		parts = append(parts, "interrupts disabled")
	}
	if c.Bh > 0 {
		parts = append(parts, "bottom halves disabled")
	}
	if c.Preempt > 0 && len(parts) == 0 {
		parts = append(parts, "preemption disabled")
	}
	where := strings.Join(parts, ", ")
	if p.NCPUs > 0 {
		if cpu := p.CPU(s, t); cpu >= 0 {
			where += fmt.Sprintf(", on CPU %d", cpu)
		}
	}
	return where
}

// LockWaitedFor names the lock thread t's next instruction takes in s, its
// holder (nil when free), and the instruction (Mutex, Ctx: how it waits).
func (p *Program) LockWaitedFor(s State, t *Thread) (name string, holder *Thread, ins *Instr) {
	if ins = p.lockAhead(s, t); ins == nil {
		return "", nil, nil
	}
	holder, name = p.LockOwner(s, t, ins)
	return name, holder, ins
}
