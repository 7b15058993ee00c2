package model

import (
	"fmt"
	"strings"

	"wqcheck/model/syntax"
)

// lval is a compiled storage location.
type lval struct {
	typ   Type
	addr  func(*Ctx) uint32
	width uint8
	list  *ListInfo
	local *Local
	text  string
	name  func(*Ctx) string // the location named at run time ("workers[1].flags")
	get   Eval
	set   func(*Ctx, int64)
}

func isIntLike(t Type) bool { return t.Kind == KInt || t.Kind == KBool }

func zeroValue(t Type) int64 {
	if t.Kind == KInt && !(t.Lo <= 0 && 0 <= t.Hi) {
		return t.Lo
	}
	return 0
}

func (c *compiler) localGetter(l *Local) Eval {
	if l == nil {
		return nil
	}
	off, w, t := l.Off, l.Width, l.Type
	if t.Kind == KInt {
		lo, hi := t.Lo, t.Hi
		return func(cx *Ctx) int64 { return decodeInt(cx.s.get(cx.lb+off, w), lo, hi) }
	}
	return func(cx *Ctx) int64 { return int64(cx.s.get(cx.lb+off, w)) }
}

func (c *compiler) localSetter(l *Local, pos syntax.Pos, name string) func(*Ctx, int64) {
	off := l.Off
	return makeSetter(l.Type, func(cx *Ctx) uint32 { return cx.lb + off }, l.Width, pos,
		func(*Ctx) string { return name })
}

func makeSetter(t Type, addr func(*Ctx) uint32, w uint8, pos syntax.Pos, name func(*Ctx) string) func(*Ctx, int64) {
	switch t.Kind {
	case KInt:
		lo, hi := t.Lo, t.Hi
		return func(cx *Ctx, v int64) {
			if v < lo || v > hi {
				rtErr("%s: value %d is out of range for %s (%s)", pos, v, name(cx), t)
			}
			cx.s.set(addr(cx), w, encodeInt(v, lo, hi))
		}
	case KBool:
		return func(cx *Ctx, v int64) {
			if v != 0 {
				v = 1
			}
			cx.s.set(addr(cx), w, uint64(v))
		}
	}
	return func(cx *Ctx, v int64) { cx.s.set(addr(cx), w, uint64(v)) }
}

func makeGetter(t Type, addr func(*Ctx) uint32, w uint8) Eval {
	if t.Kind == KInt {
		lo, hi := t.Lo, t.Hi
		return func(cx *Ctx) int64 { return decodeInt(cx.s.get(addr(cx), w), lo, hi) }
	}
	return func(cx *Ctx) int64 { return int64(cx.s.get(addr(cx), w)) }
}

func constAddr(off uint32) func(*Ctx) uint32 { return func(*Ctx) uint32 { return off } }

// assignable checks that a value of type from may be stored in type to.
func (c *compiler) assignable(to, from Type, pos syntax.Pos, what string) {
	ok := false
	switch to.Kind {
	case KInt, KBool:
		ok = isIntLike(from)
	case KRef:
		ok = from.Kind == KRef && (from.Struct == nil || from.Struct == to.Struct)
	case KTask:
		ok = from.Kind == KTask || (from.Kind == KRef && from.Struct != nil && from.Struct.Thread != nil)
	}
	if !ok {
		c.errf(pos, "cannot use %s as %s: expected %s", from, what, to)
	}
}

// convert adapts a value to the target type (bool normalisation, ref to task).
func (c *compiler) convert(to, from Type, ev Eval) Eval {
	switch {
	case to.Kind == KBool && from.Kind == KInt:
		return func(cx *Ctx) int64 { return b2i(ev(cx) != 0) }
	case to.Kind == KTask && from.Kind == KRef:
		return c.refToTask(from.Struct, ev, "", c.curPos)
	}
	return ev
}

func (c *compiler) refToTask(s *Struct, ev Eval, text string, pos syntax.Pos) Eval {
	if s == nil || s.Thread == nil {
		name := "NULL"
		if s != nil {
			name = s.Name
		}
		c.errf(pos, "%s is not a task: no thread runs for each %s", text, name)
	}
	taskOf := s.taskOf
	sname := s.Name
	return func(cx *Ctx) int64 {
		v := ev(cx)
		if v == 0 {
			rtErr("NULL %s used as a task", sname)
		}
		t := taskOf[v-1]
		if t < 0 {
			rtErr("%s has no thread", s.ObjName(int(v-1)))
		}
		return int64(t + 1)
	}
}

// taskExpr compiles an expression that names a task: a single thread's
// name, `current`, or an object a thread runs for.
func (c *compiler) taskExpr(e syntax.Expr) Eval {
	if id, ok := e.(*syntax.Ident); ok {
		if th := c.single[id.Name]; th != nil && th.Kind.Ctx != CtxTask {
			c.errf(e.ExprPos(), "%s is a %s handler, not a task: it has no task state and is not woken, it fires", id.Name, th.Kind.Ctx)
		}
	}
	ev, t := c.expr(e)
	switch t.Kind {
	case KTask:
		return ev
	case KRef:
		return c.refToTask(t.Struct, ev, syntax.FormatExpr(e), syntax.StartPos(e))
	}
	c.errf(e.ExprPos(), "expected a task (a thread name, current, or an object a thread runs for), found %s", t)
	return nil
}

// condExpr compiles a condition: ints and references are true when non-zero.
func (c *compiler) condExpr(e syntax.Expr) Eval {
	ev, t := c.expr(e)
	switch t.Kind {
	case KInt, KBool, KRef, KTask:
		if t.Kind == KBool {
			return ev
		}
		return func(cx *Ctx) int64 { return b2i(ev(cx) != 0) }
	}
	c.errf(e.ExprPos(), "expected a condition, found %s", t)
	return nil
}

