package model

import "fmt"

// Execution contexts (docs/language.md "CPUs and contexts").
//
// A model that declares `cpus N;` gives every thread a context: a task bound
// to one CPU (`on cpu EXPR`, as a per-cpu kworker or kthread_bind()), an
// unbound task (`unbound`: it may run on any CPU), or an interrupt handler
// of one CPU (`hardirq thread ... on cpu EXPR`, `softirq thread ...`).
// Each thread's block then holds its context state next to its task state:
// the preemption count, whether its interrupts are off, and its bottom-half
// count (ctxW bits; layout below). The stepping rule: a context may step
// only if no other context of its CPU is in a section that excludes it.
//
//   - an active hardirq handler (fired, not yet returned) excludes every
//     other context of its CPU: a handler runs to completion;
//   - an active softirq handler excludes the tasks and softirqs of its CPU,
//     and its hardirqs while it has interrupts off;
//   - a task with preemption off (preempt_disable(), any spinlock held, bh
//     off or interrupts off) excludes the other tasks of its CPU; with
//     interrupts off also its hardirqs and softirqs; with bh off its softirqs.
//
// Unbound tasks take part in no exclusion: the model does not track which
// CPU they are on, so it lets them run beside anything (a looser model:
// every real schedule is among the explored ones).

// context state bits, after the task state in a thread's block
const (
	ctxPreemptW = 3 // preempt_count nesting, 0..7
	ctxIrqW     = 1 // interrupts disabled
	ctxBhW      = 2 // local_bh_disable nesting, 0..3
	ctxW        = ctxPreemptW + ctxIrqW + ctxBhW
	maxPreempt  = 1<<ctxPreemptW - 1
	maxBh       = 1<<ctxBhW - 1
)

// CPUUnbound is the value of an `on cpu` expression that leaves a task
// unbound (the model's name for it is WORK_CPU_UNBOUND).
const CPUUnbound = -1

// CtxState is a context's state: what it has disabled.
type CtxState struct {
	Preempt int  // preemption count (each spinlock held counts one)
	IrqOff  bool // local interrupts disabled
	Bh      int  // local_bh_disable nesting
}

// Atomic reports whether the context may not be preempted.
func (c CtxState) Atomic() bool { return c.Preempt > 0 || c.IrqOff || c.Bh > 0 }

// Ctx returns thread t's context state in s (zero in a model without CPUs).
func (p *Program) Ctx(s State, t *Thread) CtxState { return ctxOf(t.ctxRaw(s)) }

// ctxRaw is thread t's three context fields in s, read as one value (0,
// the zero context, for a kind without them); it is non-zero exactly when
// the context is Atomic.
func (t *Thread) ctxRaw(s State) uint64 {
	if t.Kind.CtxW == 0 {
		return 0
	}
	return s.get(t.ctxBase(), ctxPreemptW+ctxIrqW+ctxBhW)
}

// ctxOf decodes a thread's three context fields, read as one value.
func ctxOf(v uint64) CtxState {
	return CtxState{
		Preempt: int(v & (1<<ctxPreemptW - 1)),
		IrqOff:  v>>ctxPreemptW&(1<<ctxIrqW-1) != 0,
		Bh:      int(v >> (ctxPreemptW + ctxIrqW) & (1<<ctxBhW - 1)),
	}
}

func (p *Program) setCtx(s State, t *Thread, c CtxState) {
	b := t.ctxBase()
	irq := uint64(0)
	if c.IrqOff {
		irq = 1
	}
	s.set(b, ctxPreemptW, uint64(c.Preempt))
	s.set(b+ctxPreemptW, ctxIrqW, irq)
	s.set(b+ctxPreemptW+ctxIrqW, ctxBhW, uint64(c.Bh))
}

// CPU returns the CPU thread t runs on in s, or CPUUnbound (also when its
// CPU expression fails there: the step that evaluates it reports that).
func (p *Program) CPU(s State, t *Thread) int {
	cpu, ok := p.cpuChecked(s, t)
	if !ok {
		return CPUUnbound
	}
	return cpu
}

