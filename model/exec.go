package model

import (
	"fmt"
	"strings"

	"wqcheck/model/syntax"
)

// Eval is a compiled expression. Expressions are compiled once into closures
// over fixed bit offsets, so evaluation does no name lookup.
type Eval func(c *Ctx) int64

// Ctx is the evaluation context of one step or one property check.
type Ctx struct {
	p  *Program
	s  State
	th *Thread // the running thread; nil while checking a property
	lb uint32  // bit offset of the running thread's locals
	q  [maxQuant]int64
	// sym, when set, records operations that tell the objects of a
	// symmetric array apart (see Symmetry)
	sym *SymWatch
	// dead, in a step, is what the step knows of the live_when fields
	// (deadfields.go); nil elsewhere
	dead *deadScratch
	// liveScratch evaluates live_when conditions for reads outside a step
	// (deadfields.go checkRead), made on first use
	liveScratch *Ctx
}

const maxQuant = 16 // nesting depth of quantifiers and count()

// reset makes c a context for evaluating in s with no running thread, as
// Ctx{p: p, s: s, sym: sym} would, without clearing the quantifier
// scratch (each quantifier writes its slot before reading it).
func (c *Ctx) reset(p *Program, s State, sym *SymWatch) {
	c.p, c.s, c.th, c.lb, c.sym, c.dead = p, s, nil, 0, sym, nil
}

// Op is an instruction opcode.
type Op uint8

const (
	OpAssign   Op = iota // Set(X)
	OpBranch             // if X goto Target else Else
	OpJump               // goto Target
	OpEither             // continue at each of Targets: one successor per branch
	OpLock               // acquire the lock at Addr (blocks while another thread holds it)
	OpUnlock             // release the lock at Addr
	OpSetState           // set the running task's state to X
	OpSchedule           // block until the running task's state is TASK_RUNNING
	OpWake               // wake_up_process(X); result (woke or not) to Set if non-nil
	OpAwait              // block until X
	OpWarn               // warn_on(X): the property Prop fires when X is true
	OpListAdd            // add X at the head (Tail: at the tail) of the list at Addr
	OpListDel            // remove X from the list at Addr
	OpSetTask            // set task X's state to Y (compiled only in init)
	OpExit               // the thread ends (an interrupt handler returns, to fire again later)
	OpIrqEnter           // an interrupt handler fires (when X, if set, holds)
	OpCtx                // change the running context's state (Ctx: preempt_disable(), ...)
)

var opNames = [...]string{"assign", "branch", "jump", "either", "lock", "unlock", "set_state", "schedule",
	"wake", "await", "warn", "list_add", "list_del", "set_task", "exit", "irq_enter", "ctx"}

func (o Op) String() string { return opNames[o] }

// Instr is one instruction of a thread's code. Every instruction carries the
// statement it came from, so traces show source text and lines.
type Instr struct {
	// The fields the interpreter reads at every instruction come first,
	// together (runFrom, mayMerge, blockMoves, finish): an instruction's
	// step then touches one or two cache lines of it, not five.
	Op Op
	// Visible instructions read or write shared state, or may block. In the
	// fine-grained semantics each step executes exactly one of them.
	Visible bool
	// NonMover instructions touch shared state that no held lock protects
	// (an unguarded variable, another task's state): see Stepper.mayMerge.
	NonMover bool
	// Quiet instructions touch only what nothing else can observe meanwhile
	// (state guarded by a mutex, thread-local state, unread ghosts; or
	// release a mutex no one observes): movers in every context, so a
	// merged step goes on through them wherever it runs (movers.go).
	Quiet    bool
	movesCPU bool // it writes what an `on cpu` expression reads (cpulocal.go)
	// atomicHidden marks an instruction of an atomic block that makeAtomic
	// made invisible: the block's guard answers for what it does
	// (Stepper.blockMoves)
	atomicHidden bool
	Fair         bool  // OpEither: `either fair` (Succ.Fair)
	Mutex        bool  // OpLock/OpUnlock: a mutex
	Tail         bool  // OpListAdd: at the tail
	LockW        uint8 // OpLock/OpUnlock: the lock slot's width
	// Subclass is spin_lock_nested()'s lockdep subclass
	Subclass uint8
	// Ctx is OpCtx's change; on OpLock/OpUnlock the lock form's extra
	// effect (the _irq, _irqsave/_irqrestore and _bh forms).
	Ctx    CtxOp
	Next   int // the following instruction
	Target int
	Else   int
	resume int // OpSchedule: where a woken task rests instead, plus one (0: here; resume.go)
	// atomicStart and atomicEnd, on the guard (first visible instruction)
	// of an atomic block, delimit the block: a loop inside it that comes
	// back to the guard stays in the step
	atomicStart, atomicEnd int
	X, Y                   Eval
	Set                    func(c *Ctx, v int64)
	Addr                   func(c *Ctx) uint32 // OpLock/OpUnlock: lock slot; OpList*: list slot
	List                   *ListInfo
	Targets                []int
	cpuLocal               []*Field // tracking.cpuLocal
	live                   []*Local // locals live when the thread rests before this instruction
	// symExit marks a jump that leaves a foreach over an array early
	symExit *symExit
	Prop    int

	Pos  syntax.Pos
	Text string // the statement as written (normalised), e.g. "spin_lock(&pool->lock);"
	Func string // the model function or thread the statement is in, e.g. "kick_pool"
	// Hidden instructions are model bookkeeping (ghost functions): traces
	// leave them out.
	Hidden bool
	// Detail instructions are the bodies of one-line helpers (a function
	// whose body is a single return): the calling statement already shows
	// the call and which way it went, so traces leave them out too.
	Detail bool
	// Call, on a Detail instruction, is the statement that called the
	// one-line helper (the outermost, when one calls another): where a
	// trace shows an error the body raised.
	Call   *CallSite
	LockNm func(c *Ctx) string // the lock as the user wrote it, for messages

	locs         map[string]bool // shared locations touched (movers.go)
	opaque       bool            // it observes a task's state or a lock's
	foreignGhost bool            // tracking.foreignGhost
	ahead        int             // OpSchedule: where its return reaches through jumps, plus one (0: nowhere visible; resume.go)

	uses []int  // locals read (indexes into the kind's Locals)
	def  int    // local written in full, plus one (0: none)
	foot Access // what it reads and writes (footprint.go)
}

