package model

import (
	"math/bits"
)

// Applying a permutation of the symmetric arrays to a state, and numbering
// permutations for storage (see symmetry.go).

// apply writes perm(s) (c.perm) to out.
func (c *Canonicaliser) apply(s, out State) {
	c.sym.apply(s, out, c.perm, c.rn)
}

// Apply writes π(s) to out, π given per permuted array as perm[k][old] =
// new: each object's block and its thread's block move to the new position
// and every reference, list entry, lock owner and task value is renamed.
func (sym *Symmetry) Apply(s, out State, perm [][]int32) {
	rn := sym.newRenaming()
	rn.readPCs(sym.p, s)
	sym.apply(s, out, perm, rn)
}

// renaming is apply's scratch: what each reference and task value
// becomes, and every thread's pc before and after.
type renaming struct {
	ref        [][]uint64 // per struct: a reference value (object+1, or 0) -> its new value
	task       []uint64   // a task value (thread+1, or 0) -> its new value
	pcs, pcOut []int32    // per thread: its pc in the state applied to, and after
}

func (sym *Symmetry) newRenaming() *renaming {
	p := sym.p
	rn := &renaming{task: identityTable(len(p.Threads) + 1),
		pcs: make([]int32, len(p.Threads)), pcOut: make([]int32, len(p.Threads))}
	for _, st := range p.Structs {
		rn.ref = append(rn.ref, identityTable(st.Count+1))
	}
	return rn
}

func identityTable(n int) []uint64 {
	t := make([]uint64, n)
	for i := range t {
		t[i] = uint64(i)
	}
	return t
}

// buildFlat lists the slots apply renames outside the threads' locals:
// the fixed slots and every permuted object's elemSlots, at their offsets
// in the state.
func (sym *Symmetry) buildFlat() {
	sym.flat = append(sym.flat, sym.fixed...)
	for si, st := range sym.p.Structs {
		for j := 0; j < st.Count; j++ {
			if sym.symOf[si][j] < 0 {
				continue
			}
			for _, sl := range sym.elemSlots[si] {
				sl.off += st.objBase(j)
				sym.flat = append(sym.flat, sl)
			}
		}
	}
}

// readPCs notes every thread's pc in s.
func (rn *renaming) readPCs(p *Program, s State) {
	for i, t := range p.Threads {
		rn.pcs[i] = int32(p.PC(s, t))
	}
}

// apply is Apply with scratch rn, which holds the pcs of s; it leaves
// those of π(s) in rn.pcOut.
func (sym *Symmetry) apply(s, out State, perm [][]int32, rn *renaming) {
	p := sym.p
	copy(out, s)
	copy(rn.pcOut, rn.pcs)
	var moved uint64 // the arrays perm changes (all, beyond 64)
	for k, a := range sym.arrays {
		st := a.a.Struct
		ref := rn.ref[st.ID]
		for j := 0; j < a.a.Len; j++ {
			nj := int(perm[k][j])
			ref[a.a.First+j+1] = uint64(a.a.First+nj) + 1
			if a.threads != nil {
				rn.task[a.threads[j]+1] = uint64(a.threads[nj]) + 1
			}
			if nj == j {
				continue
			}
			moved |= arrayBit(k)
			copyBits(out, st.objBase(a.a.First+nj), s, st.objBase(a.a.First+j), st.Stride)
			if a.threads != nil {
				from, to := p.Threads[a.threads[j]], p.Threads[a.threads[nj]]
				copyBits(out, to.Base, s, from.Base, from.Kind.blockBits())
				rn.pcOut[to.Index] = rn.pcs[from.Index]
			}
		}
	}
	if moved == 0 {
		return
	}
	for i := range sym.flat {
		sym.renameIf(out, &sym.flat[i], 0, rn, moved)
	}
	for _, t := range sym.renThreads {
		pc := int(rn.pcOut[t.Index])
		if pc >= len(t.Kind.Code) {
			continue
		}
		lb := t.localsBase()
		slots := sym.thSlots[t.Index][pc]
		for e := range slots {
			sym.renameIf(out, &slots[e], lb, rn, moved)
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
func (sym *Symmetry) renameIf(s State, sl *slot, base uint32, rn *renaming, moved uint64) {
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
	sym.rename(s, sl, base, rn)
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

func (sym *Symmetry) rename(s State, sl *slot, base uint32, rn *renaming) {
	off := base + sl.off
	switch sl.kind {
	case slotRef: // (a value that stays, NULL most often, is not written)
		if v := s.get(off, sl.w); rn.ref[sl.st.ID][v] != v {
			s.set(off, sl.w, rn.ref[sl.st.ID][v])
		}
	case slotTask:
		if v := s.get(off, sl.w); rn.task[v] != v {
			s.set(off, sl.w, rn.task[v])
		}
	case slotList:
		ref := rn.ref[sl.st.ID]
		n := int(s.get(off, sl.li.LenW))
		at := off + uint32(sl.li.LenW)
		for i := 0; i < n; i++ {
			if v := s.get(at, sl.li.ElemW); ref[v+1]-1 != v {
				s.set(at, sl.li.ElemW, ref[v+1]-1)
			}
			at += uint32(sl.li.ElemW)
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