// cpuChecked returns the CPU thread t runs on in s, and false when its CPU
// expression fails (a CPU out of range, a NULL dereference).
func (p *Program) cpuChecked(s State, t *Thread) (cpu int, ok bool) {
	if t.Kind.CPU == nil {
		return CPUUnbound, true
	}
	defer func() {
		if r := recover(); r != nil {
			if _, isRT := r.(rtPanic); !isRT {
				panic(r)
			}
			cpu, ok = CPUUnbound, false
		}
	}()
	c := &Ctx{p: p, s: s, th: t, lb: t.localsBase()}
	return p.cpuOf(c, t), true
}

func (p *Program) cpuOf(c *Ctx, t *Thread) int {
	if t.Kind.CPU == nil {
		return CPUUnbound
	}
	saved := c.th
	c.th = t
	v := t.Kind.CPU(c)
	c.th = saved
	if v == CPUUnbound && t.Kind.Ctx == CtxTask {
		return CPUUnbound
	}
	if v < 0 || int(v) >= p.NCPUs {
		rtErr("%s: %s runs on cpu %d, but the model has CPUs 0..%d", t.Kind.Pos, t.Label, v, p.NCPUs-1)
	}
	return int(v)
}

// Active reports whether interrupt handler t has fired and not yet returned.
func (p *Program) Active(s State, t *Thread) bool {
	return t.Kind.Ctx != CtxTask && p.PC(s, t) != 0 && !p.Finished(s, t)
}

func (c CtxState) describe() string {
	switch {
	case c.IrqOff:
		return "interrupts disabled"
	case c.Bh > 0:
		return "bottom halves disabled"
	case c.Preempt > 0:
		return "preemption disabled"
	}
	return ""
}

// CPUBlocker returns the context of t's CPU that keeps t from stepping in
// s, and why ("preemption disabled", "in hardirq context"), or nil.
func (p *Program) CPUBlocker(s State, t *Thread) (*Thread, string) {
	if p.NCPUs == 0 {
		return nil, ""
	}
	st := &Stepper{p: p}
	st.view.compute(st, s)
	i, why := st.view.blocker(t)
	if i < 0 {
		return nil, ""
	}
	y := p.Threads[i]
	if y.Kind.Ctx == CtxTask {
		why = p.Ctx(s, y).describe() // which section: the most telling one
	}
	return y, why
}

// TaskCurr implements task_curr(t): t could be the task running on its CPU
// now (an interrupt arriving would interrupt it): it has not exited, it is
// not asleep (in schedule() with a sleeping state, in await(), or waiting
// for a mutex), and no other task of its CPU is in a section that keeps t
// off the CPU.
func (p *Program) TaskCurr(s State, t *Thread) bool {
	if t.Kind.Ctx != CtxTask || p.Finished(s, t) {
		return false
	}
	if what, ins := p.BlockedOn(s, t); what == BlockedSchedule || what == BlockedAwait || (what == BlockedLock && ins.Mutex) {
		return false
	}
	y, _ := p.CPUBlocker(s, t)
	return y == nil || y.Kind.Ctx != CtxTask
}

// atomicReason says why thread t may not sleep now ("holding spinlock
// pool.lock", "with preemption disabled", "in hardirq context"), or "".
func (st *Stepper) atomicReason(s State, t *Thread) string {
	if held := st.holdsSpin(s, t); held != "" {
		return "while holding spinlock " + held
	}
	if t.Kind.Ctx != CtxTask {
		return "in " + t.Kind.Ctx.String() + " context"
	}
	if c := st.p.Ctx(s, t); c.Atomic() {
		return "with " + c.describe()
	}
	return ""
}

