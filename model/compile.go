package model

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"wqcheck/model/syntax"
)

// defaultIntLo and defaultIntHi are the range of a plain `int`. Narrow it with
// int<lo..hi> to keep states small; a value leaving its range is a runtime error.
const (
	defaultIntLo = -32768
	defaultIntHi = 32767
)

// Compile type-checks a merged model and compiles it to a Program. Every
// error it returns is an *Error naming the position and what was expected.
func Compile(f *syntax.File, files map[string][]byte, opts Options) (p *Program, err error) {
	c := &compiler{
		file:    f,
		files:   files,
		opts:    opts,
		consts:  map[string]constVal{},
		structs: map[string]*Struct{},
		arrays:  map[string]*Array{},
		globals: map[string]*Global{},
		funcs:   map[string]*syntax.FuncDecl{},
		kinds:   map[string]*ThreadKind{},
		single:  map[string]*Thread{},
		locs:    map[string]int{},
	}
	c.prog = &Program{Name: f.Model, Doc: f.Doc, Files: files, Merge: !opts.Fine, propByName: map[string]*Property{}}
	defer func() {
		if r := recover(); r != nil {
			e, ok := r.(*Error)
			if !ok {
				panic(r)
			}
			p, err = nil, e
		}
	}()
	c.compile()
	c.prog.watch = &watchCompiler{c: c}
	return c.prog, nil
}

type constVal struct {
	v      int64
	isBool bool
	kind   string // param, const, flag
}

type compiler struct {
	file    *syntax.File
	files   map[string][]byte
	opts    Options
	maxSub  int // the largest lockdep subclass a spin_lock_nested() names
	prog    *Program
	consts  map[string]constVal
	structs map[string]*Struct
	arrays  map[string]*Array
	globals map[string]*Global
	funcs   map[string]*syntax.FuncDecl
	kinds   map[string]*ThreadKind
	single  map[string]*Thread // single-instance threads by name (they are tasks)

	// code generation state
	kind    *ThreadKind
	code    []*Instr
	scope   *scope
	frame   *frame
	depth   int // inlining depth
	curPos  syntax.Pos
	curText string
	fn      string
	track   tracking
	locs    map[string]int // abstract locations by name (footprint.go)
	lastLoc int            // the last location touched (footprint.go)
	inCPU   bool           // compiling an `on cpu` expression (threadCPU)
	cpuSym  bool           // and it has made a symmetry mark (symSite)
	// lastCPULocal is the cpu_local field last accessed without its
	// guard, nil if none since lvalueW began (cpulocal.go)
	lastCPULocal *Field
	// skipped are the liveness properties Options.NoLiveness left out
	skipped map[string]bool
	inInit  bool
	// pureCalls makes calls of model functions expand as expressions (a
	// function whose body is one return), as in properties; await uses it
	// because its condition is re-evaluated every time the thread retries.
	pureCalls bool
	inProp    bool
	// noGuard > 0 inside data_race(...): accesses are not checked against
	// guarded_by, and count as non-movers
	noGuard int
	qdepth  int
	loops   []*loopCtx
	// symLoops are the enclosing foreach loops over object arrays
	symLoops []symLoop
	// temps are the temporaries of the statement being compiled (call
	// results, wake and warn_on values): released when it is done.
	temps []*Local
	// locUses is what the code touches, by location (movers.go);
	// taskCurr says the model calls task_curr() where it can run;
	// unreachable counts the enclosing constant-false conditions
	// (`WORK_MAY_HOG && task_curr(self)` with WORK_MAY_HOG false)
	locUses     map[string]*locUse
	taskCurr    bool
	unreachable int
	// deadExprs are the live_when conditions, by Program.dead slot;
	// inLiveWhen is set while one is compiled
	deadExprs  []syntax.Expr
	inLiveWhen bool
}

// tracking collects what the instruction being compiled reads and writes.
type tracking struct {
	shared bool
	// nonmover: it touches shared state that no guarded_by lock protects
	// (or reads a guarded field under data_race()), or another thread's
	// task state. Such an access does not commute with other threads'
	// steps, so a merged step may contain at most one (see Stepper).
	nonmover bool
	// locs are the shared locations it touches, by name, each with
	// whether this access is checked against a guard (movers.go)
	locs map[string]bool
	// opaque: it observes shared state no location names (a task's
	// state, whether a lock is held)
	opaque bool
	uses   map[int]bool
	foot   Access // the locations touched (footprint.go)
	// threadBits: which bits of the thread blocks it reads, finer than
	// LocTask and LocFin (reads.go: readsTaskStates, readsPCs)
	threadBits uint8
	// deadFields: the live_when fields it reads (by deadField.i), whose
	// conditions a read in a property evaluates (reads.go)
	deadFields uint8
	// foreignGhost: it touches a ghost field other than through its
	// thread's own `self` (starts.go)
	foreignGhost bool
	// cpuLocal: the cpu_local fields it accesses under their guard
	cpuLocal []*Field
}

type scope struct {
	parent *scope
	vars   map[string]*binding
	locals []*Local // declared in this scope: their slots are released when it ends
}

type binding struct {
	typ   Type
	local *Local // a thread local
	q     int    // a quantifier slot, when local is nil and ev is nil
	ev    Eval   // a constant per thread (self), or a bound argument in a property function
	self  bool
}

type frame struct {
	fd     *syntax.FuncDecl
	ret    *Local
	retTyp Type
	exit   []*int // jumps to patch to the function's exit
	labels map[string]int
	gotos  []gotoFix
	parent *frame
}

type gotoFix struct {
	target *int
	label  string
	pos    syntax.Pos
}

type loopCtx struct {
	breaks    []*int
	continues []*int
}

