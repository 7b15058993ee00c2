package model

// A successor that keeps its parent's canonical form.
//
// Most steps of a thread outside the permuted arrays (a timer, the cull,
// the RCU free) change only data that no permutation moves and that names
// no permuted object: a counter, a flag, the thread's own pc. Such a
// successor of a representative is a representative itself, and Canon
// would colour every object to find the identity.

// Child is Canon for s, a successor of parent, where parent is its own
// representative (Canon left it unchanged). When s differs from parent only
// in bits that Canon does not order by (outside the permuted objects'
// blocks, their threads' blocks and every slot that may name a permuted
// object), s is its own representative and Child leaves it, with the
// identity as Perm; otherwise it is Canon(s).
//
// Why that is exact: every colour, tie and link Canon computes on s reads
// only those bits, so it takes on s the decisions it took on parent, which
// ended in the identity; where it compares whole states (the least of the
// orders of a tie, whether a swap changes the state), the states compared
// agree on every other bit, and two vectors that share a set of bits
// compare as their other bits do.
func (c *Canonicaliser) Child(parent, s State) bool {
	if c.sym.sameOrder(parent, s) {
		c.setIdentity()
		return false
	}
	return c.Canon(s)
}

// sameOrder reports whether parent and s agree on every bit Canon orders
// by: the bits in sym.ordered, and for each thread outside the permuted
// arrays that may hold a slot, its block, unless it holds no slot at its pc
// in either state.
func (sym *Symmetry) sameOrder(parent, s State) bool {
	for i, m := range sym.ordered {
		if (parent[i]^s[i])&m != 0 {
			return false
		}
	}
	p := sym.p
	for _, t := range sym.slotThreads {
		pp, ps := p.PC(parent, t), p.PC(s, t)
		if len(sym.thSlots[t.Index][pp]) == 0 && len(sym.thSlots[t.Index][ps]) == 0 {
			continue
		}
		if pp != ps || !equalBits(parent, t.Base, s, t.Base, t.Kind.blockBits()) {
			return false
		}
	}
	return true
}

// buildOrdered marks the bits sameOrder compares word by word: the permuted
// objects' blocks, their threads' blocks and the fixed slots; and lists the
// threads that hold a slot at some pc (renThreads), and those of them
// outside the permuted arrays (slotThreads).
func (sym *Symmetry) buildOrdered() {
	p := sym.p
	sym.ordered = make([]uint64, p.Words)
	mark := func(off, n uint32) { markBits(sym.ordered, off, n) }
	for _, a := range sym.arrays {
		st := a.a.Struct
		for j := 0; j < a.a.Len; j++ {
			mark(st.objBase(a.a.First+j), st.Stride)
			if a.threads != nil {
				t := p.Threads[a.threads[j]]
				mark(t.Base, t.Kind.blockBits())
			}
		}
	}
	for i := range sym.fixed {
		mark(sym.fixed[i].off, slotBits(&sym.fixed[i]))
	}
	for _, t := range p.Threads {
		for _, sls := range sym.thSlots[t.Index] {
			if len(sls) > 0 {
				sym.renThreads = append(sym.renThreads, t)
				if sym.thArr[t.Index] < 0 {
					sym.slotThreads = append(sym.slotThreads, t)
				}
				break
			}
		}
	}
}
