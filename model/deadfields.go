package model

import (
	"fmt"
	"math/bits"

	"wqcheck/model/syntax"
)

// Dead fields: a field declared `live_when(COND)` matters only in the
// states where COND holds of its object (`self`). Wherever it does not, the
// search stores the field as zero, so states that differ only in a value
// nothing will read are one state: the classic dead-variable reduction,
// for a field. (upstream's worker->expired, which says whether
// last_active + IDLE_WORKER_TIMEOUT has passed, means something only while
// the worker is on pool->idle_list; left stale, it doubled the per-cpu
// state space.)
//
// The declaration is a claim, and the stepper checks it on every step
// rather than trust it (a runtime error names the field when it fails):
//
//   - a read of the field, in a step, is of an object where it was live
//     when the step began or where the step has already written it; a
//     read by a property is of an object where COND holds in that state;
//   - a step that makes the field live (COND false when it began, true
//     when it ends) writes it.
//
// Together these make every value read the one the unreduced model reads:
// a live field is never zeroed, and a field that was zeroed is written
// before it is read again. So the reduction keeps every verdict and every
// shortest trace's length. It is off in the fine-grained reference
// (--reduce none) and with --reduce strict (which ends a lock region where
// a lockless reader could look, and so may put the write of a field in
// another step than the one that makes it live, which the second check
// refuses). For partial-order reduction, an instruction that writes what
// COND reads writes the field too (the step may zero it).
//
// At the end of each step the fields are settled: zeroed where COND does
// not hold. COND is a property-style expression (no effects); it may not
// read a live_when field. Each field needs a bit per object: a struct with
// a live_when field has at most 64 objects, and a model at most
// maxDeadFields such fields.

const maxDeadFields = 8

// deadField is one live_when field.
type deadField struct {
	f    *Field
	st   *Struct
	i    int  // its slot in Program.dead and deadScratch
	cond Eval // COND, with self in quantifier slot 0
	// what COND reads: a property that reads the field reads it too
	// (checkRead evaluates COND), reads.go
	reads condReads
	text  string
	pos   syntax.Pos
}

// deadScratch is what the current step knows of the dead fields, per
// field a bit per object: where the field was live when the step began,
// and where the step has written it.
type deadScratch struct {
	start, written [maxDeadFields]uint64
}

// declareDead records field f of s as a live_when field.
func (c *compiler) declareDead(s *Struct, f *Field, fd *syntax.FieldDecl) {
	switch {
	case f.Type.Kind != KInt && f.Type.Kind != KBool && f.Type.Kind != KRef:
		c.errf(fd.Pos, "live_when: field %s is a %s; only int, bool and reference fields can be dead", f.Name, f.Type)
	case len(c.prog.dead) == maxDeadFields:
		c.errf(fd.Pos, "live_when: a model has at most %d live_when fields", maxDeadFields)
	}
	d := &deadField{f: f, st: s, i: len(c.prog.dead), text: syntax.FormatExpr(fd.LiveWhen), pos: fd.LiveWhen.ExprPos()}
	f.dead = d
	c.prog.dead = append(c.prog.dead, d)
	c.deadExprs = append(c.deadExprs, fd.LiveWhen)
}

// compileDead compiles each live_when condition, with self bound to the
// object, once the objects and globals it may name are laid out.
func (c *compiler) compileDead() {
	for k, d := range c.prog.dead {
		if d.st.Count > 64 {
			c.errf(d.pos, "live_when: struct %s has %d objects; a live_when field allows at most 64", d.st.Name, d.st.Count)
		}
		sc := &scope{vars: map[string]*binding{"self": {typ: Type{Kind: KRef, Struct: d.st}, q: 0}}}
		saved := c.saveTrack()
		c.inProp, c.kind, c.scope, c.qdepth, c.inLiveWhen = true, nil, sc, 1, true
		d.cond = c.condExpr(c.deadExprs[k])
		reads := c.track.foot.R
		d.reads = condReads{locs: reads, threadBits: c.track.threadBits}
		c.touch("f:" + d.st.Name + "." + d.f.Name)
		loc := c.lastLoc
		c.inProp, c.scope, c.qdepth, c.inLiveWhen = false, nil, 0, false
		c.restoreTrack(saved)
		c.deadFootprints(&reads, loc)
	}
}

// deadFootprints makes every instruction that writes what a live_when
// condition reads (reads) write its field (loc) too: the step that runs
// it may zero the field, which partial-order reduction must know.
func (c *compiler) deadFootprints(reads *LocSet, loc int) {
	for _, k := range c.prog.Kinds {
		for _, ins := range k.Code {
			if ins.foot.W.Meets(reads) {
				ins.foot.W.Add(loc)
			}
		}
	}
}

// live reports whether d is live for object obj in cx's state; cx is
// scratch (its first quantifier slot is overwritten).
func (d *deadField) live(cx *Ctx, obj int) bool {
	cx.q[0] = int64(obj + 1)
	return d.cond(cx) != 0
}

