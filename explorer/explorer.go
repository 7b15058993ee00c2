package explorer

import (
	"time"

	"wqcheck/model"
)

// Options bound and steer a search.
type Options struct {
	MaxStates int    // stop after this many states (0: no bound)
	MaxDepth  int    // do not expand states at this depth (0: no bound)
	MaxMemory uint64 // stop before the memory the process holds would pass this many bytes, in the search or the analyses after it (0: no bound; memory.go)
	All       bool   // keep going after a violation, to find every violated property
	// Stop, when closed, ends the search early (Ctrl-C), or the
	// whole-graph analyses after it: Result.Stopped is StopInterrupted.
	// What was found is kept.
	Stop <-chan struct{}
	// Deadline, when set, ends the search, or the whole-graph analyses
	// after it, once it has passed (bench --max-seconds): Result.Stopped is
	// StopDeadline. What was found is kept.
	Deadline time.Time
	// Progress, when set, is called about once a second during the search,
	// and once more (Stats.Analysing set) when the search is complete and
	// the whole-graph analyses start.
	Progress func(Stats)
	// KeepGraph keeps the whole state graph (every edge, with its thread,
	// and every state where some property fails) in Result.Graph, for
	// drawing it. It costs memory: use it on small configurations.
	KeepGraph bool
	// Workers is the number of goroutines that generate successors (0 or
	// 1: one). Any number gives the same states, ids, counts and traces.
	Workers int
	// Exact keeps every state vector in the visited set, so no two states
	// are ever confused; otherwise only 64-bit fingerprints are kept (see
	// Stats.CollisionProb). KeepGraph implies it.
	Exact bool
	// Symmetry stores one state per orbit under the permutations of the
	// model's interchangeable object arrays (model.Symmetry): same verdicts
	// and shortest counterexample lengths, traces mapped back to real
	// ones. An array the search finds the model telling apart is dropped
	// and the search run again without it (Stats.SymmetryOff says why).
	// KeepGraph turns it off: the graph drawn is the real one.
	Symmetry bool
	// POR explores, from a state where one thread's steps are independent
	// of everything the others can still do, only that thread's steps
	// (partial-order reduction, por.go): same verdicts, fewer states. A
	// search with a liveness property does not reduce (Stats.POR says so);
	// one that finds a violation is run again without reduction, so traces
	// stay shortest (Stats.PORResearch).
	POR bool
	// PORNoResearch keeps the reduced search's own result when it finds a
	// violation (its traces may be longer than the shortest): for the
	// differential tests and the bench.
	PORNoResearch bool
	// incr is how the check phase uses what a state's source showed
	// (incremental.go): on unless a test says otherwise.
	incr incrMode
}

// Stats describe a search.
type Stats struct {
	States      int
	Transitions int
	Depth       int // the largest depth reached
	Queue       int // states found but not yet expanded
	Elapsed     time.Duration
	HeapBytes   uint64
	Workers     int
	Exact       bool
	// VisitedBytes is the memory of the visited set (fingerprints, or the
	// exact table's index) and the parent records: what every state costs.
	VisitedBytes uint64
	// VectorBytes is the memory of full state vectors: every state's in
	// exact mode; in fingerprint mode the most the frontier held at once.
	VectorBytes uint64
	// GraphBytes is the memory of the edges (with their threads) and the
	// per-state bits the whole-graph properties keep: stranded work's
	// pending items, the liveness properties' conditions (0 without such a
	// property).
	GraphBytes uint64
	// CollisionProb bounds, in fingerprint mode, the probability that two
	// distinct states had the same fingerprint, so that one of them (and
	// what only it leads to) was left out: n(n-1)/2 pairs, each colliding
	// with probability 2^-64. 0 in exact mode.
	CollisionProb float64
	// AnalysisElapsed is the part of Elapsed spent in the whole-graph
	// analyses after the search (stranded work, liveness; one goroutine).
	AnalysisElapsed time.Duration
	// Analysing, in the Progress report made as the whole-graph analyses
	// start, says so (false in every other report and in Result.Stats).
	Analysing bool
	// SerialElapsed is the part of Elapsed spent in the search's phases that
	// run on one goroutine whatever Options.Workers (inserting new states,
	// recording violations): what a second core cannot speed up.
	SerialElapsed time.Duration
	// Symmetry names the arrays the search permuted (empty: no reduction),
	// SymmetryOff the arrays it found the model telling apart, and where.
	// SymmetryRetries counts the searches discarded for that; their time is
	// in Elapsed.
	Symmetry        []*model.Array
	SymmetryOff     []*model.SymBreak
	SymmetryRetries int
	// LivenessResearch names the liveness properties the reduced graph
	// could not decide (it showed a cycle that may be fair): the search ran
	// again without symmetry reduction, and its figures are these.
	LivenessResearch []*model.Property
	// POR says how partial-order reduction went: "" when it was not asked
	// for; else "on", or "off: " and why. PORReduced and PORFull count the
	// states expanded with an ample set and fully. PORResearch says the
	// reduced search found a violation, so the search ran again without
	// reduction (for shortest traces), and these figures are that search's;
	// PORStates is then the reduced search's state count.
	POR                 string
	PORReduced, PORFull int
	PORResearch         bool
	PORStates           int
}

// BytesPerState is what the search stored per state, all counted.
func (s Stats) BytesPerState() float64 {
	if s.States == 0 {
		return 0
	}
	return float64(s.VisitedBytes+s.VectorBytes+s.GraphBytes) / float64(s.States)
}

