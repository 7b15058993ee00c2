package graphs

// Kernel-native reports of lock-discipline breaches.
//
// Contract: WriteKernelBug writes, for a violated property whose trace ends
// in a step that raised a model.KernelBug, the report the kernel prints for
// it, in its shape: kernel/sched/core.c __schedule_bug() ("BUG: scheduling
// while atomic: comm/pid/0x%08x") for schedule() in atomic context,
// __might_resched() ("BUG: sleeping function called from invalid context
// at FILE:LINE") for mutex_lock() there (or for schedule() with only
// interrupts off, which __schedule_bug() does not catch), each with
// lockdep_print_held_locks(); and kernel/kcsan/report.c print_report()'s
// "race at unknown origin" form ("BUG: KCSAN: data-race in FUNC") for an
// access to guarded_by state without its lock: the model sees one side of
// the race, the access, as KCSAN does when it infers the other from a
// changed value. comm is the thread's label, pid its position (1-based).
// It writes nothing and returns false for any other violation.

import (
	"fmt"
	"io"

	"wqcheck/explorer"
	"wqcheck/model"
)

// WriteKernelBug writes the kernel's report of the breach the trace ends
// in, and reports whether there was one.
func WriteKernelBug(w io.Writer, res *explorer.Result, pr explorer.PropResult) bool {
	tr := pr.Trace
	if tr == nil || len(tr.Steps) == 0 {
		return false
	}
	last := tr.Steps[len(tr.Steps)-1]
	if last.Err == nil || last.Err.Bug == nil {
		return false
	}
	p, b, t := res.Program, last.Err.Bug, last.Thread
	task := fmt.Sprintf("%s/%d", t.Label, t.Index+1)
	before := tr.Initial
	if n := len(tr.Steps); n > 1 {
		before = tr.Steps[n-2].After
	}
	heldLocks := func() {
		names, classes := p.HeldLocksOf(before, t)
		if len(names) == 0 {
			fmt.Fprintf(w, "no locks held by %s.\n", task)
			return
		}
		fmt.Fprintf(w, "%d lock%s held by %s:\n", len(names), map[bool]string{true: "", false: "s"}[len(names) == 1], task)
		for i, n := range names {
			fmt.Fprintf(w, " #%d: (%s), the lock %s\n", i, p.LockClasses[classes[i]].Name, n)
		}
	}
	b01 := func(v bool) int {
		if v {
			return 1
		}
		return 0
	}
	irqsOff := b.Ctx.IrqOff || b.Hardirq
	switch {
	case b.Kind == model.BugSleepAtomic && b.PreemptCount(true) != 1:
		// schedule_debug(): in_atomic_preempt_off()
		fmt.Fprintf(w, "BUG: scheduling while atomic: %s/0x%08x\n", task, b.PreemptCount(true))
		heldLocks()
	case b.Kind == model.BugSleepAtomic || b.Kind == model.BugMightSleep:
		// __might_resched()
		pc := b.PreemptCount(false)
		fmt.Fprintf(w, "BUG: sleeping function called from invalid context at %s:%d\n", b.Pos.File, b.Pos.Line)
		fmt.Fprintf(w, "in_atomic(): %d, irqs_disabled(): %d, non_block: 0, pid: %d, name: %s\n", b01(pc != 0), b01(irqsOff), t.Index+1, t.Label)
		fmt.Fprintf(w, "preempt_count: %x, expected: 0\n", pc)
		fmt.Fprintf(w, "RCU nest depth: 0, expected: 0\n")
		heldLocks()
		if b.Kind == model.BugSleepAtomic {
			fmt.Fprintf(w, "(wqcheck: schedule() with only interrupts off: __schedule_bug() stays silent, preempt_count() being 0x00000001 there; shown as might_sleep() reports it)\n")
		}
	case b.Kind == model.BugDataRace:
		// print_report(), the other access unknown
		fn := last.Instrs[len(last.Instrs)-1].Func
		rule := "=================================================================="
		by := "task " + fmt.Sprint(t.Index+1)
		if b.Hardirq || b.Softirq {
			by = "interrupt"
		}
		on := ""
		if b.CPU != model.CPUUnbound {
			on = fmt.Sprintf(" on cpu %d", b.CPU)
		}
		fmt.Fprintf(w, "%s\nBUG: KCSAN: data-race in %s\n\n", rule, fn)
		fmt.Fprintf(w, "race at unknown origin, with access to %s by %s%s:\n %s (%s:%d)\n\n", b.Var, by, on, fn, b.Pos.File, b.Pos.Line)
		fmt.Fprintf(w, "(wqcheck: %s is guarded_by(%s), and %s does not hold it: any holder may write it meanwhile)\n\n", b.Var, b.Guard, t.Label)
		fmt.Fprintf(w, "Reported by Kernel Concurrency Sanitizer on:\nwqcheck model %s\n%s\n", p.Name, rule)
	default:
		return false
	}
	return true
}
