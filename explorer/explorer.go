// Package explorer searches a model's state space breadth-first and
// exhaustively. States get ids in BFS order (the initial state is 0), each
// with a parent link and the step that reached it, so the first violation
// found of any property is at the smallest depth and its trace is a shortest
// one. The same model and parameters give the same ids, counts and traces on
// every run.
package explorer

import (
	"fmt"
	"runtime"
	"slices"
	"time"

	"wqcheck/invariants"
	"wqcheck/model"
)

// Options bound and steer a search.
type Options struct {
	MaxStates int    // stop after this many states (0: no bound)
	MaxDepth  int    // do not expand states at this depth (0: no bound)
	MaxMemory uint64 // stop when the Go heap exceeds this many bytes (0: no bound)
	All       bool   // keep going after a violation, to find every violated property
	// Stop, when closed, ends the search early (Ctrl-C). What was found is kept.
	Stop <-chan struct{}
	// Progress, when set, is called about once a second.
	Progress func(Stats)
	// KeepGraph keeps the whole state graph (every edge, with its thread,
	// and every state where some property fails) in Result.Graph, for
	// drawing it. It costs memory: use it on small configurations.
	KeepGraph bool
}

// Stats describe a search.
type Stats struct {
	States      int
	Transitions int
	Depth       int // the largest depth reached
	Queue       int // states found but not yet expanded
	Elapsed     time.Duration
	HeapBytes   uint64
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
}