func (c *compiler) errf(pos syntax.Pos, format string, args ...any) {
	panic(syntax.ErrorAt(c.files[pos.File], pos, fmt.Sprintf(format, args...), ""))
}

func (c *compiler) errHint(pos syntax.Pos, hint, format string, args ...any) {
	panic(syntax.ErrorAt(c.files[pos.File], pos, fmt.Sprintf(format, args...), hint))
}

// builtin names a user may not redefine.
var builtinFuncs = map[string]bool{
	"spin_lock": true, "spin_unlock": true, "raw_spin_lock": true, "raw_spin_unlock": true,
	"spin_lock_irq": true, "spin_unlock_irq": true, "raw_spin_lock_irq": true, "raw_spin_unlock_irq": true,
	"mutex_lock": true, "mutex_unlock": true, "set_current_state": true, "__set_current_state": true,
	"schedule": true, "wake_up_process": true, "await": true, "warn_on": true, "WARN_ON": true, "WARN_ON_ONCE": true,
	"list_add": true, "list_add_tail": true, "list_del": true, "list_del_init": true, "list_move": true,
	"list_move_tail": true, "list_empty": true, "first": true, "last": true, "list_first_entry_or_null": true,
	"list_last_entry_or_null": true, "len": true, "list_count": true, "min": true, "max": true,
	"task_state": true, "set_task_state": true, "finished": true, "spin_is_locked": true, "mutex_is_locked": true,
	"index": true, "list_index": true, "list_nth": true, "task_curr": true,
	"list_first_entry": true, "list_last_entry": true, "likely": true, "unlikely": true,
	"READ_ONCE": true, "WRITE_ONCE": true, "lockdep_assert_held": true,
}

func init() {
	for name := range lockForms {
		builtinFuncs[name] = true
	}
	for name := range ctxBuiltins {
		builtinFuncs[name] = true
	}
}

var predeclared = map[string]int64{
	"TASK_RUNNING": TaskRunning, "TASK_INTERRUPTIBLE": TaskInterruptible,
	"TASK_UNINTERRUPTIBLE": TaskUninterruptible, "TASK_IDLE": TaskIdle, "TASK_DEAD": TaskDead,
	"WORK_CPU_UNBOUND": CPUUnbound, "SINGLE_DEPTH_NESTING": 1,
}

// compile runs the phases in order. Each declares what the later ones refer
// to: constants size the object arrays, the arrays give the threads, the
// threads the widths of references, the globals and objects the offsets
// the code reads, and the code the thread blocks' sizes.
func (c *compiler) compile() {
	for _, d := range c.file.Decls {
		if pd, ok := d.(*syntax.PatchDecl); ok {
			c.errf(pd.Pos, "patch %s is applied when the model is loaded with what it extends: compile the merged model", pd.Name)
		}
	}
	c.predeclare()
	c.declareConstants()
	c.checkAssumes()
	c.declareObjects()
	c.cpus()
	c.declareThreadsAndFuncs()
	c.indexObjects()
	c.layOutStructs()
	off := c.declareGlobals()
	c.checkGlobalGuards()
	off = c.placeObjects(off)
	c.compileBodies()
	c.placeThreads(off)
	c.declareProperties()
	c.compileDead()
	if c.opts.Strict {
		c.markRacy()
	}
	c.markQuiet()
	c.markResumes()
	c.bindCPULocal()
	c.markCPUWrites()
	c.buildLockClasses(!c.opts.NoLockdep) // lock classes, and the lockdep family
	c.applyAliases()
	c.markWitnesses()
	c.buildInitialState()
	c.fixCPUs()
	c.startDead()
	c.prog.retireIdleThreads()
	c.advanceStarts()
	if c.prog.NCPUs > 0 {
		c.prog.stepReads.R.Add(LocCtx)
	}
	c.prog.computeFutures()
	c.layOutReads()
}

// predeclare declares the predeclared constants (TASK_RUNNING, ...) and the
// built-in properties, which come first so that their indexes are fixed.
func (c *compiler) predeclare() {
	for name, v := range predeclared {
		c.consts[name] = constVal{v: v, kind: "const"}
	}
	c.addProp(&Property{Name: "deadlock", Kind: PropDeadlock, Text: "some thread can never move again although it has not finished"})
	c.addProp(&Property{Name: "lock-discipline", Kind: PropLockDiscipline, Text: "no self-deadlock, no unlock by a non-holder, no sleeping while holding a spinlock, no exit with a lock held"})
	c.addProp(&Property{Name: "runtime-error", Kind: PropRuntimeError, Text: "no NULL dereference, value out of range, list corruption or bad index"})
	if c.opts.NoLiveness {
		c.skipped = map[string]bool{"lockup": true, "starvation": true}
		return
	}
	c.addProp(&Property{Name: "lockup", Kind: PropLockup, Text: "no thread stays in a spinlock, IRQs-off or preemption-off section for ever (soft/hard lockup)"})
	c.addProp(&Property{Name: "starvation", Kind: PropStarvation, Text: "no thread waits for a lock for ever while others run"})
}

// declareConstants evaluates the parameters (with their --set values),
// constants and flags, in declaration order, and refuses a --set naming no
// parameter.
func (c *compiler) declareConstants() {
	used := map[string]bool{}
	flagSet := 0
	for _, d := range c.file.Decls {
		switch d := d.(type) {
		case *syntax.ParamDecl:
			c.declareParam(d, used)
		case *syntax.ConstDecl:
			c.declareName(d.Name, d.Pos)
			v, isBool := c.constEval(d.Value)
			c.consts[d.Name] = constVal{v: v, isBool: isBool, kind: "const"}
		case *syntax.FlagsDecl:
			flagSet++
			c.declareFlags(d, flagSet)
		}
	}
	c.checkSettingsUsed(used)
}