// CallSite is a statement that calls a function: where it is, its text and
// the function or thread it is in (Instr.Func's).
type CallSite struct {
	Pos  syntax.Pos
	Text string
	Func string
}

// StepError is a violation that ends a step: a runtime error or a breach of lock discipline.
type StepError struct {
	Prop int // index into Program.Props
	Msg  string
	// At is the program counter, plus one, of the instruction whose
	// execution raised the error, when the stepper recorded it as the
	// step's last (Stepper.Record); 0 when the error came from no one
	// executed instruction (a check at the step's end, a CPU expression,
	// a statement refused before it ran).
	At int
	// Bug, for the breaches the kernel itself reports (sleeping while
	// atomic, an unguarded access), what its report needs (kernelbug.go)
	Bug *KernelBug
}

func (e *StepError) Error() string { return e.Msg }

type rtPanic struct {
	kind PropKind
	msg  string
	bug  *KernelBug
}

func rtErr(format string, args ...any) {
	panic(rtPanic{kind: PropRuntimeError, msg: fmt.Sprintf(format, args...)})
}
func lockErr(format string, args ...any) {
	panic(rtPanic{kind: PropLockDiscipline, msg: fmt.Sprintf(format, args...)})
}

// Succ is one successor of a state: the thread that moved, which of its
// nondeterministic branches it took, and what the step reported.
type Succ struct {
	State  State
	Thread int
	Branch int   // the step's branch index, in emission order
	Fired  []int // warn_on properties that fired during the step
	Err    *StepError
	Log    []int // executed instruction indexes, when recording
	// Notes explain what some recorded instructions did ("woke consumer",
	// "no-op: consumer is TASK_RUNNING"), keyed by position in Log.
	Notes  map[int]Note
	Blocks bool // the step ended because the thread blocked mid-step
	// Fair says whether the step passed an `either fair` (FairPassed) and
	// took its first branch (FairFirst).
	Fair uint8
	// Acquired lists the step's lock acquisitions, in order, when the
	// stepper tracks lockdep (Stepper.Lockdep); reused like State.
	Acquired []Acquire
}

// Succ.Fair bits.
const (
	FairPassed uint8 = 1 << iota // the step ran an `either fair`
	FairFirst                    // and took its first branch
)

// Note says what a recorded instruction did, for traces: in words, and,
// for what a picture draws, typed.
type Note struct {
	Kind NoteKind
	Text string // in words: "woke consumer (TASK_INTERRUPTIBLE -> TASK_RUNNING)"
	// Lock is the lock object a lock or unlock statement's expression
	// (from->lock) resolved to ("accounts[1].lock").
	Lock string
	// Woken is the thread a wake-up woke.
	Woken *Thread
}

// NoteKind classifies notes.
type NoteKind uint8

const (
	NoteText    NoteKind = iota // only words
	NoteAcquire                 // a lock was taken (Lock)
	NoteRelease                 // a lock was released (Lock)
	NoteWake                    // a sleeping thread was woken (Woken)
)

// maxStepInstrs bounds the instructions one step may execute: a loop that
// touches no shared state (or holds a lock throughout, when merging) would
// otherwise never yield.
const maxStepInstrs = 100000

