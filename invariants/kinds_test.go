package invariants

import (
	"testing"

	"wqcheck/model"
)

// Every property kind is registered, under its own PropKind, and says in
// exactly one way where the search decides it.
func TestRegistry(t *testing.T) {
	for k := model.PropInvariant; k <= model.PropLockdep; k++ {
		kind := For(k)
		if kind == nil {
			t.Fatalf("%s: not registered", k)
		}
		if kind.Kind != k {
			t.Errorf("%s: registered as %s", k, kind.Kind)
		}
		if kind.Doc == "" {
			t.Errorf("%s: no Doc", k)
		}
		n := 0
		for _, set := range []bool{kind.Step, kind.State != nil, kind.Terminal != nil, kind.Graph != nil} {
			if set {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s: decided in %d ways, want exactly one", k, n)
		}
	}
}

// masks keep a byte per state when the items fit, 8 bytes otherwise.
func TestMasks(t *testing.T) {
	for _, wide := range []bool{false, true} {
		m := masks{wide: wide}
		m.grow(3)
		m.set(1, 0x81)
		m.set(2, 0x7f)
		if got := []uint64{m.get(0), m.get(1), m.get(2)}; got[0] != 0 || got[1] != 0x81 || got[2] != 0x7f {
			t.Errorf("wide=%v: got %#x", wide, got)
		}
		want := uint64(3)
		if wide {
			want = 24
		}
		if m.bytes() != want {
			t.Errorf("wide=%v: %d bytes, want %d", wide, m.bytes(), want)
		}
	}
}
