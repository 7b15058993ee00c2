package explorer

import (
	"fmt"
	"runtime"
	"slices"
	"time"

	"wqcheck/invariants"
	"wqcheck/model"
)

// violation records where a property first failed.
type violation struct {
	state int32 // the state where it fails, or the state the failing step starts from
	step  *Move // the failing step, for step properties (warn_on, errors)
	msg   string
	// a whole-graph property's items at fault, numbered as in a
	// representative: the trace renames them to the real state's (with
	// symmetry)
	items uint64
	check invariants.GraphCheck
	// a liveness property's lasso: from state, the steps into and around a
	// cycle (on a real graph: never with symmetry)
	finding *invariants.Finding
}

// The search runs in batches of states to expand, taken in id order. Each
// batch has four phases:
//
//  1. expand (in parallel, Options.Workers goroutines taking chunks of
//     chunkSources states): compute every successor, its hash, and whether
//     the visited set already holds it (the set is only read), and note what
//     each step raised.
//  2. insert: add the successors not found, numbering the new ones in id
//     order and successor order, and keep the parent records and edges. In
//     fingerprint mode this runs on the workers too (insert.go): each
//     fingerprint shard takes the batch's new fingerprints in the one-thread
//     order, so the first occurrence of each is known, and a prefix sum over
//     the chunks numbers them; otherwise on one goroutine.
//  3. check (in parallel): evaluate the invariants, and the pending items of
//     stranded-work properties, in each new state.
//  4. record (one goroutine, in the order of phase 2): record violations,
//     and stop where the one-thread search would: before the first state
//     expanded after a violation, or at the state bound.
//
// Phases 2 and 4 visit successors in exactly the order of a plain one-thread
// breadth-first search (phase 2, when parallel, gives the same result) and
// make every decision (ids, which violation is first, where a bound stops
// the search), so state counts, ids and traces do not depend on the number
// of workers. Work a stop makes moot (states
// the batch found past the stop point) is dropped from the counts.
//
// One worker takes smaller batches (oneWorkerBatch) once the visited set
// is split (the split, between batches, then happens where it does with
// several workers, and the set's layout is the same): phase 2 then finds
// the visited set's slots that phase 1 looked up, and the successors'
// vectors, still in the cache (on upstream per-cpu 4/2, fine-grained
// without symmetry, about a tenth of the time). Several workers need
// batches large enough to share out. Partial-order reduction decides from
// the visited set at the batch's start (por.go), and a batch gathers the
// symmetry watch's breaks before phase 4 decides where the search stops,
// so with either the batch is always batchSources: counts must not depend
// on the workers (smallBatches).
const (
	batchSources   = 16384
	oneWorkerBatch = 512
	chunkSources   = 256
	checkStates    = 256
)

// The search is an object with one method per phase (search.go) and
// observers for what is optional (observer.go): the edges a whole-graph
// property or Options.KeepGraph needs, and progress reports.
type search struct {
	p      *model.Program
	opts   Options
	sym    *model.Symmetry
	suite  *invariants.Suite
	g      *graph
	xs     []*expander
	obs    []observer
	insObs []insertObserver // the observers that follow phase 2
	ins    []*chunkIns      // phase 2's scratch per chunk (insert.go)
	parIns int              // batches inserted on the workers
	lo     *lockOrder       // lockdep, an observer too (nil when the program has no lockdep properties)
	res    *Result
	start  time.Time
	halt   *halt // Options.Stop and Options.Deadline
	guard  *memGuard
	checks []invariants.GraphCheck // whole-graph properties' analyses
	cprops []int                   // their property indexes
	found  []*violation            // per property: its first violation
	nfound int                     // violations that stop the search
	chunks []*chunk
	cks    []*checked
	head   int32 // the next state to expand
	batch  int32 // sources a batch expands: batchSources, or oneWorkerBatch
	// the batch
	nchunks   int
	n0        int32 // the batch's first new state
	e0        int   // the number of edges before it
	last      int32 // the sources phase 4 records: up to the one that filled the state bound
	full      bool  // the state bound was reached
	lastNew   int   // the last batch's new states and edges
	lastEdges int
	frontPeak uint64
	depthCut  bool           // some state was not expanded: at the depth bound
	unknown   []int          // properties the whole-graph analyses cannot decide
	why       map[int]string // why, for those whose analysis said (PropResult.Why)
	// incremental checks (incremental.go): the state properties failing
	// in each state not yet expanded that fails some, and the state each
	// of the batch's new states was found from (from n0)
	failing map[int32]uint64
	src     []int32
}

