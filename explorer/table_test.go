package explorer

import (
	"math/rand/v2"
	"testing"
)

// The fingerprint set behaves as a set of fingerprints, with the ids it was
// given, through many growths, a split into shards, and with clustered
// values (equal high bits, so long probe runs), and keeps each shard's array
// sorted.
func TestFingerprintSet(t *testing.T) {
	for _, withIDs := range []bool{false, true} {
		s := newFPSet(withIDs)
		want := map[uint64]int32{}
		r := rand.New(rand.NewPCG(1, 2))
		for i := 0; i < 100000; i++ {
			if i == 50000 {
				if s.split() {
					t.Fatalf("a set of %d was split", s.count())
				}
				s.splitNow()
			}
			h := r.Uint64()
			switch i % 4 {
			case 1:
				h &= 0xFFFF // a cluster of small fingerprints, homes all in slot 0
			case 2:
				h = 0 // stored as 1
			}
			fp := fingerprint(h)
			id, isNew := s.insert(nil, h, int32(i))
			old, seen := want[fp]
			if isNew == seen {
				t.Fatalf("insert %#x: new=%v, but seen before=%v", h, isNew, seen)
			}
			if !seen {
				want[fp] = int32(i)
			} else if withIDs && id != old {
				t.Fatalf("insert %#x again: id %d, want %d", h, id, old)
			}
		}
		if s.count() != len(want) {
			t.Fatalf("%d fingerprints stored, want %d", s.count(), len(want))
		}
		for fp, id := range want {
			got, ok := s.lookup(nil, fp)
			if !ok || withIDs && got != id {
				t.Fatalf("lookup %#x = %d, %v; want %d, true", fp, got, ok, id)
			}
		}
		if _, ok := s.lookup(nil, 0xFFFFFFFFFFFFFFFE); ok && want[0xFFFFFFFFFFFFFFFE] == 0 {
			t.Fatal("an absent fingerprint was found")
		}
		for k := range s.shards {
			sh := &s.shards[k]
			prev := uint64(0)
			for _, fp := range sh.slots {
				if fp == 0 {
					continue
				}
				if fp <= prev || s.shardOf(fp) != k {
					t.Fatalf("shard %d: %#x after %#x (unsorted, or in the wrong shard)", k, fp, prev)
				}
				prev = fp
			}
			if load := float64(sh.n) / float64(sh.size); load > fpMaxLoad {
				t.Fatalf("shard %d: load %.2f above %.2f", k, load, fpMaxLoad)
			}
		}
	}
}

// The compact parent records give back every parent, step index and depth
// of a random BFS-shaped tree, including runs of more than 255 children.
func TestRecordsParents(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	rec := newRecords()
	parent := []int32{-1}
	step := []int{0}
	depth := []int{0}
	n := int32(1)
	for src := int32(0); src < n && n < 300000; src++ {
		kids := r.IntN(4)
		if src%5000 == 7 {
			kids = 300 // more than a byte holds
		}
		first := n
		for k := 0; k < kids; k++ {
			sk := k*2 + r.IntN(2) // not every successor is new
			rec.added(n, sk, depth[src]+1)
			parent, step, depth = append(parent, src), append(step, sk), append(depth, depth[src]+1)
			n++
		}
		rec.expanded(int(n-first), first)
	}
	for id := int32(1); id < n; id++ {
		if got := rec.parent(id); got != parent[id] {
			t.Fatalf("parent(%d) = %d, want %d", id, got, parent[id])
		}
		if got := rec.stepOf(id); got != step[id] {
			t.Fatalf("stepOf(%d) = %d, want %d", id, got, step[id])
		}
		if got := rec.depth(id); got != depth[id] {
			t.Fatalf("depth(%d) = %d, want %d", id, got, depth[id])
		}
	}
}