// objRef compiles an expression that must denote an object reference. It
// returns a constant object index when one is known at compile time.
func (c *compiler) objRef(e syntax.Expr) (Eval, *Struct, int) {
	// fold `pool` and `workers[2]`
	switch x := e.(type) {
	case *syntax.Ident:
		if c.lookup(x.Name) == nil {
			if a := c.arrays[x.Name]; a != nil && a.Single {
				return func(*Ctx) int64 { return int64(a.First + 1) }, a.Struct, a.First
			}
		}
	case *syntax.IndexExpr:
		if id, ok := x.X.(*syntax.Ident); ok && c.lookup(id.Name) == nil {
			if a := c.arrays[id.Name]; a != nil && !a.Single {
				if lit, ok := x.Idx.(*syntax.IntLit); ok && lit.Val >= 0 && lit.Val < int64(a.Len) {
					i := a.First + int(lit.Val)
					if site := c.symSite(x.Pos, syntax.FormatExpr(x)); site != nil {
						return func(cx *Ctx) int64 {
							if cx.sym != nil {
								cx.sym.hitArray(a, site)
							}
							return int64(i + 1)
						}, a.Struct, i
					}
					return func(*Ctx) int64 { return int64(i + 1) }, a.Struct, i
				}
			}
		}
	case *syntax.UnaryExpr:
		if x.Op == "&" {
			return c.objRef(x.X)
		}
	}
	ev, t := c.expr(e)
	if t.Kind == KRef && t.Struct == nil {
		c.errf(e.ExprPos(), "expected an object, found NULL (dereferencing the literal NULL)")
	}
	if t.Kind != KRef {
		c.errf(e.ExprPos(), "expected an object, found %s (%s)", syntax.FormatExpr(e), t)
	}
	return ev, t.Struct, -1
}

// field compiles x.f into a location.
func (c *compiler) field(e *syntax.FieldExpr) lval {
	base, s, idx := c.objRef(e.X)
	f := s.byName[e.Name]
	if f == nil {
		var names []string
		for _, x := range s.Fields {
			names = append(names, x.Name)
		}
		c.errHint(e.Pos, fmt.Sprintf("fields of %s: %v", s.Name, names), "struct %s has no field %s", s.Name, e.Name)
	}
	if !f.Ghost {
		c.track.shared = true
		if f.Type.Kind != KLock && (f.Guard == "" || c.noGuard > 0) {
			c.track.nonmover = true
		}
	}
	c.noteLoc(s.Name+"."+f.Name, f.Ghost, f.Guard, c.fieldGuardIsMutex(s, f))
	c.touch("f:" + s.Name + "." + f.Name)
	if f.Ghost && !c.viaSelf(e.X) {
		c.track.foreignGhost = true
	}
	c.noteCPULocal(f)
	text := syntax.FormatExpr(e)
	lv := lval{typ: f.Type, width: f.Width, list: f.List, text: text}
	if idx >= 0 {
		off := s.fieldOff(idx, f)
		lv.addr = constAddr(off)
		if a := s.arrOf[idx]; !a.Single {
			if site := c.symSite(e.X.ExprPos(), syntax.FormatExpr(e.X)); site != nil {
				lv.addr = func(cx *Ctx) uint32 {
					if cx.sym != nil {
						cx.sym.hitArray(a, site)
					}
					return off
				}
			}
		}
		name := s.ObjName(idx) + "." + f.Name
		lv.name = func(*Ctx) string { return name }
	} else {
		xtext := syntax.FormatExpr(e.X)
		lv.addr = func(cx *Ctx) uint32 {
			v := base(cx)
			if v == 0 {
				rtErr("%s: NULL dereference: %s is NULL", e.Pos, xtext)
			}
			return s.fieldOff(int(v-1), f)
		}
		fname := f.Name
		lv.name = func(cx *Ctx) string {
			v := base(cx)
			if v == 0 {
				return text
			}
			return s.ObjName(int(v-1)) + "." + fname
		}
	}
	if c.checksGuards(f.Guard, f.Ghost) {
		addr, name, fn := lv.addr, lv.name, c.fn
		if lockAbs, lockW, ok := c.guardLock(f.Guard); ok && s.byName[f.Guard] == nil {
			// a lock elsewhere: guarded_by(pool.lock)
			lv.addr = func(cx *Ctx) uint32 {
				checkHeld(cx, lockAbs, lockW, e.Pos, fn, name, f.Guard)
				return addr(cx)
			}
		} else {
			// the object's own lock field
			lock := s.byName[f.Guard]
			lockOff, lockW := lock.Off-f.Off, lock.Width
			lv.addr = func(cx *Ctx) uint32 {
				a := addr(cx)
				checkHeld(cx, a+lockOff, lockW, e.Pos, fn, name, f.Guard)
				return a
			}
		}
	}
	if f.Type.Kind != KList {
		lv.get = makeGetter(f.Type, lv.addr, f.Width)
		lv.set = makeSetter(f.Type, lv.addr, f.Width, e.Pos, lv.name)
	}
	if f.dead != nil {
		c.deadField(f, &lv, base, idx, e.Pos)
	}
	if f.Ghost && f.Type.Kind != KList && c.kind != nil && !c.inInit && !c.inProp {
		objOf := func(cx *Ctx) int { return int(base(cx)) - 1 }
		if idx >= 0 {
			objOf = func(*Ctx) int { return idx }
		}
		lv.set = ownerOnlySet(lv.set, s, f, e.Pos, objOf)
	}
	return lv
}

// viaSelf reports whether x is the `self` of the thread being compiled.
func (c *compiler) viaSelf(x syntax.Expr) bool {
	id, ok := x.(*syntax.Ident)
	if !ok {
		return false
	}
	b := c.lookup(id.Name)
	return b != nil && b.self
}

// checksGuards says whether an access to a variable with the given
// guarded_by lock is checked when it runs: in thread code, outside
// data_race(). (Properties observe states whole, and init runs alone.)
func (c *compiler) checksGuards(guard string, ghost bool) bool {
	return guard != "" && !ghost && c.kind != nil && !c.inInit && !c.inProp && c.noGuard == 0
}

// checkHeld reports an access to guarded state (what, at pos in function
// fn) by a thread that does not hold its lock (the lock word at bit offset
// lockAt): a breach of lock discipline, which would also make lock-region
// merging unsound (it treats such accesses as protected). Code run without a thread (none
// today: properties and init are not checked) passes.
func checkHeld(cx *Ctx, lockAt uint32, lockW uint8, pos syntax.Pos, fn string, what func(*Ctx) string, guard string) {
	if cx.th == nil || cx.s.get(lockAt, lockW) == uint64(cx.th.Index+1) {
		return
	}
	bug := newKernelBug(cx.p, cx.s, cx.th, BugDataRace, pos, fn, what(cx))
	bug.Guard = guard
	bugErr(bug, "%s: %s is guarded_by(%s), but %s accesses it without holding that lock (wrap a deliberate racy read in data_race())",
		pos, bug.Var, guard, cx.th.Label)
}