// ctxOp applies a context instruction (preempt_disable(), a lock's
// interrupt or bottom-half effect, ...) to the running thread.
func (st *Stepper) ctxOp(s State, t *Thread, op CtxOp, lock bool) {
	if t.Kind.CtxW == 0 {
		return
	}
	cs := st.p.Ctx(s, t)
	switch op {
	case CtxPreemptDisable:
		nest(t, &cs.Preempt, +1, maxPreempt, "preemption disabled", "")
	case CtxPreemptEnable:
		unbalanced := "preempt_enable() without preempt_disable()"
		if lock {
			unbalanced = "spin_unlock() with a preemption count of 0"
		}
		nest(t, &cs.Preempt, -1, maxPreempt, "", unbalanced)
	case CtxIrqDisable:
		cs.IrqOff = true
	case CtxIrqEnable:
		cs.IrqOff = false
	case CtxBhDisable:
		nest(t, &cs.Bh, +1, maxBh, "bottom halves disabled", "")
	case CtxBhEnable:
		nest(t, &cs.Bh, -1, maxBh, "", "local_bh_enable() without local_bh_disable()")
	}
	st.p.setCtx(s, t, cs)
}

// nest moves a nesting count by d: past max it is a runtime error (what:
// "preemption disabled"), below zero a lock-discipline one (unbalanced).
func nest(t *Thread, n *int, d, max int, what, unbalanced string) {
	switch {
	case d > 0 && *n == max:
		rtErr("%s: %s more than %d times over", t.Label, what, max)
	case d < 0 && *n == 0:
		lockErr("%s: %s", t.Label, unbalanced)
	}
	*n += d
}

// CtxOp is a change to the running context's state.
type CtxOp uint8

const (
	CtxNone CtxOp = iota
	CtxPreemptDisable
	CtxPreemptEnable
	CtxIrqDisable
	CtxIrqEnable
	CtxIrqSave    // Set(flags) = interrupts off?; then disable
	CtxIrqRestore // interrupts off = X (the saved flags)
	CtxBhDisable
	CtxBhEnable
)

// irqSave runs local_irq_save(flags): the saved state goes to flags.
func (st *Stepper) irqSave(c *Ctx, s State, t *Thread, ins *Instr) {
	if t.Kind.CtxW == 0 {
		ins.Set(c, 0)
		return
	}
	cs := st.p.Ctx(s, t)
	v := int64(0)
	if cs.IrqOff {
		v = 1
	}
	ins.Set(c, v)
	cs.IrqOff = true
	st.p.setCtx(s, t, cs)
}

func (st *Stepper) irqRestore(c *Ctx, s State, t *Thread, flags int64) {
	if t.Kind.CtxW == 0 {
		return
	}
	cs := st.p.Ctx(s, t)
	cs.IrqOff = flags != 0
	st.p.setCtx(s, t, cs)
}

// checkBalanced raises a lock-discipline violation when a thread ends (a
// task exits, a handler returns) with a section still open.
func (st *Stepper) checkBalanced(s State, t *Thread, ends string) {
	if held := st.holdsAny(s, t); held != "" {
		lockErr("%s %s while holding %s", t.Label, ends, held)
	}
	cs := st.p.Ctx(s, t)
	if cs.Atomic() {
		lockErr("%s %s with %s", t.Label, ends, cs.describe())
	}
}

// describeCtx names a thread's context for traces: "CPU 0", "CPU 1 hardirq",
// "unbound".
func (p *Program) DescribeCtx(s State, t *Thread) string {
	if p.NCPUs == 0 {
		return ""
	}
	cpu, ok := p.cpuChecked(s, t)
	switch {
	case !ok:
		return "CPU out of range"
	case cpu == CPUUnbound:
		return "unbound"
	}
	if t.Kind.Ctx != CtxTask {
		return fmt.Sprintf("CPU %d %s", cpu, t.Kind.Ctx)
	}
	return fmt.Sprintf("CPU %d", cpu)
}

// disables reports whether a context change opens a section (a right
// mover, like a lock acquisition) rather than closing one.
func (op CtxOp) disables() bool {
	switch op {
	case CtxPreemptDisable, CtxIrqDisable, CtxIrqSave, CtxBhDisable:
		return true
	}
	return false
}

