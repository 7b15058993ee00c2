package explorer

import (
	"fmt"
	"slices"

	"wqcheck/invariants"
	"wqcheck/model"
)

// Trace is a counterexample: the steps from the initial state to the
// violation, each with the instructions it executed.
type Trace struct {
	Prop    *model.Property
	Initial model.State
	Steps   []Step
	Msg     string // what is wrong at the end, in words
	// FailStep is set when the last step itself violated the property
	// (warn_on fired, a runtime error, a lock-discipline breach).
	FailStep bool
	// Loop, for a liveness counterexample (a lasso), is the index of the
	// first step that repeats for ever: Steps[Loop:] lead from the state
	// after Steps[Loop-1] back to it. Loop == len(Steps): the final state
	// repeats (no thread can move). -1: not a lasso.
	Loop int
}

// Step is one transition of a trace.
type Step struct {
	Thread *model.Thread
	Branch int
	Instrs []*model.Instr     // executed, in order
	PCs    []int              // their program counters (to tell which way a branch went)
	Rest   int                // where the thread rests after the step (the pc after the last instruction)
	Notes  map[int]model.Note // what some instructions did, by index into Instrs
	After  model.State        // the state after the step
	Blocks bool               // the step ended because the thread blocked mid-step
	Err    *model.StepError
	Fired  []int
}

// Move names one step of a trace: the thread that moves (its index in
// Program.Threads) and which of its nondeterministic branches it takes.
type Move struct {
	Thread int
	Branch int
}

// Replay re-executes a path of moves from the initial state, recording what
// each step executed. It fails if the model does not allow a move.
func Replay(p *model.Program, path []Move) (*Trace, error) {
	init, err := p.Initial()
	if err != nil {
		return nil, err
	}
	tr := &Trace{Initial: init, Loop: -1}
	st := p.NewStepper()
	st.Record = true
	cur := init
	for i, v := range path {
		if v.Thread < 0 || v.Thread >= len(p.Threads) {
			return tr, fmt.Errorf("step %d: no thread %d", i+1, v.Thread)
		}
		t := p.Threads[v.Thread]
		var got *Step
		branches := 0
		st.ThreadSuccessors(cur, t, func(sc *model.Succ) {
			branches++
			if sc.Branch != v.Branch {
				return
			}
			step := &Step{Thread: t, Branch: sc.Branch, After: sc.State.Clone(), Blocks: sc.Blocks, Err: sc.Err, Notes: sc.Notes,
				Rest:  p.PC(sc.State, t),
				Fired: append([]int(nil), sc.Fired...)}
			for _, pc := range sc.Log {
				step.Instrs = append(step.Instrs, t.Kind.Code[pc])
				step.PCs = append(step.PCs, pc)
			}
			got = step
		})
		if got == nil {
			switch {
			case p.Finished(cur, t):
				return tr, fmt.Errorf("step %d: %s cannot move: it has exited", i+1, t.Label)
			case branches == 0:
				return tr, fmt.Errorf("step %d: %s cannot move: it is blocked at %s", i+1, t.Label, p.Where(cur, t))
			}
			return tr, fmt.Errorf("step %d: %s has %d way%s to move here, not the branch %d the trace took (at %s)",
				i+1, t.Label, branches, map[bool]string{true: "", false: "s"}[branches == 1], v.Branch, p.Where(cur, t))
		}
		tr.Steps = append(tr.Steps, *got)
		cur = got.After
	}
	return tr, nil
}

// Final returns the state at the end of the trace.
func (t *Trace) Final() model.State {
	if len(t.Steps) == 0 {
		return t.Initial
	}
	return t.Steps[len(t.Steps)-1].After
}

