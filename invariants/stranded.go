package invariants

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"wqcheck/model"
)

var strandedKind = &Kind{
	Kind: model.PropStranded,
	Doc:  "a declared work item is pending and no interleaving from there ever takes it",
	Graph: func(_ *model.Program, pr *model.Property) GraphCheck {
		return &stranded{prop: pr, m: newMasks(pr.Items.Len)}
	},
}

// A GraphCheck is a property decided on the whole explored graph. It owns
// what it keeps per state: the search calls Grow as it numbers states,
// AtState once per state (concurrently for distinct ids), and Analyze when
// the graph is complete.
type GraphCheck interface {
	// Items is the array whose elements the check follows, or nil. With
	// symmetry reduction the graph renames them along edges (Graph.SuccPerm).
	Items() *model.Array
	Grow(n int)
	AtState(ev *model.Evaluator, id int, s model.State) error
	// Analyze returns the shallowest failing state, or ok false. It polls
	// stop as it starts and every few thousand states or edges of its
	// loops (stop.go); when stop says stop it returns promptly with
	// Finding{Stopped: true} and ok true, having decided nothing.
	Analyze(g Graph, stop Stop) (f Finding, ok bool)
	// Msg says what is wrong with items (numbered as in a real state).
	Msg(items uint64) string
	Bytes() uint64
}

// Inheriting is a GraphCheck whose record of a state, but for what it asks
// of the threads (the fairness facts, which it still computes from s), is
// a function of the bits its property reads (model.Property.Reads): in a
// new state that agrees on those bits with a state src already recorded,
// the search calls Inherit instead of AtState (Suite.Changed says
// when). Src's evaluation succeeded, so s's takes the same path.
type Inheriting interface {
	GraphCheck
	Inherit(ev *model.Evaluator, id, src int, s model.State)
	// Same reports whether id's record is src's, in what Inherit copies
	// (the search's verifying mode compares it after AtState).
	Same(id, src int) bool
}

// Finding is where a whole-graph property fails.
type Finding struct {
	State int    // the state, in BFS order
	Items uint64 // the items at fault, numbered as in that state
	Msg   string
	// Lasso, for a liveness property: the run that repeats for ever.
	Lasso *Lasso
	// Unsure: on a quotient graph (symmetry reduction) a liveness property
	// may fail; only a search of the real graph can tell (fair.go).
	Unsure bool
	// Unknown: the analysis cannot decide the property on this model (a
	// liveness property past 64 threads; work that only a path through a
	// step that raised an error could still take): its verdict is unknown,
	// for the reason Msg gives.
	Unknown bool
	// Stopped: the analysis was told to stop (Stop) before it decided:
	// its verdict is unknown.
	Stopped bool
	Thread  int // lockup, starvation: the thread at fault (its index)
}

// stranded is the stranded-work analysis of one property: the pending
// items of every state, and the backward fixpoint over the graph.
type stranded struct {
	prop *model.Property
	m    masks
}

func (c *stranded) Items() *model.Array   { return c.prop.Items }
func (c *stranded) Grow(n int)            { c.m.grow(n) }
func (c *stranded) Bytes() uint64         { return c.m.bytes() }
func (c *stranded) Msg(i uint64) string   { return StrandedMsg(c.prop, i) }
func (c *stranded) pending(id int) uint64 { return c.m.get(id) }

func (c *stranded) AtState(ev *model.Evaluator, id int, s model.State) error {
	m, err := ev.PendingMask(c.prop, s)
	c.m.set(id, m)
	return err
}

func (c *stranded) Inherit(_ *model.Evaluator, id, src int, _ model.State) { c.m.set(id, c.m.get(src)) }
func (c *stranded) Same(id, src int) bool                                  { return c.m.get(id) == c.m.get(src) }

func (c *stranded) Analyze(g Graph, stop Stop) (Finding, bool) {
	return guarded(stop, func(p *poller) (Finding, bool) {
		r := strandedIn(c.prop, g, c.pending, p)
		return r, r.State >= 0
	})
}

