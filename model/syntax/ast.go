package syntax

// This file holds the syntax tree of a .wq file, as the parser builds it and
// before any name is resolved. The model package's compiler turns a tree,
// merged along its extends chain, into a typed model; the printer (printer.go)
// turns a tree back into source for `wqcheck show`.

// File is one parsed .wq file.
type File struct {
	Path       string // as given to the parser, used in positions
	Src        []byte
	Model      string // the name after `model`
	ModelPos   Pos
	Extends    []string // the parent models (usually one)
	ExtendsPos []Pos
	Doc        string // the comment block directly above `model`, if any
	Decls      []Decl
}

// Decl is a top-level declaration.
type Decl interface {
	DeclPos() Pos
	DeclName() string
	// IsNew reports whether a child model marked the declaration `new`.
	IsNew() bool
}

type declBase struct {
	Pos Pos
	New bool // `new` prefix in a child model: adds rather than redefines
}

func (d *declBase) DeclPos() Pos { return d.Pos }
func (d *declBase) IsNew() bool  { return d.New }

// ParamDecl: `param N = 3;` or `param N = 3 in 1..8;`. Overridable with --set.
type ParamDecl struct {
	declBase
	Name     string
	Value    Expr
	Min, Max Expr // optional range
}

// ConstDecl: `const MAX_IDLE_WORKERS_RATIO = 4;`.
type ConstDecl struct {
	declBase
	Name  string
	Value Expr
}

// FlagsDecl: `flags { A = 1 << 1, B, C }` declares named bit constants. An item
// without a value takes the next unused bit.
type FlagsDecl struct {
	declBase
	Name  string // optional; used only in messages
	Items []FlagItem
}

type FlagItem struct {
	Pos   Pos
	Name  string
	Value Expr // nil: next free bit
}

// StructDecl: `struct worker { ... }`; with Extend set, `extend struct pool { ... }`
// adds fields to a parent model's struct.
type StructDecl struct {
	declBase
	Name   string
	Fields []*FieldDecl
	Extend bool
}

// FieldDecl is one line of a struct: a type, one or more names, an optional lock guard.
type FieldDecl struct {
	Pos      Pos
	Type     *TypeExpr
	Names    []string
	Guard    string // guarded_by(lock field), or ""
	GuardPos Pos    // where the guard's lock is named
	Ghost    bool   // auxiliary state for properties: accessing it never makes a step boundary
	// LiveWhen is live_when(COND), or nil: the field's value matters only
	// in states where COND (which names the object `self`) holds.
	LiveWhen Expr
	// CPULocal is `cpu_local` after guarded_by: its lockless writes come
	// from tasks bound to a CPU (model/movers.go, cpuLocalExcluded)
	CPULocal    bool
	CPULocalPos Pos
	// Clock is `clock`: a ghost field that stands for time passing, not
	// for kernel state; brief traces leave out the steps kept only for
	// writing it.
	Clock    bool
	ClockPos Pos
}

// VarDecl is a global variable or object: `pool pool;`, `worker workers[N];`, `bool ready;`.
type VarDecl struct {
	declBase
	Type     *TypeExpr
	Name     string
	Len      Expr // array length, or nil
	Init     Expr // initial value for scalars, or nil
	Guard    string
	GuardPos Pos // where the guard's lock is named
	Ghost    bool
}

// Param is a function or thread parameter.
type Param struct {
	Pos  Pos
	Type *TypeExpr
	Name string
}

// FuncDecl: a function. Calls are inlined by the compiler, so recursion is an error.
type FuncDecl struct {
	declBase
	Ghost  bool      // bookkeeping only: touches ghost state, hidden from traces
	Ret    *TypeExpr // Name "void" for none
	Name   string
	Params []*Param
	Body   *Block
}

