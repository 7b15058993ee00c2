package explorer_test

import (
	"fmt"
	"testing"

	"wqcheck/explorer"
	"wqcheck/model"
)

// modes are the ways of searching that must not change a result: any number
// of workers, fingerprints or whole states. Each is compared with the
// reference: one worker, exact storage.
var modes = []explorer.Options{
	{Workers: 1},
	{Workers: 2},
	{Workers: 2, Exact: true},
	{Workers: 3}, // more workers than cores: chunks finish in any order
}

// sameAsReference runs p in every mode, with and without All, and checks
// that states, transitions, depth, every verdict and every trace (its moves,
// so its length too) equal the reference's.
func sameAsReference(t *testing.T, name string, p *model.Program, base explorer.Options) {
	t.Helper()
	for _, all := range []bool{true, false} {
		ref := base
		ref.All, ref.Workers, ref.Exact = all, 1, true
		want := summary(explorer.Explore(p, ref))
		for _, m := range modes {
			o := base
			o.All, o.Workers, o.Exact = all, m.Workers, m.Exact
			r := explorer.Explore(p, o)
			if r.Err != nil {
				t.Fatalf("%s: %v", name, r.Err)
			}
			if got := summary(r); got != want {
				t.Errorf("%s (all=%v, workers=%d, exact=%v) differs from the reference:\n%s\n--- reference ---\n%s", name, all, m.Workers, m.Exact, got, want)
			}
		}
	}
}

// Every example, merged and fine-grained, gives the reference's results in
// every mode.
func TestModesAgreeOnExamples(t *testing.T) {
	for _, name := range loader.BuiltinNames() {
		for _, fine := range []bool{false, true} {
			sameAsReference(t, fmt.Sprintf("%s fine=%v", name, fine), load(t, name, fine), explorer.Options{})
		}
	}
}

// The workqueue variants on both pool kinds, at a size where several
// properties fail (S9 needs a fourth worker), and under state and depth
// bounds, where where the search stops must not depend on the mode either.
func TestModesAgreeOnWorkqueue(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	for _, v := range []string{"upstream", "deferred-wake", "claim", "claim-deferred", "kicked-list"} {
		for _, unbound := range []string{"true", "false"} {
			p, err := loader.Load(v, model.Options{Set: map[string]string{"UNBOUND": unbound}})
			if err != nil {
				t.Fatal(err)
			}
			name := v + " UNBOUND=" + unbound
			sameAsReference(t, name, p, explorer.Options{})
			sameAsReference(t, name+" max-states=5000", p, explorer.Options{MaxStates: 5000})
			sameAsReference(t, name+" max-depth=20", p, explorer.Options{MaxDepth: 20})
		}
	}
	p, err := loader.Load("deferred-wake", model.Options{Set: map[string]string{"NR_WORKERS": "4", "NR_WORKS": "2"}})
	if err != nil {
		t.Fatal(err)
	}
	sameAsReference(t, "deferred-wake 4/2 max-states=300000", p, explorer.Options{MaxStates: 300000})
}
