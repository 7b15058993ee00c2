package invariants

import (
	"fmt"
	"math/bits"
	"sort"

	"wqcheck/model"
)

// The liveness kinds: the built-in lockup and starvation properties and
// the model's own `liveness` declarations. Each keeps per state the bits it
// needs (which threads are in a section, which wait at a lock, for which
// elements P and Q hold) and decides on the complete graph with the fair
// engine (fair.go): a violation is a lasso, a shortest path to a state
// and, from it, a path into a fair cycle that stays where the property
// fails.

var lockupKind = &Kind{
	Kind: model.PropLockup,
	Doc:  "a thread stays inside a spinlock, an IRQs-off or a preemption-off section for ever while the others run fairly: the kernel's soft or hard lockup",
	Graph: func(p *model.Program, pr *model.Property) GraphCheck {
		return newThreadLive(p, pr, func(f model.LiveFacts) uint64 { return f.Sections }, false)
	},
}

// starvationKind's thread waits at a lock in every state of the cycle and
// takes no step in it: a step of a thread whose next instruction takes a
// lock is that acquisition, so a cycle with a step of its own is one in
// which it gets the lock, however often it comes back to one.
var starvationKind = &Kind{
	Kind: model.PropStarvation,
	Doc:  "a thread waits to take a lock for ever, never getting it, while the others run fairly (the holder never lets go): the kernel's hung task",
	Graph: func(p *model.Program, pr *model.Property) GraphCheck {
		return newThreadLive(p, pr, func(f model.LiveFacts) uint64 { return f.WantsLock }, true)
	},
}

var livenessKind = &Kind{
	Kind:  model.PropLiveness,
	Doc:   "a liveness declaration (P ~> Q, eventually Q) fails: some fair run reaches P and then never Q",
	Graph: func(p *model.Program, pr *model.Property) GraphCheck { return newLeadsTo(p, pr) },
}

// Lasso is a liveness counterexample from the state Finding.State (reached
// by a shortest path from the initial state): Path's steps, of which
// Path[Loop:] repeat for ever. Loop == len(Path) means the last state
// repeats: no thread can move there.
type Lasso struct {
	Path []Hop
	Loop int
}

// Hop is a step of a lasso: edge Edge (an index into Graph.Succ(From)).
type Hop struct {
	From int32
	Edge int32
}

// liveBase is what the liveness kinds share: the program, the property
// and the fairness facts.
type liveBase struct {
	p     *model.Program
	pr    *model.Property
	facts *fairFacts
	owner bool // this check grows and fills facts
}

func newLiveBase(p *model.Program, pr *model.Property) liveBase {
	return liveBase{p: p, pr: pr, facts: newFairFacts(len(p.Threads)), owner: true}
}

// fairFacts is what the fairness conditions read per state, the same for
// every liveness property: which threads are about to take a lock
// (AtLock, strong fairness) and which are kept off only by an interrupt
// (IrqHeld, weak fairness). A suite's liveness checks share one
// (Suite.GraphChecks): the first owns it and fills it, the others only
// read it in Analyze, after the search.
type fairFacts struct{ locks, held masks }

func newFairFacts(threads int) *fairFacts {
	return &fairFacts{locks: newMasks(threads), held: newMasks(threads)}
}

// share makes the check read f, owned by another check, instead of its own.
func (l *liveBase) share(f *fairFacts) { l.facts, l.owner = f, false }

func (l *liveBase) fairFacts() *fairFacts { return l.facts }
func (l *liveBase) isOwner() bool         { return l.owner }

func (l *liveBase) growFacts(n int) {
	if l.owner {
		l.facts.locks.grow(n)
		l.facts.held.grow(n)
	}
}

func (l *liveBase) factsBytes() uint64 {
	if !l.owner {
		return 0
	}
	return l.facts.locks.bytes() + l.facts.held.bytes()
}

func (l *liveBase) setFacts(ev *model.Evaluator, id int, s model.State) {
	if l.owner {
		l.noteFacts(ev.LiveFacts(s), id)
	}
}