// ThreadDecl: `thread name(worker self) for each workers as "kworker W{i}" { ... }` runs one
// instance per element of the array; without `for each` there is one instance.
// A `daemon` thread may rest forever in schedule() or await() without that
// counting as a deadlock (kernel threads that idle are daemons).
type ThreadDecl struct {
	declBase
	Name    string
	Param   *Param // nil for single-instance threads
	ForEach string // array name, or ""
	ForPos  Pos
	Daemon  bool
	// Fair (`fair thread ...`): strongly fair for the liveness properties:
	// a thread able to step infinitely often steps infinitely often.
	Fair bool
	// Label names the thread as a kernel developer would in a trace column
	// (`as "kworker W{i}"`; {i} is the instance's index). "" means the
	// thread's own name, with [i] for `for each` threads.
	Label string
	// Context says where the thread runs (docs/language.md "CPUs and contexts"): a
	// task (CtxTask) bound to the CPU OnCPU names, or unbound (OnCPU nil);
	// or an interrupt handler (CtxHardIRQ, CtxSoftIRQ) of the CPU OnCPU
	// names. CtxPos is where the clause is written (zero: not written).
	Context CtxKind
	OnCPU   Expr
	Unbound bool
	CtxPos  Pos
	Body    *Block
}

// CtxKind is the kind of execution context a thread runs in.
type CtxKind uint8

const (
	CtxTask    CtxKind = iota // a task (kthread, process context)
	CtxHardIRQ                // a hard interrupt handler of one CPU
	CtxSoftIRQ                // a softirq (timer, tasklet) handler of one CPU
)

func (k CtxKind) String() string { return [...]string{"task", "hardirq", "softirq"}[k] }

// CpusDecl: `cpus N;` declares the CPUs 0..N-1 that threads run on.
type CpusDecl struct {
	declBase
	N Expr
}

// InvariantDecl: `invariant name: expr;` must hold in every reachable state.
type InvariantDecl struct {
	declBase
	Name string
	Expr Expr
}

// StrandedDecl declares work that must never be stranded:
//
//	stranded name: x in works pending x in pool.worklist;
//
// An item x is pending in a state when the expression is true; a transition
// takes x when x is pending before it and not after. A state is stranded when
// some pending item can never be taken on any path from it.
type StrandedDecl struct {
	declBase
	Name    string
	Var     string
	VarPos  Pos
	Over    string // object array
	OverPos Pos
	Pending Expr
}

// AliasDecl: `alias "S8-lock-discipline" = "lock-discipline";` gives a
// built-in property the name the model's property list uses.
type AliasDecl struct {
	declBase
	Name    string
	Builtin string
}

// WitnessDecl: `witness NAME;` marks a property as informational: a
// violation is reported as "witnessed" with its trace and does not fail the run.
type WitnessDecl struct {
	declBase
	Name string
}

// DescribeDecl: `describe NAME: "sentence";` says in words what property
// NAME means (wqcheck properties, and the violation line of a trace).
type DescribeDecl struct {
	declBase
	Name string
	Text string
}

// AssumeDecl: `assume NR_BUSY <= NR_WORKERS;` a constraint on the
// parameters, checked when the model is loaded, before any search. A variant
// keeps its parents' assumptions and may add its own.
type AssumeDecl struct {
	declBase
	Expr Expr
}

// InitDecl: `init { ... }` runs once, atomically, to build the initial state.
type InitDecl struct {
	declBase
	Body *Block
}

func (d *ParamDecl) DeclName() string     { return d.Name }
func (d *ConstDecl) DeclName() string     { return d.Name }
func (d *FlagsDecl) DeclName() string     { return d.Name }
func (d *StructDecl) DeclName() string    { return d.Name }
func (d *VarDecl) DeclName() string       { return d.Name }
func (d *FuncDecl) DeclName() string      { return d.Name }
func (d *ThreadDecl) DeclName() string    { return d.Name }
func (d *InvariantDecl) DeclName() string { return d.Name }
func (d *StrandedDecl) DeclName() string  { return d.Name }
func (d *InitDecl) DeclName() string      { return "init" }
func (d *CpusDecl) DeclName() string      { return "cpus" }
func (d *AliasDecl) DeclName() string     { return "alias " + d.Builtin }
func (d *WitnessDecl) DeclName() string   { return "witness " + d.Name }
func (d *DescribeDecl) DeclName() string  { return "describe " + d.Name }

// DeclName of an assumption is its text: a variant's copy of a parent's
// assumption is the same one.
func (d *AssumeDecl) DeclName() string { return "assume " + FormatExpr(d.Expr) }

// TypeExpr is a written type: int, int<lo..hi>, bool, list<T>, spinlock,
// mutex, void, or the name of a struct (a reference to an object of it).
type TypeExpr struct {
	Pos    Pos
	Name   string
	Lo, Hi Expr   // int<lo..hi>
	Elem   string // list<Elem>
}

