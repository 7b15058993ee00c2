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
// It writes nothing and returns false for any other violation. WriteWorkqueueLockup
// prints the workqueue watchdog's report of stranded work (below).

import (
	"fmt"
	"io"
	"strings"

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
		// the bug's own function: the step may have run no statement (an
		// await whose condition made the access)
		fn := b.Func
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

// WriteWorkqueueLockup writes, for a violated stranded-work property of a
// model with the workqueue's pool (a single object `pool` with `worklist`,
// `idle_list`, `nr_workers` and `flags`, workers with `current_work`),
// what the workqueue watchdog prints when work stays pending
// (kernel/workqueue.c wq_watchdog_timer_fn(), then show_all_workqueues():
// show_pwq() and show_one_worker_pool()), from the state at the violation.
// The model has no pool ids, nodes, nice levels, workqueue names or pwq
// counts: the pool is "pool 0", node and nice are left out, and the
// workqueue is the model's. It returns false for any other model or
// property.
func WriteWorkqueueLockup(w io.Writer, res *explorer.Result, pr explorer.PropResult) bool {
	p, tr := res.Program, pr.Trace
	if tr == nil || pr.Prop.Kind != model.PropStranded {
		return false
	}
	s := tr.Final()
	_, pending, ok1 := p.Field(s, "pool", 0, "worklist")
	_, idle, ok2 := p.Field(s, "pool", 0, "idle_list")
	nr, _, ok3 := p.Field(s, "pool", 0, "nr_workers")
	flags, _, ok4 := p.Field(s, "pool", 0, "flags")
	if !ok1 || !ok2 || !ok3 || !ok4 || pr.Prop.Items == nil {
		return false
	}
	workers := pr.Prop.Items.Struct // the item struct's objects are named by their arrays
	var wArr *model.Array
	for _, a := range p.Arrays {
		if a.Name == "workers" {
			wArr = a
		}
	}
	if wArr == nil {
		return false
	}
	pid := func(obj int) string {
		if t := p.ThreadOf(wArr.Struct, obj); t != nil {
			return fmt.Sprint(t.Index + 1)
		}
		return "?"
	}
	// pr_cont_pool_info(): cpus= the pool's CPU, or all CPUs for an unbound pool
	cpus := fmt.Sprintf("0-%d", max(p.NCPUs-1, 0))
	for i := 0; i < wArr.Len; i++ {
		if t := p.ThreadOf(wArr.Struct, wArr.First+i); t != nil {
			if c := p.CPU(s, t); c != model.CPUUnbound {
				cpus = fmt.Sprint(c)
			}
			break
		}
	}
	info := fmt.Sprintf("cpus=%s flags=0x%x", cpus, flags)
	fmt.Fprintf(w, "BUG: workqueue lockup - pool %s stuck for 30s!\n", info)
	fmt.Fprintf(w, "Showing busy workqueues and worker pools:\n")
	fmt.Fprintf(w, "workqueue %s: flags=0x0\n", p.Name)
	fmt.Fprintf(w, "  pwq 0: %s\n", info)
	var inflight []string
	for i := 0; i < wArr.Len; i++ {
		if cw, _, ok := p.Field(s, "workers", i, "current_work"); ok && cw != 0 {
			inflight = append(inflight, fmt.Sprintf("%s:%s", pid(wArr.First+i), workers.ObjName(int(cw-1))))
		}
	}
	if len(inflight) > 0 {
		fmt.Fprintf(w, "    in-flight: %s\n", strings.Join(inflight, ", "))
	}
	var names []string
	for _, o := range pending {
		names = append(names, workers.ObjName(o))
	}
	fmt.Fprintf(w, "    pending: %s\n", strings.Join(names, ", "))
	line := fmt.Sprintf("pool 0: %s hung=30s workers=%d", info, nr)
	if m, _, ok := p.Field(s, "pool", 0, "manager"); ok && m != 0 {
		line += " manager: " + pid(int(m-1))
	}
	for i, o := range idle {
		if i == 0 {
			line += " idle:"
		}
		line += " " + pid(o)
	}
	fmt.Fprintln(w, line)
	fmt.Fprintf(w, "(wqcheck: the work stays pending in every interleaving from here: the watchdog fires once wq_watchdog_thresh, 30 s by default, has passed)\n")
	return true
}