// globalAddr returns the address of a global and notes the access: shared
// unless ghost, a non-mover unless guarded (or a lock), and checked against
// its guarded_by lock in thread code.
func (c *compiler) globalAddr(g *Global, pos syntax.Pos) func(*Ctx) uint32 {
	if !g.Ghost {
		c.track.shared = true
		if g.Type.Kind != KLock && (g.Guard == "" || c.noGuard > 0) {
			c.track.nonmover = true
		}
	}
	c.noteLoc(g.Name, g.Ghost, g.Guard, c.lockIsMutex(g.Guard))
	c.touch("g:" + g.Name)
	off := g.Off
	if !c.checksGuards(g.Guard, g.Ghost) {
		return constAddr(off)
	}
	lockAt, lockW, _ := c.guardLock(g.Guard)
	name, guard, fn := g.Name, g.Guard, c.fn
	what := func(*Ctx) string { return name }
	return func(cx *Ctx) uint32 {
		checkHeld(cx, lockAt, lockW, pos, fn, what, guard)
		return off
	}
}

// lvalue compiles an assignable (or lockable, or list) location.
func (c *compiler) lvalue(e syntax.Expr) lval {
	switch x := e.(type) {
	case *syntax.CallExpr:
		if x.Fun == "data_race" && len(x.Args) == 1 {
			// data_race(w->flags) = v: a write exempt from guarded_by
			// (an object not yet published, say)
			c.noGuard++
			lv := c.lvalue(x.Args[0])
			c.noGuard--
			return lv
		}
	case *syntax.UnaryExpr:
		if x.Op == "&" {
			return c.lvalue(x.X)
		}
	case *syntax.Ident:
		if b := c.lookup(x.Name); b != nil {
			if b.local == nil {
				c.errf(x.Pos, "%s cannot be assigned", x.Name)
			}
			l := b.local
			off := l.Off
			lv := lval{typ: l.Type, width: l.Width, local: l, text: x.Name,
				addr: func(cx *Ctx) uint32 { return cx.lb + off }, name: func(*Ctx) string { return x.Name }}
			lv.get = c.localGetter(l)
			lv.set = c.localSetter(l, x.Pos, x.Name)
			return lv
		}
		if g := c.globals[x.Name]; g != nil {
			name := g.Name
			lv := lval{typ: g.Type, width: g.Width, list: g.List, text: name, addr: c.globalAddr(g, x.Pos),
				name: func(*Ctx) string { return name }}
			if g.Type.Kind != KList {
				lv.get = makeGetter(g.Type, lv.addr, g.Width)
				lv.set = makeSetter(g.Type, lv.addr, g.Width, x.Pos, lv.name)
			}
			return lv
		}
		if _, ok := c.consts[x.Name]; ok {
			c.errf(x.Pos, "%s is a constant and cannot be assigned", x.Name)
		}
		c.undefined(x)
	case *syntax.FieldExpr:
		return c.field(x)
	}
	c.errf(e.ExprPos(), "expected a variable or field, found %s", syntax.FormatExpr(e))
	return lval{}
}

// listLoc compiles an expression that must denote a list.
func (c *compiler) listLoc(e syntax.Expr) lval {
	return c.listLocW(e, false)
}

// listLocW compiles a list location, written when write is set.
func (c *compiler) listLocW(e syntax.Expr, write bool) lval {
	var lv lval
	if write {
		lv = c.lvalueW(e)
	} else {
		lv = c.lvalue(e)
	}
	if lv.typ.Kind != KList {
		c.errf(e.ExprPos(), "expected a list, found %s (%s)", lv.text, lv.typ)
	}
	return lv
}

func (c *compiler) undefined(x *syntax.Ident) {
	if x.Name == "self" {
		c.errHint(x.Pos, "only a `for each` thread has a parameter; functions take the object as an argument", "self is not defined here")
	}
	c.errf(x.Pos, "undefined: %s", x.Name)
}

// expr compiles an rvalue.
func (c *compiler) expr(e syntax.Expr) (Eval, Type) {
	switch x := e.(type) {
	case *syntax.IntLit:
		v := x.Val
		return func(*Ctx) int64 { return v }, Type{Kind: KInt, Lo: v, Hi: v}
	case *syntax.BoolLit:
		v := b2i(x.Val)
		return func(*Ctx) int64 { return v }, Type{Kind: KBool}
	case *syntax.NullLit:
		return func(*Ctx) int64 { return 0 }, Type{Kind: KRef}
	case *syntax.StringLit:
		c.errf(x.Pos, "a string is only allowed as the name in warn_on(cond, \"name\")")
	case *syntax.Ident:
		return c.ident(x)
	case *syntax.UnaryExpr:
		return c.unary(x)
	case *syntax.BinaryExpr:
		return c.binary(x)
	case *syntax.CondExpr:
		return c.ternary(x)
	case *syntax.CallExpr:
		return c.callExpr(x)
	case *syntax.FieldExpr:
		if x.Name == "task" {
			// worker->task: the task the object's thread is (the model's
			// task_struct of a kworker is its worker)
			ev, t := c.expr(x.X)
			if t.Kind == KRef && t.Struct != nil && t.Struct.byName["task"] == nil {
				return c.refToTask(t.Struct, ev, syntax.FormatExpr(x.X), syntax.StartPos(x.X)), Type{Kind: KTask}
			}
		}
		lv := c.field(x)
		if lv.typ.Kind == KList || lv.typ.Kind == KLock {
			c.errf(x.Pos, "%s is a %s: it is not a value here", lv.text, lv.typ)
		}
		return lv.get, lv.typ
	case *syntax.IndexExpr:
		return c.indexExpr(x)
	case *syntax.QuantExpr:
		return c.quant(x)
	}
	c.errf(e.ExprPos(), "unsupported expression %s", syntax.FormatExpr(e))
	return nil, Type{}
}

// unary compiles &x (the value of x), !x, ~x and -x.
func (c *compiler) unary(x *syntax.UnaryExpr) (Eval, Type) {
	switch x.Op {
	case "&":
		return c.expr(x.X)
	case "!":
		ev := c.condExpr(x.X)
		return func(cx *Ctx) int64 { return 1 - ev(cx) }, Type{Kind: KBool}
	case "~", "-":
		ev, t := c.expr(x.X)
		if !isIntLike(t) {
			c.errf(x.X.ExprPos(), "%s: expected an int, found %s", x.Op, t)
		}
		if x.Op == "~" {
			return func(cx *Ctx) int64 { return ^ev(cx) }, Type{Kind: KInt}
		}
		return func(cx *Ctx) int64 { return -ev(cx) }, Type{Kind: KInt}
	}
	c.errf(x.ExprPos(), "unsupported expression %s", syntax.FormatExpr(x))
	return nil, Type{}
}

