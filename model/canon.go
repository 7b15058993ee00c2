package model

import (
	"math"
	"slices"
)

// The canonicaliser: a representative of a state's orbit under the
// permutations of the symmetric arrays (see symmetry.go).

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
	hit       bool      // abstract met a reference to a permuted object
	tmp, cand State
	ties      [][2]int   // per array, runs of equal colour: [array, start<<16|len]
	applied   bool       // dropPlainTies left the state in c.order's order in c.tmp
	follow    []follower // ties whose order follows another's (canon_follow.go)
	mateBuf   []int32    // their mates
	refs      []target   // refsOf's
	rn        *renaming  // apply's scratch, with every thread's pc in the state canonicalised
	swapRn    *renaming  // fixedBySwaps', with those in c.tmp
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
	c.rn, c.swapRn = sym.newRenaming(), sym.newRenaming()
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
// compares to pick the least state, counted after followers take their
// leaders' orders and plain ties are dropped; beyond it, ties keep the
// order found so far (by colour, then by position within a run of equal
// colours, followers derived from it): the representative is then still
// in the orbit, only not unique.
const maxTieCandidates = 120

// Canon replaces s by a representative of its orbit and returns whether it
// changed s. Perm(k) then gives the permutation it applied to array k.
//
// The phases: colour each permuted object (colour) and order each array
// by colour (sortAll). When every run of equal colours is of objects the
// state does not tell apart (tiesPlain: the common case), that order is
// the representative's. Otherwise: refine the colours along references
// between permuted objects while they leave ties (refine), find the runs
// of equal colours (findTies), take the order of each run paired one to
// one with an earlier run by references from that run's (findFollowers,
// canon_follow.go), drop those whose order cannot matter
// (dropPlainTies), and, for the runs left, try every order and keep the
// least state (leastOfTies), when they have at most maxTieCandidates
// orders in all (beyond it, the order found so far is kept).
func (c *Canonicaliser) Canon(s State) bool {
	for k := range c.linked {
		clear(c.linked[k])
	}
	c.anyLink = false
	c.rn.readPCs(c.sym.p, s)
	c.colour(s)
	identity, ntie := false, 1
	c.applied, c.ties, c.follow = false, c.ties[:0], c.follow[:0]
	if !c.sortAll() || c.tiesPlain(s) {
		// the common case: the colours order every object that matters
		identity = c.isIdentity()
	} else {
		c.refine(s)
		identity, ntie = c.findTies()
		if len(c.ties) > 1 {
			identity, ntie = c.findFollowers(s, identity)
		}
		if ntie > 1 {
			ntie = c.dropPlainTies(s)
		}
		if ntie > maxTieCandidates { // keep the order found so far: in the orbit, not unique
			c.ties, c.follow, ntie = c.ties[:0], c.follow[:0], 1
		}
	}
	if ntie == 1 {
		if identity {
			c.setIdentity()
			return false
		}
		if !c.applied { // else dropPlainTies has left the state in this order in c.tmp
			c.setPerm()
			c.apply(s, c.tmp)
		}
		copy(s, c.tmp)
		return true
	}
	return c.leastOfTies(s)
}

// colour gives each permuted object its colour: a hash of its own block,
// its thread's block and the fixed slots that point at it, with references
// to permuted objects abstracted to their array.
func (c *Canonicaliser) colour(s State) {
	sym := c.sym
	p := sym.p
	for k, a := range sym.arrays {
		st := a.a.Struct
		mask, es, col := sym.objMask[st.ID], sym.elemSlots[st.ID], c.col[k]
		for j := 0; j < a.a.Len; j++ {
			base := st.objBase(a.a.First + j)
			h := maskedHash(s, base, st.Stride, mask, uint64(k+1))
			c.hit = false
			for e := range es {
				h = mix(h, c.abstract(s, &es[e], base))
			}
			if a.threads != nil {
				h = c.threadKey(s, p.Threads[a.threads[j]], h)
			}
			col[j] = h
			if c.hit {
				c.linked[k][j] = true
			}
		}
	}
	for i := range sym.fixed {
		c.incoming(s, &sym.fixed[i], 0, uint64(i+1)<<8)
	}
	for _, t := range sym.slotThreads {
		pc := int(c.rn.pcs[t.Index])
		lb := t.localsBase()
		for _, sl := range sym.thSlots[t.Index][pc] {
			if sl.kind == slotIdx {
				c.restingInForeach(t, pc, &sl)
				continue
			}
			c.incoming(s, &sl, lb, uint64(t.Index+1)<<40|uint64(sl.off))
		}
	}
}

