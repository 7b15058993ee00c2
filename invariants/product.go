package invariants

import "math/bits"

// productSpec says how to build the product of the explored graph with a
// tracked index (fair.go).
type productSpec struct {
	g   Graph
	bad func(state int) uint64 // the indexes for which the property fails in a state
	// rename gives index i's name in the target of edge k of state v (nil:
	// the same)
	rename func(v, k, i int) int
	// class is the fairness class (a bit index below 64) of thread u when
	// index i is tracked
	class    func(u, i int) uint8
	atLock   func(state int) uint64 // threads about to take a lock
	irqHeld  func(state int) uint64 // threads kept off only by an interrupt (model.Evaluator.IrqHeld): able to step, for fairness
	nthreads int
	// idle leaves out the steps of the tracked thread (the index is a
	// thread): a cycle of the product is then one in which it never steps.
	// SuccThread and the tracked index name threads in the same frame (the
	// edge's source state's), on a quotient too.
	idle   bool
	tables []classTable // per tracked index (table)
	poll   *poller      // the analysis's: build polls it, and so does whatever walks the product
}

// build makes the product graph, polling sp.poll once per state. Its
// arrays are sized before they are filled (nodes exactly, edges by the
// explored graph's out-degrees): the product of a large graph is the
// analyses' largest allocation, and growing it by appends copied it
// several times over.
func (sp *productSpec) build() *pgraph {
	g, n := sp.g, sp.g.NumStates()
	off := make([]int32, n+1)
	maxEdges := 0
	for v := 0; v < n; v++ {
		sp.poll.tick()
		c := bits.OnesCount64(sp.bad(v))
		off[v+1] = off[v] + int32(c)
		if c > 0 {
			maxEdges += c * len(g.Succ(v))
		}
	}
	node := func(v, i int) int32 {
		return off[v] + int32(bits.OnesCount64(sp.bad(v)&(1<<i-1)))
	}
	p := newPgraph(int(off[n]), maxEdges)
	p.poll, p.spec = sp.poll, sp
	facts := newFactTable()
	sp.tables = nil
	for v := 0; v < n; v++ {
		sp.poll.tick()
		b := sp.bad(v)
		if b == 0 {
			continue
		}
		threads := g.SuccThread(v)
		var enabled, held uint64
		for _, u := range threads {
			enabled |= 1 << u
		}
		if sp.irqHeld != nil {
			held = sp.irqHeld(v) &^ enabled
			enabled |= held
		}
		for ; b != 0; b &= b - 1 {
			i := bits.TrailingZeros64(b)
			tb := sp.table(i)
			p.all[i] = tb.all
			p.state, p.idx = append(p.state, int32(v)), append(p.idx, uint8(i))
			p.start = append(p.start, int32(len(p.to)))
			for k, w := range g.Succ(v) {
				j, ok := sp.follows(v, k, i, threads)
				if !ok {
					continue
				}
				p.to = append(p.to, node(int(w), j))
				p.cls = append(p.cls, tb.cls[threads[k]])
				p.fair = append(p.fair, g.EdgeFair(v, k))
			}
			p.facts = append(p.facts, facts.of(sp.nodeClasses(v, tb, enabled, held)))
		}
	}
	p.start = append(p.start, int32(len(p.to)))
	p.factTab = facts.tab
	return p
}

// follows reports whether the product follows edge k of state v from the
// node of index i (threads: v's SuccThread), and the index it reaches.
func (sp *productSpec) follows(v, k, i int, threads []uint16) (int, bool) {
	if sp.idle && int(threads[k]) == i {
		return 0, false
	}
	j := i
	if sp.rename != nil && sp.g.Moved(v, k) {
		j = sp.rename(v, k, i)
	}
	return j, sp.bad(int(sp.g.Succ(v)[k]))&(1<<j) != 0
}

// edgeIndex is product edge e's index in the explored graph's Succ of its
// node's state (pgraph keeps no such index per edge: only a lasso needs
// it).
func (sp *productSpec) edgeIndex(p *pgraph, node, e int32) int32 {
	v, i := int(p.state[node]), int(p.idx[node])
	threads := sp.g.SuccThread(v)
	n := e - p.start[node]
	for k := range sp.g.Succ(v) {
		if _, ok := sp.follows(v, k, i, threads); ok {
			if n == 0 {
				return int32(k)
			}
			n--
		}
	}
	panic("internal error: a product edge the explored graph does not have")
}

func newPgraph(nodes, maxEdges int) *pgraph {
	return &pgraph{
		state: make([]int32, 0, nodes), idx: make([]uint8, 0, nodes), start: make([]int32, 0, nodes+1),
		facts: make([]uint32, 0, nodes),
		to:    make([]int32, 0, maxEdges), cls: make([]uint8, 0, maxEdges), fair: make([]uint8, 0, maxEdges),
	}
}

// classTable is the fairness classes when index i is tracked: per thread
// its class, and its class as a bit; all is every class with a member.
type classTable struct {
	cls  []uint8
	bit  []uint64
	all  uint64
	done bool
}

// table returns the class table of index i (below 64), made on first use.
func (sp *productSpec) table(i int) *classTable {
	if sp.tables == nil {
		sp.tables = make([]classTable, 64)
	}
	tb := &sp.tables[i]
	if !tb.done {
		tb.cls, tb.bit = make([]uint8, sp.nthreads), make([]uint64, sp.nthreads)
		for u := range sp.nthreads {
			tb.cls[u] = sp.class(u, i)
			tb.bit[u] = 1 << tb.cls[u]
			tb.all |= tb.bit[u]
		}
		tb.done = true
	}
	return tb
}

// nodeClasses returns the classes of a node of state v: those with a
// disabled member, those with a member about to take a free lock, and
// those with a member held off by an interrupt.
func (sp *productSpec) nodeClasses(v int, tb *classTable, enabled, held uint64) nodeFacts {
	threads := ^uint64(0)
	if sp.nthreads < 64 {
		threads = 1<<sp.nthreads - 1
	}
	var dis, lk uint64
	for m := threads &^ enabled; m != 0; m &= m - 1 {
		dis |= tb.bit[bits.TrailingZeros64(m)]
	}
	for m := sp.atLock(v) & enabled; m != 0; m &= m - 1 {
		lk |= tb.bit[bits.TrailingZeros64(m)]
	}
	var hd uint64
	for m := held; m != 0; m &= m - 1 {
		hd |= tb.bit[bits.TrailingZeros64(m)]
	}
	return nodeFacts{dis, lk, hd}
}

// nodeFacts is what the fairness conditions read of a product node.
type nodeFacts struct{ dis, lock, held uint64 }

// factTable interns nodeFacts: the nodes of a product share few distinct
// ones (a few hundred where there are millions of nodes), so a node keeps
// a 4-byte index instead of 24 bytes.
type factTable struct {
	tab []nodeFacts
	ids map[nodeFacts]uint32
}

func newFactTable() *factTable { return &factTable{ids: map[nodeFacts]uint32{}} }

func (t *factTable) of(f nodeFacts) uint32 {
	id, ok := t.ids[f]
	if !ok {
		id = uint32(len(t.tab))
		t.tab = append(t.tab, f)
		t.ids[f] = id
	}
	return id
}
