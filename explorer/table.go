package explorer

import (
	"math/bits"
	"slices"

	"wqcheck/model"
)

// The visited set comes in two kinds, chosen by Options.Exact:
//
//   - exact (stateTable): every distinct state vector is kept, so a state is
//     found again by comparing whole vectors. No state is ever confused with
//     another; it costs the vector (104-136 bytes for the workqueue model)
//     plus about 10 bytes of index per state. Drawing the state graph needs
//     it (it reads states by id).
//   - fingerprints (fpSet): only a 64-bit fingerprint of each state is kept,
//     in a sorted open-addressing array at 75-90% load, so about 10 bytes
//     per state. Two distinct states with the same fingerprint would be
//     taken for one, and the second's successors never explored; Stats
//     reports the probability of that (Stats.CollisionProb). The vectors of
//     the states still to expand (the frontier) are kept in an arena whose
//     expanded part is freed as the search goes.
//
// Both are filled by one goroutine while no one reads, and read (lookup) by
// many while no one writes: the explorer's phases alternate.
type visitedSet interface {
	// lookup returns the id of a state with hash h, if present.
	lookup(s model.State, h uint64) (int32, bool)
	// insert adds s with the given id unless a state equal to it (or, for
	// fingerprints, with its fingerprint) is present; it returns the id of
	// the state in the set and whether s was added.
	insert(s model.State, h uint64, id int32) (int32, bool)
	// bytes is the memory the set itself holds.
	bytes() uint64
	// growBytes is what the set allocates if k more states make it grow.
	growBytes(k int) uint64
}

// Hash is the fixed state hash, which is also the fingerprint: each 64-bit
// word is folded in with a multiply and xor-shift (the mixing step of
// splitmix64), so the same state hashes the same way on every run and
// machine, and state counts in fingerprint mode are reproducible.
func Hash(s model.State) uint64 {
	h := uint64(0x9E3779B97F4A7C15) ^ uint64(len(s))
	for _, w := range s {
		h ^= w
		h *= 0xBF58476D1CE4E5B9
		h ^= h >> 31
		h *= 0x94D049BB133111EB
		h ^= h >> 29
	}
	return h
}

// arena holds state vectors by id in fixed-size chunks, so that growing it
// never copies old states and the chunks of expanded states can be freed.
type arena struct {
	words  int
	chunks [][]uint64
	n      int
	freed  int        // chunks[:freed] have been released
	spare  [][]uint64 // released full-size chunks, reused before allocating (at most maxSpare)
}

const maxSpare = 2

// newChunk returns an empty chunk for n states, a spare one if it can.
func (a *arena) newChunk(n int) []uint64 {
	if k := len(a.spare); k > 0 && n == chunkStates {
		c := a.spare[k-1]
		a.spare = a.spare[:k-1]
		return c[:0]
	}
	return make([]uint64, 0, n*a.words)
}

const chunkStates = 1 << 14

func (a *arena) push(s model.State) {
	c := a.n / chunkStates
	if c == len(a.chunks) {
		n := chunkStates
		if c == 0 {
			n = 64 // the first chunk starts small and grows, for small models
		}
		a.chunks = append(a.chunks, a.newChunk(n))
	}
	a.chunks[c] = append(a.chunks[c], s...)
	a.n++
}

// reserve makes room for the states up to n (exclusive), which set then
// fills, each from one goroutine.
func (a *arena) reserve(n int) {
	for a.n < n {
		c := a.n / chunkStates
		if c == len(a.chunks) {
			a.chunks = append(a.chunks, a.newChunk(chunkStates))
		}
		k := (min(n, (c+1)*chunkStates) - a.n) * a.words
		a.chunks[c] = slices.Grow(a.chunks[c], k)[:len(a.chunks[c])+k]
		a.n += k / a.words
	}
}

func (a *arena) set(id int, s []uint64) { copy(a.get(id), s) }

