package explorer

import (
	"sync"
	"sync/atomic"

	"wqcheck/invariants"
	"wqcheck/model"
)

// expanded is what phase 1 found for one state.
type expanded struct {
	nsucc    int32
	skipped  bool                // not expanded: at the depth bound
	terminal *invariants.Failure // a terminal property (deadlock) failing in a state with no successors
	first    int32               // phase 2: the id of its first new successor
}

// found is one successor.
type found struct {
	h      uint64
	kind   uint8 // foundNew, foundOld, foundErr
	id     int32 // foundOld: its id (-1 when the set keeps no ids)
	thread int32
	branch int32
	vec    int32 // foundNew: offset into chunk.vecs
	events int32 // step events[events:events+nev]
	nev    int32
	k      int32  // its position among its source's successors, in Stepper.Successors order
	perm   uint16 // with symmetry: the items' permutation rank (edgeSet.perm)
	moved  bool   // with symmetry: the representative is not the successor itself
	fair   uint8  // model.Succ.Fair
	ranks  int32  // moved: chunk.ranks[ranks:] holds each permuted array's permutation rank
}

const (
	foundNew = iota // not in the visited set when the batch began
	foundOld
	foundErr // the step raised an error: no state
)

// stepEvent is a step property (warn_on, lock discipline, runtime error)
// that a step raised.
type stepEvent struct {
	prop int // -1: a lock acquisition for the lockdep observer (acq)
	msg  string
	acq  model.Acquire
}

// chunk is phase 1's output for chunkSources states; reused across batches.
type chunk struct {
	lo, hi int32
	srcs   []expanded
	succs  []found
	vecs   []uint64
	events []stepEvent
	ranks  []uint16
}

// checked is phase 3's output for checkStates new states.
type checked struct {
	lo, hi   int32
	src      []int32 // per state from lo: the state it was found from (nil: none, the initial state)
	failures []stateFailure
	err      error
}

type stateFailure struct {
	id int32
	invariants.Failure
}

// expander is one worker goroutine's scratch.
type expander struct {
	p        *model.Program
	g        *graph
	suite    *invariants.Suite
	checks   []invariants.GraphCheck
	inherit  []invariants.Inheriting // per check: it, when it inherits (incremental.go), else nil
	cprops   []int                   // per check: its property
	lo       *lockOrder              // lockdep: read only in phase 1
	por      *porState               // partial-order reduction, when on
	st       *model.Stepper
	ev       *model.Evaluator
	maxDepth int
	fails    []invariants.Failure
	// with symmetry
	canon   *model.Canonicaliser
	watch   *model.SymWatch
	buf     model.State
	narrays int // the permuted arrays
	// incremental checks (incremental.go): the mode, and what the
	// sources' checks found failing
	incr    incrMode
	failing map[int32]uint64
}

// expand is phase 1 for one chunk of sources.
func (x *expander) expand(c *chunk) {
	c.srcs, c.succs, c.vecs, c.events, c.ranks = c.srcs[:0], c.succs[:0], c.vecs[:0], c.events[:0], c.ranks[:0]
	for id := c.lo; id < c.hi; id++ {
		if x.maxDepth > 0 && x.g.rec.depth(id) >= x.maxDepth {
			c.srcs = append(c.srcs, expanded{skipped: true})
			continue
		}
		s := x.g.State(int(id))
		if x.watch != nil {
			x.watch.At = int(id)
		}
		var nsucc int32
		start := len(c.succs)
		x.st.Successors(s, func(sc *model.Succ) {
			f := x.successor(c, s, sc)
			f.k = nsucc
			nsucc++
			c.succs = append(c.succs, f)
		})
		if x.por != nil && nsucc > 0 {
			nsucc = x.reduce(c, start, id, s)
		}
		e := expanded{nsucc: nsucc}
		if nsucc == 0 {
			if f, ok := x.suite.Terminal(s); ok {
				e.terminal = &f
			}
		}
		c.srcs = append(c.srcs, e)
	}
	if x.por == nil {
		x.lookupAll(c)
	}
}

