package model

import (
	"fmt"
	"math/bits"

	"wqcheck/model/syntax"
)

// Lock classes and acquisitions as lockdep sees them (docs/lockdep.md "Lock order:
// lockdep over every interleaving").
//
// Contract: a Program lists its lock classes (LockClasses), one per lock
// declaration, as lockdep keys a class by the lock's static key (the
// spin_lock_init()/DEFINE_MUTEX site, kernel/locking/lockdep.c
// look_up_lock_class()), not by its instance: every object's `spinlock lock;`
// of a struct is one class, a global lock its own. So classes are the same
// for every permutation of symmetric objects. A Stepper with Lockdep set
// lists, in Succ.Acquired, every acquisition its step made: the class, the
// classes the thread held at that moment, and the lockdep usage it gives
// the class (mark_usage(): used in hardirq/softirq context, taken with
// hardirqs/softirqs enabled). With Lockdep off the stepper does no lockdep
// work at all. Lockdep's checks themselves (the dependency graph and its
// cycles, usage conflicts) are the explorer's (explorer/lockorder.go); the
// properties that report them are added here, in the `lockdep` family.

// MaxLockClasses bounds the lock classes lockdep tracks: held sets and
// dependency rows are 64-bit masks.
const MaxLockClasses = 64

// maxSubclass is lockdep's MAX_LOCKDEP_SUBCLASSES.
const maxSubclass = 8

// LockClass is one lock class: the declaration of a lock.
type LockClass struct {
	ID    int
	Name  string // as lockdep prints it: "&pool->lock" for a field, "wq_pool_attach_mutex" for a global
	Decl  string // the declaration in the model's words: "worker_pool.lock"
	Mutex bool
	Pos   syntax.Pos
	// Subclass is the spin_lock_nested() subclass (0: the plain class);
	// lockdep keeps a class per (key, subclass) and prints it "&a->lock/1"
	Subclass int
}

// Lock usage bits, as lockdep's enum lock_usage_bit for write (exclusive)
// acquisitions: the model has no reader-writer locks, so every usage is -W.
const (
	UsedInHardirq  uint8 = 1 << iota // LOCK_USED_IN_HARDIRQ: taken in hardirq context
	EnabledHardirq                   // LOCK_ENABLED_HARDIRQ: taken with hardirqs enabled
	UsedInSoftirq                    // LOCK_USED_IN_SOFTIRQ: taken in softirq context
	EnabledSoftirq                   // LOCK_ENABLED_SOFTIRQ: taken with hardirqs and softirqs enabled
)

// UsageName is lockdep's usage_str[] for one usage bit: "IN-HARDIRQ-W".
func UsageName(u uint8) string {
	switch u {
	case UsedInHardirq:
		return "IN-HARDIRQ-W"
	case EnabledHardirq:
		return "HARDIRQ-ON-W"
	case UsedInSoftirq:
		return "IN-SOFTIRQ-W"
	case EnabledSoftirq:
		return "SOFTIRQ-ON-W"
	}
	return "?"
}

// Acquire is one lock acquisition a step made.
type Acquire struct {
	Class int8
	Usage uint8  // the usage bits it marks on Class
	Held  uint64 // the classes the thread held as it acquired (bit per class)
	PC    int32  // the OpLock instruction, in the thread's code
	// Irq is lockdep's [HC:SC:HE:SE] for the acquiring context: bit 0 in
	// hardirq, 1 in softirq, 2 hardirqs enabled, 3 softirqs enabled
	Irq uint8
}

// LockdepCheck says which of lockdep's checks a lockdep property reports.
type LockdepCheck uint8

const (
	LockdepCircular  LockdepCheck = iota // a cycle in the lock-order graph (print_circular_bug)
	LockdepHardirq                       // inconsistent hardirq usage, or a hardirq-safe -> unsafe order (print_usage_bug, print_bad_irq_dependency, print_irq_inversion_bug)
	LockdepSoftirq                       // the same for softirqs
	LockdepRecursive                     // a class acquired while one of its locks is held (print_deadlock_bug)
)

var lockdepProps = [...]struct{ name, text string }{
	{"lockdep-circular", "no cycle in the lock-order graph (lockdep: possible circular locking dependency)"},
	{"lockdep-hardirq", "no lock both taken in hardirq context and with hardirqs enabled, directly or through the lock order (lockdep: inconsistent lock state, HARDIRQ-safe -> HARDIRQ-unsafe)"},
	{"lockdep-softirq", "no lock both taken in softirq context and with softirqs enabled, directly or through the lock order (lockdep: inconsistent lock state, SOFTIRQ-safe -> SOFTIRQ-unsafe)"},
	{"lockdep-recursive", "no lock acquired while a lock of the same class is held (lockdep: possible recursive locking)"},
}

// LockdepProp returns the index of the lockdep property for check k, or -1
// when the program has none (no locks, or lockdep turned off).
func (p *Program) LockdepProp(k LockdepCheck) int {
	for i, pr := range p.Props {
		if pr.Kind == PropLockdep && pr.Check == k {
			return i
		}
	}
	return -1
}

// Lockdep reports whether the program has lockdep properties.
func (p *Program) Lockdep() bool { return p.LockdepProp(LockdepCircular) >= 0 }

