package model

import "strings"

// The quiet-mover analysis: which visible instructions a merged step may run
// through in any context (Instr.Quiet, Stepper.mayMerge). Lipton's rule as
// the stepper first applied it (R* N? L* while the thread holds a spinlock or
// cannot be preempted) needs its movers to commute with every other context
// of the CPU, which only holds where none of them can run. An instruction
// whose effects nothing else can observe is a mover wherever it runs: it is
// quiet when
//
//   - it cannot block, and every shared location it reads or writes is
//     either guarded_by a mutex, accessed here under that guard (not inside
//     data_race()), and accessed nowhere in the model without the guard
//     (the guarded_by check makes every other access hold the mutex, which
//     the running thread holds: it raises lock-discipline otherwise; an
//     interrupt handler cannot take a mutex at all), or it is thread-local:
//     touched by the code of one single-instance thread only, this one (an
//     interrupt handler is a thread of its own, so state shared with one is
//     not thread-local);
//   - no property (invariant, stranded-work condition, liveness condition)
//     and no `on cpu` expression reads any of those locations, nor a ghost
//     it touches: a property that reads it makes the state before it
//     observable, and a CPU expression that reads it makes it change who
//     may run;
//   - the local-only code that runs after it in its step (until the next
//     visible instruction) writes no ghost a property reads, does not exit
//     and opens or closes no section.
//
// A mutex release (mutex_unlock) is quiet too when no property reads the
// lock and the model never asks task_curr() (a task waiting for a mutex is
// asleep, so the release changes what task_curr says of its waiters); a
// task_curr() behind a constant condition that keeps it from running
// (compiler.unreachable) does not count.
//
// Why that is enough, in the model's CPU contexts (context.go): a merged
// step is X Q*, X its first instruction (anything, may block) and Q* quiet
// instructions. After X the thread is not excluded from its CPU (it has just
// run and no one else has). In a fine-grained run, whatever other contexts
// do between X and a Q (another task preempting it, an interrupt of its CPU,
// another CPU) touches nothing Q touches and does not depend on Q: Q can be
// moved left to just after X, in every context, because it needs nothing
// that a later point gives (a left mover never has to wait for a context to
// let it run; it only runs earlier, where the thread could already run).
// The states the merge skips differ from the step's end only in what no
// property reads, and in each of them the thread could move (Q does not
// block), so no skipped state is a deadlock or a violation the step's end
// does not show, and what is reachable from a skipped state is reachable
// from the end (run the rest of the step first). Nothing the merge
// produces is an interleaving a real machine cannot run: it is the thread
// running its next statements without being preempted.

// locUse is what the compiler learnt of one shared location (a global, or
// a field of a struct type, all its objects together), by name.
type locUse struct {
	ghost bool
	mutex bool // guarded_by a mutex
	// unchecked: some thread code accesses it without its guard check
	// (data_race(), READ_ONCE, or it has no guard)
	unchecked bool
	// observed: a property or an `on cpu` expression reads it
	observed bool
	kinds    map[*ThreadKind]bool // the thread kinds whose code touches it
}

// noteLoc records an access to the shared location key (guard: its
// guarded_by lock, "" for none; mutex: that lock is a mutex) by the code
// being compiled.
func (c *compiler) noteLoc(key string, ghost bool, guard string, mutex bool) {
	if c.locUses == nil {
		c.locUses = map[string]*locUse{}
	}
	u := c.locUses[key]
	if u == nil {
		u = &locUse{ghost: ghost, mutex: mutex, kinds: map[*ThreadKind]bool{}}
		c.locUses[key] = u
	}
	switch {
	case c.kind == nil:
		u.observed = true // a property or a CPU expression
		return
	case c.inInit || strings.HasPrefix(c.kind.Name, checkKindPrefix):
		return // init runs alone; a function checked on its own never runs
	}
	u.kinds[c.kind] = true
	checked := guard != "" && c.noGuard == 0
	if !checked && !ghost {
		u.unchecked = true
	}
	if c.track.locs == nil {
		c.track.locs = map[string]bool{}
	}
	if prev, ok := c.track.locs[key]; ok {
		checked = checked && prev
	}
	c.track.locs[key] = checked
}

// checkKindPrefix names the pseudo-kinds functions are type-checked in.
const checkKindPrefix = "check:"

