package model

// State is a packed model state: a fixed number of 64-bit words holding every
// variable at a fixed bit offset and width (see layout.go). Two states are equal
// exactly when their words are equal, so the words are what the explorer
// hashes and stores. A State has no pointers: tens of millions fit in memory.
type State []uint64

// Clone returns a copy of s.
func (s State) Clone() State { return append(State(nil), s...) }

// Bytes returns the state as little-endian bytes (for hashing and storage).
func (s State) Bytes() []byte {
	b := make([]byte, len(s)*8)
	for i, w := range s {
		for j := 0; j < 8; j++ {
			b[i*8+j] = byte(w >> (8 * j))
		}
	}
	return b
}

// get reads width bits at bit offset off.
func (s State) get(off uint32, width uint8) uint64 {
	if width == 0 {
		return 0
	}
	i, sh := off>>6, off&63
	v := s[i] >> sh
	if sh+uint32(width) > 64 {
		v |= s[i+1] << (64 - sh)
	}
	return v & (1<<width - 1)
}

// set writes the low width bits of v at bit offset off.
func (s State) set(off uint32, width uint8, v uint64) {
	if width == 0 {
		return
	}
	mask := uint64(1)<<width - 1
	v &= mask
	i, sh := off>>6, off&63
	s[i] = s[i]&^(mask<<sh) | v<<sh
	if sh+uint32(width) > 64 {
		rem := 64 - sh
		s[i+1] = s[i+1]&^(mask>>rem) | v>>rem
	}
}

// Encoding of integers: a range that contains 0 stores v for v >= 0 and
// v+size for v < 0, so all-zero bits mean 0; a range above 0 stores v-lo, so
// all-zero bits mean lo. Either way a zeroed slot holds the type's default
// value, which is what a fresh local or a cleared slot must read as.
func encodeInt(v, lo, hi int64) uint64 {
	if lo <= 0 && 0 <= hi {
		if v < 0 {
			return uint64(v + (hi - lo + 1))
		}
		return uint64(v)
	}
	return uint64(v - lo)
}

func decodeInt(u uint64, lo, hi int64) int64 {
	if lo <= 0 && 0 <= hi {
		v := int64(u)
		if v > hi {
			return v - (hi - lo + 1)
		}
		return v
	}
	return int64(u) + lo
}

// clearRange zeroes n bits from bit offset off.
func (s State) clearRange(off, n uint32) {
	for n > 0 {
		i, sh := off>>6, off&63
		k := 64 - sh
		if k > n {
			k = n
		}
		var mask uint64
		if k == 64 {
			mask = ^uint64(0)
		} else {
			mask = (uint64(1)<<k - 1) << sh
		}
		s[i] &^= mask
		off += k
		n -= k
	}
}
