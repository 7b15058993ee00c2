package explorer

import (
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// searchGCPercent is the collector's target (GOGC) while a search runs. The
// search's large arrays (fingerprints, edges, parent records, the liveness
// products) hold no pointers, so a collection costs little beyond the
// small live heap it scans, while the default target (100) lets the heap
// reach twice the live size between collections. Measured on upstream
// per-cpu, 4 workers (1 busy), 2 items, check --all: peak RSS 970 MB at
// GOGC=100, 689 MB at 25, the same CPU time.
const searchGCPercent = 25

// gcTune sets searchGCPercent while at least one search runs (searches
// may run concurrently, e.g. in wqcheck explore) and restores the
// previous target when the last one ends.
var gcTune struct {
	sync.Mutex
	n, prev int
}

// tuneGC lowers the collector's target for a search; call the returned
// func when the search ends. A GOGC set in the environment is left alone.
func tuneGC() (undo func()) {
	gcTune.Lock()
	defer gcTune.Unlock()
	if gcTune.n == 0 {
		gcTune.prev = debug.SetGCPercent(searchGCPercent)
		if gcTune.prev != 100 { // GOGC was set: the user's choice
			debug.SetGCPercent(gcTune.prev)
		}
	}
	gcTune.n++
	return func() {
		gcTune.Lock()
		defer gcTune.Unlock()
		if gcTune.n--; gcTune.n == 0 {
			debug.SetGCPercent(gcTune.prev)
		}
	}
}

// The memory bound (Options.MaxMemory) bounds what the process holds, not
// only the live Go heap: the search stops between batches when the memory
// the Go runtime has mapped and not returned to the system (heap, garbage
// not yet collected, stacks, runtime metadata: about the resident set),
// plus the large allocations the next batch may make (the visited set's
// next table, the edge arrays' next doubling) and a margin for the batch's
// own buffers, would pass the bound. While the search runs, the runtime's
// soft memory limit is set to the bound too, so the collector runs (and
// returns freed memory to the system) before the process grows past it,
// instead of letting the heap double between collections.

// memMargin is the share of the bound kept free for a batch's transient
// allocations (successor buffers, appends that double, collector lag).
const memMargin = 0.05

type memGuard struct {
	limit uint64
	prev  int64 // the runtime's memory limit before the search
}

func newMemGuard(limit uint64) *memGuard {
	m := &memGuard{limit: limit}
	m.prev = debug.SetMemoryLimit(int64(limit))
	return m
}

// release restores the runtime's memory limit.
func (m *memGuard) release() { debug.SetMemoryLimit(m.prev) }

// held is the memory the runtime holds from the system. It is safe for
// concurrent use (the analyses poll it from several goroutines): each
// call reads the runtime's metrics into samples of its own.
func (m *memGuard) held() uint64 {
	samples := []metrics.Sample{
		{Name: "/memory/classes/total:bytes"},
		{Name: "/memory/classes/heap/released:bytes"},
	}
	metrics.Read(samples)
	return samples[0].Value.Uint64() - samples[1].Value.Uint64()
}

// full reports whether the next batch, which may allocate next bytes in
// large blocks, could take the process past the bound; full(0), whether
// the process is past it now (the analyses' test). It collects garbage
// (and returns it to the system) before it says yes.
func (m *memGuard) full(next uint64) bool {
	budget := uint64(float64(m.limit) * (1 - memMargin))
	if m.held()+next <= budget {
		return false
	}
	debug.FreeOSMemory()
	return m.held()+next > budget
}

// nextAllocs is the size of the large blocks the next batch may allocate:
// the visited set's next table, when it may grow within the batch, and the
// edge arrays' next capacity, when they may. expect is the number of new
// states and edges the batch may add (twice the last batch's).
func (g *graph) nextAllocs(expectStates, expectEdges int) uint64 {
	n := g.set.growBytes(expectStates)
	if g.front != nil {
		n += uint64(expectStates * g.words * 8) // the new states' vectors
	}
	if e := g.edges; e != nil {
		grow := func(length, capacity, elem int) uint64 {
			if capacity-length < expectEdges {
				return uint64(2*capacity*elem) + uint64(expectEdges*elem)
			}
			return 0
		}
		n += grow(len(e.to), cap(e.to), 4)
		if e.perm != nil {
			n += grow(len(e.perm), cap(e.perm), 2)
		}
		n += grow(len(e.thread), cap(e.thread), 2)
	}
	return n
}

// growBytes is the size of the shards fpSet allocates if adding k states
// (spread evenly over the shards, with slack) makes them grow, else 0.
func (t *fpSet) growBytes(k int) uint64 {
	per := uint64(8)
	if t.withIDs {
		per += 4
	}
	if n := len(t.shards); n > 1 {
		k = k/n + k/(4*n) + 1
	}
	var n uint64
	for i := range t.shards {
		sh := &t.shards[i]
		if float64(sh.n+k) <= fpMaxLoad*float64(sh.size) {
			continue
		}
		size := sh.size + sh.size/4
		if sh.size < 1<<16>>sh.shift {
			size = sh.size * 2
		}
		n += uint64(size+fpPad(size)) * per
	}
	return n
}

// growBytes is what the exact table allocates if adding k states makes its
// slots or hash array grow, plus the arena chunks the states take.
func (t *stateTable) growBytes(k int) uint64 {
	var n uint64
	if uint64(t.n+k)*4 > uint64(len(t.slots))*3 {
		n += uint64(len(t.slots)) * 2 * 4
	}
	if cap(t.hashes)-len(t.hashes) < k {
		n += uint64(cap(t.hashes)) * 2 * 8
	}
	return n + uint64(k*t.arena.words*8)
}
