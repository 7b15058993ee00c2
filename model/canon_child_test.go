package model

import (
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"wqcheck/examples"
)

// TestChildIsCanon: on every successor of every representative of every
// example's quotient graph (and of the workqueue variants at 4 workers and
// 2 items on both pool kinds, and fine-grained at their defaults; up to
// 50,000 representatives each), and of the hostile models in
// testdata/canon (references moved between fixed slots, lock owners and
// task values, a thread resting in a foreach, cycles of references that
// leave ties, beyond maxTieCandidates too), merged and fine-grained, Child
// gives what Canon gives: the same state, the same answer, the same
// permutation of every array. And the shortcut is taken, not only the
// fallback: on each hostile model, and on at least one successor in
// twenty in all.
func TestChildIsCanon(t *testing.T) {
	names, _ := fs.Glob(examples.FS, "*.wq")
	l := &Loader{Builtin: examples.FS}
	var sets []map[string]string
	for _, name := range names {
		sets = append(sets, map[string]string{"": name})
		if src, _ := fs.ReadFile(examples.FS, name); strings.Contains(string(src), "UNBOUND") {
			for _, u := range []string{"true", "false"} {
				sets = append(sets, map[string]string{"": name, "UNBOUND": u, "NR_WORKERS": "4", "NR_WORKS": "2"},
					map[string]string{"": name, "UNBOUND": u, "fine": "true"})
			}
		}
	}
	total, skipped := 0, 0
	hostile, _ := filepath.Glob("testdata/canon/*.wq")
	for _, file := range hostile {
		for _, fine := range []bool{false, true} {
			p, err := (&Loader{}).Load(file, Options{Fine: fine})
			if err != nil {
				t.Fatal(err)
			}
			n, k := childAgreesWithCanon(t, p, map[string]string{"": file})
			if k == 0 {
				t.Errorf("%s (fine-grained %v): the shortcut took none of %d successors", file, fine, n)
			}
			total, skipped = total+n, skipped+k
		}
	}
	for _, set := range sets {
		name := set[""]
		opts := Options{Set: map[string]string{}, Fine: set["fine"] != ""}
		for k, v := range set {
			if k != "" && k != "fine" {
				opts.Set[k] = v
			}
		}
		p, err := l.Load(strings.TrimSuffix(name, ".wq"), opts)
		if err != nil {
			t.Fatal(err)
		}
		n, k := childAgreesWithCanon(t, p, set)
		total, skipped = total+n, skipped+k
	}
	t.Logf("%d successors, %d kept by the shortcut", total, skipped)
	if skipped*20 < total {
		t.Errorf("the shortcut took %d of %d successors: fewer than one in twenty", skipped, total)
	}
}

// childAgreesWithCanon searches p's quotient graph and compares Child with
// Canon on every successor; it returns how many successors it compared
// and on how many sameOrder held.
func childAgreesWithCanon(t *testing.T, p *Program, set map[string]string) (n, skipped int) {
	t.Helper()
	sym := p.NewSymmetry(p.SymmetryCandidates(nil))
	if sym == nil {
		return 0, 0
	}
	c1, c2 := sym.NewCanonicaliser(sym.NewSymWatch()), sym.NewCanonicaliser(sym.NewSymWatch())
	init, err := p.Initial()
	if err != nil {
		t.Fatal(err)
	}
	c1.Canon(init)
	seen := map[string]bool{string(init.Bytes()): true}
	queue := []State{init}
	st := p.NewStepper()
	for i := 0; i < len(queue) && len(seen) < 50000; i++ {
		parent := queue[i]
		st.Successors(parent, func(sc *Succ) {
			if sc.Err != nil {
				return
			}
			a, b := sc.State.Clone(), sc.State.Clone()
			if sym.sameOrder(parent, a) {
				skipped++
			}
			ca, cb := c1.Child(parent, a), c2.Canon(b)
			n++
			if ca != cb || !slices.Equal(a, b) {
				t.Fatalf("%v: Child gives %v, %v; Canon %v, %v", set, ca, a, cb, b)
			}
			for k := range sym.arrays {
				if !slices.Equal(c1.Perm(k), c2.Perm(k)) {
					t.Fatalf("%v: array %d: Child's permutation %v, Canon's %v", set, k, c1.Perm(k), c2.Perm(k))
				}
			}
			if key := string(a.Bytes()); !seen[key] {
				seen[key] = true
				queue = append(queue, a)
			}
		})
	}
	return n, skipped
}