// Explore runs the search.
func Explore(p *model.Program, opts Options) *Result {
	res := exploreSym(p, opts)
	if res.Stats.POR != "on" || opts.PORNoResearch || !res.Violated() && !witnessed(res) || res.Err != nil || halted(res) {
		return res
	}
	// a violation found with reduction: search again without, so that the
	// traces are shortest (por.go)
	reduced := res.Stats.States
	opts.POR = false
	res = exploreSym(p, opts)
	res.Stats.POR, res.Stats.PORResearch, res.Stats.PORStates = "on", true, reduced
	return res
}

// witnessed reports whether the search witnessed an informational property.
func witnessed(res *Result) bool {
	for _, r := range res.Props {
		if r.Verdict == Witnessed {
			return true
		}
	}
	return false
}

// exploreSym runs the search, with symmetry reduction when asked for.
func exploreSym(p *model.Program, opts Options) *Result {
	if !opts.Symmetry || opts.KeepGraph {
		return explore(p, opts, nil)
	}
	start := time.Now()
	exclude, off := tooLargeToRank(p)
	for retries := 0; ; retries++ {
		sym := p.NewSymmetry(p.SymmetryCandidates(exclude))
		res := explore(p, opts, sym)
		if res.symBreaks == nil && res.liveUnsure != nil && !halted(res) {
			// a liveness property may fail: decide it on the real graph
			unsure := res.liveUnsure
			res = explore(p, opts, nil)
			res.Stats.LivenessResearch = unsure
			sym = nil
		}
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

// maxRanked is the most objects an array may have for a search that keeps
// edges to permute it: each edge keeps the permutation's rank in 16 bits
// (model.PermRank), and 9! is more than 65,535.
const maxRanked = 8

// tooLargeToRank leaves out of symmetry reduction the arrays of more than
// maxRanked objects when the search keeps edges (a whole-graph property),
// and says so.
func tooLargeToRank(p *model.Program) (map[*model.Array]bool, []*model.SymBreak) {
	exclude := map[*model.Array]bool{}
	if checks, _ := invariants.NewSuite(p).GraphChecks(); len(checks) == 0 {
		return exclude, nil
	}
	var off []*model.SymBreak
	for _, a := range p.SymmetryCandidates(nil) {
		if a.Len > maxRanked {
			exclude[a] = true
			off = append(off, &model.SymBreak{Array: a, Pos: a.Pos,
				Why: fmt.Sprintf("%d objects, more than the %d whose permutations the whole-graph analyses can keep per edge", a.Len, maxRanked)})
		}
	}
	return exclude, off
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
	defer tuneGC()()
	s := newSearch(p, opts, sym)
	if s.guard != nil {
		defer s.guard.release()
	}
	if !s.initial() {
		return s.res
	}
	for int(s.head) < s.g.n {
		if s.stopBetween() {
			break
		}
		if !s.expand() {
			return s.res
		}
		s.insert()
		fails, ok := s.check()
		if s.res.symBreaks != nil {
			return s.res
		}
		if !ok || s.record(fails) {
			break
		}
		if s.full {
			s.res.Stopped = StopMaxStates
			break
		}
		s.endBatch()
	}
	res := s.finish()
	if exploreHook != nil {
		exploreHook(s)
	}
	return res
}

// exploreHook, when set (by tests), sees each search when it ends.
var exploreHook func(*search)

func newSearch(p *model.Program, opts Options, sym *model.Symmetry) *search {
	s := &search{p: p, opts: opts, sym: sym, suite: invariants.NewSuite(p), start: time.Now(), halt: newHalt(opts), res: &Result{Program: p}, failing: map[int32]uint64{}}
	if opts.MaxMemory > 0 {
		runtime.GC() // an earlier search's graph is garbage now: do not count it
		s.guard = newMemGuard(opts.MaxMemory)
	}
	exact := opts.Exact || opts.KeepGraph
	s.g = &graph{words: p.Words, rec: newRecords()}
	s.checks, s.cprops = s.suite.GraphChecks()
	if len(s.checks) > 0 || opts.KeepGraph {
		s.g.edges = newEdgeSet(opts.KeepGraph)
		if p.FairEither {
			s.g.edges.fair = []uint8{}
		}
		s.obs = append(s.obs, s.g.edges)
	}
	if opts.Progress != nil {
		s.obs = append(s.obs, &progress{f: opts.Progress, last: time.Now()})
	}
	if s.lo = newLockOrder(p, s); s.lo != nil {
		s.obs = append(s.obs, s.lo)
	}
	for _, o := range s.obs {
		if io, ok := o.(insertObserver); ok {
			s.insObs = append(s.insObs, io)
		}
	}
	if exact {
		s.g.exact = newStateTable(p.Words)
		s.g.set = s.g.exact
	} else {
		// ids beside the fingerprints: the whole-graph analyses' edges,
		// and partial-order reduction's cycle proviso (por.go)
		s.g.set = newFPSet(s.g.edges != nil || opts.POR && !opts.KeepGraph && porOff(p) == "")
		s.g.front = &arena{words: p.Words}
	}
	s.found = make([]*violation, len(p.Props))
	s.res.Stats.Workers, s.res.Stats.Exact = max(opts.Workers, 1), exact
	if opts.POR && !opts.KeepGraph {
		s.res.Stats.POR = "on"
		if why := porOff(p); why != "" {
			s.res.Stats.POR = why
		}
	}
	s.batch = batchSources
	s.newExpanders()
	return s
}

// newExpanders makes one expander per worker and, with symmetry, decides
// which permuted array's renaming the edges keep.
func (s *search) newExpanders() {
	s.xs = make([]*expander, s.res.Stats.Workers)
	for i := range s.xs {
		x := &expander{p: s.p, g: s.g, suite: s.suite, checks: s.checks, cprops: s.cprops, lo: s.lo, st: s.p.NewStepper(), ev: s.p.NewEvaluator(), maxDepth: s.opts.MaxDepth,
			incr: s.opts.incr, failing: s.failing}
		for _, gc := range s.checks {
			ih, _ := gc.(invariants.Inheriting)
			x.inherit = append(x.inherit, ih)
		}
		x.st.Lockdep = s.lo != nil
		if s.res.Stats.POR == "on" {
			// C4 when a whole-graph property is checked (por.go)
			x.por = &porState{vis: s.p.Visible(), singleton: len(s.checks) > 0}
			x.st.TrackFootprints()
		}
		if s.sym != nil {
			x.watch = s.sym.NewSymWatch()
			x.canon = s.sym.NewCanonicaliser(x.watch)
			x.st.WatchSymmetry(x.watch)
			x.ev.WatchSymmetry(x.watch)
			x.buf = make(model.State, s.p.Words)
			x.narrays = s.sym.NumArrays()
		}
		s.xs[i] = x
	}
	if s.sym == nil || s.g.edges == nil {
		return
	}
	s.g.edges.narrays = s.sym.NumArrays()
	// the first whole-graph property's items, if permuted, need per-edge
	// permutations (SymmetryCandidates permutes no other property's items)
	for _, c := range s.checks {
		if k := s.sym.ArrayIndex(c.Items()); k >= 0 {
			s.g.edges.permute(k, c.Items().Len)
			return
		}
	}
}

// violated records a violation of prop; only the first of each property is
// kept.
func (s *search) violated(prop int, v *violation) {
	for _, o := range s.obs {
		o.violated(prop, v)
	}
	if s.found[prop] == nil {
		s.found[prop] = v
		if !s.p.Props[prop].Witness && s.p.Props[prop].Kind != model.PropLockdep {
			// witnesses never stop the search, nor do lockdep's warnings
			// (lockdep warns, and the kernel runs on): the other
			// properties keep their verdicts
			s.nfound++
		}
	}
}

// initial inserts and checks the initial state. It returns false when the
// search ends there.
func (s *search) initial() bool {
	init, err := s.p.Initial()
	if err != nil {
		s.res.Err = err
		return false
	}
	if s.sym != nil {
		s.xs[0].canon.Canon(init)
	}
	s.g.set.insert(init, Hash(init), 0)
	if s.g.front != nil {
		s.g.front.push(init)
	}
	s.g.n = 1
	s.cks = []*checked{{lo: 0, hi: 1}}
	for _, c := range s.checks {
		c.Grow(1)
	}
	s.xs[0].check(s.cks[0])
	if s.cks[0].err != nil {
		s.res.Err = s.cks[0].err
		return false
	}
	if s.res.symBreaks = symBreaksOf(s.xs); s.res.symBreaks != nil {
		return false
	}
	for _, f := range s.cks[0].failures {
		s.violated(f.Prop, &violation{state: 0, msg: f.Msg})
	}
	s.noteFailing(s.cks[0].failures)
	return true
}

// stopBetween decides, between batches, whether to stop: interruption,
// the deadline, memory; and lets the observers look.
func (s *search) stopBetween() bool {
	if why := s.halt.why(); why != "" {
		s.res.Stopped = why
		return true
	}
	if s.guard != nil && s.guard.full(s.g.nextAllocs(max(2*s.lastNew, 1024), max(2*s.lastEdges, 4096))) {
		s.res.Stopped = StopMaxMemory
		return true
	}
	for _, o := range s.obs {
		o.between(s)
	}
	return false
}

// expand is phase 1. It returns false when the search found the model
// telling symmetric objects apart.
func (s *search) expand() bool {
	hi := min(int32(s.g.n), s.head+s.batch)
	s.nchunks = int((hi - s.head + chunkSources - 1) / chunkSources)
	for len(s.chunks) < s.nchunks {
		s.chunks = append(s.chunks, &chunk{})
	}
	for i := 0; i < s.nchunks; i++ {
		s.chunks[i].lo = s.head + int32(i)*chunkSources
		s.chunks[i].hi = min(hi, s.chunks[i].lo+chunkSources)
	}
	s.last = hi
	parallel(s.xs, s.nchunks, func(x *expander, i int) { x.expand(s.chunks[i]) })
	s.res.symBreaks = symBreaksOf(s.xs)
	return s.res.symBreaks == nil
}

// smallBatches says whether the search may take oneWorkerBatch sources a
// batch once the visited set is split: with one worker, and with nothing
// that decides by the batch (partial-order reduction's proviso, the
// symmetry watch's breaks, which a batch gathers before phase 4 decides
// where the search stops).
func (s *search) smallBatches() bool {
	return s.res.Stats.Workers == 1 && s.res.Stats.POR != "on" && s.sym == nil
}

// insert is phase 2: number the new states in BFS order.
func (s *search) insert() {
	s.n0, s.full = int32(s.g.n), false
	if s.g.edges != nil {
		s.e0 = len(s.g.edges.to)
	}
	split := true
	if fs, ok := s.g.set.(*fpSet); ok {
		split = fs.split() // between batches: at the same point whatever the workers
	}
	if split && s.smallBatches() {
		s.batch = oneWorkerBatch
	}
	s.src = s.src[:0]
	if s.insertParallel() {
		return
	}
	t := time.Now()
	defer func() { s.res.Stats.SerialElapsed += time.Since(t) }()
	for _, c := range s.chunks[:s.nchunks] {
		si := 0
		for i := range c.srcs {
			src := c.lo + int32(i)
			e := &c.srcs[i]
			s.insertSource(src, e, c.succs[si:si+int(e.nsucc)], c)
			si += int(e.nsucc)
			if s.full {
				s.last = src + 1
				return
			}
		}
	}
}

// insertSource inserts one source's successors.
func (s *search) insertSource(src int32, e *expanded, succs []found, c *chunk) {
	g := s.g
	e.first = int32(g.n)
	for _, o := range s.insObs {
		o.source(src)
	}
	if e.skipped {
		g.rec.expanded(0, e.first)
		return
	}
	d := g.rec.depth(src)
	for k := range succs {
		f := &succs[k]
		if f.kind == foundErr && g.edges != nil {
			g.edges.erred(src)
		}
		if f.kind == foundErr || s.full {
			continue
		}
		id := f.id
		if f.kind == foundNew {
			vec := model.State(c.vecs[f.vec : int(f.vec)+g.words])
			var isNew bool
			if id, isNew = g.set.insert(vec, f.h, int32(g.n)); isNew {
				g.n++
				s.src = append(s.src, src)
				g.rec.added(id, int(f.k), d+1)
				if g.front != nil {
					g.front.push(vec)
				}
				s.full = s.opts.MaxStates > 0 && g.n >= s.opts.MaxStates
			}
		}
		for _, o := range s.insObs {
			o.edge(src, id, f, c)
		}
	}
	g.rec.expanded(g.n-int(e.first), e.first)
}

// check is phase 3: evaluate the new states. It returns the failures in id
// order, and false when a property could not be evaluated.
func (s *search) check() ([]stateFailure, bool) {
	n := (s.g.n - int(s.n0) + checkStates - 1) / checkStates
	for len(s.cks) < n {
		s.cks = append(s.cks, &checked{})
	}
	for i := 0; i < n; i++ {
		s.cks[i].lo = s.n0 + int32(i)*checkStates
		s.cks[i].hi = min(int32(s.g.n), s.cks[i].lo+checkStates)
		s.cks[i].src = s.src[s.cks[i].lo-s.n0 : s.cks[i].hi-s.n0]
	}
	for _, c := range s.checks {
		c.Grow(s.g.n)
	}
	parallel(s.xs, n, func(x *expander, i int) { x.check(s.cks[i]) })
	if s.res.symBreaks = symBreaksOf(s.xs); s.res.symBreaks != nil {
		return nil, false
	}
	var fails []stateFailure
	for _, c := range s.cks[:n] {
		if c.err != nil {
			s.res.Err = c.err
			return nil, false
		}
		fails = append(fails, c.failures...)
	}
	s.noteFailing(fails)
	return fails, true
}

// record is phase 4: record violations in the order of a one-thread
// search, and stop where it would: before the first state expanded after a
// violation. It returns true when the search stops.
func (s *search) record(fails []stateFailure) bool {
	t := time.Now()
	defer func() { s.res.Stats.SerialElapsed += time.Since(t) }()
	for _, c := range s.chunks[:s.nchunks] {
		si := 0
		for i := range c.srcs {
			src := c.lo + int32(i)
			if src >= s.last {
				return false
			}
			e := &c.srcs[i]
			if s.nfound > 0 && !s.opts.All {
				s.cut(src, e)
				return true
			}
			fails = s.recordSource(src, e, c, c.succs[si:si+int(e.nsucc)], fails)
			si += int(e.nsucc)
			s.head++
		}
	}
	return false
}

// recordSource records what one expanded state's steps raised, the
// failures of the new states it found, and a terminal failure.
func (s *search) recordSource(src int32, e *expanded, c *chunk, succs []found, fails []stateFailure) []stateFailure {
	if e.skipped {
		s.depthCut = true
		if s.res.Stopped == "" {
			s.res.Stopped = StopMaxDepth
		}
		return fails
	}
	s.res.Stats.Transitions += len(succs)
	if len(succs) == 0 || succs[0].events == succs[len(succs)-1].events+succs[len(succs)-1].nev {
		succs = nil // no step raised anything (their events are consecutive)
	}
	for k := range succs {
		f := &succs[k]
		if f.nev == 0 {
			continue
		}
		evs := c.events[f.events : f.events+f.nev]
		for _, o := range s.obs {
			o.step(src, f, evs)
		}
		for _, se := range evs {
			if se.prop < 0 {
				continue // an acquisition: the lockdep observer's
			}
			s.violated(se.prop, &violation{state: src, step: &Move{Thread: int(f.thread), Branch: int(f.branch)}, msg: se.msg})
		}
	}
	end := e.first + s.g.rec.nkids(src)
	for len(fails) > 0 && fails[0].id < end {
		s.violated(fails[0].Prop, &violation{state: fails[0].id, msg: fails[0].Msg})
		fails = fails[1:]
	}
	if e.terminal != nil {
		s.violated(e.terminal.Prop, &violation{state: src, msg: e.terminal.Msg})
	}
	return fails
}

// cut stops the search before expanding src: forget what it and the rest
// of the batch found.
func (s *search) cut(src int32, e *expanded) {
	s.res.Stopped = StopViolation
	s.g.n = int(e.first)
	s.g.rec.truncate(src, e.first)
	for _, o := range s.obs {
		o.cut(src)
	}
}

// endBatch frees the expanded states' vectors (fingerprint mode).
func (s *search) endBatch() {
	g := s.g
	if g.front != nil {
		s.frontPeak = max(s.frontPeak, g.front.bytes())
		g.front.release(int(s.head))
	}
	s.forgetFailing()
	s.lastNew = g.n - int(s.n0)
	if g.edges != nil {
		s.lastEdges = len(g.edges.to) - s.e0
	}
}