func (a *arena) get(id int) model.State {
	c := a.chunks[id/chunkStates]
	o := (id % chunkStates) * a.words
	return model.State(c[o : o+a.words : o+a.words])
}

// release frees the chunks that hold only states below id.
func (a *arena) release(id int) {
	for ; a.freed < id/chunkStates; a.freed++ {
		if c := a.chunks[a.freed]; cap(c) == chunkStates*a.words && len(a.spare) < maxSpare {
			a.spare = append(a.spare, c)
		}
		a.chunks[a.freed] = nil
	}
}

// bytes is the memory of the chunks still held.
func (a *arena) bytes() uint64 {
	var n uint64
	for _, c := range a.chunks[a.freed:] {
		n += uint64(cap(c)) * 8
	}
	for _, c := range a.spare {
		n += uint64(cap(c)) * 8
	}
	return n
}

// stateTable is the exact visited set: the state vectors in an arena (ids
// are arena positions, assigned in insertion order, which in a breadth-first
// search is BFS order), found again through an open-addressing table of ids.
type stateTable struct {
	arena
	hashes []uint64 // per id, to resize without rehashing states and to reject most mismatches early
	slots  []int32  // id+1, or 0 for an empty slot
	mask   uint64
}

func newStateTable(words int) *stateTable {
	t := &stateTable{arena: arena{words: words}}
	t.slots = make([]int32, 1<<6)
	t.mask = uint64(len(t.slots) - 1)
	return t
}

func (t *stateTable) state(id int) model.State { return t.get(id) }

func (t *stateTable) equal(id int, s model.State) bool {
	st := t.get(id)
	for i, w := range s {
		if st[i] != w {
			return false
		}
	}
	return true
}

// add returns the id of s and whether it was new. s is copied.
func (t *stateTable) add(s model.State) (int32, bool) {
	return t.insert(s, Hash(s), int32(t.n))
}

func (t *stateTable) insert(s model.State, h uint64, _ int32) (int32, bool) {
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		slot := t.slots[i]
		if slot == 0 {
			id := t.n
			t.push(s)
			t.hashes = append(t.hashes, h)
			t.slots[i] = int32(id + 1)
			if uint64(t.n)*4 > uint64(len(t.slots))*3 {
				t.grow()
			}
			return int32(id), true
		}
		id := int(slot - 1)
		if t.hashes[id] == h && t.equal(id, s) {
			return int32(id), false
		}
	}
}

func (t *stateTable) grow() {
	slots := make([]int32, len(t.slots)*2)
	mask := uint64(len(slots) - 1)
	for id, h := range t.hashes {
		i := h & mask
		for slots[i] != 0 {
			i = (i + 1) & mask
		}
		slots[i] = int32(id + 1)
	}
	t.slots, t.mask = slots, mask
}

// bytes is the memory the table holds.
func (t *stateTable) bytes() uint64 {
	return t.arena.bytes() + uint64(len(t.hashes)*8+len(t.slots)*4)
}

func (t *stateTable) lookup(s model.State, h uint64) (int32, bool) {
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		slot := t.slots[i]
		if slot == 0 {
			return 0, false
		}
		id := int(slot - 1)
		if t.hashes[id] == h && t.equal(id, s) {
			return int32(id), true
		}
	}
}

// find returns the id of s, if it is in the table.
func (t *stateTable) find(s model.State) (int, bool) {
	id, ok := t.lookup(s, Hash(s))
	return int(id), ok
}

