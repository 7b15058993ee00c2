package explorer

import (
	"fmt"
	"math/bits"
	"strings"

	"wqcheck/model"
)

// Lockdep over every interleaving (docs/lockdep.md "Lock order: lockdep over every
// interleaving").
//
// Contract: when the program has the lockdep properties, the search's
// steppers list each step's lock acquisitions (model.Acquire); phase 1
// passes on, as step events (prop -1), only those that could add something
// (a new dependency, a new usage bit, a new recursion) to what lockOrder
// knew when the batch began, and phase 4 hands them to lockOrder, an
// observer (observer.go), in the order of a one-thread breadth-first
// search. So every dependency edge and
// usage bit is first seen on a shortest path, whatever the number of
// workers, and the checks, run as lockdep runs them at the acquisition
// that completes a bad pattern (kernel/locking/lockdep.c __lock_acquire():
// mark_usage() then validate_chain(): check_deadlock(),
// check_noncircular(), check_irq_usage()), record a violation of the
// lockdep property at that step. Lock classes do not depend on which of
// several symmetric objects a lock belongs to, so the edge set is the same
// with symmetry on or off. After the search, finish rebuilds a real trace
// for every edge and usage a report names and fills PropResult.Lockdep and
// Result.LockGraph. Its cost: three fixed arrays and a map entry per
// distinct edge; nothing when the model has no lockdep properties.
type lockOrder struct {
	noObserver
	s     *search
	p     *model.Program
	props [4]int // the property of each model.LockdepCheck
	// known, read by phase 1 between phase 4s: out[a] has bit b for an
	// edge a -> b; usage[c] the usage bits of class c; rec the classes
	// found acquired recursively
	out   [model.MaxLockClasses]uint64
	usage [model.MaxLockClasses]uint8
	rec   uint64
	// first creations, in the order found
	edges   []*LockEdge
	edgeAt  map[[2]int]*LockEdge
	uses    map[[2]int]*LockUse // (class, usage bit)
	reports [4]*LockdepReport
}

// LockEdge is a dependency of the lock-order graph: class To acquired
// while class From was held, first on a shortest path by the step Move
// from state src.
type LockEdge struct {
	From, To int
	Acq      model.Acquire
	Thread   int // the thread that acquired (in the search's numbering; the trace's last step names the real one)
	Depth    int // the length of the shortest trace that creates it
	Trace    *Trace
	Cycle    bool // on the cycle a report names
	src      int32
	mv       Move
}

// LockUse is the first acquisition that gave a class a usage bit.
type LockUse struct {
	Class  int
	Bit    uint8
	Acq    model.Acquire
	Thread int
	Depth  int
	Trace  *Trace
	src    int32
	mv     Move
}

// LockdepReport is what a lockdep property found, in the terms of
// lockdep's report: the acquisition that completed the pattern (Acq, by
// the last step of the property's trace), and, by check:
//
//   - circular: Chain, the cycle, starting with the new dependency
//     (Held -> Class) and leading back to Held;
//   - hardirq/softirq: the safe and the unsafe class and where each became
//     so; Chain is the dependency path from the safe to the unsafe class
//     (empty when they are one class: inconsistent lock state);
//   - recursive: Class acquired while Held, of the same class, is held.
type LockdepReport struct {
	Check  model.LockdepCheck
	Kind   string // which of lockdep's reports: "circular", "usage", "bad-irq-dependency", "irq-inversion", "recursive"
	Acq    model.Acquire
	Class  int // the class being acquired
	Held   int // the held class the report names (-1: none)
	Chain  []*LockEdge
	Safe   *LockUse // irq: where the safe class became safe
	Unsafe *LockUse // irq: where the unsafe class became unsafe
	Depth  int      // the depth at which the pattern is complete (its deepest trace)
	Bit    uint8    // usage: the usage bit the acquisition added
}

// LockGraph is the lock-order graph a search built: every class, every
// dependency with its first creation, and the reports' cycle edges marked.
type LockGraph struct {
	Classes []*model.LockClass
	Edges   []*LockEdge
}

func newLockOrder(p *model.Program, s *search) *lockOrder {
	if !p.Lockdep() {
		return nil
	}
	lo := &lockOrder{s: s, p: p, edgeAt: map[[2]int]*LockEdge{}, uses: map[[2]int]*LockUse{}}
	for k := range lo.props {
		lo.props[k] = p.LockdepProp(model.LockdepCheck(k))
	}
	return lo
}