// refine lets references between permuted objects carry colours, for at
// most two rounds, while equal colours leave ties and the last round split
// some run of them, and sorts the arrays by the new colours. (Whether to
// refine depends only on the colours and on what tiesPlain sees, which
// are the same for every state of an orbit, so the representative is
// still a function of the orbit.)
func (c *Canonicaliser) refine(s State) {
	sym := c.sym
	classes := c.classes()
	for round := 0; round < 2; round++ {
		for k := range sym.arrays {
			copy(c.col2[k], c.col[k])
		}
		c.linkAll(s)
		for k := range sym.arrays {
			copy(c.col[k], c.col2[k])
		}
		if !c.anyLink {
			// the colours did not change: no reference between permuted
			// objects, nothing to refine
			return
		}
		if !c.sortAll() {
			return
		}
		// a round that split no class leaves the colours stable: the next
		// would split none either
		n := c.classes()
		if n == classes {
			return
		}
		classes = n
	}
}

// classes counts the runs of equal colours in c.order, over all arrays.
func (c *Canonicaliser) classes() int {
	n := 0
	for k, ord := range c.order {
		col := c.col[k]
		for i := range ord {
			if i == 0 || col[ord[i]] != col[ord[i-1]] {
				n++
			}
		}
	}
	return n
}

// tiesPlain reports whether every run of equal colours in c.order is
// plain (plainRun): then no refinement can tell its objects apart, any
// order of them gives the same state, and the order of the other objects
// is already fixed by their colours. Most ties are of this kind (the
// idle workers, the items not yet queued). colour has marked the objects
// that refer to, or are referred to by, another permuted object or a
// fixed slot.
func (c *Canonicaliser) tiesPlain(s State) bool {
	for k := range c.sym.arrays {
		ord, col := c.order[k], c.col[k]
		for j := 0; j < len(ord); {
			e := j + 1
			for e < len(ord) && col[ord[e]] == col[ord[j]] {
				e++
			}
			if e-j > 1 && !c.plainRun(s, k, ord[j:e]) {
				return false
			}
			j = e
		}
	}
	return true
}

