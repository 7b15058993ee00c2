package explorer

import (
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"wqcheck/invariants"
	"wqcheck/model"
)

// graph is what a search keeps: the visited set, the parent records, and,
// when some property needs the whole graph, its edges.
type graph struct {
	words int
	set   visitedSet
	exact *stateTable // the set, in exact mode; it also holds every vector
	front *arena      // fingerprint mode: the vectors of states not yet expanded
	n     int         // states found
	rec   *records
	// edges in CSR form, recorded only when a stranded-work property (or
	// Options.KeepGraph) needs them
	keep      bool
	edgeStart []int32
	edges     []int32
	// per stranded-work property (by index into strandedProps): each
	// state's pending items
	pending []masks
	// with Options.KeepGraph: each edge's thread, and what fails where
	edgeThread []int32
	failing    map[int32][]int
	// with symmetry, when a stranded-work property's items are permuted:
	// per edge, the rank of the permutation (model.PermRank) that took the
	// real successor to its representative
	edgePerm  []uint16
	permItems int // the items' slot among the permuted arrays, or -1
	perms     [][]int32
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

func (g *graph) Succ(id int) []int32 { return g.edges[g.edgeStart[id]:g.edgeStart[id+1]] }

// masks holds one item set per state, in a byte when the items fit.
type masks struct {
	wide  bool
	small []uint8
	big   []uint64
}

// grow makes room for n states.
func (m *masks) grow(n int) {
	if m.wide {
		m.big = append(m.big, make([]uint64, n-len(m.big))...)
	} else {
		m.small = append(m.small, make([]uint8, n-len(m.small))...)
	}
}

// set sets state id's items; distinct ids may be set concurrently.
func (m *masks) set(id int, v uint64) {
	if m.wide {
		m.big[id] = v
	} else {
		m.small[id] = uint8(v)
	}
}

func (m *masks) get(id int) uint64 {
	if m.wide {
		return m.big[id]
	}
	return uint64(m.small[id])
}

func (m *masks) bytes() uint64 { return uint64(len(m.small) + 8*len(m.big)) }

// strandedGraph is the graph as the stranded-work analysis of one property
// sees it.
type strandedGraph struct {
	*graph
	m        *masks
	permuted bool // the property's items are the permuted ones (graph.edgePerm)
}

func (s strandedGraph) Pending(id int) uint64 { return s.m.get(id) }

// SuccPerm returns, per edge of id, the permutation rank of the items
// (nil: every edge keeps them in place).
func (s strandedGraph) SuccPerm(id int) []uint16 {
	if !s.permuted {
		return nil
	}
	return s.edgePerm[s.edgeStart[id]:s.edgeStart[id+1]]
}

// MapItems turns a set of items of a representative into the same items of
// the real state that an edge with permutation rank r reached: item x of
// the real state is item perm[x] of the representative.
func (s strandedGraph) MapItems(r uint16, m uint64) uint64 {
	if r == 0 {
		return m
	}
	perm := s.perms[r]
	var out uint64
	for x, y := range perm {
		if m&(1<<y) != 0 {
			out |= 1 << x
		}
	}
	return out
}

// violation records where a property first failed.
type violation struct {
	state int32 // the state where it fails, or the state the failing step starts from
	step  *Move // the failing step, for step properties (warn_on, errors)
	msg   string
	// stranded items, numbered as in a representative: the trace renames
	// them to the real state's (with symmetry)
	items     uint64
	itemsProp *model.Property
}

// The search runs in batches of states to expand, taken in id order. Each
// batch has four phases:
//
//  1. expand (in parallel, Options.Workers goroutines taking chunks of
//     chunkSources states): compute every successor, its hash, and whether
//     the visited set already holds it (the set is only read), and note what
//     each step raised.
//  2. insert (one goroutine, in id order and successor order): add the
//     successors not found, numbering the new ones, and keep the parent
//     records and edges.
//  3. check (in parallel): evaluate the invariants, and the pending items of
//     stranded-work properties, in each new state.
//  4. record (one goroutine, in the order of phase 2): record violations,
//     and stop where the one-thread search would: before the first state
//     expanded after a violation, or at the state bound.
//
// Phases 2 and 4 visit successors in exactly the order of a plain one-thread
// breadth-first search and make every decision (ids, which violation is
// first, where a bound stops the search), so state counts, ids and traces
// do not depend on the number of workers. Work a stop makes moot (states
// the batch found past the stop point) is dropped from the counts.
const (
	batchSources = 16384
	chunkSources = 256
	checkStates  = 256
)

// expanded is what phase 1 found for one state.
type expanded struct {
	nsucc    int32
	skipped  bool   // not expanded: at the depth bound
	deadlock string // a deadlock message, when the state has no successors
	first    int32  // phase 2: the id of its first new successor
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
	perm   uint16 // with symmetry: the items' permutation rank (graph.edgePerm)
}

const (
	foundNew = iota // not in the visited set when the batch began
	foundOld
	foundErr // the step raised an error: no state
)

type stepEvent struct {
	prop int // -1: a lock acquisition for lockOrder (acq)
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
}

// checked is phase 3's output for checkStates new states.
type checked struct {
	lo, hi   int32
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
	st       *model.Stepper
	ev       *model.Evaluator
	stranded []*model.Property
	lo       *lockOrder // read only, in phase 1
	maxDepth int
	fails    []invariants.Failure
	// with symmetry
	canon *model.Canonicaliser
	watch *model.SymWatch
	buf   model.State
}

func (x *expander) expand(c *chunk) {
	c.srcs, c.succs, c.vecs, c.events = c.srcs[:0], c.succs[:0], c.vecs[:0], c.events[:0]
	p, g := x.p, x.g
	for id := c.lo; id < c.hi; id++ {
		if x.maxDepth > 0 && g.rec.depth(id) >= x.maxDepth {
			c.srcs = append(c.srcs, expanded{skipped: true})
			continue
		}
		s := g.State(int(id))
		if x.watch != nil {
			x.watch.At = int(id)
		}
		var nsucc int32
		x.st.Successors(s, func(sc *model.Succ) {
			nsucc++
			f := found{thread: int32(sc.Thread), branch: int32(sc.Branch), events: int32(len(c.events))}
			for _, prop := range sc.Fired {
				c.events = append(c.events, stepEvent{prop: prop, msg: "warn_on fired: " + p.Props[prop].Text})
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
			if f.kind != foundErr {
				state := sc.State
				if x.canon != nil {
					copy(x.buf, state)
					state = x.buf
					if x.canon.Canon(state) && g.permItems >= 0 {
						f.perm = model.PermRank(x.canon.Perm(g.permItems))
					}
				}
				f.h = Hash(state)
				if oid, ok := g.set.lookup(state, f.h); ok {
					f.kind, f.id = foundOld, oid
				} else {
					f.kind = foundNew
					f.vec = int32(len(c.vecs))
					c.vecs = append(c.vecs, state...)
				}
			}
			c.succs = append(c.succs, f)
		})
		e := expanded{nsucc: nsucc}
		if nsucc == 0 {
			if dl, msg := invariants.Deadlock(p, s); dl {
				e.deadlock = msg
			}
		}
		c.srcs = append(c.srcs, e)
	}
}

func (x *expander) check(c *checked) {
	c.failures, c.err = c.failures[:0], nil
	for id := c.lo; id < c.hi; id++ {
		s := x.g.State(int(id))
		if x.watch != nil {
			x.watch.At = int(id)
		}
		x.fails = invariants.CheckState(x.p, x.ev, s, x.fails[:0])
		for _, f := range x.fails {
			c.failures = append(c.failures, stateFailure{id, f})
		}
		for k, pr := range x.stranded {
			m, err := x.ev.PendingMask(pr, s)
			if err != nil && c.err == nil {
				c.err = err
			}
			x.g.pending[k].set(int(id), m)
		}
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

// Explore runs the search.
func Explore(p *model.Program, opts Options) *Result {
	if !opts.Symmetry || opts.KeepGraph {
		return explore(p, opts, nil)
	}
	start := time.Now()
	exclude := map[*model.Array]bool{}
	var off []*model.SymBreak
	for retries := 0; ; retries++ {
		sym := p.NewSymmetry(p.SymmetryCandidates(exclude))
		res := explore(p, opts, sym)
		if res.symBreaks == nil {
			if sym != nil {
				res.Stats.Symmetry = sym.Arrays()
			}
			res.Stats.SymmetryOff = off
			res.Stats.SymmetryRetries = retries
			res.Stats.Elapsed = time.Since(start)
			return res
		}
		for _, b := range res.symBreaks {
			exclude[b.Array] = true
			off = append(off, b)
		}
	}
}

// symBreaksOf collects, in array order, what the workers' watches saw.
func symBreaksOf(xs []*expander) []*model.SymBreak {
	if xs[0].watch == nil {
		return nil
	}
	var all []*model.SymBreak
	for _, x := range xs {
		if x.watch.Any {
			all = append(all, x.watch.Breaks()...)
		}
	}
	if all == nil {
		return nil
	}
	// per array the break seen first in search order (each worker takes
	// states in increasing order, so its first break is its earliest)
	slices.SortStableFunc(all, func(a, b *model.SymBreak) int {
		if a.Array.ID != b.Array.ID {
			return a.Array.ID - b.Array.ID
		}
		return a.At - b.At
	})
	return slices.CompactFunc(all, func(a, b *model.SymBreak) bool { return a.Array == b.Array })
}

// explore is one search, with symmetry reduction over sym's arrays when
// sym is set. When it finds the model telling some of those arrays apart,
// it stops and returns them in Result.symBreaks.
func explore(p *model.Program, opts Options, sym *model.Symmetry) *Result {
	var guard *memGuard
	if opts.MaxMemory > 0 {
		runtime.GC() // an earlier search's graph is garbage now: do not count it
		guard = newMemGuard(opts.MaxMemory)
		defer guard.release()
	}
	lastNew, lastEdges := 0, 0 // the last batch's new states and edges
	start := time.Now()
	res := &Result{Program: p}
	init, err := p.Initial()
	if err != nil {
		res.Err = err
		return res
	}
	workers := max(opts.Workers, 1)
	exact := opts.Exact || opts.KeepGraph
	g := &graph{words: p.Words, rec: newRecords(), permItems: -1}
	var stranded []*model.Property
	var strandedIdx []int
	for i, pr := range p.Props {
		if pr.Kind == model.PropStranded {
			stranded = append(stranded, pr)
			strandedIdx = append(strandedIdx, i)
			g.pending = append(g.pending, masks{wide: pr.Items.Len > 8})
		}
	}
	g.keep = len(stranded) > 0 || opts.KeepGraph
	if exact {
		g.exact = newStateTable(p.Words)
		g.set = g.exact
	} else {
		g.set = newFPSet(g.keep)
		g.front = &arena{words: p.Words}
	}
	found := make([]*violation, len(p.Props))
	nfound := 0
	if opts.KeepGraph {
		g.failing = map[int32][]int{}
	}
	record := func(prop int, v *violation) {
		if g.failing != nil {
			if fs := g.failing[v.state]; !slices.Contains(fs, prop) {
				g.failing[v.state] = append(fs, prop)
			}
		}
		if found[prop] == nil {
			found[prop] = v
			if !p.Props[prop].Witness && p.Props[prop].Kind != model.PropLockdep {
				// witnesses never stop the search, nor do lockdep's
				// warnings (lockdep warns, and the kernel runs on):
				// the other properties keep their verdicts
				nfound++
			}
		}
	}
	deadlockProp := propIndex(p, model.PropDeadlock)
	lo := newLockOrder(p)

	xs := make([]*expander, workers)
	for i := range xs {
		xs[i] = &expander{p: p, g: g, st: p.NewStepper(), ev: p.NewEvaluator(), stranded: stranded, lo: lo, maxDepth: opts.MaxDepth}
		xs[i].st.Lockdep = lo != nil
		if sym != nil {
			x := xs[i]
			x.watch = sym.NewSymWatch()
			x.canon = sym.NewCanonicaliser(x.watch)
			x.st.WatchSymmetry(x.watch)
			x.ev.WatchSymmetry(x.watch)
			x.buf = make(model.State, p.Words)
		}
	}
	if sym != nil && g.keep {
		// the first stranded-work property's items, if permuted, need
		// per-edge permutations (SymmetryCandidates permutes no other
		// property's items)
		for _, pr := range stranded {
			if k := sym.ArrayIndex(pr.Items); k >= 0 {
				g.permItems = k
				g.edgePerm = []uint16{}
				n := pr.Items.Len
				for r := 0; r < model.Factorial(n); r++ {
					perm := make([]int32, n)
					model.UnrankPerm(uint16(r), perm)
					g.perms = append(g.perms, perm)
				}
				break
			}
		}
	}
	// the initial state
	if sym != nil {
		xs[0].canon.Canon(init)
	}
	g.set.insert(init, Hash(init), 0)
	if g.front != nil {
		g.front.push(init)
	}
	g.n = 1
	checks := []*checked{{lo: 0, hi: 1}}
	for k := range g.pending {
		g.pending[k].grow(1)
	}
	xs[0].check(checks[0])
	if checks[0].err != nil {
		res.Err = checks[0].err
		return res
	}
	if res.symBreaks = symBreaksOf(xs); res.symBreaks != nil {
		return res
	}
	for _, f := range checks[0].failures {
		record(f.Prop, &violation{state: 0, msg: f.Msg})
	}

	var chunks []*chunk
	stats := &res.Stats
	stats.Workers, stats.Exact = workers, exact
	lastProgress := time.Now()
	var memStats runtime.MemStats
	complete := true
	head := int32(0)
	var frontierPeak uint64
search:
	for int(head) < g.n {
		// between batches: interruption, memory, progress
		if opts.Stop != nil {
			select {
			case <-opts.Stop:
				res.Stopped = "interrupted"
				break search
			default:
			}
		}
		if guard != nil && guard.full(g.nextAllocs(max(2*lastNew, 1024), max(2*lastEdges, 4096))) {
			res.Stopped = "max-memory"
			break search
		}
		if opts.Progress != nil && time.Since(lastProgress) > time.Second {
			lastProgress = time.Now()
			stats.States, stats.Queue, stats.Elapsed, stats.Depth = g.n, g.n-int(head), time.Since(start), len(g.rec.levels)-1
			opts.Progress(*stats)
		}

		// phase 1: expand
		hi := min(int32(g.n), head+batchSources)
		nchunks := int((hi - head + chunkSources - 1) / chunkSources)
		for len(chunks) < nchunks {
			chunks = append(chunks, &chunk{})
		}
		for i := 0; i < nchunks; i++ {
			chunks[i].lo = head + int32(i)*chunkSources
			chunks[i].hi = min(hi, chunks[i].lo+chunkSources)
		}
		parallel(xs, nchunks, func(x *expander, i int) { x.expand(chunks[i]) })
		if res.symBreaks = symBreaksOf(xs); res.symBreaks != nil {
			return res
		}

		// phase 2: insert
		t2 := time.Now()
		n0 := int32(g.n)
		e0 := len(g.edges)
		full := false
		last := hi // the sources phase 4 records: up to the one that filled the bound
	insert:
		for _, c := range chunks[:nchunks] {
			si := 0
			for i := range c.srcs {
				src := c.lo + int32(i)
				e := &c.srcs[i]
				e.first = int32(g.n)
				if g.keep {
					g.edgeStart = append(g.edgeStart, int32(len(g.edges)))
				}
				if e.skipped {
					g.rec.expanded(0, e.first)
					continue
				}
				d := g.rec.depth(src)
				for k, f := range c.succs[si : si+int(e.nsucc)] {
					if f.kind == foundErr || full {
						continue
					}
					id := f.id
					if f.kind == foundNew {
						vec := model.State(c.vecs[f.vec : int(f.vec)+g.words])
						var isNew bool
						id, isNew = g.set.insert(vec, f.h, int32(g.n))
						if isNew {
							g.n++
							g.rec.added(id, k, d+1)
							if g.front != nil {
								g.front.push(vec)
							}
							if opts.MaxStates > 0 && g.n >= opts.MaxStates {
								full = true
							}
						}
					}
					if g.keep {
						g.edges = append(g.edges, id)
						if g.edgePerm != nil {
							g.edgePerm = append(g.edgePerm, f.perm)
						}
						if g.failing != nil {
							g.edgeThread = append(g.edgeThread, f.thread)
						}
					}
				}
				si += int(e.nsucc)
				g.rec.expanded(g.n-int(e.first), e.first)
				if full {
					last = src + 1
					break insert
				}
			}
		}

		stats.SerialElapsed += time.Since(t2)

		// phase 3: check the new states
		ncheck := (g.n - int(n0) + checkStates - 1) / checkStates
		for len(checks) < ncheck {
			checks = append(checks, &checked{})
		}
		for i := 0; i < ncheck; i++ {
			checks[i].lo = n0 + int32(i)*checkStates
			checks[i].hi = min(int32(g.n), checks[i].lo+checkStates)
		}
		for k := range g.pending {
			g.pending[k].grow(g.n)
		}
		parallel(xs, ncheck, func(x *expander, i int) { x.check(checks[i]) })
		if res.symBreaks = symBreaksOf(xs); res.symBreaks != nil {
			return res
		}
		var fails []stateFailure
		for _, c := range checks[:ncheck] {
			if c.err != nil {
				res.Err = c.err
				break search
			}
			fails = append(fails, c.failures...)
		}

		// phase 4: record, in order
		t4 := time.Now()
		for _, c := range chunks[:nchunks] {
			si := 0
			for i := range c.srcs {
				src := c.lo + int32(i)
				if src >= last {
					break
				}
				e := &c.srcs[i]
				if nfound > 0 && !opts.All {
					// stop before expanding src: forget what it and the
					// rest of the batch found
					res.Stopped = "violation"
					g.n = int(e.first)
					g.rec.truncate(src, e.first)
					if g.keep {
						g.edges = g.edges[:g.edgeStart[src]]
						if g.edgePerm != nil {
							g.edgePerm = g.edgePerm[:len(g.edges)]
						}
						g.edgeStart = g.edgeStart[:src]
						if g.failing != nil {
							g.edgeThread = g.edgeThread[:len(g.edges)]
						}
					}
					break search
				}
				if e.skipped {
					complete = false
					if res.Stopped == "" {
						res.Stopped = "max-depth"
					}
					head++
					continue
				}
				for _, f := range c.succs[si : si+int(e.nsucc)] {
					stats.Transitions++
					for _, se := range c.events[f.events : f.events+f.nev] {
						if se.prop < 0 {
							lo.acquired(src, g.rec.depth(src), Move{Thread: int(f.thread), Branch: int(f.branch)}, se.acq, record)
							continue
						}
						record(se.prop, &violation{state: src, step: &Move{Thread: int(f.thread), Branch: int(f.branch)}, msg: se.msg})
					}
				}
				si += int(e.nsucc)
				end := e.first + g.rec.nkids(src)
				for len(fails) > 0 && fails[0].id < end {
					record(fails[0].Prop, &violation{state: fails[0].id, msg: fails[0].Msg})
					fails = fails[1:]
				}
				if e.deadlock != "" {
					record(deadlockProp, &violation{state: src, msg: e.deadlock})
				}
				head++
			}
		}
		stats.SerialElapsed += time.Since(t4)
		if full {
			res.Stopped = "max-states"
			break search
		}
		if g.front != nil {
			frontierPeak = max(frontierPeak, g.front.bytes())
			g.front.release(int(head))
		}
		lastNew, lastEdges = g.n-int(n0), len(g.edges)-e0
	}
	if int(head) < g.n || res.Stopped != "" && res.Stopped != "max-depth" {
		complete = false
	}
	if g.keep {
		for len(g.edgeStart) <= g.n {
			g.edgeStart = append(g.edgeStart, int32(len(g.edges)))
		}
	}
	res.Complete = complete
	if complete {
		res.Stopped = ""
	}
	// stranded work needs the whole graph
	if complete && res.Err == nil {
		t0 := time.Now()
		for k, pr := range stranded {
			permuted := sym != nil && g.permItems >= 0 && sym.ArrayIndex(pr.Items) == g.permItems
			sr := invariants.Stranded(pr, strandedGraph{g, &g.pending[k], permuted})
			if sr.State >= 0 {
				v := &violation{state: int32(sr.State), msg: sr.Msg}
				if sym != nil && sym.ArrayIndex(pr.Items) >= 0 {
					v.items, v.itemsProp = sr.Items, pr
				}
				record(strandedIdx[k], v)
			}
		}
		stats.AnalysisElapsed = time.Since(t0)
	}
	stats.States = g.n
	stats.Queue = max(g.n-int(head), 0)
	stats.Depth = g.rec.depth(int32(g.n - 1))
	stats.Elapsed = time.Since(start)
	runtime.ReadMemStats(&memStats)
	stats.HeapBytes = memStats.HeapAlloc
	stats.VisitedBytes = g.set.bytes() + g.rec.bytes()
	if exact {
		stats.VisitedBytes -= g.exact.arena.bytes()
		stats.VectorBytes = g.exact.arena.bytes()
	} else {
		stats.VectorBytes = frontierPeak
		n := float64(g.n)
		stats.CollisionProb = n * (n - 1) / 2 / (1 << 64)
	}
	stats.GraphBytes = uint64(4*(len(g.edgeStart)+len(g.edges)+len(g.edgeThread)) + 2*len(g.edgePerm))
	for k := range g.pending {
		stats.GraphBytes += g.pending[k].bytes()
	}

	for i, pr := range p.Props {
		r := PropResult{Prop: pr, Verdict: Holds}
		if !complete {
			r.Verdict = Unknown
		}
		if v := found[i]; v != nil {
			r.Verdict = Violated
			if pr.Witness {
				r.Verdict = Witnessed
			}
			tr, err := buildTrace(p, g, v, i, sym)
			if err != nil {
				res.Err = err
			}
			tr.Prop = pr
			r.Trace = tr
		}
		res.Props = append(res.Props, r)
	}
	if lo != nil && res.Err == nil {
		res.Err = lo.finish(res, g, sym)
	}
	if opts.KeepGraph {
		res.Graph = &Graph{g}
	}
	return res
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
	ids := g.rec.path(v.state)
	st := p.NewStepper()
	cur, err := p.Initial()
	if err != nil {
		return nil, err
	}
	var canon *model.Canonicaliser
	var sig [][]int32
	var real model.State // sym: the real state (cur is the representative)
	if sym != nil {
		canon = sym.NewCanonicaliser(sym.NewSymWatch())
		real = cur.Clone()
		canon.Canon(cur)
		sig = invertPerms(clonePerms(canon, sym))
	}
	var moves []Move
	for _, id := range ids[1:] {
		k, i := g.rec.stepOf(id), 0
		var next model.State
		var mv Move
		st.Successors(cur, func(sc *model.Succ) {
			if i == k {
				mv = Move{Thread: sc.Thread, Branch: sc.Branch}
				next = sc.State.Clone()
			}
			i++
		})
		if next == nil {
			return nil, fmt.Errorf("internal error: state %d is successor %d of its parent, which has %d", id, k, i)
		}
		if sym != nil {
			want := make(model.State, len(next))
			sym.Apply(next, want, sig)
			thread := sym.RenameThread(mv.Thread, sig)
			found := false
			st.Successors(real, func(sc *model.Succ) {
				if !found && sc.Thread == thread && sc.Err == nil && slices.Equal(sc.State, want) {
					found = true
					mv = Move{Thread: sc.Thread, Branch: sc.Branch}
				}
			})
			if !found {
				return nil, fmt.Errorf("internal error: symmetry: no step of %s matches the representative's step to state %d", p.Threads[thread].Label, id)
			}
			real = want
			canon.Canon(next)
			inv := invertPerms(clonePerms(canon, sym))
			for a := range sig {
				ns := make([]int32, len(sig[a]))
				for j := range ns {
					ns[j] = sig[a][inv[a][j]]
				}
				sig[a] = ns
			}
		}
		moves = append(moves, mv)
		cur = next
	}
	msg := v.msg
	if v.step != nil {
		mv := *v.step
		if sym != nil {
			mv = realFailingStep(p, st, real, sym.RenameThread(mv.Thread, sig), mv.Branch, prop)
		}
		moves = append(moves, mv)
	}
	if v.itemsProp != nil && sym != nil {
		if a := sym.ArrayIndex(v.itemsProp.Items); a >= 0 {
			var items uint64
			for j := range sig[a] {
				if v.items&(1<<j) != 0 {
					items |= 1 << sig[a][j]
				}
			}
			msg = invariants.StrandedMsg(v.itemsProp, items)
		}
	}
	tr, err := Replay(p, moves)
	if tr != nil {
		if sym != nil {
			msg = realMsg(p, tr, prop, msg)
		}
		tr.Msg = msg
		tr.FailStep = v.step != nil
	}
	return tr, err
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
	switch p.Props[prop].Kind {
	case model.PropDeadlock:
		if dl, m := invariants.Deadlock(p, tr.Final()); dl {
			return m
		}
	case model.PropInvariant:
		for _, f := range invariants.CheckState(p, p.NewEvaluator(), tr.Final(), nil) {
			if f.Prop == prop {
				return f.Msg
			}
		}
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