// news reports whether acquisition a could add to what is known: phase 1
// passes on only those (it reads lo while no phase 4 runs).
func (lo *lockOrder) news(a *model.Acquire) bool {
	c := uint(a.Class)
	if a.Usage&^lo.usage[c] != 0 {
		return true
	}
	if a.Held&(1<<c) != 0 && lo.rec&(1<<c) == 0 {
		return true
	}
	for h := a.Held &^ (1 << c); h != 0; h &= h - 1 {
		if lo.out[bits.TrailingZeros64(h)]&(1<<c) == 0 {
			return true
		}
	}
	return false
}

// step is the observer's phase 4 call: the acquisitions phase 1 passed on,
// in BFS order.
func (lo *lockOrder) step(src int32, f *found, events []stepEvent) {
	for _, se := range events {
		if se.prop < 0 {
			lo.acquired(src, lo.s.g.rec.depth(src), Move{Thread: int(f.thread), Branch: int(f.branch)}, se.acq, lo.s.violated)
		}
	}
}

// acquired takes one acquisition of the step mv from state src (at depth
// d) in phase 4, in BFS order, and records what it completes.
func (lo *lockOrder) acquired(src int32, d int, mv Move, a model.Acquire, record func(int, *violation)) {
	c := int(a.Class)
	// mark_usage(): each new usage bit, then the checks mark_lock_irq()
	// makes for it
	for bit := uint8(1); bit <= model.EnabledSoftirq; bit <<= 1 {
		if a.Usage&bit == 0 || lo.usage[c]&bit != 0 {
			continue
		}
		lo.usage[c] |= bit
		lo.uses[[2]int{c, int(bit)}] = &LockUse{Class: c, Bit: bit, Acq: a, Thread: mv.Thread, Depth: d + 1, src: src, mv: mv}
		lo.irqCheck(src, mv, a, -1, c, bit, record)
	}
	// check_deadlock(): a lock of the same class is held
	if a.Held&(1<<uint(c)) != 0 && lo.rec&(1<<uint(c)) == 0 {
		lo.rec |= 1 << uint(c)
		if k := model.LockdepRecursive; lo.reports[k] == nil && lo.props[k] >= 0 {
			lo.reports[k] = &LockdepReport{Check: k, Kind: "recursive", Acq: a, Class: c, Held: c, Depth: d + 1}
			cl := lo.p.LockClasses[c]
			record(lo.props[k], &violation{state: src, step: &mv, msg: fmt.Sprintf(
				"possible recursive locking detected: %s acquires a lock of class %s while holding one of the same class (%s); lockdep cannot tell two %s apart",
				lo.p.Threads[mv.Thread].Label, cl.Name, cl.Decl, cl.Decl)})
		}
	}
	// check_prevs_add(): a dependency from each held class
	for h := a.Held &^ (1 << uint(c)); h != 0; h &= h - 1 {
		from := bits.TrailingZeros64(h)
		if lo.out[from]&(1<<uint(c)) != 0 {
			continue
		}
		e := &LockEdge{From: from, To: c, Acq: a, Thread: mv.Thread, Depth: d + 1, src: src, mv: mv}
		lo.out[from] |= 1 << uint(c)
		lo.edges = append(lo.edges, e)
		lo.edgeAt[[2]int{from, c}] = e
		// check_noncircular(): does the new lock already lead to the held one?
		if k := model.LockdepCircular; lo.reports[k] == nil && lo.props[k] >= 0 {
			if path := lo.path(c, from); path != nil {
				chain := append([]*LockEdge{e}, path...)
				r := &LockdepReport{Check: k, Kind: "circular", Acq: a, Class: c, Held: from, Chain: chain}
				for _, x := range chain {
					r.Depth = max(r.Depth, x.Depth)
				}
				lo.reports[k] = r
				record(lo.props[k], &violation{state: src, step: &mv, msg: fmt.Sprintf(
					"possible circular locking dependency detected: %s acquires %s while holding %s, and %s already depends on %s: %s",
					lo.p.Threads[mv.Thread].Label, lo.name(c), lo.name(from), lo.name(from), lo.name(c), lo.chainString(chain))})
			}
		}
		// check_irq_usage(): does it connect an irq-safe class to an irq-unsafe one?
		lo.irqCheck(src, mv, a, from, c, 0, record)
	}
}

