package explorer

import (
	"math/bits"
	"slices"
	"sync"

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
	start  []int32 // start[id]: the first edge of state id
	to     []int32
	thread []uint16 // each edge's thread
	errs   []uint64 // a bit per state: some step from it raises an error (and has no edge)
	fair   []uint8  // with an `either fair` in the model: each edge's model.Succ.Fair
	moved  []uint64 // with symmetry: a bit per edge, set when it leads to a permuted representative
	// per moved edge, in edge order: each permuted array's permutation rank
	ranks   []uint16
	narrays int
	prefix  []int32 // per word of moved: the moved edges before it (built on first use)
	// per permuted array, per rank: the permutation (built on first use,
	// then shared read-only by the analyses)
	unranked     [][][]int32
	unrankedOnce sync.Once
	// with Options.KeepGraph: what fails where
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

// erred notes that a step from src raises an error.
func (e *edgeSet) erred(src int32) {
	for len(e.errs) <= int(src)/64 {
		e.errs = append(e.errs, 0)
	}
	e.errs[src/64] |= 1 << (src % 64)
}

func (e *edgeSet) edge(_, to int32, f *found, c *chunk) {
	e.to = append(e.to, to)
	if e.perm != nil {
		e.perm = append(e.perm, f.perm)
	}
	e.thread = append(e.thread, uint16(f.thread))
	if e.fair != nil {
		e.fair = append(e.fair, f.fair)
	}
	if f.moved {
		e.ranks = append(e.ranks, c.ranks[f.ranks:f.ranks+int32(e.narrays)]...)
		k := len(e.to) - 1
		for len(e.moved) <= k/64 {
			e.moved = append(e.moved, 0)
		}
		e.moved[k/64] |= 1 << (k % 64)
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
	e.thread = e.thread[:len(e.to)]
	if e.fair != nil {
		e.fair = e.fair[:len(e.to)]
	}
	if n := (len(e.to) + 63) / 64; len(e.moved) > n {
		e.moved = e.moved[:n]
	}
	if k := len(e.to); k%64 != 0 && len(e.moved) > k/64 {
		e.moved[k/64] &= 1<<(k%64) - 1
	}
	n := 0
	for _, w := range e.moved {
		n += bits.OnesCount64(w)
	}
	e.ranks = e.ranks[:n*e.narrays]
}

func (e *edgeSet) done(n int) {
	for len(e.start) <= n {
		e.start = append(e.start, int32(len(e.to)))
	}
}

// index builds what the analyses read concurrently: the count of renaming
// edges before each word of moved.
func (e *edgeSet) index() {
	e.prefix = make([]int32, len(e.moved)+1)
	for w, m := range e.moved {
		e.prefix[w+1] = e.prefix[w] + int32(bits.OnesCount64(m))
	}
}

func (e *edgeSet) bytes() uint64 {
	return uint64(4*(len(e.start)+len(e.to))+2*(len(e.thread)+len(e.perm)+len(e.ranks))+8*len(e.moved)) + uint64(len(e.fair))
}

// checkGraph is the graph as the whole-graph analysis of one property sees
// it (invariants.Graph).
type checkGraph struct {
	*graph
	permuted bool            // the property's items are the permuted ones (edgeSet.perm)
	sym      *model.Symmetry // symmetry reduction: states stand for orbits
}

func (c checkGraph) Succ(id int) []int32 { return c.edges.succ(id) }

func (c checkGraph) SuccThread(id int) []uint16 {
	e := c.edges
	return e.thread[e.start[id]:e.start[id+1]]
}

func (c checkGraph) Quotient() bool { return c.sym != nil }

// Erred reports whether some step from state id raises an error.
func (c checkGraph) Erred(id int) bool {
	m := c.edges.errs
	return id/64 < len(m) && m[id/64]&(1<<(id%64)) != 0
}

// EdgeFair returns edge k of state id's model.Succ.Fair.
func (c checkGraph) EdgeFair(id, k int) uint8 {
	if c.edges.fair == nil {
		return 0
	}
	return c.edges.fair[int(c.edges.start[id])+k]
}

// RenameThread gives thread t's index in the target of edge k of state id.
// It runs once per edge of each liveness product: it reads only t's own
// array's permutation and allocates nothing.
func (c checkGraph) RenameThread(id, k, t int) int {
	a := c.sym.ThreadArray(t)
	if a < 0 {
		return t
	}
	perm := c.EdgeArrayPerm(id, k, a)
	if perm == nil {
		return t
	}
	return c.sym.RenameThreadIn(t, perm)
}

// movedIndex is edge k of state id's position among the moved edges (the
// row of its ranks in edgeSet.ranks); the edge must be moved.
func (c checkGraph) movedIndex(id, k int) int {
	e := c.edges
	i := int(e.start[id]) + k
	return int(e.prefix[i/64]) + bits.OnesCount64(e.moved[i/64]&(1<<(i%64)-1)) // index() built prefix
}

// ArrayIndex is a's slot among the permuted arrays, or -1.
func (c checkGraph) ArrayIndex(a *model.Array) int { return c.sym.ArrayIndex(a) }

// ThreadUnder names thread t under a permutation of the permuted arrays.
func (c checkGraph) ThreadUnder(t int, perm [][]int32) int { return c.sym.RenameThread(t, perm) }

// EdgePerm returns the permutation that renamed edge k's target of state
// id (per permuted array, old -> new), or nil when none did. The
// permutations are shared: the caller must not change them.
func (c checkGraph) EdgePerm(id, k int) [][]int32 {
	if !c.Moved(id, k) {
		return nil
	}
	perms := make([][]int32, c.edges.narrays)
	for a := range perms {
		perms[a] = c.EdgeArrayPerm(id, k, a)
	}
	return perms
}

// EdgeArrayPerm is EdgePerm's permutation of permuted array a alone (nil
// when the edge leads to the successor itself; the identity when it
// permuted other arrays only), without allocating: the liveness products
// ask it once per edge.
func (c checkGraph) EdgeArrayPerm(id, k, a int) []int32 {
	if !c.Moved(id, k) {
		return nil
	}
	e := c.edges
	r := e.ranks[c.movedIndex(id, k)*e.narrays+a]
	e.unrankedOnce.Do(func() { e.unranked = unrankAll(c.sym) })
	if e.unranked[a] == nil { // too long for a table (and for a rank)
		perm := make([]int32, c.sym.Arrays()[a].Len)
		model.UnrankPerm(r, perm)
		return perm
	}
	return e.unranked[a][r]
}

// unrankAll is every permutation of each of sym's arrays, by rank
// (model.PermRank): EdgeArrayPerm's answers, shared, instead of one allocation
// per array per call (they were a seventh of a large search's time).
func unrankAll(sym *model.Symmetry) [][][]int32 {
	out := make([][][]int32, sym.NumArrays())
	for a, arr := range sym.Arrays() {
		if arr.Len > 8 {
			continue
		}
		n := model.Factorial(arr.Len)
		flat := make([]int32, n*arr.Len)
		out[a] = make([][]int32, n)
		for r := range n {
			out[a][r] = flat[r*arr.Len : (r+1)*arr.Len : (r+1)*arr.Len]
			model.UnrankPerm(uint16(r), out[a][r])
		}
	}
	return out
}

// Moved reports whether edge k of state id leads to a representative that
// is not the successor itself (a permutation renamed it).
func (c checkGraph) Moved(id, k int) bool {
	i := int(c.edges.start[id]) + k
	m := c.edges.moved
	return i/64 < len(m) && m[i/64]&(1<<(i%64)) != 0
}

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
