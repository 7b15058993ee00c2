package model

import (
	"fmt"

	"wqcheck/model/syntax"
)

// The breaches of lock discipline the kernel reports in words of its own,
// with what its report needs (README "Kernel-native reports"): contract:
// a lock-discipline StepError raised by sleeping in atomic context or by an
// unguarded access carries a KernelBug describing the context at that
// moment; graphs/kernel.go prints it as kernel/sched/core.c's
// __schedule_bug() or __might_resched(), or kernel/kcsan/report.c's
// print_report() does.

// KernelBug kinds.
const (
	BugSleepAtomic = "scheduling while atomic"                       // schedule() in atomic context: __schedule_bug()
	BugMightSleep  = "sleeping function called from invalid context" // mutex_lock() in atomic context: might_sleep() -> __might_resched()
	BugDataRace    = "data-race"                                     // an access to guarded_by state without its lock: KCSAN
)

// KernelBug is what a kernel report of a lock-discipline breach needs.
type KernelBug struct {
	Kind    string
	Thread  int        // the thread, an index into Program.Threads
	Pos     syntax.Pos // the statement
	Func    string     // the model function it is in
	Ctx     CtxState   // the context's state (sleeping bugs)
	Hardirq bool       // in a hardirq handler
	Softirq bool       // in a softirq handler
	CPU     int        // CPUUnbound when the thread has no fixed CPU
	Var     string     // data-race: the variable ("c.n")
	Guard   string     // data-race: its guarded_by lock
}

func bugErr(bug *KernelBug, format string, args ...any) {
	panic(rtPanic{kind: PropLockDiscipline, msg: fmt.Sprintf(format, args...), bug: bug})
}

func (st *Stepper) kernelBug(s State, t *Thread, kind string, ins *Instr, v string) *KernelBug {
	return &KernelBug{Kind: kind, Thread: t.Index, Pos: ins.Pos, Func: ins.Func, Ctx: st.p.Ctx(s, t),
		Hardirq: t.Kind.Ctx == CtxHardIRQ, Softirq: t.Kind.Ctx == CtxSoftIRQ, CPU: st.p.CPU(s, t), Var: v}
}

// PreemptCount is the kernel's preempt_count() for the context, from
// include/linux/preempt.h: the preemption nesting (each spinlock held
// counts one) in bits 0-7, SOFTIRQ_OFFSET (0x100) in a softirq handler,
// SOFTIRQ_DISABLE_OFFSET (0x200) per local_bh_disable(), HARDIRQ_OFFSET
// (0x10000) in a hardirq handler. schedule() adds its own
// preempt_disable() before __schedule_bug() reads it (sched: true).
func (b *KernelBug) PreemptCount(sched bool) int {
	n := b.Ctx.Preempt + 0x200*b.Ctx.Bh
	if b.Softirq {
		n += 0x100
	}
	if b.Hardirq {
		n += 0x10000
	}
	if sched {
		n++
	}
	return n
}