// nonPreemptible reports whether thread t runs where nothing else of its
// CPU can: an active interrupt handler, or a task with preemption,
// interrupts or bottom halves off.
func (st *Stepper) nonPreemptible(s State, t *Thread) bool {
	if t.Kind.CtxW == 0 {
		return false
	}
	return st.p.Active(s, t) || st.p.Ctx(s, t).Atomic()
}

// cpuView is what the stepping rule needs of one state, computed once per
// state: each thread's CPU and, per CPU, who excludes whom. For each class
// of excluding context it keeps how many there are and the first one (as
// thread index + 1), so "another context of my CPU excludes me" is a
// constant-time test.
type cpuView struct {
	cpu  []int8     // per thread: its CPU, or CPUUnbound
	memo []cpuMemo  // per thread whose CPU is evaluated: the last one (evalCPU)
	per  []cpuClass // per CPU
	bad  int        // a thread whose CPU expression failed, + 1
	msg  rtPanic    // and how
	ctx  Ctx
	stop bool // no CPUs: the rule never applies
}

// cpuClass counts, on one CPU, the contexts of each excluding kind.
type cpuClass struct {
	hard, soft, softIrqOff, taskAtomic, taskIrqOff, taskIrqBh counted
}

// counted counts contexts, keeping the first two.
type counted struct{ n, first, second int }

func (c *counted) add(t *Thread) {
	switch c.n {
	case 0:
		c.first = t.Index
	case 1:
		c.second = t.Index
	}
	c.n++
}

// other returns a counted context other than t, or -1.
func (c counted) other(t *Thread) int {
	switch {
	case c.n == 0:
		return -1
	case c.first != t.Index:
		return c.first
	case c.n > 1:
		return c.second
	}
	return -1
}

// compute fills the view for s: each thread's CPU, and per CPU the
// contexts of each excluding class (cpusFrom, note).
func (v *cpuView) compute(st *Stepper, s State) {
	p := st.p
	if p.NCPUs == 0 {
		v.stop = true
		return
	}
	if v.cpu == nil {
		v.cpu = make([]int8, len(p.Threads))
		v.memo = make([]cpuMemo, len(p.Threads))
		v.per = make([]cpuClass, p.NCPUs)
	}
	clear(v.per)
	v.bad = 0
	v.ctx.reset(p, s, st.ctx.sym)
	for i := 0; i < len(p.Threads); {
		i = v.cpusFrom(s, i)
	}
}

// note counts thread t, at pc on the CPU whose classes are cl, in the
// classes of contexts that exclude others there.
func (v *cpuView) note(s State, t *Thread, pc int, cl *cpuClass) {
	k := t.Kind
	raw := t.ctxRaw(s)
	switch k.Ctx {
	case CtxHardIRQ:
		if pc != 0 { // Active: it has fired (and not finished: it has a CPU)
			cl.hard.add(t)
		}
	case CtxSoftIRQ:
		if pc != 0 {
			cl.soft.add(t)
			if ctxOf(raw).IrqOff {
				cl.softIrqOff.add(t)
			}
		}
	default:
		if raw == 0 {
			return
		}
		cs := ctxOf(raw)
		if cs.Atomic() {
			cl.taskAtomic.add(t)
		}
		if cs.IrqOff {
			cl.taskIrqOff.add(t)
		}
		if cs.IrqOff || cs.Bh > 0 {
			cl.taskIrqBh.add(t)
		}
	}
}