// quietSplit is where a merged step that has run this many instructions
// ends at its next quiet instruction: a loop of quiet statements (a
// thread-local counter spun for ever) is then a step per stretch, as the
// fine-grained reference has a step per statement, instead of a step
// that never ends. Ending a step at a mover is always sound.
const quietSplit = 1 << 12

// Stepper computes successors. It owns scratch memory, so use one per goroutine.
type Stepper struct {
	p *Program
	// cpuMoved: the current step has run an instruction that writes what a
	// CPU expression reads (Instr.movesCPU)
	cpuMoved bool
	Record   bool // fill Succ.Log with executed instructions (trace replay)
	// Lockdep fills Succ.Acquired (lockdep.go)
	Lockdep bool
	acq     []Acquire
	fair    uint8 // the step's Succ.Fair so far
	ctx     Ctx
	// the atomic block the current step runs, [atomicLo, atomicHi)
	atomicLo, atomicHi int
	branch             int
	emit               func(*Succ)
	t                  *Thread
	spins              []lockSlot
	all                []lockSlot
	scratch            State
	succ               Succ
	view               cpuView  // the stepping rule's view of the state being expanded
	irqCtx             Ctx      // scratch for irqMayArrive
	cpuCtx             Ctx      // scratch for movedOffCPU
	foot               []Access // per thread, its steps' footprints (TrackFootprints)
	cur                *Access  // the running thread's, while tracking
	deadS              deadScratch
	deadCtx            Ctx // scratch for the live_when conditions
}

type lockSlot struct {
	off   uint32
	w     uint8
	mutex bool
	name  string
}

// NewStepper returns a Stepper for p.
func (p *Program) NewStepper() *Stepper {
	st := &Stepper{p: p}
	st.ctx.p = p
	for _, l := range p.lockSlots() {
		st.all = append(st.all, l)
		if !l.mutex {
			st.spins = append(st.spins, l)
		}
	}
	return st
}

// Initial returns the initial state, or the error the init block raised.
func (p *Program) Initial() (State, error) {
	if p.initErr != nil {
		return nil, p.initErr
	}
	return p.init.Clone(), nil
}

// Successors calls emit for every successor of s, thread by thread in
// declaration order, branches in program order. The Succ and its State are
// reused after emit returns: copy what you keep.
func (st *Stepper) Successors(s State, emit func(*Succ)) {
	st.view.compute(st, s)
	st.deadStart(s)
	for _, t := range st.p.Threads {
		st.threadSuccessors(s, t, emit)
	}
}

// ThreadSuccessors calls emit for every successor of s in which thread t moves.
func (st *Stepper) ThreadSuccessors(s State, t *Thread, emit func(*Succ)) {
	st.view.compute(st, s)
	st.deadStart(s)
	st.threadSuccessors(s, t, emit)
}

func (st *Stepper) threadSuccessors(s State, t *Thread, emit func(*Succ)) {
	st.deadS.written = [maxDeadFields]uint64{}
	st.cpuMoved = false
	pc := st.p.PC(s, t)
	if pc >= len(t.Kind.Code) {
		return
	}
	if st.foot != nil {
		st.cur = &st.foot[t.Index]
		*st.cur = st.p.stepReads
	}
	if st.p.NCPUs > 0 && st.view.blocked(st, s, t, emit) {
		return
	}
	st.t = t
	st.emit = emit
	st.branch = 0
	st.atomicLo, st.atomicHi = 0, 0
	// the scratch copy is reused: emit must copy what it keeps
	st.scratch = append(st.scratch[:0], s...)
	st.acq = st.acq[:0]
	st.fair = 0
	st.run(st.scratch, pc, false, 0, nil, nil, nil)
}

func (st *Stepper) holdsSpin(s State, t *Thread) string {
	for _, l := range st.spins {
		if s.get(l.off, l.w) == uint64(t.Index+1) {
			return l.name
		}
	}
	return ""
}

func (st *Stepper) holdsAny(s State, t *Thread) string {
	for _, l := range st.all {
		if s.get(l.off, l.w) == uint64(t.Index+1) {
			return l.name
		}
	}
	return ""
}

// enabled reports whether ins can execute now in thread t.
func (st *Stepper) enabled(c *Ctx, ins *Instr) bool {
	switch ins.Op {
	case OpLock:
		owner := c.s.get(ins.Addr(c), ins.LockW)
		return owner == 0 || owner == uint64(c.th.Index+1)
	case OpSchedule:
		return c.p.TaskState(c.s, c.th) == TaskRunning
	case OpAwait:
		return ins.X(c) != 0
	case OpIrqEnter:
		return ins.X == nil || ins.X(c) != 0
	}
	return true
}

// run executes thread st.t from pc on state s (owned by this call) and emits
// the successor(s). executed says whether a visible instruction has run.
func (st *Stepper) run(s State, pc int, executed bool, n int, log []int, fired []int, notes map[int]Note) {
	st.runFrom(s, pc, executed, false, false, n, log, fired, notes)
}

