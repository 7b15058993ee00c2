package web

import (
	"sync"

	"wqcheck/explorer"
	"wqcheck/model"
)

// A run's status.
const (
	statusQueued  = "queued"
	statusRunning = "running"
	statusDone    = "done"
	statusError   = "error"
)

// run is one variant with one set of parameters: its program, its verdict
// search and, once asked for, the search that numbers its states.
type run struct {
	variant, label string
	set            map[string]string
	prog           *model.Program

	mu     sync.Mutex
	status string
	stats  explorer.Stats // progress, then the final figures
	res    *explorer.Result
	err    error
	index  *index
}

// search runs the verdict search, keeping its progress for the page.
func (r *run) search(opts explorer.Options, stop <-chan struct{}) {
	r.mu.Lock()
	if r.status != statusQueued {
		r.mu.Unlock()
		return
	}
	r.status = statusRunning
	r.mu.Unlock()
	opts.Stop = stop
	opts.Progress = func(st explorer.Stats) {
		r.mu.Lock()
		r.stats = st
		r.mu.Unlock()
	}
	res := explorer.Explore(r.prog, opts)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.res, r.stats, r.status = res, res.Stats, statusDone
	if res.Err != nil {
		r.status, r.err = statusError, res.Err
	}
}

// snapshot returns the run's status, figures and result under its lock.
func (r *run) snapshot() (string, explorer.Stats, *explorer.Result, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.status, r.stats, r.res, r.err
}

// index is the search that numbers the states in BFS order and keeps the
// graph (explorer.Options.KeepGraph: exact states, no symmetry), for
// jumping to a state by id and shortest paths. It runs only when the page
// asks for an id: on a large model it costs what `wqcheck graph` does.
type index struct {
	mu     sync.Mutex
	done   bool
	stats  explorer.Stats
	res    *explorer.Result
	graph  *explorer.Graph
	status string
}

// indexOf starts the run's index search the first time it is asked for.
func (r *run) indexOf(opts explorer.Options, stop <-chan struct{}) *index {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.index != nil {
		return r.index
	}
	ix := &index{status: statusRunning}
	r.index = ix
	go func() {
		o := explorer.Options{All: true, KeepGraph: true, MaxStates: opts.MaxStates, MaxDepth: opts.MaxDepth,
			MaxMemory: opts.MaxMemory, Workers: opts.Workers, Stop: stop}
		o.Progress = func(st explorer.Stats) {
			ix.mu.Lock()
			ix.stats = st
			ix.mu.Unlock()
		}
		res := explorer.Explore(r.prog, o)
		ix.mu.Lock()
		defer ix.mu.Unlock()
		ix.res, ix.graph, ix.stats, ix.done, ix.status = res, res.Graph, res.Stats, true, statusDone
		if res.Err != nil || res.Graph == nil {
			ix.status = statusError
		}
	}()
	return ix
}

// snapshot returns the index's graph (nil until done) and its figures.
func (ix *index) snapshot() (*explorer.Graph, *explorer.Result, explorer.Stats, string) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	return ix.graph, ix.res, ix.stats, ix.status
}
