package model

import (
	"fmt"
	"sort"

	"wqcheck/model/syntax"
)

// maxInline bounds the depth of inlined calls (recursion is rejected before that).
const maxInline = 64

// maxCode bounds a thread's code after inlining, which can grow exponentially
// when functions call functions from several places.
const maxCode = 1 << 16

// compileThread compiles one thread declaration into its kind's code.
func (c *compiler) compileThread(td *syntax.ThreadDecl) {
	k := c.kinds[td.Name]
	c.threadCPU(td, k)
	c.beginKind(k, td.Name)
	if td.Param != nil {
		c.scope.vars[td.Param.Name] = selfBinding(k)
	}
	c.frame = &frame{labels: map[string]int{}}
	c.collectLabels(td.Body, c.frame)
	body := td.Body
	if k.Ctx != CtxTask {
		body = c.irqEntry(td)
	}
	c.block(body)
	c.setOrigin(td.Body.End, "}")
	c.emit(&Instr{Op: OpExit})
	c.finishFrame(c.frame)
	c.endKind(k)
}

// selfBinding binds a `for each` thread's parameter to its own object.
func selfBinding(k *ThreadKind) *binding {
	return &binding{typ: Type{Kind: KRef, Struct: k.ForEach.Struct}, self: true,
		ev: func(cx *Ctx) int64 { return int64(cx.th.Obj + 1) }}
}

// threadCPU compiles a thread's `on cpu EXPR`: an expression over the
// state, with the thread's parameter bound to its object.
func (c *compiler) threadCPU(td *syntax.ThreadDecl, k *ThreadKind) {
	if c.prog.NCPUs == 1 && k.Ctx == CtxTask {
		// one CPU: an unbound task can only run on it
		defer func() {
			if cpu := k.CPU; cpu == nil {
				k.CPU = func(*Ctx) int64 { return 0 }
			} else {
				k.CPU = func(cx *Ctx) int64 { return max(cpu(cx), 0) }
			}
		}()
	}
	if td.OnCPU == nil {
		return
	}
	sc := &scope{vars: map[string]*binding{}}
	if td.Param != nil {
		sc.vars[td.Param.Name] = selfBinding(k)
	}
	c.inProp, c.kind, c.scope, c.inCPU, c.cpuSym = true, nil, sc, true, false
	saved := c.saveTrack()
	ev, t := c.expr(td.OnCPU)
	c.inCPU = false
	// the symmetry watch must see it evaluated in every state (fixCPUs)
	k.cpuSym = c.cpuSym
	// the stepping rule evaluates every thread's CPU: every step reads it
	c.prog.stepReads.R.Or(&c.track.foot.R)
	c.prog.stepReads.R.Or(&c.track.foot.W)
	k.cpuReads.Or(&c.track.foot.R)
	k.cpuReads.Or(&c.track.foot.W)
	k.cpuOpaque = c.track.threadBits != 0 || c.track.deadFields != 0
	c.restoreTrack(saved)
	c.inProp, c.scope = false, nil
	if t.Kind != KInt {
		c.errf(td.OnCPU.ExprPos(), "on cpu: expected a CPU number (0..%d), found %s", c.prog.NCPUs-1, t)
	}
	if v, ok := td.OnCPU.(*syntax.IntLit); ok && (v.Val < 0 || int(v.Val) >= c.prog.NCPUs) {
		c.errf(td.OnCPU.ExprPos(), "on cpu %d: the model's CPUs are 0..%d (cpus %d)", v.Val, c.prog.NCPUs-1, c.prog.NCPUs)
	}
	k.CPU = ev
	k.CPUOrdered = ordersObjects(td.OnCPU)
}

// ordersObjects reports whether an expression may tell the objects of an
// array apart: it calls index() or list_index(), or indexes an array.
func ordersObjects(e syntax.Expr) bool {
	found := false
	syntax.InspectExpr(e, func(e syntax.Expr) {
		switch x := e.(type) {
		case *syntax.CallExpr:
			if x.Fun == "index" || x.Fun == "list_index" || x.Fun == "list_nth" {
				found = true
			}
		case *syntax.IndexExpr, *syntax.QuantExpr:
			found = true
		}
	})
	return found
}

// irqEntry compiles the entry of an interrupt handler: the instruction at
// pc 0 that fires it. A body that starts with await(cond) has cond as the
// interrupt's trigger (a timer armed, a tick due): it is folded into the
// entry, so the handler is active only once it has fired. A body that
// starts with atomic { await(cond); S } fires on cond and runs S in the
// same step (what the interrupt's core does under its own lock before it
// calls the handler: detach_timer() under the timer base's lock). It
// returns the rest of the body.
func (c *compiler) irqEntry(td *syntax.ThreadDecl) *syntax.Block {
	body := td.Body
	var atomic *syntax.AtomicStmt
	first := body
	if len(body.Stmts) > 0 {
		if a, ok := body.Stmts[0].(*syntax.AtomicStmt); ok && triggerOf(a.Body) != nil {
			atomic, first = a, a.Body
		}
	}
	c.lateTrigger(body)
	var cond Eval
	if call := triggerOf(first); call != nil {
		es := first.Stmts[0].(*syntax.ExprStmt)
		c.wantArgs(call, 1, "await(condition)")
		c.track = tracking{}
		c.setOrigin(es.Pos, syntax.StmtHeader(es))
		c.pureCalls = true
		cond = c.condExpr(call.Args[0])
		c.pureCalls = false
	} else {
		c.setOrigin(td.Pos, td.Context.String()+" fires")
	}
	c.track.shared = true
	start := c.emit(&Instr{Op: OpIrqEnter, X: cond})
	rest := *body
	if len(body.Stmts) > 0 {
		rest.Stmts = body.Stmts[1:]
	}
	if atomic != nil {
		inner := *atomic.Body
		inner.Stmts = inner.Stmts[1:]
		c.block(&inner)
		c.makeAtomic(start, c.pc(), atomic.Pos)
	} else if cond == nil {
		rest.Stmts = body.Stmts
	}
	return &rest
}

// lateTrigger rejects a handler whose trigger comes after local
// declarations: the trigger must be the first statement, or the handler
// would fire at once and then wait in the await with its CPU held.
func (c *compiler) lateTrigger(body *syntax.Block) {
	for i, st := range body.Stmts {
		if _, decl := st.(*syntax.VarStmt); decl {
			continue
		}
		trigger := triggerStmt(st) != nil
		if a, ok := st.(*syntax.AtomicStmt); ok {
			trigger = triggerOf(a.Body) != nil
		}
		if i > 0 && trigger {
			c.errHint(body.Stmts[0].StmtPos(), "declare the locals after the trigger: atomic { await(cond); ... } int flags; ...",
				"an interrupt handler's trigger must be its first statement, before its local declarations")
		}
		return
	}
}

// triggerOf returns the await(cond) call that b starts with, or nil.
func triggerOf(b *syntax.Block) *syntax.CallExpr {
	if len(b.Stmts) == 0 {
		return nil
	}
	return triggerStmt(b.Stmts[0])
}

// triggerStmt returns st's call when st is await(cond), or nil.
func triggerStmt(st syntax.Stmt) *syntax.CallExpr {
	if es, ok := st.(*syntax.ExprStmt); ok {
		if call, ok := es.X.(*syntax.CallExpr); ok && call.Fun == "await" {
			return call
		}
	}
	return nil
}

func (c *compiler) beginKind(k *ThreadKind, fn string) {
	c.kind = k
	c.code = nil
	c.fn = fn
	c.scope = &scope{vars: map[string]*binding{}}
	c.loops = nil
	c.depth = 0
}

