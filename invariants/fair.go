package invariants

import (
	"maps"
	"slices"
)

// The fair-cycle engine of the liveness properties: strongly connected
// components (iterative Tarjan: no recursion depth limit) of a product of
// the explored graph with a tracked index (a thread, or an element of an
// array), restricted to the nodes where the property fails for that index,
// each kept when some infinite path through all of it is fair:
//
//   - weak fairness of every thread: a thread enabled in every state of the
//     component takes a step inside it;
//   - strong fairness of lock acquisition: a thread that is about to take a
//     free lock in some state of the component takes a step inside it.
//     Kernel spinlocks are queued (qspinlock: waiters are served in FIFO
//     order) and mutexes hand the lock to a waiter that has waited too long
//     (MUTEX_FLAG_HANDOFF), so no waiter is overtaken for ever. A component
//     that breaks it loses the states where that thread could take its
//     lock, and what is left is decomposed again (the Streett refinement);
//   - strong fairness of `either fair`: a thread that runs such a choice
//     inside the component takes its first branch inside it (a work
//     function eventually returns). A component that breaks it loses the
//     steps that run the choice, and is decomposed again.
//
// Threads are grouped in fairness classes. On a graph of real states every
// thread is a class of its own and the components found are exactly the
// fair ones. On a quotient (symmetry reduction: a state stands for its
// orbit, and an edge may lead to a renamed representative) the tracked
// thread is followed through the renamings and is a class of its own, the
// others are grouped by thread kind, and weak fairness asks only that some
// thread of a class steps inside the component or one is disabled
// somewhere in it. Every real fair cycle's image satisfies that, so no
// component means no fair cycle (a sound "holds"); a component found is
// left to a search of the real graph (Finding.Unsure), so that the verdict
// and the lasso are the reference's.

// pgraph is the product graph, in CSR form over its nodes.
type pgraph struct {
	state []int32 // per node: the explored state
	idx   []uint8 // per node: the tracked index
	start []int32 // per node: its first edge
	to    []int32 // per edge: the target node
	cls   []uint8 // per edge: the fairness class of the thread that steps (a bit index)
	fair  []uint8 // per edge: model.Succ.Fair (either fair)
	// per node: its facts (fact), an index into factTab
	facts   []uint32
	factTab []nodeFacts
	// per tracked index: every class with a member (the tracked thread
	// may be the only one of its kind)
	all [64]uint64
	// poll is the analysis's poller: every walk over the product (the
	// engine's, shortestPath's, backReach's) ticks it once per node
	poll *poller
	spec *productSpec // what built it: edgeIndex
}

func (p *pgraph) nodes() int { return len(p.state) }

// fact returns node v's facts: the classes with a disabled member, those
// about to take a free lock, and those with a member kept off its CPU only
// by an interrupt handler (IrqHeld: able to step, unless it is so in
// every node of a component: heldThroughout).
func (p *pgraph) fact(v int32) *nodeFacts    { return &p.factTab[p.facts[v]] }
func (p *pgraph) out(v int32) (lo, hi int32) { return p.start[v], p.start[v+1] }

// fairEngine finds fair components of a product graph.
type fairEngine struct {
	p     *pgraph
	gen   int32 // Tarjan's marks of this run, told from older ones
	mark  []int32
	index []int32
	low   []int32
	mgen  int32                    // membership marks (cycle)
	memb  []int32                  // made on first use: only a lasso needs it
	cut   map[int32]bool           // the edges the current refinement leaves out
	cuts  map[int32]map[int32]bool // per fair component (by its least node): its cut
}

func newFairEngine(p *pgraph) *fairEngine {
	n := p.nodes()
	return &fairEngine{p: p, mark: make([]int32, n), index: make([]int32, n), low: make([]int32, n), cuts: map[int32]map[int32]bool{}}
}