// linkAll passes colours (into c.col2) along every reference a permuted
// object or its thread holds to another permuted object.
func (c *Canonicaliser) linkAll(s State) {
	sym := c.sym
	p := sym.p
	for k, a := range sym.arrays {
		st := a.a.Struct
		si := st.ID
		for j := 0; j < a.a.Len; j++ {
			base := st.objBase(a.a.First + j)
			es := sym.elemSlots[si]
			for e := range es {
				c.link(s, &es[e], base, k, j)
			}
			if a.threads == nil {
				continue
			}
			t := p.Threads[a.threads[j]]
			pc := c.rn.pcs[t.Index]
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

// isIdentity reports whether c.order keeps every object in place.
func (c *Canonicaliser) isIdentity() bool {
	for _, ord := range c.order {
		for j, o := range ord {
			if o != int32(j) {
				return false
			}
		}
	}
	return true
}

// findTies collects in c.ties the runs of equal colours in each array's
// order (ties by position), and returns whether the order is the identity
// and how many orders the runs have (saturating). Canon applies
// maxTieCandidates to the orders left after followers and plain ties.
func (c *Canonicaliser) findTies() (identity bool, ntie int) {
	identity = true
	ntie = 1 // (Canon has emptied c.ties and c.follow)
	for k, a := range c.sym.arrays {
		n := a.a.Len
		ord := c.order[k]
		col := c.col[k]
		for j := 0; j < n; {
			e := j + 1
			for e < n && col[ord[e]] == col[ord[j]] {
				e++
			}
			if e-j > 1 {
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
	return identity, ntie
}

// dropPlainTies drops the runs of equal colours whose objects the state
// does not tell apart at all: they give the same state in every order. Most
// ties are of this kind: objects nothing refers to and that refer to no
// permuted object, with equal blocks (checked bit for bit); otherwise, the
// state in the current order must be unchanged by swapping any two
// neighbours in the run (with their followers' mates). It returns how
// many orders the runs left have, and leaves the state in the current
// order in c.tmp (c.applied) once it has needed it.
func (c *Canonicaliser) dropPlainTies(s State) int {
	kept := c.ties[:0]
	ntie := 1
	for _, tie := range c.ties {
		k, j, n := tie[0], tie[1]>>16, tie[1]&0xffff
		if c.plainRun(s, k, c.order[k][j:j+n]) {
			continue
		}
		if !c.applied {
			// fixedBySwaps takes c.tmp's pcs from c.rn.pcOut, where this
			// apply leaves them: nothing may use c.rn between the two.
			c.setPerm()
			c.apply(s, c.tmp)
			c.applied = true
		}
		if !c.fixedBySwaps(k, j, n) {
			kept = append(kept, tie)
			ntie = mulSat(ntie, Factorial(n))
		}
	}
	c.ties = kept
	return ntie
}

// leastOfTies tries every order of each run of equal colours left, keeps
// the least state in s (and its permutation in c.perm), and returns whether
// s changed.
func (c *Canonicaliser) leastOfTies(s State) bool {
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
		permute(run, 0, func() {
			c.deriveFrom(k, j)
			rec(t + 1)
		})
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
		if !equalBits(s, b0, s, st.objBase(a.a.First+int(j)), st.Stride) {
			return false
		}
		if a.threads != nil {
			t0, t := p.Threads[a.threads[j0]], p.Threads[a.threads[j]]
			if !equalBits(s, t0.Base, s, t.Base, t0.Kind.blockBits()) {
				return false
			}
		}
	}
	return true
}

// equalBits reports whether the n bits of a at offset x equal those of b
// at offset y.
func equalBits(a State, x uint32, b State, y uint32, n uint32) bool {
	for n > 0 {
		k := min(n, 64)
		if a.get(x, uint8(k)) != b.get(y, uint8(k)) {
			return false
		}
		x += k
		y += k
		n -= k
	}
	return true
}

// fixedBySwaps reports whether c.tmp (the state in the current order,
// whose pcs apply left in c.rn.pcOut) is unchanged by swapping each pair
// of neighbouring positions j..j+n-1 of array k, together with the
// objects of the runs that follow it paired with them: such swaps
// generate every order of the run (and its followers).
func (c *Canonicaliser) fixedBySwaps(k, j, n int) bool {
	sw := c.swap
	for a := range sw {
		sw[a] = sw[a][:len(c.perm[a])]
		for i := range sw[a] {
			sw[a][i] = int32(i)
		}
	}
	copy(c.swapRn.pcs, c.rn.pcOut) // c.tmp's, as apply left them
	for i := j; i+1 < j+n; i++ {
		sw[k][i], sw[k][i+1] = int32(i+1), int32(i)
		c.swapFollowers(sw, k, j, i)
		c.sym.apply(c.tmp, c.cand, sw, c.swapRn)
		sw[k][i], sw[k][i+1] = int32(i), int32(i+1)
		c.swapFollowers(sw, k, j, i)
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
	pc := int(c.rn.pcs[t.Index])
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
// by their array. It marks the objects referred to as linked, and sets
// c.hit, for colour to mark the object the slot belongs to.
func (c *Canonicaliser) abstract(s State, sl *slot, base uint32) uint64 {
	switch sl.kind {
	case slotRef:
		v := s.get(base+sl.off, sl.w)
		if k, j := c.symObj(sl.st, v); k >= 0 {
			c.linked[k][j], c.hit = true, true
			return 1<<40 | uint64(k)
		}
		return v
	case slotTask:
		v := s.get(base+sl.off, sl.w)
		if v != 0 && c.sym.thArr[v-1] >= 0 {
			c.linked[c.sym.thArr[v-1]][c.sym.thPos[v-1]], c.hit = true, true
			return 1<<40 | uint64(c.sym.thArr[v-1])
		}
		return v
	case slotList:
		off := base + sl.off
		n := int(s.get(off, sl.li.LenW))
		h := uint64(n)
		for i := 0; i < n; i++ {
			v := uint64(c.sym.p.listAt(s, off, sl.li, i))
			if k, j := c.symObj(sl.st, v); k >= 0 {
				c.linked[k][j], c.hit = true, true
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
// at other symmetric objects: both ends learn the other's colour. It
// decodes the slot as targets does, with a switch of its own: refine runs
// it on every state with ties, and going through targets cost 1-2% more
// instructions on claim per-cpu 4/3's canonicalisations.
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

// maskedHash mixes into h the n bits of s from off, leaving out those set
// in mask (relative to off).
func maskedHash(s State, off, n uint32, mask []uint64, h uint64) uint64 {
	if n <= 64 { // most blocks
		return mix(h, s.get(off, uint8(n))&^mask[0])
	}
	for i := 0; n > 0; i++ {
		k := min(n, 64)
		h = mix(h, s.get(off, uint8(k))&^mask[i])
		off += k
		n -= k
	}
	return h
}