// endKind finishes a kind's code: program counter width and the liveness
// tables that let a resting thread carry only live locals.
func (c *compiler) endKind(k *ThreadKind) {
	k.Code = c.code
	k.PCW = bitsFor(int64(len(c.code)))
	computeLiveness(k)
	c.kind = nil
}

// checkFunc type-checks a function on its own, as if called with unknown
// arguments; its code is thrown away.
func (c *compiler) checkFunc(fd *syntax.FuncDecl) {
	k := &ThreadKind{Name: "check:" + fd.Name}
	c.beginKind(k, fd.Name)
	args := make([]syntax.Expr, len(fd.Params))
	for i, p := range fd.Params {
		t := c.resolveType(p.Type, false)
		l := c.newLocal(p.Name, t)
		c.scope.vars[p.Name+"#arg"] = &binding{typ: t, local: l}
		args[i] = &syntax.Ident{Pos: p.Pos, Name: p.Name + "#arg"}
	}
	c.setOrigin(fd.Pos, fd.Name)
	c.inlineCall(&syntax.CallExpr{Pos: fd.Pos, Fun: fd.Name, Args: args}, fd)
	c.emit(&Instr{Op: OpExit})
	c.kind = nil
}

func (c *compiler) setOrigin(pos syntax.Pos, text string) {
	c.curPos, c.curText = pos, text
}

// emit appends an instruction, stamping it with the current statement and
// what its expressions touched.
func (c *compiler) emit(ins *Instr) int {
	ins.Pos, ins.Text, ins.Func = c.curPos, c.curText, c.fn
	if c.track.shared {
		ins.Visible = true
	}
	ins.NonMover = c.track.nonmover
	ins.locs, ins.opaque = c.track.locs, c.track.opaque
	ins.foreignGhost = c.track.foreignGhost
	ins.cpuLocal = c.track.cpuLocal
	ins.foot = c.track.foot
	opFoot(ins)
	for l := range c.track.uses {
		ins.uses = append(ins.uses, l)
	}
	sort.Ints(ins.uses)
	c.track = tracking{}
	idx := len(c.code)
	if idx >= maxCode {
		c.errHint(c.curPos, "calls are inlined: a function called from many places, nested, multiplies the code; call it from fewer places",
			"thread %s has more than %d instructions after inlining", c.kind.Name, maxCode)
	}
	ins.Next = idx + 1
	c.code = append(c.code, ins)
	return idx
}

func (c *compiler) pc() int { return len(c.code) }

// newLocal allocates a local slot. Slots are reused in stack order: a
// block's locals, an inlined call's parameters and a statement's temporaries
// are released when they end, and a later local of the same width takes the
// slot. Two locals sharing bits are never live at once, and the liveness
// tables keep only live locals at rest points, so sharing is exact; it keeps
// the state a few words long however many calls are inlined.
func (c *compiler) newLocal(name string, t Type) *Local {
	k := c.kind
	w := t.width(len(c.prog.Threads))
	l := &Local{Name: name, Type: t, Width: w}
	if free := k.free[w]; len(free) > 0 && !noSlotReuse {
		l.Off = free[len(free)-1]
		k.free[w] = free[:len(free)-1]
	} else {
		l.Off = k.locBits
		k.locBits += uint32(w)
	}
	k.Locals = append(k.Locals, l)
	return l
}

// noSlotReuse turns slot reuse off; tests compare both layouts.
var noSlotReuse = false

// release returns a local's slot for reuse.
func (c *compiler) release(l *Local) {
	if l == nil || l.Width == 0 || c.kind == nil {
		return
	}
	if c.kind.free == nil {
		c.kind.free = map[uint8][]uint32{}
	}
	c.kind.free[l.Width] = append(c.kind.free[l.Width], l.Off)
}

// declare adds a named local to the current scope.
func (c *compiler) declare(name string, b *binding) {
	c.scope.vars[name] = b
	if b.local != nil {
		c.scope.locals = append(c.scope.locals, b.local)
	}
}

// temp allocates a temporary of the current statement.
func (c *compiler) temp(name string, t Type) *Local {
	l := c.newLocal(name, t)
	c.temps = append(c.temps, l)
	return l
}

func (c *compiler) localIndex(l *Local) int {
	for i, x := range c.kind.Locals {
		if x == l {
			return i
		}
	}
	panic("local not in kind")
}

func (c *compiler) lookup(name string) *binding {
	for s := c.scope; s != nil; s = s.parent {
		if b := s.vars[name]; b != nil {
			return b
		}
	}
	return nil
}

func (c *compiler) push() { c.scope = &scope{parent: c.scope, vars: map[string]*binding{}} }

func (c *compiler) pop() {
	for i := len(c.scope.locals) - 1; i >= 0; i-- {
		c.release(c.scope.locals[i])
	}
	c.scope = c.scope.parent
}

// collectLabels records the labels of a function body (labels have function scope, as in C).
func (c *compiler) collectLabels(s syntax.Stmt, f *frame) {
	walkStmts(s, func(s syntax.Stmt) {
		if l, ok := s.(*syntax.LabeledStmt); ok {
			if _, dup := f.labels[l.Label]; dup {
				c.errf(l.Pos, "label %s is defined twice in this function", l.Label)
			}
			f.labels[l.Label] = -1
		}
	})
}

// walkStmts calls visit on s and on every statement nested in it, in
// source order (parents before their bodies).
func walkStmts(s syntax.Stmt, visit func(syntax.Stmt)) {
	visit(s)
	switch s := s.(type) {
	case *syntax.Block:
		for _, x := range s.Stmts {
			walkStmts(x, visit)
		}
	case *syntax.LabeledStmt:
		walkStmts(s.Stmt, visit)
	case *syntax.IfStmt:
		walkStmts(s.Then, visit)
		if s.Else != nil {
			walkStmts(s.Else, visit)
		}
	case *syntax.WhileStmt:
		walkStmts(s.Body, visit)
	case *syntax.DoWhileStmt:
		walkStmts(s.Body, visit)
	case *syntax.ForStmt:
		walkStmts(s.Body, visit)
	case *syntax.ForeachStmt:
		walkStmts(s.Body, visit)
	case *syntax.EitherStmt:
		for _, b := range s.Branches {
			walkStmts(b, visit)
		}
	case *syntax.AtomicStmt:
		walkStmts(s.Body, visit)
	}
}

func (c *compiler) finishFrame(f *frame) {
	for _, g := range f.gotos {
		pc, ok := f.labels[g.label]
		if !ok {
			c.errf(g.pos, "goto %s: no label %s in this function", g.label, g.label)
		}
		*g.target = pc
	}
}

// ---- statements ----

func (c *compiler) block(b *syntax.Block) {
	c.push()
	dead := false
	for i, s := range b.Stmts {
		c.stmt(s)
		if !dead && c.alwaysLeaves(s) && !hasLabel(&syntax.Block{Stmts: b.Stmts[i+1:]}) {
			// what follows `if (UNBOUND) return;` never runs
			dead = true
			c.unreachable++
		}
	}
	if dead {
		c.unreachable--
	}
	c.pop()
}

