package explorer

import (
	"runtime"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"wqcheck/invariants"
)

// finish ends the search: decides completeness, runs the whole-graph
// analyses on a complete graph, fills the statistics and builds the traces
// of the properties found failing. A property is Unknown when the search
// was not complete, or its analysis could not decide it or was stopped
// (Result.InAnalyses).
func (s *search) finish() *Result {
	res, g := s.res, s.g
	searched := !s.depthCut && int(s.head) >= g.n && (res.Stopped == "" || res.Stopped == StopMaxDepth)
	for _, o := range s.obs {
		o.done(g.n)
	}
	res.Complete = searched
	if searched {
		res.Stopped = ""
	}
	if searched && res.Err == nil {
		s.analyse()
	}
	s.stats()
	for i, pr := range s.p.Props {
		r := PropResult{Prop: pr, Verdict: Holds}
		if !searched || slices.Contains(s.unknown, i) {
			r.Verdict, r.Why = Unknown, s.why[i]
		}
		if v := s.found[i]; v != nil {
			r.Verdict = Violated
			if pr.Witness {
				r.Verdict = Witnessed
			}
			tr, err := buildTrace(s.p, g, v, i, s.sym)
			if err != nil {
				res.Err = err // (the trace could not be rebuilt: no trace)
			} else {
				tr.Prop = pr
				r.Trace = tr
			}
		}
		res.Props = append(res.Props, r)
	}
	if s.lo != nil && res.Err == nil {
		res.Err = s.lo.finish(res, g, s.sym)
	}
	if s.opts.KeepGraph {
		res.Graph = &Graph{g}
	}
	return res
}

// analyse runs the whole-graph properties' analyses (stranded work,
// liveness), each told to stop by the search's halt or the memory bound.
// They run on the workers at once; those the memory bound stopped there
// run again one at a time, each with the memory the others held given
// back, and only one stopped alone leaves its property unknown for the
// bound. When one is stopped, the search's result is marked stopped in
// the analyses (stoppedIn).
func (s *search) analyse() {
	if len(s.checks) == 0 {
		return
	}
	t0 := time.Now()
	if s.opts.Progress != nil {
		st := s.progressStats()
		st.Analysing = true
		s.opts.Progress(st)
	}
	out := make([]analysis, len(s.checks))
	s.g.edges.index() // what the analyses read concurrently is built first
	// the analyses are independent: run them on the workers, record in order
	var next atomic.Int32
	var wg sync.WaitGroup
	workers := min(s.res.Stats.Workers, len(s.checks))
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := int(next.Add(1)) - 1; k < len(s.checks); k = int(next.Add(1)) - 1 {
				out[k] = s.analyseOne(k)
			}
		}()
	}
	wg.Wait()
	for k := range out {
		if out[k].memStop && workers > 1 && s.halt.why() == "" {
			debug.FreeOSMemory() // what the others held
			out[k] = s.analyseOne(k)
		}
		if out[k].memStop {
			s.halt.set(StopMaxMemory)
		}
	}
	for k, o := range out {
		s.recordFinding(k, o.f, o.failed, o.a)
	}
	if slices.ContainsFunc(out, func(o analysis) bool { return o.f.Stopped }) {
		s.stoppedIn()
	}
	s.res.Stats.AnalysisElapsed = time.Since(t0)
}

// analysis is what the analysis of a whole-graph check found.
type analysis struct {
	f       invariants.Finding
	failed  bool
	a       int  // the check's items' slot among the permuted arrays, or -1
	memStop bool // stopped by the memory bound (not by the halt)
}

// analyseOne runs the analysis of whole-graph check k, stopped by the
// search's halt (a signal, the deadline) or by the memory bound. The
// analyses size their largest arrays before they fill them, so the bound
// is read as the memory held now, at each poll: an analysis stops at the
// first poll at which the process, garbage collected, holds more than 95%
// of the bound, having gone past it by at most what it allocated since
// the last poll (a product graph, sized at once).
func (s *search) analyseOne(k int) analysis {
	c, a := s.checks[k], -1
	if s.sym != nil {
		a = s.sym.ArrayIndex(c.Items())
	}
	mem := false
	stop := func() bool { // polled by the analysis's own goroutine only
		if mem || s.halt.stopped() {
			return true // invariants.Stop: once stop, always stop
		}
		mem = s.guard != nil && s.guard.full(0)
		return mem
	}
	f, failed := c.Analyze(checkGraph{s.g, a >= 0 && a == s.g.edges.permItems, s.sym}, stop)
	return analysis{f, failed, a, mem && f.Stopped}
}

// stoppedIn marks the result of a search whose whole-graph analyses were
// stopped (a signal, the deadline, the memory bound): not complete,
// Stopped the halt's reason, InAnalyses; the properties the quotient left
// unsure are unknown too (no search of the real graph follows).
func (s *search) stoppedIn() {
	res := s.res
	res.Complete, res.Stopped, res.InAnalyses = false, s.halt.why(), true
	for _, pr := range res.liveUnsure {
		s.unknown = append(s.unknown, slices.Index(s.p.Props, pr))
	}
	res.liveUnsure = nil
}

// recordFinding records what the analysis of whole-graph check k found.
func (s *search) recordFinding(k int, f invariants.Finding, failed bool, a int) {
	switch {
	case !failed:
	case f.Unknown, f.Stopped:
		s.unknown = append(s.unknown, s.cprops[k])
		if f.Unknown && f.Msg != "" {
			if s.why == nil {
				s.why = map[int]string{}
			}
			s.why[s.cprops[k]] = f.Msg
		}
	case f.Unsure:
		s.res.liveUnsure = append(s.res.liveUnsure, s.p.Props[s.cprops[k]])
	default:
		v := &violation{state: int32(f.State), msg: f.Msg}
		if f.Lasso != nil {
			v.finding = &f
		}
		if a >= 0 {
			v.items, v.check = f.Items, s.checks[k]
		}
		s.violated(s.cprops[k], v)
	}
}

// stats fills Result.Stats.
func (s *search) stats() {
	g, stats := s.g, &s.res.Stats
	stats.States = g.n
	stats.Queue = max(g.n-int(s.head), 0)
	stats.Depth = g.rec.depth(int32(g.n - 1))
	stats.Elapsed = time.Since(s.start)
	var memStats runtime.MemStats
	runtime.ReadMemStats(&memStats)
	stats.HeapBytes = memStats.HeapAlloc
	stats.VisitedBytes = g.set.bytes() + g.rec.bytes()
	if g.exact != nil {
		stats.VisitedBytes -= g.exact.arena.bytes()
		stats.VectorBytes = g.exact.arena.bytes()
	} else {
		stats.VectorBytes = s.frontPeak
		n := float64(g.n)
		stats.CollisionProb = n * (n - 1) / 2 / (1 << 64)
	}
	if g.edges != nil {
		stats.GraphBytes = g.edges.bytes()
	}
	for _, c := range s.checks {
		stats.GraphBytes += c.Bytes()
	}
	for _, x := range s.xs {
		if x.por != nil {
			stats.PORReduced += x.por.reduced
			stats.PORFull += x.por.full
		}
	}
}
