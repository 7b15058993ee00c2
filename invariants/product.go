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
	poll     *poller // the analysis's: build polls it, and so does whatever walks the product
}

// build makes the product graph, polling sp.poll once per state.
func (sp *productSpec) build() *pgraph {
	g, n := sp.g, sp.g.NumStates()
	off := make([]int32, n+1)
	for v := 0; v < n; v++ {
		off[v+1] = off[v] + int32(bits.OnesCount64(sp.bad(v)))
	}
	node := func(v, i int) int32 {
		return off[v] + int32(bits.OnesCount64(sp.bad(v)&(1<<i-1)))
	}
	p := &pgraph{poll: sp.poll}
	for v := 0; v < n; v++ {
		sp.poll.tick()
		b := sp.bad(v)
		if b == 0 {
			continue
		}
		threads := g.SuccThread(v)
		var enabled uint64
		for _, u := range threads {
			enabled |= 1 << u
		}
		if sp.irqHeld != nil {
			enabled |= sp.irqHeld(v)
		}
		for ; b != 0; b &= b - 1 {
			i := bits.TrailingZeros64(b)
			p.state, p.idx = append(p.state, int32(v)), append(p.idx, uint8(i))
			p.start = append(p.start, int32(len(p.to)))
			for k, w := range g.Succ(v) {
				j := i
				if sp.rename != nil && g.Moved(v, k) {
					j = sp.rename(v, k, i)
				}
				if sp.bad(int(w))&(1<<j) == 0 {
					continue
				}
				p.to = append(p.to, node(int(w), j))
				p.k = append(p.k, int32(k))
				p.cls = append(p.cls, sp.class(int(threads[k]), i))
				p.fair = append(p.fair, g.EdgeFair(v, k))
			}
			sp.nodeClasses(p, v, i, enabled)
		}
	}
	p.start = append(p.start, int32(len(p.to)))
	return p
}

// nodeClasses fills the classes of the node (v, i): with a disabled
// member, about to take a free lock, with a member.
func (sp *productSpec) nodeClasses(p *pgraph, v, i int, enabled uint64) {
	lock := sp.atLock(v) & enabled
	var dis, lk, all uint64
	for u := 0; u < sp.nthreads; u++ {
		c := uint64(1) << sp.class(u, i)
		if enabled&(1<<u) == 0 {
			dis |= c
		}
		if lock&(1<<u) != 0 {
			lk |= c
		}
		all |= c
	}
	p.dis, p.lock, p.all = append(p.dis, dis), append(p.lock, lk), append(p.all, all)
}
