package model

import (
	"math/rand"
	"testing"
)

// The packed state: get returns what set stored, for every offset and
// width (1 to 64 bits), across word boundaries, and set leaves every other
// bit alone. A reference keeps one bool per bit.
func TestStateBits(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	const words = 4
	s := make(State, words)
	ref := make([]bool, words*64)
	for i := 0; i < 20000; i++ {
		w := uint8(1 + rng.Intn(64))
		off := uint32(rng.Intn(words*64 - int(w) + 1))
		v := rng.Uint64()
		if w < 64 {
			v &= 1<<w - 1
		}
		s.set(off, w, v)
		for b := uint32(0); b < uint32(w); b++ {
			ref[off+b] = v>>b&1 == 1
		}
		// read back a random field and compare it with the reference
		rw := uint8(1 + rng.Intn(64))
		roff := uint32(rng.Intn(words*64 - int(rw) + 1))
		var want uint64
		for b := uint32(0); b < uint32(rw); b++ {
			if ref[roff+b] {
				want |= 1 << b
			}
		}
		if got := s.get(roff, rw); got != want {
			t.Fatalf("after set(%d, %d, %#x): get(%d, %d) = %#x, want %#x", off, w, v, roff, rw, got, want)
		}
		if got := s.get(off, w); got != v {
			t.Fatalf("get(%d, %d) = %#x right after set, want %#x", off, w, got, v)
		}
	}
	if s.get(7, 0) != 0 {
		t.Error("a zero-width field reads as non-zero")
	}
}

// Integers are stored biased into their range's width and decode to
// themselves, for ranges that hold zero and ranges that do not.
func TestIntEncoding(t *testing.T) {
	for _, r := range [][2]int64{{0, 1}, {0, 7}, {-1, 8}, {-32768, 32767}, {3, 9}, {-9, -3}, {0, 0}} {
		lo, hi := r[0], r[1]
		w := Type{Kind: KInt, Lo: lo, Hi: hi}.width(0)
		for v := lo; v <= hi; v++ {
			u := encodeInt(v, lo, hi)
			if w < 64 && u >= 1<<w {
				t.Fatalf("int<%d..%d>: %d encodes to %d, which needs more than %d bits", lo, hi, v, u, w)
			}
			if got := decodeInt(u, lo, hi); got != v {
				t.Fatalf("int<%d..%d>: %d encodes to %d and decodes to %d", lo, hi, v, u, got)
			}
		}
		if lo <= 0 && 0 <= hi && encodeInt(0, lo, hi) != 0 {
			t.Errorf("int<%d..%d>: zero does not encode to zero bits (zeroed locals would not read 0)", lo, hi)
		}
	}
}