// fieldGuardIsMutex reports whether a field's guarded_by lock is a mutex.
func (c *compiler) fieldGuardIsMutex(s *Struct, f *Field) bool {
	if f.Guard == "" {
		return false
	}
	if l := s.byName[f.Guard]; l != nil {
		return l.Type.Mutex
	}
	return c.lockIsMutex(f.Guard)
}

// lockIsMutex reports whether a global lock (wq_pool_attach_mutex) or the
// lock field of a single object (pool.lock) is a mutex.
func (c *compiler) lockIsMutex(name string) bool {
	obj, field, dotted := strings.Cut(name, ".")
	if !dotted {
		g := c.globals[name]
		return g != nil && g.Type.Kind == KLock && g.Type.Mutex
	}
	a := c.arrays[obj]
	if a == nil {
		return false
	}
	f := a.Struct.byName[field]
	return f != nil && f.Type.Kind == KLock && f.Type.Mutex
}

// markRacy makes every access to a location that some thread code also
// reads or writes without its guard (data_race(), READ_ONCE) a non-mover:
// a guarded access commutes with the other threads' steps only if none of
// them can touch the location meanwhile, and a lockless access can, from
// another CPU, or from an unbound task (which takes part in no exclusion).
// Without this, a merged lock region would hide from such a reader the
// states half way through it, which the kernel's reader can see.
func (c *compiler) markRacy() {
	for _, k := range c.prog.Kinds {
		for _, ins := range k.Code {
			for key := range ins.locs {
				if u := c.locUses[key]; u != nil && u.unchecked && !u.ghost {
					ins.NonMover = true
				}
			}
		}
	}
}

// markQuiet sets Instr.Quiet on every thread's code, once the threads, the
// CPU expressions and the properties are compiled.
func (c *compiler) markQuiet() {
	for _, k := range c.prog.Kinds {
		single := k.ForEach == nil || k.ForEach.Len == 1
		for _, ins := range k.Code {
			ins.Quiet = ins.Visible && ins.atomicEnd == 0 && c.quietAccess(k, single, ins) && c.quietTail(k, ins)
		}
	}
}

// quietAccess says whether a visible instruction's own effects are quiet.
func (c *compiler) quietAccess(k *ThreadKind, single bool, ins *Instr) bool {
	if ins.opaque || mayBlock(ins.Op) {
		return false
	}
	switch ins.Op {
	case OpAssign, OpBranch, OpListAdd, OpListDel, OpWarn:
		for key, checked := range ins.locs {
			u := c.locUses[key]
			if u.observed {
				return false
			}
			local := single && len(u.kinds) == 1 && u.kinds[k]
			guarded := checked && u.mutex && !u.unchecked
			if !u.ghost && !local && !guarded {
				return false
			}
		}
		return true
	case OpUnlock:
		if !ins.Mutex || c.taskCurr {
			return false
		}
		for key := range ins.locs {
			if c.locUses[key].observed {
				return false
			}
		}
		return true
	}
	return false
}

// quietTail says whether the local-only code that runs after a visible
// instruction, up to the next visible one, keeps it quiet: it writes (or
// reads) no ghost a property reads, touches no other shared state, does
// not exit and changes no context.
func (c *compiler) quietTail(k *ThreadKind, ins *Instr) bool {
	seen := map[int]bool{}
	work := nextPCs(ins, nil)
	for len(work) > 0 {
		pc := work[len(work)-1]
		work = work[:len(work)-1]
		if pc >= len(k.Code) || seen[pc] {
			continue
		}
		seen[pc] = true
		x := k.Code[pc]
		if x.Visible {
			continue
		}
		if x.opaque || x.Op == OpExit || x.Op == OpCtx || x.Op == OpIrqEnter {
			return false
		}
		for key := range x.locs {
			if u := c.locUses[key]; u.observed || !u.ghost {
				return false
			}
		}
		work = nextPCs(x, work)
	}
	return true
}

// nextPCs appends where control goes after ins runs.
func nextPCs(ins *Instr, to []int) []int {
	switch ins.Op {
	case OpBranch:
		return append(to, ins.Target, ins.Else)
	case OpJump:
		return append(to, ins.Target)
	case OpEither:
		return append(to, ins.Targets...)
	}
	return append(to, ins.Next)
}
