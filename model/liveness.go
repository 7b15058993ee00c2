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
// ask the same ones of each state in turn.
type liveMemo struct {
	s                                    State
	sections, atLock, irqHeld, wantsLock uint64
	have                                 uint8 // which of them are computed
}

const (
	haveSections = 1 << iota
	haveAtLock
	haveIrqHeld
	haveWantsLock
)

// memo returns the memo for s, emptied when it was another state's.
func (e *Evaluator) memo(s State) *liveMemo {
	m := &e.live
	if !slices.Equal(m.s, s) {
		m.s = append(m.s[:0], s...)
		m.have = 0
	}
	return m
}

// Sections returns, per thread (bit t.Index), whether t is inside a section
// the kernel's lockup detectors watch in s: it holds a spinlock, or has
// interrupts, preemption or bottom halves disabled, or it is an interrupt
// handler that has fired and not returned. A mutex holder may sleep: not a
// section.
func (e *Evaluator) Sections(s State) uint64 {
	m := e.memo(s)
	if m.have&haveSections == 0 {
		m.sections, m.have = e.sections(s), m.have|haveSections
	}
	return m.sections
}

func (e *Evaluator) sections(s State) uint64 {
	p := e.c.p
	if e.spins == nil {
		e.spins = []lockSlot{}
		for _, l := range p.lockSlots() {
			if !l.mutex {
				e.spins = append(e.spins, l)
			}
		}
	}
	var m uint64
	for _, t := range p.Threads {
		if p.Finished(s, t) {
			continue
		}
		if p.Ctx(s, t).Atomic() || p.Active(s, t) {
			m |= 1 << t.Index
		}
	}
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
func (e *Evaluator) IrqHeld(s State) uint64 {
	m := e.memo(s)
	if m.have&haveIrqHeld == 0 {
		m.irqHeld, m.have = e.irqHeld(s), m.have|haveIrqHeld
	}
	return m.irqHeld
}

// AtLock is Program.AtLock, remembered for the state.
func (e *Evaluator) AtLock(s State) uint64 {
	m := e.memo(s)
	if m.have&haveAtLock == 0 {
		m.atLock, m.have = e.c.p.AtLock(s), m.have|haveAtLock
	}
	return m.atLock
}

// WantsLock is Program.WantsLock, remembered for the state.
func (e *Evaluator) WantsLock(s State) uint64 {
	m := e.memo(s)
	if m.have&haveWantsLock == 0 {
		m.wantsLock, m.have = e.c.p.WantsLock(s), m.have|haveWantsLock
	}
	return m.wantsLock
}

// irqHeld is IrqHeld: with no interrupt handler active, 0 at once, else
// from the CPU view (irqHeldView). Exact: only an active handler is a
// blocker of the view that is not a task (cpuView.compute counts no
// other), so the view holds no thread then.
func (e *Evaluator) irqHeld(s State) uint64 {
	p := e.c.p
	if p.NCPUs == 0 || !p.anyIrqActive(s) {
		return 0
	}
	return e.irqHeldView(s)
}

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

// AtLock returns, per thread (bit t.Index), whether a step of t in s is
// strongly fair: t's next instruction takes a lock (it waits for it, or is
// about to take it), or returns from schedule() (t is TASK_RUNNING there:
// the scheduler runs a runnable task whose CPU lets it run infinitely
// often), or t is a `fair thread` that has not finished. (The return is
// strongly fair as the acquisition after it is, so that merging the two,
// resume.go, changes no fairness.)
func (p *Program) AtLock(s State) uint64 {
	return p.threadsWhere(s, func(t *Thread, ins *Instr) bool {
		return ins.Op == OpLock || t.Kind.Fair || ins.Op == OpSchedule && p.TaskState(s, t) == TaskRunning
	})
}

// WantsLock returns, per thread (bit t.Index), whether t's next
// instruction in s takes a lock (it waits for it, or is about to take it),
// or t is TASK_RUNNING at a schedule() whose return goes on to take one
// (lockAhead): what starvation asks of a state. A step of such a thread
// is that acquisition (an OpLock runs only when the lock is free) or the
// return, so a thread that steps has got its lock or is on its way.
func (p *Program) WantsLock(s State) uint64 {
	var m uint64
	for _, t := range p.Threads {
		if p.lockAhead(s, t) != nil {
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