// masks holds one bit set per state, in as few bytes as its bits need.
type masks struct {
	bits int // 8, 16, 32 or 64
	b8   []uint8
	b16  []uint16
	b32  []uint32
	b64  []uint64
}

// newMasks holds sets of n bits.
func newMasks(n int) masks {
	for _, b := range []int{8, 16, 32} {
		if n <= b {
			return masks{bits: b}
		}
	}
	return masks{bits: 64}
}

// grow makes room for n states (it is called once a batch: the sets
// grow in place, without a temporary).
func (m *masks) grow(n int) {
	switch m.bits {
	case 8:
		m.b8 = extend(m.b8, n)
	case 16:
		m.b16 = extend(m.b16, n)
	case 32:
		m.b32 = extend(m.b32, n)
	default:
		m.b64 = extend(m.b64, n)
	}
}

// extend lengthens s to n zeroed elements (s is returned as is when it
// is already as long).
func extend[T any](s []T, n int) []T {
	old := len(s)
	if n <= old {
		return s
	}
	s = slices.Grow(s, n-old)[:n]
	clear(s[old:])
	return s
}

// set sets state id's bits; distinct ids may be set concurrently.
func (m *masks) set(id int, v uint64) {
	switch m.bits {
	case 8:
		m.b8[id] = uint8(v)
	case 16:
		m.b16[id] = uint16(v)
	case 32:
		m.b32[id] = uint32(v)
	default:
		m.b64[id] = v
	}
}

func (m *masks) get(id int) uint64 {
	switch m.bits {
	case 8:
		return uint64(m.b8[id])
	case 16:
		return uint64(m.b16[id])
	case 32:
		return uint64(m.b32[id])
	}
	return m.b64[id]
}

func (m *masks) bytes() uint64 {
	return uint64(len(m.b8) + 2*len(m.b16) + 4*len(m.b32) + 8*len(m.b64))
}

// Graph is the explored state graph, as a whole-graph analysis needs it.
type Graph interface {
	NumStates() int
	// Succ returns the successor ids of a fully expanded state.
	Succ(id int) []int32
	// SuccPerm returns, per edge of Succ(id), how the edge renames the
	// check's items (GraphCheck.Items), as a rank for MapItems; nil when no
	// edge does. (With symmetry
	// reduction an edge leads to its target's representative, in which
	// the real successor's items may have other numbers.)
	SuccPerm(id int) []uint16
	// MapItems turns a set of items numbered as in an edge's target into
	// the same items numbered as in the real successor.
	MapItems(rank uint16, items uint64) uint64
	// SuccThread returns, per edge of Succ(id), the thread that steps.
	SuccThread(id int) []uint16
	// Quotient reports whether states stand for symmetry orbits.
	Quotient() bool
	// Moved reports, on a quotient, whether edge k of state id leads to a
	// representative that a permutation renamed (false: the successor
	// itself).
	Moved(id, k int) bool
	// RenameThread gives thread t's index in the target of edge k of
	// state id (t itself unless Moved).
	RenameThread(id, k, t int) int
	// EdgeFair returns edge k of state id's model.Succ.Fair bits.
	EdgeFair(id, k int) uint8
	// Erred reports whether some step from state id raises an error (the
	// graph keeps no edge for it: the state is not where a run stops).
	Erred(id int) bool
}

