package model

// Symmetry reduction.
//
// The objects of an array (workers[], works[]) together with the threads
// bound to them by `for each` are interchangeable when the model never tells
// them apart by position: it reaches them only through references, lists,
// quantifiers and the threads themselves, all of which a permutation of the
// array carries along. A permutation π of such an array (moving each
// object's fields and its thread's block, and renaming every reference,
// list entry, lock owner and task value) is then an automorphism of the
// transition system: π(s) has exactly the successors π(t) of s's successors
// t, and every property (they quantify over arrays) has the same value in s
// and π(s). The explorer may therefore store one representative per orbit,
// Canon(s), and the verdicts and shortest counterexample lengths are those
// of the full search (Emerson and Sistla; Ip and Dill's scalarsets in Murphi).
//
// What tells the objects of array A apart, and so breaks the argument:
//
//   - index(x) of one of A's objects (a number, used as the model likes);
//   - naming an element, A[2] or A[i], and ordering references (x < y);
//   - a foreach over A that leaves the loop early (the first match depends
//     on the order), or whose body does more than update the loop object's
//     own fields, or in which the thread rests (its position in the loop
//     is an index into A).
//
// The compiler marks these operations; whether they matter is decided while
// the search runs, because most sit in code a parameter makes dead (the
// TIMED bookkeeping) or a state never reaches (free_worker_slot() when no
// slot is free). With a SymWatch installed (Stepper.WatchSymmetry,
// Evaluator.WatchSymmetry), a marked operation on an object of an array
// the reduction is using records a SymBreak; the explorer then discards
// that search and runs again without that array. So the reduction is used
// exactly when no explored step or property evaluation could tell the
// objects apart, which is what the automorphism argument needs. The
// initial state (init) may tell them apart freely: it is one state, and
// the search starts from its representative.
//
// The reduction's files: symmetry.go (a Symmetry: which arrays it permutes,
// and where their references, lists and tasks sit), sym_candidates.go (what
// tells objects apart: the candidate arrays, the compiler's marks and the
// watch that records a break while a search runs), canon.go (the
// canonicaliser) and permute.go (applying a permutation to a state).

// Symmetry canonicalises states under the permutations of its arrays.
type Symmetry struct {
	p      *Program
	arrays []*symArr
	// per struct (by index in p.Structs): object -> (array slot, position) or -1
	symOf [][]int32
	posOf [][]int32
	// per thread: the symmetric array slot and position of its object, or -1
	thArr []int32
	thPos []int32
	// slots that hold references, lists or tasks, outside the moving blocks
	fixed []slot
	// per struct: the relevant fields of one object (offsets within it)
	elemSlots [][]slot
	// per thread kind and pc: the live locals that need renaming or break
	// the reduction (foreach indexes)
	kindSlots map[*ThreadKind][][]slot
	thSlots   [][][]slot // kindSlots by thread index
	// the bits of the slots above, to leave out of the raw part of a key:
	// per struct, within an object; per thread and pc, within its block
	objMask  [][]uint64
	thMask   [][][]uint64
	hasTasks bool
	// the permuted arrays (arrayBit) per struct, and those bound to threads:
	// what a reference or a task value may be renamed by
	structArrs []uint64
	taskArrs   uint64
	// sameOrder's: the bits it compares word by word; the threads that
	// hold a slot at some pc, and those of them outside the permuted
	// arrays
	ordered     []uint64
	renThreads  []*Thread
	slotThreads []*Thread
	// Apply's: the fixed slots and every permuted object's elemSlots,
	// at their offsets in the state
	flat []slot
}

type symArr struct {
	a       *Array
	threads []int // thread bound to element i, or nil
}

type slotKind uint8

const (
	slotRef  slotKind = iota // an object reference (0 NULL, else object+1)
	slotList                 // a list of objects
	slotTask                 // a thread reference: a lock owner or a task (0 none, else thread+1)
	slotIdx                  // a foreach index over a symmetric array
)

type slot struct {
	kind slotKind
	off  uint32 // absolute for fixed slots; relative to the block otherwise
	w    uint8
	st   *Struct   // slotRef, slotList: the element struct
	li   *ListInfo // slotList
	arr  *Array    // slotIdx
	id   uint64    // a stable name for the slot, for the canonical key
}

// Arrays names the arrays the reduction permutes, with their sizes.
func (sym *Symmetry) Arrays() []*Array {
	var out []*Array
	for _, a := range sym.arrays {
		out = append(out, a.a)
	}
	return out
}

// NumArrays is the number of arrays the reduction permutes.
func (sym *Symmetry) NumArrays() int { return len(sym.arrays) }

// ArrayIndex returns the slot of array a among the permuted arrays, or -1.
func (sym *Symmetry) ArrayIndex(a *Array) int {
	for k, x := range sym.arrays {
		if x.a == a {
			return k
		}
	}
	return -1
}

// NewSymmetry prepares canonicalisation under the permutations of arrays
// (from SymmetryCandidates). It returns nil when arrays is empty.
func (p *Program) NewSymmetry(arrays []*Array) *Symmetry {
	if len(arrays) == 0 {
		return nil
	}
	sym := &Symmetry{p: p, kindSlots: map[*ThreadKind][][]slot{}}
	symStruct := sym.indexArrays(arrays)
	relevant := func(t Type) bool {
		switch t.Kind {
		case KRef, KList:
			return symStruct[t.Struct]
		case KLock, KTask:
			return sym.hasTasks
		}
		return false
	}
	sym.findDataSlots(relevant)
	sym.findLocalSlots(arrays, relevant)
	sym.buildMasks()
	sym.buildOrdered()
	sym.buildFlat()
	return sym
}