// successor notes one step's events, canonicalises its state (a successor
// of parent, a representative) and, with partial-order reduction, looks it
// up in the visited set (which phase 1 only reads); without, lookupAll
// does once the chunk is expanded.
func (x *expander) successor(c *chunk, parent model.State, sc *model.Succ) found {
	f := found{thread: int32(sc.Thread), branch: int32(sc.Branch), events: int32(len(c.events)), fair: sc.Fair}
	for _, prop := range sc.Fired {
		c.events = append(c.events, stepEvent{prop: prop, msg: "warn_on fired: " + x.p.Props[prop].Text})
	}
	if x.lo != nil {
		for _, a := range sc.Acquired {
			if x.lo.news(&a) {
				c.events = append(c.events, stepEvent{prop: -1, acq: a})
			}
		}
	}
	if sc.Err != nil {
		c.events = append(c.events, stepEvent{prop: sc.Err.Prop, msg: sc.Err.Msg})
		f.kind = foundErr
	}
	f.nev = int32(len(c.events)) - f.events
	if f.kind == foundErr {
		return f
	}
	state := sc.State
	if x.canon != nil {
		copy(x.buf, state)
		state = x.buf
		f.moved = x.canon.Child(parent, state)
		if e := x.g.edges; f.moved && e != nil {
			if e.permItems >= 0 {
				f.perm = model.PermRank(x.canon.Perm(e.permItems))
			}
			f.ranks = int32(len(c.ranks))
			for k := range x.narrays {
				c.ranks = append(c.ranks, model.PermRank(x.canon.Perm(k)))
			}
		}
	}
	f.h = Hash(state)
	if x.por == nil {
		// looked up with the chunk's others (lookupAll)
		f.kind, f.vec = foundNew, int32(len(c.vecs))
		c.vecs = append(c.vecs, state...)
		return f
	}
	if oid, ok := x.g.set.lookup(state, f.h); ok {
		f.kind, f.id = foundOld, oid
	} else {
		f.kind = foundNew
		f.vec = int32(len(c.vecs))
		c.vecs = append(c.vecs, state...)
	}
	return f
}

// lookupAll looks the chunk's successors up in the visited set, once all
// are made (without partial-order reduction, whose choice of successors
// needs each source's answers at once): first a pass that only touches
// each one's home slot, whose cache misses the processor overlaps, then
// the lookups, which find those slots in the cache. The vectors of the
// successors found are dropped, the others' moved down to close the gaps.
func (x *expander) lookupAll(c *chunk) {
	words := int32(x.p.Words)
	if fs, ok := x.g.set.(*fpSet); ok {
		var sink uint64
		for i := range c.succs {
			if f := &c.succs[i]; f.kind == foundNew {
				sink ^= fs.touch(f.h)
			}
		}
		touchSink.Store(sink)
	}
	w := int32(0)
	for i := range c.succs {
		f := &c.succs[i]
		if f.kind != foundNew {
			continue
		}
		vec := c.vecs[f.vec : f.vec+words]
		if oid, ok := x.g.set.lookup(vec, f.h); ok {
			f.kind, f.id = foundOld, oid
			continue
		}
		if f.vec != w {
			copy(c.vecs[w:w+words], vec)
			f.vec = w
		}
		w += words
	}
	c.vecs = c.vecs[:w]
}

// touchSink keeps lookupAll's touches from being optimised away.
var touchSink atomic.Uint64

// check is phase 3 for a run of new states: the state properties, and what
// the whole-graph properties keep per state.
func (x *expander) check(c *checked) {
	c.failures, c.err = c.failures[:0], nil
	for id := c.lo; id < c.hi; id++ {
		s := x.g.State(int(id))
		if x.watch != nil {
			x.watch.At = int(id)
		}
		dirty, changed, src := invariants.AllDirty, invariants.AllDirty, int32(-1)
		if c.src != nil {
			src = c.src[id-c.lo]
			dirty, changed = x.dirtyOf(src, s)
		}
		x.checkState(c, id, s, dirty)
		x.checkGraph(c, id, src, s, changed)
	}
}

// parallel runs f(i) for i in [0, n) on the workers, each taking the next
// i as it finishes one.
func parallel(xs []*expander, n int, f func(x *expander, i int)) {
	if len(xs) == 1 || n == 1 {
		for i := 0; i < n; i++ {
			f(xs[0], i)
		}
		return
	}
	var next atomic.Int32
	var wg sync.WaitGroup
	for _, x := range xs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				f(x, i)
			}
		}()
	}
	wg.Wait()
}
