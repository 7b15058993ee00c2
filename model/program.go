package model

import (
	"fmt"
	"strings"

	"wqcheck/model/syntax"
)

// Error is the located error Load and Compile return, the syntax package's:
// one type for a parse error and a compile error, so a caller prints both
// the same way.
type Error = syntax.Error

// CtxKind is the kind of execution context a thread runs in, as a thread
// declaration says it (syntax.CtxKind); a ThreadKind keeps it.
type CtxKind = syntax.CtxKind

// The contexts a thread may run in (see syntax.CtxKind).
const (
	CtxTask    = syntax.CtxTask
	CtxHardIRQ = syntax.CtxHardIRQ
	CtxSoftIRQ = syntax.CtxSoftIRQ
)

// Kind is the kind of a value type.
type Kind int

const (
	KVoid Kind = iota
	KInt
	KBool
	KRef   // a reference to an object of a struct, or NULL
	KList  // an ordered list of references (a kernel list_head of entries)
	KLock  // a spinlock or a mutex
	KTask  // a task: a thread instance (the kernel's task_struct)
	KArray // an object array's name (only in indexing, foreach, quantifiers, for each)
	KString
)

// Type is a checked type.
type Type struct {
	Kind   Kind
	Lo, Hi int64   // KInt range
	Struct *Struct // KRef, KList, KArray: the element struct
	Mutex  bool    // KLock: a mutex (sleeping lock) rather than a spinlock
}

func (t Type) String() string {
	switch t.Kind {
	case KInt:
		return fmt.Sprintf("int<%d..%d>", t.Lo, t.Hi)
	case KBool:
		return "bool"
	case KRef:
		if t.Struct == nil {
			return "NULL" // the type of the literal NULL, which fits any struct
		}
		return t.Struct.Name
	case KList:
		if t.Struct == nil {
			return "list"
		}
		return "list<" + t.Struct.Name + ">"
	case KLock:
		if t.Mutex {
			return "mutex"
		}
		return "spinlock"
	case KTask:
		return "task"
	case KArray:
		if t.Struct == nil {
			return "array"
		}
		return t.Struct.Name + "[]"
	case KString:
		return "string"
	}
	return "void"
}

// width returns the number of bits a scalar of type t occupies.
func (t Type) width(nthreads int) uint8 {
	switch t.Kind {
	case KInt:
		return bitsFor(t.Hi - t.Lo)
	case KBool:
		return 1
	case KRef:
		return bitsFor(int64(t.Struct.Count))
	case KLock:
		return bitsFor(int64(nthreads))
	case KTask:
		return bitsFor(int64(nthreads))
	}
	return 0
}

// Struct is a struct type together with all of its instances: objects of a
// struct live contiguously in the state, Count of them, Stride bits apart.
type Struct struct {
	ID     int // position in Program.Structs
	Name   string
	Pos    syntax.Pos
	Fields []*Field
	byName map[string]*Field
	Count  int      // number of objects of this struct in the model
	Base   uint32   // bit offset of object 0
	Stride uint32   // bits per object
	Arrays []*Array // the declarations that create the objects, in order
	// Thread is the thread kind that runs `for each` an array of this struct,
	// if any: wake_up_process(obj) wakes the instance bound to obj.
	Thread *ThreadKind
	// taskOf maps an object index to the thread instance bound to it, or -1.
	taskOf []int
	// arrOf maps an object index to the array declaring it.
	arrOf []*Array
}

// Field is a field of a struct.
type Field struct {
	Name  string
	Pos   syntax.Pos
	Type  Type
	Off   uint32 // bit offset within the object
	Width uint8
	List  *ListInfo // for KList
	Guard string    // guarded_by lock field name, or ""
	// GuardPos is where the guard's lock is named
	GuardPos syntax.Pos
	Ghost    bool
	// Clock: declared `clock`, ghost state standing for time passing
	// (ClockBits)
	Clock bool
	dead  *deadField // live_when (deadfields.go), or nil
	// ownerOnly: a thread's start was decided reading this ghost field of
	// its own object, so only an object's own thread may write it (starts.go)
	ownerOnly bool
	// cpu_local (cpulocal.go): the thread kinds whose code writes it
	// without its guard (a write that can run), and their threads
	cpuLocal        bool
	cpuLocalKinds   map[*ThreadKind]bool
	cpuLocalThreads []*Thread
	// bindWriters: the threads whose code writes what those threads'
	// `on cpu` expressions read (their binding could change meanwhile)
	bindWriters []*Thread
}

// ListInfo describes the packed layout of a list: a length then Cap slots of
// element indexes. Unused slots are kept zero so that equal lists pack equally.
type ListInfo struct {
	Cap   int
	LenW  uint8
	ElemW uint8
}

func (l *ListInfo) bits() uint32 { return uint32(l.LenW) + uint32(l.Cap)*uint32(l.ElemW) }

func newListInfo(s *Struct) *ListInfo {
	return &ListInfo{Cap: s.Count, LenW: bitsFor(int64(s.Count)), ElemW: bitsFor(int64(s.Count - 1))}
}