// mayMerge decides, when merging, whether a step that has run a visible
// instruction goes on into ins. Lipton's reduction allows a step of the form
// R* N? L*: acquisitions (right movers) and accesses to state guarded by a
// lock the thread holds (both movers: no other thread can touch it
// meanwhile, which the guarded_by checks enforce), then at most one
// non-mover (an unguarded access), then releases (left movers) and guarded
// accesses. late says the step has passed its non-mover or a release. Only
// the first instruction may block: a merged step that could stop half way
// would hide the states in which it waits, and with them deadlocks such as
// ABBA.
//
// Two regimes. A quiet instruction (Instr.Quiet, movers.go: state guarded
// by a mutex, thread-local state, ghosts no property reads, the release of
// a mutex no one observes) is a mover in every context: nothing that can
// run meanwhile, on its CPU or another, observes it, and it needs no
// context's leave to run, so the step goes on through it wherever the
// thread runs, preemptible or not, interrupts on or off. Every other mover
// commutes only with what cannot take the CPU from the thread, so the step
// goes on through it only while the thread holds a spinlock, the region
// the kernel cannot be preempted in anyway, or is otherwise non-preemptible,
// and only while no interrupt of its CPU can arrive (an interrupt is not a
// mover: it may spin on the lock the interrupted context holds).
func (st *Stepper) mayMerge(s State, t *Thread, ins *Instr, late bool) bool {
	if mayBlock(ins.Op) {
		return false
	}
	if ins.Quiet {
		return true
	}
	if (st.holdsSpin(s, t) == "" && !st.nonPreemptible(s, t)) || st.irqMayArrive(s, t) {
		return false
	}
	nonMover, acquires, _ := st.blockMoves(s, t, ins)
	return !late || !(nonMover || acquires)
}

// inAtomic says whether pc is inside the atomic block the current step
// runs.
func (st *Stepper) inAtomic(pc int) bool { return pc >= st.atomicLo && pc < st.atomicHi }

// blockMoves classifies what running ins does in Lipton's terms: whether it
// is a non-mover, acquires (a lock, a section) or releases. For the guard
// of an atomic block the answer covers the whole block, whose other
// instructions are invisible (makeAtomic) but run in the same step: an
// unguarded write inside the block makes the block a non-mover, and a
// release inside it ends what the step may acquire.
func (st *Stepper) blockMoves(s State, t *Thread, ins *Instr) (nonMover, acquires, releases bool) {
	nonMover, acquires, releases = st.moves(s, t, ins)
	if ins.atomicEnd == 0 {
		return
	}
	for _, x := range t.Kind.Code[ins.atomicStart:ins.atomicEnd] {
		if x.atomicHidden {
			n, a, r := st.moves(s, t, x)
			nonMover, acquires, releases = nonMover || n, acquires || a, releases || r
		}
	}
	return
}

func (st *Stepper) moves(s State, t *Thread, ins *Instr) (nonMover, acquires, releases bool) {
	ctx := ins.Op == OpCtx
	return st.nonMover(s, t, ins), ins.Op == OpLock || ctx && ins.Ctx.disables(), ins.Op == OpUnlock || ctx && !ins.Ctx.disables()
}

