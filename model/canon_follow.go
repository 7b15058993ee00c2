package model

// Ties that follow other ties.
//
// A busy worker and the item it executes are the usual case: two workers
// alike, each executing its own item, leave a tie of two workers and a tie
// of two items that no refinement splits (the state has an automorphism
// swapping the pairs). Trying every order of both ties is four orders,
// only two of which pair the items as the workers are paired. When each
// object of a tie refers to exactly one object of another tie of the same
// size, and each of those is referred to by exactly one of them, the
// second tie follows the first: its order is taken from the first's (the
// object referred to by the first tie's i-th object comes i-th), and only
// the first's orders are tried. The same holds with the references the
// other way round (each object of the second tie referring to one of the
// first), so which of the two arrays comes first does not matter. A tie
// may follow a follower (a worker, its item, the item's lock owner...):
// the whole chain takes its order from the first, and swaps move along it.
//
// Why the representative is still a function of the orbit: the ties, the
// references between their objects and so which ties follow which are
// the same, renamed, in every state of an orbit; so the orders tried from
// π(s) are those tried from s, composed with π, and give the same states.

// follower is a tie whose order is taken from another's (its leader).
type follower struct {
	k, j, n int     // its array, and its run (start and length) in c.order
	lk, lj  int     // the leader's array and run start (same length)
	mates   []int32 // pairs: a leader object's old position, then its mate's
}

// findFollowers moves from c.ties to c.follow every tie that follows an
// earlier tie (itself a leader or a follower: a chain of followers takes
// its orders from the first), sets its order from its leader's, and
// returns whether the order is still the identity and how many orders the
// ties left have.
func (c *Canonicaliser) findFollowers(s State, identity bool) (bool, int) {
	c.mateBuf = c.mateBuf[:0]
	kept := c.ties[:0]
	ntie := 1
	for _, tie := range c.ties {
		k, j, n := tie[0], tie[1]>>16, tie[1]&0xffff
		if c.followOne(s, k, j, n, kept) {
			continue
		}
		kept = append(kept, tie)
		ntie = mulSat(ntie, Factorial(n))
	}
	c.ties = kept
	if len(c.follow) == 0 {
		return identity, ntie
	}
	for i := range c.follow { // a follower comes after its leader
		c.derive(&c.follow[i])
	}
	return c.isIdentity(), ntie
}

// followOne looks among the leaders kept so far, then among the followers
// found so far, for a tie that run (k, j, n) follows, and records it in
// c.follow when there is one.
func (c *Canonicaliser) followOne(s State, k, j, n int, leaders [][2]int) bool {
	for _, l := range leaders {
		if c.follows(s, l[0], l[1]>>16, l[1]&0xffff, k, j, n) {
			return true
		}
	}
	for i := range c.follow { // (follows appends only when it returns true)
		if l := c.follow[i]; c.follows(s, l.k, l.j, l.n, k, j, n) {
			return true
		}
	}
	return false
}

// follows records run (k, j, n) in c.follow as a follower of run (lk, lj,
// ln) when references pair their objects one to one.
func (c *Canonicaliser) follows(s State, lk, lj, ln, k, j, n int) bool {
	if ln != n {
		return false
	}
	mates, ok := c.matching(s, lk, lj, k, j, n)
	if ok {
		c.follow = append(c.follow, follower{k: k, j: j, n: n, lk: lk, lj: lj, mates: mates})
	}
	return ok
}

// matching pairs the n objects of run (lk, lj) one to one with those of
// run (k, j), when each object of the first refers to exactly one of the
// second and no two to the same, or else the other way round; the pairs
// (leader's object, then its mate) are appended to c.mateBuf.
func (c *Canonicaliser) matching(s State, lk, lj, k, j, n int) ([]int32, bool) {
	if mates, ok := c.pairs(s, lk, lj, k, j, n, false); ok {
		return mates, true
	}
	return c.pairs(s, k, j, lk, lj, n, true)
}