// noteFacts records f's fairness facts for state id, when l owns them.
func (l *liveBase) noteFacts(f model.LiveFacts, id int) {
	if l.owner {
		l.facts.locks.set(id, f.AtLock)
		l.facts.held.set(id, f.IrqHeld)
	}
}

func (l *liveBase) Items() *model.Array { return nil }

// classOf returns the fairness classes (fair.go): a class per thread on a
// real graph; on a quotient, class 0 for the tracked thread (when the
// index is a thread) and one per thread kind for the others.
func (l *liveBase) classOf(quotient, trackThread bool) func(u, i int) uint8 {
	if !quotient {
		return func(u, _ int) uint8 { return uint8(u) }
	}
	kinds := map[*model.ThreadKind]uint8{}
	kind := make([]uint8, len(l.p.Threads))
	for u, t := range l.p.Threads {
		if _, ok := kinds[t.Kind]; !ok {
			kinds[t.Kind] = uint8(min(len(kinds)+1, 63))
		}
		kind[u] = kinds[t.Kind]
	}
	return func(u, i int) uint8 {
		if trackThread && u == i {
			return 0
		}
		return kind[u]
	}
}

// notPast64 is why a liveness property of a model of more than 64 threads
// is unknown.
const notPast64 = "liveness is not checked in a model of more than 64 threads"

// liveCheckable reports whether the fairness classes fit in 64 bits.
func (l *liveBase) liveCheckable() bool { return len(l.p.Threads) <= 64 }

// threadLive is lockup or starvation: a thread for which pred holds in
// every state of a fair cycle (in which, when idle is set, it takes no
// step).
type threadLive struct {
	liveBase
	pred func(model.LiveFacts) uint64
	idle bool  // the thread at fault does not step in the cycle (starvation)
	m    masks // pred per state
}

func newThreadLive(p *model.Program, pr *model.Property, pred func(model.LiveFacts) uint64, idle bool) *threadLive {
	n := len(p.Threads)
	return &threadLive{liveBase: newLiveBase(p, pr), pred: pred, idle: idle, m: newMasks(n)}
}

func (c *threadLive) Grow(n int)        { c.m.grow(n); c.growFacts(n) }
func (c *threadLive) Bytes() uint64     { return c.m.bytes() + c.factsBytes() }
func (c *threadLive) Msg(uint64) string { return "" }

func (c *threadLive) AtState(ev *model.Evaluator, id int, s model.State) error {
	f := ev.LiveFacts(s)
	c.m.set(id, c.pred(f))
	c.noteFacts(f, id)
	return nil
}

// Analyze finds, on the product with the thread at fault (followed through
// the quotient's renamings), the fair component with the least state.
func (c *threadLive) Analyze(g Graph, stop Stop) (Finding, bool) {
	if !c.liveCheckable() {
		return Finding{Unknown: true, Msg: notPast64}, true
	}
	return guarded(stop, func(pl *poller) (Finding, bool) { return c.analyze(g, pl) })
}

// analyze is Analyze, polling pl.
func (c *threadLive) analyze(g Graph, pl *poller) (Finding, bool) {
	sp := &productSpec{g: g, bad: c.m.get, class: c.classOf(g.Quotient(), true),
		atLock: c.facts.locks.get, irqHeld: c.facts.held.get, nthreads: len(c.p.Threads), rename: g.RenameThread, idle: c.idle, poll: pl}
	pg := sp.build()
	f := newFairEngine(pg)
	comps := f.fair(nil, false, nil)
	if len(comps) == 0 {
		return Finding{}, false
	}
	if g.Quotient() {
		// each component is judged on the real states it stands for; a
		// violation is then decided on the real graph, so that the
		// verdict and the lasso are the reference's
		sg, ok := g.(SymGraph)
		if !ok || c.liftedFair(sg, pg, comps) {
			return Finding{Unsure: true}, true
		}
		return Finding{}, false
	}
	best := comps[0]
	for _, cp := range comps {
		if pg.state[cp[0]] < pg.state[best[0]] {
			best = cp
		}
	}
	entry := best[0]
	return Finding{State: int(pg.state[entry]), Thread: int(pg.idx[entry]),
		Lasso: &Lasso{Path: hops(pg, f.cycle(best, entry))}}, true
}

