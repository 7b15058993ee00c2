package explorer

import (
	"slices"
	"sync/atomic"
	"time"
)

// Phase 2 on the workers, in fingerprint mode. It gives exactly what the
// one-goroutine insert (search.insertSource) gives: the same ids (the order
// in which a one-thread search first meets each new state), parent records
// and edges. Five steps, each on the workers but the fourth:
//
//  1. bucket (per chunk): the chunk's candidates (successors the visited
//     set did not hold when the batch began) by fingerprint shard, in
//     successor order.
//  2. shards (per shard): insert the shard's candidates, chunk after
//     chunk, so in the one-thread order: the first occurrence of a
//     fingerprint in the batch adds it and stays foundNew (an owner); a
//     later one becomes foundDup, pointing at its owner (through the id
//     slot, which holds -2 - the owner's position until step 4).
//  3. count (per chunk): owners, edges and renaming edges.
//  4. prefix sums over the chunks (one goroutine, one step per chunk):
//     the id of each chunk's first new state, its first edge; then room
//     for the new states' vectors, steps and edges (an array per worker).
//  5. number (per chunk): ids to the owners in successor order, their
//     vectors, steps and set ids; then (per chunk, once every owner has its
//     id) the edges, a duplicate taking its owner's id.
//
// The parent records' per-source counts and levels are written last, on
// one goroutine, a few operations per expanded state. A batch that may
// reach Options.MaxStates, or a search with an observer of phase 2 other
// than the edges, is inserted serially: where the bound stops matters.
type chunkIns struct {
	byShard [fpShards][]int32 // indexes into chunk.succs of the candidates, per shard
	cands   int               // candidates
	owners  int32             // new states: the first occurrence of their fingerprint in the batch
	first   int32             // the id of the chunk's first new state
	edges   int               // transitions that lead to a state (not foundErr)
	e0      int               // the index of the chunk's first edge
	moved   int               // edges to a permuted representative (symmetry)
	lastMv  int               // the last of them: its index among the chunk's edges, or -1
	lastErr int32             // the last source with a step that raises an error, or -1
	m0      int               // the index of the chunk's first moved edge
	big     []int32           // pairs (id, step) of steps >= 255, for records.stepBig
}

// foundDup: a candidate whose fingerprint an earlier successor of the
// batch added (phase 2 on the workers; serially a candidate found again
// gets its id straight away).
const foundDup = foundErr + 1

// A candidate's position in the batch, for its duplicates: chunk index
// and successor index within the chunk.
const posBits = 24

// insertParallel is phase 2 on the workers. It returns false, having
// changed nothing, when the batch must be inserted serially.
func (s *search) insertParallel() bool {
	set, ok := s.g.set.(*fpSet)
	if !ok || set.bits == 0 || len(s.xs) < 2 {
		return false
	}
	for _, o := range s.insObs {
		if o != observer(s.g.edges) {
			return false
		}
	}
	cs := s.chunks[:s.nchunks]
	for len(s.ins) < len(cs) {
		s.ins = append(s.ins, &chunkIns{})
	}
	ins := s.ins[:len(cs)]
	parallel(s.xs, len(cs), func(_ *expander, i int) { ins[i].bucket(set, cs[i]) })
	total := 0
	for i, in := range ins {
		total += in.cands
		if len(cs[i].succs) >= 1<<posBits {
			return false
		}
	}
	if s.opts.MaxStates > 0 && s.g.n+total >= s.opts.MaxStates {
		return false
	}
	parallel(s.xs, fpShards, func(_ *expander, k int) { s.insertShard(&set.shards[k], ins, k) })
	parallel(s.xs, len(cs), func(_ *expander, i int) { ins[i].count(cs[i]) })
	t := time.Now()
	z := s.prefix(ins)
	serial := time.Since(t)
	s.reserve(z)
	parallel(s.xs, len(cs), func(_ *expander, i int) { s.number(set, cs[i], ins[i]) })
	if e := s.g.edges; e != nil {
		parallel(s.xs, len(cs), func(_ *expander, i int) { e.fill(s, cs[i], ins[i]) })
	}
	t = time.Now()
	s.recordSources(cs, ins, int32(z.n))
	s.res.Stats.SerialElapsed += serial + time.Since(t)
	s.parIns++
	return true
}

