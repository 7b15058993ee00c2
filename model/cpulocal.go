package model

import "wqcheck/model/syntax"

// cpu_local fields. `int nr_running guarded_by(lock) cpu_local;` says what
// the kernel says of pool->nr_running: it is changed under the lock, except
// by code that changes it without the lock (in data_race()) from a task
// bound to the pool's CPU with preemption off. A step that holds the lock
// on a CPU with interrupts off then has the field to itself while every
// thread whose code writes the field without the lock, and every thread
// that writes what their `on cpu` expressions read (that could rebind
// them meanwhile), is bound to that same CPU: none of them can run until
// the step is over, and every other access holds the lock. There its
// accesses are movers, and a merged step runs on through them. Anywhere else (the step runs on another CPU, or
// with interrupts on, or one of those threads is unbound, or bound
// elsewhere: an unbound pool's kworkers, a waker on another CPU) they are
// non-movers, as an unguarded access is: a lockless write could come
// between. The rule is decided per step, on the state, not assumed from
// the declaration; what the declaration adds is only that an access under
// the lock, where the rule holds, is not a step boundary.
//
// Without cpu_local a guarded field's accesses under its guard are movers
// whatever its lockless (data_race()) accesses are (the default's bet that
// such a reader never changes a verdict, which --reduce strict checks);
// cpu_local makes that bet unnecessary for the field's lockless writes
// (its lockless reads stay the bet). A lockless write that can never run
// (compiler.unreachable: after `if (UNBOUND) return;`, in an `if` branch
// on a constant never taken) is no writer; a field left with none is a
// plain guarded field.
// --reduce strict makes every access to such a field a non-mover.

// declareCPULocal checks a field's cpu_local.
func (c *compiler) declareCPULocal(f *Field, fd *syntax.FieldDecl) {
	if fd.Guard == "" || fd.Ghost || f.Type.Kind == KList || f.Type.Kind == KLock {
		c.errHint(fd.CPULocalPos, "write it after guarded_by(LOCK) on a variable field: int n guarded_by(lock) cpu_local;",
			"cpu_local: field %s needs a guarded_by lock (cpu_local says who changes it without that lock)", f.Name)
		return
	}
	f.cpuLocal = true
	f.cpuLocalKinds = map[*ThreadKind]bool{}
}

// noteCPULocal records an access to field f by the code being compiled:
// under its guard (a checked access: the instruction's cpuLocal), or
// without it (data_race(): lvalueW then notes a write, noteLocklessWrite).
func (c *compiler) noteCPULocal(f *Field) {
	if !f.cpuLocal || c.kind == nil || c.inInit || c.inProp {
		return
	}
	if c.checksGuards(f.Guard, f.Ghost) {
		for _, g := range c.track.cpuLocal {
			if g == f {
				return
			}
		}
		c.track.cpuLocal = append(c.track.cpuLocal, f)
		return
	}
	c.lastCPULocal = f
}

// noteLocklessWrite records a write of cpu_local field f without its
// guard: its thread kind is one the rule watches, unless the write can
// never run (behind a constant that rules it out, compiler.unreachable:
// an unbound pool's wq_worker_running()).
func (c *compiler) noteLocklessWrite(f *Field) {
	if c.kind != nil && !c.inInit && !c.inProp && c.unreachable == 0 {
		f.cpuLocalKinds[c.kind] = true
	}
}

// bindCPULocal lists, per cpu_local field, the threads of the kinds that
// touch it without its guard, and the threads that could rebind them.
func (c *compiler) bindCPULocal() {
	for _, s := range c.prog.Structs {
		for _, f := range s.Fields {
			if !f.cpuLocal {
				continue
			}
			var bind LocSet
			for _, t := range c.prog.Threads {
				if f.cpuLocalKinds[t.Kind] {
					f.cpuLocalThreads = append(f.cpuLocalThreads, t)
					bind.Or(&t.Kind.cpuReads)
				}
			}
			bind.Remove(LocCtx)
			for _, t := range c.prog.Threads {
				if writesAny(t.Kind, &bind) {
					f.bindWriters = append(f.bindWriters, t)
				}
			}
		}
	}
}

// markCPUWrites marks the instructions that write what an `on cpu`
// expression reads (Instr.movesCPU). Such a write can bind another thread
// to a CPU a context holds, or free it to run elsewhere: it changes who
// may run, so it does not commute with that thread's steps, and is a
// non-mover wherever it runs (a guarded write under a spinlock included).
// After one, a step also stops using the CPUs computed when it began
// (Stepper.cpuMoved).
func (c *compiler) markCPUWrites() {
	if c.prog.NCPUs == 0 {
		return
	}
	cpuReads := c.prog.stepReads.R
	cpuReads.Remove(LocCtx)
	for _, k := range c.prog.Kinds {
		for _, ins := range k.Code {
			ins.movesCPU = ins.foot.W.Meets(&cpuReads)
			if ins.movesCPU && ins.Visible {
				ins.NonMover = true
			}
		}
	}
}

// writesAny reports whether some instruction of k writes a location of set.
func writesAny(k *ThreadKind, set *LocSet) bool {
	for _, ins := range k.Code {
		if ins.foot.W.Meets(set) {
			return true
		}
	}
	return false
}

// nonMover says whether ins, run by t in s, is a non-mover: its static
// flag, or a guarded access to a cpu_local field where the rule above
// does not hold. (--reduce strict has already made such accesses static
// non-movers.)
func (st *Stepper) nonMover(s State, t *Thread, ins *Instr) bool {
	return ins.NonMover || (len(ins.cpuLocal) > 0 && !st.cpuLocalOwned(s, t, ins))
}

// cpuLocalOwned reports whether t, in s, has the cpu_local fields ins
// accesses to itself: interrupts off on a CPU every thread that touches
// them without their guard is bound to.
func (st *Stepper) cpuLocalOwned(s State, t *Thread, ins *Instr) bool {
	p := st.p
	if !locklessWritten(ins.cpuLocal) {
		return true // no thread that can run writes them without the guard: plain guarded fields
	}
	if p.NCPUs == 0 || !(t.Kind.Ctx == CtxHardIRQ || p.Ctx(s, t).IrqOff) {
		return false
	}
	cpuOf := func(u *Thread) int {
		if st.cpuMoved || u.Index >= len(st.view.cpu) {
			return p.CPU(s, u)
		}
		return int(st.view.cpu[u.Index]) // as the step began, and still
	}
	cpu := cpuOf(t)
	if cpu == CPUUnbound {
		return false
	}
	for _, f := range ins.cpuLocal {
		// the lockless writers are on this CPU, and so is every thread
		// that could change where they are bound
		for _, us := range [2][]*Thread{f.cpuLocalThreads, f.bindWriters} {
			for _, u := range us {
				if u != t && !p.Finished(s, u) && cpuOf(u) != cpu {
					return false
				}
			}
		}
	}
	return true
}

// locklessWritten reports whether some thread writes one of the fields
// without its guard.
func locklessWritten(fs []*Field) bool {
	for _, f := range fs {
		if len(f.cpuLocalThreads) > 0 {
			return true
		}
	}
	return false
}
