package model

import (
	"math/bits"
)

// Applying a permutation of the symmetric arrays to a state, and numbering
// permutations for storage (see symmetry.go).

// apply writes perm(s) (c.perm) to out.
func (c *Canonicaliser) apply(s, out State) {
	c.sym.apply(s, out, c.perm, c.pcs, c.pcOut)
}

// Apply writes π(s) to out, π given per permuted array as perm[k][old] =
// new: each object's block and its thread's block move to the new position
// and every reference, list entry, lock owner and task value is renamed.
func (sym *Symmetry) Apply(s, out State, perm [][]int32) {
	sym.apply(s, out, perm, nil, nil)
}

// apply is Apply; when pcs (every thread's pc in s) is given, it reads
// no pc from the state, and leaves the pcs of π(s) in pcOut.
func (sym *Symmetry) apply(s, out State, perm [][]int32, pcs, pcOut []int32) {
	p := sym.p
	copy(out, s)
	if pcs != nil {
		copy(pcOut, pcs)
	}
	var moved uint64 // the arrays perm changes (all, beyond 64)
	for k, a := range sym.arrays {
		st := a.a.Struct
		for j := 0; j < a.a.Len; j++ {
			nj := int(perm[k][j])
			if nj == j {
				continue
			}
			moved |= arrayBit(k)
			copyBits(out, st.objBase(a.a.First+nj), s, st.objBase(a.a.First+j), st.Stride)
			if a.threads != nil {
				from, to := p.Threads[a.threads[j]], p.Threads[a.threads[nj]]
				copyBits(out, to.Base, s, from.Base, from.Kind.blockBits())
				if pcs != nil {
					pcOut[to.Index] = pcs[from.Index]
				}
			}
		}
	}
	if moved == 0 {
		return
	}
	for i := range sym.fixed {
		sym.renameIf(out, &sym.fixed[i], 0, perm, moved)
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
				sym.renameIf(out, &es[e], base, perm, moved)
			}
		}
	}
	for _, t := range p.Threads {
		var pc int
		if pcs != nil {
			pc = int(pcOut[t.Index])
		} else {
			pc = p.PC(out, t)
		}
		if pc >= len(t.Kind.Code) {
			continue
		}
		lb := t.localsBase()
		slots := sym.thSlots[t.Index][pc]
		for e := range slots {
			sym.renameIf(out, &slots[e], lb, perm, moved)
		}
	}
}

// arrayBit is permuted array k's bit in a set of arrays (every bit from
// the 64th array on: such sets then over-approximate).
func arrayBit(k int) uint64 {
	if k >= 64 {
		return ^uint64(0)
	}
	return 1 << k
}

// renameIf renames the values of slot sl when it may refer to an object
// or thread of an array in moved (the others keep their names).
func (sym *Symmetry) renameIf(s State, sl *slot, base uint32, perm [][]int32, moved uint64) {
	switch sl.kind {
	case slotRef, slotList:
		if sym.structArrs[sl.st.ID]&moved == 0 {
			return
		}
	case slotTask:
		if sym.taskArrs&moved == 0 {
			return
		}
	}
	sym.rename(s, sl, base, perm)
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

// ThreadArray returns the permuted array (its slot among Arrays) whose
// objects thread t is bound to, or -1 when no permutation renames t.
func (sym *Symmetry) ThreadArray(t int) int { return int(sym.thArr[t]) }

// RenameThreadIn maps thread t under perm, the permutation of t's own
// array (ThreadArray(t), which must be >= 0): RenameThread without the
// other arrays' permutations.
func (sym *Symmetry) RenameThreadIn(t int, perm []int32) int {
	return sym.arrays[sym.thArr[t]].threads[perm[sym.thPos[t]]]
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
	var small [8]int
	digits := small[:0]
	if n > len(small) {
		digits = make([]int, n)
	}
	digits = digits[:n]
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
