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
// CPU contexts) and which bits of the thread blocks (condReads);
// layOutReads turns them into bits once the layout is final. A field
// location is its bits in every object (a quantifier reads them all);
// task_state() reads every thread's task state, finished() every
// thread's pc (which thread is the value of an expression); task_curr()
// (LocCtx) depends on locks, awaited conditions and every CPU expression,
// so a property that calls it reads everything (StateBits.All). A read of a
// live_when field (deadfields.go) evaluates the field's condition, to
// check that the field is live: the property reads what it reads too.

// StateBits is a set of bits of a State, word by word. A property whose
// Reads two states do not differ in has the same value, the same runtime
// error and the same symmetry-watch hits in both: its evaluation takes the
// same path.
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

// condReads is what a property's expressions read, as the compiler
// notes it.
type condReads struct {
	locs       LocSet // the locations (footprint.go)
	threadBits uint8  // readsTaskStates, readsPCs
	deadFields uint8  // the live_when fields, by deadField.i
}

// Bits of the thread blocks an expression reads (tracking.threadBits):
// the ones the location LocTask or LocFin stands for, told apart.
const (
	readsTaskStates = 1 << iota // task_state(): every thread's task state
	readsPCs                    // finished(): every thread's pc
)

// layOutReads gives every property its Reads, from what its expressions
// read (Property.reads), once the layout is final.
func (c *compiler) layOutReads() {
	for _, pr := range c.prog.Props {
		r := pr.reads
		for _, d := range c.prog.dead {
			if c.prog.deadOn && r.deadFields&(1<<d.i) != 0 {
				r.locs.Or(&d.reads.locs)
				r.threadBits |= d.reads.threadBits
			}
		}
		pr.Reads = c.bitsOf(&r)
	}
}

// bitsOf returns the state bits of what pr names.
func (c *compiler) bitsOf(pr *condReads) StateBits {
	var r StateBits
	if pr.locs.Has(LocCtx) {
		return StateBits{All: true}
	}
	for _, t := range c.prog.Threads {
		if pr.threadBits&readsPCs != 0 {
			r.add(t.Base, uint32(t.Kind.PCW))
		}
		if pr.threadBits&readsTaskStates != 0 {
			r.add(t.taskOff(), taskW)
		}
	}
	for key, id := range c.locs {
		if pr.locs.Has(id) { // ids past maxLocs share a bit: more bits, never fewer
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