// pairs pairs each object of run (fk, fj) with the one object of run
// (tk, tj) it refers to (all n distinct), appending the pairs, swapped
// when swap is set.
func (c *Canonicaliser) pairs(s State, fk, fj, tk, tj, n int, swap bool) ([]int32, bool) {
	start := len(c.mateBuf)
	var taken uint64 // positions of run (tk, tj) mated: an array has at most 64 objects (the compiler's cap)
	for _, x := range c.order[fk][fj : fj+n] {
		mate, count := int32(-1), 0
		for _, r := range c.refsOf(s, fk, x) {
			if int(r.k) == tk && r.j != mate && c.inRun(tk, tj, n, r.j) {
				mate = r.j
				count++
			}
		}
		if count != 1 || taken&(1<<mate) != 0 {
			c.mateBuf = c.mateBuf[:start]
			return nil, false
		}
		taken |= 1 << mate
		if swap {
			c.mateBuf = append(c.mateBuf, mate, x)
		} else {
			c.mateBuf = append(c.mateBuf, x, mate)
		}
	}
	return c.mateBuf[start:len(c.mateBuf):len(c.mateBuf)], true
}

// inRun reports whether object x of array k is in run (k, j, n) of c.order.
func (c *Canonicaliser) inRun(k, j, n int, x int32) bool {
	for _, y := range c.order[k][j : j+n] {
		if y == x {
			return true
		}
	}
	return false
}

// refsOf lists (in c.refs) every permuted object that object x of array
// k, or its thread at its pc, refers to (once per reference).
func (c *Canonicaliser) refsOf(s State, k int, x int32) []target {
	sym := c.sym
	a := sym.arrays[k]
	st := a.a.Struct
	base := st.objBase(a.a.First + int(x))
	c.refs = c.refs[:0]
	es := sym.elemSlots[st.ID]
	for e := range es {
		c.refs = c.targets(s, &es[e], base, c.refs)
	}
	if a.threads != nil {
		t := sym.p.Threads[a.threads[x]]
		ts := sym.thSlots[t.Index][c.rn.pcs[t.Index]]
		for e := range ts {
			c.refs = c.targets(s, &ts[e], t.localsBase(), c.refs)
		}
	}
	return c.refs
}

// target is a permuted object a slot refers to: array k, position j.
type target struct{ k, j int32 }

// targets appends to out every permuted object slot sl (of the block at
// base) refers to: what the followers (refsOf) read. abstract, incoming
// and link decode slots the same way with loops of their own, as they run
// on every state (or every state with ties) and a call per slot shows.
func (c *Canonicaliser) targets(s State, sl *slot, base uint32, out []target) []target {
	switch sl.kind {
	case slotRef:
		if k2, j2 := c.symObj(sl.st, s.get(base+sl.off, sl.w)); k2 >= 0 {
			out = append(out, target{k2, j2})
		}
	case slotTask:
		if v := s.get(base+sl.off, sl.w); v != 0 && c.sym.thArr[v-1] >= 0 {
			out = append(out, target{c.sym.thArr[v-1], c.sym.thPos[v-1]})
		}
	case slotList:
		off := base + sl.off
		n := int(s.get(off, sl.li.LenW))
		for i := 0; i < n; i++ {
			if k2, j2 := c.symObj(sl.st, uint64(c.sym.p.listAt(s, off, sl.li, i))); k2 >= 0 {
				out = append(out, target{k2, j2})
			}
		}
	}
	return out
}

// derive sets follower f's run in c.order from its leader's current order.
func (c *Canonicaliser) derive(f *follower) {
	lead, run := c.order[f.lk][f.lj:f.lj+f.n], c.order[f.k][f.j:f.j+f.n]
	for i, x := range lead {
		for m := 0; m < len(f.mates); m += 2 {
			if f.mates[m] == x {
				run[i] = f.mates[m+1]
				break
			}
		}
	}
}

// deriveFrom re-derives the followers of the tie at (k, j), and theirs.
func (c *Canonicaliser) deriveFrom(k, j int) {
	for i := range c.follow {
		if f := &c.follow[i]; f.lk == k && f.lj == j {
			c.derive(f)
			c.deriveFrom(f.k, f.j)
		}
	}
}

// swapFollowers swaps, in the swap permutations sw, the objects of every
// follower of the tie at (k, j) (and of their followers) mated with the
// leader's objects at new positions i and i+1: a joint swap of pairs.
func (c *Canonicaliser) swapFollowers(sw [][]int32, k, j, i int) {
	for f := range c.follow {
		if fl := &c.follow[f]; fl.lk == k && fl.lj == j {
			a := fl.j + i - j
			sw[fl.k][a], sw[fl.k][a+1] = sw[fl.k][a+1], sw[fl.k][a]
			c.swapFollowers(sw, fl.k, fl.j, a)
		}
	}
}
