package explorer

import "sort"

// records are the compact parent links of a breadth-first search: enough to
// rebuild the path to any state, at about 2 bytes per state.
//
// Breadth-first search expands states in id order and numbers the new states
// each expansion finds consecutively, so a state's parent is the expanded
// state whose run of new children contains its id. Storing, per expanded
// state, how many new states it found (kids) therefore determines every
// parent; a mark every markEvery expanded states (the id of its first
// child) bounds the scan that finds one. Per state, step is which of its
// parent's successors (in Stepper.Successors order) led to it: replaying
// the parent and taking that successor recovers the thread and branch.
// Depths are levels: the first id at each depth.
type records struct {
	kids    []uint8 // per expanded state; 255: see kidsBig
	kidsBig map[int32]int32
	step    []uint8 // per state; 255: see stepBig
	stepBig map[int32]int32
	marks   []int32 // marks[k]: the first child id of expanded state k*markEvery
	levels  []int32 // levels[d]: the first id at depth d
}

const markEvery = 4096

func newRecords() *records {
	return &records{kidsBig: map[int32]int32{}, stepBig: map[int32]int32{}, levels: []int32{0}, step: []uint8{0}}
}

// expanded records that state len(kids) was expanded and found n new
// states, the first of them with id first.
func (r *records) expanded(n int, first int32) {
	id := int32(len(r.kids))
	if id%markEvery == 0 {
		r.marks = append(r.marks, first)
	}
	if n >= 255 {
		r.kidsBig[id] = int32(n)
		n = 255
	}
	r.kids = append(r.kids, uint8(n))
}

// added records the new state id, found as successor k of its parent at
// depth d-1.
func (r *records) added(id int32, k int, d int) {
	if d == len(r.levels) {
		r.levels = append(r.levels, id)
	}
	if k >= 255 {
		r.stepBig[id] = int32(k)
		k = 255
	}
	r.step = append(r.step, uint8(k))
}

// setStep records that the new state id was successor k of its parent,
// step having room for id (the parallel insert makes it, then calls this
// from several goroutines for distinct ids); it returns false when k needs
// stepBig, which the caller then sets.
func (r *records) setStep(id int32, k int) bool {
	if k >= 255 {
		r.step[id] = 255
		return false
	}
	r.step[id] = uint8(k)
	return true
}

// truncate forgets what was recorded from expanded state src and new
// state id on: a search that stops there.
func (r *records) truncate(src, id int32) {
	r.kids = r.kids[:src]
	r.marks = r.marks[:(src+markEvery-1)/markEvery]
	r.step = r.step[:id]
	for len(r.levels) > 1 && r.levels[len(r.levels)-1] >= id {
		r.levels = r.levels[:len(r.levels)-1]
	}
}

func (r *records) nkids(src int32) int32 {
	if n := r.kids[src]; n < 255 {
		return int32(n)
	}
	return r.kidsBig[src]
}

// stepOf returns which successor of its parent state id is.
func (r *records) stepOf(id int32) int {
	if k := r.step[id]; k < 255 {
		return int(k)
	}
	return int(r.stepBig[id])
}

// parent returns the parent of a state other than the initial one.
func (r *records) parent(id int32) int32 {
	k := sort.Search(len(r.marks), func(k int) bool { return r.marks[k] > id }) - 1
	src, first := int32(k*markEvery), r.marks[k]
	for {
		n := r.nkids(src)
		if id < first+n {
			return src
		}
		first += n
		src++
	}
}

// depth returns the depth of a state.
func (r *records) depth(id int32) int {
	return sort.Search(len(r.levels), func(d int) bool { return r.levels[d] > id }) - 1
}

// path returns the ids from the initial state to id, both included.
func (r *records) path(id int32) []int32 {
	p := []int32{id}
	for id > 0 {
		id = r.parent(id)
		p = append(p, id)
	}
	for i, j := 0, len(p)-1; i < j; i, j = i+1, j-1 {
		p[i], p[j] = p[j], p[i]
	}
	return p
}

func (r *records) bytes() uint64 {
	return uint64(len(r.kids) + len(r.step) + 4*len(r.marks) + 4*len(r.levels) + 16*(len(r.kidsBig)+len(r.stepBig)))
}