// fair returns the fair components among nodes (all, when nodes is nil),
// each as its nodes in increasing order, in the order of their least node.
// A node without edges in the explored graph counts as a fair component
// of its own when stutter is set (the run stops there).
func (f *fairEngine) fair(nodes []int32, stutter bool, terminal func(int32) bool) [][]int32 {
	var out [][]int32
	type item struct {
		nodes []int32
		in    func(int32) bool
		cut   map[int32]bool // edges left out
	}
	work := []item{{nodes, nil, nil}} // the first pass: every node, no edge cut
	for len(work) > 0 {
		it := work[len(work)-1]
		work = work[:len(work)-1]
		f.cut = it.cut
		f.scc(it.nodes, it.in, func(c []int32) {
			keep, rest, cut := f.judge(c, stutter && len(c) == 1 && terminal(c[0]))
			switch {
			case keep:
				out = append(out, slices.Clone(c))
				f.cuts[slices.Min(c)] = it.cut
			case len(rest) > 0:
				set := make(map[int32]bool, len(rest))
				for _, v := range rest {
					set[v] = true
				}
				work = append(work, item{rest, func(v int32) bool { return set[v] }, cut})
			}
		})
	}
	for _, c := range out {
		slices.Sort(c)
	}
	slices.SortFunc(out, func(a, b []int32) int { return int(a[0] - b[0]) })
	return out
}

// member marks c's nodes; the returned test holds until the next call.
func (f *fairEngine) member(c []int32) func(int32) bool {
	if f.memb == nil {
		f.memb = make([]int32, f.p.nodes())
	}
	f.mgen++
	g := f.mgen
	for _, v := range c {
		f.memb[v] = g
	}
	return func(v int32) bool { return f.memb[v] == g }
}

// judge decides whether component c, the one scc is emitting (emitted),
// is fair. When it is not only because of strong fairness, rest is what
// is left after dropping the nodes where a class that never steps inside
// c could take its lock, and cut the edges left out (those that run an
// `either fair` whose first branch no step of their class inside c
// takes).
func (f *fairEngine) judge(c []int32, stutter bool) (keep bool, rest []int32, cut map[int32]bool) {
	if stutter {
		return true, nil, nil
	}
	p := f.p
	inC := f.emitted
	var taken, disabled, all, passed, first uint64
	edge := false
	for _, v := range c {
		p.poll.tick()
		lo, hi := p.out(v)
		for e := lo; e < hi; e++ {
			if f.inside(e, inC) {
				edge = true
				taken |= 1 << p.cls[e]
				passed, first = passed|fairBit(p, e, 1), first|fairBit(p, e, 2)
			}
		}
		disabled |= p.fact(v).dis
		all |= p.all[p.idx[v]]
	}
	disabled |= f.heldThroughout(c)
	if !edge || all&^(taken|disabled) != 0 {
		return false, nil, nil // no cycle, or weak fairness fails in every part of it
	}
	var starved uint64
	for _, v := range c {
		starved |= p.fact(v).lock &^ taken
	}
	if starved != 0 {
		for _, v := range c {
			if p.fact(v).lock&starved == 0 {
				rest = append(rest, v)
			}
		}
		return false, rest, f.cut
	}
	if stuck := passed &^ first; stuck != 0 {
		cut = maps.Clone(f.cut)
		if cut == nil {
			cut = map[int32]bool{}
		}
		for _, v := range c {
			lo, hi := p.out(v)
			for e := lo; e < hi; e++ {
				if fairBit(p, e, 1)&stuck != 0 {
					cut[e] = true
				}
			}
		}
		return false, slices.Clone(c), cut
	}
	return true, nil, nil
}

// heldThroughout returns the classes that, in every node of component c,
// have a member kept off its CPU by an interrupt handler or disabled. Such
// a class counts as disabled: the handler never returns inside c (a
// handler spinning for the very task it interrupted, a hard lockup),
// whereas a tick that fires again and again returns in between, and there
// the code it interrupts is able to step ("An interrupt returns",
// docs/language.md).
func (f *fairEngine) heldThroughout(c []int32) uint64 {
	p := f.p
	always, any := ^uint64(0), uint64(0)
	for _, v := range c {
		fc := p.fact(v)
		always &= fc.held | fc.dis
		any |= fc.held
	}
	return always & any
}

// inside reports whether edge e stays in the component and is not cut.
func (f *fairEngine) inside(e int32, inC func(int32) bool) bool {
	return inC(f.p.to[e]) && !f.cut[e]
}