// Array is an object array (or a single object, Len 1, Single set).
type Array struct {
	ID     int // position in Program.Arrays
	Name   string
	Pos    syntax.Pos
	Struct *Struct
	First  int // index of element 0 among the struct's objects
	Len    int
	Single bool
}

// Global is a global scalar, lock or list.
type Global struct {
	Name  string
	Pos   syntax.Pos
	Type  Type
	Off   uint32
	Width uint8
	List  *ListInfo
	Init  int64
	Ghost bool
	Guard string // guarded_by: the global lock that protects it, or ""
	// GuardPos is where the guard's lock is named
	GuardPos syntax.Pos
}

// ThreadKind is one `thread` declaration, compiled.
type ThreadKind struct {
	Name    string
	Pos     syntax.Pos
	Daemon  bool
	Fair    bool   // `fair thread`: strongly fair (liveness)
	ForEach *Array // nil: a single instance
	Code    []*Instr
	Locals  []*Local
	locBits uint32
	free    map[uint8][]uint32 // compile time: released local slots by width, for reuse
	// PCW is the width of the program counter.
	PCW uint8
	// Ctx is the kind of context it runs in; CPU, when set, gives the CPU
	// an instance runs on (CPUUnbound for a task: unbound), evaluated on
	// the current state with the instance as the running thread; nil for
	// an unbound task. CtxW is the width of the context state in its
	// blocks (0 in a model without CPUs). See context.go.
	Ctx  CtxKind
	CPU  Eval
	CtxW uint8
	// cpuReads: the locations the CPU expression reads (cpulocal.go);
	// cpuOpaque: it also reads pcs or task states, or a live_when field
	// (whose condition the read evaluates); cpuBits: the bits of the
	// state it reads, when cpuReads and !cpuOpaque say exactly which
	// (fixCPUs: a thread's CPU is then kept from one state to the next)
	cpuReads  LocSet
	cpuOpaque bool
	cpuBits   []WordBits
	// cpuSym: the CPU expression may tell objects apart (index(), an
	// element named, also inside a function it calls): its CPU is never
	// fixed, so that the search evaluates it and the symmetry watch sees
	// that (a kept CPU, cpuBits, is evaluated in the first state a view
	// computes, which is enough: the watch's first hit stops the search)
	cpuSym bool
	// CPUOrdered says the CPU expression may give the instances of a `for
	// each` kind different CPUs by their index (index(), an element
	// named): symmetry reduction then leaves the array alone.
	CPUOrdered bool
	// Future is, per program counter, the footprint of everything the
	// thread may still do from there (footprint.go); Future[len(Code)] is
	// empty.
	Future []Access
}

// Local is a thread-local variable slot (a declared local, an inlined
// function's parameter, or a temporary).
type Local struct {
	Name string
	Type Type
	// SymIdx is set on a foreach's position counter over an object array: a
	// thread resting with it live is somewhere in the loop, an index into
	// the array (see Symmetry).
	SymIdx *Array
	Off    uint32 // bit offset within the thread's locals block
	Width  uint8
}

// Thread is one running instance of a ThreadKind.
type Thread struct {
	Kind  *ThreadKind
	Index int    // position among all threads
	Obj   int    // object index bound by `for each` (-1 for single threads)
	Name  string // e.g. "worker_thread(workers[1])" or "producer"
	Short string // identifier-like, for state descriptions: "worker_thread[1]"
	Label string // for people, in trace columns: "kworker W1" (the `as` name), else Short
	Base  uint32 // bit offset of the thread's block: pc, task state, locals
	// cpu is the CPU the thread runs on when cpuFixed: its CPU expression
	// reads no state (fixCPUs), so the stepping rule need not evaluate it.
	cpu      int8
	cpuFixed bool
}

// task states, as the kernel names them.
const (
	TaskRunning         = 0
	TaskInterruptible   = 1
	TaskUninterruptible = 2
	TaskIdle            = 3
	TaskDead            = 4
)

var taskStateNames = []string{"TASK_RUNNING", "TASK_INTERRUPTIBLE", "TASK_UNINTERRUPTIBLE", "TASK_IDLE", "TASK_DEAD"}

// TaskStateName names a task state value.
func TaskStateName(v int) string {
	if v >= 0 && v < len(taskStateNames) {
		return taskStateNames[v]
	}
	return fmt.Sprint(v)
}

// PropKind classifies properties.
type PropKind int

const (
	PropInvariant      PropKind = iota // a named invariant over the state
	PropWarnOn                         // warn_on(cond) in code: must never fire
	PropStranded                       // declared work must never be stranded
	PropDeadlock                       // built in: no thread can move, yet one must
	PropLockDiscipline                 // built in: self-deadlock, unlock by a non-holder, sleeping while atomic, exiting with a lock held
	PropRuntimeError                   // built in: NULL dereference, value out of range, list corruption, bad index
	PropLockdep                        // built in, the lockdep family: lockdep's checks over every interleaving (Check says which)
	PropLockup                         // built in: a thread stays in a spinlock, IRQs-off or preemption-off section for ever
	PropStarvation                     // built in: a thread waits for a lock for ever while others run
	PropLiveness                       // liveness NAME: P ~> Q; or eventually Q; under fairness
)