// alwaysLeaves reports whether s, whatever the state, leaves the
// statements after it in its block: a return, goto, break or continue, or
// an `if` on a constant true (no else) whose body does.
func (c *compiler) alwaysLeaves(s syntax.Stmt) bool {
	switch x := s.(type) {
	case *syntax.ReturnStmt, *syntax.GotoStmt, *syntax.BreakStmt, *syntax.ContinueStmt:
		return true
	case *syntax.Block:
		return len(x.Stmts) > 0 && c.alwaysLeaves(x.Stmts[len(x.Stmts)-1])
	case *syntax.IfStmt:
		v, isConst := c.constCond(x.Cond)
		return x.Else == nil && isConst && v && c.alwaysLeaves(x.Then)
	}
	return false
}

func (c *compiler) body(s syntax.Stmt) {
	if b, ok := s.(*syntax.Block); ok {
		c.block(b)
		return
	}
	c.push()
	c.stmt(s)
	c.pop()
}

func (c *compiler) stmt(s syntax.Stmt) {
	mark := len(c.temps)
	c.stmtInner(s)
	for i := len(c.temps) - 1; i >= mark; i-- {
		c.release(c.temps[i])
	}
	c.temps = c.temps[:mark]
}

func (c *compiler) stmtInner(s syntax.Stmt) {
	// what an instruction reads is tracked from its statement's start: a
	// use left over from an earlier statement must not leak into it
	c.track = tracking{}
	c.setOrigin(s.StmtPos(), syntax.StmtHeader(s))
	switch s := s.(type) {
	case *syntax.Block:
		c.block(s)
	case *syntax.VarStmt:
		c.varStmt(s)
	case *syntax.ExprStmt:
		call := s.X.(*syntax.CallExpr)
		c.callStmt(call)
	case *syntax.AssignStmt:
		c.assignStmt(s)
	case *syntax.IfStmt:
		c.ifStmt(s)
	case *syntax.WhileStmt:
		c.whileStmt(s)
	case *syntax.DoWhileStmt:
		c.doWhileStmt(s)
	case *syntax.ForStmt:
		c.forStmt(s)
	case *syntax.ForeachStmt:
		c.foreach(s)
	case *syntax.LabeledStmt:
		c.frame.labels[s.Label] = c.pc()
		c.stmt(s.Stmt)
	case *syntax.GotoStmt:
		j := c.emitJump()
		c.markSymExit(j, s.Pos, "goto", false)
		c.frame.gotos = append(c.frame.gotos, gotoFix{target: &c.code[j].Target, label: s.Label, pos: s.Pos})
	case *syntax.ReturnStmt:
		c.returnStmt(s)
	case *syntax.BreakStmt:
		if len(c.loops) == 0 {
			c.errf(s.Pos, "break outside a loop")
		}
		j := c.emitJump()
		c.markSymExit(j, s.Pos, "break", true)
		lp := c.loops[len(c.loops)-1]
		lp.breaks = append(lp.breaks, &c.code[j].Target)
	case *syntax.ContinueStmt:
		if len(c.loops) == 0 {
			c.errf(s.Pos, "continue outside a loop")
		}
		j := c.emitJump()
		lp := c.loops[len(c.loops)-1]
		lp.continues = append(lp.continues, &c.code[j].Target)
	case *syntax.AtomicStmt:
		start := c.pc()
		c.block(s.Body)
		c.makeAtomic(start, c.pc(), s.Pos)
	case *syntax.EitherStmt:
		c.eitherStmt(s)
	default:
		c.errf(s.StmtPos(), "unsupported statement")
	}
}

// varStmt declares a local and assigns its initial value (or its type's zero).
func (c *compiler) varStmt(s *syntax.VarStmt) {
	if c.lookupLocalHere(s.Name) {
		c.errf(s.Pos, "%s is already declared in this block", s.Name)
	}
	t := c.resolveType(s.Type, false)
	if t.Kind == KVoid {
		c.errf(s.Type.Pos, "a variable cannot be void")
	}
	var ev Eval
	if s.Init != nil {
		var et Type
		ev, et = c.expr(s.Init)
		c.assignable(t, et, s.Init.ExprPos(), s.Name)
		ev = c.convert(t, et, ev)
	} else {
		ev = func(*Ctx) int64 { return zeroValue(t) }
	}
	l := c.newLocal(s.Name, t)
	set := c.localSetter(l, s.Pos, s.Name)
	c.emit(&Instr{Op: OpAssign, X: ev, Set: set, def: c.localIndex(l) + 1})
	c.declare(s.Name, &binding{typ: t, local: l})
}

// ifStmt compiles an if: a branch to the then part, or to the else part.
func (c *compiler) ifStmt(s *syntax.IfStmt) {
	cond := c.condExpr(s.Cond)
	br := c.emit(&Instr{Op: OpBranch, X: cond})
	c.code[br].Target = c.pc()
	v, isConst := c.constCond(s.Cond)
	c.unreachableIf(isConst && !v && !hasLabel(s.Then), func() { c.body(s.Then) })
	if s.Else != nil {
		j := c.emitJump()
		c.code[br].Else = c.pc()
		c.unreachableIf(isConst && v && !hasLabel(s.Else), func() { c.body(s.Else) })
		c.code[j].Target = c.pc()
	} else {
		c.code[br].Else = c.pc()
	}
}

// hasLabel reports whether a label is defined in s: a goto can reach it
// whatever the condition in front of it.
func hasLabel(s syntax.Stmt) bool {
	found := false
	walkStmts(s, func(x syntax.Stmt) {
		if _, ok := x.(*syntax.LabeledStmt); ok {
			found = true
		}
	})
	return found
}

// unreachableIf compiles code that never runs when dead is set (a branch
// of an `if` on a constant): what it would make the model ask, such as
// task_curr(), is not counted.
func (c *compiler) unreachableIf(dead bool, compile func()) {
	if dead {
		c.unreachable++
		defer func() { c.unreachable-- }()
	}
	compile()
}

// whileStmt compiles a while loop: the test at the top, a jump back at the end.
func (c *compiler) whileStmt(s *syntax.WhileStmt) {
	top := c.pc()
	cond := c.condExpr(s.Cond)
	br := c.emit(&Instr{Op: OpBranch, X: cond})
	c.code[br].Target = c.pc()
	lp := c.pushLoop()
	c.body(s.Body)
	c.setOrigin(s.Pos, syntax.StmtHeader(s))
	j := c.emitJump()
	c.code[j].Target = top
	c.code[br].Else = c.pc()
	c.popLoop(lp, c.pc(), top)
}

// doWhileStmt compiles a do ... while loop: the test at the end branches back.
func (c *compiler) doWhileStmt(s *syntax.DoWhileStmt) {
	top := c.pc()
	lp := c.pushLoop()
	c.body(s.Body)
	cont := c.pc()
	c.setOrigin(s.Cond.ExprPos(), syntax.StmtHeader(s))
	cond := c.condExpr(s.Cond)
	br := c.emit(&Instr{Op: OpBranch, X: cond})
	c.code[br].Target = top
	c.code[br].Else = c.pc()
	c.popLoop(lp, c.pc(), cont)
}

// forStmt compiles a for loop in its own scope (the initialisation's
// variables); continue goes to the post statement.
func (c *compiler) forStmt(s *syntax.ForStmt) {
	c.push()
	if s.Init != nil {
		c.stmt(s.Init)
	}
	top := c.pc()
	br := -1
	if s.Cond != nil {
		c.setOrigin(s.Pos, syntax.StmtHeader(s))
		cond := c.condExpr(s.Cond)
		br = c.emit(&Instr{Op: OpBranch, X: cond})
		c.code[br].Target = c.pc()
	}
	lp := c.pushLoop()
	c.body(s.Body)
	cont := c.pc()
	if s.Post != nil {
		c.stmt(s.Post)
	}
	c.setOrigin(s.Pos, syntax.StmtHeader(s))
	j := c.emitJump()
	c.code[j].Target = top
	if br >= 0 {
		c.code[br].Else = c.pc()
	}
	c.popLoop(lp, c.pc(), cont)
	c.pop()
}