// Reproduces says whether a replayed trace still shows prop failing: a
// step's warn_on or error for step properties, the final state for state
// and terminal properties (invariants, deadlock). A whole-graph property
// (stranded work) is not a property of one trace: it is judged by
// re-exploring from the trace's final state and asking whether the search
// from there finds it failing at once. The message says what was found, in
// words.
func Reproduces(p *model.Program, tr *Trace, prop int) (bool, string) {
	for i := range tr.Steps {
		st := &tr.Steps[i]
		if slices.Contains(st.Fired, prop) {
			return true, fmt.Sprintf("step %d: warn_on fired: %s", i+1, p.Props[prop].Text)
		}
		if st.Err != nil && st.Err.Prop == prop {
			return true, fmt.Sprintf("step %d: %s", i+1, st.Err.Msg)
		}
	}
	if p.Props[prop].Kind == model.PropLockdep {
		return reproducesLockdep(p, tr, prop)
	}
	if ok, msg := invariants.NewSuite(p).AtEnd(prop, tr.Final()); ok {
		return true, msg
	}
	if invariants.IsLiveness(p.Props[prop].Kind) {
		return reproducesLasso(p, tr, prop)
	}
	if invariants.For(p.Props[prop].Kind).Graph != nil {
		res := Explore(p.WithInitial(tr.Final()), Options{All: true})
		if res.Err == nil && res.Complete && res.Props[prop].Verdict == Violated && res.Props[prop].Trace != nil && len(res.Props[prop].Trace.Steps) == 0 {
			return true, res.Props[prop].Trace.Msg
		}
		if !res.Complete {
			return false, "could not decide: the search from the trace's end did not complete"
		}
	}
	return false, fmt.Sprintf("%s does not fail at the end of the trace", p.Props[prop].Name)
}

// buildTrace walks the parent records back to the initial state, turns
// each state's successor index into the move that produced it by
// re-expanding its parent, then replays the moves with instruction
// recording.
//
// With symmetry the recorded path runs through representatives, which the
// model need not be able to take in that order. The real trace keeps, per
// step, sig: the permutation that takes the representative c to the real
// state a = sig(c). It starts as the inverse of the initial state's
// canonicalisation; a step of thread T from c to t, whose representative is
// π(t), is the step of thread sig(T) from a to sig(t), and then sig becomes
// sig∘π⁻¹.
func buildTrace(p *model.Program, g *graph, v *violation, prop int, sym *model.Symmetry) (*Trace, error) {
	rp, err := newRealPath(p, sym)
	if err != nil {
		return nil, err
	}
	ids := g.rec.path(v.state)
	for _, id := range ids[1:] {
		if err := rp.step(id, g.rec.stepOf(id)); err != nil {
			return nil, err
		}
	}
	msg := v.msg
	loop := -1
	if v.finding != nil {
		lasso := v.finding.Lasso
		for _, h := range lasso.Path {
			if err := rp.stepEdge(h.Edge); err != nil {
				return nil, err
			}
		}
		loop = len(rp.moves) - len(lasso.Path) + lasso.Loop
	}
	if v.step != nil {
		mv := *v.step
		if sym != nil {
			mv = realFailingStep(p, rp.st, rp.real, sym.RenameThread(mv.Thread, rp.sig), mv.Branch, prop)
		}
		rp.moves = append(rp.moves, mv)
	}
	if v.check != nil && sym != nil {
		if a := sym.ArrayIndex(v.check.Items()); a >= 0 {
			msg = v.check.Msg(renameItems(v.items, rp.sig[a]))
		}
	}
	tr, err := Replay(p, rp.moves)
	if tr != nil {
		if sym != nil {
			msg = realMsg(p, tr, prop, msg)
		}
		tr.Msg = msg
		tr.FailStep = v.step != nil
		tr.Loop = loop
		if v.finding != nil && err == nil {
			at := tr.Initial
			if loop > 0 {
				at = tr.Steps[loop-1].After
			}
			tr.Msg = invariants.LassoMsg(p, p.Props[prop], v.finding, at)
		}
	}
	return tr, err
}

// realPath follows a path of the search (through representatives, with
// symmetry) and finds the real moves that take it.
type realPath struct {
	p     *model.Program
	st    *model.Stepper
	sym   *model.Symmetry
	cur   model.State // the state the search recorded (a representative)
	real  model.State // with symmetry: the real state
	canon *model.Canonicaliser
	sig   [][]int32 // per permuted array: the representative's index -> the real one
	moves []Move
}

