package model

import "math/bits"

// The packed layout: where each variable of a model lives in a State.
//
// A State is a fixed number of 64-bit words; every variable sits at a fixed
// bit offset with a fixed width (a value may straddle two words; State.get
// and State.set read and write it). From bit 0:
//
//   - the globals, in declaration order (Global.Off, Global.Width, or a
//     list's ListInfo.bits);
//   - for each struct, its Count objects, Stride bits apart from
//     Struct.Base; a field sits at Field.Off in its object (objBase,
//     fieldOff);
//   - for each thread, its block from Thread.Base (blockBits long): the pc
//     (ThreadKind.PCW bits), the task state (taskW), in a model with CPUs the
//     context state (ThreadKind.CtxW; see context.go), then the live locals
//     (localsBase; Local.Off within them).
//
// The compiler places the globals and fields as it types them
// (declareGlobals, layOutStructs), the objects after the globals
// (placeObjects) and the thread blocks last (placeThreads), once the code
// has sized each kind's locals. Integers are encoded so that all-zero bits
// read as the type's default (encodeInt, state.go).

// taskW is the width of a thread's task state.
const taskW = 3

// bitsFor returns the number of bits needed to hold values 0..n.
func bitsFor(n int64) uint8 {
	if n <= 0 {
		return 0
	}
	return uint8(bits.Len64(uint64(n)))
}

// wordsFor returns the number of 64-bit words that hold n bits.
func wordsFor(n uint32) int { return int((n + 63) / 64) }

// slotOf returns how a variable of type t is stored: width bits, or, for a
// list, as a ListInfo says (width 0).
func (c *compiler) slotOf(t Type) (width uint8, list *ListInfo) {
	if t.Kind == KList {
		return 0, newListInfo(t.Struct)
	}
	return t.width(c.threadCount()), nil
}

// varBits returns the bits a variable stored as slotOf says takes.
func varBits(width uint8, list *ListInfo) uint32 {
	if list != nil {
		return list.bits()
	}
	return uint32(width)
}

// objBase is the bit offset of object obj (of all the struct's objects).
func (s *Struct) objBase(obj int) uint32 { return s.Base + uint32(obj)*s.Stride }

// fieldOff is the bit offset of field f of object obj.
func (s *Struct) fieldOff(obj int, f *Field) uint32 { return s.objBase(obj) + f.Off }

// hdrBits is the size of a thread block's header: pc, task state and, in a
// model with CPUs, the context state; the locals follow.
func (k *ThreadKind) hdrBits() uint32 { return uint32(k.PCW) + taskW + uint32(k.CtxW) }

// blockBits is the size of a thread block: the header and the locals.
func (k *ThreadKind) blockBits() uint32 { return k.hdrBits() + k.locBits }

// taskOff is the bit offset of thread t's task state (its pc is at t.Base).
func (t *Thread) taskOff() uint32 { return t.Base + uint32(t.Kind.PCW) }

// ctxBase is the bit offset of thread t's context state.
func (t *Thread) ctxBase() uint32 { return t.taskOff() + taskW }

// localsBase is the bit offset of thread t's locals.
func (t *Thread) localsBase() uint32 { return t.Base + t.Kind.hdrBits() }

// placeObjects places each struct's objects from bit off, and returns the
// offset after them.
func (c *compiler) placeObjects(off uint32) uint32 {
	for _, s := range c.prog.Structs {
		s.Base = off
		off += s.Stride * uint32(s.Count)
	}
	return off
}

// placeThreads places the thread blocks from bit off, last in the state,
// and sets the program's size.
func (c *compiler) placeThreads(off uint32) {
	p := c.prog
	for _, t := range p.Threads {
		t.Base = off
		off += t.Kind.blockBits()
	}
	p.Bits = off
	p.Words = wordsFor(off)
	if p.Words == 0 {
		p.Words = 1
	}
}

// ClockBits returns a mask of the state bits that stand for time passing:
// every object's `clock` fields. Brief traces do not count a step as a
// cause for writing them (explorer.Slice), as time is not kernel code.
func (p *Program) ClockBits() State {
	mask := make(State, p.Words)
	for _, s := range p.Structs {
		for _, f := range s.Fields {
			if !f.Clock {
				continue
			}
			for obj := 0; obj < s.Count; obj++ {
				mask.set(s.fieldOff(obj, f), f.Width, ^uint64(0))
			}
		}
	}
	return mask
}