// ternary compiles c ? a : b; its branches are both ints (or bools), or
// references to the same struct (or NULL).
func (c *compiler) ternary(x *syntax.CondExpr) (Eval, Type) {
	cond := c.condExpr(x.C)
	if !c.inProp && !c.pureCalls && (hasEffects(c, x.X, true) || hasEffects(c, x.Y, true)) {
		c.errf(x.Pos, "a function call with effects inside ?: is not supported; use if/else")
	}
	a, at := c.expr(x.X)
	b, bt := c.expr(x.Y)
	rt := at
	switch {
	case isIntLike(at) && isIntLike(bt):
		rt = Type{Kind: KInt}
		if at.Kind == KBool && bt.Kind == KBool {
			rt = at
		}
	case at.Kind == KRef && bt.Kind == KRef && (at.Struct == nil || bt.Struct == nil || at.Struct == bt.Struct):
		if at.Struct == nil {
			rt = bt
		}
	default:
		c.errf(x.Pos, "the branches of ?: have different types (%s, %s)", at, bt)
	}
	return func(cx *Ctx) int64 {
		if cond(cx) != 0 {
			return a(cx)
		}
		return b(cx)
	}, rt
}

// indexExpr compiles ARRAY[i], a reference to an element of an object array:
// a constant index is checked at compile time, another when evaluated;
// either tells the array's objects apart (symmetry.go).
func (c *compiler) indexExpr(x *syntax.IndexExpr) (Eval, Type) {
	id, ok := x.X.(*syntax.Ident)
	var a *Array
	if ok && c.lookup(id.Name) == nil {
		a = c.arrays[id.Name]
	}
	if a == nil {
		c.errf(x.Pos, "only object arrays can be indexed: %s is not one", syntax.FormatExpr(x.X))
	}
	if a.Single {
		c.errf(x.Pos, "%s is a single %s, not an array: write %s", a.Name, a.Struct.Name, a.Name)
	}
	if u, ok := x.Idx.(*syntax.UnaryExpr); ok && u.Op == "-" {
		if lit, ok := u.X.(*syntax.IntLit); ok && lit.Val > 0 {
			c.errf(x.Idx.ExprPos(), "index -%d is out of range for %s[%d]", lit.Val, a.Name, a.Len)
		}
	}
	if lit, ok := x.Idx.(*syntax.IntLit); ok {
		if lit.Val < 0 || lit.Val >= int64(a.Len) {
			c.errf(x.Idx.ExprPos(), "index %d is out of range for %s[%d]", lit.Val, a.Name, a.Len)
		}
		i := int64(a.First) + lit.Val + 1
		if site := c.symSite(x.Pos, syntax.FormatExpr(x)); site != nil {
			return func(cx *Ctx) int64 {
				if cx.sym != nil {
					cx.sym.hitArray(a, site)
				}
				return i
			}, Type{Kind: KRef, Struct: a.Struct}
		}
		return func(*Ctx) int64 { return i }, Type{Kind: KRef, Struct: a.Struct}
	}
	idx, t := c.expr(x.Idx)
	site := c.symSite(x.Pos, syntax.FormatExpr(x))
	if !isIntLike(t) {
		c.errf(x.Idx.ExprPos(), "array index: expected an int, found %s", t)
	}
	n, first := int64(a.Len), int64(a.First)
	name := a.Name
	return func(cx *Ctx) int64 {
		i := idx(cx)
		if i < 0 || i >= n {
			rtErr("%s: index %d out of range for %s[%d]", x.Pos, i, name, n)
		}
		if cx.sym != nil && site != nil {
			cx.sym.hitArray(a, site)
		}
		return first + i + 1
	}, Type{Kind: KRef, Struct: a.Struct}
}

func (c *compiler) ident(x *syntax.Ident) (Eval, Type) {
	if strings.HasPrefix(x.Name, "struct ") {
		c.errHint(x.Pos, "write list_first_entry(&list, struct worker, node)", "%s is a type: it is only an argument of list_first_entry() and its kin", x.Name)
	}
	if b := c.lookup(x.Name); b != nil {
		switch {
		case b.local != nil:
			c.use(b.local)
			return c.localGetter(b.local), b.typ
		case b.ev != nil:
			return b.ev, b.typ
		default:
			q := b.q
			return func(cx *Ctx) int64 { return cx.q[q] }, b.typ
		}
	}
	if v, ok := c.consts[x.Name]; ok {
		val := v.v
		if v.isBool {
			return func(*Ctx) int64 { return val }, Type{Kind: KBool}
		}
		return func(*Ctx) int64 { return val }, Type{Kind: KInt, Lo: val, Hi: val}
	}
	if g := c.globals[x.Name]; g != nil {
		if g.Type.Kind == KList || g.Type.Kind == KLock {
			c.errf(x.Pos, "%s is a %s: it is not a value here", x.Name, g.Type)
		}
		return makeGetter(g.Type, c.globalAddr(g, x.Pos), g.Width), g.Type
	}
	if a := c.arrays[x.Name]; a != nil {
		if a.Single {
			i := int64(a.First + 1)
			return func(*Ctx) int64 { return i }, Type{Kind: KRef, Struct: a.Struct}
		}
		c.errHint(x.Pos, "index it (workers[i]) or range over it (forall, foreach)", "%s is an array of %s, not a value", x.Name, a.Struct.Name)
	}
	if t := c.single[x.Name]; t != nil {
		i := int64(t.Index + 1)
		return func(*Ctx) int64 { return i }, Type{Kind: KTask}
	}
	if x.Name == "current" {
		if c.inProp || c.inInit {
			c.errf(x.Pos, "current is only defined in thread code")
		}
		return func(cx *Ctx) int64 { return int64(cx.th.Index + 1) }, Type{Kind: KTask}
	}
	if c.kinds[x.Name] != nil {
		c.errf(x.Pos, "%s runs one thread per object: name the object instead", x.Name)
	}
	c.undefined(x)
	return nil, Type{}
}

// hasEffects reports whether evaluating e runs model code: a call of
// wake_up_process or warn_on, or (when funcs is set) of a model function.
func hasEffects(c *compiler, e syntax.Expr, funcs bool) bool {
	found := false
	syntax.InspectExpr(e, func(e syntax.Expr) {
		if x, ok := e.(*syntax.CallExpr); ok && ((funcs && c.funcs[x.Fun] != nil) || x.Fun == "wake_up_process" || x.Fun == "warn_on" || x.Fun == "WARN_ON" || x.Fun == "WARN_ON_ONCE") {
			found = true
		}
	})
	return found
}

