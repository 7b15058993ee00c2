// Package explorer searches a model's state space breadth-first and
// exhaustively. States get ids in BFS order (the initial state is 0), with
// compact parent records (records.go), so the first violation found of any
// property is at the smallest depth and its trace is a shortest one. The
// visited set holds 64-bit fingerprints or whole states (table.go); the
// search runs in batches whose expensive phases run on Options.Workers
// goroutines and whose decisions are made in one fixed order (search.go),
// so the same model and parameters give the same ids, counts and traces on
// every run, with any number of workers.
package explorer

import (
	"fmt"
	"slices"
	"time"

	"wqcheck/invariants"
	"wqcheck/model"
)

// Options bound and steer a search.
type Options struct {
	MaxStates int    // stop after this many states (0: no bound)
	MaxDepth  int    // do not expand states at this depth (0: no bound)
	MaxMemory uint64 // stop before the memory the process holds would pass this many bytes (0: no bound; memory.go)
	All       bool   // keep going after a violation, to find every violated property
	// Stop, when closed, ends the search early (Ctrl-C). What was found is kept.
	Stop <-chan struct{}
	// Progress, when set, is called about once a second.
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
	// GraphBytes is the memory of the edges and per-state pending items
	// the stranded-work analysis keeps (0 without such a property).
	GraphBytes uint64
	// CollisionProb bounds, in fingerprint mode, the probability that two
	// distinct states had the same fingerprint, so that one of them (and
	// what only it leads to) was left out: n(n-1)/2 pairs, each colliding
	// with probability 2^-64. 0 in exact mode.
	CollisionProb float64
	// AnalysisElapsed is the part of Elapsed spent in the stranded-work
	// analysis after the search (one goroutine).
	AnalysisElapsed time.Duration
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

// PropResult is the verdict on one property.
type PropResult struct {
	Prop    *model.Property
	Verdict Verdict
	Trace   *Trace // shortest counterexample, when violated
	// Lockdep is a violated lockdep property's report: the pattern, and
	// the shortest trace of every dependency and usage it names
	Lockdep *LockdepReport
}

// Result is the outcome of a search.
type Result struct {
	Program  *model.Program
	Complete bool   // every reachable state was expanded
	Stopped  string // why the search stopped early: "max-states", "max-depth", "max-memory", "interrupted", "violation", or "not-run" (NotRun)
	Stats    Stats
	Props    []PropResult // in Program.Props order
	Err      error        // a property that could not be evaluated
	Graph    *Graph       // the state graph, with Options.KeepGraph
	// LockGraph is the lock-order graph lockdep built (nil when the
	// program has no lockdep properties)
	LockGraph *LockGraph

	symBreaks []*model.SymBreak // explore: the search stopped on these
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
	g := gr.g
	var out []Edge
	for k := g.edgeStart[id]; k < g.edgeStart[id+1]; k++ {
		out = append(out, Edge{To: int(g.edges[k]), Thread: int(g.edgeThread[k])})
	}
	return out
}

// Find returns the id of a state.
func (gr *Graph) Find(s model.State) (int, bool) { return gr.g.exact.find(s) }

// Failing returns the properties (indexes into Program.Props) that fail in
// or on a step out of the state, in order.
func (gr *Graph) Failing(id int) []int { return gr.g.failing[int32(id)] }

// NotRun is the result of a search that never started (a signal stopped
// the run before it reached this variant): every property is unknown.
func NotRun(p *model.Program) *Result {
	r := &Result{Program: p, Stopped: "not-run"}
	for _, pr := range p.Props {
		r.Props = append(r.Props, PropResult{Prop: pr, Verdict: Unknown})
	}
	return r
}

// Decided reports whether every property has a verdict: the search was
// complete, or it stopped at a violation.
func (r *Result) Decided() bool { return r.Complete || r.Violated() }

// Violated reports whether any property is violated (witnesses do not count).
func (r *Result) Violated() bool {
	for _, p := range r.Props {
		if p.Verdict == Violated {
			return true
		}
	}
	return false
}

func propIndex(p *model.Program, k model.PropKind) int {
	for i, pr := range p.Props {
		if pr.Kind == k {
			return i
		}
	}
	return -1
}

// Trace is a counterexample: the steps from the initial state to the
// violation, each with the instructions it executed.
type Trace struct {
	Prop    *model.Property
	Initial model.State
	Steps   []Step
	Msg     string // what is wrong at the end, in words
	// FailStep is set when the last step itself violated the property
	// (warn_on fired, a runtime error, a lock-discipline breach).
	FailStep bool
}

// Step is one transition of a trace.
type Step struct {
	Thread *model.Thread
	Branch int
	Instrs []*model.Instr // executed, in order
	PCs    []int          // their program counters (to tell which way a branch went)
	Rest   int            // where the thread rests after the step (the pc after the last instruction)
	Notes  map[int]string // what some instructions did, by index into Instrs
	After  model.State    // the state after the step
	Blocks bool           // the step ended because the thread blocked mid-step
	Err    *model.StepError
	Fired  []int
}

// Move names one step of a trace: the thread that moves (its index in
// Program.Threads) and which of its nondeterministic branches it takes.
type Move struct {
	Thread int
	Branch int
}

// Replay re-executes a path of moves from the initial state, recording what
// each step executed. It fails if the model does not allow a move.
func Replay(p *model.Program, path []Move) (*Trace, error) {
	init, err := p.Initial()
	if err != nil {
		return nil, err
	}
	tr := &Trace{Initial: init}
	st := p.NewStepper()
	st.Record = true
	cur := init
	for i, v := range path {
		if v.Thread < 0 || v.Thread >= len(p.Threads) {
			return tr, fmt.Errorf("step %d: no thread %d", i+1, v.Thread)
		}
		t := p.Threads[v.Thread]
		var got *Step
		branches := 0
		st.ThreadSuccessors(cur, t, func(sc *model.Succ) {
			branches++
			if sc.Branch != v.Branch {
				return
			}
			step := &Step{Thread: t, Branch: sc.Branch, After: sc.State.Clone(), Blocks: sc.Blocks, Err: sc.Err, Notes: sc.Notes,
				Rest:  p.PC(sc.State, t),
				Fired: append([]int(nil), sc.Fired...)}
			for _, pc := range sc.Log {
				step.Instrs = append(step.Instrs, t.Kind.Code[pc])
				step.PCs = append(step.PCs, pc)
			}
			got = step
		})
		if got == nil {
			switch {
			case p.Finished(cur, t):
				return tr, fmt.Errorf("step %d: %s cannot move: it has exited", i+1, t.Label)
			case branches == 0:
				return tr, fmt.Errorf("step %d: %s cannot move: it is blocked at %s", i+1, t.Label, p.Where(cur, t))
			}
			return tr, fmt.Errorf("step %d: %s has %d way%s to move here, not the branch %d the trace took (at %s)",
				i+1, t.Label, branches, map[bool]string{true: "", false: "s"}[branches == 1], v.Branch, p.Where(cur, t))
		}
		tr.Steps = append(tr.Steps, *got)
		cur = got.After
	}
	return tr, nil
}

// Final returns the state at the end of the trace.
func (t *Trace) Final() model.State {
	if len(t.Steps) == 0 {
		return t.Initial
	}
	return t.Steps[len(t.Steps)-1].After
}

// Reproduces says whether a replayed trace still shows prop failing: a
// step's warn_on or error for step properties, the final state for
// invariants and deadlock. Stranded work is a property of the whole graph,
// not of one trace: it is judged by re-exploring from the trace's final
// state and asking whether some interleaving from there still takes every
// pending item. The message says what was found, in words.
func Reproduces(p *model.Program, tr *Trace, prop int) (bool, string) {
	pr := p.Props[prop]
	for i := range tr.Steps {
		st := &tr.Steps[i]
		if slices.Contains(st.Fired, prop) {
			return true, fmt.Sprintf("step %d: warn_on fired: %s", i+1, pr.Text)
		}
		if st.Err != nil && st.Err.Prop == prop {
			return true, fmt.Sprintf("step %d: %s", i+1, st.Err.Msg)
		}
	}
	final := tr.Final()
	switch pr.Kind {
	case model.PropDeadlock:
		if dl, msg := invariants.Deadlock(p, final); dl {
			return true, msg
		}
	case model.PropInvariant:
		for _, f := range invariants.CheckState(p, p.NewEvaluator(), final, nil) {
			if f.Prop == prop {
				return true, f.Msg
			}
		}
	case model.PropLockdep:
		return reproducesLockdep(p, tr, prop)
	case model.PropStranded:
		res := Explore(p.WithInitial(final), Options{All: true})
		if res.Err == nil && res.Complete && res.Props[prop].Verdict == Violated && res.Props[prop].Trace != nil && len(res.Props[prop].Trace.Steps) == 0 {
			return true, res.Props[prop].Trace.Msg
		}
		if !res.Complete {
			return false, "could not decide: the search from the trace's end did not complete"
		}
	}
	return false, fmt.Sprintf("%s does not fail at the end of the trace", pr.Name)
}