// strandedIn decides, exactly on a complete graph, which states are stranded:
// a state is stranded when an item is pending in it and no path from it
// takes the item (a transition after which the item is no longer pending).
// It computes, per state, the set of items some path can still take, by a
// backward fixpoint from the states with a take transition, then reports the
// lowest-numbered (so shallowest) state with a pending item outside its set.
//
// A step that raises an error has no edge (the search does not go past
// it), so what follows it is not in the graph: it might take anything. A
// state with a pending item outside its set that can reach such a step is
// therefore not reported stranded; when every such state can, the verdict
// is unknown (Finding.Unknown, the first of them in Finding.State). It
// polls p once per state of each pass and per state of the fixpoint's work
// list.
func strandedIn(prop *model.Property, g Graph, pending func(int) uint64, p *poller) Finding {
	n := g.NumStates()
	// canTake[i]: items taken on some path from i
	canTake := make([]uint64, n)
	// reverse edges in CSR form
	indeg := make([]int32, n+1)
	for i := 0; i < n; i++ {
		p.tick()
		perm := g.SuccPerm(i)
		for e, t := range g.Succ(i) {
			indeg[t+1]++
			pt := pending(int(t))
			if perm != nil {
				pt = g.MapItems(perm[e], pt)
			}
			canTake[i] |= pending(i) &^ pt
		}
	}
	for i := 1; i <= n; i++ {
		indeg[i] += indeg[i-1]
	}
	preds := make([]int32, indeg[n])
	var predPerm []uint16 // the rank of each reverse edge, when edges rename items
	fill := append([]int32(nil), indeg[:n]...)
	for i := 0; i < n; i++ {
		p.tick()
		perm := g.SuccPerm(i)
		if perm != nil && predPerm == nil {
			predPerm = make([]uint16, len(preds))
		}
		for e, t := range g.Succ(i) {
			preds[fill[t]] = int32(i)
			if perm != nil {
				predPerm[fill[t]] = perm[e]
			}
			fill[t]++
		}
	}
	work := make([]int32, 0, n)
	for i := 0; i < n; i++ {
		if canTake[i] != 0 {
			work = append(work, int32(i))
		}
	}
	for len(work) > 0 {
		p.tick()
		t := work[len(work)-1]
		work = work[:len(work)-1]
		for e := indeg[t]; e < indeg[t+1]; e++ {
			pr := preds[e]
			take := canTake[t]
			if predPerm != nil {
				take = g.MapItems(predPerm[e], take)
			}
			if add := take &^ canTake[pr]; add != 0 {
				canTake[pr] |= add
				work = append(work, pr)
			}
		}
	}
	erred := reachesError(g, indeg, preds, p)
	unsure := -1
	for i := 0; i < n; i++ {
		stranded := pending(i) &^ canTake[i]
		switch {
		case stranded == 0:
		case erred == nil || erred[i/64]&(1<<(i%64)) == 0:
			return Finding{State: i, Items: stranded, Msg: StrandedMsg(prop, stranded)}
		case unsure < 0:
			unsure = i
		}
	}
	if unsure >= 0 {
		return Finding{State: unsure, Unknown: true, Msg: "some pending work could be taken only after a step that raised an error, and the search does not go past such a step"}
	}
	return Finding{State: -1}
}

// reachesError returns a bit per state: some path from it reaches a state
// with a step that raised an error (Graph.Erred); nil when no state has
// one. indeg and preds are the reverse edges in CSR form.
func reachesError(g Graph, indeg, preds []int32, p *poller) []uint64 {
	n := g.NumStates()
	var bits []uint64
	var work []int32
	for i := 0; i < n; i++ {
		p.tick()
		if g.Erred(i) {
			if bits == nil {
				bits = make([]uint64, (n+63)/64)
			}
			bits[i/64] |= 1 << (i % 64)
			work = append(work, int32(i))
		}
	}
	for len(work) > 0 {
		p.tick()
		t := work[len(work)-1]
		work = work[:len(work)-1]
		for _, pr := range preds[indeg[t]:indeg[t+1]] {
			if bits[pr/64]&(1<<(pr%64)) == 0 {
				bits[pr/64] |= 1 << (pr % 64)
				work = append(work, pr)
			}
		}
	}
	return bits
}

// StrandedMsg is the message of a stranded-work violation of items.
func StrandedMsg(prop *model.Property, items uint64) string {
	var names []string
	for i := 0; i < 64; i++ {
		if items&(1<<i) != 0 {
			names = append(names, prop.ItemName(i))
		}
	}
	sort.Strings(names)
	verb := "is"
	if len(names) > 1 {
		verb = "are"
	}
	return fmt.Sprintf("stranded work: %s %s pending (%s) and no interleaving from here ever takes %s", strings.Join(names, ", "), verb, prop.Text, pronoun(len(names)))
}

func pronoun(n int) string {
	if n == 1 {
		return "it"
	}
	return "them"
}