// indexArrays records, for every object and thread, the permuted array it
// belongs to and its position there (-1: none), and returns the structs
// whose objects are permuted.
func (sym *Symmetry) indexArrays(arrays []*Array) map[*Struct]bool {
	p := sym.p
	for _, s := range p.Structs {
		sym.symOf = append(sym.symOf, make([]int32, s.Count))
		sym.posOf = append(sym.posOf, make([]int32, s.Count))
		for j := range s.Count {
			sym.symOf[s.ID][j] = -1
		}
	}
	sym.thArr = make([]int32, len(p.Threads))
	sym.thPos = make([]int32, len(p.Threads))
	for i := range p.Threads {
		sym.thArr[i] = -1
	}
	symStruct := map[*Struct]bool{}
	sym.structArrs = make([]uint64, len(p.Structs))
	for k, a := range arrays {
		sa := &symArr{a: a}
		si := a.Struct.ID
		symStruct[a.Struct] = true
		sym.structArrs[si] |= arrayBit(k)
		for j := 0; j < a.Len; j++ {
			sym.symOf[si][a.First+j] = int32(k)
			sym.posOf[si][a.First+j] = int32(j)
			if t := a.Struct.taskOf[a.First+j]; t >= 0 {
				sa.threads = append(sa.threads, t)
				sym.thArr[t] = int32(k)
				sym.thPos[t] = int32(j)
				sym.hasTasks = true
				sym.taskArrs |= arrayBit(k)
			}
		}
		if len(sa.threads) != 0 && len(sa.threads) != a.Len {
			panic("model: a for-each thread kind binds only part of array " + a.Name)
		}
		sym.arrays = append(sym.arrays, sa)
	}
	return symStruct
}

// newSlot makes the slot of a variable of type t (relevant: a reference, a
// list, a lock or a task) at off.
func newSlot(t Type, off uint32, w uint8, li *ListInfo, id uint64) slot {
	switch t.Kind {
	case KRef:
		return slot{kind: slotRef, off: off, w: w, st: t.Struct, id: id}
	case KList:
		return slot{kind: slotList, off: off, li: li, st: t.Struct, id: id}
	}
	return slot{kind: slotTask, off: off, w: w, id: id}
}

// findDataSlots finds the relevant slots of the globals and of each
// struct's fields: the fields of a permuted object are its elemSlots (they
// move with it), those of the other objects are fixed, as the globals are.
func (sym *Symmetry) findDataSlots(relevant func(Type) bool) {
	p := sym.p
	for _, g := range p.Globals {
		if relevant(g.Type) {
			sym.fixed = append(sym.fixed, newSlot(g.Type, g.Off, g.Width, g.List, uint64(g.Off)))
		}
	}
	for si, s := range p.Structs {
		var es []slot
		for _, f := range s.Fields {
			if relevant(f.Type) {
				es = append(es, newSlot(f.Type, f.Off, f.Width, f.List, uint64(si)<<32|uint64(f.Off)))
			}
		}
		sym.elemSlots = append(sym.elemSlots, es)
		for j := 0; j < s.Count; j++ {
			if sym.symOf[si][j] >= 0 {
				continue
			}
			base := s.objBase(j)
			for _, e := range es {
				e.off += base
				e.id = uint64(base + e.off)
				sym.fixed = append(sym.fixed, e)
			}
		}
	}
}

// findLocalSlots finds, per thread kind and pc, the live locals to rename
// (relevant ones) or to watch (a foreach's position in a permuted array).
func (sym *Symmetry) findLocalSlots(arrays []*Array, relevant func(Type) bool) {
	symArray := map[*Array]bool{}
	for _, a := range arrays {
		symArray[a] = true
	}
	for _, k := range sym.p.Kinds {
		per := make([][]slot, len(k.Code)+1)
		for pc, ins := range k.Code {
			for _, l := range ins.live {
				switch {
				case l.SymIdx != nil && symArray[l.SymIdx]:
					per[pc] = append(per[pc], slot{kind: slotIdx, off: l.Off, w: l.Width, arr: l.SymIdx})
				case relevant(l.Type):
					per[pc] = append(per[pc], newSlot(l.Type, l.Off, l.Width, nil, 1<<48|uint64(l.Off)))
				}
			}
		}
		sym.kindSlots[k] = per
	}
}

// buildMasks marks the bits of the slots found, per thread and pc within
// its block and per struct within an object, for the canonical key to
// leave out of its raw part.
func (sym *Symmetry) buildMasks() {
	p := sym.p
	kindMask := map[*ThreadKind][][]uint64{}
	for _, k := range p.Kinds {
		n := k.blockBits()
		per := make([][]uint64, len(k.Code)+1)
		for pc := range per {
			m := make([]uint64, wordsFor(n))
			for _, sl := range sym.kindSlots[k][pc] {
				markBits(m, k.hdrBits()+sl.off, slotBits(&sl))
			}
			per[pc] = m
		}
		kindMask[k] = per
	}
	for _, t := range p.Threads {
		sym.thSlots = append(sym.thSlots, sym.kindSlots[t.Kind])
		sym.thMask = append(sym.thMask, kindMask[t.Kind])
	}
	for si, st := range p.Structs {
		m := make([]uint64, wordsFor(st.Stride))
		for _, sl := range sym.elemSlots[si] {
			markBits(m, sl.off, slotBits(&sl))
		}
		sym.objMask = append(sym.objMask, m)
	}
}

func slotBits(sl *slot) uint32 {
	if sl.kind == slotList {
		return sl.li.bits()
	}
	return uint32(sl.w)
}

// markBits sets n bits of mask from bit off.
func markBits(mask []uint64, off, n uint32) {
	for i := off; i < off+n; i++ {
		mask[i/64] |= 1 << (i % 64)
	}
}