// fairBit returns edge e's class bit when its model.Succ.Fair has bit b.
func fairBit(p *pgraph, e int32, b uint8) uint64 {
	if p.fair[e]&b == 0 {
		return 0
	}
	return 1 << p.cls[e]
}

// inEmit is the index scc gives the nodes of the component it is
// emitting (off the stack, as -1 is).
const inEmit = -2

// emitted reports whether v is in the component scc is emitting: the
// membership test of judge, which runs inside emit (without the 4 bytes a
// node of member's marks).
func (f *fairEngine) emitted(v int32) bool { return f.mark[v] == f.gen && f.index[v] == inEmit }

// scc runs Tarjan's algorithm, iteratively, over the subgraph induced by
// in (every node, when in is nil) without the edges in f.cut, from each of
// nodes in turn (every node, when nodes is nil), calling emit with each
// component (a slice emit must copy to keep).
func (f *fairEngine) scc(nodes []int32, in func(int32) bool, emit func([]int32)) {
	f.gen++
	gen, p := f.gen, f.p
	var counter int32
	var stack []int32
	type frame struct{ v, e int32 }
	var call []frame
	visit := func(v int32) {
		p.poll.tick()
		f.mark[v], f.index[v], f.low[v] = gen, counter, counter
		counter++
		stack = append(stack, v)
		call = append(call, frame{v, p.start[v]})
	}
	roots := len(nodes)
	if nodes == nil {
		roots = p.nodes()
	}
	for r := range roots {
		root := int32(r)
		if nodes != nil {
			root = nodes[r]
		}
		if f.mark[root] == gen {
			continue
		}
		visit(root)
		for len(call) > 0 {
			fr := &call[len(call)-1]
			if fr.e < p.start[fr.v+1] {
				w := p.to[fr.e]
				fr.e++
				switch {
				case in != nil && !in(w) || f.cut != nil && f.cut[fr.e-1]:
				case f.mark[w] != gen:
					visit(w)
				case f.index[w] >= 0: // on the stack
					f.low[fr.v] = min(f.low[fr.v], f.index[w])
				}
				continue
			}
			v := fr.v
			call = call[:len(call)-1]
			if len(call) > 0 {
				u := call[len(call)-1].v
				f.low[u] = min(f.low[u], f.low[v])
			}
			if f.low[v] == f.index[v] {
				i := len(stack) - 1
				for stack[i] != v {
					i--
				}
				comp := stack[i:] // emit must not keep it: the stack reuses it
				for _, w := range comp {
					f.index[w] = inEmit // off the stack, in the component emitted
				}
				emit(comp)
				for _, w := range comp {
					f.index[w] = -1 // off the stack
				}
				stack = stack[:i]
			}
		}
	}
}

