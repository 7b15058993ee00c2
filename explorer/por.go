package explorer

import "wqcheck/model"

// Partial-order reduction (Options.POR), breadth-first.
//
// From a state, when the steps of a set T of threads are independent of
// everything the threads outside T can still do, exploring only T's steps
// there loses no behaviour that matters: any path that starts with the
// others' steps can be reordered to start with one of T's (Valmari's
// stubborn sets, Godefroid's persistent sets, Peled's ample sets). T grows
// from one enabled thread (closure): an enabled member brings in every
// thread whose future conflicts with its steps, a disabled one every
// thread whose future may enable it. The search keeps T's steps alone,
// the smallest such T over the seeds, when:
//
//   - C1, persistence: what a member's steps read and write (with what
//     decided whether and how far they run: model/footprint.go) conflicts
//     with no location a thread outside T may still touch, from its current
//     program counter on (ThreadKind.Future), so no outside step, now or
//     later, can enable, disable or change a member's step, nor the other
//     way round; contexts conflict only on one CPU;
//   - C2, invisibility: T's steps write nothing a property reads and raise
//     no step property (warn_on, runtime error, lock discipline), and no
//     thread's step from this state raises one (the state is then expanded
//     fully, so the event is found where the full search finds it);
//   - C3, the cycle proviso for breadth-first order: none of the set's
//     successors has been expanded already (each is new, or its id, its
//     place in the expansion order, is above the state's: the closed-set
//     proviso of LTSmin, after Bošnački, Leue and Lluch Lafuente's
//     condition for general search orders). On any cycle of the reduced
//     graph, take the state with the largest id: its successor on the
//     cycle has a smaller or equal id, so that state was expanded fully.
//     Every cycle has a fully expanded state, so no thread's step is put
//     off for ever. (The visited set keeps ids for this.)
//   - C4, when a whole-graph property is checked (stranded work: from every
//     reachable state some path still takes each pending item, a branching
//     property ordinary reduction does not preserve): T has exactly one
//     step. With C1-C4 the reduced graph is stuttering bisimilar to the
//     full one over what the properties read (Gerth, Kuiper, Peled and
//     Penczek 1999), so "a take is reachable from every reachable state"
//     has the same answer on both.
//
// Otherwise the state is expanded fully. Deadlocks are kept by C1 alone:
// a stubborn set seeded by an enabled thread keeps a step while the state
// has one. Liveness under fairness is not preserved by this reduction (a
// fair cycle of the full graph need not have a fair counterpart): with a
// liveness property in the suite the search does not reduce, and says so
// (Stats.POR).
//
// Breadth-first search with reduction finds every violation the full search
// finds, but not always at the same depth: the shortest path may run
// through a step the reduction put off. Explore therefore searches again
// without reduction when the reduced search finds a violation, so traces
// stay shortest; a reduced search that finds none proves the properties
// with fewer states.
type porState struct {
	vis       *model.LocSet
	singleton bool // C4
	// counts, per expander: states expanded with a proper stubborn set
	// (some thread's steps left out), and fully
	reduced, full int
	// the state being reduced, per thread (prepare)
	run  [][2]int // its successors' range in succs; empty: disabled
	cpu  []int    // the CPU it is on
	pc   []int    // its program counter
	ok   []bool   // enabled, invisible, all successors new (C2, C3)
	set  threadSet
	best threadSet
	work []int
}

// threadSet is a set of thread indexes.
type threadSet []uint64

func (t threadSet) has(i int) bool { return t[i/64]&(1<<(i%64)) != 0 }
func (t threadSet) add(i int)      { t[i/64] |= 1 << (i % 64) }

// porOff says why the search cannot reduce for p's properties, or "".
func porOff(p *model.Program) string {
	for _, pr := range p.Props {
		switch pr.Kind {
		case model.PropLiveness, model.PropLockup, model.PropStarvation:
			return "off: liveness (" + pr.Name + ") needs every interleaving; --liveness=false leaves the liveness properties out"
		}
	}
	return ""
}

// reduce keeps, of the successors c.succs[start:] of state s, those of a
// stubborn set of threads when one leaves some out, and returns how many it
// kept.
func (x *expander) reduce(c *chunk, start int, src int32, s model.State) int32 {
	succs := c.succs[start:]
	for i := range succs {
		if succs[i].kind == foundErr || succs[i].nev > 0 {
			x.por.full++
			return int32(len(succs))
		}
	}
	x.por.prepare(x, s, src, succs)
	best := x.por.pick(x)
	if best == nil {
		x.por.full++
		return int32(len(succs))
	}
	n := 0
	for i := range succs {
		if best.has(int(succs[i].thread)) {
			succs[n] = succs[i]
			n++
		}
	}
	c.succs = c.succs[:start+n]
	x.por.reduced++
	return int32(n)
}