// bucket is step 1 for one chunk.
func (in *chunkIns) bucket(set *fpSet, c *chunk) {
	for k := range in.byShard {
		in.byShard[k] = in.byShard[k][:0]
	}
	in.cands = 0
	for i := range c.succs {
		if f := &c.succs[i]; f.kind == foundNew {
			k := set.shardOf(fingerprint(f.h))
			in.byShard[k] = append(in.byShard[k], int32(i))
			in.cands++
		}
	}
}

// insertShard is step 2 for shard k.
func (s *search) insertShard(sh *fpShard, ins []*chunkIns, k int) {
	for ci, in := range ins {
		succs := s.chunks[ci].succs
		for _, i := range in.byShard[k] {
			f := &succs[i]
			id, isNew, _ := sh.insert(fingerprint(f.h), -2-int32(ci<<posBits|int(i)))
			if !isNew {
				f.kind, f.id = foundDup, id
			}
		}
	}
}

// count is step 3 for one chunk.
func (in *chunkIns) count(c *chunk) {
	in.owners, in.edges, in.moved, in.big = 0, 0, 0, in.big[:0]
	in.lastMv, in.lastErr = -1, -1
	si := 0
	for i := range c.srcs {
		for _, f := range c.succs[si : si+int(c.srcs[i].nsucc)] {
			switch f.kind {
			case foundErr:
				in.lastErr = c.lo + int32(i)
				continue
			case foundNew:
				in.owners++
			}
			if f.moved {
				in.moved++
				in.lastMv = in.edges
			}
			in.edges++
		}
		si += int(c.srcs[i].nsucc)
	}
}

// batchSize is what step 4 finds: the batch's end in states, edges and
// renaming edges, and the last edge and source whose bits are set.
type batchSize struct {
	n, edges, moved int
	lastMv, lastErr int
}

// prefix is step 4: it numbers the chunks (one goroutine, one step per
// chunk).
func (s *search) prefix(ins []*chunkIns) batchSize {
	g := s.g
	z := batchSize{n: g.n, lastMv: -1, lastErr: -1}
	if g.edges != nil {
		z.edges, z.moved = len(g.edges.to), len(g.edges.ranks)/max(g.edges.narrays, 1)
	}
	for _, in := range ins {
		in.first, in.e0, in.m0 = int32(z.n), z.edges, z.moved
		if in.lastMv >= 0 {
			z.lastMv = z.edges + in.lastMv
		}
		z.lastErr = max(z.lastErr, int(in.lastErr))
		z.n, z.edges, z.moved = z.n+int(in.owners), z.edges+in.edges, z.moved+in.moved
	}
	return z
}

// reserve makes room for what step 5 writes, and for the check phase's
// per-state arrays: each array grown (allocated and copied, the costliest
// part of a serial insert) by a worker.
func (s *search) reserve(z batchSize) {
	g, e := s.g, s.g.edges
	tasks := []func(){
		func() { s.src = slices.Grow(s.src[:0], z.n-int(s.n0))[:z.n-int(s.n0)] },
		func() { g.rec.step = grown(g.rec.step, z.n) },
		func() { g.front.reserve(z.n) },
	}
	for _, c := range s.checks {
		tasks = append(tasks, func() { c.Grow(z.n) })
	}
	if e != nil {
		tasks = append(tasks,
			func() { e.start = grown(e.start, int(s.last)) },
			func() { e.to = grown(e.to, z.edges) },
			func() { e.thread = grown(e.thread, z.edges) },
			func() { e.ranks = grown(e.ranks, z.moved*e.narrays) },
			func() {
				if e.fair != nil {
					e.fair = grown(e.fair, z.edges)
				}
				if e.perm != nil {
					e.perm = grown(e.perm, z.edges)
				}
				// as the serial insert does: the bit arrays reach the last bit set
				if z.lastMv >= 0 {
					e.moved = grown(e.moved, z.lastMv/64+1)
				}
				if z.lastErr >= 0 {
					e.errs = grown(e.errs, z.lastErr/64+1)
				}
			})
	}
	parallel(s.xs, len(tasks), func(_ *expander, i int) { tasks[i]() })
}

