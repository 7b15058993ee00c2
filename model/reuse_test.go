package model

import (
	"io/fs"
	"strings"
	"testing"

	"wqcheck/examples"

	"wqcheck/model/syntax"
)

// countStates explores a program exhaustively, without the explorer package
// (which imports this one), and returns the number of distinct states.
func countStates(t *testing.T, p *Program) int {
	t.Helper()
	init, err := p.Initial()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	key := func(s State) string { return string(s.Bytes()) }
	queue := []State{init}
	seen[key(init)] = true
	st := p.NewStepper()
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		st.Successors(s, func(sc *Succ) {
			if sc.Err != nil {
				return
			}
			if k := key(sc.State); !seen[k] {
				seen[k] = true
				queue = append(queue, sc.State.Clone())
			}
		})
		if len(seen) > 200000 {
			t.Fatalf("%s: more than 200000 states", p.Name)
		}
	}
	return len(seen)
}

// Sharing local slots between locals whose lifetimes do not overlap must
// not change the state space: every built-in model (the workqueue ones at
// small bounds) has the same number of states with and without it.
func TestSlotReuseKeepsStates(t *testing.T) {
	names, _ := fs.Glob(examples.FS, "*.wq")
	l := &Loader{Builtin: examples.FS}
	small := map[string]string{"NR_WORKERS": "2", "NR_BUSY": "1", "NR_WORKS": "1"}
	for _, name := range names {
		name = strings.TrimSuffix(name, ".wq")
		opts := Options{}
		if res, _ := l.Resolve(name); res != nil {
			for _, d := range res.Merged.Decls {
				if pd, ok := d.(*syntax.ParamDecl); ok && pd.Name == "NR_WORKERS" {
					opts.Set = small
				}
			}
		}
		noSlotReuse = true
		ref, err := l.Load(name, opts)
		noSlotReuse = false
		if err != nil {
			t.Fatal(err)
		}
		p, err := l.Load(name, opts)
		if err != nil {
			t.Fatal(err)
		}
		if p.Words > ref.Words {
			t.Errorf("%s: reuse made the state longer (%d words, %d without)", name, p.Words, ref.Words)
		}
		if a, b := countStates(t, p), countStates(t, ref); a != b {
			t.Errorf("%s: %d states with slot reuse, %d without", name, a, b)
		}
	}
}