func (c *compiler) binary(x *syntax.BinaryExpr) (Eval, Type) {
	switch x.Op {
	case "&&", "||":
		return c.logical(x)
	case "in":
		return c.inList(x)
	}
	a, at := c.expr(x.X)
	b, bt := c.expr(x.Y)
	switch x.Op {
	case "==", "!=":
		return c.equality(x, a, at, b, bt)
	}
	a, at, b, bt = c.orderRefs(x, a, at, b, bt)
	return c.arithmetic(x, a, at, b, bt)
}

// logical compiles && and ||. A right side with effects is compiled as
// code that runs only when needed (short-circuit), into a temporary.
func (c *compiler) logical(x *syntax.BinaryExpr) (Eval, Type) {
	a := c.condExpr(x.X)
	if hasEffects(c, x.Y, true) && !c.inProp && !c.pureCalls {
		// short-circuit: the right side's code runs only when needed
		tmp := c.temp(x.Op+"#tmp", Type{Kind: KBool})
		set := c.localSetter(tmp, x.Pos, "tmp")
		c.emit(&Instr{Op: OpAssign, X: a, Set: set, def: c.localIndex(tmp) + 1})
		get := c.localGetter(tmp)
		c.use(tmp)
		br := c.emit(&Instr{Op: OpBranch, X: get})
		rhs := c.pc()
		b := c.condExpr(x.Y)
		c.emit(&Instr{Op: OpAssign, X: b, Set: set, def: c.localIndex(tmp) + 1})
		if x.Op == "&&" {
			c.code[br].Target, c.code[br].Else = rhs, c.pc()
		} else {
			c.code[br].Target, c.code[br].Else = c.pc(), rhs
		}
		c.use(tmp)
		return get, Type{Kind: KBool}
	}
	if v, ok := c.constCond(x.X); ok && v == (x.Op == "||") {
		// the right side never runs: compiled for its errors only
		c.unreachable++
		defer func() { c.unreachable-- }()
	}
	b := c.condExpr(x.Y)
	if x.Op == "&&" {
		return func(cx *Ctx) int64 { return b2i(a(cx) != 0 && b(cx) != 0) }, Type{Kind: KBool}
	}
	return func(cx *Ctx) int64 { return b2i(a(cx) != 0 || b(cx) != 0) }, Type{Kind: KBool}
}

// constCond evaluates a condition made of boolean literals, boolean
// parameters and constants, !, && and ||, if it is one.
func (c *compiler) constCond(e syntax.Expr) (v, ok bool) {
	switch e := e.(type) {
	case *syntax.BoolLit:
		return e.Val, true
	case *syntax.Ident:
		if c.lookup(e.Name) != nil {
			return false, false
		}
		if cv, found := c.consts[e.Name]; found && cv.isBool {
			return cv.v != 0, true
		}
	case *syntax.UnaryExpr:
		if e.Op == "!" {
			v, ok := c.constCond(e.X)
			return !v, ok
		}
	case *syntax.BinaryExpr:
		if e.Op == "&&" || e.Op == "||" {
			a, aok := c.constCond(e.X)
			b, bok := c.constCond(e.Y)
			if aok && a == (e.Op == "||") {
				return a, true // decided by the left side
			}
			return b, aok && bok
		}
	}
	return false, false
}

// inList compiles `x in LIST`: whether the reference is an entry of the list.
func (c *compiler) inList(x *syntax.BinaryExpr) (Eval, Type) {
	ev, t := c.expr(x.X)
	ll := c.listLoc(x.Y)
	if t.Kind != KRef || (t.Struct != nil && t.Struct != ll.typ.Struct) {
		c.errf(x.X.ExprPos(), "in: expected a %s, found %s", ll.typ.Struct.Name, t)
	}
	addr, li := ll.addr, ll.list
	return func(cx *Ctx) int64 {
		v := ev(cx)
		return b2i(v != 0 && cx.p.listIndex(cx.s, addr(cx), li, v) >= 0)
	}, Type{Kind: KBool}
}

// equality compiles == and != of two ints (or bools), two references to
// the same struct (or NULL), or two tasks.
func (c *compiler) equality(x *syntax.BinaryExpr, a Eval, at Type, b Eval, bt Type) (Eval, Type) {
	ok := (isIntLike(at) && isIntLike(bt)) ||
		(at.Kind == KRef && bt.Kind == KRef && (at.Struct == nil || bt.Struct == nil || at.Struct == bt.Struct)) ||
		(at.Kind == KTask && bt.Kind == KTask)
	if !ok {
		c.errf(x.Pos, "cannot compare %s with %s", at, bt)
	}
	if x.Op == "==" {
		return func(cx *Ctx) int64 { return b2i(a(cx) == b(cx)) }, Type{Kind: KBool}
	}
	return func(cx *Ctx) int64 { return b2i(a(cx) != b(cx)) }, Type{Kind: KBool}
}

// orderRefs turns an ordering of two references to the same struct (x < y,
// as lock-ordering code does) into an ordering of their addresses, as ints,
// marked as telling the struct's objects apart; other operands are
// returned as they are.
func (c *compiler) orderRefs(x *syntax.BinaryExpr, a Eval, at Type, b Eval, bt Type) (Eval, Type, Eval, Type) {
	if at.Kind == KRef && bt.Kind == KRef && at.Struct != nil && at.Struct == bt.Struct {
		// ordering references compares addresses, as lock-ordering code does
		switch x.Op {
		case "<", "<=", ">", ">=":
			s0 := at.Struct
			at, bt = Type{Kind: KInt}, Type{Kind: KInt}
			if site := c.symSite(x.Pos, "ordering references ("+syntax.FormatExpr(x)+")"); site != nil {
				ea, eb := a, b
				a = func(cx *Ctx) int64 {
					v := ea(cx)
					if cx.sym != nil && v != 0 {
						cx.sym.hitObj(s0, int(v-1), site)
					}
					return v
				}
				b = func(cx *Ctx) int64 {
					v := eb(cx)
					if cx.sym != nil && v != 0 {
						cx.sym.hitObj(s0, int(v-1), site)
					}
					return v
				}
			}
		}
	}
	return a, at, b, bt
}