// StatesPerSec returns the rate of new states.
func (s Stats) StatesPerSec() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.States) / s.Elapsed.Seconds()
}

// Verdict values.
type Verdict string

const (
	Holds    Verdict = "holds"
	Violated Verdict = "violated"
	Unknown  Verdict = "unknown" // the search stopped at a bound before deciding
	// Witnessed is the verdict of an informational property (witness NAME;)
	// that was violated: the trace is shown, the run does not fail.
	Witnessed Verdict = "witnessed"
)

// StopReason says why a search stopped before it explored every reachable
// state.
type StopReason string

const (
	StopMaxStates   StopReason = "max-states"  // Options.MaxStates
	StopMaxDepth    StopReason = "max-depth"   // Options.MaxDepth
	StopMaxMemory   StopReason = "max-memory"  // Options.MaxMemory
	StopInterrupted StopReason = "interrupted" // Options.Stop
	StopDeadline    StopReason = "time-bound"  // Options.Deadline
	StopViolation   StopReason = "violation"   // the first violation, without Options.All
	StopNotRun      StopReason = "not-run"     // NotRun: the search never started
)

// PropResult is the verdict on one property.
type PropResult struct {
	Prop    *model.Property
	Verdict Verdict
	Trace   *Trace // shortest counterexample, when violated
	// Why an Unknown verdict's analysis could not decide it, when the
	// search was complete ("" otherwise: a bound or a signal stopped it)
	Why string
	// Lockdep is a violated lockdep property's report: the pattern, and
	// the shortest trace of every dependency and usage it names
	Lockdep *LockdepReport
}

// Result is the outcome of a search.
type Result struct {
	Program  *model.Program
	Complete bool       // every reachable state was expanded, and every whole-graph analysis finished
	Stopped  StopReason // why the search stopped early ("" when it did not)
	// InAnalyses says that Stopped (a signal, the deadline, the memory
	// bound) came after the search had expanded every reachable state,
	// during the whole-graph analyses: the properties the search itself
	// decides have their verdicts, those of the analyses that did not
	// finish are Unknown.
	InAnalyses bool
	Stats      Stats
	Props      []PropResult // in Program.Props order
	Err        error        // a property that could not be evaluated
	Graph      *Graph       // the state graph, with Options.KeepGraph
	// LockGraph is the lock-order graph lockdep built (nil when the
	// program has no lockdep properties)
	LockGraph *LockGraph

	symBreaks []*model.SymBreak // explore: the search stopped on these
	// explore: liveness properties the quotient graph could not decide
	liveUnsure []*model.Property
}

// Graph is an explored state graph, kept with Options.KeepGraph. States are
// numbered in BFS order from 0, the initial state.
type Graph struct {
	g *graph
}

// Edge is a transition: the step of Thread (an index into Program.Threads)
// that leads to state To.
type Edge struct {
	To     int
	Thread int
}

// NumStates is the number of states.
func (gr *Graph) NumStates() int { return gr.g.NumStates() }

// State returns the state with the given id.
func (gr *Graph) State(id int) model.State { return gr.g.State(id) }

// Depth is the length of a shortest path from the initial state.
func (gr *Graph) Depth(id int) int { return gr.g.rec.depth(int32(id)) }

// Edges lists the transitions out of a state, in the order they were
// generated (threads in order, then branches). States the search did not
// expand (bounds) have none.
func (gr *Graph) Edges(id int) []Edge {
	e := gr.g.edges
	var out []Edge
	for k := e.start[id]; k < e.start[id+1]; k++ {
		out = append(out, Edge{To: int(e.to[k]), Thread: int(e.thread[k])})
	}
	return out
}

// Path returns a shortest path from the initial state to state id, each
// step as the index of the successor taken among its state's successors
// (in model.Stepper.Successors order): the moves of its parent records.
func (gr *Graph) Path(id int) []int {
	ids := gr.g.rec.path(int32(id))
	out := make([]int, 0, len(ids)-1)
	for _, s := range ids[1:] {
		out = append(out, gr.g.rec.stepOf(s))
	}
	return out
}

// Find returns the id of a state.
func (gr *Graph) Find(s model.State) (int, bool) { return gr.g.exact.find(s) }

// Failing returns the properties (indexes into Program.Props) that fail in
// or on a step out of the state, in order.
func (gr *Graph) Failing(id int) []int { return gr.g.edges.failing[int32(id)] }

// NotRun is the result of a search that never started (a signal stopped
// the run before it reached this variant): every property is unknown.
func NotRun(p *model.Program) *Result {
	r := &Result{Program: p, Stopped: StopNotRun}
	for _, pr := range p.Props {
		r.Props = append(r.Props, PropResult{Prop: pr, Verdict: Unknown})
	}
	return r
}

// Decided reports whether every property has a verdict: the search was
// complete and its analyses decided every property, or it stopped at a
// violation.
func (r *Result) Decided() bool {
	if r.Violated() {
		return true
	}
	for _, p := range r.Props {
		if p.Verdict == Unknown {
			return false
		}
	}
	return r.Complete
}

// Violated reports whether any property is violated (witnesses do not count).
func (r *Result) Violated() bool {
	for _, p := range r.Props {
		if p.Verdict == Violated {
			return true
		}
	}
	return false
}