func newRealPath(p *model.Program, sym *model.Symmetry) (*realPath, error) {
	cur, err := p.Initial()
	if err != nil {
		return nil, err
	}
	rp := &realPath{p: p, st: p.NewStepper(), sym: sym, cur: cur}
	if sym != nil {
		rp.canon = sym.NewCanonicaliser(sym.NewSymWatch())
		rp.real = cur.Clone()
		rp.canon.Canon(cur)
		rp.sig = invertPerms(clonePerms(rp.canon, sym))
	}
	return rp, nil
}

// step takes the search's edge to state id, successor k of the current
// state.
func (rp *realPath) step(id int32, k int) error {
	i := 0
	var next model.State
	var mv Move
	rp.st.Successors(rp.cur, func(sc *model.Succ) {
		if i == k {
			mv = Move{Thread: sc.Thread, Branch: sc.Branch}
			next = sc.State.Clone()
		}
		i++
	})
	if next == nil {
		return fmt.Errorf("internal error: state %d is successor %d of its parent, which has %d", id, k, i)
	}
	if rp.sym != nil {
		var err error
		if mv, err = rp.realStep(id, mv, next); err != nil {
			return err
		}
	}
	rp.moves = append(rp.moves, mv)
	rp.cur = next
	return nil
}

// stepEdge takes edge e of the current state: its e-th successor that is
// not an error (the search keeps no edge for those).
func (rp *realPath) stepEdge(e int32) error {
	i := int32(0)
	var next model.State
	var mv Move
	rp.st.Successors(rp.cur, func(sc *model.Succ) {
		if sc.Err != nil {
			return
		}
		if i == e {
			mv = Move{Thread: sc.Thread, Branch: sc.Branch}
			next = sc.State.Clone()
		}
		i++
	})
	if next == nil {
		return fmt.Errorf("internal error: a lasso takes edge %d of a state with %d", e, i)
	}
	if rp.sym != nil {
		var err error
		if mv, err = rp.realStep(-1, mv, next); err != nil {
			return err
		}
	}
	rp.moves = append(rp.moves, mv)
	rp.cur = next
	return nil
}

// realStep finds the real state's step that matches the representative's
// step mv to next, and updates sig.
func (rp *realPath) realStep(id int32, mv Move, next model.State) (Move, error) {
	want := make(model.State, len(next))
	rp.sym.Apply(next, want, rp.sig)
	thread := rp.sym.RenameThread(mv.Thread, rp.sig)
	found := false
	rp.st.Successors(rp.real, func(sc *model.Succ) {
		if !found && sc.Thread == thread && sc.Err == nil && slices.Equal(sc.State, want) {
			found = true
			mv = Move{Thread: sc.Thread, Branch: sc.Branch}
		}
	})
	if !found {
		return mv, fmt.Errorf("internal error: symmetry: no step of %s matches the representative's step to state %d", rp.p.Threads[thread].Label, id)
	}
	rp.real = want
	rp.canon.Canon(next)
	inv := invertPerms(clonePerms(rp.canon, rp.sym))
	for a := range rp.sig {
		ns := make([]int32, len(rp.sig[a]))
		for j := range ns {
			ns[j] = rp.sig[a][inv[a][j]]
		}
		rp.sig[a] = ns
	}
	return mv, nil
}

// renameItems renames a set of items by sig.
func renameItems(items uint64, sig []int32) uint64 {
	var out uint64
	for j := range sig {
		if items&(1<<j) != 0 {
			out |= 1 << sig[j]
		}
	}
	return out
}