// arithmetic compiles the operators on ints (comparisons, bit operations on
// ints or bools, and arithmetic that fails at run time when it overflows).
func (c *compiler) arithmetic(x *syntax.BinaryExpr, a Eval, at Type, b Eval, bt Type) (Eval, Type) {
	if !isIntLike(at) {
		c.errf(syntax.StartPos(x.X), "%s: expected an int on the left, found %s", x.Op, at)
	}
	if !isIntLike(bt) {
		c.errf(syntax.StartPos(x.Y), "%s: expected an int on the right, found %s", x.Op, bt)
	}
	op, pos := x.Op, x.Pos
	rt := Type{Kind: KInt}
	switch op {
	case "<", "<=", ">", ">=":
		rt = Type{Kind: KBool}
	case "&", "|", "^":
		if at.Kind == KBool && bt.Kind == KBool {
			rt = Type{Kind: KBool}
		}
	}
	switch op {
	case "+":
		return func(cx *Ctx) int64 {
			x, y := a(cx), b(cx)
			r := x + y
			if (r > x) != (y > 0) {
				rtErr("%s: %s", pos, arithWhy(op, x, y))
			}
			return r
		}, rt
	case "-":
		return func(cx *Ctx) int64 {
			x, y := a(cx), b(cx)
			r := x - y
			if (r < x) != (y > 0) {
				rtErr("%s: %s", pos, arithWhy(op, x, y))
			}
			return r
		}, rt
	case "&":
		return func(cx *Ctx) int64 { return a(cx) & b(cx) }, rt
	case "|":
		return func(cx *Ctx) int64 { return a(cx) | b(cx) }, rt
	case "<":
		return func(cx *Ctx) int64 { return b2i(a(cx) < b(cx)) }, rt
	case "<=":
		return func(cx *Ctx) int64 { return b2i(a(cx) <= b(cx)) }, rt
	case ">":
		return func(cx *Ctx) int64 { return b2i(a(cx) > b(cx)) }, rt
	case ">=":
		return func(cx *Ctx) int64 { return b2i(a(cx) >= b(cx)) }, rt
	}
	return func(cx *Ctx) int64 {
		x, y := a(cx), b(cx)
		v, ok := arith(op, x, y)
		if !ok {
			rtErr("%s: %s", pos, arithWhy(op, x, y))
		}
		return v
	}, rt
}

func (c *compiler) callExpr(x *syntax.CallExpr) (Eval, Type) {
	if fd := c.funcs[x.Fun]; fd != nil {
		if c.inProp || c.pureCalls || c.inInit {
			// init may use expression functions (one return statement) too
			return c.propCall(x, fd)
		}
		saved := c.saveTrack()
		savedPos, savedText := c.curPos, c.curText
		ev, t, ret := c.inlineCall(x, fd)
		c.curPos, c.curText = savedPos, savedText
		c.restoreTrack(saved)
		if ev == nil {
			c.errf(x.Pos, "%s returns void: its result cannot be used", x.Fun)
		}
		c.use(ret)
		return ev, t
	}
	if ev, t, ok := c.builtinPure(x); ok {
		return ev, t
	}
	savedPos, savedText := c.curPos, c.curText
	if ev, t, ok := c.impureBuiltin(x); ok {
		c.curPos, c.curText = savedPos, savedText
		return ev, t
	}
	if builtinFuncs[x.Fun] {
		c.errf(x.Pos, "%s() is a statement, not a value", x.Fun)
	}
	c.unknownFunc(x)
	return nil, Type{}
}

// builtinPure compiles the builtins that only read state.
func (c *compiler) builtinPure(x *syntax.CallExpr) (Eval, Type, bool) {
	switch x.Fun {
	case "list_empty", "first", "last", "list_first_entry_or_null", "list_last_entry_or_null", "len", "list_count",
		"list_first_entry", "list_last_entry":
		ev, t := c.listQuery(x)
		return ev, t, true
	case "likely", "unlikely":
		// branch hints: the value of the condition
		c.wantArgs(x, 1, x.Fun+"(cond)")
		ev, t := c.expr(x.Args[0])
		return ev, t, true
	case "READ_ONCE":
		// a marked lockless read: as data_race() (docs/language.md "Kernel spelling")
		c.wantArgs(x, 1, "READ_ONCE(x)")
		c.noGuard++
		ev, t := c.expr(x.Args[0])
		c.noGuard--
		return ev, t, true
	case "min", "max":
		c.wantArgs(x, 2, x.Fun+"(a, b)")
		a, at := c.expr(x.Args[0])
		b, bt := c.expr(x.Args[1])
		if !isIntLike(at) || !isIntLike(bt) {
			c.errf(x.Pos, "%s: expected ints", x.Fun)
		}
		if x.Fun == "min" {
			return func(cx *Ctx) int64 { return min(a(cx), b(cx)) }, Type{Kind: KInt}, true
		}
		return func(cx *Ctx) int64 { return max(a(cx), b(cx)) }, Type{Kind: KInt}, true
	case "index":
		ev, t := c.indexOf(x)
		return ev, t, true
	case "list_nth":
		ev, t := c.listNth(x)
		return ev, t, true
	case "list_index":
		ev, t := c.listIndexOf(x)
		return ev, t, true
	case "spin_is_locked", "mutex_is_locked":
		c.wantArgs(x, 1, x.Fun+"(&lock)")
		lv := c.lvalue(x.Args[0])
		if lv.typ.Kind != KLock {
			c.errf(x.Args[0].ExprPos(), "%s: expected a lock, found %s (%s)", x.Fun, lv.text, lv.typ)
		}
		addr, w := lv.addr, lv.width
		c.track.nonmover, c.track.opaque = true, true
		return func(cx *Ctx) int64 { return b2i(cx.s.get(addr(cx), w) != 0) }, Type{Kind: KBool}, true
	case "data_race":
		// the kernel's data_race(): a deliberate lockless access, exempt
		// from guarded_by checking (and so never merged as protected)
		c.wantArgs(x, 1, "data_race(expr)")
		c.noGuard++
		ev, t := c.expr(x.Args[0])
		c.noGuard--
		return ev, t, true
	case "task_state", "finished":
		c.wantArgs(x, 1, x.Fun+"(task)")
		task := c.taskExpr(x.Args[0])
		c.track.shared, c.track.nonmover, c.track.opaque = true, true, true
		c.touchSpecial(LocTask, true, false)
		c.touchSpecial(LocFin, true, false)
		if x.Fun == "finished" {
			c.track.threadBits |= readsPCs
			return func(cx *Ctx) int64 {
				t := cx.p.Threads[task(cx)-1]
				return b2i(cx.p.Finished(cx.s, t))
			}, Type{Kind: KBool}, true
		}
		c.track.threadBits |= readsTaskStates
		return func(cx *Ctx) int64 { return int64(cx.p.TaskState(cx.s, cx.p.Threads[task(cx)-1])) }, Type{Kind: KInt, Lo: 0, Hi: TaskDead}, true
	case "task_curr":
		c.wantArgs(x, 1, "task_curr(task)")
		if c.prog.NCPUs == 0 {
			c.errHint(x.Pos, "declare the CPUs first, e.g. cpus 2;", "task_curr: the model has no CPUs")
		}
		if c.inCPU {
			// (which task runs depends on where every thread runs: the
			// search would go round in circles computing it)
			c.errHint(x.Pos, "bind the thread with a state the model keeps (a field such as cpus_allowed)",
				"task_curr() in an `on cpu` expression: where a thread runs cannot depend on which task is running")
		}
		task := c.taskExpr(x.Args[0])
		c.track.shared, c.track.nonmover, c.track.opaque = true, true, true
		if c.unreachable == 0 {
			c.taskCurr = true
		}
		c.touchSpecial(LocTask, true, false)
		c.touchSpecial(LocCtx, true, false)
		return func(cx *Ctx) int64 {
			return b2i(cx.p.TaskCurr(cx.s, cx.p.Threads[task(cx)-1]))
		}, Type{Kind: KBool}, true
	}
	return nil, Type{}, false
}

