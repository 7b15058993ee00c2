package model

import (
	"fmt"
	"math"
	"math/bits"
	"slices"

	"wqcheck/model/syntax"
)

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

// SymBreak says where a model tells the objects of an array apart.
type SymBreak struct {
	Array *Array
	Pos   syntax.Pos
	What  string // "index(w)", "workers[2]", "a foreach that returns early", ...
	// At is SymWatch.At when it was seen: the explorer sets it to the
	// state being expanded or checked, to report the first break in
	// search order whatever the number of workers
	At int
}

func (b *SymBreak) String() string {
	return fmt.Sprintf("%s at %s:%d:%d", b.What, b.Pos.File, b.Pos.Line, b.Pos.Col)
}

// symSite is a marked operation, made at compile time.
type symSite struct {
	pos  syntax.Pos
	what string
}

// symExit is the mark on a jump out of a foreach over arr.
type symExit struct {
	arr  *Array
	site symSite
}

// WatchSymmetry makes the stepper record in w the operations that tell
// symmetric objects apart (nil stops it).
func (st *Stepper) WatchSymmetry(w *SymWatch) { st.ctx.sym = w }

// WatchSymmetry makes the evaluator record in w the operations that tell
// symmetric objects apart (nil stops it).
func (e *Evaluator) WatchSymmetry(w *SymWatch) { e.c.sym = w }

// SymWatch records the marked operations a search executes on objects of
// the arrays a reduction uses. One per goroutine.
type SymWatch struct {
	on   []bool      // by Array.ID: the reduction uses the array
	hits []*SymBreak // by Array.ID: the first break seen
	Any  bool        // some break was seen
	At   int         // set by the caller: where the search is (SymBreak.At)
}

// NewSymWatch watches the arrays of sym.
func (sym *Symmetry) NewSymWatch() *SymWatch {
	w := &SymWatch{on: make([]bool, len(sym.p.Arrays)), hits: make([]*SymBreak, len(sym.p.Arrays))}
	for _, a := range sym.arrays {
		w.on[a.a.ID] = true
	}
	return w
}

// Breaks returns the breaks seen, in array order, and forgets them.
func (w *SymWatch) Breaks() []*SymBreak {
	var out []*SymBreak
	for i, b := range w.hits {
		if b != nil {
			out = append(out, b)
			w.hits[i] = nil
		}
	}
	w.Any = false
	return out
}

func (w *SymWatch) hitArray(a *Array, site *symSite) {
	if w.on[a.ID] && w.hits[a.ID] == nil {
		w.hits[a.ID] = &SymBreak{Array: a, Pos: site.pos, What: site.what, At: w.At}
		w.Any = true
	}
}

// hitObj records site if object obj of struct s is in a watched array.
func (w *SymWatch) hitObj(s *Struct, obj int, site *symSite) {
	if obj >= 0 && obj < len(s.arrOf) {
		w.hitArray(s.arrOf[obj], site)
	}
}

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

// SymmetryCandidates returns the arrays a symmetry reduction may permute:
// every array of two or more objects not in exclude. A stranded-work
// property's item array of more than 8 items is left out (its per-edge
// permutations are stored as 16-bit ranks).
//
// The explorer stores one permutation per edge for one item array: the
// first stranded-work property's (of at most 8 items) may be permuted, and
// the item array of any other stranded-work property is left out unless it
// is the same array.
func (p *Program) SymmetryCandidates(exclude map[*Array]bool) []*Array {
	var items *Array
	fixed := map[*Array]bool{}
	for _, pr := range p.Props {
		if pr.Kind != PropStranded {
			continue
		}
		switch {
		case items == nil && pr.Items.Len <= 8 && !exclude[pr.Items]:
			items = pr.Items
		case pr.Items != items:
			fixed[pr.Items] = true
		}
	}
	// an array whose threads' CPUs may tell its objects apart is not
	// permuted (per-object interrupt handlers are not permuted either: the
	// first time one fires, the search drops the array; see OpIrqEnter)
	for _, k := range p.Kinds {
		if k.ForEach != nil && k.CPUOrdered {
			fixed[k.ForEach] = true
		}
	}
	var out []*Array
	for _, a := range p.Arrays {
		if a.Single || a.Len < 2 || exclude[a] || fixed[a] {
			continue
		}
		out = append(out, a)
	}
	return out
}