// Result is the outcome of a search.
type Result struct {
	Program  *model.Program
	Complete bool   // every reachable state was expanded
	Stopped  string // why the search stopped early: "max-states", "max-depth", "max-memory", "interrupted", "violation"
	Stats    Stats
	Props    []PropResult // in Program.Props order
	Err      error        // a property that could not be evaluated
	Graph    *Graph       // the state graph, with Options.KeepGraph
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
func (gr *Graph) Depth(id int) int { return int(gr.g.depth[id]) }

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
func (gr *Graph) Find(s model.State) (int, bool) { return gr.g.table.find(s) }

// Failing returns the properties (indexes into Program.Props) that fail in
// or on a step out of the state, in order.
func (gr *Graph) Failing(id int) []int { return gr.g.failing[int32(id)] }

// Violated reports whether any property is violated (witnesses do not count).
func (r *Result) Violated() bool {
	for _, p := range r.Props {
		if p.Verdict == Violated {
			return true
		}
	}
	return false
}

// graph is the explored state graph.
type graph struct {
	words  int
	table  *stateTable // the visited set: state vectors by id
	parent []int32
	via    []via
	depth  []int32
	// edges in CSR form, recorded only when a stranded-work property needs them
	edgeStart []int32
	edges     []int32
	keep      bool
	// with Options.KeepGraph: each edge's thread, and what fails where
	edgeThread []int32
	failing    map[int32][]int
}

type via struct {
	thread int32
	branch int32
}

func (g *graph) NumStates() int { return len(g.parent) }

func (g *graph) State(id int) model.State { return g.table.state(id) }

func (g *graph) Succ(id int) []int32 { return g.edges[g.edgeStart[id]:g.edgeStart[id+1]] }

// add returns the id of s, adding it if new.
func (g *graph) add(s model.State, parent int32, v via, depth int32) (int32, bool) {
	id, isNew := g.table.add(s)
	if !isNew {
		return id, false
	}
	g.parent = append(g.parent, parent)
	g.via = append(g.via, v)
	g.depth = append(g.depth, depth)
	return id, true
}

// violation records where a property first failed.
type violation struct {
	state int32 // the state where it fails, or the state the failing step starts from
	step  *via  // the failing step, for step properties (warn_on, errors)
	msg   string
}

// Explore runs the search.
func Explore(p *model.Program, opts Options) *Result {
	if opts.MaxMemory > 0 {
		runtime.GC() // an earlier search's graph is garbage now: do not count it
	}
	start := time.Now()
	res := &Result{Program: p}
	init, err := p.Initial()
	if err != nil {
		res.Err = err
		return res
	}
	g := &graph{words: p.Words, table: newStateTable(p.Words)}
	for _, pr := range p.Props {
		if pr.Kind == model.PropStranded {
			g.keep = true
		}
	}
	found := make([]*violation, len(p.Props))
	nfound := 0
	if opts.KeepGraph {
		g.keep = true
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
			if !p.Props[prop].Witness {
				nfound++ // witnesses never stop the search
			}
		}
	}
	ev := p.NewEvaluator()
	var failures []invariants.Failure
	checkState := func(id int32, s model.State) {
		failures = invariants.CheckState(p, ev, s, failures[:0])
		for _, f := range failures {
			record(f.Prop, &violation{state: id, msg: f.Msg})
		}
	}
	deadlockProp := propIndex(p, model.PropDeadlock)

	g.add(init, -1, via{-1, -1}, 0)
	checkState(0, init)
	st := p.NewStepper()
	stats := &res.Stats
	lastProgress := time.Now()
	var memStats runtime.MemStats
	complete := true
	head := 0
	cur := make(model.State, 0, p.Words)
	for ; head < g.NumStates(); head++ {
		if nfound > 0 && !opts.All {
			res.Stopped = "violation"
			complete = false
			break
		}
		if head&1023 == 0 {
			if opts.Stop != nil {
				select {
				case <-opts.Stop:
					res.Stopped = "interrupted"
				default:
				}
				if res.Stopped != "" {
					complete = false
					break
				}
			}
			if opts.MaxMemory > 0 && head&16383 == 0 {
				runtime.ReadMemStats(&memStats)
				if memStats.HeapAlloc > opts.MaxMemory {
					// the heap counts garbage too: collect before deciding
					runtime.GC()
					runtime.ReadMemStats(&memStats)
				}
				if memStats.HeapAlloc > opts.MaxMemory {
					res.Stopped = "max-memory"
					complete = false
					break
				}
			}
			if opts.Progress != nil && time.Since(lastProgress) > time.Second {
				lastProgress = time.Now()
				stats.States, stats.Queue, stats.Elapsed = g.NumStates(), g.NumStates()-head, time.Since(start)
				opts.Progress(*stats)
			}
		}
		d := g.depth[head]
		if g.keep {
			g.edgeStart = append(g.edgeStart, int32(len(g.edges)))
		}
		if opts.MaxDepth > 0 && int(d) >= opts.MaxDepth {
			complete = false
			if res.Stopped == "" {
				res.Stopped = "max-depth"
			}
			continue
		}
		s := append(cur[:0], g.State(head)...)
		nsucc := 0
		full := false
		st.Successors(s, func(sc *model.Succ) {
			nsucc++
			stats.Transitions++
			v := via{int32(sc.Thread), int32(sc.Branch)}
			for _, prop := range sc.Fired {
				vv := v
				record(prop, &violation{state: int32(head), step: &vv, msg: "warn_on fired: " + p.Props[prop].Text})
			}
			if sc.Err != nil {
				vv := v
				record(sc.Err.Prop, &violation{state: int32(head), step: &vv, msg: sc.Err.Msg})
				return
			}
			if full {
				return
			}
			id, isNew := g.add(sc.State, int32(head), v, d+1)
			if g.keep {
				g.edges = append(g.edges, id)
				if g.failing != nil {
					g.edgeThread = append(g.edgeThread, int32(sc.Thread))
				}
			}
			if isNew {
				if int(d+1) > stats.Depth {
					stats.Depth = int(d + 1)
				}
				checkState(id, sc.State)
				if opts.MaxStates > 0 && g.NumStates() >= opts.MaxStates {
					full = true
				}
			}
		})
		if nsucc == 0 {
			if dl, msg := invariants.Deadlock(p, s); dl {
				record(deadlockProp, &violation{state: int32(head), msg: msg})
			}
		}
		if full {
			complete = false
			res.Stopped = "max-states"
			head++
			if g.keep {
				g.edgeStart = append(g.edgeStart, int32(len(g.edges)))
			}
			break
		}
	}
	if head < g.NumStates() {
		complete = false
	}
	if g.keep {
		for len(g.edgeStart) <= g.NumStates() {
			g.edgeStart = append(g.edgeStart, int32(len(g.edges)))
		}
	}
	res.Complete = complete
	if complete {
		res.Stopped = ""
	}
	// stranded work needs the whole graph
	if complete {
		for i, pr := range p.Props {
			if pr.Kind != model.PropStranded {
				continue
			}
			sr, err := invariants.Stranded(p, pr, g)
			if err != nil {
				res.Err = err
				continue
			}
			if sr.State >= 0 {
				record(i, &violation{state: int32(sr.State), msg: sr.Msg})
			}
		}
	}
	stats.States = g.NumStates()
	stats.Queue = g.NumStates() - head
	if stats.Queue < 0 {
		stats.Queue = 0
	}
	stats.Elapsed = time.Since(start)
	runtime.ReadMemStats(&memStats)
	stats.HeapBytes = memStats.HeapAlloc

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
			tr, err := buildTrace(p, g, v)
			if err != nil {
				res.Err = err
			}
			tr.Prop = pr
			r.Trace = tr
		}
		res.Props = append(res.Props, r)
	}
	if opts.KeepGraph {
		res.Graph = &Graph{g}
	}
	return res
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
	Notes  map[int]string // what some instructions did, by index into Instrs
	After  model.State    // the state after the step
	Blocks bool           // the step ended because the thread blocked mid-step
	Err    *model.StepError
	Fired  []int
}

// buildTrace walks parent links back to the initial state, then replays the
// path forwards with instruction recording.
func buildTrace(p *model.Program, g *graph, v *violation) (*Trace, error) {
	var path []via
	for id := v.state; id > 0; id = g.parent[id] {
		path = append(path, g.via[id])
	}
	for i, j := 0, len(path)-1; i < j; i, j = i+1, j-1 {
		path[i], path[j] = path[j], path[i]
	}
	if v.step != nil {
		path = append(path, *v.step)
	}
	moves := make([]Move, len(path))
	for i, m := range path {
		moves[i] = Move{Thread: int(m.thread), Branch: int(m.branch)}
	}
	tr, err := Replay(p, moves)
	if tr != nil {
		tr.Msg = v.msg
		tr.FailStep = v.step != nil
	}
	return tr, err
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