// runFrom runs thread st.t from pc in s until the step ends (at its next
// visible instruction, a block, an either's choice or the thread's end),
// emitting each successor; an either forks the run once per branch. It is
// the interpreter's switch: one case per opcode, kept in one place on
// purpose.
func (st *Stepper) runFrom(s State, pc int, executed, chose, late bool, n int, log []int, fired []int, notes map[int]Note) {
	note := func(n Note) {
		if notes == nil {
			notes = map[int]Note{}
		}
		notes[len(log)-1] = n
	}
	t := st.t
	code := t.Kind.Code
	c := &st.ctx
	c.s, c.th, c.lb = s, t, t.localsBase()
	if st.p.deadOn {
		c.dead = &st.deadS
	}
	at := 0 // the recorded instruction running, plus one (StepError.At)
	defer func() {
		if r := recover(); r != nil {
			rp, ok := r.(rtPanic)
			if !ok {
				panic(r)
			}
			msg := rp.msg
			st.succ = Succ{State: s, Thread: t.Index, Branch: st.branch, Fired: fired, Log: log, Notes: notes, Fair: st.fair,
				Err: &StepError{Prop: st.p.builtinProp(rp.kind), Msg: msg, At: at, Bug: rp.bug}, Acquired: st.acq}
			st.emit(&st.succ)
			st.branch++
		}
	}()
	for {
		at = 0
		if pc >= len(code) {
			st.finish(s, c.lb, pc, false, fired, log, notes)
			return
		}
		ins := code[pc]
		if ins.movesCPU {
			st.cpuMoved = true // (cpulocal.go: the step-start CPUs no longer hold)
		}
		if st.cur != nil {
			// what it reads to decide whether and how far to go counts
			// too, so the instruction the step stops at is in
			st.cur.Or(&ins.foot)
		}
		if st.atomicHi > 0 && !st.inAtomic(pc) {
			st.atomicHi = 0 // left the atomic block
		}
		if ins.Visible && executed && st.inAtomic(pc) {
			// back at the guard of the atomic block this step runs, by a
			// loop inside the block: still the same step
		} else if ins.Op == OpCtx && ins.Ctx.disables() && executed && !st.inAtomic(pc) {
			// Opening a section (preempt_disable(), local_irq_save()) is
			// not a step of its own, but it belongs to the step of the
			// statement after it: run with the one before, it would shut
			// the CPU's other contexts out of the gap between the two.
			if !(st.p.Merge && st.mayMerge(s, t, ins, late)) {
				st.finish(s, c.lb, pc, false, fired, log, notes)
				return
			}
		} else if ins.resume > 0 && st.passSchedule(s, t, ins) {
			// a schedule() that returns at once is no step (resume.go)
			if st.Record {
				log = append(log, pc)
			}
			pc = ins.resume - 1
			continue
		} else if ins.Visible {
			// A step ends before its second visible instruction, or, when
			// merging, where mayMerge says.
			if executed && (!(st.p.Merge && st.mayMerge(s, t, ins, late)) || ins.Quiet && n >= quietSplit) {
				st.finish(s, c.lb, pc, false, fired, log, notes)
				return
			}
			if st.movedOffCPU(s, t) {
				// the step itself bound its thread to a CPU another
				// context of which now excludes it: it goes no further
				if executed || chose {
					st.finish(s, c.lb, pc, false, fired, log, notes)
				}
				return
			}
			st.mayNotSleep(s, t, ins)
			if !st.enabled(c, ins) {
				// a thread that has moved, or has chosen a branch of an
				// either, rests here blocked; one that has done neither
				// simply cannot move yet
				if executed || chose {
					st.finish(s, c.lb, pc, true, fired, log, notes)
				}
				return
			}
			executed = true
			if nonMover, _, releases := st.blockMoves(s, t, ins); nonMover || releases {
				late = true
			}
			if ins.atomicEnd > 0 {
				st.atomicLo, st.atomicHi = ins.atomicStart, ins.atomicEnd
			}
		}
		n++
		if n > maxStepInstrs {
			rtErr("%s: a step ran %d instructions without yielding: a loop that never reaches shared state (or never releases its lock)", ins.Pos, maxStepInstrs)
		}
		if st.Record {
			log = append(log, pc)
			at = pc + 1
		}
		next := ins.Next
		switch ins.Op {
		case OpAssign:
			ins.Set(c, ins.X(c))
		case OpBranch:
			if ins.X(c) != 0 {
				next = ins.Target
			} else {
				next = ins.Else
			}
		case OpJump:
			next = ins.Target
			if ins.symExit != nil && c.sym != nil {
				c.sym.hitArray(ins.symExit.arr, &ins.symExit.site)
			}
		case OpEither:
			chose = true
			fair0 := st.fair
			for i, tg := range ins.Targets {
				st.fair = fair0
				if ins.Fair {
					st.fair |= FairPassed
					if i == 0 {
						st.fair |= FairFirst
					}
				}
				if i == len(ins.Targets)-1 {
					next = tg
					break
				}
				var nc map[int]Note
				if notes != nil {
					nc = make(map[int]Note, len(notes))
					for k, v := range notes {
						nc[k] = v
					}
				}
				nacq, written := len(st.acq), st.deadS.written
				st.runFrom(s.Clone(), tg, executed, true, late, n, append([]int(nil), log...), append([]int(nil), fired...), nc)
				st.acq, st.deadS.written = st.acq[:nacq], written
				c.s, c.th, c.lb = s, t, t.localsBase()
			}
		case OpLock:
			addr := ins.Addr(c)
			owner := s.get(addr, ins.LockW)
			if owner == uint64(t.Index+1) {
				if st.Lockdep {
					st.acquire(s, t, ins, addr, pc, false)
				}
				lockErr("self-deadlock: %s acquires %s, which it already holds", t.Label, ins.LockNm(c))
			}
			if !ins.Mutex {
				st.lockCtx(c, s, t, ins, false)
			}
			if st.Lockdep {
				st.acquire(s, t, ins, addr, pc, true)
			}
			s.set(addr, ins.LockW, uint64(t.Index+1))
			if st.Record {
				name := st.p.lockName(addr)
				note(Note{Kind: NoteAcquire, Text: "acquires " + name, Lock: name})
			}
		case OpUnlock:
			addr := ins.Addr(c)
			owner := s.get(addr, ins.LockW)
			if owner != uint64(t.Index+1) {
				holder := "nobody"
				if owner != 0 {
					holder = st.p.Threads[owner-1].Label
				}
				lockErr("%s releases %s, which it does not hold (held by %s)", t.Label, ins.LockNm(c), holder)
			}
			s.set(addr, ins.LockW, 0)
			if !ins.Mutex {
				st.lockCtx(c, s, t, ins, true)
			}
			if st.Record {
				name := st.p.lockName(addr)
				note(Note{Kind: NoteRelease, Text: "releases " + name, Lock: name})
			}
		case OpSetState:
			st.p.setTaskState(s, t, int(ins.X(c)))
		case OpIrqEnter:
			if st.Record {
				note(Note{Text: fmt.Sprintf("%s fires on CPU %d", t.Kind.Ctx, st.p.cpuOf(c, t))})
			}
			if t.Kind.ForEach != nil && c.sym != nil {
				// a handler per object is not permuted with its object
				c.sym.hitArray(t.Kind.ForEach, &symSite{pos: ins.Pos, what: "interrupt handler " + t.Kind.Name + " (one per object) fires"})
			}
		case OpCtx:
			st.runCtx(c, s, t, ins)
			if !ins.Ctx.disables() {
				late = true // a release: nothing may be acquired after it in this step
			}
		case OpWake:
			target := ins.X(c)
			var before int
			if st.Record && target > 0 && int(target) <= len(st.p.Threads) {
				before = st.p.TaskState(s, st.p.Threads[target-1])
			}
			woke := st.p.wake(s, int(target))
			if woke != 0 {
				st.resumeWoken(s, st.p.Threads[target-1])
			}
			if ins.Set != nil {
				ins.Set(c, woke)
			}
			if st.Record {
				who := st.p.Threads[target-1]
				if woke != 0 {
					note(Note{Kind: NoteWake, Woken: who, Text: fmt.Sprintf("woke %s (%s -> TASK_RUNNING)", who.Label, TaskStateName(before))})
				} else {
					note(Note{Text: fmt.Sprintf("no-op: %s is %s", who.Label, TaskStateName(before))})
				}
			}
		case OpAwait:
		case OpWarn:
			v := ins.X(c)
			if v != 0 {
				fired = append(fired, ins.Prop)
				if st.Record {
					note(Note{Text: "WARN_ON fired"})
				}
			}
			if ins.Set != nil {
				ins.Set(c, v) // if (WARN_ON(cond)) uses the value
			}
		case OpListAdd:
			st.p.listAdd(s, ins.Addr(c), ins.List, ins.X(c), ins.Tail, ins)
		case OpListDel:
			st.p.listDel(s, ins.Addr(c), ins.List, ins.X(c), ins)
		case OpSetTask: // compiled only in init
			task := ins.X(c)
			if task <= 0 || int(task) > len(st.p.Threads) {
				rtErr("%s: set_task_state on an object without a thread", ins.Pos)
			}
			v := ins.Y(c)
			if v < TaskRunning || v > TaskIdle {
				rtErr("%s: %d is not a task state", ins.Pos, v)
			}
			st.p.setTaskState(s, st.p.Threads[task-1], int(v))
		case OpExit:
			if ins.symExit != nil && c.sym != nil {
				c.sym.hitArray(ins.symExit.arr, &ins.symExit.site)
			}
			if t.Kind.Ctx != CtxTask {
				// the handler returns: it may fire again from its entry
				st.checkBalanced(s, t, "returns from the interrupt")
				at = 0 // what finish raises is the step's, not the exit's
				st.finish(s, c.lb, 0, false, fired, log, notes)
				return
			}
			if held := st.holdsAny(s, t); held != "" {
				lockErr("%s exits while holding %s", t.Name, held)
			}
			st.checkBalanced(s, t, "exits")
			st.p.setTaskState(s, t, TaskDead)
			// a finished thread's locals are dead: zero them so equal futures pack equally
			for _, l := range t.Kind.Locals {
				s.set(c.lb+l.Off, l.Width, 0)
			}
			next = len(code)
		}
		pc = next
	}
}