// eitherStmt compiles either/or: one OpEither whose targets start the
// branches, each ending in a jump past them all.
func (c *compiler) eitherStmt(s *syntax.EitherStmt) {
	if c.inInit {
		c.errf(s.Pos, "either is not allowed in init: the initial state must be unique")
	}
	e := c.emit(&Instr{Op: OpEither, Fair: s.Fair})
	if s.Fair {
		c.prog.FairEither = true
	}
	var ends []int
	for _, b := range s.Branches {
		c.code[e].Targets = append(c.code[e].Targets, c.pc())
		c.block(b)
		c.setOrigin(s.Pos, "either")
		ends = append(ends, c.emitJump())
	}
	for _, j := range ends {
		c.code[j].Target = c.pc()
	}
}

func (c *compiler) lookupLocalHere(name string) bool { return c.scope.vars[name] != nil }

// makeAtomic turns the instructions [start, end) into one step: every
// visible instruction after the first becomes invisible, so no step ends
// inside. Only the first visible instruction may block: a later one could
// not wait without ending the step.
func (c *compiler) makeAtomic(start, end int, pos syntax.Pos) {
	first := true
	for i := start; i < end; i++ {
		ins := c.code[i]
		if !ins.Visible {
			continue
		}
		if first {
			first = false
			ins.atomicStart, ins.atomicEnd = start, end
			continue
		}
		if mayBlock(ins.Op) {
			c.errHint(ins.Pos, "put the blocking statement first, as the block's guard: atomic { await(cond); ... }",
				"%s may block, and inside atomic only the first statement may", ins.Text)
		}
		ins.Visible = false
		ins.atomicHidden = true
	}
}

func (c *compiler) emitJump() int { return c.emit(&Instr{Op: OpJump}) }

// code addresses are fixed once emitted, but c.code may grow: loop fixups
// are recorded as instruction indexes and patched through the slice.
func (c *compiler) pushLoop() *loopCtx {
	lp := &loopCtx{}
	c.loops = append(c.loops, lp)
	return lp
}

func (c *compiler) popLoop(lp *loopCtx, brk, cont int) {
	for _, p := range lp.breaks {
		*p = brk
	}
	for _, p := range lp.continues {
		*p = cont
	}
	c.loops = c.loops[:len(c.loops)-1]
}

func (c *compiler) foreach(s *syntax.ForeachStmt) {
	c.push()
	defer c.pop()
	over := s.Over
	var elem *Struct
	var count func(*Ctx) int64
	var at func(*Ctx, int64) int64
	var arr *Array
	if id, ok := over.(*syntax.Ident); ok && c.arrays[id.Name] != nil && c.lookup(id.Name) == nil {
		a := c.arrays[id.Name]
		arr = a
		elem = a.Struct
		n := int64(a.Len)
		first := int64(a.First)
		count = func(*Ctx) int64 { return n }
		at = func(_ *Ctx, i int64) int64 { return first + i + 1 }
		if why := notPerElement(s.Body, s.Var); why != "" {
			if site := c.symSite(s.Pos, "a foreach over "+a.Name+" that "+why); site != nil {
				at = func(cx *Ctx, i int64) int64 {
					if cx.sym != nil {
						cx.sym.hitArray(a, site)
					}
					return first + i + 1
				}
			}
		}
	} else {
		ll := c.listLoc(over)
		elem = ll.typ.Struct
		li := ll.list
		addr := ll.addr
		count = func(cx *Ctx) int64 { return int64(cx.p.listLen(cx.s, addr(cx), li)) }
		at = func(cx *Ctx, i int64) int64 { return cx.p.listAt(cx.s, addr(cx), li, int(i)) }
	}
	idx := c.newLocal(s.Var+"#i", Type{Kind: KInt, Lo: 0, Hi: 64})
	idx.SymIdx = arr
	c.scope.locals = append(c.scope.locals, idx)
	v := c.newLocal(s.Var, Type{Kind: KRef, Struct: elem})
	c.declare(s.Var, &binding{typ: v.Type, local: v})
	idxGet := c.localGetter(idx)
	c.emit(&Instr{Op: OpAssign, X: func(*Ctx) int64 { return 0 }, Set: c.localSetter(idx, s.Pos, s.Var), def: c.localIndex(idx) + 1})
	top := c.pc()
	c.track.uses = map[int]bool{c.localIndex(idx): true}
	cnt := count
	cond := func(cx *Ctx) int64 { return b2i(idxGet(cx) < cnt(cx)) }
	br := c.emit(&Instr{Op: OpBranch, X: cond})
	c.code[br].Target = c.pc()
	c.track.uses = map[int]bool{c.localIndex(idx): true}
	c.emit(&Instr{Op: OpAssign, X: func(cx *Ctx) int64 { return at(cx, idxGet(cx)) }, Set: c.localSetter(v, s.Pos, s.Var), def: c.localIndex(v) + 1})
	lp := c.pushLoop()
	if arr != nil {
		c.symLoops = append(c.symLoops, symLoop{arr: arr, frame: c.frame, loop: len(c.loops) - 1, pos: s.Pos})
	}
	c.body(s.Body)
	if arr != nil {
		c.symLoops = c.symLoops[:len(c.symLoops)-1]
	}
	cont := c.pc()
	c.setOrigin(s.Pos, syntax.StmtHeader(s))
	c.track.uses = map[int]bool{c.localIndex(idx): true}
	c.emit(&Instr{Op: OpAssign, X: func(cx *Ctx) int64 { return idxGet(cx) + 1 }, Set: c.localSetter(idx, s.Pos, s.Var), def: c.localIndex(idx) + 1})
	j := c.emitJump()
	c.code[j].Target = top
	c.code[br].Else = c.pc()
	c.popLoop(lp, c.pc(), cont)
}

func (c *compiler) returnStmt(s *syntax.ReturnStmt) {
	f := c.frame
	if f.fd == nil {
		// the thread's own body: return ends the thread
		if s.X != nil {
			c.errf(s.X.ExprPos(), "a thread's return takes no value")
		}
		ex := c.emit(&Instr{Op: OpExit})
		c.markSymExit(ex, s.Pos, "return", false)
		return
	}
	if s.X == nil {
		if f.ret != nil {
			c.errf(s.Pos, "%s returns %s: expected a value after return", f.fd.Name, f.retTyp)
		}
	} else {
		if f.ret == nil {
			c.errf(s.X.ExprPos(), "%s returns void: return takes no value", f.fd.Name)
		}
		ev, t := c.expr(s.X)
		c.assignable(f.retTyp, t, s.X.ExprPos(), "the return value of "+f.fd.Name)
		c.emit(&Instr{Op: OpAssign, X: c.convert(f.retTyp, t, ev), Set: c.localSetter(f.ret, s.Pos, f.fd.Name), def: c.localIndex(f.ret) + 1})
	}
	j := c.emitJump()
	c.markSymExit(j, s.Pos, "return", false)
	f.exit = append(f.exit, &c.code[j].Target)
}