// declareParam evaluates a parameter, applies its --set value (marking it
// used) and checks it against its range.
func (c *compiler) declareParam(d *syntax.ParamDecl, used map[string]bool) {
	p := c.prog
	c.declareName(d.Name, d.Pos)
	v, isBool := c.constEval(d.Value)
	def := v
	from := "" // the --set that gave the value, for the errors below
	if raw, ok := c.opts.Set[d.Name]; ok {
		used[d.Name] = true
		from = fmt.Sprintf("--set %s=%s: ", d.Name, raw)
		want := "an integer"
		if isBool {
			want = "true or false"
		}
		nv, nb, err := ParseSetting(raw)
		if err != nil {
			panic(syntax.ErrorAt(c.files[d.Pos.File], d.Pos, fmt.Sprintf("%s%v (parameter %s, declared here, takes %s)", from, err, d.Name, want), ""))
		}
		if nb != isBool {
			panic(syntax.ErrorAt(c.files[d.Pos.File], d.Pos, fmt.Sprintf("%sparameter %s, declared here, takes %s", from, d.Name, want), ""))
		}
		v = nv
	}
	if d.Min != nil {
		lo, _ := c.constEval(d.Min)
		hi, _ := c.constEval(d.Max)
		if lo > hi {
			panic(syntax.ErrorAt(c.files[d.Pos.File], d.Pos, fmt.Sprintf("parameter %s has the empty range %d..%d", d.Name, lo, hi), ""))
		}
		if v < lo || v > hi {
			panic(syntax.ErrorAt(c.files[d.Pos.File], d.Pos, fmt.Sprintf("%sparameter %s = %d is outside its range %d..%d", from, d.Name, v, lo, hi), ""))
		}
	}
	c.consts[d.Name] = constVal{v: v, isBool: isBool, kind: "param"}
	p.Params = append(p.Params, ParamValue{Name: d.Name, Value: v, IsBool: isBool, Default: def, Pos: d.Pos})
}

// declareFlags gives each flag of a set its value: the one written, or the
// lowest bit of a plain int that no flag of the set has taken.
func (c *compiler) declareFlags(d *syntax.FlagsDecl, flagSet int) {
	var usedBits int64
	for _, it := range d.Items {
		if it.Value != nil {
			v, _ := c.constEval(it.Value)
			usedBits |= v
		}
	}
	for _, it := range d.Items {
		c.declareName(it.Name, it.Pos)
		var v int64
		if it.Value != nil {
			v, _ = c.constEval(it.Value)
		} else {
			// the bits of a plain int (-32768..32767): 0..14
			for b := 0; b < 15; b++ {
				if usedBits&(1<<b) == 0 {
					v = 1 << b
					break
				}
			}
			if v == 0 {
				c.errHint(it.Pos, "give it a value (FLAG = 1 << 16) and store it in a wide enough int<lo..hi>",
					"no free bit for flag %s: bits 0..14 (those of an int) are taken", it.Name)
			}
			usedBits |= v
		}
		c.consts[it.Name] = constVal{v: v, kind: "flag"}
		c.prog.Flags = append(c.prog.Flags, FlagConst{Name: it.Name, Value: v, Set: flagSet, SetName: d.Name})
	}
}