// deadAccess wraps a live_when field's getter and setter with the checks
// above; obj gives the object the access is to.
func deadAccess(d *deadField, obj func(*Ctx) int, lv *lval, pos syntax.Pos) {
	get, set, name := lv.get, lv.set, lv.name
	lv.get = func(cx *Ctx) int64 {
		v := get(cx)
		d.checkRead(cx, obj(cx), pos, name)
		return v
	}
	lv.set = func(cx *Ctx, v int64) {
		set(cx, v)
		if cx.dead != nil {
			cx.dead.written[d.i] |= 1 << obj(cx)
		}
	}
}

// checkRead fails a read of d's field of object o that the reduction
// could have answered with zero instead of the unreduced model's value.
func (d *deadField) checkRead(cx *Ctx, o int, pos syntax.Pos, name func(*Ctx) string) {
	if !cx.p.deadOn {
		return
	}
	if cx.dead != nil {
		if (cx.dead.start[d.i]|cx.dead.written[d.i])&(1<<o) == 0 {
			rtErr("%s: reads %s, which is dead here: live_when(%s) (%s) did not hold when the step began, and the step has not written it", pos, name(cx), d.text, d.pos)
		}
		return
	}
	// COND binds self to the first quantifier slot, which the property
	// reading the field may be using: evaluate it in a scratch context,
	// kept with cx (this is on the search's path: no allocation per read)
	if cx.liveScratch == nil {
		cx.liveScratch = new(Ctx)
	}
	sc := cx.liveScratch
	sc.reset(cx.p, cx.s, nil)
	if !d.live(sc, o) {
		rtErr("%s: reads %s, which is dead in this state: live_when(%s) (%s) does not hold", pos, name(cx), d.text, d.pos)
	}
}

// liveMask is where d is live in cx's state, a bit per object; cx is
// scratch (its first quantifier slot is overwritten).
func (d *deadField) liveMask(cx *Ctx) uint64 {
	var m uint64
	for o := range d.st.Count {
		if d.live(cx, o) {
			m |= 1 << o
		}
	}
	return m
}

// zero zeroes d's field of every object outside live.
func (d *deadField) zero(s State, live uint64) {
	for o := range d.st.Count {
		if live&(1<<o) == 0 {
			s.set(d.st.fieldOff(o, d.f), d.f.Width, 0)
		}
	}
}

// deadStart notes, for the step about to run from s, where each dead
// field is live.
func (st *Stepper) deadStart(s State) {
	if !st.p.deadOn {
		return
	}
	st.deadCtx.reset(st.p, s, st.ctx.sym) // a condition that tells objects apart rules symmetry out
	for _, d := range st.p.dead {
		st.deadS.start[d.i] = d.liveMask(&st.deadCtx)
	}
}

// settleDead ends a step in s: each dead field is zeroed where it is not
// live, and a field the step made live must have been written by it.
func (st *Stepper) settleDead(s State) {
	if !st.p.deadOn {
		return
	}
	st.deadCtx.reset(st.p, s, st.ctx.sym) // a condition that tells objects apart rules symmetry out
	for _, d := range st.p.dead {
		live := d.liveMask(&st.deadCtx)
		if stale := live &^ (st.deadS.start[d.i] | st.deadS.written[d.i]); stale != 0 {
			o := bits.TrailingZeros64(stale)
			rtErr("%s.%s: live_when(%s) (%s) became true in a step that did not write the field: the value left there is not the one the unreduced model would read", d.st.ObjName(o), d.f.Name, d.text, d.pos)
		}
		d.zero(s, live)
	}
}

// startDead turns the reduction on, once init (which runs before it, with
// the unreduced semantics) has built the initial state, and zeroes the
// initial state's dead fields.
func (c *compiler) startDead() {
	p := c.prog
	p.deadOn = !c.opts.Fine && !c.opts.Strict && !c.opts.KeepDead && len(p.dead) > 0
	if !p.deadOn || p.init == nil {
		return
	}
	var cx Ctx
	cx.reset(p, p.init, nil)
	for _, d := range p.dead {
		d.zero(p.init, d.liveMask(&cx))
	}
}

// DeadFields describes the live_when fields the search keeps zero where
// they are dead, or "" when there are none or the reduction is off.
func (p *Program) DeadFields() string {
	if !p.deadOn {
		return ""
	}
	s := ""
	for i, d := range p.dead {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%s.%s where not live_when(%s)", d.st.Name, d.f.Name, d.text)
	}
	return s
}

// deadField wraps an access to live_when field f (deadAccess), of the
// object base gives or, when idx >= 0, of object idx. Init runs before
// anything is zeroed, unchecked; a live_when condition may not read such a
// field.
func (c *compiler) deadField(f *Field, lv *lval, base Eval, idx int, pos syntax.Pos) {
	if c.inLiveWhen {
		c.errf(pos, "a live_when condition cannot read %s, itself a live_when field", f.Name)
	}
	if c.inInit {
		return
	}
	c.track.deadFields |= 1 << f.dead.i
	obj := func(cx *Ctx) int { return int(base(cx)) - 1 }
	if idx >= 0 {
		obj = func(*Ctx) int { return idx }
	}
	deadAccess(f.dead, obj, lv, pos)
}