func (c *compiler) assignStmt(s *syntax.AssignStmt) {
	lv := c.lvalueW(s.Lhs)
	switch lv.typ.Kind {
	case KList:
		c.errHint(s.Pos, "use list_add, list_add_tail, list_del or list_move", "a list cannot be assigned")
	case KLock:
		c.errHint(s.Pos, "use spin_lock/spin_unlock or mutex_lock/mutex_unlock", "a lock cannot be assigned")
	}
	var ev Eval
	var et Type
	if s.Rhs != nil {
		ev, et = c.expr(s.Rhs)
	}
	get := lv.get
	switch s.Op {
	case "=":
		c.assignable(lv.typ, et, s.Rhs.ExprPos(), lv.text)
		ev = c.convert(lv.typ, et, ev)
	case "++", "--":
		if lv.typ.Kind != KInt {
			c.errf(s.Pos, "%s%s: %s is %s, expected an int", lv.text, s.Op, lv.text, lv.typ)
		}
		d := int64(1)
		if s.Op == "--" {
			d = -1
		}
		ev = func(cx *Ctx) int64 { return get(cx) + d }
	default:
		op := s.Op[:len(s.Op)-1]
		if lv.typ.Kind != KInt && !(lv.typ.Kind == KBool && (op == "&" || op == "|" || op == "^")) {
			c.errf(s.Pos, "%s %s ...: %s is %s, expected an int", lv.text, s.Op, lv.text, lv.typ)
		}
		if !isIntLike(et) {
			c.errf(s.Rhs.ExprPos(), "%s %s: expected an int on the right, found %s", lv.text, s.Op, et)
		}
		rhs := ev
		pos := s.Pos
		ev = func(cx *Ctx) int64 {
			x, y := get(cx), rhs(cx)
			v, ok := arith(op, x, y)
			if !ok {
				rtErr("%s: %s", pos, arithWhy(op, x, y))
			}
			return v
		}
	}
	ins := &Instr{Op: OpAssign, X: ev, Set: lv.set}
	if lv.local != nil {
		ins.def = c.localIndex(lv.local) + 1
		if s.Op != "=" {
			c.use(lv.local)
		}
	}
	c.emit(ins)
}

// ---- calls ----

// callStmt compiles a call used as a statement.
func (c *compiler) callStmt(call *syntax.CallExpr) {
	if fd := c.funcs[call.Fun]; fd != nil {
		c.inlineCall(call, fd)
		return
	}
	if c.builtinStmt(call) {
		return
	}
	// a value-returning builtin used as a statement (wake_up_process,
	// warn_on): its value is not used, so neither is its temporary
	if _, _, ok := c.impureBuiltin(call); ok {
		c.track = tracking{}
		return
	}
	if pureBuiltins[call.Fun] {
		c.errf(call.Pos, "the result of %s() is not used", call.Fun)
	}
	c.unknownFunc(call)
}

var pureBuiltins = map[string]bool{"list_empty": true, "first": true, "last": true, "list_first_entry_or_null": true,
	"list_last_entry_or_null": true, "len": true, "list_count": true, "min": true, "max": true, "task_state": true, "finished": true,
	"spin_is_locked": true, "mutex_is_locked": true, "index": true, "list_index": true, "list_nth": true,
	"list_first_entry": true, "list_last_entry": true, "likely": true, "unlikely": true, "READ_ONCE": true}

func (c *compiler) unknownFunc(call *syntax.CallExpr) {
	if c.kinds[call.Fun] != nil {
		c.errf(call.Pos, "%s is a thread, not a function: threads start by themselves", call.Fun)
	}
	c.errHint(call.Pos, "define it with `TYPE "+call.Fun+"(...) { ... }`", "call of undefined function %s", call.Fun)
}

// inlineCall compiles a call of a model function in place: arguments into
// fresh locals, the body, and a result local. It returns the result (nil for
// void). Functions are inlined, so a recursive call is an error.
func (c *compiler) inlineCall(call *syntax.CallExpr, fd *syntax.FuncDecl) (Eval, Type, *Local) {
	if c.inProp {
		c.errf(call.Pos, "internal: inlineCall in a property")
	}
	for f := c.frame; f != nil; f = f.parent {
		if f.fd == fd {
			c.errHint(call.Pos, "calls are inlined; rewrite the recursion as a loop", "recursive call of %s", fd.Name)
		}
	}
	if c.depth >= maxInline {
		c.errf(call.Pos, "calls nested deeper than %d", maxInline)
	}
	if len(call.Args) != len(fd.Params) {
		c.errf(call.Pos, "%s takes %d argument%s, %d given (declared at %s)", fd.Name, len(fd.Params), plural(len(fd.Params)), len(call.Args), fd.Pos)
	}
	// evaluate the arguments into the callee's parameters; these
	// instructions belong to the calling statement
	callPos, callText := c.curPos, c.curText
	params := &scope{vars: map[string]*binding{}}
	startPC := c.pc()
	for i, p := range fd.Params {
		t := c.resolveType(p.Type, false)
		if t.Kind == KVoid {
			c.errf(p.Pos, "a parameter cannot be void")
		}
		c.setOrigin(callPos, callText)
		ev, et := c.expr(call.Args[i])
		c.assignable(t, et, call.Args[i].ExprPos(), fmt.Sprintf("argument %d of %s (%s)", i+1, fd.Name, p.Name))
		l := c.newLocal(fd.Name+"."+p.Name, t)
		c.emit(&Instr{Op: OpAssign, X: c.convert(t, et, ev), Set: c.localSetter(l, call.Pos, p.Name), def: c.localIndex(l) + 1})
		if params.vars[p.Name] != nil {
			c.errf(p.Pos, "%s has two parameters named %s", fd.Name, p.Name)
		}
		params.vars[p.Name] = &binding{typ: t, local: l}
	}
	ret := c.resolveType(fd.Ret, false)
	f := &frame{fd: fd, labels: map[string]int{}, parent: c.frame, retTyp: ret}
	if ret.Kind != KVoid {
		f.ret = c.temp(fd.Name+"()", ret)
	}
	// the callee sees only globals and its parameters, not the caller's locals
	savedScope, savedFrame, savedFn, savedLoops := c.scope, c.frame, c.fn, c.loops
	root := c.scope
	for root.parent != nil {
		root = root.parent
	}
	globalsOnly := &scope{vars: map[string]*binding{}}
	for name, b := range root.vars {
		if b.self {
			continue // a thread's parameter is not visible inside functions
		}
		globalsOnly.vars[name] = b
	}
	params.parent = globalsOnly
	c.scope, c.frame, c.fn, c.loops = params, f, fd.Name, nil
	savedTemps := c.temps
	c.temps = nil
	c.depth++
	c.collectLabels(fd.Body, f)
	bodyPC := c.pc()
	c.block(fd.Body)
	if f.ret != nil && !endsInReturn(fd.Body) {
		// falling off the end of a non-void function: C leaves it undefined; we make it an error at run time
		c.setOrigin(fd.Body.End, "}")
		pos := fd.Body.End
		name := fd.Name
		c.emit(&Instr{Op: OpAssign, X: func(*Ctx) int64 { rtErr("%s: %s reached its end without returning a value", pos, name); return 0 }, Set: func(*Ctx, int64) {}})
	}
	exit := c.pc()
	for _, p := range f.exit {
		*p = exit
	}
	c.finishFrame(f)
	if singleReturn(fd) {
		site := &CallSite{Pos: callPos, Text: callText, Func: savedFn}
		for i := bodyPC; i < exit; i++ {
			c.code[i].Detail, c.code[i].Call = true, site
		}
	}
	if fd.Ghost {
		for i := startPC; i < exit; i++ {
			ins := c.code[i]
			if ins.Visible {
				c.errHint(ins.Pos, "a ghost function may only touch ghost state and locals",
					"ghost function %s: %s touches shared state or may block", fd.Name, ins.Text)
			}
			ins.Hidden = true
		}
	}
	c.depth--
	for _, l := range c.temps {
		c.release(l)
	}
	for i := len(fd.Params) - 1; i >= 0; i-- {
		c.release(params.vars[fd.Params[i].Name].local)
	}
	c.temps = savedTemps
	c.scope, c.frame, c.fn, c.loops = savedScope, savedFrame, savedFn, savedLoops
	if f.ret == nil {
		return nil, ret, nil
	}
	return c.localGetter(f.ret), ret, f.ret
}