// checkSettingsUsed refuses a --set that names no parameter of the model.
func (c *compiler) checkSettingsUsed(used map[string]bool) {
	var unknown []string
	for name := range c.opts.Set {
		if !used[name] {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) == 0 {
		return
	}
	sort.Strings(unknown)
	var names []string
	for _, pv := range c.prog.Params {
		names = append(names, pv.Name)
	}
	e := &Error{Msg: fmt.Sprintf("--set %s: model %s has no parameter %s", unknown[0], c.file.Model, unknown[0])}
	if len(names) > 0 {
		e.Hint = "its parameters: " + strings.Join(names, ", ")
	} else {
		e.Hint = "it has no parameters"
	}
	panic(e)
}

// checkAssumes checks the parameters' constraints, before anything is built
// or searched.
func (c *compiler) checkAssumes() {
	for _, d := range c.file.Decls {
		if ad, ok := d.(*syntax.AssumeDecl); ok {
			c.checkAssume(ad)
		}
	}
}

// declareObjects declares the struct names, then the object arrays: their
// sizes give each struct's object count.
func (c *compiler) declareObjects() {
	p := c.prog
	for _, d := range c.file.Decls {
		if sd, ok := d.(*syntax.StructDecl); ok {
			c.declareName(sd.Name, sd.Pos)
			s := &Struct{Name: sd.Name, Pos: sd.Pos, byName: map[string]*Field{}}
			c.structs[sd.Name] = s
			s.ID = len(p.Structs)
			p.Structs = append(p.Structs, s)
		}
	}
	for _, d := range c.file.Decls {
		vd, ok := d.(*syntax.VarDecl)
		if !ok {
			continue
		}
		s := c.structs[vd.Type.Name]
		if s == nil {
			if vd.Len != nil {
				c.errf(vd.Pos, "arrays are of objects: %s is not a struct", vd.Type.Name)
			}
			continue
		}
		c.declareName(vd.Name, vd.Pos)
		if vd.Init != nil {
			c.errf(vd.Pos, "object %s cannot have an initialiser; set its fields in an init block", vd.Name)
		}
		a := &Array{ID: len(p.Arrays), Name: vd.Name, Pos: vd.Pos, Struct: s, First: s.Count, Len: 1, Single: vd.Len == nil}
		if vd.Len != nil {
			n, _ := c.constEval(vd.Len)
			if n < 0 || n > 64 {
				c.errf(vd.Len.ExprPos(), "array %s has %d elements: expected 0 to 64", vd.Name, n)
			}
			a.Len = int(n)
		}
		s.Count += a.Len
		s.Arrays = append(s.Arrays, a)
		c.arrays[vd.Name] = a
		p.Arrays = append(p.Arrays, a)
	}
}

// declareThreadsAndFuncs declares the functions and the thread kinds with
// their instances, names first: the bodies, compiled later, refer to each
// other.
func (c *compiler) declareThreadsAndFuncs() {
	for _, d := range c.file.Decls {
		switch d := d.(type) {
		case *syntax.FuncDecl:
			c.declareName(d.Name, d.Pos)
			if builtinFuncs[d.Name] {
				c.errf(d.Pos, "%s is a built-in; choose another name", d.Name)
			}
			c.funcs[d.Name] = d
		case *syntax.ThreadDecl:
			c.declareThread(d)
		}
	}
}

// declareThread declares a thread kind, checks what it runs for each of,
// and adds its instances to the program's threads.
func (c *compiler) declareThread(d *syntax.ThreadDecl) {
	p := c.prog
	c.declareName(d.Name, d.Pos)
	k := &ThreadKind{Name: d.Name, Pos: d.Pos, Daemon: d.Daemon, Fair: d.Fair, Ctx: d.Context}
	c.threadContext(d, k)
	if d.ForEach != "" {
		a := c.arrays[d.ForEach]
		if a == nil {
			c.errf(d.ForPos, "thread %s runs for each %s, but %s is not an object array", d.Name, d.ForEach, d.ForEach)
		}
		if d.Param == nil {
			c.errf(d.Pos, "thread %s runs for each %s: declare its parameter, e.g. thread %s(%s self)", d.Name, a.Name, d.Name, a.Struct.Name)
		}
		if d.Param.Type.Name != a.Struct.Name {
			c.errf(d.Param.Pos, "thread %s runs for each %s, whose elements are %s, but its parameter is %s", d.Name, a.Name, a.Struct.Name, d.Param.Type.Name)
		}
		k.ForEach = a
		if k.Ctx == CtxTask {
			// an object's task is what wake_up_process(obj) wakes;
			// interrupt handlers per object are not tasks
			if a.Struct.Thread != nil {
				c.errf(d.Pos, "struct %s already has a thread (%s); wake_up_process needs one thread per object", a.Struct.Name, a.Struct.Thread.Name)
			}
			a.Struct.Thread = k
		}
	} else if d.Param != nil {
		c.errf(d.Param.Pos, "thread %s takes a parameter but does not say `for each ARRAY`", d.Name)
	}
	c.kinds[d.Name] = k
	p.Kinds = append(p.Kinds, k)
	if k.ForEach == nil {
		t := &Thread{Kind: k, Index: len(p.Threads), Obj: -1, Name: d.Name, Short: d.Name, Label: threadLabel(d, -1)}
		p.Threads = append(p.Threads, t)
		c.single[d.Name] = t
		return
	}
	a := k.ForEach
	for i := 0; i < a.Len; i++ {
		name := fmt.Sprintf("%s(%s)", d.Name, a.Struct.ObjName(a.First+i))
		short := fmt.Sprintf("%s[%d]", d.Name, i)
		if a.Single {
			short = d.Name
		}
		label := threadLabel(d, i)
		if d.Label == "" {
			label = short
		}
		p.Threads = append(p.Threads, &Thread{Kind: k, Index: len(p.Threads), Obj: a.First + i, Name: name, Short: short, Label: label})
	}
}

// indexObjects records each object's array and task, and the interrupt
// handlers; a model without threads is refused here.
func (c *compiler) indexObjects() {
	p := c.prog
	for _, s := range p.Structs {
		s.taskOf = make([]int, s.Count)
		for i := range s.taskOf {
			s.taskOf[i] = -1
		}
		s.arrOf = make([]*Array, s.Count)
		for _, a := range s.Arrays {
			for i := 0; i < a.Len; i++ {
				s.arrOf[a.First+i] = a
			}
		}
	}
	for _, t := range p.Threads {
		if t.Obj >= 0 && t.Kind.Ctx == CtxTask {
			t.Kind.ForEach.Struct.taskOf[t.Obj] = t.Index
		}
		if t.Kind.Ctx != CtxTask {
			p.irqThreads = append(p.irqThreads, t)
		}
	}
	if len(p.Threads) == 0 {
		c.errHint(c.file.ModelPos, "declare at least one `thread name() { ... }`", "model %s has no threads: there is nothing to explore", c.file.Model)
	}
}

// layOutStructs types each struct's fields and gives them their offsets in
// an object (see layout.go); a guard naming a field of the object must name
// a lock.
func (c *compiler) layOutStructs() {
	for _, d := range c.file.Decls {
		sd, ok := d.(*syntax.StructDecl)
		if !ok {
			continue
		}
		s := c.structs[sd.Name]
		var off uint32
		for _, fd := range sd.Fields {
			t := c.resolveType(fd.Type, true)
			for _, name := range fd.Names {
				if s.byName[name] != nil {
					c.errf(fd.Pos, "struct %s has two fields named %s", s.Name, name)
				}
				f := &Field{Name: name, Pos: fd.Pos, Type: t, Off: off, Guard: fd.Guard, GuardPos: fd.GuardPos, Ghost: fd.Ghost}
				f.Width, f.List = c.slotOf(t)
				off += varBits(f.Width, f.List)
				if fd.LiveWhen != nil {
					c.declareDead(s, f, fd)
				}
				if fd.CPULocal {
					c.declareCPULocal(f, fd)
				}
				if fd.Clock {
					if !fd.Ghost {
						c.errf(fd.ClockPos, "clock: %s.%s is not a ghost field; only ghost state can stand for time (kernel code does not keep it)", s.Name, name)
					}
					f.Clock = true
				}
				s.Fields = append(s.Fields, f)
				s.byName[name] = f
			}
		}
		for _, fd := range sd.Fields {
			if fd.Guard != "" && !strings.Contains(fd.Guard, ".") && s.byName[fd.Guard] != nil {
				// a field of the object itself (a global lock of that name
				// is checked with the layout, below)
				if g := s.byName[fd.Guard]; g.Type.Kind != KLock {
					c.errf(fd.GuardPos, "guarded_by(%s): struct %s has no lock field %s", fd.Guard, s.Name, fd.Guard)
				}
			}
		}
		s.Stride = off
	}
}

// declareGlobals types the global scalars, lists and locks, evaluates their
// initial values and places them first in the state (see layout.go); it
// returns the bits they take.
func (c *compiler) declareGlobals() uint32 {
	p := c.prog
	var off uint32
	for _, d := range c.file.Decls {
		vd, ok := d.(*syntax.VarDecl)
		if !ok || c.structs[vd.Type.Name] != nil {
			continue
		}
		c.declareName(vd.Name, vd.Pos)
		t := c.resolveType(vd.Type, true)
		g := &Global{Name: vd.Name, Pos: vd.Pos, Type: t, Off: off, Ghost: vd.Ghost, Guard: vd.Guard, GuardPos: vd.GuardPos}
		if vd.Ghost && (t.Kind == KLock || t.Kind == KList) {
			c.errf(vd.Pos, "a ghost variable is a plain value; %s cannot be a %s", vd.Name, t)
		}
		g.Width, g.List = c.slotOf(t)
		off += varBits(g.Width, g.List)
		if vd.Init != nil {
			g.Init = c.globalInit(vd, t)
		}
		c.globals[vd.Name] = g
		p.Globals = append(p.Globals, g)
	}
	return off
}

// globalInit evaluates a global's initial value (an int in its range, or a
// bool as 0 or 1).
func (c *compiler) globalInit(vd *syntax.VarDecl, t Type) int64 {
	if t.Kind != KInt && t.Kind != KBool {
		c.errf(vd.Init.ExprPos(), "only int and bool globals take an initial value; %s is %s", vd.Name, t)
	}
	v, _ := c.constEval(vd.Init)
	if t.Kind == KInt && (v < t.Lo || v > t.Hi) {
		c.errf(vd.Init.ExprPos(), "initial value %d of %s is outside %s", v, vd.Name, t)
	}
	if t.Kind == KBool && v != 0 {
		v = 1
	}
	return v
}

// checkGlobalGuards checks that every guarded_by naming a global lock (for
// a global, or for a field that its object has no lock of that name for)
// names one.
func (c *compiler) checkGlobalGuards() {
	p := c.prog
	for _, g := range p.Globals {
		if g.Guard != "" {
			if _, _, ok := c.guardLock(g.Guard); !ok {
				c.errf(g.GuardPos, "guarded_by(%s): there is no global lock %s (a lock variable, or a lock field of a single object: pool.lock)", g.Guard, g.Guard)
			}
		}
	}
	for _, s := range p.Structs {
		for _, f := range s.Fields {
			if f.Guard != "" && s.byName[f.Guard] == nil {
				if _, _, ok := c.guardLock(f.Guard); !ok {
					c.errf(f.GuardPos, "guarded_by(%s): struct %s has no lock field %s, and there is no global lock %s (a lock variable, or a lock field of a single object: pool.lock)", f.Guard, s.Name, f.Guard, f.Guard)
				}
			}
		}
	}
}

// compileBodies compiles the thread bodies, then every function on its own
// (so an uncalled function is still type-checked); the init block is
// compiled and run with the initial state.
func (c *compiler) compileBodies() {
	for _, d := range c.file.Decls {
		if td, ok := d.(*syntax.ThreadDecl); ok {
			c.compileThread(td)
		}
	}
	for _, d := range c.file.Decls {
		if fd, ok := d.(*syntax.FuncDecl); ok {
			c.checkFunc(fd)
		}
	}
}

// declareProperties compiles the invariants and stranded-work properties,
// in declaration order.
func (c *compiler) declareProperties() {
	for _, d := range c.file.Decls {
		switch d := d.(type) {
		case *syntax.InvariantDecl:
			pr := &Property{Name: d.Name, Kind: PropInvariant, Pos: d.Pos, Text: syntax.FormatExpr(d.Expr)}
			pr.Invariant = c.propExpr(d.Expr, nil, &pr.reads)
			c.addProp(pr)
		case *syntax.StrandedDecl:
			c.declareStranded(d)
		case *syntax.LivenessDecl:
			c.declareLiveness(d)
		}
	}
}

// declareLiveness compiles a liveness property: its two conditions, with
// the quantified element bound in slot 0.
func (c *compiler) declareLiveness(d *syntax.LivenessDecl) {
	pr := &Property{Name: d.Name, Kind: PropLiveness, Pos: d.Pos}
	var sc *scope
	if d.Var != "" {
		a := c.arrays[d.Over]
		if a == nil {
			c.errf(d.OverPos, "liveness %s: %s is not an object array", d.Name, d.Over)
		}
		if a.Len > 64 {
			c.errf(d.OverPos, "liveness %s: at most 64 elements are supported", d.Name)
		}
		pr.Over = a
		sc = &scope{vars: map[string]*binding{d.Var: {typ: Type{Kind: KRef, Struct: a.Struct}, q: 0}}}
		c.qdepth = 1
	}
	if d.From != nil {
		pr.From = c.propExpr(d.From, sc, &pr.reads)
		pr.Text = syntax.FormatExpr(d.From) + " ~> "
	} else {
		pr.Text = "eventually "
	}
	pr.To = c.propExpr(d.To, sc, &pr.reads)
	pr.Text += syntax.FormatExpr(d.To)
	if d.Var != "" {
		pr.Text = "forall " + d.Var + " in " + d.Over + ": " + pr.Text
	}
	c.qdepth = 0
	if c.opts.NoLiveness {
		// checked, but left out: the search runs without liveness
		c.skipped[pr.Name] = true
		return
	}
	c.addProp(pr)
}

// declareStranded compiles a stranded-work property: the condition that
// makes an item of the array pending.
func (c *compiler) declareStranded(d *syntax.StrandedDecl) {
	a := c.arrays[d.Over]
	if a == nil {
		c.errf(d.OverPos, "stranded %s: %s is not an object array (expected the array of work items)", d.Name, d.Over)
	}
	if a.Struct.Count > 64 {
		c.errf(d.OverPos, "stranded %s: at most 64 work items are supported", d.Name)
	}
	sc := &scope{vars: map[string]*binding{d.Var: {typ: Type{Kind: KRef, Struct: a.Struct}, q: 0}}}
	c.qdepth = 1
	pr := &Property{Name: d.Name, Kind: PropStranded, Pos: d.Pos, Text: syntax.FormatExpr(d.Pending), Items: a}
	pr.Pending = c.propExpr(d.Pending, sc, &pr.reads)
	c.qdepth = 0
	c.addProp(pr)
}

// applyAliases renames built-in properties as the model's aliases say.
func (c *compiler) applyAliases() {
	for _, d := range c.file.Decls {
		d, ok := d.(*syntax.AliasDecl)
		if !ok {
			continue
		}
		pr := c.prog.propByName[d.Builtin]
		if pr == nil || (pr.Kind != PropDeadlock && pr.Kind != PropLockDiscipline && pr.Kind != PropRuntimeError) {
			c.errHint(d.Pos, "the built-in properties are deadlock, lock-discipline and runtime-error", "alias %s: %q is not a built-in property", d.Name, d.Builtin)
		}
		if c.prog.propByName[d.Name] != nil {
			c.errf(d.Pos, "alias %s: a property named %s exists already", d.Name, d.Name)
		}
		delete(c.prog.propByName, pr.Name)
		pr.Name = d.Name
		pr.Pos = d.Pos
		c.prog.propByName[d.Name] = pr
	}
}

// markWitnesses marks the properties the model declares informational
// (witness NAME): a search looks for a state that breaks them.
func (c *compiler) markWitnesses() {
	for _, d := range c.file.Decls {
		if ds, ok := d.(*syntax.DescribeDecl); ok {
			pr := c.prog.propByName[ds.Name]
			if pr == nil && c.skipped[ds.Name] {
				continue
			}
			if pr == nil {
				c.errf(ds.Pos, "describe %s: no property named %s", ds.Name, ds.Name)
				continue
			}
			pr.Desc = ds.Text
		}
		if w, ok := d.(*syntax.WitnessDecl); ok {
			pr := c.prog.propByName[w.Name]
			if pr == nil && c.skipped[w.Name] {
				continue
			}
			if pr == nil {
				c.errf(w.Pos, "witness %s: no property named %s", w.Name, w.Name)
			}
			pr.Witness = true
		}
	}
}

// buildInitialState sets the globals' initial values, then runs the init
// blocks.
func (c *compiler) buildInitialState() {
	p := c.prog
	p.init = make(State, p.Words)
	for _, g := range p.Globals {
		if g.Type.Kind == KInt {
			p.init.set(g.Off, g.Width, encodeInt(g.Init, g.Type.Lo, g.Type.Hi))
		} else if g.Type.Kind == KBool {
			p.init.set(g.Off, g.Width, uint64(g.Init))
		}
	}
	for _, d := range c.file.Decls {
		if id, ok := d.(*syntax.InitDecl); ok {
			c.runInit(id)
		}
	}
}

// retireIdleThreads ends, in the initial state, every thread whose code
// exits before touching shared state (`if (!HOTPLUG) return;`): such a
// thread does nothing any other thread can see, so it is as if it did not
// exist, and its exit would only be one more interleaving point.
func (p *Program) retireIdleThreads() {
	st := p.NewStepper()
	st.Record = true
	for _, t := range p.Threads {
		var next State
		n, ok := 0, true
		st.ThreadSuccessors(p.init, t, func(sc *Succ) {
			n++
			ok = ok && sc.Err == nil && len(sc.Fired) == 0 && p.Finished(sc.State, t)
			for _, pc := range sc.Log {
				ok = ok && !t.Kind.Code[pc].Visible
			}
			next = sc.State.Clone()
		})
		if n == 1 && ok {
			p.init = next
		}
	}
}

func (c *compiler) threadCount() int { return len(c.prog.Threads) }

// cpus evaluates the model's `cpus N;` declaration, if any.
func (c *compiler) cpus() {
	for _, d := range c.file.Decls {
		cd, ok := d.(*syntax.CpusDecl)
		if !ok {
			continue
		}
		if c.prog.NCPUs != 0 {
			c.errf(cd.Pos, "the CPUs are declared twice")
		}
		n, isBool := c.constEval(cd.N)
		if isBool || n < 1 || n > 8 {
			c.errf(cd.N.ExprPos(), "cpus: expected a number of CPUs from 1 to 8, found %s", syntax.FormatExpr(cd.N))
		}
		c.prog.NCPUs = int(n)
	}
}

// threadContext checks a thread's context clause against the model's CPUs.
// With CPUs every thread says where it runs; without, none may.
func (c *compiler) threadContext(d *syntax.ThreadDecl, k *ThreadKind) {
	written := d.OnCPU != nil || d.Unbound
	if c.prog.NCPUs == 0 {
		if written || d.Context != CtxTask {
			pos := d.CtxPos
			if !written {
				pos = d.Pos
			}
			c.errHint(pos, "declare the CPUs first, e.g. cpus 2;", "thread %s: the model declares no CPUs, so a thread cannot be bound to one or be an interrupt handler", d.Name)
		}
		return
	}
	k.CtxW = ctxW
	switch {
	case d.Context != CtxTask && d.Unbound:
		c.errHint(d.CtxPos, fmt.Sprintf("write: %s thread %s() on cpu 0 { ... }", d.Context, d.Name),
			"%s handler %s cannot be unbound: an interrupt arrives on one CPU and interrupts what runs there", d.Context, d.Name)
	case d.Context != CtxTask && d.OnCPU == nil:
		c.errHint(d.Pos, fmt.Sprintf("write: %s thread %s() on cpu 0 { ... }", d.Context, d.Name),
			"%s handler %s: say which CPU it interrupts (on cpu EXPR)", d.Context, d.Name)
	case !written:
		c.errHint(d.Pos, "add `on cpu EXPR` (a task bound to that CPU, as a per-cpu kworker) or `unbound` (it may run on any CPU) after the thread's header",
			"thread %s: the model has CPUs, so say where the thread runs", d.Name)
	}
}

func (c *compiler) addProp(pr *Property) int {
	if old := c.prog.propByName[pr.Name]; old != nil {
		c.errf(pr.Pos, "property %q is declared twice (first at %s)", pr.Name, old.Pos)
	}
	c.prog.Props = append(c.prog.Props, pr)
	c.prog.propByName[pr.Name] = pr
	return len(c.prog.Props) - 1
}

func (c *compiler) declareName(name string, pos syntax.Pos) {
	if topLevelWords[name] {
		c.errf(pos, "%s opens a top-level declaration: it cannot name a global, a constant or a function", name)
	}
	if _, ok := c.consts[name]; ok {
		if _, pre := predeclared[name]; pre {
			c.errf(pos, "%s is predeclared; choose another name", name)
		}
		c.errf(pos, "%s is declared twice", name)
	}
	if c.structs[name] != nil || c.arrays[name] != nil || c.globals[name] != nil || c.funcs[name] != nil || c.kinds[name] != nil {
		c.errf(pos, "%s is declared twice", name)
	}
}

// topLevelWords open top-level declarations; they may name fields and
// locals (struct worker has `flags`) but not what is declared at the top.
var topLevelWords = map[string]bool{
	"model": true, "extends": true, "param": true, "const": true, "flags": true, "struct": true, "extend": true,
	"thread": true, "daemon": true, "invariant": true, "stranded": true, "liveness": true, "init": true, "alias": true,
	"witness": true, "new": true, "ghost": true, "assume": true, "describe": true, "fair": true,
}

// resolveType checks a written type. Storage types may be lists and locks;
// locals may not (they are fixed places in the kernel's structures).
func (c *compiler) resolveType(te *syntax.TypeExpr, storage bool) Type {
	switch te.Name {
	case "int":
		if te.Lo == nil {
			return Type{Kind: KInt, Lo: defaultIntLo, Hi: defaultIntHi}
		}
		lo, _ := c.constEval(te.Lo)
		hi, _ := c.constEval(te.Hi)
		if lo > hi {
			c.errf(te.Pos, "empty integer range int<%d..%d>", lo, hi)
		}
		if lo < math.MinInt32 || hi > math.MaxInt32 {
			c.errf(te.Pos, "integer range int<%d..%d> does not fit 32 bits", lo, hi)
		}
		if hi-lo > 1<<32 {
			c.errf(te.Pos, "integer range int<%d..%d> is wider than 32 bits", lo, hi)
		}
		return Type{Kind: KInt, Lo: lo, Hi: hi}
	case "bool":
		return Type{Kind: KBool}
	case "spinlock", "mutex":
		if !storage {
			c.errf(te.Pos, "a %s cannot be a local variable or parameter: locks live in globals or struct fields", te.Name)
		}
		return Type{Kind: KLock, Mutex: te.Name == "mutex"}
	case "list":
		if !storage {
			c.errf(te.Pos, "a list cannot be a local variable or parameter: lists live in globals or struct fields")
		}
		s := c.structs[te.Elem]
		if s == nil {
			c.errf(te.Pos, "list<%s>: %s is not a struct", te.Elem, te.Elem)
		}
		return Type{Kind: KList, Struct: s}
	case "void":
		return Type{Kind: KVoid}
	case "task":
		return Type{Kind: KTask}
	case "task_struct":
		// struct task_struct *t: a task, unless the model has such a struct
		if c.structs[te.Name] == nil {
			return Type{Kind: KTask}
		}
	}
	if s := c.structs[te.Name]; s != nil {
		return Type{Kind: KRef, Struct: s}
	}
	c.errHint(te.Pos, "types are int, int<lo..hi>, bool, list<T>, spinlock, mutex, task and struct names", "unknown type %s", te.Name)
	return Type{}
}

// ---- constant expressions ----

func (c *compiler) constEval(e syntax.Expr) (int64, bool) {
	switch e := e.(type) {
	case *syntax.IntLit:
		return e.Val, false
	case *syntax.BoolLit:
		if e.Val {
			return 1, true
		}
		return 0, true
	case *syntax.Ident:
		if v, ok := c.consts[e.Name]; ok {
			return v.v, v.isBool
		}
		c.errf(e.Pos, "%s is not a constant: expected a number, a parameter, a const or a flag here", e.Name)
	case *syntax.UnaryExpr:
		v, _ := c.constEval(e.X)
		switch e.Op {
		case "-":
			return -v, false
		case "~":
			return ^v, false
		case "!":
			return b2i(v == 0), true
		}
	case *syntax.BinaryExpr:
		x, xb := c.constEval(e.X)
		y, _ := c.constEval(e.Y)
		if (e.Op == "<<" || e.Op == ">>") && (y < 0 || y > 31) {
			c.errf(e.Pos, "shift count %d in a constant expression: expected 0..31", y)
		}
		v, ok := arith(e.Op, x, y)
		if !ok {
			c.errf(e.Pos, "%s in a constant expression", arithWhy(e.Op, x, y))
		}
		if v < math.MinInt32 || v > math.MaxInt32 {
			c.errf(e.Pos, "constant expression %s = %d does not fit 32 bits", syntax.FormatExpr(e), v)
		}
		switch e.Op {
		case "==", "!=", "<", "<=", ">", ">=", "&&", "||":
			return v, true
		}
		return v, xb && (e.Op == "&" || e.Op == "|" || e.Op == "^")
	case *syntax.CondExpr:
		cv, _ := c.constEval(e.C)
		if cv != 0 {
			return c.constEval(e.X)
		}
		return c.constEval(e.Y)
	case *syntax.CallExpr:
		if (e.Fun == "min" || e.Fun == "max") && len(e.Args) == 2 {
			x, _ := c.constEval(e.Args[0])
			y, _ := c.constEval(e.Args[1])
			if (e.Fun == "min") == (x < y) {
				return x, false
			}
			return y, false
		}
	}
	c.errf(e.ExprPos(), "expected a constant expression here, found %s", syntax.FormatExpr(e))
	return 0, false
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// arith applies a binary operator; ok is false on division by zero, a
// shift count outside 0..62, or a result that overflows 64 bits (which
// would otherwise wrap silently: x*x*x of a 32-bit x); arithWhy says which.
func arith(op string, x, y int64) (int64, bool) {
	switch op {
	case "+":
		r := x + y
		return r, (r > x) == (y > 0)
	case "-":
		r := x - y
		return r, (r < x) == (y > 0)
	case "*":
		if x == 0 || y == 0 {
			return 0, true
		}
		r := x * y
		return r, r/y == x && !(x == -1 && y == math.MinInt64) && !(y == -1 && x == math.MinInt64)
	case "/":
		if y == 0 {
			return 0, false
		}
		return x / y, true
	case "%":
		if y == 0 {
			return 0, false
		}
		return x % y, true
	case "&":
		return x & y, true
	case "|":
		return x | y, true
	case "^":
		return x ^ y, true
	case "<<":
		if y < 0 || y > 62 {
			return 0, false
		}
		return x << y, (x<<y)>>y == x
	case ">>":
		if y < 0 || y > 62 {
			return 0, false
		}
		return x >> y, true
	case "==":
		return b2i(x == y), true
	case "!=":
		return b2i(x != y), true
	case "<":
		return b2i(x < y), true
	case "<=":
		return b2i(x <= y), true
	case ">":
		return b2i(x > y), true
	case ">=":
		return b2i(x >= y), true
	case "&&":
		return b2i(x != 0 && y != 0), true
	case "||":
		return b2i(x != 0 || y != 0), true
	}
	return 0, true
}

// threadLabel expands a thread's `as` name for instance i ({i} is the index;
// -1 for a single thread) and falls back to the thread's name.
func threadLabel(d *syntax.ThreadDecl, i int) string {
	if d.Label == "" {
		return d.Name
	}
	return strings.ReplaceAll(d.Label, "{i}", fmt.Sprint(i))
}

// checkAssume evaluates an `assume` over the parameters and constants and
// refuses a configuration that breaks it, naming the values involved.
func (c *compiler) checkAssume(d *syntax.AssumeDecl) {
	v, _ := c.constEval(d.Expr)
	if v != 0 {
		return
	}
	var vals []string
	seen := map[string]bool{}
	syntax.InspectExpr(d.Expr, func(e syntax.Expr) {
		id, ok := e.(*syntax.Ident)
		if !ok {
			return
		}
		if cv, ok := c.consts[id.Name]; ok && !seen[id.Name] && cv.kind == "param" {
			seen[id.Name] = true
			val := fmt.Sprint(cv.v)
			if cv.isBool {
				val = fmt.Sprint(cv.v != 0)
			}
			vals = append(vals, id.Name+" = "+val)
		}
	})
	msg := "the parameters break the model's assumption " + syntax.FormatExpr(d.Expr)
	if len(vals) > 0 {
		msg += " (" + strings.Join(vals, ", ") + ")"
	}
	c.errHint(d.Pos, "the model is not meant for this configuration; choose other --set values", "%s", msg)
}

// arithWhy says why arith refused op on x and y.
func arithWhy(op string, x, y int64) string {
	switch {
	case (op == "/" || op == "%") && y == 0:
		return fmt.Sprintf("division by zero (%d %s %d)", x, op, y)
	case (op == "<<" || op == ">>") && (y < 0 || y > 62):
		return fmt.Sprintf("shift count %d out of range (%d %s %d)", y, x, op, y)
	}
	return fmt.Sprintf("%d %s %d overflows 64 bits", x, op, y)
}