// irqCheck looks, for hardirqs and softirqs, for a class used in that
// context from which the dependencies lead to a class taken with it
// enabled (possibly the same class). held >= 0: the new edge held -> c
// was just added (print_bad_irq_dependency()); else class c just got usage
// bit (print_usage_bug() for one class, else print_irq_inversion_bug()).
func (lo *lockOrder) irqCheck(src int32, mv Move, a model.Acquire, held, c int, bit uint8, record func(int, *violation)) {
	for _, k := range []model.LockdepCheck{model.LockdepHardirq, model.LockdepSoftirq} {
		if lo.reports[k] != nil || lo.props[k] < 0 {
			continue
		}
		usedIn, enabled, irq := model.UsedInHardirq, model.EnabledHardirq, "HARDIRQ"
		if k == model.LockdepSoftirq {
			usedIn, enabled, irq = model.UsedInSoftirq, model.EnabledSoftirq, "SOFTIRQ"
		}
		if bit != 0 && bit != usedIn && bit != enabled {
			continue
		}
		r := &LockdepReport{Check: k, Acq: a, Class: c, Held: held, Bit: bit}
		var msg string
		switch {
		case bit != 0 && lo.usage[c]&(usedIn|enabled) == usedIn|enabled:
			// valid_state(): the class itself has both
			prev := usedIn ^ enabled ^ bit
			r.Kind = "usage"
			r.Safe, r.Unsafe = lo.uses[[2]int{c, int(usedIn)}], lo.uses[[2]int{c, int(enabled)}]
			msg = fmt.Sprintf("inconsistent {%s} -> {%s} usage: %s is taken %s, and was taken %s",
				model.UsageName(prev), model.UsageName(bit), lo.name(c), usageWords(bit), usageWords(prev))
		default:
			// a path safe ->* unsafe through the graph
			safe, path := lo.safeToUnsafe(usedIn, enabled)
			if path == nil {
				continue
			}
			r.Chain = path
			r.Safe = lo.uses[[2]int{safe, int(usedIn)}]
			r.Unsafe = lo.uses[[2]int{path[len(path)-1].To, int(enabled)}]
			if held >= 0 {
				r.Kind = "bad-irq-dependency"
				msg = fmt.Sprintf("%s-safe -> %s-unsafe lock order detected: %s acquires %s while holding %s, which connects %s-irq-safe %s to %s-irq-unsafe %s",
					irq, irq, lo.p.Threads[mv.Thread].Label, lo.name(c), lo.name(held), strings.ToLower(irq), lo.name(safe), strings.ToLower(irq), lo.name(path[len(path)-1].To))
			} else {
				r.Kind = "irq-inversion"
				msg = fmt.Sprintf("possible irq lock inversion dependency detected: %s is now taken %s, and the lock order has %s-irq-safe %s before %s-irq-unsafe %s: %s",
					lo.name(c), usageWords(bit), strings.ToLower(irq), lo.name(safe), strings.ToLower(irq), lo.name(path[len(path)-1].To), lo.chainString(path))
			}
		}
		r.Depth = max(r.Safe.Depth, r.Unsafe.Depth)
		for _, e := range r.Chain {
			r.Depth = max(r.Depth, e.Depth)
		}
		lo.reports[k] = r
		record(lo.props[k], &violation{state: src, step: &mv, msg: msg})
	}
}

func usageWords(bit uint8) string {
	switch bit {
	case model.UsedInHardirq:
		return "in hardirq context"
	case model.EnabledHardirq:
		return "with hardirqs enabled"
	case model.UsedInSoftirq:
		return "in softirq context"
	}
	return "with softirqs enabled"
}

// safeToUnsafe finds the first class (in class order) with usage usedIn
// from which a dependency path of at least one edge leads to a class with
// usage enabled; the path is a shortest one (lockdep's __bfs()).
func (lo *lockOrder) safeToUnsafe(usedIn, enabled uint8) (int, []*LockEdge) {
	for s := range lo.p.LockClasses {
		if lo.usage[s]&usedIn == 0 {
			continue
		}
		if path := lo.bfs(s, func(c int) bool { return lo.usage[c]&enabled != 0 }); path != nil {
			return s, path
		}
	}
	return -1, nil
}

