package explorer

import (
	"slices"

	"wqcheck/model"
)

// graph is what a search keeps: the visited set, the parent records and,
// when some property needs the whole graph (or Options.KeepGraph), its
// edges.
type graph struct {
	words int
	set   visitedSet
	exact *stateTable // the set, in exact mode; it also holds every vector
	front *arena      // fingerprint mode: the vectors of states not yet expanded
	n     int         // states found
	rec   *records
	edges *edgeSet // nil: edges are not kept
}

func (g *graph) NumStates() int { return g.n }

// State returns a state by id: any state in exact mode, a state not yet
// expanded (or the one being expanded) in fingerprint mode.
func (g *graph) State(id int) model.State {
	if g.exact != nil {
		return g.exact.state(id)
	}
	return g.front.get(id)
}

// edgeSet is the graph's edges in CSR form, kept by an observer of the
// search (its methods below) when a whole-graph property or
// Options.KeepGraph needs them.
type edgeSet struct {
	noObserver
	start []int32 // start[id]: the first edge of state id
	to    []int32
	// with Options.KeepGraph: each edge's thread, and what fails where
	thread  []int32
	failing map[int32][]int
	// with symmetry, when a whole-graph property's items are permuted: per
	// edge, the rank of the permutation (model.PermRank) that took the real
	// successor to its representative
	perm      []uint16
	permItems int // the items' slot among the permuted arrays, or -1
	perms     [][]int32
}

func newEdgeSet(keepGraph bool) *edgeSet {
	e := &edgeSet{permItems: -1}
	if keepGraph {
		e.failing = map[int32][]int{}
	}
	return e
}

func (e *edgeSet) succ(id int) []int32 { return e.to[e.start[id]:e.start[id+1]] }

// permute keeps, per edge, how it renames the items of the permuted array
// k (with n elements).
func (e *edgeSet) permute(k, n int) {
	e.permItems = k
	e.perm = []uint16{}
	for r := 0; r < model.Factorial(n); r++ {
		perm := make([]int32, n)
		model.UnrankPerm(uint16(r), perm)
		e.perms = append(e.perms, perm)
	}
}

func (e *edgeSet) source(int32) { e.start = append(e.start, int32(len(e.to))) }

func (e *edgeSet) edge(_, to int32, f *found) {
	e.to = append(e.to, to)
	if e.perm != nil {
		e.perm = append(e.perm, f.perm)
	}
	if e.failing != nil {
		e.thread = append(e.thread, f.thread)
	}
}

func (e *edgeSet) violated(prop int, v *violation) {
	if e.failing == nil {
		return
	}
	if fs := e.failing[v.state]; !slices.Contains(fs, prop) {
		e.failing[v.state] = append(fs, prop)
	}
}

func (e *edgeSet) cut(src int32) {
	e.to = e.to[:e.start[src]]
	if e.perm != nil {
		e.perm = e.perm[:len(e.to)]
	}
	e.start = e.start[:src]
	if e.failing != nil {
		e.thread = e.thread[:len(e.to)]
	}
}

func (e *edgeSet) done(n int) {
	for len(e.start) <= n {
		e.start = append(e.start, int32(len(e.to)))
	}
}

func (e *edgeSet) bytes() uint64 {
	return uint64(4*(len(e.start)+len(e.to)+len(e.thread)) + 2*len(e.perm))
}

// checkGraph is the graph as the whole-graph analysis of one property sees
// it (invariants.Graph).
type checkGraph struct {
	*graph
	permuted bool // the property's items are the permuted ones (edgeSet.perm)
}

func (c checkGraph) Succ(id int) []int32 { return c.edges.succ(id) }

// SuccPerm returns, per edge of id, the permutation rank of the items
// (nil: every edge keeps them in place).
func (c checkGraph) SuccPerm(id int) []uint16 {
	if !c.permuted {
		return nil
	}
	e := c.edges
	return e.perm[e.start[id]:e.start[id+1]]
}

// MapItems turns a set of items of a representative into the same items of
// the real state that an edge with permutation rank r reached: item x of
// the real state is item perm[x] of the representative.
func (c checkGraph) MapItems(r uint16, m uint64) uint64 {
	if r == 0 {
		return m
	}
	perm := c.edges.perms[r]
	var out uint64
	for x, y := range perm {
		if m&(1<<y) != 0 {
			out |= 1 << x
		}
	}
	return out
}