// reproducesLasso judges a replayed liveness counterexample: its cycle
// closes (the last step returns to the state after step Loop), it is fair
// (every thread that never steps in it is disabled somewhere in it, and
// none could take a free lock there), and the property fails along it.
func reproducesLasso(p *model.Program, tr *Trace, prop int) (bool, string) {
	pr := p.Props[prop]
	if tr.Loop < 0 || tr.Loop > len(tr.Steps) {
		return false, "the saved trace does not say where its cycle starts (cycle_start)"
	}
	states := []model.State{tr.Initial}
	for i := range tr.Steps {
		states = append(states, tr.Steps[i].After)
	}
	if !slices.Equal(states[tr.Loop], tr.Final()) {
		return false, fmt.Sprintf("the cycle does not close: the state after the last step is not the one after step %d", tr.Loop)
	}
	if tr.Loop == len(tr.Steps) {
		n := 0
		p.NewStepper().Successors(tr.Final(), func(*model.Succ) { n++ })
		if n > 0 {
			return false, "the run does not stop at the end of the trace: some thread can still step"
		}
	}
	if why := unfair(p, tr, states[tr.Loop:]); why != "" {
		return false, "the cycle is not fair: " + why
	}
	var stepped uint64
	for _, st := range tr.Steps[tr.Loop:] {
		stepped |= 1 << st.Thread.Index
	}
	if !invariants.FailsAlong(p, pr, states, tr.Loop, stepped) {
		return false, fmt.Sprintf("%s does not fail along the cycle", pr.Name)
	}
	return true, fmt.Sprintf("the cycle of %s closes, every thread is treated fairly, and %s fails along it", model.Steps(len(tr.Steps)-tr.Loop), pr.Name)
}

// unfair says which thread a cycle treats unfairly, or "".
func unfair(p *model.Program, tr *Trace, cycle []model.State) string {
	stepped := map[int]bool{}
	for _, st := range tr.Steps[tr.Loop:] {
		stepped[st.Thread.Index] = true
	}
	stp, ev := p.NewStepper(), p.NewEvaluator()
	for _, t := range p.Threads {
		if stepped[t.Index] {
			continue
		}
		disabled, lockFree := false, false
		for _, s := range cycle {
			n := 0
			stp.ThreadSuccessors(s, t, func(sc *model.Succ) {
				if sc.Err == nil { // a step that raises an error leads nowhere: the search keeps no edge
					n++
				}
			})
			_, _, ins := p.LockWaitedFor(s, t)
			disabled = disabled || n == 0 && ev.IrqHeld(s)&(1<<t.Index) == 0
			lockFree = lockFree || n > 0 && (ins != nil || t.Kind.Fair)
		}
		switch {
		case lockFree:
			return t.Label + " could take its lock (or, a fair thread, step) in the cycle and never does"
		case !disabled:
			return t.Label + " can always step in the cycle and never does"
		}
	}
	return ""
}

// realMsg says what is wrong at the end of a trace rebuilt under symmetry
// in the real state's names: the message the search recorded was about the
// representative, whose threads and objects may be numbered otherwise.
func realMsg(p *model.Program, tr *Trace, prop int, msg string) string {
	if n := len(tr.Steps); n > 0 {
		if e := tr.Steps[n-1].Err; e != nil && e.Prop == prop {
			return e.Msg
		}
	}
	if ok, m := invariants.NewSuite(p).AtEnd(prop, tr.Final()); ok {
		return m
	}
	return msg
}

// realFailingStep finds, among the steps of thread from the real state s,
// the one that raises property prop: the branch of the representative's
// failing step if that one does, else the first that does.
func realFailingStep(p *model.Program, st *model.Stepper, s model.State, thread, branch, prop int) Move {
	best := Move{Thread: thread, Branch: branch}
	found := false
	st.Successors(s, func(sc *model.Succ) {
		if sc.Thread != thread {
			return
		}
		raises := sc.Err != nil && sc.Err.Prop == prop || slices.Contains(sc.Fired, prop)
		if raises && (!found || sc.Branch == branch) {
			best, found = Move{Thread: thread, Branch: sc.Branch}, true
		}
	})
	return best
}

func clonePerms(c *model.Canonicaliser, sym *model.Symmetry) [][]int32 {
	out := make([][]int32, sym.NumArrays())
	for k := range out {
		out[k] = slices.Clone(c.Perm(k))
	}
	return out
}

func invertPerms(perms [][]int32) [][]int32 {
	out := make([][]int32, len(perms))
	for k, pm := range perms {
		out[k] = make([]int32, len(pm))
		for old, nw := range pm {
			out[k][nw] = int32(old)
		}
	}
	return out
}
