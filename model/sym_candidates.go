package model

import (
	"fmt"

	"wqcheck/model/syntax"
)

// What tells the objects of an array apart (see symmetry.go): the arrays a
// reduction may permute, the marks the compiler puts on the operations that
// tell objects apart, the watch that records a marked operation executed
// while a search runs, and the static check of a foreach body.

// SymBreak says where a model tells the objects of an array apart.
type SymBreak struct {
	Array *Array
	Pos   syntax.Pos
	What  string // "index(w)", "workers[2]", "a foreach that returns early", ...
	// At is SymWatch.At when it was seen: the explorer sets it to the
	// state being expanded or checked, to report the first break in
	// search order whatever the number of workers
	At int
	// Why, when set, says in words why the array is not permuted, where no
	// operation tells its objects apart (it is too large to permute)
	Why string
}

func (b *SymBreak) String() string {
	return fmt.Sprintf("%s at %s:%d:%d", b.What, b.Pos.File, b.Pos.Line, b.Pos.Col)
}

// symSite is a marked operation, made at compile time.
type symSite struct {
	pos  syntax.Pos
	what string
}

// symExit is the mark on a jump out of a foreach over arr.
type symExit struct {
	arr  *Array
	site symSite
}

// WatchSymmetry makes the stepper record in w the operations that tell
// symmetric objects apart (nil stops it).
func (st *Stepper) WatchSymmetry(w *SymWatch) { st.ctx.sym = w }

// WatchSymmetry makes the evaluator record in w the operations that tell
// symmetric objects apart (nil stops it).
func (e *Evaluator) WatchSymmetry(w *SymWatch) { e.c.sym = w }

// SymWatch records the marked operations a search executes on objects of
// the arrays a reduction uses. One per goroutine.
type SymWatch struct {
	on   []bool      // by Array.ID: the reduction uses the array
	hits []*SymBreak // by Array.ID: the first break seen
	Any  bool        // some break was seen
	At   int         // set by the caller: where the search is (SymBreak.At)
}

// NewSymWatch watches the arrays of sym.
func (sym *Symmetry) NewSymWatch() *SymWatch {
	w := &SymWatch{on: make([]bool, len(sym.p.Arrays)), hits: make([]*SymBreak, len(sym.p.Arrays))}
	for _, a := range sym.arrays {
		w.on[a.a.ID] = true
	}
	return w
}

// Breaks returns the breaks seen, in array order, and forgets them.
func (w *SymWatch) Breaks() []*SymBreak {
	var out []*SymBreak
	for i, b := range w.hits {
		if b != nil {
			out = append(out, b)
			w.hits[i] = nil
		}
	}
	w.Any = false
	return out
}

func (w *SymWatch) hitArray(a *Array, site *symSite) {
	if w.on[a.ID] && w.hits[a.ID] == nil {
		w.hits[a.ID] = &SymBreak{Array: a, Pos: site.pos, What: site.what, At: w.At}
		w.Any = true
	}
}

// hitObj records site if object obj of struct s is in a watched array.
func (w *SymWatch) hitObj(s *Struct, obj int, site *symSite) {
	if obj >= 0 && obj < len(s.arrOf) {
		w.hitArray(s.arrOf[obj], site)
	}
}

// SymmetryCandidates returns the arrays a symmetry reduction may permute:
// every array of two or more objects not in exclude. A stranded-work
// property's item array of more than 8 items is left out (its per-edge
// permutations are stored as 16-bit ranks).
//
// The explorer stores one permutation per edge for one item array: the
// first stranded-work property's (of at most 8 items) may be permuted, and
// the item array of any other stranded-work property is left out unless it
// is the same array.
func (p *Program) SymmetryCandidates(exclude map[*Array]bool) []*Array {
	var items *Array
	fixed := map[*Array]bool{}
	for _, pr := range p.Props {
		if pr.Kind != PropStranded {
			continue
		}
		switch {
		case items == nil && pr.Items.Len <= 8 && !exclude[pr.Items]:
			items = pr.Items
		case pr.Items != items:
			fixed[pr.Items] = true
		}
	}
	// an array whose threads' CPUs may tell its objects apart is not
	// permuted (per-object interrupt handlers are not permuted either: the
	// first time one fires, the search drops the array; see OpIrqEnter)
	for _, k := range p.Kinds {
		if k.ForEach != nil && k.CPUOrdered {
			fixed[k.ForEach] = true
		}
	}
	var out []*Array
	for _, a := range p.Arrays {
		if a.Single || a.Len < 2 || exclude[a] || fixed[a] {
			continue
		}
		out = append(out, a)
	}
	return out
}

// symSite makes the mark for an operation that tells objects apart, or
// returns nil where no mark is needed: in init, which runs once before the
// search.
func (c *compiler) symSite(pos syntax.Pos, what string) *symSite {
	if c.inInit {
		return nil
	}
	c.cpuSym = c.cpuSym || c.inCPU
	return &symSite{pos: pos, what: what}
}

// symLoop is an enclosing foreach over an object array, while compiling.
type symLoop struct {
	arr   *Array
	frame *frame // the function it is in: a return leaves it only from there
	loop  int    // its index in compiler.loops: a break leaves it only from there
	pos   syntax.Pos
}