// NewSymmetry prepares canonicalisation under the permutations of arrays
// (from SymmetryCandidates). It returns nil when arrays is empty.
func (p *Program) NewSymmetry(arrays []*Array) *Symmetry {
	if len(arrays) == 0 {
		return nil
	}
	sym := &Symmetry{p: p, kindSlots: map[*ThreadKind][][]slot{}}
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
	for k, a := range arrays {
		sa := &symArr{a: a}
		si := a.Struct.ID
		symStruct[a.Struct] = true
		for j := 0; j < a.Len; j++ {
			sym.symOf[si][a.First+j] = int32(k)
			sym.posOf[si][a.First+j] = int32(j)
			if t := a.Struct.taskOf[a.First+j]; t >= 0 {
				sa.threads = append(sa.threads, t)
				sym.thArr[t] = int32(k)
				sym.thPos[t] = int32(j)
				sym.hasTasks = true
			}
		}
		if len(sa.threads) != 0 && len(sa.threads) != a.Len {
			panic("model: a for-each thread kind binds only part of array " + a.Name)
		}
		sym.arrays = append(sym.arrays, sa)
	}
	relevant := func(t Type) bool {
		switch t.Kind {
		case KRef, KList:
			return symStruct[t.Struct]
		case KLock, KTask:
			return sym.hasTasks
		}
		return false
	}
	mk := func(t Type, off uint32, w uint8, li *ListInfo, id uint64) slot {
		switch t.Kind {
		case KRef:
			return slot{kind: slotRef, off: off, w: w, st: t.Struct, id: id}
		case KList:
			return slot{kind: slotList, off: off, li: li, st: t.Struct, id: id}
		}
		return slot{kind: slotTask, off: off, w: w, id: id}
	}
	for _, g := range p.Globals {
		if relevant(g.Type) {
			sym.fixed = append(sym.fixed, mk(g.Type, g.Off, g.Width, g.List, uint64(g.Off)))
		}
	}
	for si, s := range p.Structs {
		var es []slot
		for _, f := range s.Fields {
			if relevant(f.Type) {
				es = append(es, mk(f.Type, f.Off, f.Width, f.List, uint64(si)<<32|uint64(f.Off)))
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
	symArray := map[*Array]bool{}
	for _, a := range arrays {
		symArray[a] = true
	}
	for _, k := range p.Kinds {
		per := make([][]slot, len(k.Code)+1)
		for pc, ins := range k.Code {
			for _, l := range ins.live {
				switch {
				case l.SymIdx != nil && symArray[l.SymIdx]:
					per[pc] = append(per[pc], slot{kind: slotIdx, off: l.Off, w: l.Width, arr: l.SymIdx})
				case relevant(l.Type):
					per[pc] = append(per[pc], mk(l.Type, l.Off, l.Width, nil, 1<<48|uint64(l.Off)))
				}
			}
		}
		sym.kindSlots[k] = per
	}
	kindMask := map[*ThreadKind][][]uint64{}
	for _, k := range p.Kinds {
		n := k.blockBits()
		per := make([][]uint64, len(k.Code)+1)
		for pc := range per {
			m := make([]uint64, (n+63)/64)
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
		m := make([]uint64, (st.Stride+63)/64)
		for _, sl := range sym.elemSlots[si] {
			markBits(m, sl.off, slotBits(&sl))
		}
		sym.objMask = append(sym.objMask, m)
	}
	return sym
}

// Canonicaliser is one goroutine's scratch for Canon.
type Canonicaliser struct {
	sym   *Symmetry
	Watch *SymWatch
	// per symmetric array: colours and the chosen order
	col, col2 [][]uint64
	order     [][]int32 // order[k][newPos] = old position
	perm      [][]int32 // perm[k][old] = new position
	best      [][]int32
	swap      [][]int32 // fixedBySwaps' scratch
	linked    [][]bool  // per object: some reference leads to or from it
	anyLink   bool      // some permuted object refers to another
	tmp, cand State
	ties      [][2]int // per array, runs of equal colour: [array, start<<16|len]
}

// NewCanonicaliser returns scratch for Canon, recording breaks in watch.
func (sym *Symmetry) NewCanonicaliser(watch *SymWatch) *Canonicaliser {
	c := &Canonicaliser{sym: sym, Watch: watch}
	for _, a := range sym.arrays {
		n := a.a.Len
		c.col = append(c.col, make([]uint64, n))
		c.col2 = append(c.col2, make([]uint64, n))
		c.order = append(c.order, make([]int32, n))
		c.perm = append(c.perm, make([]int32, n))
		c.best = append(c.best, make([]int32, n))
		c.swap = append(c.swap, make([]int32, n))
		c.linked = append(c.linked, make([]bool, n))
	}
	c.tmp = make(State, sym.p.Words)
	c.cand = make(State, sym.p.Words)
	return c
}

func mix(h, x uint64) uint64 {
	h ^= x + 0x9e3779b97f4a7c15 + h<<6 + h>>2
	h *= 0xff51afd7ed558ccd
	return h ^ h>>33
}

func fin(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	return h ^ h>>33
}

// maxTieCandidates bounds how many orders of equally coloured objects Canon
// compares to pick the least state; beyond it, ties keep their index order
// (the representative is then still in the orbit, only not unique).
const maxTieCandidates = 120

// Canon replaces s by a representative of its orbit and returns whether it
// changed s. Perm(k) then gives the permutation it applied to array k.
func (c *Canonicaliser) Canon(s State) bool {
	sym := c.sym
	p := sym.p
	for k := range c.linked {
		clear(c.linked[k])
	}
	c.anyLink = false
	// 1. colours: each object's own block, its thread's block and the fixed
	// slots that point at it, with references to symmetric objects
	// abstracted to their array
	for k, a := range sym.arrays {
		st := a.a.Struct
		si := st.ID
		for j := 0; j < a.a.Len; j++ {
			obj := a.a.First + j
			base := st.objBase(obj)
			h := maskedHash(s, base, st.Stride, sym.objMask[si], uint64(k+1))
			es := sym.elemSlots[si]
			for e := range es {
				h = mix(h, c.abstract(s, &es[e], base))
			}
			if a.threads != nil {
				h = c.threadKey(s, p.Threads[a.threads[j]], h)
			}
			c.col[k][j] = h
		}
	}
	for i := range sym.fixed {
		c.incoming(s, &sym.fixed[i], 0, uint64(i+1)<<8)
	}
	for _, t := range p.Threads {
		if sym.thArr[t.Index] >= 0 {
			continue
		}
		pc := p.PC(s, t)
		lb := t.localsBase()
		for _, sl := range sym.thSlots[t.Index][pc] {
			if sl.kind == slotIdx {
				c.restingInForeach(t, pc, &sl)
				continue
			}
			c.incoming(s, &sl, lb, uint64(t.Index+1)<<40|uint64(sl.off))
		}
	}
	// 2. refinement, when equal colours leave ties: references between
	// permuted objects carry colours. (Whether to refine depends only on
	// the colours, which are the same for every state of an orbit, so the
	// representative is still a function of the orbit.)
	sorted := false // c.order is up to date with c.col
	for round := 0; ; round++ {
		ties := c.sortAll()
		sorted = true
		if !ties || round == 2 {
			break
		}
		sorted = false
		for k := range sym.arrays {
			copy(c.col2[k], c.col[k])
		}
		for k, a := range sym.arrays {
			st := a.a.Struct
			si := st.ID
			for j := 0; j < a.a.Len; j++ {
				base := st.objBase(a.a.First + j)
				es := sym.elemSlots[si]
				for e := range es {
					c.link(s, &es[e], base, k, j)
				}
				if a.threads != nil {
					t := p.Threads[a.threads[j]]
					pc := p.PC(s, t)
					lb := t.localsBase()
					ts := sym.thSlots[t.Index][pc]
					for e := range ts {
						if ts[e].kind != slotIdx {
							c.link(s, &ts[e], lb, k, j)
						}
					}
				}
			}
		}
		for k := range sym.arrays {
			copy(c.col[k], c.col2[k])
		}
		if !c.anyLink {
			sorted = true // the colours did not change:
			break         // no reference between permuted objects, nothing to refine
		}
	}
	// 3. order each array by colour (ties by position)
	if !sorted {
		c.sortAll()
	}
	identity := true
	ntie := 1
	c.ties = c.ties[:0]
	for k, a := range sym.arrays {
		n := a.a.Len
		ord := c.order[k]
		col := c.col[k]
		for j := 0; j < n; {
			e := j + 1
			for e < n && col[ord[e]] == col[ord[j]] {
				e++
			}
			if e-j > 1 && ntie <= maxTieCandidates {
				ntie = mulSat(ntie, Factorial(e-j))
				c.ties = append(c.ties, [2]int{k, j<<16 | (e - j)})
			}
			j = e
		}
		for j := range ord {
			if ord[j] != int32(j) {
				identity = false
			}
		}
	}
	if ntie > maxTieCandidates {
		c.ties = c.ties[:0]
		ntie = 1
	}
	if ntie > 1 {
		// A run of equal colours whose objects the state does not tell
		// apart at all gives the same state in every order: drop it. Most
		// ties are of this kind: objects nothing refers to and that refer
		// to no permuted object, with equal blocks (checked bit for bit);
		// otherwise, the state in the current order must be unchanged by
		// swapping any two neighbours in the run.
		kept := c.ties[:0]
		ntie = 1
		applied := false
		for _, tie := range c.ties {
			k, j, n := tie[0], tie[1]>>16, tie[1]&0xffff
			if c.plainRun(s, k, c.order[k][j:j+n]) {
				continue
			}
			if !applied {
				c.setPerm()
				c.apply(s, c.tmp)
				applied = true
			}
			if !c.fixedBySwaps(k, j, n) {
				kept = append(kept, tie)
				ntie = mulSat(ntie, Factorial(n))
			}
		}
		c.ties = kept
	}
	if ntie == 1 {
		if identity {
			c.setIdentity()
			return false
		}
		c.setPerm()
		c.apply(s, c.tmp)
		copy(s, c.tmp)
		return true
	}
	// 4. ties: try every order of each run of equal colours, keep the least state
	first := true
	var rec func(t int)
	rec = func(t int) {
		if t == len(c.ties) {
			c.setPerm()
			c.apply(s, c.cand)
			if first || slices.Compare(c.cand, c.tmp) < 0 {
				first = false
				copy(c.tmp, c.cand)
				for k := range c.perm {
					copy(c.best[k], c.perm[k])
				}
			}
			return
		}
		k, j, n := c.ties[t][0], c.ties[t][1]>>16, c.ties[t][1]&0xffff
		run := c.order[k][j : j+n]
		permute(run, 0, func() { rec(t + 1) })
	}
	rec(0)
	for k := range c.perm {
		copy(c.perm[k], c.best[k])
	}
	changed := !slices.Equal(c.tmp, s)
	copy(s, c.tmp)
	return changed
}

// Factorial is n!, the size of the group of permutations of n objects,
// saturating at math.MaxInt (from 21 objects on, n! does not fit an int; an
// overflowed product once made the tie bound below never apply).
func Factorial(n int) int {
	f := 1
	for i := 2; i <= n; i++ {
		f = mulSat(f, i)
	}
	return f
}

// mulSat is a*b for non-negative a and b, or math.MaxInt when that overflows.
func mulSat(a, b int) int {
	if a != 0 && b > math.MaxInt/a {
		return math.MaxInt
	}
	return a * b
}

// sortAll orders each array's positions by colour (c.order, ties by
// position) and reports whether some colours are equal.
func (c *Canonicaliser) sortAll() bool {
	ties := false
	for k, ord := range c.order {
		col := c.col[k]
		for j := range ord {
			ord[j] = int32(j)
		}
		for i := 1; i < len(ord); i++ { // insertion sort: a few objects
			x := ord[i]
			j := i - 1
			for ; j >= 0 && col[ord[j]] > col[x]; j-- {
				ord[j+1] = ord[j]
			}
			ord[j+1] = x
		}
		for i := 1; i < len(ord); i++ {
			if col[ord[i]] == col[ord[i-1]] {
				ties = true
			}
		}
	}
	return ties
}

// plainRun reports whether the objects at old positions run of array k
// are unreferenced, refer to no permuted object, and have equal blocks (and
// equal thread blocks): then any order of them is the same state.
func (c *Canonicaliser) plainRun(s State, k int, run []int32) bool {
	a := c.sym.arrays[k]
	st := a.a.Struct
	p := c.sym.p
	for _, j := range run {
		if c.linked[k][j] {
			return false
		}
	}
	j0 := int(run[0])
	b0 := st.objBase(a.a.First + j0)
	for _, j := range run[1:] {
		if !equalBits(s, b0, st.objBase(a.a.First+int(j)), st.Stride) {
			return false
		}
		if a.threads != nil {
			t0, t := p.Threads[a.threads[j0]], p.Threads[a.threads[j]]
			if !equalBits(s, t0.Base, t.Base, t0.Kind.blockBits()) {
				return false
			}
		}
	}
	return true
}

// equalBits reports whether the n bits at offsets x and y of s are equal.
func equalBits(s State, x, y, n uint32) bool {
	for n > 0 {
		k := min(n, 64)
		if s.get(x, uint8(k)) != s.get(y, uint8(k)) {
			return false
		}
		x += k
		y += k
		n -= k
	}
	return true
}

// fixedBySwaps reports whether c.tmp (the state in the current order) is
// unchanged by swapping each pair of neighbouring positions j..j+n-1 of
// array k, which generate every order of them.
func (c *Canonicaliser) fixedBySwaps(k, j, n int) bool {
	sw := c.swap
	for a := range sw {
		sw[a] = sw[a][:len(c.perm[a])]
		for i := range sw[a] {
			sw[a][i] = int32(i)
		}
	}
	for i := j; i+1 < j+n; i++ {
		sw[k][i], sw[k][i+1] = int32(i+1), int32(i)
		c.sym.Apply(c.tmp, c.cand, sw)
		sw[k][i], sw[k][i+1] = int32(i), int32(i+1)
		if !slices.Equal(c.cand, c.tmp) {
			return false
		}
	}
	return true
}

// permute calls f for every order of xs (Heap's algorithm would do; this is
// the plain recursive one, restoring xs afterwards).
func permute(xs []int32, i int, f func()) {
	if i == len(xs) {
		f()
		return
	}
	for j := i; j < len(xs); j++ {
		xs[i], xs[j] = xs[j], xs[i]
		permute(xs, i+1, f)
		xs[i], xs[j] = xs[j], xs[i]
	}
}

// threadKey mixes a thread's pc, task state and live locals into h, with
// references to symmetric objects abstracted.
func (c *Canonicaliser) threadKey(s State, t *Thread, h uint64) uint64 {
	p := c.sym.p
	pc := p.PC(s, t)
	h = maskedHash(s, t.Base, t.Kind.blockBits(), c.sym.thMask[t.Index][pc], h)
	lb := t.localsBase()
	slots := c.sym.thSlots[t.Index][pc]
	for e := range slots {
		if slots[e].kind == slotIdx {
			c.restingInForeach(t, pc, &slots[e])
			continue
		}
		h = mix(h, c.abstract(s, &slots[e], lb))
	}
	return h
}

// restingInForeach records that thread t rests at pc with the position
// counter sl of a foreach over a permuted array live: an index into it.
func (c *Canonicaliser) restingInForeach(t *Thread, pc int, sl *slot) {
	pos := t.Kind.Code[min(pc, len(t.Kind.Code)-1)].Pos
	c.Watch.hitArray(sl.arr, &symSite{pos: pos, what: "resting inside a foreach over " + sl.arr.Name})
}

// symObj returns the symmetric array slot and position of a reference value
// of struct st, or -1.
func (c *Canonicaliser) symObj(st *Struct, v uint64) (int32, int32) {
	if v == 0 {
		return -1, 0
	}
	si := st.ID
	return c.sym.symOf[si][v-1], c.sym.posOf[si][v-1]
}

// abstract is a slot's value with references to symmetric objects replaced
// by their array.
func (c *Canonicaliser) abstract(s State, sl *slot, base uint32) uint64 {
	switch sl.kind {
	case slotRef:
		v := s.get(base+sl.off, sl.w)
		if k, _ := c.symObj(sl.st, v); k >= 0 {
			return 1<<40 | uint64(k)
		}
		return v
	case slotTask:
		v := s.get(base+sl.off, sl.w)
		if v != 0 && c.sym.thArr[v-1] >= 0 {
			return 1<<40 | uint64(c.sym.thArr[v-1])
		}
		return v
	case slotList:
		off := base + sl.off
		n := int(s.get(off, sl.li.LenW))
		h := uint64(n)
		for i := 0; i < n; i++ {
			v := uint64(c.sym.p.listAt(s, off, sl.li, i))
			if k, _ := c.symObj(sl.st, v); k >= 0 {
				v = 1<<40 | uint64(k)
			}
			h = mix(h, v)
		}
		return h
	}
	return 0
}

// incoming adds to the colour of each symmetric object a fixed slot points
// at the slot's name (and the position, in a list).
func (c *Canonicaliser) incoming(s State, sl *slot, base uint32, id uint64) {
	switch sl.kind {
	case slotRef:
		if k, j := c.symObj(sl.st, s.get(base+sl.off, sl.w)); k >= 0 {
			c.col[k][j] += fin(id)
			c.linked[k][j] = true
		}
	case slotTask:
		if v := s.get(base+sl.off, sl.w); v != 0 && c.sym.thArr[v-1] >= 0 {
			c.col[c.sym.thArr[v-1]][c.sym.thPos[v-1]] += fin(id ^ 0x5555)
			c.linked[c.sym.thArr[v-1]][c.sym.thPos[v-1]] = true
		}
	case slotList:
		off := base + sl.off
		n := int(s.get(off, sl.li.LenW))
		for i := 0; i < n; i++ {
			if k, j := c.symObj(sl.st, uint64(c.sym.p.listAt(s, off, sl.li, i))); k >= 0 {
				c.col[k][j] += fin(id + uint64(i+1)<<20)
				c.linked[k][j] = true
			}
		}
	}
}

// link passes colours along a slot of symmetric object (k, j) that points
// at other symmetric objects: both ends learn the other's colour.
func (c *Canonicaliser) link(s State, sl *slot, base uint32, k, j int) {
	edge := func(k2, j2 int32, pos uint64) {
		c.linked[k][j], c.linked[k2][j2] = true, true
		c.anyLink = true
		h := mix(sl.id^pos<<24, c.col[k2][j2])
		c.col2[k][j] += fin(h)
		c.col2[k2][j2] += fin(mix(h, c.col[k][j]) ^ 0xabcdef)
	}
	switch sl.kind {
	case slotRef:
		if k2, j2 := c.symObj(sl.st, s.get(base+sl.off, sl.w)); k2 >= 0 {
			edge(k2, j2, 0)
		}
	case slotTask:
		if v := s.get(base+sl.off, sl.w); v != 0 && c.sym.thArr[v-1] >= 0 {
			edge(c.sym.thArr[v-1], c.sym.thPos[v-1], 1)
		}
	case slotList:
		off := base + sl.off
		n := int(s.get(off, sl.li.LenW))
		for i := 0; i < n; i++ {
			if k2, j2 := c.symObj(sl.st, uint64(c.sym.p.listAt(s, off, sl.li, i))); k2 >= 0 {
				edge(k2, j2, uint64(i+2))
			}
		}
	}
}

func (c *Canonicaliser) setIdentity() {
	for k := range c.perm {
		for j := range c.perm[k] {
			c.perm[k][j] = int32(j)
		}
	}
}

// setPerm derives perm (old -> new) from order (new -> old).
func (c *Canonicaliser) setPerm() {
	for k, ord := range c.order {
		for nw, old := range ord {
			c.perm[k][old] = int32(nw)
		}
	}
}

// Perm returns the permutation the last Canon applied to symmetric array k
// (Perm(k)[old position] = new position). It is scratch: copy it to keep it.
func (c *Canonicaliser) Perm(k int) []int32 { return c.perm[k] }

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

// apply writes perm(s) (c.perm) to out.
func (c *Canonicaliser) apply(s, out State) {
	c.sym.Apply(s, out, c.perm)
}

// Apply writes π(s) to out, π given per permuted array as perm[k][old] =
// new: each object's block and its thread's block move to the new position
// and every reference, list entry, lock owner and task value is renamed.
func (sym *Symmetry) Apply(s, out State, perm [][]int32) {
	p := sym.p
	copy(out, s)
	for k, a := range sym.arrays {
		st := a.a.Struct
		for j := 0; j < a.a.Len; j++ {
			nj := int(perm[k][j])
			if nj == j {
				continue
			}
			copyBits(out, st.objBase(a.a.First+nj), s, st.objBase(a.a.First+j), st.Stride)
			if a.threads != nil {
				from, to := p.Threads[a.threads[j]], p.Threads[a.threads[nj]]
				copyBits(out, to.Base, s, from.Base, from.Kind.blockBits())
			}
		}
	}
	for i := range sym.fixed {
		sym.rename(out, &sym.fixed[i], 0, perm)
	}
	for si, st := range p.Structs {
		es := sym.elemSlots[si]
		if len(es) == 0 {
			continue
		}
		for j := 0; j < st.Count; j++ {
			if sym.symOf[si][j] < 0 {
				continue
			}
			base := st.objBase(j)
			for e := range es {
				sym.rename(out, &es[e], base, perm)
			}
		}
	}
	for _, t := range p.Threads {
		pc := p.PC(out, t)
		if pc >= len(t.Kind.Code) {
			continue
		}
		lb := t.localsBase()
		slots := sym.thSlots[t.Index][pc]
		for e := range slots {
			sym.rename(out, &slots[e], lb, perm)
		}
	}
}

func (sym *Symmetry) renameRef(st *Struct, v uint64, perm [][]int32) uint64 {
	if v == 0 {
		return 0
	}
	si := st.ID
	k := sym.symOf[si][v-1]
	if k < 0 {
		return v
	}
	a := sym.arrays[k].a
	return uint64(a.First+int(perm[k][sym.posOf[si][v-1]])) + 1
}

// RenameThread maps a thread index under perm.
func (sym *Symmetry) RenameThread(t int, perm [][]int32) int {
	k := sym.thArr[t]
	if k < 0 {
		return t
	}
	return sym.arrays[k].threads[perm[k][sym.thPos[t]]]
}

func (sym *Symmetry) rename(s State, sl *slot, base uint32, perm [][]int32) {
	switch sl.kind {
	case slotRef:
		off := base + sl.off
		if v := s.get(off, sl.w); v != 0 {
			s.set(off, sl.w, sym.renameRef(sl.st, v, perm))
		}
	case slotTask:
		off := base + sl.off
		if v := s.get(off, sl.w); v != 0 {
			s.set(off, sl.w, uint64(sym.RenameThread(int(v-1), perm)+1))
		}
	case slotList:
		off := base + sl.off
		n := int(s.get(off, sl.li.LenW))
		for i := 0; i < n; i++ {
			v := uint64(sym.p.listAt(s, off, sl.li, i))
			sym.p.listPut(s, off, sl.li, i, int64(sym.renameRef(sl.st, v, perm)))
		}
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

// maskedHash mixes into h the n bits of s from off, leaving out those set
// in mask (relative to off).
func maskedHash(s State, off, n uint32, mask []uint64, h uint64) uint64 {
	for i := 0; n > 0; i++ {
		k := min(n, 64)
		h = mix(h, s.get(off, uint8(k))&^mask[i])
		off += k
		n -= k
	}
	return h
}

// copyBits copies n bits from src at soff to dst at doff.
func copyBits(dst State, doff uint32, src State, soff uint32, n uint32) {
	for n > 0 {
		k := min(n, 64)
		dst.set(doff, uint8(k), src.get(soff, uint8(k)))
		doff += k
		soff += k
		n -= k
	}
}

// PermRank numbers a permutation of at most 8 elements (0 is the identity),
// for storing per edge; UnrankPerm inverts it.
func PermRank(perm []int32) uint16 {
	n := len(perm)
	var used uint32
	r := 0
	for i := 0; i < n; i++ {
		x := int(perm[i])
		less := bits.OnesCount32(used & (1<<x - 1))
		r = r*(n-i) + (x - less)
		used |= 1 << x
	}
	return uint16(r)
}

// UnrankPerm fills perm (of length n) from PermRank's number.
func UnrankPerm(r uint16, perm []int32) {
	n := len(perm)
	digits := make([]int, n)
	x := int(r)
	for i := n - 1; i >= 0; i-- {
		base := n - i
		digits[i] = x % base
		x /= base
	}
	var used uint32
	for i := 0; i < n; i++ {
		d := digits[i]
		for v := 0; v < n; v++ {
			if used&(1<<v) != 0 {
				continue
			}
			if d == 0 {
				perm[i] = int32(v)
				used |= 1 << v
				break
			}
			d--
		}
	}
}

// symSite makes the mark for an operation that tells objects apart, or
// returns nil where no mark is needed: in init, which runs once before the
// search.
func (c *compiler) symSite(pos syntax.Pos, what string) *symSite {
	if c.inInit {
		return nil
	}
	return &symSite{pos: pos, what: what}
}

// symLoop is an enclosing foreach over an object array, while compiling.
type symLoop struct {
	arr   *Array
	frame *frame // the function it is in: a return leaves it only from there
	loop  int    // its index in compiler.loops: a break leaves it only from there
	pos   syntax.Pos
}

// markSymExit marks the jump (or thread exit) at pc when it leaves the
// innermost foreach over an object array early: which object the loop
// stopped at depends on the order of the array.
func (c *compiler) markSymExit(pc int, pos syntax.Pos, what string, isBreak bool) {
	if len(c.symLoops) == 0 || c.inInit {
		return
	}
	l := c.symLoops[len(c.symLoops)-1]
	if l.frame != c.frame || isBreak && l.loop != len(c.loops)-1 {
		return
	}
	c.code[pc].symExit = &symExit{arr: l.arr, site: symSite{pos: pos, what: fmt.Sprintf("a foreach over %s (line %d) that stops early (%s)", l.arr.Name, l.pos.Line, what)}}
}

// notPerElement says why a foreach body over loop variable v may depend on
// the order of the iteration, or returns "" when each iteration only
// updates v's own fields (and locals declared inside the body) from values
// it reads: then the order is immaterial. Early exits are checked when
// they happen (markSymExit); a thread resting inside the loop is checked by
// the canonicaliser.
func notPerElement(body syntax.Stmt, v string) string {
	declared := map[string]bool{}
	// the fields the body writes (of the loop object): no iteration may
	// read them of another object, which an earlier iteration may have
	// written
	written := map[string]bool{}
	walkStmts(body, func(s syntax.Stmt) {
		if a, ok := s.(*syntax.AssignStmt); ok {
			if f, ok := a.Lhs.(*syntax.FieldExpr); ok {
				written[f.Name] = true
			}
		}
	})
	var expr func(e syntax.Expr) string
	expr = func(e syntax.Expr) string {
		switch x := e.(type) {
		case *syntax.UnaryExpr:
			return expr(x.X)
		case *syntax.BinaryExpr:
			if r := expr(x.X); r != "" {
				return r
			}
			return expr(x.Y)
		case *syntax.CondExpr:
			for _, y := range []syntax.Expr{x.C, x.X, x.Y} {
				if r := expr(y); r != "" {
					return r
				}
			}
		case *syntax.CallExpr:
			if !pureBuiltins[x.Fun] {
				return "calls " + x.Fun + "()"
			}
			for _, a := range x.Args {
				if r := expr(a); r != "" {
					return r
				}
			}
		case *syntax.FieldExpr:
			if id, ok := x.X.(*syntax.Ident); written[x.Name] && (!ok || id.Name != v) {
				return "reads " + syntax.FormatExpr(x) + ", which it writes of each " + v
			}
			return expr(x.X)
		case *syntax.IndexExpr:
			if r := expr(x.X); r != "" {
				return r
			}
			return expr(x.Idx)
		case *syntax.QuantExpr:
			if x.Var == v {
				return "shadows " + v
			}
			if r := expr(x.Over); r != "" {
				return r
			}
			return expr(x.Body)
		}
		return ""
	}
	var stmt func(s syntax.Stmt) string
	stmt = func(s syntax.Stmt) string {
		switch x := s.(type) {
		case *syntax.Block:
			for _, y := range x.Stmts {
				if r := stmt(y); r != "" {
					return r
				}
			}
		case *syntax.IfStmt:
			if r := expr(x.Cond); r != "" {
				return r
			}
			if r := stmt(x.Then); r != "" {
				return r
			}
			if x.Else != nil {
				return stmt(x.Else)
			}
		case *syntax.VarStmt:
			declared[x.Name] = true
			if x.Init != nil {
				return expr(x.Init)
			}
		case *syntax.AssignStmt:
			switch l := x.Lhs.(type) {
			case *syntax.FieldExpr:
				if id, ok := l.X.(*syntax.Ident); !ok || id.Name != v {
					return "assigns " + syntax.FormatExpr(x.Lhs)
				}
			case *syntax.Ident:
				if !declared[l.Name] {
					return "assigns " + l.Name
				}
			default:
				return "assigns " + syntax.FormatExpr(x.Lhs)
			}
			if x.Rhs != nil {
				return expr(x.Rhs)
			}
		case *syntax.ReturnStmt:
			if x.X != nil {
				return expr(x.X)
			}
		case *syntax.BreakStmt, *syntax.ContinueStmt, *syntax.GotoStmt:
		case *syntax.LabeledStmt:
			return stmt(x.Stmt)
		default:
			return "does more than update each " + v + "'s fields"
		}
		return ""
	}
	return stmt(body)
}
