package invariants

import (
	"fmt"

	"wqcheck/model"
)

// Lifting a component of a quotient graph (symmetry reduction) back to the
// real states it stands for, so that the exact judgement applies to it: a
// node of the lifted graph is a representative v with sig, the permutation
// that names the real state (real = sig(v)); an edge k of v, whose target w
// is the real successor renamed by π, leads to (w, sig∘π⁻¹), and the thread
// u of the representative is the real thread sig(u). Lifting from one real
// state of the component reaches, up to a symmetry, every real cycle whose
// image lies in the component, so a fair cycle exists in the lifted graph
// exactly when one exists among those real states.

// SymGraph is what lifting needs of a quotient.
type SymGraph interface {
	Graph
	// EdgePerm returns, per permuted array, the permutation (old -> new)
	// that renamed edge k's target of state id, or nil when none did.
	EdgePerm(id, k int) [][]int32
	// EdgeArrayPerm is EdgePerm's permutation of permuted array a alone
	// (nil when none), without allocating.
	EdgeArrayPerm(id, k, a int) []int32
	// ThreadUnder names thread t under a permutation (per permuted array,
	// old -> new).
	ThreadUnder(t int, perm [][]int32) int
	// ArrayIndex is a's slot among the permuted arrays, or -1.
	ArrayIndex(a *model.Array) int
}

// liftGraph is the lifted graph of a set of quotient states, as a Graph of
// real states: node len(node) stands for every state outside the set.
type liftGraph struct {
	rep     []int32     // per node: the representative
	sig     [][][]int32 // per node: the permutation naming its real state
	succ    [][]int32
	threads [][]uint16
	fair    [][]uint8
	erred   []bool
}

func (l *liftGraph) NumStates() int                     { return len(l.rep) + 1 }
func (l *liftGraph) Succ(id int) []int32                { return l.at(l.succ, id) }
func (l *liftGraph) SuccThread(id int) []uint16         { return l.at16(l.threads, id) }
func (l *liftGraph) SuccPerm(int) []uint16              { return nil }
func (l *liftGraph) MapItems(_ uint16, m uint64) uint64 { return m }
func (l *liftGraph) Quotient() bool                     { return false }
func (l *liftGraph) Moved(int, int) bool                { return false }
func (l *liftGraph) RenameThread(_, _, t int) int       { return t }
func (l *liftGraph) EdgeFair(id, k int) uint8           { return get(l.fair, id)[k] }
func (l *liftGraph) Erred(id int) bool                  { return get(l.erred, id) }
func (l *liftGraph) at(s [][]int32, id int) []int32     { return get(s, id) }
func (l *liftGraph) at16(s [][]uint16, id int) []uint16 { return get(s, id) }
func get[T any](s []T, id int) T {
	var zero T
	if id >= len(s) {
		return zero
	}
	return s[id]
}

// lift builds the lifted graph of the quotient states in set, from
// (start, identity), polling p once per lifted node.
func lift(g SymGraph, set map[int32]bool, start int32, nthreads int, p *poller) *liftGraph {
	l := &liftGraph{}
	index := map[string]int32{}
	key := func(v int32, sig [][]int32) string { return fmt.Sprint(v, sig) }
	add := func(v int32, sig [][]int32) int32 {
		k := key(v, sig)
		if id, ok := index[k]; ok {
			return id
		}
		id := int32(len(l.rep))
		index[k] = id
		l.rep, l.sig = append(l.rep, v), append(l.sig, sig)
		return id
	}
	add(start, nil)
	for id := 0; id < len(l.rep); id++ {
		p.tick()
		v, sig := l.rep[id], l.sig[id]
		var succ []int32
		var threads []uint16
		var fair []uint8
		for k, w := range g.Succ(int(v)) {
			u := int(g.SuccThread(int(v))[k])
			threads = append(threads, uint16(under(g, u, sig)))
			fair = append(fair, g.EdgeFair(int(v), k))
			if !set[w] {
				succ = append(succ, -1) // outside: fixed below
				continue
			}
			succ = append(succ, add(w, compose(sig, invert(g.EdgePerm(int(v), k)))))
		}
		l.succ, l.threads, l.fair = append(l.succ, succ), append(l.threads, threads), append(l.fair, fair)
		l.erred = append(l.erred, g.Erred(int(v)))
	}
	out := int32(len(l.rep))
	for _, s := range l.succ {
		for i, w := range s {
			if w < 0 {
				s[i] = out
			}
		}
	}
	return l
}

// liftComponent lifts the states of a component of the product pg.
func liftComponent(g SymGraph, pg *pgraph, comp []int32, nthreads int) *liftGraph {
	set := map[int32]bool{}
	for _, v := range comp {
		set[pg.state[v]] = true
	}
	return lift(g, set, pg.state[comp[0]], nthreads, pg.poll)
}

// mask returns, per lifted node, get(its representative) named as in its
// real state (realMask); 0 for the node that stands for the outside.
func (l *liftGraph) mask(g SymGraph, get func(int) uint64, n, a int) func(int) uint64 {
	return func(id int) uint64 {
		if id >= len(l.rep) {
			return 0
		}
		return l.realMask(g, id, get(int(l.rep[id])), n, a)
	}
}

// under names the representative's thread u in the real state (sig(u)).
func under(g SymGraph, u int, sig [][]int32) int {
	if sig == nil {
		return u
	}
	return g.ThreadUnder(u, sig)
}

// Index kinds for realMask.
const (
	threadIndex = -1 // the mask is over threads
	fixedIndex  = -2 // over something no permutation renames
)

// realMask turns a mask over the representative's threads (a ==
// threadIndex), elements of permuted array a, or fixed indexes (a ==
// fixedIndex) into one over the real state's.
func (l *liftGraph) realMask(g SymGraph, id int, m uint64, n, a int) uint64 {
	if id >= len(l.rep) {
		return 0
	}
	var out uint64
	for u := 0; u < n; u++ {
		if m&(1<<u) == 0 {
			continue
		}
		switch sig := l.sig[id]; {
		case a == threadIndex:
			out |= 1 << under(g, u, sig)
		case sig == nil || a == fixedIndex:
			out |= 1 << u
		default:
			out |= 1 << sig[a][u]
		}
	}
	return out
}

// compose returns a∘b (apply b, then a) per array; nil is the identity.
func compose(a, b [][]int32) [][]int32 {
	if a == nil {
		return normal(b)
	}
	if b == nil {
		return a
	}
	out := make([][]int32, len(a))
	for k := range a {
		out[k] = make([]int32, len(a[k]))
		for j := range out[k] {
			out[k][j] = a[k][b[k][j]]
		}
	}
	return normal(out)
}

// invert returns the inverse permutations; nil stays nil.
func invert(p [][]int32) [][]int32 {
	if p == nil {
		return nil
	}
	out := make([][]int32, len(p))
	for k, pm := range p {
		out[k] = make([]int32, len(pm))
		for old, nw := range pm {
			out[k][nw] = int32(old)
		}
	}
	return out
}

// normal returns nil for the identity, so that equal permutations have
// equal keys.
func normal(p [][]int32) [][]int32 {
	for _, pm := range p {
		for j, x := range pm {
			if int(x) != j {
				return p
			}
		}
	}
	return nil
}