// singleReturn reports whether fd's body is one return statement with a value.
func singleReturn(fd *syntax.FuncDecl) bool {
	if len(fd.Body.Stmts) != 1 {
		return false
	}
	r, ok := fd.Body.Stmts[0].(*syntax.ReturnStmt)
	return ok && r.X != nil
}

func endsInReturn(b *syntax.Block) bool {
	if len(b.Stmts) == 0 {
		return false
	}
	switch s := b.Stmts[len(b.Stmts)-1].(type) {
	case *syntax.ReturnStmt:
		return true
	case *syntax.GotoStmt:
		return true
	case *syntax.Block:
		return endsInReturn(s)
	case *syntax.IfStmt:
		if s.Else == nil {
			return false
		}
		return endsInReturnStmt(s.Then) && endsInReturnStmt(s.Else)
	}
	return false
}

func endsInReturnStmt(s syntax.Stmt) bool {
	if b, ok := s.(*syntax.Block); ok {
		return endsInReturn(b)
	}
	return endsInReturn(&syntax.Block{Stmts: []syntax.Stmt{s}})
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func (c *compiler) wantArgs(call *syntax.CallExpr, n int, usage string) {
	if len(call.Args) != n {
		c.errHint(call.Pos, "usage: "+usage, "%s takes %d argument%s, %d given", call.Fun, n, plural(n), len(call.Args))
	}
}

// lockdepAssertHeld compiles lockdep_assert_held(&lock): checked, the
// running thread must hold the lock.
func (c *compiler) lockdepAssertHeld(call *syntax.CallExpr) {
	// checked: the running thread must hold the lock
	c.wantArgs(call, 1, "lockdep_assert_held(&lock)")
	lv := c.lvalue(call.Args[0])
	if lv.typ.Kind != KLock {
		c.errf(call.Args[0].ExprPos(), "lockdep_assert_held: expected a lock, found %s (%s)", lv.text, lv.typ)
	}
	if c.kind == nil {
		return // init runs alone: nothing to check
	}
	addr, w, name, pos := lv.addr, lv.width, lv.name, call.Pos
	c.emit(&Instr{Op: OpAssign, X: func(cx *Ctx) int64 {
		if cx.th != nil && cx.s.get(addr(cx), w) != uint64(cx.th.Index+1) {
			lockErr("%s: lockdep_assert_held(%s) fails: %s does not hold it", pos, name(cx), cx.th.Label)
		}
		return 0
	}, Set: func(*Ctx, int64) {}})
}

// mutexStmt compiles mutex_lock(&m) and mutex_unlock(&m).
func (c *compiler) mutexStmt(call *syntax.CallExpr) {
	c.noInit(call)
	c.wantArgs(call, 1, call.Fun+"(&lock)")
	if c.kind != nil && c.kind.Ctx != CtxTask {
		c.errf(call.Pos, "%s() in a %s handler: an interrupt handler is not a task and cannot sleep", call.Fun, c.kind.Ctx)
	}
	lv := c.lvalueW(call.Args[0])
	if lv.typ.Kind != KLock {
		c.errf(call.Args[0].ExprPos(), "%s: expected a lock, found %s (%s)", call.Fun, lv.text, lv.typ)
	}
	if !lv.typ.Mutex {
		c.errf(call.Pos, "%s on %s, which is a %s: use spin_lock/spin_unlock", call.Fun, lv.text, lv.typ)
	}
	op := OpLock
	if call.Fun == "mutex_unlock" {
		op = OpUnlock
	}
	c.track.shared = true
	c.emit(&Instr{Op: op, Addr: lv.addr, LockW: lv.width, Mutex: true, LockNm: lv.name})
}

// builtinStmt compiles the builtins that are statements only. It reports
// whether call was one.
func (c *compiler) builtinStmt(call *syntax.CallExpr) bool {
	if form, ok := lockForms[call.Fun]; ok {
		c.lockStmt(call, form)
		return true
	}
	if op, ok := ctxBuiltins[call.Fun]; ok {
		c.ctxStmt(call, op)
		return true
	}
	switch call.Fun {
	case "WRITE_ONCE":
		// a marked lockless write: data_race(x) = v (docs/language.md "Kernel spelling")
		c.wantArgs(call, 2, "WRITE_ONCE(x, value)")
		c.assignStmt(&syntax.AssignStmt{Pos: call.Pos, Lhs: &syntax.CallExpr{Pos: call.Pos, Fun: "data_race", Args: call.Args[:1]}, Op: "=", Rhs: call.Args[1]})
		return true
	case "lockdep_assert_held":
		c.lockdepAssertHeld(call)
		return true
	case "mutex_lock", "mutex_unlock":
		c.mutexStmt(call)
		return true
	case "set_current_state", "__set_current_state":
		c.noInit(call)
		c.wantArgs(call, 1, call.Fun+"(TASK_IDLE)")
		c.noSleepInIrq(call)
		ev, t := c.expr(call.Args[0])
		if lit, ok := call.Args[0].(*syntax.IntLit); t.Kind != KInt || ok && (lit.Val < TaskRunning || lit.Val > TaskIdle) {
			c.errf(call.Args[0].ExprPos(), "%s: expected a task state (TASK_RUNNING, TASK_INTERRUPTIBLE, TASK_UNINTERRUPTIBLE, TASK_IDLE)", call.Fun)
		}
		pos := call.Pos
		c.track.shared, c.track.nonmover = true, true
		c.emit(&Instr{Op: OpSetState, X: func(cx *Ctx) int64 {
			v := ev(cx)
			if v < TaskRunning || v > TaskIdle {
				rtErr("%s: %d is not a task state", pos, v)
			}
			return v
		}})
		return true
	case "schedule":
		c.noInit(call)
		c.wantArgs(call, 0, "schedule()")
		c.noSleepInIrq(call)
		c.track.shared = true
		c.emit(&Instr{Op: OpSchedule})
		return true
	case "await":
		c.noInit(call)
		c.wantArgs(call, 1, "await(condition)")
		if hasEffects(c, call.Args[0], false) {
			c.errf(call.Args[0].ExprPos(), "await's condition is re-evaluated on every retry: it cannot call wake_up_process or warn_on")
		}
		c.pureCalls = true
		cond := c.condExpr(call.Args[0])
		c.pureCalls = false
		c.track.shared = true
		c.emit(&Instr{Op: OpAwait, X: cond})
		return true
	case "list_add", "list_add_tail", "list_del", "list_del_init":
		c.wantArgs(call, 2, call.Fun+"(entry, &list)")
		ll := c.listLocW(call.Args[1], true)
		ev, t := c.expr(call.Args[0])
		c.refArg(call, t, ll.typ.Struct, call.Args[0])
		c.track.shared = true
		op := OpListAdd
		if call.Fun == "list_del" || call.Fun == "list_del_init" {
			op = OpListDel
		}
		c.emit(&Instr{Op: op, X: ev, Addr: ll.addr, List: ll.list, Tail: call.Fun == "list_add_tail"})
		return true
	case "list_move", "list_move_tail":
		// one statement, one step: the delete and the add are a single instruction pair
		c.wantArgs(call, 3, call.Fun+"(entry, &from, &to)")
		from := c.listLocW(call.Args[1], true)
		to := c.listLocW(call.Args[2], true)
		if from.typ.Struct != to.typ.Struct {
			c.errf(call.Pos, "%s: the lists hold different types (%s, %s)", call.Fun, from.typ, to.typ)
		}
		ev, t := c.expr(call.Args[0])
		c.refArg(call, t, from.typ.Struct, call.Args[0])
		c.track.shared = true
		c.emit(&Instr{Op: OpListDel, X: ev, Addr: from.addr, List: from.list})
		c.track.shared = false
		c.emit(&Instr{Op: OpListAdd, X: ev, Addr: to.addr, List: to.list, Tail: call.Fun == "list_move_tail"})
		return true
	case "set_task_state":
		if !c.inInit {
			c.errHint(call.Pos, "threads change their own state with set_current_state(); others wake them with wake_up_process()",
				"set_task_state is only allowed in init")
		}
		c.wantArgs(call, 2, "set_task_state(task, TASK_IDLE)")
		task := c.taskExpr(call.Args[0])
		ev, _ := c.expr(call.Args[1])
		c.emit(&Instr{Op: OpSetTask, X: task, Y: ev})
		return true
	}
	return false
}

// lockForm is one spelling of a spinlock operation: acquire or release,
// and the lock form's effect on the context (_irq, _irqsave, _bh).
type lockForm struct {
	unlock bool
	ctx    CtxOp
	flags  bool // takes the saved interrupt state as a second argument
	nested bool // spin_lock_nested(&lock, SUBCLASS): lockdep's subclass annotation
}

var lockForms = makeLockForms()

func makeLockForms() map[string]lockForm {
	m := map[string]lockForm{}
	for _, pre := range []string{"spin_", "raw_spin_"} {
		m[pre+"lock"] = lockForm{}
		m[pre+"lock_nested"] = lockForm{nested: true}
		m[pre+"unlock"] = lockForm{unlock: true}
		m[pre+"lock_irq"] = lockForm{ctx: CtxIrqDisable}
		m[pre+"unlock_irq"] = lockForm{unlock: true, ctx: CtxIrqEnable}
		m[pre+"lock_irqsave"] = lockForm{ctx: CtxIrqSave, flags: true}
		m[pre+"unlock_irqrestore"] = lockForm{unlock: true, ctx: CtxIrqRestore, flags: true}
		m[pre+"lock_bh"] = lockForm{ctx: CtxBhDisable}
		m[pre+"unlock_bh"] = lockForm{unlock: true, ctx: CtxBhEnable}
	}
	return m
}

// ctxBuiltins are the statements that change the running context's state.
var ctxBuiltins = map[string]CtxOp{
	"preempt_disable": CtxPreemptDisable, "preempt_enable": CtxPreemptEnable,
	"local_irq_disable": CtxIrqDisable, "local_irq_enable": CtxIrqEnable,
	"local_irq_save": CtxIrqSave, "local_irq_restore": CtxIrqRestore,
	"local_bh_disable": CtxBhDisable, "local_bh_enable": CtxBhEnable,
}

// lockStmt compiles spin_lock(&l) and its forms.
func (c *compiler) lockStmt(call *syntax.CallExpr, form lockForm) {
	c.noInit(call)
	if form.flags {
		c.wantArgs(call, 2, call.Fun+"(&lock, flags)")
	} else if form.nested {
		c.wantArgs(call, 2, call.Fun+"(&lock, SINGLE_DEPTH_NESTING)")
	} else {
		c.wantArgs(call, 1, call.Fun+"(&lock)")
	}
	lv := c.lvalueW(call.Args[0])
	if lv.typ.Kind != KLock {
		c.errf(call.Args[0].ExprPos(), "%s: expected a lock, found %s (%s)", call.Fun, lv.text, lv.typ)
	}
	if lv.typ.Mutex {
		c.errf(call.Pos, "%s on %s, which is a %s: use mutex_lock/mutex_unlock", call.Fun, lv.text, lv.typ)
	}
	ins := &Instr{Op: OpLock, Addr: lv.addr, LockW: lv.width, LockNm: lv.name, Ctx: form.ctx}
	if form.unlock {
		ins.Op = OpUnlock
	}
	if form.flags {
		c.flagsArg(call, call.Args[1], ins)
	}
	if form.nested {
		// include/linux/lockdep.h: MAX_LOCKDEP_SUBCLASSES is 8
		v, isBool := c.constEval(call.Args[1])
		if isBool || v < 0 || v >= maxSubclass {
			c.errf(call.Args[1].ExprPos(), "%s: the subclass must be a constant from 0 to %d", call.Fun, maxSubclass-1)
		}
		ins.Subclass = uint8(v)
		c.maxSub = max(c.maxSub, int(v))
	}
	c.track.shared = true
	c.emit(ins)
}

// flagsArg compiles the saved-interrupts argument of an _irqsave form: a
// local written by the save, read by the restore.
func (c *compiler) flagsArg(call *syntax.CallExpr, arg syntax.Expr, ins *Instr) {
	fl := c.lvalue(arg)
	if fl.local == nil || !isIntLike(fl.typ) {
		c.errHint(arg.ExprPos(), "declare it first: int flags;", "%s: expected a local int variable for the saved interrupt state, found %s", call.Fun, fl.text)
	}
	if ins.Ctx == CtxIrqSave {
		ins.Set = fl.set
		ins.def = c.localIndex(fl.local) + 1
	} else {
		ins.X = fl.get
		c.use(fl.local)
	}
}

// ctxStmt compiles preempt_disable() and the other context builtins.
func (c *compiler) ctxStmt(call *syntax.CallExpr, op CtxOp) {
	c.noInit(call)
	if c.prog.NCPUs == 0 {
		c.errHint(call.Pos, "declare the CPUs (cpus 2;) and say where each thread runs (on cpu 0, unbound, or a hardirq/softirq handler)",
			"%s: the model has no CPUs, so there is no context to change", call.Fun)
	}
	ins := &Instr{Op: OpCtx, Ctx: op}
	if op == CtxIrqSave || op == CtxIrqRestore {
		c.wantArgs(call, 1, call.Fun+"(flags)")
		c.flagsArg(call, call.Args[0], ins)
	} else {
		c.wantArgs(call, 0, call.Fun+"()")
	}
	// Not a step of its own: opening a section is a right mover (nothing
	// else of the CPU can come between it and the next statement), so it
	// runs at the start of the step of the statement after it; closing one
	// is a left mover, so it runs with the statement before it.
	c.emit(ins)
}

// noSleepInIrq refuses, in an interrupt handler, what only a task can do.
func (c *compiler) noSleepInIrq(call *syntax.CallExpr) {
	if c.kind != nil && c.kind.Ctx != CtxTask {
		c.errf(call.Pos, "%s() in a %s handler: an interrupt handler is not a task and cannot sleep", call.Fun, c.kind.Ctx)
	}
}

func (c *compiler) noInit(call *syntax.CallExpr) {
	if c.inInit {
		c.errf(call.Pos, "%s is not allowed in init: init only builds the initial state", call.Fun)
	}
}

func (c *compiler) refArg(call *syntax.CallExpr, t Type, want *Struct, arg syntax.Expr) {
	if t.Kind == KRef && (t.Struct == nil || t.Struct == want) {
		return
	}
	c.errf(arg.ExprPos(), "%s: expected a %s, found %s", call.Fun, want.Name, t)
}

// impureBuiltin compiles wake_up_process and warn_on, which act and return
// a value: the action is an instruction, the value a temporary local.
func (c *compiler) impureBuiltin(call *syntax.CallExpr) (Eval, Type, bool) {
	switch call.Fun {
	case "wake_up_process":
		c.noInit(call)
		c.wantArgs(call, 1, "wake_up_process(task)")
		if c.inProp {
			c.errf(call.Pos, "wake_up_process has an effect: it cannot be used in a property")
		}
		saved := c.saveTrack()
		task := c.taskExpr(call.Args[0])
		tmp := c.temp("wake_up_process()", Type{Kind: KBool})
		c.track.shared, c.track.nonmover = true, true
		c.emit(&Instr{Op: OpWake, X: task, Set: c.localSetter(tmp, call.Pos, "wake"), def: c.localIndex(tmp) + 1})
		c.restoreTrack(saved)
		c.use(tmp)
		return c.localGetter(tmp), Type{Kind: KBool}, true
	case "warn_on", "WARN_ON", "WARN_ON_ONCE":
		if len(call.Args) != 1 && len(call.Args) != 2 {
			c.errHint(call.Pos, `usage: warn_on(condition) or warn_on(condition, "property-name")`, "%s takes 1 or 2 arguments, %d given", call.Fun, len(call.Args))
		}
		if c.inProp {
			c.errf(call.Pos, "warn_on is a check in code: in an invariant write the condition itself")
		}
		name := fmt.Sprintf("warn_on@%s:%d", baseName(call.Pos.File), call.Pos.Line)
		if len(call.Args) == 2 {
			sl, ok := call.Args[1].(*syntax.StringLit)
			if !ok {
				c.errf(call.Args[1].ExprPos(), "warn_on: expected the property name as a string, e.g. \"S6-warn-preconditions\"")
			}
			name = sl.Val
		}
		prop := c.warnProp(name, call)
		saved := c.saveTrack()
		cond := c.condExpr(call.Args[0])
		var tmp *Local
		ins := &Instr{Op: OpWarn, X: cond, Prop: prop}
		if c.kind != nil {
			tmp = c.temp("warn_on()", Type{Kind: KBool})
			ins.Set = c.localSetter(tmp, call.Pos, "warn_on")
			ins.def = c.localIndex(tmp) + 1
		}
		c.emit(ins)
		c.restoreTrack(saved)
		c.use(tmp)
		return c.localGetter(tmp), Type{Kind: KBool}, true
	}
	return nil, Type{}, false
}

func (c *compiler) warnProp(name string, call *syntax.CallExpr) int {
	if pr := c.prog.propByName[name]; pr != nil {
		if pr.Kind != PropWarnOn {
			c.errf(call.Pos, "warn_on names property %q, which is already a %s property", name, pr.Kind)
		}
		for i, x := range c.prog.Props {
			if x == pr {
				return i
			}
		}
	}
	return c.addProp(&Property{Name: name, Kind: PropWarnOn, Pos: call.Pos, Text: syntax.FormatExpr(call.Args[0])})
}

func baseName(path string) string {
	for i := len(path) - 1; i >= 0; i-- {
		if path[i] == '/' {
			return path[i+1:]
		}
	}
	return path
}

func (c *compiler) saveTrack() tracking {
	t := c.track
	c.track = tracking{}
	return t
}

func (c *compiler) restoreTrack(t tracking) { c.track = t }

func (c *compiler) use(l *Local) {
	if l == nil || c.kind == nil {
		return
	}
	if c.track.uses == nil {
		c.track.uses = map[int]bool{}
	}
	c.track.uses[c.localIndex(l)] = true
}

// runInit compiles the init block and runs it once on the initial state.
func (c *compiler) runInit(id *syntax.InitDecl) {
	k := &ThreadKind{Name: "init"}
	c.inInit = true
	c.beginKind(k, "init")
	c.frame = &frame{labels: map[string]int{}}
	c.collectLabels(id.Body, c.frame)
	c.block(id.Body)
	c.setOrigin(id.Body.End, "}")
	c.emit(&Instr{Op: OpExit})
	c.finishFrame(c.frame)
	c.endKind(k)
	c.inInit = false
	p := c.prog
	// The init block runs as one step of a pseudo-thread whose pc, task
	// state and locals sit after the model's bits: every instruction is made
	// invisible, so the stepper runs it to the end at once.
	for _, ins := range k.Code {
		ins.Visible = false
	}
	// (its index is past the real threads, so no lock reads as held by it)
	t := &Thread{Kind: k, Index: len(p.Threads), Obj: -1, Name: "init", Base: p.Bits}
	words := wordsFor(p.Bits + k.blockBits())
	s := make(State, words)
	copy(s, p.init)
	var out State
	var failure string
	st := p.NewStepper()
	st.ThreadSuccessors(s, t, func(sc *Succ) {
		switch {
		case sc.Err != nil:
			failure = sc.Err.Msg
		case len(sc.Fired) > 0:
			failure = "warn_on fired in init: " + p.Props[sc.Fired[0]].Text
		default:
			out = sc.State.Clone()
		}
	})
	if failure != "" {
		panic(&Error{Pos: id.Pos, Msg: "init failed: " + failure})
	}
	s = out
	// keep only the model's bits: init's own locals are dropped
	copy(p.init, s[:p.Words])
	if rem := p.Bits % 64; rem != 0 {
		p.init[p.Words-1] &= 1<<rem - 1
	}
}

// ---- liveness ----

// computeLiveness fills Instr.live: the locals that are live when the thread
// rests before that instruction; the others are zeroed there. Zeroing them makes states that differ only
// in dead locals identical — the classic dead-variable reduction, exact by
// construction because nothing reads a dead local before writing it.
func computeLiveness(k *ThreadKind) {
	n := len(k.Code)
	nl := len(k.Locals)
	if nl == 0 {
		return
	}
	words := (nl + 63) / 64
	liveIn := make([][]uint64, n+1)
	for i := range liveIn {
		liveIn[i] = make([]uint64, words)
	}
	succ := func(ins *Instr, i int) []int {
		switch ins.Op {
		case OpBranch:
			return []int{ins.Target, ins.Else}
		case OpJump:
			return []int{ins.Target}
		case OpEither:
			return ins.Targets
		case OpExit:
			return nil
		}
		return []int{ins.Next}
	}
	tmp := make([]uint64, words)
	for changed := true; changed; {
		changed = false
		for i := n - 1; i >= 0; i-- {
			ins := k.Code[i]
			for w := range tmp {
				tmp[w] = 0
			}
			for _, s := range succ(ins, i) {
				if s > n {
					s = n
				}
				for w := range tmp {
					tmp[w] |= liveIn[s][w]
				}
			}
			if ins.def > 0 {
				d := ins.def - 1
				tmp[d/64] &^= 1 << (d % 64)
			}
			for _, u := range ins.uses {
				tmp[u/64] |= 1 << (u % 64)
			}
			for w := range tmp {
				if tmp[w] != liveIn[i][w] {
					liveIn[i][w] = tmp[w]
					changed = true
				}
			}
		}
	}
	for i, ins := range k.Code {
		for j, l := range k.Locals {
			if liveIn[i][j/64]&(1<<(j%64)) != 0 && l.Width > 0 {
				ins.live = append(ins.live, l)
			}
		}
	}
}