// cpusFrom notes in v.cpu the CPU of each thread from the i-th on
// (CPUUnbound for an unbound or finished one), counts it in its CPU's
// classes (note), and returns len(p.Threads);
// or, when a thread's CPU expression fails, notes that as the view's
// error (the first one), takes the thread as unbound and returns the
// index after it. (One deferred recovery for all the threads: the
// stepping rule asks for every thread's CPU before every step.)
func (v *cpuView) cpusFrom(s State, i int) (next int) {
	p := v.ctx.p
	defer func() {
		if r := recover(); r != nil {
			rp, ok := r.(rtPanic)
			if !ok {
				panic(r)
			}
			if v.bad == 0 {
				v.bad, v.msg = next+1, rp
			}
			next++
		}
	}()
	for next = i; next < len(p.Threads); next++ {
		t := p.Threads[next]
		v.cpu[next] = CPUUnbound // (also when its expression fails: recovered above)
		if t.Kind.CPU == nil {
			continue
		}
		pc := int(s.get(t.Base, t.Kind.PCW))
		if pc >= len(t.Kind.Code) {
			continue // finished
		}
		cpu := t.cpu
		if !t.cpuFixed {
			cpu = v.evalCPU(s, t)
		}
		v.cpu[next] = cpu
		if cpu != CPUUnbound {
			v.note(s, t, pc, &v.per[cpu])
		}
	}
	return next
}

// evalCPU evaluates thread t's CPU expression in s; when the bits it reads
// (ThreadKind.cpuBits) are those of the last state the view evaluated it
// in, it takes that value instead: the expression would take the same
// path (model.StateBits). A failed evaluation is not kept (it panics out
// of here, and the next state evaluates again).
func (v *cpuView) evalCPU(s State, t *Thread) int8 {
	bits := t.Kind.cpuBits
	if bits == nil {
		return int8(v.ctx.p.cpuOf(&v.ctx, t))
	}
	m := &v.memo[t.Index]
	if m.ok && m.same(s, bits) {
		return m.cpu
	}
	m.ok = false
	cpu := int8(v.ctx.p.cpuOf(&v.ctx, t))
	m.words = m.words[:0]
	for _, w := range bits {
		m.words = append(m.words, s[w.Word]&w.Bits)
	}
	m.cpu, m.ok = cpu, true
	return cpu
}

// cpuMemo is a thread's CPU in the last state the view evaluated it in,
// with the bits its expression read there.
type cpuMemo struct {
	words []uint64 // per ThreadKind.cpuBits word, its bits in that state
	cpu   int8
	ok    bool
}

func (m *cpuMemo) same(s State, bits []WordBits) bool {
	for i, w := range bits {
		if s[w.Word]&w.Bits != m.words[i] {
			return false
		}
	}
	return true
}

// fixCPUs notes the CPU of each thread whose CPU expression reads no
// state (a constant, a parameter, its own object's index: its footprint,
// cpuReads, is empty), so that the stepping rule takes it from Thread.cpu
// instead of evaluating the expression before every step; and, for the
// other kinds, the bits their expressions read when the footprint says
// exactly which (ThreadKind.cpuBits, for evalCPU). A thread whose
// expression fails (a CPU out of range) keeps it evaluated, so that each
// of its steps reports the error as before. TestFixedCPUs compares the
// fixed CPUs with the expression in every reachable state.
func (c *compiler) fixCPUs() {
	p := c.prog
	var ctx Ctx
	for _, k := range p.Kinds {
		r := &k.cpuReads
		if k.CPU != nil && !k.cpuOpaque && *r != (LocSet{}) && !r.Has(LocCtx) && !r.Has(LocTask) && !r.Has(LocFin) {
			if b := c.bitsOf(&condReads{locs: *r}); !b.All {
				k.cpuBits = b.Words
			}
		}
	}
	for _, t := range p.Threads {
		if t.Kind.CPU == nil || t.Kind.cpuReads != (LocSet{}) || t.Kind.cpuSym {
			continue
		}
		ctx.reset(p, p.init, nil)
		if cpu, ok := fixedCPU(p, &ctx, t); ok {
			t.cpu, t.cpuFixed = int8(cpu), true
		}
	}
}

// fixedCPU is cpuOf, with a run-time error reported as !ok.
func fixedCPU(p *Program, c *Ctx, t *Thread) (cpu int, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			if _, isRT := r.(rtPanic); !isRT {
				panic(r)
			}
			ok = false
		}
	}()
	return p.cpuOf(c, t), true
}

