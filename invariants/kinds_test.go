package invariants

import (
	"testing"

	"wqcheck/examples"
	"wqcheck/model"
)

// Every property kind is registered, under its own PropKind, and says in
// exactly one way where the search decides it.
func TestRegistry(t *testing.T) {
	for k := model.PropInvariant; k <= model.PropLiveness; k++ {
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

// masks keep a byte per state when the bits fit, 8 bytes for 64.
func TestMasks(t *testing.T) {
	for _, bits := range []int{8, 64} {
		m := newMasks(bits)
		wide := bits > 8
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

// The liveness checks of a suite keep one set of fairness facts: the
// first fills it, the others read it (and count no bytes for it).
func TestLivenessChecksShareFairFacts(t *testing.T) {
	p, err := (&model.Loader{Builtin: examples.FS}).Load("upstream", model.Options{})
	if err != nil {
		t.Fatal(err)
	}
	checks, _ := NewSuite(p).GraphChecks()
	var facts *fairFacts
	owners, sharers := 0, 0
	for _, c := range checks {
		l, ok := c.(interface{ fairFacts() *fairFacts })
		if !ok {
			continue
		}
		if facts == nil {
			facts = l.fairFacts()
		}
		if l.fairFacts() != facts {
			t.Errorf("%T keeps fairness facts of its own", c)
		}
		if c.(interface{ isOwner() bool }).isOwner() {
			owners++
		} else if c.(interface{ factsBytes() uint64 }).factsBytes() == 0 {
			sharers++
		}
	}
	if owners != 1 || sharers < 3 {
		t.Errorf("%d owners and %d sharers of the fairness facts; want 1 and lockup, starvation, L1, L2's others", owners, sharers)
	}
}