// ---- statements ----

// Stmt is a statement.
type Stmt interface{ StmtPos() Pos }

type Block struct {
	Pos   Pos
	End   Pos // position of the closing brace
	Stmts []Stmt
}

type VarStmt struct {
	Pos  Pos
	Type *TypeExpr
	Name string
	Init Expr
}

type ExprStmt struct {
	Pos Pos
	X   Expr
}

// AssignStmt covers `=`, the compound forms (`+=`, `|=`, ...) and `++`/`--` (Rhs nil).
type AssignStmt struct {
	Pos Pos
	Lhs Expr
	Op  string
	Rhs Expr
}

type IfStmt struct {
	Pos  Pos
	Cond Expr
	Then Stmt
	Else Stmt // nil, or *IfStmt, or *Block, or any statement
}

type WhileStmt struct {
	Pos  Pos
	Cond Expr
	Body Stmt
}

type DoWhileStmt struct {
	Pos  Pos
	Body Stmt
	Cond Expr
}

// ForStmt is C's for (init; cond; post).
type ForStmt struct {
	Pos  Pos
	Init Stmt // nil, *VarStmt, *AssignStmt or *ExprStmt
	Cond Expr // nil: forever
	Post Stmt
	Body Stmt
}

// ForeachStmt: `foreach (w in workers) { ... }` iterates an object array in
// index order, or a list from head to tail (a snapshot taken at entry).
type ForeachStmt struct {
	Pos  Pos
	Var  string
	Over Expr
	Body Stmt
}

type LabeledStmt struct {
	Pos   Pos
	Label string
	Stmt  Stmt
}

type GotoStmt struct {
	Pos   Pos
	Label string
}

type ReturnStmt struct {
	Pos Pos
	X   Expr
}

type BreakStmt struct{ Pos Pos }
type ContinueStmt struct{ Pos Pos }

// AtomicStmt: `atomic { ... }` runs as one step. Only its first statement
// may block (as the step's guard), e.g. atomic { await(c); x = 1; }.
type AtomicStmt struct {
	Pos  Pos
	Body *Block
}

// EitherStmt: `either { A } or { B } or { C }` picks one branch nondeterministically.
type EitherStmt struct {
	Pos      Pos
	Branches []*Block
	// Fair (`either fair { A } or ...`): a run that reaches the choice
	// infinitely often takes the first branch infinitely often (the way
	// out: a work function eventually returns). Only liveness reads it.
	Fair bool
}

func (s *Block) StmtPos() Pos        { return s.Pos }
func (s *VarStmt) StmtPos() Pos      { return s.Pos }
func (s *ExprStmt) StmtPos() Pos     { return s.Pos }
func (s *AssignStmt) StmtPos() Pos   { return s.Pos }
func (s *IfStmt) StmtPos() Pos       { return s.Pos }
func (s *WhileStmt) StmtPos() Pos    { return s.Pos }
func (s *DoWhileStmt) StmtPos() Pos  { return s.Pos }
func (s *ForStmt) StmtPos() Pos      { return s.Pos }
func (s *ForeachStmt) StmtPos() Pos  { return s.Pos }
func (s *LabeledStmt) StmtPos() Pos  { return s.Pos }
func (s *GotoStmt) StmtPos() Pos     { return s.Pos }
func (s *ReturnStmt) StmtPos() Pos   { return s.Pos }
func (s *BreakStmt) StmtPos() Pos    { return s.Pos }
func (s *ContinueStmt) StmtPos() Pos { return s.Pos }
func (s *EitherStmt) StmtPos() Pos   { return s.Pos }
func (s *AtomicStmt) StmtPos() Pos   { return s.Pos }

// ---- expressions ----

// Expr is an expression.
type Expr interface{ ExprPos() Pos }

type Ident struct {
	Pos  Pos
	Name string
}

type IntLit struct {
	Pos Pos
	Val int64
}

type BoolLit struct {
	Pos Pos
	Val bool
}

type NullLit struct{ Pos Pos }

type StringLit struct {
	Pos Pos
	Val string // without quotes
}