// keepLive zeroes every local of a resting thread except the live ones, so
// states that differ only in dead locals are one state.
func (st *Stepper) keepLive(s State, lb, n uint32, live []*Local) { keepLiveIn(s, lb, n, live) }

// keepLiveIn is keepLive for any thread's locals at lb.
func keepLiveIn(s State, lb, n uint32, live []*Local) {
	if n == 0 {
		return
	}
	var buf [16]uint64
	vals := buf[:0]
	for _, l := range live {
		vals = append(vals, s.get(lb+l.Off, l.Width))
	}
	s.clearRange(lb, n)
	for i, l := range live {
		s.set(lb+l.Off, l.Width, vals[i])
	}
}

// finish ends a step with the running thread resting at pc: dead locals
// are zeroed and the successor is emitted.
func (st *Stepper) finish(s State, lb uint32, pc int, blocks bool, fired, log []int, notes map[int]Note) {
	t := st.t
	code := t.Kind.Code
	st.p.setPC(s, t, pc)
	if pc < len(code) {
		st.keepLive(s, lb, t.Kind.locBits, code[pc].live)
	} else if st.cur != nil {
		st.cur.W.Add(LocFin)
		st.cur.W.Add(LocCtx) // it leaves its CPU
	}
	st.settleDead(s)
	st.succ = Succ{State: s, Thread: t.Index, Branch: st.branch, Fired: fired, Log: log, Blocks: blocks, Notes: notes, Acquired: st.acq, Fair: st.fair}
	st.emit(&st.succ)
	st.branch++
}

