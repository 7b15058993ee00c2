package explorer

import "wqcheck/model"

// stateTable is the visited set: every distinct state vector, stored once in
// a chunked arena (so growing it never copies old states), and found again
// through an open-addressing hash table of state ids. Ids are dense and
// assigned in insertion order, which in a breadth-first search is BFS order.
type stateTable struct {
	words  int
	chunks [][]uint64
	n      int
	hashes []uint64 // per id, to resize without rehashing states and to reject most mismatches early
	slots  []int32  // id+1, or 0 for an empty slot
	mask   uint64
}

const chunkStates = 1 << 14

func newStateTable(words int) *stateTable {
	t := &stateTable{words: words}
	t.slots = make([]int32, 1<<12)
	t.mask = uint64(len(t.slots) - 1)
	return t
}

// Hash is the fixed state hash: each 64-bit word is folded in with a
// multiply and xor-shift (the mixing step of splitmix64), so the same state
// hashes the same way on every run and machine.
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

func (t *stateTable) state(id int) model.State {
	c := t.chunks[id/chunkStates]
	o := (id % chunkStates) * t.words
	return model.State(c[o : o+t.words : o+t.words])
}

func (t *stateTable) equal(id int, s model.State) bool {
	st := t.state(id)
	for i, w := range s {
		if st[i] != w {
			return false
		}
	}
	return true
}

// add returns the id of s and whether it was new. s is copied.
func (t *stateTable) add(s model.State) (int32, bool) {
	h := Hash(s)
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		slot := t.slots[i]
		if slot == 0 {
			id := t.n
			if id%chunkStates == 0 {
				t.chunks = append(t.chunks, make([]uint64, chunkStates*t.words))
			}
			copy(t.state(id), s)
			t.hashes = append(t.hashes, h)
			t.n++
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
	return uint64(len(t.chunks)*chunkStates*t.words*8 + len(t.hashes)*8 + len(t.slots)*4)
}

// find returns the id of s, if it is in the table.
func (t *stateTable) find(s model.State) (int, bool) {
	h := Hash(s)
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		slot := t.slots[i]
		if slot == 0 {
			return 0, false
		}
		id := int(slot - 1)
		if t.hashes[id] == h && t.equal(id, s) {
			return id, true
		}
	}
}