// liftedFair reports whether some component of the quotient's product,
// lifted to real states, holds a fair cycle of a thread at fault.
func (c *threadLive) liftedFair(g SymGraph, pg *pgraph, comps [][]int32) bool {
	n := len(c.p.Threads)
	for _, cp := range comps {
		lg := liftComponent(g, pg, cp, n)
		realOf := func(m masks) func(int) uint64 { return lg.mask(g, m.get, n, threadIndex) }
		sp := &productSpec{g: lg, bad: realOf(c.m), class: c.classOf(false, true), atLock: realOf(c.facts.locks), irqHeld: realOf(c.facts.held), nthreads: n, idle: c.idle, poll: pg.poll}
		if len(newFairEngine(sp.build()).fair(nil, false, nil)) > 0 {
			return true
		}
	}
	return false
}

// hops turns product edges into the explored graph's steps.
func hops(p *pgraph, edges []int32) []Hop {
	out := make([]Hop, len(edges))
	for i, e := range edges {
		v := sort.Search(p.nodes(), func(v int) bool { return p.start[v+1] > e }) // the edge's node
		out[i] = Hop{From: p.state[v], Edge: p.spec.edgeIndex(p, int32(v), e)}
	}
	return out
}

// leadsTo is a liveness declaration: From ~> To per element (eventually:
// from the initial state).
type leadsTo struct {
	liveBase
	from, to masks
	n        int // elements (1 without forall)
}

func newLeadsTo(p *model.Program, pr *model.Property) *leadsTo {
	n := 1
	if pr.Over != nil {
		n = pr.Over.Len
	}
	return &leadsTo{liveBase: newLiveBase(p, pr), from: newMasks(n), to: newMasks(n), n: n}
}

func (c *leadsTo) Grow(n int) { c.from.grow(n); c.to.grow(n); c.growFacts(n) }
func (c *leadsTo) Bytes() uint64 {
	return c.from.bytes() + c.to.bytes() + c.factsBytes()
}
func (c *leadsTo) Msg(uint64) string { return "" }

func (c *leadsTo) AtState(ev *model.Evaluator, id int, s model.State) error {
	from, to, err := ev.LiveMasks(c.pr, s)
	if c.pr.From == nil {
		from = 0
		if id == 0 {
			from = 1<<c.n - 1 // eventually: from the initial state
		}
	}
	c.from.set(id, from)
	c.to.set(id, to)
	c.setFacts(ev, id, s)
	return err
}

// Inherit takes src's masks. An eventually's from is set in the initial
// state only, which inherits from none: elsewhere it is 0.
func (c *leadsTo) Inherit(ev *model.Evaluator, id, src int, s model.State) {
	var from uint64
	if c.pr.From != nil {
		from = c.from.get(src)
	}
	c.from.set(id, from)
	c.to.set(id, c.to.get(src))
	c.setFacts(ev, id, s)
}

func (c *leadsTo) Same(id, src int) bool {
	return (c.pr.From == nil || c.from.get(id) == c.from.get(src)) && c.to.get(id) == c.to.get(src)
}

// Analyze finds, on the product with the element (states where its Q does
// not hold), the least state where its P holds that reaches a fair
// component. On a quotient it only filters: elements are renamed along
// edges, which this product does not follow.
func (c *leadsTo) Analyze(g Graph, stop Stop) (Finding, bool) {
	if !c.liveCheckable() {
		return Finding{Unknown: true, Msg: notPast64}, true
	}
	return guarded(stop, func(pl *poller) (Finding, bool) { return c.analyze(g, pl) })
}