func mayBlock(op Op) bool {
	return op == OpLock || op == OpAwait || op == OpSchedule || op == OpIrqEnter
}

func (p *Program) builtinProp(k PropKind) int {
	for i, pr := range p.Props {
		if pr.Kind == k {
			return i
		}
	}
	panic("no built-in property " + k.String())
}

// PC returns thread t's program counter in s; len(code) means finished.
func (p *Program) PC(s State, t *Thread) int { return int(s.get(t.Base, t.Kind.PCW)) }

func (p *Program) setPC(s State, t *Thread, pc int) { s.set(t.Base, t.Kind.PCW, uint64(pc)) }

// TaskState returns thread t's task state (TaskRunning, ...).
func (p *Program) TaskState(s State, t *Thread) int {
	return int(s.get(t.taskOff(), taskW))
}

func (p *Program) setTaskState(s State, t *Thread, v int) {
	s.set(t.taskOff(), taskW, uint64(v))
}

// wake implements wake_up_process on task (1-based thread index): a sleeping
// task becomes TASK_RUNNING and the call returns 1; a running or dead task is
// left alone and the call returns 0.
func (p *Program) wake(s State, task int) int64 {
	if task <= 0 || task > len(p.Threads) {
		rtErr("wake_up_process on NULL or on an object with no thread")
	}
	t := p.Threads[task-1]
	switch p.TaskState(s, t) {
	case TaskInterruptible, TaskUninterruptible, TaskIdle:
		p.setTaskState(s, t, TaskRunning)
		return 1
	}
	return 0
}

// Finished reports whether thread t has exited.
func (p *Program) Finished(s State, t *Thread) bool { return p.PC(s, t) >= len(t.Kind.Code) }

// Blocked says why a thread's next instruction cannot run.
type Blocked uint8

const (
	NotBlocked      Blocked = iota // it can run (or has finished)
	BlockedLock                    // it waits for a lock another thread holds (LockOwner says who)
	BlockedSchedule                // it sleeps in schedule() in a sleeping task state
	BlockedAwait                   // it waits in await() for a condition
	BlockedIrq                     // an interrupt handler whose trigger does not hold: not fired
	BlockedCPU                     // another context of its CPU keeps it off (CPUBlocker says which)
)

// BlockedOn says what thread t waits for in s, if its next instruction
// (returned too; nil when it has finished) cannot run.
func (p *Program) BlockedOn(s State, t *Thread) (what Blocked, ins *Instr) {
	pc := p.PC(s, t)
	if pc >= len(t.Kind.Code) {
		return NotBlocked, nil
	}
	ins = t.Kind.Code[pc]
	if what := p.blockedOwn(s, t, ins); what != NotBlocked {
		return what, ins
	}
	if p.NCPUs > 0 {
		if y, _ := p.CPUBlocker(s, t); y != nil {
			return BlockedCPU, ins
		}
	}
	return NotBlocked, ins
}

// blockedOwn says what thread t's next instruction ins waits for in s, the
// CPU aside.
func (p *Program) blockedOwn(s State, t *Thread, ins *Instr) Blocked {
	return p.blockedIn(&Ctx{p: p, s: s, th: t, lb: t.localsBase()}, ins)
}

// blockedIn is blockedOwn in c, a context for thread c.th in state c.s
// (as blockedOwn makes it): c's quantifier slots are scratch.
func (p *Program) blockedIn(c *Ctx, ins *Instr) Blocked {
	s, t := c.s, c.th
	switch ins.Op {
	case OpLock:
		owner := s.get(ins.Addr(c), ins.LockW)
		if owner != 0 && owner != uint64(t.Index+1) {
			return BlockedLock
		}
	case OpSchedule:
		if p.TaskState(s, t) != TaskRunning {
			return BlockedSchedule
		}
	case OpAwait:
		if v, ok := safeEval(c, ins.X); ok && v == 0 {
			return BlockedAwait
		}
	case OpIrqEnter:
		if v, ok := safeEval(c, ins.X); ok && v == 0 {
			return BlockedIrq
		}
	}
	return NotBlocked
}