// prepare notes, per thread, its successors, CPU and whether its steps
// may be taken without the others' as far as C2 and C3 go.
func (ps *porState) prepare(x *expander, s model.State, src int32, succs []found) {
	n := len(x.p.Threads)
	if ps.run == nil {
		ps.run, ps.cpu, ps.pc, ps.ok = make([][2]int, n), make([]int, n), make([]int, n), make([]bool, n)
		ps.set, ps.best = make(threadSet, (n+63)/64), make(threadSet, (n+63)/64)
	}
	for i, t := range x.p.Threads {
		ps.run[i] = [2]int{}
		ps.pc[i] = x.p.PC(s, t)
		ps.cpu[i] = model.CPUUnbound
		if x.p.NCPUs > 0 && ps.pc[i] < len(t.Kind.Code) {
			ps.cpu[i] = x.p.CPU(s, t)
		}
	}
	for a := 0; a < len(succs); {
		b := a
		for b < len(succs) && succs[b].thread == succs[a].thread {
			b++
		}
		ps.run[succs[a].thread] = [2]int{a, b}
		a = b
	}
	for i := range x.p.Threads {
		r := ps.run[i]
		ok := r[1] > r[0] && !x.st.Footprint(i).W.Meets(ps.vis)
		for k := r[0]; ok && k < r[1]; k++ {
			// C3: not yet expanded (new, or later in BFS order)
			ok = succs[k].kind == foundNew || succs[k].kind == foundOld && succs[k].id > src
		}
		ps.ok[i] = ok
	}
}

// pick returns the stubborn set with the fewest steps that leaves some
// step out, seeded by each enabled thread in turn (ties: the first), or
// nil.
func (ps *porState) pick(x *expander) threadSet {
	total, bestN := 0, -1
	for i := range ps.run {
		total += ps.run[i][1] - ps.run[i][0]
	}
	for p := range ps.run {
		if !ps.ok[p] {
			continue
		}
		n, good := ps.closure(x, p)
		if good && n < total && (bestN < 0 || n < bestN) && (!ps.singleton || n == 1) {
			bestN = n
			copy(ps.best, ps.set)
		}
	}
	if bestN < 0 {
		return nil
	}
	return ps.best
}

// closure grows ps.set from thread p into a stubborn set (Valmari): for an
// enabled thread in the set, every thread whose future conflicts with its
// steps joins (D1); for a disabled one, every thread whose future may
// enable it (D2). It returns the number of steps of the set, and false
// when the set holds an enabled thread whose steps may not be taken
// without the others' (C2, C3).
func (ps *porState) closure(x *expander, p int) (int, bool) {
	clear(ps.set)
	ps.set.add(p)
	ps.work = append(ps.work[:0], p)
	steps := 0
	for len(ps.work) > 0 {
		q := ps.work[len(ps.work)-1]
		ps.work = ps.work[:len(ps.work)-1]
		enabled := ps.run[q][1] > ps.run[q][0]
		if enabled && !ps.ok[q] {
			return 0, false
		}
		steps += ps.run[q][1] - ps.run[q][0]
		for u, t := range x.p.Threads {
			if ps.set.has(u) || ps.pc[u] >= len(t.Kind.Code) || !ps.depends(x, q, u, enabled) {
				continue
			}
			ps.set.add(u)
			ps.work = append(ps.work, u)
		}
	}
	return steps, true
}

// depends reports whether thread u must join a stubborn set holding q:
// when q is enabled, u may still do something that conflicts with q's
// steps; when q is disabled, u may still do something that enables it
// (write what q's next instruction or the stepping rule reads, or change
// the contexts of q's CPU).
func (ps *porState) depends(x *expander, q, u int, enabled bool) bool {
	fut := &x.p.Threads[u].Kind.Future[ps.pc[u]]
	sameCPU := ps.cpu[q] != model.CPUUnbound && ps.cpu[q] == ps.cpu[u]
	if enabled {
		foot := x.st.Footprint(q)
		return foot.ConflictsBeyondCtx(fut) || sameCPU && (foot.W.Has(model.LocCtx) || fut.W.Has(model.LocCtx))
	}
	// what its attempt to step read, up to the instruction it waits at
	return sameCPU && fut.W.Has(model.LocCtx) || x.st.Footprint(q).ConflictsBeyondCtx(fut)
}
