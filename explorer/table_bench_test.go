package explorer

import (
	"testing"

	"wqcheck/model"
)

// BenchmarkInsert: visited-set inserts of new 16-word states (the size of
// the workqueue model's states), table growth included.
func BenchmarkInsert(b *testing.B) {
	const words = 16
	t := newStateTable(words)
	s := make(model.State, words)
	b.SetBytes(words * 8)
	for i := 0; i < b.N; i++ {
		s[0], s[5] = uint64(i), uint64(i)*0x9E3779B97F4A7C15
		if _, isNew := t.add(s); !isNew {
			b.Fatal("a new state was found in the table")
		}
	}
	b.ReportMetric(float64(t.bytes())/float64(b.N), "table-bytes/state")
}

// BenchmarkLookup: visited-set lookups of states already present.
func BenchmarkLookup(b *testing.B) {
	const words, n = 16, 1 << 16
	t := newStateTable(words)
	s := make(model.State, words)
	for i := 0; i < n; i++ {
		s[0] = uint64(i)
		t.add(s)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s[0] = uint64(i % n)
		if _, isNew := t.add(s); isNew {
			b.Fatal("a present state was not found")
		}
	}
}

// BenchmarkFingerprintInsert: fingerprint-set inserts of new states, growth
// included, without ids (no stranded-work property) and with them.
func BenchmarkFingerprintInsert(b *testing.B) {
	for _, withIDs := range []bool{false, true} {
		name := "set"
		if withIDs {
			name = "with-ids"
		}
		b.Run(name, func(b *testing.B) {
			t := newFPSet(withIDs)
			for i := 0; i < b.N; i++ {
				h := uint64(i+1) * 0x9E3779B97F4A7C15
				if _, isNew := t.insert(nil, h, int32(i)); !isNew {
					b.Fatal("a new fingerprint was found in the set")
				}
			}
			b.ReportMetric(float64(t.bytes())/float64(b.N), "set-bytes/state")
		})
	}
}

// BenchmarkFingerprintLookup: lookups of present fingerprints in a set of
// 4M (larger than the caches, as in a real search).
func BenchmarkFingerprintLookup(b *testing.B) {
	const n = 1 << 22
	t := newFPSet(false)
	for i := 0; i < n; i++ {
		t.insert(nil, uint64(i+1)*0x9E3779B97F4A7C15, int32(i))
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, ok := t.lookup(nil, uint64(i%n+1)*0x9E3779B97F4A7C15); !ok {
			b.Fatal("a present fingerprint was not found")
		}
	}
}