// buildLockClasses numbers the lock declarations and maps every lock slot
// to its class; it adds the lockdep properties when asked to and there are
// locks (at most MaxLockClasses of them).
func (c *compiler) buildLockClasses(on bool) {
	p := c.prog
	p.classAt = map[uint32]int8{}
	add := func(lc *LockClass) int8 {
		lc.ID = len(p.LockClasses)
		p.LockClasses = append(p.LockClasses, lc)
		return int8(lc.ID)
	}
	defer func() {
		// a class per subclass that some spin_lock_nested() names: class
		// base + sub*nBase
		p.nBase = len(p.LockClasses)
		if p.nBase*(c.maxSub+1) > MaxLockClasses {
			c.errf(syntax.Pos{}, "%d lock declarations with %d subclasses: lockdep tracks at most %d classes", p.nBase, c.maxSub+1, MaxLockClasses)
		}
		for sub := 1; sub <= c.maxSub; sub++ {
			for _, b := range p.LockClasses[:p.nBase] {
				add(&LockClass{Name: fmt.Sprintf("%s/%d", b.Name, sub), Decl: b.Decl, Mutex: b.Mutex, Pos: b.Pos, Subclass: sub})
			}
		}
		if on && p.nBase > 0 {
			for k, d := range lockdepProps {
				c.addProp(&Property{Name: d.name, Kind: PropLockdep, Check: LockdepCheck(k), Text: d.text})
			}
		}
	}()
	for _, g := range p.Globals {
		if g.Type.Kind == KLock {
			if len(p.LockClasses) == MaxLockClasses {
				c.errf(g.Pos, "more than %d lock declarations: lockdep tracks at most %d classes", MaxLockClasses, MaxLockClasses)
			}
			p.classAt[g.Off] = add(&LockClass{Name: g.Name, Decl: g.Name, Mutex: g.Type.Mutex, Pos: g.Pos})
		}
	}
	for _, st := range p.Structs {
		for _, f := range st.Fields {
			if f.Type.Kind != KLock {
				continue
			}
			if len(p.LockClasses) == MaxLockClasses {
				c.errf(f.Pos, "more than %d lock declarations: lockdep tracks at most %d classes", MaxLockClasses, MaxLockClasses)
			}
			// lockdep names a class by its init site, "&pool->lock": the
			// object's name when the struct has one object, else the struct's
			owner := st.Name
			if len(st.Arrays) == 1 && st.Arrays[0].Single {
				owner = st.Arrays[0].Name
			}
			id := add(&LockClass{Name: "&" + owner + "->" + f.Name, Decl: st.Name + "." + f.Name, Mutex: f.Type.Mutex, Pos: f.Pos})
			for i := 0; i < st.Count; i++ {
				p.classAt[st.Base+uint32(i)*st.Stride+f.Off] = id
			}
		}
	}
}

// ClassOf returns the lock class of the lock at slot offset off.
func (p *Program) ClassOf(off uint32) int { return int(p.classAt[off]) }

// acquire records, when the stepper tracks lockdep, that thread t takes the
// lock at addr by instruction pc: with the context as it is once the lock
// form's own effect (the _irq, _irqsave, _bh of spin_lock_irq() ...) has
// applied, as lockdep's lock_acquire() runs after local_irq_disable().
// A re-acquisition of the very lock held (usage false: the step ends in
// self-deadlock before the form's effect) marks no usage.
//
// A lock held counts as its plain class (subclass 0): the state does not
// keep the subclass it was taken with (lockdep's held_lock does).
func (st *Stepper) acquire(s State, t *Thread, ins *Instr, addr uint32, pc int, usage bool) {
	a := Acquire{Class: st.p.classAt[addr] + int8(int(ins.Subclass)*st.p.nBase), PC: int32(pc)}
	for _, l := range st.all {
		if s.get(l.off, l.w) == uint64(t.Index+1) {
			a.Held |= 1 << uint(st.p.classAt[l.off])
		}
	}
	if usage && t.Kind.CtxW > 0 {
		// lockdep_hardirq_context(), curr->softirq_context,
		// hardirqs_enabled, softirqs_enabled (kernel/locking/lockdep.c
		// mark_usage())
		cs := st.p.Ctx(s, t)
		hardirq := t.Kind.Ctx == CtxHardIRQ
		softirq := t.Kind.Ctx == CtxSoftIRQ
		he := !hardirq && !cs.IrqOff
		se := he && !softirq && cs.Bh == 0
		if hardirq {
			a.Usage |= UsedInHardirq
			a.Irq |= 1
		}
		if softirq {
			a.Usage |= UsedInSoftirq
			a.Irq |= 2
		}
		if he {
			a.Usage |= EnabledHardirq
			a.Irq |= 4
		}
		if se {
			a.Usage |= EnabledSoftirq
			a.Irq |= 8
		}
	}
	st.acq = append(st.acq, a)
}

// HeldClasses lists the classes in a held mask, in class order.
func HeldClasses(m uint64) []int {
	var out []int
	for m != 0 {
		c := bits.TrailingZeros64(m)
		out = append(out, c)
		m &^= 1 << uint(c)
	}
	return out
}

// IrqString is lockdep's "[HC0[0]:SC0[0]:HE1:SE1]" for an acquisition's
// context (print_usage_bug(), print_bad_irq_dependency()).
func (a Acquire) IrqString() string {
	b := func(bit uint8) int {
		if a.Irq&bit != 0 {
			return 1
		}
		return 0
	}
	return fmt.Sprintf("[HC%d[%d]:SC%d[%d]:HE%d:SE%d]", b(1), b(1), b(2), b(2), b(4), b(8))
}

// HeldLocksOf lists the locks thread t holds in s, with their classes, in
// slot order: lockdep_print_held_locks() prints them.
func (p *Program) HeldLocksOf(s State, t *Thread) (names []string, classes []int) {
	for _, l := range p.lockSlots() {
		if s.get(l.off, l.w) == uint64(t.Index+1) {
			names = append(names, l.name)
			classes = append(classes, int(p.classAt[l.off]))
		}
	}
	return names, classes
}