// path returns a shortest dependency path from class a to class b, or nil.
func (lo *lockOrder) path(a, b int) []*LockEdge {
	return lo.bfs(a, func(c int) bool { return c == b })
}

// bfs returns a shortest path of at least one edge from class a to a class
// that matches, following edges in class order, or nil.
func (lo *lockOrder) bfs(a int, match func(int) bool) []*LockEdge {
	parent := map[int]int{}
	queue := []int{a}
	for len(queue) > 0 {
		x := queue[0]
		queue = queue[1:]
		for m := lo.out[x]; m != 0; m &= m - 1 {
			y := bits.TrailingZeros64(m)
			if _, seen := parent[y]; seen {
				continue
			}
			parent[y] = x
			if match(y) {
				var path []*LockEdge
				for z := y; ; {
					px := parent[z]
					path = append([]*LockEdge{lo.edgeAt[[2]int{px, z}]}, path...)
					if px == a {
						return path
					}
					z = px
				}
			}
			queue = append(queue, y)
		}
	}
	return nil
}

func (lo *lockOrder) name(c int) string { return lo.p.LockClasses[c].Name }

// chainString writes a path as lockdep's "Chain exists of:" does:
// "&a --> &b --> &c".
func (lo *lockOrder) chainString(path []*LockEdge) string {
	parts := []string{lo.name(path[0].From)}
	for _, e := range path {
		parts = append(parts, lo.name(e.To))
	}
	return strings.Join(parts, " --> ")
}

// finish rebuilds the traces the reports name and returns the lock graph.
func (lo *lockOrder) finish(res *Result, g *graph, sym *model.Symmetry) error {
	trace := func(src int32, mv Move, prop int) (*Trace, error) {
		return buildTrace(lo.p, g, &violation{state: src, step: &mv}, prop, sym)
	}
	for k, r := range lo.reports {
		if r == nil {
			continue
		}
		prop := lo.props[k]
		for _, e := range r.Chain {
			e.Cycle = e.Cycle || r.Check == model.LockdepCircular
			if e.Trace == nil {
				tr, err := trace(e.src, e.mv, prop)
				if err != nil {
					return err
				}
				e.Trace = tr
			}
		}
		for _, u := range []*LockUse{r.Safe, r.Unsafe} {
			if u != nil && u.Trace == nil {
				tr, err := trace(u.src, u.mv, prop)
				if err != nil {
					return err
				}
				u.Trace = tr
			}
		}
		res.Props[prop].Lockdep = r
	}
	res.LockGraph = &LockGraph{Classes: lo.p.LockClasses, Edges: lo.edges}
	return nil
}

// reproducesLockdep judges a lockdep property on a replayed trace: lockdep's
// verdict rests on dependencies other interleavings create, so the model is
// searched again, and the trace reproduces when the property is still
// violated and the trace's last step makes the acquisition that completes
// the pattern (the same class, taken while holding the same class).
func reproducesLockdep(p *model.Program, tr *Trace, prop int) (bool, string) {
	res := Explore(p, Options{All: true, Symmetry: true})
	r := res.Props[prop]
	if r.Verdict != Violated || r.Lockdep == nil {
		return false, fmt.Sprintf("%s holds: the search finds no such pattern", p.Props[prop].Name)
	}
	if n := len(tr.Steps); n > 0 {
		before := tr.Initial
		if n > 1 {
			before = tr.Steps[n-2].After
		}
		last := tr.Steps[n-1]
		st := p.NewStepper()
		st.Lockdep = true
		found := false
		st.ThreadSuccessors(before, last.Thread, func(sc *model.Succ) {
			if sc.Branch != last.Branch {
				return
			}
			for _, a := range sc.Acquired {
				if int(a.Class) == r.Lockdep.Class && (r.Lockdep.Held < 0 || a.Held&(1<<uint(r.Lockdep.Held)) != 0) {
					found = true
				}
			}
		})
		if found {
			return true, r.Trace.Msg
		}
	}
	return false, fmt.Sprintf("%s is violated, but not by the trace's last step: %s", p.Props[prop].Name, r.Trace.Msg)
}