// markSymExit marks the jump (or thread exit) at pc when it leaves the
// innermost foreach over an object array early: which object the loop
// stopped at depends on the order of the array.
func (c *compiler) markSymExit(pc int, pos syntax.Pos, what string, isBreak bool) {
	if len(c.symLoops) == 0 || c.inInit {
		return
	}
	l := c.symLoops[len(c.symLoops)-1]
	if l.frame != c.frame || isBreak && l.loop != len(c.loops)-1 {
		return
	}
	c.code[pc].symExit = &symExit{arr: l.arr, site: symSite{pos: pos, what: fmt.Sprintf("a foreach over %s (line %d) that stops early (%s)", l.arr.Name, l.pos.Line, what)}}
}

// notPerElement says why a foreach body over loop variable v may depend on
// the order of the iteration, or returns "" when each iteration only
// updates v's own fields (and locals declared inside the body) from values
// it reads: then the order is immaterial. Early exits are checked when
// they happen (markSymExit); a thread resting inside the loop is checked by
// the canonicaliser.
func notPerElement(body syntax.Stmt, v string) string {
	pe := &perElement{v: v, declared: map[string]bool{}, written: map[string]bool{}}
	walkStmts(body, func(s syntax.Stmt) {
		if a, ok := s.(*syntax.AssignStmt); ok {
			if f, ok := a.Lhs.(*syntax.FieldExpr); ok {
				pe.written[f.Name] = true
			}
		}
	})
	return pe.stmt(body)
}

// perElement is notPerElement's walk over a foreach body.
type perElement struct {
	v        string          // the loop variable
	declared map[string]bool // the locals declared in the body (so far)
	// the fields the body writes (of the loop object): no iteration may
	// read them of another object, which an earlier iteration may have
	// written
	written map[string]bool
}

// first returns the first non-empty reason of the expressions', or "".
func (pe *perElement) first(es ...syntax.Expr) string {
	for _, e := range es {
		if r := pe.expr(e); r != "" {
			return r
		}
	}
	return ""
}

// expr says why evaluating e may depend on the order, or returns "".
func (pe *perElement) expr(e syntax.Expr) string {
	switch x := e.(type) {
	case *syntax.UnaryExpr:
		return pe.expr(x.X)
	case *syntax.BinaryExpr:
		return pe.first(x.X, x.Y)
	case *syntax.CondExpr:
		return pe.first(x.C, x.X, x.Y)
	case *syntax.CallExpr:
		if !pureBuiltins[x.Fun] {
			return "calls " + x.Fun + "()"
		}
		return pe.first(x.Args...)
	case *syntax.FieldExpr:
		if id, ok := x.X.(*syntax.Ident); pe.written[x.Name] && (!ok || id.Name != pe.v) {
			return "reads " + syntax.FormatExpr(x) + ", which it writes of each " + pe.v
		}
		return pe.expr(x.X)
	case *syntax.IndexExpr:
		return pe.first(x.X, x.Idx)
	case *syntax.QuantExpr:
		if x.Var == pe.v {
			return "shadows " + pe.v
		}
		return pe.first(x.Over, x.Body)
	}
	return ""
}

// stmt says why executing s may depend on the order, or returns "".
func (pe *perElement) stmt(s syntax.Stmt) string {
	switch x := s.(type) {
	case *syntax.Block:
		for _, y := range x.Stmts {
			if r := pe.stmt(y); r != "" {
				return r
			}
		}
	case *syntax.IfStmt:
		if r := pe.expr(x.Cond); r != "" {
			return r
		}
		if r := pe.stmt(x.Then); r != "" {
			return r
		}
		if x.Else != nil {
			return pe.stmt(x.Else)
		}
	case *syntax.VarStmt:
		pe.declared[x.Name] = true
		if x.Init != nil {
			return pe.expr(x.Init)
		}
	case *syntax.AssignStmt:
		return pe.assign(x)
	case *syntax.ReturnStmt:
		if x.X != nil {
			return pe.expr(x.X)
		}
	case *syntax.BreakStmt, *syntax.ContinueStmt, *syntax.GotoStmt:
	case *syntax.LabeledStmt:
		return pe.stmt(x.Stmt)
	default:
		return "does more than update each " + pe.v + "'s fields"
	}
	return ""
}

// assign accepts an assignment to a field of the loop object or to a local
// declared in the body, from a value that does not depend on the order.
func (pe *perElement) assign(x *syntax.AssignStmt) string {
	switch l := x.Lhs.(type) {
	case *syntax.FieldExpr:
		if id, ok := l.X.(*syntax.Ident); !ok || id.Name != pe.v {
			return "assigns " + syntax.FormatExpr(x.Lhs)
		}
	case *syntax.Ident:
		if !pe.declared[l.Name] {
			return "assigns " + l.Name
		}
	default:
		return "assigns " + syntax.FormatExpr(x.Lhs)
	}
	if x.Rhs != nil {
		return pe.expr(x.Rhs)
	}
	return ""
}