// number is step 5 for one chunk: ids, vectors and steps of its owners.
func (s *search) number(set *fpSet, c *chunk, in *chunkIns) {
	id, si, w := in.first, 0, int32(s.g.words)
	for i := range c.srcs {
		e := &c.srcs[i]
		e.first = id
		for k := range int(e.nsucc) {
			f := &c.succs[si+k]
			if f.kind != foundNew {
				continue
			}
			f.id = id
			s.src[id-s.n0] = c.lo + int32(i)
			s.g.front.set(int(id), c.vecs[f.vec:f.vec+w])
			// the step is its position among all the source's successors
			// (f.k), which partial-order reduction may have thinned out
			if !s.g.rec.setStep(id, int(f.k)) {
				in.big = append(in.big, id, f.k)
			}
			if set.withIDs {
				fp := fingerprint(f.h)
				sh := &set.shards[set.shardOf(fp)]
				sh.ids[sh.find(fp)] = id
			}
			id++
		}
		si += int(e.nsucc)
	}
}

// recordSources writes, in source order, each expanded state's count of
// new states and the first id of each new depth.
func (s *search) recordSources(cs []*chunk, ins []*chunkIns, n int32) {
	r := s.g.rec
	for ci, c := range cs {
		for i := range c.srcs {
			e := &c.srcs[i]
			end := n
			switch {
			case i+1 < len(c.srcs):
				end = c.srcs[i+1].first
			case ci+1 < len(cs):
				end = ins[ci+1].first
			}
			if end > e.first && r.depth(c.lo+int32(i))+1 == len(r.levels) {
				r.levels = append(r.levels, e.first)
			}
			r.expanded(int(end-e.first), e.first)
		}
		for j := 0; j < len(ins[ci].big); j += 2 {
			r.stepBig[ins[ci].big[j]] = ins[ci].big[j+1]
		}
	}
	s.g.n = int(n)
}

// grown returns s with length n (at least its own), zero past its old
// length, growing its capacity as append would.
func grown[T any](s []T, n int) []T {
	if n <= len(s) {
		return s
	}
	l := len(s)
	s = slices.Grow(s, n-l)[:n]
	clear(s[l:])
	return s
}

// fill is step 5's second part for one chunk: its sources' edges.
func (e *edgeSet) fill(s *search, c *chunk, in *chunkIns) {
	ei, mi, si := in.e0, in.m0, 0
	for i := range c.srcs {
		src := int(c.lo) + i
		e.start[src] = int32(ei)
		for _, f := range c.succs[si : si+int(c.srcs[i].nsucc)] {
			if f.kind == foundErr {
				atomic.OrUint64(&e.errs[src/64], 1<<(src%64))
				continue
			}
			to := f.id
			if f.kind == foundDup {
				ref := int(-2 - f.id)
				to = s.chunks[ref>>posBits].succs[ref&(1<<posBits-1)].id
			}
			e.to[ei], e.thread[ei] = to, uint16(f.thread)
			if e.fair != nil {
				e.fair[ei] = f.fair
			}
			if e.perm != nil {
				e.perm[ei] = f.perm
			}
			if f.moved {
				copy(e.ranks[mi*e.narrays:], c.ranks[f.ranks:f.ranks+int32(e.narrays)])
				atomic.OrUint64(&e.moved[ei/64], 1<<(ei%64))
				mi++
			}
			ei++
		}
		si += int(c.srcs[i].nsucc)
	}
}