func (k PropKind) String() string {
	return [...]string{"invariant", "warn_on", "stranded", "deadlock", "lock-discipline", "runtime-error", "lockdep", "lockup", "starvation", "liveness"}[k]
}

// Property is one named property of a model. Every model has the built-in
// deadlock, lock-discipline and runtime-error properties, then its invariants,
// warn_on names and stranded-work declarations, in declaration order.
type Property struct {
	Name string
	Kind PropKind
	Pos  syntax.Pos
	Text string // the condition as written, for reports
	// Witness marks an informational property: its violation is reported
	// ("witnessed", with the trace) but does not fail the run.
	Witness bool
	// Desc says in words what the property means (describe NAME: "...").
	Desc string

	Invariant Eval // PropInvariant: true when it holds
	// PropStranded: the item array and the pending predicate (evaluated with
	// the item bound in the context's quantifier slot 0).
	Items   *Array
	Pending Eval
	// PropLockdep: which of lockdep's checks (lockdep.go)
	Check LockdepCheck
	// PropLiveness: From ~> To (From nil: eventually To, from the initial
	// state), for each element of Over (nil: once), the element bound in
	// quantifier slot 0.
	Over     *Array
	From, To Eval

	// Reads are the state bits its conditions (Invariant, Pending, From,
	// To) may read: in two states equal there, they take the same path
	// (reads.go). Empty for the kinds without conditions.
	Reads StateBits
	reads condReads // compile time: what they read
}

// Program is a compiled model: a transition system over packed States.
type Program struct {
	// FairEither says some `either fair` exists: the search keeps, per
	// edge, whether it passed one (model.Succ.Fair).
	FairEither bool

	Name    string
	Doc     string
	Extends []string // every model it extends, nearest first
	Parents []string // the models it names after extends
	// Warnings say what its variants dropped that a property depends on
	// (a ghost call, a named warn_on): wqcheck check prints them first
	Warnings []Warning
	Params   []ParamValue
	Structs  []*Struct
	Arrays   []*Array
	Globals  []*Global
	Kinds    []*ThreadKind
	Threads  []*Thread
	Props    []*Property
	// NCPUs is the number of CPUs (`cpus N;`), 0 when the model has none
	// (then every thread is an unbound task and no context is tracked).
	NCPUs int
	// irqThreads are the interrupt handlers' instances
	irqThreads []*Thread
	Words      int // state size in 64-bit words
	Bits       uint32
	Files      map[string][]byte // sources by path, for error carets and traces
	init       State
	initErr    error
	watch      *watchCompiler // CompileWatch's compiler (watch.go)
	// Merge selects lock-region merging: a step that acquires a spinlock runs
	// on until the thread holds no spinlock. Off gives the fine-grained
	// reference semantics (every statement that touches shared state is a step).
	Merge      bool
	advanced   []string // threads advanceStarts moved (starts.go)
	startPC    []int    // per thread, the pc advanceStarts gave it, or -1
	resumes    int      // schedule() calls whose return is merged (resume.go)
	propByName map[string]*Property
	stepReads  Access       // what every step reads (the contexts, CPU expressions)
	visible    LocSet       // what some property reads
	dead       []*deadField // the live_when fields (deadfields.go)
	deadOn     bool         // the search zeroes them where they are dead
	// Flags are the flag constants, for rendering flag words by name.
	Flags []FlagConst
	// LockClasses are the lock declarations, lockdep's classes (lockdep.go);
	// classAt maps each lock slot to its class.
	LockClasses []*LockClass
	classAt     map[uint32]int8
	nBase       int // classes of subclass 0
}

// FlagConst is one named bit from a flags declaration.
type FlagConst struct {
	Name  string
	Value int64
	Set   int // which flags declaration (for grouping)
	// SetName is the declaration's name ("worker_flags"), "" if unnamed:
	// a flags field of struct worker is shown with the worker_flags names
	SetName string
}

// ParamValue is a parameter and the value it has in this program.
type ParamValue struct {
	Name    string
	Value   int64
	IsBool  bool
	Default int64
	Pos     syntax.Pos
}

// Prop returns the property with the given name, or nil.
func (p *Program) Prop(name string) *Property { return p.propByName[name] }

// FormatParams renders the parameters as NAME=VALUE, space separated.
func (p *Program) FormatParams() string {
	var parts []string
	for _, pv := range p.Params {
		parts = append(parts, pv.Name+"="+pv.String())
	}
	return strings.Join(parts, " ")
}

func (pv ParamValue) String() string {
	if pv.IsBool {
		if pv.Value != 0 {
			return "true"
		}
		return "false"
	}
	return fmt.Sprint(pv.Value)
}

// ObjName names object index i of struct s: "pool", "workers[2]".
func (s *Struct) ObjName(i int) string {
	for _, a := range s.Arrays {
		if i >= a.First && i < a.First+a.Len {
			if a.Single {
				return a.Name
			}
			return fmt.Sprintf("%s[%d]", a.Name, i-a.First)
		}
	}
	return fmt.Sprintf("%s#%d", s.Name, i)
}