// blocked applies the stepping rule: whether another context of t's CPU
// keeps t from stepping. A CPU expression that failed (a CPU out of range)
// is that thread's step error: it is emitted, and the thread is taken as
// blocked.
func (v *cpuView) blocked(st *Stepper, s State, t *Thread, emit func(*Succ)) bool {
	if v.bad == t.Index+1 {
		st.succ = Succ{State: append(st.scratch[:0], s...), Thread: t.Index,
			Err: &StepError{Prop: st.p.builtinProp(v.msg.kind), Msg: v.msg.msg}}
		emit(&st.succ)
		return true
	}
	i, _ := v.blocker(t)
	return i >= 0
}

// blocker returns the context of t's CPU that keeps t from stepping (a
// thread index, -1 for none) and why: the stepping rule.
func (v *cpuView) blocker(t *Thread) (int, string) {
	if t.Index >= len(v.cpu) || v.cpu[t.Index] == CPUUnbound {
		return -1, "" // unbound, or init's pseudo-thread
	}
	cl, k := &v.per[v.cpu[t.Index]], t.Kind.Ctx
	// the rules in order: the first that applies names the blocker
	if i := cl.hard.other(t); i >= 0 {
		return i, "in hardirq context"
	}
	if k == CtxHardIRQ {
		if i := cl.softIrqOff.other(t); i >= 0 {
			return i, "in softirq context, interrupts disabled"
		}
		if i := cl.taskIrqOff.other(t); i >= 0 {
			return i, "interrupts disabled"
		}
	}
	if k != CtxHardIRQ {
		if i := cl.soft.other(t); i >= 0 {
			return i, "in softirq context"
		}
	}
	if k == CtxSoftIRQ {
		if i := cl.taskIrqBh.other(t); i >= 0 {
			return i, "interrupts or bottom halves disabled"
		}
	}
	if k == CtxTask {
		if i := cl.taskAtomic.other(t); i >= 0 {
			return i, "preemption disabled"
		}
	}
	return -1, ""
}

// safeEval evaluates x (nil counts as true) outside a step: a run-time
// error (a guarded read without the lock, a NULL dereference) reports
// false in ok instead of panicking; the step that runs x reports it.
func safeEval(c *Ctx, x Eval) (v int64, ok bool) {
	if x == nil {
		return 1, true
	}
	defer func() {
		if r := recover(); r != nil {
			if _, isRT := r.(rtPanic); !isRT {
				panic(r)
			}
			v, ok = 0, false
		}
	}()
	return x(c), true
}

// runCtx executes an OpCtx instruction.
func (st *Stepper) runCtx(c *Ctx, s State, t *Thread, ins *Instr) {
	switch ins.Ctx {
	case CtxIrqSave:
		st.irqSave(c, s, t, ins)
	case CtxIrqRestore:
		st.irqRestore(c, s, t, ins.X(c))
	default:
		st.ctxOp(s, t, ins.Ctx, false)
	}
}

// lockCtx applies a spinlock operation's effect on the context: the
// preemption count, and the form's interrupt or bottom-half change.
func (st *Stepper) lockCtx(c *Ctx, s State, t *Thread, ins *Instr, unlock bool) {
	if t.Kind.CtxW == 0 {
		if ins.Ctx == CtxIrqSave {
			ins.Set(c, 0)
		}
		return
	}
	if !unlock {
		st.ctxOp(s, t, CtxPreemptDisable, true)
	}
	switch ins.Ctx {
	case CtxIrqSave:
		st.irqSave(c, s, t, ins)
	case CtxIrqRestore:
		st.irqRestore(c, s, t, ins.X(c))
	case CtxNone:
	default:
		st.ctxOp(s, t, ins.Ctx, true)
	}
	if unlock {
		st.ctxOp(s, t, CtxPreemptEnable, true)
	}
}