// listQuery compiles the queries of one list: list_empty, len (list_count),
// first (list_first_entry_or_null) and last (list_last_entry_or_null).
func (c *compiler) listQuery(x *syntax.CallExpr) (Eval, Type) {
	kernel := strings.HasPrefix(x.Fun, "list_first_entry") || strings.HasPrefix(x.Fun, "list_last_entry")
	switch {
	case kernel && len(x.Args) == 3:
	case x.Fun == "list_first_entry" || x.Fun == "list_last_entry":
		c.wantArgs(x, 3, x.Fun+"(&list, struct TYPE, member)")
	default:
		c.wantArgs(x, 1, x.Fun+"(&list)")
	}
	ll := c.listLoc(x.Args[0])
	addr, li := ll.addr, ll.list
	if len(x.Args) == 3 {
		// the kernel's (ptr, type, member): the type must be the list's
		// entries'; the member (the list_head field) is not modelled
		ty, ok := x.Args[1].(*syntax.Ident)
		if !ok || ll.typ.Struct == nil || ty.Name != "struct "+ll.typ.Struct.Name {
			c.errHint(x.Args[1].ExprPos(), fmt.Sprintf("write %s(&list, struct %s, node)", x.Fun, structName(ll.typ.Struct)),
				"%s: expected the type of the list's entries, struct %s, found %s", x.Fun, structName(ll.typ.Struct), syntax.FormatExpr(x.Args[1]))
		}
		if _, ok := x.Args[2].(*syntax.Ident); !ok {
			c.errf(x.Args[2].ExprPos(), "%s: expected the name of the list member, found %s", x.Fun, syntax.FormatExpr(x.Args[2]))
		}
	}
	if x.Fun == "list_first_entry" || x.Fun == "list_last_entry" {
		// the kernel's list_first_entry() of an empty list is the head
		// itself taken as an entry: a corrupt pointer
		get := listEnd(x.Fun == "list_first_entry", addr, li)
		text := syntax.FormatExpr(x.Args[0])
		fun, pos := x.Fun, x.Pos
		return func(cx *Ctx) int64 {
			v := get(cx)
			if v == 0 {
				rtErr("%s: %s(%s, ...) of an empty list: the kernel would take the list head for an entry (use %s_or_null)", pos, fun, text, fun)
			}
			return v
		}, Type{Kind: KRef, Struct: ll.typ.Struct}
	}
	switch x.Fun {
	case "list_empty":
		return func(cx *Ctx) int64 { return b2i(cx.p.listLen(cx.s, addr(cx), li) == 0) }, Type{Kind: KBool}
	case "len", "list_count":
		return func(cx *Ctx) int64 { return int64(cx.p.listLen(cx.s, addr(cx), li)) }, Type{Kind: KInt, Lo: 0, Hi: int64(li.Cap)}
	case "first", "list_first_entry_or_null":
		return listEnd(true, addr, li), Type{Kind: KRef, Struct: ll.typ.Struct}
	default:
		return listEnd(false, addr, li), Type{Kind: KRef, Struct: ll.typ.Struct}
	}
}

// listEnd reads the head (first) or the tail of a list: NULL if it is empty.
func listEnd(first bool, addr func(*Ctx) uint32, li *ListInfo) Eval {
	if first {
		return func(cx *Ctx) int64 {
			off := addr(cx)
			if cx.p.listLen(cx.s, off, li) == 0 {
				return 0
			}
			return cx.p.listAt(cx.s, off, li, 0)
		}
	}
	return func(cx *Ctx) int64 {
		off := addr(cx)
		n := cx.p.listLen(cx.s, off, li)
		if n == 0 {
			return 0
		}
		return cx.p.listAt(cx.s, off, li, n-1)
	}
}

// indexOf compiles index(obj), an object's index within its own array,
// which tells the array's objects apart (symmetry.go).
func (c *compiler) indexOf(x *syntax.CallExpr) (Eval, Type) {
	c.wantArgs(x, 1, "index(object)")
	ev, t := c.expr(x.Args[0])
	if t.Kind != KRef || t.Struct == nil {
		c.errf(x.Args[0].ExprPos(), "index: expected an object, found %s", t)
	}
	s := t.Struct
	// the index within the object's own array: workers[2] -> 2
	firstOf := make([]int64, s.Count)
	for _, a := range s.Arrays {
		for i := 0; i < a.Len; i++ {
			firstOf[a.First+i] = int64(a.First)
		}
	}
	pos := x.Pos
	site := c.symSite(x.Pos, syntax.FormatExpr(x))
	return func(cx *Ctx) int64 {
		v := ev(cx)
		if v == 0 {
			rtErr("%s: index(NULL)", pos)
		}
		if cx.sym != nil && site != nil {
			cx.sym.hitObj(s, int(v-1), site)
		}
		return v - 1 - firstOf[v-1]
	}, Type{Kind: KInt, Lo: 0, Hi: int64(s.Count)}
}

// listNth compiles list_nth(&list, i): the i-th entry, or NULL.
func (c *compiler) listNth(x *syntax.CallExpr) (Eval, Type) {
	c.wantArgs(x, 2, "list_nth(&list, i)")
	ll := c.listLoc(x.Args[0])
	idx, t := c.expr(x.Args[1])
	if !isIntLike(t) {
		c.errf(x.Args[1].ExprPos(), "list_nth: expected an int index, found %s", t)
	}
	addr, li := ll.addr, ll.list
	return func(cx *Ctx) int64 {
		off := addr(cx)
		i := idx(cx)
		if i < 0 || i >= int64(cx.p.listLen(cx.s, off, li)) {
			return 0
		}
		return cx.p.listAt(cx.s, off, li, int(i))
	}, Type{Kind: KRef, Struct: ll.typ.Struct}
}