// cycle returns a fair cycle through component c from node start: for
// each class that steps inside c, one of its steps, for each other class a
// node where a member of it is disabled, and for each class that runs an
// `either fair` inside c, a step taking its first branch; then back to
// start. It is empty for a stutter component.
func (f *fairEngine) cycle(c []int32, start int32) []int32 {
	p := f.p
	f.cut = f.cuts[c[0]]
	inC := f.member(c)
	ok := func(e int32) bool { return f.inside(e, inC) }
	if lo, hi := p.out(start); lo == hi {
		return nil
	}
	var path []int32 // edges
	cur := start
	goTo := func(target func(int32) bool) {
		es, end := shortestPath(p, cur, ok, target)
		path, cur = append(path, es...), end
	}
	take := func(want func(e int32) bool) bool {
		lo, hi := p.out(cur)
		for e := lo; e < hi; e++ {
			if ok(e) && want(e) {
				path, cur = append(path, e), p.to[e]
				return true
			}
		}
		return false
	}
	var need, passed uint64
	for _, v := range c {
		p.poll.tick()
		lo, hi := p.out(v)
		for e := lo; e < hi; e++ {
			if ok(e) {
				need |= 1 << p.cls[e]
				passed |= fairBit(p, e, 1)
			}
		}
	}
	// greedily: the nearest node that satisfies a class not yet done, by a
	// step of it or by a disabled member (a class held off by an interrupt
	// throughout is satisfied anywhere)
	done := f.heldThroughout(c) &^ need
	satisfies := func(v int32) uint64 {
		m := p.fact(v).dis &^ need // a class that never steps inside c: a disabled member
		lo, hi := p.out(v)
		for e := lo; e < hi; e++ {
			if ok(e) {
				m |= 1 << p.cls[e]
			}
		}
		return m &^ done
	}
	for {
		if _, end := shortestPathOr(p, cur, ok, func(u int32) bool { return satisfies(u) != 0 }); end < 0 {
			break
		}
		goTo(func(u int32) bool { return satisfies(u) != 0 })
		done |= p.fact(cur).dis &^ need
		take(func(e int32) bool {
			return done&(1<<p.cls[e]) == 0 && func() bool { done |= 1 << p.cls[e]; return true }()
		})
	}
	// the first branch of each `either fair` run inside c
	for cl := range 64 {
		if passed&(1<<cl) == 0 {
			continue
		}
		first := func(e int32) bool { return int(p.cls[e]) == cl && p.fair[e]&2 != 0 }
		goTo(func(u int32) bool {
			lo, hi := p.out(u)
			for e := lo; e < hi; e++ {
				if ok(e) && first(e) {
					return true
				}
			}
			return false
		})
		take(first)
	}
	if len(path) == 0 { // every class was satisfied at start: still take a step
		take(func(int32) bool { return true })
	}
	goTo(func(u int32) bool { return u == start })
	return path
}

// shortestPath finds, breadth-first along edges where ok holds (nil: all),
// the shortest path (as edges) from from to a node where target holds (from
// itself when it does), in edge order: deterministic.
func shortestPath(p *pgraph, from int32, ok func(int32) bool, target func(int32) bool) ([]int32, int32) {
	path, end := shortestPathOr(p, from, ok, target)
	if end < 0 {
		panic("internal error: no path to a node of the same component")
	}
	return path, end
}

// shortestPathOr is shortestPath, with end -1 when no node is reached.
func shortestPathOr(p *pgraph, from int32, ok func(int32) bool, target func(int32) bool) ([]int32, int32) {
	if target(from) {
		return nil, from
	}
	prev := map[int32]int32{from: -1} // node -> the edge that reached it
	src := map[int32]int32{}
	queue := []int32{from}
	for len(queue) > 0 {
		p.poll.tick()
		v := queue[0]
		queue = queue[1:]
		lo, hi := p.out(v)
		for e := lo; e < hi; e++ {
			w := p.to[e]
			if _, seen := prev[w]; seen || ok != nil && !ok(e) {
				continue
			}
			prev[w], src[w] = e, v
			if target(w) {
				var path []int32
				for u := w; u != from; u = src[u] {
					path = append(path, prev[u])
				}
				slices.Reverse(path)
				return path, w
			}
			queue = append(queue, w)
		}
	}
	return nil, -1
}

// backReach marks the nodes that reach a node of comps.
func backReach(p *pgraph, comps [][]int32) []bool {
	n := p.nodes()
	start := make([]int32, n+1)
	for _, w := range p.to {
		start[w+1]++
	}
	for i := 1; i <= n; i++ {
		start[i] += start[i-1]
	}
	pred := make([]int32, len(p.to))
	fill := slices.Clone(start[:n])
	for v := 0; v < n; v++ {
		p.poll.tick()
		lo, hi := p.out(int32(v))
		for e := lo; e < hi; e++ {
			w := p.to[e]
			pred[fill[w]] = int32(v)
			fill[w]++
		}
	}
	reach := make([]bool, n)
	var work []int32
	for _, c := range comps {
		for _, v := range c {
			reach[v] = true
			work = append(work, v)
		}
	}
	for len(work) > 0 {
		p.poll.tick()
		w := work[len(work)-1]
		work = work[:len(work)-1]
		for _, v := range pred[start[w]:start[w+1]] {
			if !reach[v] {
				reach[v] = true
				work = append(work, v)
			}
		}
	}
	return reach
}
