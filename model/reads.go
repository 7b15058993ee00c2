package model

import (
	"slices"
	"strings"
)

// What a property reads, as bits of the packed State (layout.go), so that
// the search can skip evaluating a property in a new state whose bits it
// reads equal those of a state where it was evaluated already (explorer,
// the check phase).
//
// The compiler gives each property expression the abstract locations it
// reads (footprint.go: a global, a field of every object of a struct, the
// task states, whether threads finished, the CPU contexts); layOutReads
// turns them into bits once the layout is final. A field location is its
// bits in every object (a quantifier reads them all); the task states and
// finished() are every thread's pc and task state; task_curr() (LocCtx)
// depends on locks, awaited conditions and every CPU expression, so a
// property that calls it reads everything (StateBits.All).

// StateBits is a set of bits of a State, word by word.
type StateBits struct {
	// All: every bit (what the property reads is not bounded by a set of
	// locations).
	All   bool
	Words []WordBits // in increasing word order, each with some bit set
}

// WordBits is some bits of one word of a State.
type WordBits struct {
	Word int
	Bits uint64
}

// Differ reports whether a and b (of one program) differ in some bit of r.
// When they do not, a property that reads only r's bits has the same
// value, the same runtime error and the same symmetry-watch hits in both:
// its evaluation takes the same path.
func (r *StateBits) Differ(a, b State) bool {
	if r.All {
		return !slices.Equal(a, b)
	}
	for _, w := range r.Words {
		if (a[w.Word]^b[w.Word])&w.Bits != 0 {
			return true
		}
	}
	return false
}

// add puts bits [off, off+n) in r (not sorted: see sort).
func (r *StateBits) add(off, n uint32) {
	for n > 0 {
		word, sh := int(off/64), off%64
		k := min(n, 64-sh)
		bits := (^uint64(0) >> (64 - k)) << sh
		if i := slices.IndexFunc(r.Words, func(w WordBits) bool { return w.Word == word }); i >= 0 {
			r.Words[i].Bits |= bits
		} else {
			r.Words = append(r.Words, WordBits{word, bits})
		}
		off, n = off+k, n-k
	}
}

// sort puts the words in increasing order.
func (r *StateBits) sort() {
	slices.SortFunc(r.Words, func(a, b WordBits) int { return a.Word - b.Word })
}

// layOutReads gives every property its Reads, from the locations its
// expressions touched (Property.locs), once the layout is final.
func (c *compiler) layOutReads() {
	for _, pr := range c.prog.Props {
		pr.Reads = c.bitsOf(&pr.locs)
	}
}

// bitsOf returns the state bits of the locations in ls.
func (c *compiler) bitsOf(ls *LocSet) StateBits {
	var r StateBits
	if ls.Has(LocCtx) {
		return StateBits{All: true}
	}
	if ls.Has(LocTask) || ls.Has(LocFin) {
		for _, t := range c.prog.Threads {
			r.add(t.Base, uint32(t.Kind.PCW)+taskW)
		}
	}
	for key, id := range c.locs {
		if ls.Has(id) { // ids past maxLocs share a bit: more bits, never fewer
			c.addLocBits(&r, key)
		}
	}
	r.sort()
	return r
}

// addLocBits adds the bits of the location named key (touch): a global's,
// or a field's in every object of its struct.
func (c *compiler) addLocBits(r *StateBits, key string) {
	if name, ok := strings.CutPrefix(key, "g:"); ok {
		g := c.globals[name]
		r.add(g.Off, varBits(g.Width, g.List))
		return
	}
	sname, fname, _ := strings.Cut(strings.TrimPrefix(key, "f:"), ".")
	s := c.structs[sname]
	f := s.byName[fname]
	for obj := range s.Count {
		r.add(s.fieldOff(obj, f), varBits(f.Width, f.List))
	}
}