// LockOwner returns the thread holding the lock of a blocked OpLock, or nil.
func (p *Program) LockOwner(s State, t *Thread, ins *Instr) (*Thread, string) {
	c := &Ctx{p: p, s: s, th: t, lb: t.localsBase()}
	owner := s.get(ins.Addr(c), ins.LockW)
	if owner == 0 {
		return nil, ins.LockNm(c)
	}
	return p.Threads[owner-1], ins.LockNm(c)
}

// ---- lists ----

func (p *Program) listLen(s State, off uint32, li *ListInfo) int {
	return int(s.get(off, li.LenW))
}

func (p *Program) listAt(s State, off uint32, li *ListInfo, i int) int64 {
	return int64(s.get(off+uint32(li.LenW)+uint32(i)*uint32(li.ElemW), li.ElemW)) + 1
}

func (p *Program) listPut(s State, off uint32, li *ListInfo, i int, ref int64) {
	s.set(off+uint32(li.LenW)+uint32(i)*uint32(li.ElemW), li.ElemW, uint64(ref-1))
}

func (p *Program) listIndex(s State, off uint32, li *ListInfo, ref int64) int {
	n := p.listLen(s, off, li)
	for i := 0; i < n; i++ {
		if p.listAt(s, off, li, i) == ref {
			return i
		}
	}
	return -1
}

func (p *Program) listAdd(s State, off uint32, li *ListInfo, ref int64, tail bool, ins *Instr) {
	if ref == 0 {
		rtErr("%s: list_add of NULL", ins.Pos)
	}
	if p.listIndex(s, off, li, ref) >= 0 {
		rtErr("%s: list corruption: the entry is already on the list (list_add twice without list_del)", ins.Pos)
	}
	n := p.listLen(s, off, li)
	if tail {
		p.listPut(s, off, li, n, ref)
	} else {
		for i := n; i > 0; i-- {
			p.listPut(s, off, li, i, p.listAt(s, off, li, i-1))
		}
		p.listPut(s, off, li, 0, ref)
	}
	s.set(off, li.LenW, uint64(n+1))
}

func (p *Program) listDel(s State, off uint32, li *ListInfo, ref int64, ins *Instr) {
	if ref == 0 {
		rtErr("%s: list_del of NULL", ins.Pos)
	}
	i := p.listIndex(s, off, li, ref)
	if i < 0 {
		rtErr("%s: list corruption: list_del of an entry that is not on this list", ins.Pos)
	}
	n := p.listLen(s, off, li)
	for j := i; j < n-1; j++ {
		p.listPut(s, off, li, j, p.listAt(s, off, li, j+1))
	}
	// keep unused slots zero: equal lists must pack to equal bits
	s.set(off+uint32(li.LenW)+uint32(n-1)*uint32(li.ElemW), li.ElemW, 0)
	s.set(off, li.LenW, uint64(n-1))
}

// lockSlots lists every lock in the model (global locks and lock fields of every object).
func (p *Program) lockSlots() []lockSlot {
	var out []lockSlot
	for _, g := range p.Globals {
		if g.Type.Kind == KLock {
			out = append(out, lockSlot{g.Off, g.Width, g.Type.Mutex, g.Name})
		}
	}
	for _, st := range p.Structs {
		for i := 0; i < st.Count; i++ {
			for _, f := range st.Fields {
				if f.Type.Kind == KLock {
					out = append(out, lockSlot{st.fieldOff(i, f), f.Width, f.Type.Mutex, st.ObjName(i) + "." + f.Name})
				}
			}
		}
	}
	return out
}

// HeldLocks describes the locks held in s, e.g. "pool.lock by worker_thread[1]".
func (p *Program) HeldLocks(s State) []string {
	var out []string
	for _, l := range p.lockSlots() {
		if o := s.get(l.off, l.w); o != 0 {
			out = append(out, fmt.Sprintf("%s held by %s", l.name, p.Threads[o-1].Name))
		}
	}
	return out
}

// describeRef names a reference value of struct st.
func describeRef(st *Struct, v int64) string {
	if v == 0 {
		return "NULL"
	}
	return st.ObjName(int(v - 1))
}

// ListString renders a list as [a, b, c].
func (p *Program) listString(s State, off uint32, li *ListInfo, st *Struct) string {
	n := p.listLen(s, off, li)
	parts := make([]string, n)
	for i := 0; i < n; i++ {
		parts[i] = describeRef(st, p.listAt(s, off, li, i))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// WithInitial returns a copy of p whose initial state is s (a state of p),
// to search onwards from the end of a trace.
func (p *Program) WithInitial(s State) *Program {
	q := *p
	q.init, q.initErr = s.Clone(), nil
	return &q
}