// UnaryExpr: ! ~ - and & (address-of, accepted for kernel-style `spin_lock(&pool->lock)`).
type UnaryExpr struct {
	Pos Pos
	Op  string
	X   Expr
}

// BinaryExpr: arithmetic, bitwise, comparison, logical, and `in` (list membership).
type BinaryExpr struct {
	Pos  Pos // the operator's position
	Op   string
	X, Y Expr
}

type CondExpr struct {
	Pos     Pos
	C, X, Y Expr
}

type CallExpr struct {
	Pos  Pos
	Fun  string
	Args []Expr
}

// FieldExpr: x.f (also written x->f).
type FieldExpr struct {
	Pos   Pos
	X     Expr
	Name  string
	Arrow bool
}

type IndexExpr struct {
	Pos Pos
	X   Expr
	Idx Expr
}

// QuantExpr: `forall w in workers: e`, `exists ...`, `count(w in workers: e)`.
type QuantExpr struct {
	Pos  Pos
	Kind string // forall, exists, count
	Var  string
	Over Expr
	Body Expr
}

func (e *Ident) ExprPos() Pos      { return e.Pos }
func (e *IntLit) ExprPos() Pos     { return e.Pos }
func (e *BoolLit) ExprPos() Pos    { return e.Pos }
func (e *NullLit) ExprPos() Pos    { return e.Pos }
func (e *StringLit) ExprPos() Pos  { return e.Pos }
func (e *UnaryExpr) ExprPos() Pos  { return e.Pos }
func (e *BinaryExpr) ExprPos() Pos { return e.Pos }
func (e *CondExpr) ExprPos() Pos   { return e.Pos }
func (e *CallExpr) ExprPos() Pos   { return e.Pos }
func (e *FieldExpr) ExprPos() Pos  { return e.Pos }
func (e *IndexExpr) ExprPos() Pos  { return e.Pos }
func (e *QuantExpr) ExprPos() Pos  { return e.Pos }

// StartPos returns the leftmost position of an expression (BinaryExpr.Pos is
// its operator).
func StartPos(e Expr) Pos {
	switch e := e.(type) {
	case *BinaryExpr:
		return StartPos(e.X)
	case *CondExpr:
		return StartPos(e.C)
	case *FieldExpr:
		return StartPos(e.X)
	case *IndexExpr:
		return StartPos(e.X)
	}
	return e.ExprPos()
}

// InspectExpr calls f on e and on every expression inside it, outermost
// first (as go/ast.Inspect does).
func InspectExpr(e Expr, f func(Expr)) {
	if e == nil {
		return
	}
	f(e)
	switch x := e.(type) {
	case *CallExpr:
		for _, a := range x.Args {
			InspectExpr(a, f)
		}
	case *UnaryExpr:
		InspectExpr(x.X, f)
	case *BinaryExpr:
		InspectExpr(x.X, f)
		InspectExpr(x.Y, f)
	case *CondExpr:
		InspectExpr(x.C, f)
		InspectExpr(x.X, f)
		InspectExpr(x.Y, f)
	case *FieldExpr:
		InspectExpr(x.X, f)
	case *IndexExpr:
		InspectExpr(x.X, f)
		InspectExpr(x.Idx, f)
	case *QuantExpr:
		InspectExpr(x.Over, f)
		InspectExpr(x.Body, f)
	}
}

// PatchDecl: `patch NAME { HUNKS }` changes part of a parent's function,
// thread or init block the way a kernel patch does: each hunk is a run of
// unified-diff lines, context (' '), removed ('-') and added ('+'), applied
// to the parent's source text of NAME (lines compared after normalising
// white space and dropping // comments). Hunks are separated by lines that
// begin with "@@". The body ends at a line whose first character is '}'.
type PatchDecl struct {
	declBase
	Name    string
	NamePos Pos
	Hunks   []*Hunk
}

// Hunk is one run of diff lines of a patch.
type Hunk struct {
	Pos    Pos    // its first line
	Header string // the "@@ ..." line that opened it, or ""
	Lines  []PatchLine
}

// PatchLine is one line of a hunk: Op is ' ' (context), '-' (removed) or
// '+' (added); Text is the line after the op character; Pos is where Text
// starts in the variant's file.
type PatchLine struct {
	Pos  Pos
	Op   byte
	Text string
}

func (d *PatchDecl) DeclName() string { return d.Name }