// fpSet is the fingerprint visited set. It starts as one shard and, once it
// holds fpSplitAt fingerprints, is split into fpShards shards by the
// fingerprint's top fpShardBits bits, so that the insert phase can fill
// different shards on different goroutines at once, each shard taking its
// fingerprints in the order of a one-thread search (see insert.go). The
// split happens between batches at the same point whatever the number of
// workers, so the set's layout (and what it costs) does not depend on it.
//
// A shard keeps its fingerprints in one array of slots (0 marks an empty
// slot, so a fingerprint of 0 is stored as 1) with linear probing, where a
// fingerprint's home slot is key*size/2^64, key being the fingerprint
// without its shard bits: home is monotonic in the fingerprint, so keeping
// every probe run sorted (Robin Hood ordering) keeps the whole array
// sorted. That gives three things: a lookup stops at the first larger
// fingerprint, the shard can run at 90% load with short probes, and growing
// it is one sequential merge pass, so it can grow in small (25%) steps and
// stay between 72% and 90% full: 8.9 to 11.1 bytes per state. ids, kept
// only when the caller needs the id of a state found again (the
// stranded-work analysis records edges), parallel the slots.
type fpSet struct {
	shards  []fpShard
	bits    uint8 // 0 (one shard) or fpShardBits
	withIDs bool
}

type fpShard struct {
	slots []uint64
	ids   []int32 // nil, or the id of each slot's state
	size  uint64  // the home range: slots beyond it are overflow
	n     int
	shift uint8 // the set's shard bits: a fingerprint's key is fp<<shift
	// pad the shards apart, so that goroutines filling neighbouring
	// shards do not share a cache line
	_ [24]byte
}

const (
	fpMaxLoad   = 0.9
	fpShardBits = 6
	fpShards    = 1 << fpShardBits
	fpMinSize   = 64
	fpSplitAt   = 1 << 16
)

// fpPad is the number of overflow slots past a home range of size slots.
func fpPad(size uint64) uint64 { return 64 + size/64 }

func newFPSet(withIDs bool) *fpSet {
	t := &fpSet{withIDs: withIDs, shards: make([]fpShard, 1)}
	t.shards[0].init(fpMinSize, 0, withIDs)
	return t
}

func (t *fpShard) init(size uint64, shift uint8, withIDs bool) {
	t.size, t.shift = size, shift
	t.slots = make([]uint64, size+fpPad(size))
	if withIDs {
		t.ids = make([]int32, len(t.slots))
	}
}

// split turns a set of one shard holding at least fpSplitAt fingerprints
// into fpShards shards, each sized for what it holds; it reports whether
// the set is split.
func (t *fpSet) split() bool {
	if t.bits != 0 {
		return true
	}
	if t.shards[0].n < fpSplitAt {
		return false
	}
	t.splitNow()
	return true
}

// splitNow splits a set of one shard, whatever it holds.
func (t *fpSet) splitNow() {
	old := t.shards[0]
	var counts [fpShards]int
	for _, fp := range old.slots {
		if fp != 0 {
			counts[fp>>(64-fpShardBits)]++
		}
	}
	t.bits, t.shards = fpShardBits, make([]fpShard, fpShards)
	var next [fpShards]uint64
	for k := range t.shards {
		// loads staggered from 90% down to 72%, so the shards grow at
		// different times and the set as a whole stays about 81% full
		load := fpMaxLoad - 0.18*(float64(k)+0.5)/fpShards
		t.shards[k].init(max(fpMinSize, uint64(float64(counts[k])/load)), fpShardBits, t.withIDs)
		t.shards[k].n = counts[k]
	}
	for i, fp := range old.slots {
		if fp == 0 {
			continue
		}
		k := fp >> (64 - fpShardBits)
		var id int32
		if old.ids != nil {
			id = old.ids[i]
		}
		next[k] = t.shards[k].place(fp, id, next[k])
	}
}

// place puts fp, larger than every fingerprint placed so far, at its home
// or just after the last one (at next); it returns the slot after it.
func (t *fpShard) place(fp uint64, id int32, next uint64) uint64 {
	j := max(t.home(fp), next)
	for j >= uint64(len(t.slots))-1 {
		t.slots = append(t.slots, 0)
		if t.ids != nil {
			t.ids = append(t.ids, 0)
		}
	}
	t.slots[j] = fp
	if t.ids != nil {
		t.ids[j] = id
	}
	return j + 1
}

