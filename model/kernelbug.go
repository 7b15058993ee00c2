package model

import (
	"fmt"

	"wqcheck/model/syntax"
)

// The breaches of lock discipline the kernel reports in words of its own,
// with what its report needs (docs/lockdep.md "Kernel-native reports"): contract:
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
	return newKernelBug(st.p, s, t, kind, ins.Pos, ins.Func, v)
}

// newKernelBug is the bug of kind that thread t meets in s at pos, in
// function fn (v: the variable of a data race).
func newKernelBug(p *Program, s State, t *Thread, kind string, pos syntax.Pos, fn, v string) *KernelBug {
	return &KernelBug{Kind: kind, Thread: t.Index, Pos: pos, Func: fn, Ctx: p.Ctx(s, t),
		Hardirq: t.Kind.Ctx == CtxHardIRQ, Softirq: t.Kind.Ctx == CtxSoftIRQ, CPU: p.CPU(s, t), Var: v}
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

// Field reads field of object obj (an index among its struct's objects) of
// the array named array in s, for reports written in the kernel's words:
// an int or bool as its value, a reference as the object's index plus one
// (0: NULL), a list as its objects' indexes in order. ok is false when
// there is no such array or field.
func (p *Program) Field(s State, array string, obj int, field string) (v int64, list []int, ok bool) {
	var a *Array
	for _, x := range p.Arrays {
		if x.Name == array {
			a = x
		}
	}
	if a == nil || obj < 0 || obj >= a.Len {
		return 0, nil, false
	}
	st := a.Struct
	f := st.byName[field]
	if f == nil {
		return 0, nil, false
	}
	off := st.fieldOff(a.First+obj, f)
	switch f.Type.Kind {
	case KList:
		for i := 0; i < p.listLen(s, off, f.List); i++ {
			list = append(list, int(p.listAt(s, off, f.List, i)-1))
		}
		return int64(len(list)), list, true
	case KInt:
		return decodeInt(s.get(off, f.Width), f.Type.Lo, f.Type.Hi), nil, true
	case KBool, KRef:
		return int64(s.get(off, f.Width)), nil, true
	}
	return 0, nil, false
}

// ThreadOf returns the thread a `for each` kind runs for object i of
// struct st, or nil.
func (p *Program) ThreadOf(st *Struct, i int) *Thread {
	if st == nil || i < 0 || i >= len(st.taskOf) || st.taskOf[i] < 0 {
		return nil
	}
	return p.Threads[st.taskOf[i]]
}

// Param returns the value of parameter or constant name, if the program
// has such a parameter.
func (p *Program) Param(name string) (int64, bool) {
	for _, pv := range p.Params {
		if pv.Name == name {
			return pv.Value, true
		}
	}
	return 0, false
}