// listIndexOf compiles list_index(entry, &list): the entry's position, or -1.
func (c *compiler) listIndexOf(x *syntax.CallExpr) (Eval, Type) {
	c.wantArgs(x, 2, "list_index(entry, &list)")
	ev, t := c.expr(x.Args[0])
	ll := c.listLoc(x.Args[1])
	if t.Kind != KRef || (t.Struct != nil && t.Struct != ll.typ.Struct) {
		c.errf(x.Args[0].ExprPos(), "list_index: expected a %s, found %s", ll.typ.Struct.Name, t)
	}
	addr, li := ll.addr, ll.list
	return func(cx *Ctx) int64 {
		v := ev(cx)
		if v == 0 {
			return -1
		}
		return int64(cx.p.listIndex(cx.s, addr(cx), li, v))
	}, Type{Kind: KInt, Lo: -1, Hi: int64(li.Cap)}
}

// quant compiles forall/exists/count over an object array or a list.
func (c *compiler) quant(x *syntax.QuantExpr) (Eval, Type) {
	if c.qdepth >= maxQuant {
		c.errf(x.Pos, "quantifiers nested deeper than %d", maxQuant)
	}
	var elem *Struct
	var count func(*Ctx) int
	var at func(*Ctx, int) int64
	if id, ok := x.Over.(*syntax.Ident); ok && c.lookup(id.Name) == nil && c.arrays[id.Name] != nil {
		a := c.arrays[id.Name]
		elem = a.Struct
		n, first := a.Len, int64(a.First)
		count = func(*Ctx) int { return n }
		at = func(_ *Ctx, i int) int64 { return first + int64(i) + 1 }
	} else {
		ll := c.listLoc(x.Over)
		elem = ll.typ.Struct
		addr, li := ll.addr, ll.list
		count = func(cx *Ctx) int { return cx.p.listLen(cx.s, addr(cx), li) }
		at = func(cx *Ctx, i int) int64 { return cx.p.listAt(cx.s, addr(cx), li, i) }
	}
	q := c.qdepth
	c.qdepth++
	c.push()
	c.scope.vars[x.Var] = &binding{typ: Type{Kind: KRef, Struct: elem}, q: q}
	// a quantifier's body is an expression evaluated many times: it emits no
	// code, so model functions in it expand as expressions
	if hasEffects(c, x.Body, false) {
		c.errf(x.Body.ExprPos(), "a quantifier's body cannot call wake_up_process or warn_on")
	}
	savedPure := c.pureCalls
	c.pureCalls = true
	body := c.condExpr(x.Body)
	c.pureCalls = savedPure
	c.pop()
	c.qdepth--
	switch x.Kind {
	case "forall":
		return func(cx *Ctx) int64 {
			n := count(cx)
			for i := 0; i < n; i++ {
				cx.q[q] = at(cx, i)
				if body(cx) == 0 {
					return 0
				}
			}
			return 1
		}, Type{Kind: KBool}
	case "exists":
		return func(cx *Ctx) int64 {
			n := count(cx)
			for i := 0; i < n; i++ {
				cx.q[q] = at(cx, i)
				if body(cx) != 0 {
					return 1
				}
			}
			return 0
		}, Type{Kind: KBool}
	}
	return func(cx *Ctx) int64 {
		n, k := count(cx), int64(0)
		for i := 0; i < n; i++ {
			cx.q[q] = at(cx, i)
			k += body(cx)
		}
		return k
	}, Type{Kind: KInt, Lo: 0, Hi: 64}
}

// propExpr compiles a property expression: no thread, no locals, no
// effects. What it reads is added to reads.
func (c *compiler) propExpr(e syntax.Expr, sc *scope, reads *condReads) Eval {
	c.inProp = true
	c.kind = nil
	c.scope = sc
	if c.scope == nil {
		c.scope = &scope{vars: map[string]*binding{}}
	}
	saved := c.saveTrack()
	ev := c.condExpr(e)
	// what a property reads is visible to partial-order reduction
	c.prog.visible.Or(&c.track.foot.R)
	c.prog.visible.Or(&c.track.foot.W)
	reads.locs.Or(&c.track.foot.R)
	reads.locs.Or(&c.track.foot.W)
	reads.threadBits |= c.track.threadBits
	reads.deadFields |= c.track.deadFields
	c.restoreTrack(saved)
	c.inProp = false
	c.scope = nil
	return ev
}

// propCall expands a call in a property: the function must be an expression
// function (its body a single return), whose parameters are bound to the
// argument expressions.
func (c *compiler) propCall(x *syntax.CallExpr, fd *syntax.FuncDecl) (Eval, Type) {
	where := "a property"
	if !c.inProp {
		where = "an expression that must run without effects (an await, an interrupt's trigger, data_race(), an `on cpu` expression)"
	}
	if len(fd.Body.Stmts) != 1 {
		c.errHint(x.Pos, "write the condition out, or make "+fd.Name+" a single `return EXPR;`",
			"%s cannot be used in %s: only functions whose body is a single return statement", fd.Name, where)
	}
	ret, ok := fd.Body.Stmts[0].(*syntax.ReturnStmt)
	if !ok || ret.X == nil {
		c.errf(x.Pos, "%s cannot be used in %s: only functions whose body is a single `return EXPR;`", fd.Name, where)
	}
	if len(x.Args) != len(fd.Params) {
		c.errf(x.Pos, "%s takes %d argument%s, %d given", fd.Name, len(fd.Params), plural(len(fd.Params)), len(x.Args))
	}
	for f := c.frame; f != nil; f = f.parent {
		if f.fd == fd {
			c.errf(x.Pos, "recursive call of %s", fd.Name)
		}
	}
	sc := &scope{vars: map[string]*binding{}}
	for i, p := range fd.Params {
		t := c.resolveType(p.Type, false)
		ev, et := c.expr(x.Args[i])
		c.assignable(t, et, x.Args[i].ExprPos(), "argument "+p.Name)
		sc.vars[p.Name] = &binding{typ: t, ev: c.convert(t, et, ev)}
	}
	saved, savedFrame := c.scope, c.frame
	c.scope = sc
	c.frame = &frame{fd: fd, parent: c.frame}
	ev, t := c.expr(ret.X)
	c.scope, c.frame = saved, savedFrame
	rt := c.resolveType(fd.Ret, false)
	c.assignable(rt, t, ret.X.ExprPos(), "the return value of "+fd.Name)
	return c.convert(rt, t, ev), rt
}

func structName(s *Struct) string {
	if s == nil {
		return "?"
	}
	return s.Name
}