// analyze is Analyze, polling pl.
func (c *leadsTo) analyze(g Graph, pl *poller) (Finding, bool) {
	all := uint64(1)<<c.n - 1
	notQ := func(v int) uint64 { return ^c.to.get(v) & all }
	if g.Quotient() {
		return c.quotient(g, notQ, pl)
	}
	sp := &productSpec{g: g, bad: notQ, class: c.classOf(false, false), atLock: c.facts.locks.get, irqHeld: c.facts.held.get, nthreads: len(c.p.Threads), poll: pl}
	pg := sp.build()
	f := newFairEngine(pg)
	comps := f.fair(nil, true, c.terminal(g, pg))
	if len(comps) > 0 {
		reach := backReach(pg, comps)
		for v := range pg.state { // nodes are in state order: the first is the least state
			if reach[v] && c.from.get(int(pg.state[v]))&(1<<pg.idx[v]) != 0 {
				return Finding{State: int(pg.state[v]), Items: 1 << pg.idx[v], Lasso: c.lasso(pg, f, comps, int32(v))}, true
			}
		}
	}
	return c.pastError(g, pg)
}

// pastError is the verdict of a leads-to with no fair violation in the
// graph: unknown when some state where P holds and Q does not reaches,
// with Q false all the way, a step that raised an error (which has no
// edge: what follows it, where the run might go on for ever without Q, is
// not in the graph), else holds.
func (c *leadsTo) pastError(g Graph, pg *pgraph) (Finding, bool) {
	var erred []int32
	for v := range pg.state {
		if g.Erred(int(pg.state[v])) {
			erred = append(erred, int32(v))
		}
	}
	if len(erred) == 0 {
		return Finding{}, false
	}
	reach := backReach(pg, [][]int32{erred})
	for v := range pg.state {
		if reach[v] && c.from.get(int(pg.state[v]))&(1<<pg.idx[v]) != 0 {
			return Finding{State: int(pg.state[v]), Unknown: true, Msg: "a run where it is still owed reaches a step that raised an error, and the search does not go past such a step"}, true
		}
	}
	return Finding{}, false
}

// quotient judges on a quotient: the product follows the element through
// the renamings; each fair component found is lifted to real states; one
// with a fair cycle there leaves the property to the real graph (Unsure).
func (c *leadsTo) quotient(g Graph, notQ func(int) uint64, pl *poller) (Finding, bool) {
	sg, ok := g.(SymGraph)
	if !ok {
		return Finding{Unsure: true}, true
	}
	a := fixedIndex
	if c.pr.Over != nil && sg.ArrayIndex(c.pr.Over) >= 0 {
		a = sg.ArrayIndex(c.pr.Over)
	}
	sp := &productSpec{g: g, bad: notQ, class: c.classOf(true, false), atLock: c.facts.locks.get, irqHeld: c.facts.held.get, nthreads: len(c.p.Threads), poll: pl}
	if a >= 0 {
		sp.rename = func(v, k, i int) int {
			if p := sg.EdgeArrayPerm(v, k, a); p != nil {
				return int(p[i])
			}
			return i
		}
	}
	pg := sp.build()
	comps := newFairEngine(pg).fair(nil, true, c.terminal(g, pg))
	n := len(c.p.Threads)
	for _, cp := range comps {
		lg := liftComponent(sg, pg, cp, n)
		real := lg.mask(sg, notQ, c.n, a)
		threads := func(m masks) func(int) uint64 { return lg.mask(sg, m.get, n, threadIndex) }
		lp := (&productSpec{g: lg, bad: real, class: c.classOf(false, false), atLock: threads(c.facts.locks), irqHeld: threads(c.facts.held), nthreads: n, poll: pl}).build()
		if len(newFairEngine(lp).fair(nil, true, c.terminal(lg, lp))) > 0 {
			return Finding{Unsure: true}, true
		}
	}
	return c.pastError(g, pg)
}

// terminal tells the product's nodes whose state has no successors (and
// no step that raises an error: a run does not stop there).
func (c *leadsTo) terminal(g Graph, pg *pgraph) func(int32) bool {
	return func(v int32) bool { s := int(pg.state[v]); return len(g.Succ(s)) == 0 && !g.Erred(s) }
}

// lasso builds the path from entry into a fair component (shortest) and
// around it.
func (c *leadsTo) lasso(pg *pgraph, f *fairEngine, comps [][]int32, entry int32) *Lasso {
	inComp := map[int32]int{}
	for i, comp := range comps {
		for _, v := range comp {
			pg.poll.tick()
			inComp[v] = i
		}
	}
	path, end := shortestPath(pg, entry, nil, func(v int32) bool { _, ok := inComp[v]; return ok })
	cyc := f.cycle(comps[inComp[end]], end)
	return &Lasso{Path: hops(pg, append(path, cyc...)), Loop: len(path)}
}