func fingerprint(h uint64) uint64 {
	if h == 0 {
		return 1
	}
	return h
}

// shardOf is the index of a fingerprint's shard (a shift by 64 is 0).
func (t *fpSet) shardOf(fp uint64) int { return int(fp >> (64 - t.bits)) }

func (t *fpSet) lookup(_ model.State, h uint64) (int32, bool) {
	fp := fingerprint(h)
	return t.shards[t.shardOf(fp)].lookup(fp)
}

func (t *fpSet) insert(_ model.State, h uint64, id int32) (int32, bool) {
	fp := fingerprint(h)
	id, isNew, _ := t.shards[t.shardOf(fp)].insert(fp, id)
	return id, isNew
}

// count is the number of fingerprints held.
func (t *fpSet) count() int {
	n := 0
	for k := range t.shards {
		n += t.shards[k].n
	}
	return n
}

func (t *fpSet) bytes() uint64 {
	var n uint64
	for k := range t.shards {
		n += uint64(len(t.shards[k].slots)*8 + len(t.shards[k].ids)*4)
	}
	return n
}

// touch reads the home slot of hash h (and its id), for a lookup soon
// after to find in the cache (lookupAll); the value means nothing.
func (t *fpSet) touch(h uint64) uint64 {
	fp := fingerprint(h)
	sh := &t.shards[t.shardOf(fp)]
	i := sh.home(fp)
	v := sh.slots[i]
	if sh.ids != nil {
		v ^= uint64(sh.ids[i])
	}
	return v
}

func (t *fpShard) home(fp uint64) uint64 {
	hi, _ := bits.Mul64(fp<<t.shift, t.size)
	return hi
}

// find returns the slot of fp, or of the first larger fingerprint or
// empty slot.
func (t *fpShard) find(fp uint64) uint64 {
	i := t.home(fp)
	for t.slots[i] != 0 && t.slots[i] < fp {
		i++
	}
	return i
}

func (t *fpShard) lookup(fp uint64) (int32, bool) {
	i := t.find(fp)
	if t.slots[i] != fp {
		return 0, false
	}
	if t.ids == nil {
		return -1, true
	}
	return t.ids[i], true
}

// insert adds fp with the given id unless it is present; it returns the id
// in the set (-1 without ids), whether fp was added, and its slot (valid
// until the next insert into the shard).
func (t *fpShard) insert(fp uint64, id int32) (int32, bool, uint64) {
	if float64(t.n+1) > fpMaxLoad*float64(t.size) {
		t.grow()
	}
	for {
		i := t.find(fp)
		if t.slots[i] == fp {
			if t.ids == nil {
				return -1, false, i
			}
			return t.ids[i], false, i
		}
		// shift the rest of the run one slot right, into its first gap
		j := i
		for t.slots[j] != 0 {
			j++
		}
		if j == uint64(len(t.slots))-1 {
			// the run reached the last slot, which stays empty so that
			// every probe ends inside the array
			t.grow()
			continue
		}
		copy(t.slots[i+1:j+1], t.slots[i:j])
		t.slots[i] = fp
		if t.ids != nil {
			copy(t.ids[i+1:j+1], t.ids[i:j])
			t.ids[i] = id
		}
		t.n++
		return id, true, i
	}
}

// grow enlarges the home range by a quarter and re-places every
// fingerprint, in order, at its new home or just after the previous one.
func (t *fpShard) grow() {
	size := t.size + t.size/4
	if t.size < 1<<16>>t.shift { // (per shard, when split)
		size = t.size * 2 // small shards: fewer passes
	}
	nt := fpShard{n: t.n}
	nt.init(size, t.shift, t.ids != nil)
	next := uint64(0)
	for i, fp := range t.slots {
		if fp == 0 {
			continue
		}
		var id int32
		if t.ids != nil {
			id = t.ids[i]
		}
		next = nt.place(fp, id, next)
	}
	*t = nt
}