// irqMayArrive reports whether an interrupt handler of t's CPU may fire
// while t runs in its present context: t is bound, and its CPU has a
// hardirq handler and t has interrupts on, or a softirq handler and t has
// interrupts and bottom halves on. A merged step stops there, so that the
// interrupt gets its chance.
func (st *Stepper) irqMayArrive(s State, t *Thread) bool {
	p := st.p
	if len(p.irqThreads) == 0 || t.Kind.Ctx == CtxHardIRQ {
		return false
	}
	c := &st.irqCtx
	c.reset(p, s, st.ctx.sym)
	cpu := p.cpuOf(c, t)
	if cpu == CPUUnbound {
		return false
	}
	cs := p.Ctx(s, t)
	if cs.IrqOff {
		return false
	}
	for _, h := range p.irqThreads {
		if h == t || p.cpuOf(c, h) != cpu || p.Active(s, h) {
			continue
		}
		if h.Kind.Ctx == CtxSoftIRQ && (cs.Bh > 0 || t.Kind.Ctx != CtxTask) {
			continue
		}
		if entry := h.Kind.Code[0]; entry.X != nil {
			saved := c.th
			c.th, c.lb = h, h.localsBase()
			v, ok := safeEval(c, entry.X)
			c.th = saved
			if ok && v == 0 {
				continue // its trigger does not hold here
			}
		}
		return true
	}
	return false
}

// CtxSummary describes where thread t runs and what it has disabled:
// "CPU 0", "CPU 0, irqs off, preempt 2", "CPU 0 hardirq, in the handler",
// "unbound".
func (p *Program) CtxSummary(s State, t *Thread) string {
	out := p.DescribeCtx(s, t)
	if t.Kind.Ctx != CtxTask && p.Active(s, t) {
		out += ", in the handler"
	}
	cs := p.Ctx(s, t)
	if cs.IrqOff {
		out += ", irqs off"
	}
	if cs.Bh > 0 {
		out += fmt.Sprintf(", bh off %d", cs.Bh)
	}
	if cs.Preempt > 0 {
		out += fmt.Sprintf(", preempt %d", cs.Preempt)
	}
	return out
}

// mayNotSleep raises "scheduling while atomic" when thread t is about to
// call schedule() or mutex_lock() with preemption, interrupts or bottom
// halves off, holding a spinlock, or in an interrupt handler: the kernel's
// schedule_debug() and might_sleep() complain on entry, whether or not the
// call would go on to sleep.
func (st *Stepper) mayNotSleep(s State, t *Thread, ins *Instr) {
	switch {
	case ins.Op == OpSchedule:
		if why := st.atomicReason(s, t); why != "" {
			bugErr(st.kernelBug(s, t, BugSleepAtomic, ins, ""), "scheduling while atomic: %s calls schedule() %s", t.Label, why)
		}
	case ins.Op == OpLock && ins.Mutex:
		if why := st.atomicReason(s, t); why != "" {
			bugErr(st.kernelBug(s, t, BugMightSleep, ins, ""), "sleeping in atomic context: %s calls mutex_lock(%s) %s", t.Label, ins.LockNm(&st.ctx), why)
		}
	}
}

// movedOffCPU reports whether the running step has bound its own thread to
// another CPU (a binding that reads state the step wrote), where another
// context now excludes it: the rule, checked at the step's start, is
// checked again before each further visible instruction in that case only.
// Until the step runs an instruction that writes what a CPU expression
// reads (cpuMoved), its thread is on the CPU it began on, unless its CPU
// expression failed in the view, which notes only the first failure (and
// takes every failing thread as unbound): evaluating it again here
// reports the failure as the thread's step error.
func (st *Stepper) movedOffCPU(s State, t *Thread) bool {
	if st.p.NCPUs == 0 || t.Kind.CPU == nil || t.Index >= len(st.view.cpu) {
		return false
	}
	if !st.cpuMoved && (st.view.bad == 0 || st.view.cpu[t.Index] != CPUUnbound) {
		return false
	}
	st.cpuCtx.reset(st.p, s, st.ctx.sym)
	if st.p.cpuOf(&st.cpuCtx, t) == int(st.view.cpu[t.Index]) {
		return false
	}
	var v cpuView
	v.compute(st, s)
	i, _ := v.blocker(t)
	return i >= 0
}
