package explorer_test

import (
	"fmt"
	"os"
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
// every mode. With -short (the race detector's run in .ci/run) only the
// teaching examples and upstream: enough states for every phase to run in
// parallel, without the variants' and the corpus' cost under -race.
func TestModesAgreeOnExamples(t *testing.T) {
	for _, name := range loader.BuiltinNames() {
		if testing.Short() && (loader.BuiltinFolder(name) != "" || isWorkqueueVariant(name)) {
			continue
		}
		for _, fine := range granularities(t, name) {
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
	for _, v := range workqueueVariants(t) {
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
	if !long(t, "deferred-wake 4/2 to 300,000 states") {
		return
	}
	p, err := loader.Load("deferred-wake", model.Options{Set: map[string]string{"NR_WORKERS": "4", "NR_WORKS": "2"}})
	if err != nil {
		t.Fatal(err)
	}
	sameAsReference(t, "deferred-wake 4/2 max-states=300000", p, explorer.Options{MaxStates: 300000})
}

// long reports whether the long differential runs are on (WQCHECK_LONG is
// set, as .ci/run sets it); when they are not, it logs what is skipped.
func long(t *testing.T, what string) bool {
	if os.Getenv("WQCHECK_LONG") != "" {
		return true
	}
	t.Logf("skipping %s: set WQCHECK_LONG=1 to run it", what)
	return false
}

// workqueueVariants are the patch variants the differential tests run on
// both pool kinds: upstream alone by default, all five with WQCHECK_LONG.
func workqueueVariants(t *testing.T) []string {
	if long(t, "deferred-wake, claim, claim-deferred and kicked-list on both pool kinds") {
		return []string{"upstream", "deferred-wake", "claim", "claim-deferred", "kicked-list"}
	}
	return []string{"upstream"}
}

// symmetricModes must give the same results as each other (the symmetric
// reference: one worker, exact storage), state for state.
var symmetricModes = []explorer.Options{
	{Workers: 1, Symmetry: true},
	{Workers: 2, Symmetry: true},
	{Workers: 3, Symmetry: true, Exact: true},
}

// sameWithSymmetry checks symmetry reduction against the plain reference
// on p: the same verdict for every property and the same shortest
// counterexample length; every trace it gives is a real one (it replays,
// and the property fails at its end, with the same stranded items named);
// and any number of workers and either storage give the symmetric
// reference's exact results.
func sameWithSymmetry(t *testing.T, name string, p *model.Program) {
	t.Helper()
	ref := explorer.Explore(p, explorer.Options{All: true, Workers: 1, Exact: true})
	symRef := explorer.Explore(p, explorer.Options{All: true, Workers: 1, Exact: true, Symmetry: true})
	if ref.Err != nil || symRef.Err != nil {
		t.Fatalf("%s: %v / %v", name, ref.Err, symRef.Err)
	}
	if !ref.Complete || !symRef.Complete {
		t.Fatalf("%s: incomplete", name)
	}
	if symRef.Stats.States > ref.Stats.States {
		t.Errorf("%s: symmetry stored more states (%d) than the reference (%d)", name, symRef.Stats.States, ref.Stats.States)
	}
	for i, pr := range ref.Props {
		sp := symRef.Props[i]
		if pr.Verdict != sp.Verdict {
			t.Errorf("%s: %s is %s, with symmetry %s", name, pr.Prop.Name, pr.Verdict, sp.Verdict)
			continue
		}
		if pr.Trace == nil {
			continue
		}
		if len(pr.Trace.Steps) != len(sp.Trace.Steps) {
			t.Errorf("%s: %s: shortest trace %d steps, with symmetry %d", name, pr.Prop.Name, len(pr.Trace.Steps), len(sp.Trace.Steps))
		}
		ok, msg := explorer.Reproduces(p, sp.Trace, i)
		if !ok {
			t.Errorf("%s: %s: the trace found with symmetry does not reproduce: %s", name, pr.Prop.Name, msg)
		}
		if (pr.Prop.Kind == model.PropStranded || pr.Prop.Kind == model.PropDeadlock) && msg != sp.Trace.Msg {
			t.Errorf("%s: %s: the trace says %q, its end state %q", name, pr.Prop.Name, sp.Trace.Msg, msg)
		}
	}
	want := summary(symRef)
	for _, m := range symmetricModes {
		for _, all := range []bool{true, false} {
			o := m
			o.All = all
			w := want
			if !all {
				r0 := explorer.Explore(p, explorer.Options{Workers: 1, Exact: true, Symmetry: true})
				w = summary(r0)
			}
			if got := summary(explorer.Explore(p, o)); got != w {
				t.Errorf("%s (all=%v, workers=%d, exact=%v) differs from the symmetric reference:\n%s\n--- reference ---\n%s", name, all, m.Workers, m.Exact, got, w)
			}
		}
	}
}

// Symmetry reduction on every example, merged and fine-grained, and on the
// workqueue variants on both pool kinds with one and two work items.
func TestSymmetryAgreesWithReference(t *testing.T) {
	for _, name := range loader.BuiltinNames() {
		for _, fine := range granularities(t, name) {
			sameWithSymmetry(t, fmt.Sprintf("%s fine=%v", name, fine), load(t, name, fine))
		}
	}
	if testing.Short() {
		return
	}
	for _, v := range workqueueVariants(t) {
		for _, unbound := range []string{"true", "false"} {
			p, err := loader.Load(v, model.Options{Set: map[string]string{"UNBOUND": unbound}})
			if err != nil {
				t.Fatal(err)
			}
			sameWithSymmetry(t, v+" UNBOUND="+unbound, p)
		}
	}
	if !long(t, "two work items, and a free slot") {
		return
	}
	// two work items: the items are permuted too
	for _, v := range []string{"upstream", "deferred-wake"} {
		p, err := loader.Load(v, model.Options{Set: map[string]string{"NR_WORKS": "2"}})
		if err != nil {
			t.Fatal(err)
		}
		sameWithSymmetry(t, v+" NR_WORKS=2", p)
	}
	p, err := loader.Load("upstream", model.Options{Set: map[string]string{"NR_WORKERS": "2", "NR_BUSY": "1", "FREE_SLOTS": "1", "NR_WORKS": "2"}})
	if err != nil {
		t.Fatal(err)
	}
	sameWithSymmetry(t, "upstream FREE_SLOTS=1", p)
}

// granularities are the step granularities a differential test runs a
// built-in model in: merged and fine-grained; the regression corpus
// (examples/history) fine-grained only with WQCHECK_LONG (its merged runs,
// and TestHistoryCorpus's reference lengths, stay in the quick suite).
func granularities(t *testing.T, name string) []bool {
	// the history corpus and the patch variants fine-grained are long
	// (TestMergeKeepsVerdicts holds their merged verdicts to the fine ones)
	if (loader.BuiltinFolder(name) != "" || isWorkqueueVariant(name)) && os.Getenv("WQCHECK_LONG") == "" {
		return []bool{false}
	}
	return []bool{false, true}
}

// isWorkqueueVariant reports whether a built-in model extends the workqueue
// model (other than upstream itself).
func isWorkqueueVariant(name string) bool {
	for _, v := range []string{"deferred-wake", "claim", "claim-deferred", "kicked-list"} {
		if name == v {
			return true
		}
	}
	return false
}