// LassoMsg says what a liveness counterexample shows, in words: at is the
// state where the cycle starts.
func LassoMsg(p *model.Program, pr *model.Property, f *Finding, at model.State) string {
	run := "a fair run repeats " + model.Steps(len(f.Lasso.Path)-f.Lasso.Loop) + " for ever"
	if f.Lasso.Loop == len(f.Lasso.Path) {
		run = "the run stops in a state where no thread can move again"
	}
	switch pr.Kind {
	case model.PropLockup:
		t := p.Threads[f.Thread]
		sec := p.DescribeSection(at, t)
		what := "soft lockup (\"BUG: soft lockup - CPU#N stuck\")"
		if c := p.Ctx(at, t); c.IrqOff || t.Kind.Ctx == model.CtxHardIRQ {
			what = "hard lockup (\"Watchdog detected hard LOCKUP on cpu N\")"
		}
		return fmt.Sprintf("lockup: %s never leaves its section (%s): %s; the kernel would report a %s", t.Label, sec, run, what)
	case model.PropStarvation:
		t := p.Threads[f.Thread]
		lock, holder, ins := p.LockWaitedFor(at, t)
		who := "nobody holds it when the cycle starts, and it never gets it"
		if holder != nil {
			who = fmt.Sprintf("held by %s, at %s", holder.Label, p.Where(at, holder))
		}
		report := "a hung task (\"task ... blocked for more than 120 seconds\")"
		if ins != nil && !ins.Mutex {
			report = "a soft lockup of the CPU spinning for it (\"BUG: soft lockup - CPU#N stuck\")"
			if ins.Ctx == model.CtxIrqDisable || ins.Ctx == model.CtxIrqSave || p.Ctx(at, t).IrqOff {
				report = "a hard lockup of the CPU spinning for it with interrupts disabled (\"Watchdog detected hard LOCKUP on cpu N\")"
			}
		}
		return fmt.Sprintf("starvation: %s waits for %s for ever (%s): %s; the kernel would report %s", t.Label, lock, who, run, report)
	}
	what := pr.Text
	if pr.Over != nil {
		what += " for " + pr.Over.Struct.ObjName(pr.Over.First+bits.TrailingZeros64(f.Items))
	}
	return fmt.Sprintf("%s fails: %s", what, run)
}

// IsLiveness reports whether a property kind is decided by a lasso.
func IsLiveness(k model.PropKind) bool {
	return k == model.PropLockup || k == model.PropStarvation || k == model.PropLiveness
}

// FailsAlong judges a replayed lasso for a liveness property: states are
// the states of the run (states[0] the initial one, states[i] the one after
// step i), the cycle is the steps from loop on, back to states[loop], and
// stepped has a bit per thread (t.Index) that takes a step in the cycle. It
// says whether the property fails along the run; fairness is the caller's.
func FailsAlong(p *model.Program, pr *model.Property, states []model.State, loop int, stepped uint64) bool {
	ev := p.NewEvaluator()
	cycle := states[loop:]
	if loop < len(states)-1 {
		cycle = states[loop : len(states)-1] // the last is states[loop] again
	}
	all := ^uint64(0)
	switch pr.Kind {
	case model.PropLockup:
		for _, s := range cycle {
			all &= ev.Sections(s)
		}
		return all != 0
	case model.PropStarvation: // waits at a lock throughout, and never gets it
		all &^= stepped
		for _, s := range cycle {
			all &= ev.WantsLock(s)
		}
		return all != 0
	}
	for i := 0; i <= loop; i++ { // where P held for an element that Q never holds for after
		from, _, err := ev.LiveMasks(pr, states[i])
		if err != nil {
			return false
		}
		if pr.From == nil {
			from = 0
			if i == 0 {
				from = ^uint64(0)
			}
		}
		for _, s := range states[i:] {
			_, to, _ := ev.LiveMasks(pr, s)
			from &^= to
		}
		if from != 0 {
			return true
		}
	}
	return false
}
