package model

// Resumes: where a woken task's schedule() returns. In the fine-grained
// semantics a task asleep in schedule() that a wake_up_process() makes
// TASK_RUNNING still sits at schedule() until its next step returns from
// it, and that step stops before the next visible statement (woke_up:'s
// raw_spin_lock_irq(&pool->lock)): two states, "woken, at schedule()" and
// "woken, at the lock", for one situation, with every other thread's steps
// interleaved in both. With lock-region merging the return is no step of
// its own: the wake that makes the task TASK_RUNNING also moves it to the
// statement its return reaches (Stepper.resumeWoken), and a task that
// reaches schedule() already TASK_RUNNING (the wake came between
// set_current_state() and schedule()) goes through it within its step
// (Stepper.passSchedule): the task rests at that statement, blocked there
// if it is a lock someone holds.
//
// Why the two states are one. The return from schedule() of a TASK_RUNNING
// task changes only its pc, and only a task changes its own state away from
// TASK_RUNNING (set_current_state()); a wake never does. So a task at
// schedule(), TASK_RUNNING, has one move, invisible and always possible
// when it may run at all, to the statement R it resumes at. What else
// could tell "at schedule()" from "at R":
//
//   - finished(task): neither is the exit (R never is);
//   - task_curr(task): true at a schedule() that returns and at R, unless R
//     blocks the task asleep: R is never an await() or a schedule(), and a
//     mutex_lock() only in a model that never asks task_curr()
//     (compiler.taskCurr);
//   - the task's CPU and context: unchanged by the return. A task in an
//     atomic section (a spinlock held, preemption off) that calls
//     schedule() is a bug its return step raises (lock-discipline), and no
//     state past it is reachable: the wake leaves such a task where it is,
//     and a task passing through its own schedule() raises it first
//     (mayResume, passSchedule; found by review);
//   - another thread's write of a ghost a thread's advanced start read is
//     refused while the thread is at that start (starts.go): the return
//     never lands there.
//   - the analyses that look at where a thread waits (deadlock, strong
//     fairness at a lock, starvation, lockup): at R they see what the
//     fine-grained run sees one invisible step later. For that, a
//     TASK_RUNNING task at a schedule() is as strongly fair as one at a
//     lock, and wants the lock its return takes (liveness.go: AtLock,
//     WantsLock, in every mode): with weak fairness only, a task whose CPU
//     is free now and then could be left at schedule() for ever in the
//     fine-grained run but not at R (found by review).
//
// So the relation "equal, but for the woken task at schedule() in one and
// at R in the other" is a stuttering bisimulation that preserves every
// property the model can state: same verdicts, and shortest traces only
// lose the return steps. R is what schedule()'s return reaches through
// unconditional jumps (`goto woke_up;`, a loop's back edge), when that is
// a visible statement other than the exit, await() and schedule(), and the
// schedule() is not the guard of an atomic block (whose statements after
// it are not visible: the block is one step). The
// fine-grained reference (--reduce=none) and Options.KeepResumes keep the
// return as a step: the tests hold the merge to them
// (explorer/resume_test.go, testdata/scenarios/resume.txt).

// markResumes sets Instr.resume on every task's schedule() whose return
// may be merged, as above.
func (c *compiler) markResumes() {
	for _, k := range c.prog.Kinds {
		if k.Ctx != CtxTask {
			continue
		}
		for _, ins := range k.Code {
			if ins.Op != OpSchedule {
				continue
			}
			if pc, ok := returnsTo(k, ins); ok {
				ins.ahead = pc + 1 // (liveness.go: lockAhead, in every mode)
			}
			if c.opts.Fine || c.opts.KeepResumes {
				continue
			}
			if pc, ok := c.resumeOf(k, ins); ok {
				ins.resume = pc + 1
				c.prog.resumes++
			}
		}
	}
}

// resumeOf returns the statement the return of schedule() ins reaches,
// and whether a woken task may rest there in its stead.
func (c *compiler) resumeOf(k *ThreadKind, ins *Instr) (int, bool) { // (after ins.ahead is set)
	if ins.atomicEnd > 0 {
		return 0, false // the guard of an atomic block: the block is its step
	}
	if ins.ahead == 0 {
		return 0, false
	}
	pc := ins.ahead - 1
	switch r := k.Code[pc]; r.Op {
	case OpExit, OpSchedule, OpAwait:
		return 0, false
	case OpLock:
		if r.Mutex && c.taskCurr {
			return 0, false
		}
	}
	return pc, true
}

// returnsTo returns the visible instruction the return of schedule() ins
// reaches through unconditional jumps, if any.
func returnsTo(k *ThreadKind, ins *Instr) (int, bool) {
	pc := ins.Next
	for n := 0; pc < len(k.Code) && k.Code[pc].Op == OpJump; n++ {
		if k.Code[pc].symExit != nil || n > len(k.Code) {
			return 0, false // (a jump out of a foreach is a step's business; a loop of jumps goes nowhere)
		}
		pc = k.Code[pc].Target
	}
	if pc >= len(k.Code) || !k.Code[pc].Visible {
		return 0, false
	}
	return pc, true
}

// resumeWoken moves task t, just woken, from the schedule() it sleeps in
// to where that schedule() returns, if it may (mayResume).
func (st *Stepper) resumeWoken(s State, t *Thread) {
	pc := st.p.PC(s, t)
	if pc >= len(t.Kind.Code) {
		return
	}
	if to, ok := st.mayResume(s, t, t.Kind.Code[pc]); ok {
		st.p.setPC(s, t, to)
		keepLiveIn(s, t.localsBase(), t.Kind.locBits, t.Kind.Code[to].live)
	}
}

// passSchedule reports whether the running thread t, at schedule() ins,
// goes through it within its step: a merged return (mayResume), and the
// task is TASK_RUNNING already. Sleeping in atomic context is then raised
// as for any schedule().
func (st *Stepper) passSchedule(s State, t *Thread, ins *Instr) bool {
	if st.p.TaskState(s, t) != TaskRunning {
		return false
	}
	st.mayNotSleep(s, t, ins)
	_, ok := st.mayResume(s, t, ins)
	return ok
}

// mayResume returns where t, at schedule() ins, rests instead, and whether
// it may: ins's return is merged (markResumes); t is in no atomic section
// (a task that calls schedule() holding a spinlock or with preemption off
// is a bug its return step reports, and the state after it must not be
// reached: the wake leaves such a task at its schedule()); and where it
// would rest is not its advanced start (starts.go: another thread's write
// of a ghost its start read is refused while it is there, and the return
// step would have left a window open).
func (st *Stepper) mayResume(s State, t *Thread, ins *Instr) (int, bool) {
	if ins.Op != OpSchedule || ins.resume == 0 || st.atomicReason(s, t) != "" {
		return 0, false
	}
	to := ins.resume - 1
	p := st.p
	if p.startPC != nil && p.startPC[t.Index] == to {
		return 0, false
	}
	return to, true
}

// ResumedSchedules is the number of schedule() calls whose return is
// merged (markResumes): 0 under the fine-grained reference.
func (p *Program) ResumedSchedules() int { return p.resumes }
