package explorer

import "time"

// An observer follows a search for one optional feature, as stateright's
// visitors do: keeping the graph's edges (edgeSet), reporting progress.
// The search calls its methods from its serial phases, so an observer sees
// states and transitions in the order of a one-thread breadth-first search
// whatever the number of workers.
type observer interface {
	// between is called between batches.
	between(s *search)
	// step is called in phase 4 (record) for each transition from src
	// that raised events, with them.
	step(src int32, f *found, events []stepEvent)
	// violated is called for every violation recorded, first or not.
	violated(prop int, v *violation)
	// cut is called when the search stops before expanding src: forget
	// what src and the sources after it added.
	cut(src int32)
	// done is called once after the search, which found n states.
	done(n int)
}

// An insertObserver also follows phase 2 (insert), in the order of a
// one-thread search. The graph's edges (edgeSet) are the one in use, and
// the parallel insert (insert.go) fills them itself: any other
// insertObserver makes the search insert serially.
type insertObserver interface {
	observer
	// source is called before src's successors.
	source(src int32)
	// edge is called for each transition from src that leads to a state
	// (to is its id, or -1 in a visited set that keeps none); c is the
	// chunk f came in.
	edge(src, to int32, f *found, c *chunk)
}

// noObserver ignores everything; observers embed it and override what they
// follow.
type noObserver struct{}

func (noObserver) between(*search)                 {}
func (noObserver) step(int32, *found, []stepEvent) {}
func (noObserver) violated(int, *violation)        {}
func (noObserver) cut(int32)                       {}
func (noObserver) done(int)                        {}

// progress calls Options.Progress about once a second.
type progress struct {
	noObserver
	f    func(Stats)
	last time.Time
}

func (p *progress) between(s *search) {
	if time.Since(p.last) <= time.Second {
		return
	}
	p.last = time.Now()
	p.f(s.progressStats())
}

// progressStats is the statistics a Progress report gives: the result's,
// with the counts so far.
func (s *search) progressStats() Stats {
	st := &s.res.Stats
	st.States, st.Queue, st.Elapsed, st.Depth = s.g.n, s.g.n-int(s.head), time.Since(s.start), len(s.g.rec.levels)-1
	return *st
}
