package explorer_test

import (
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"wqcheck/explorer"
	"wqcheck/model"
	"wqcheck/model/syntax"
)

// scenarioModels returns the .wq files of a scenario file, by name.
func scenarioModels(t *testing.T, path string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	var name string
	var body []string
	flush := func() {
		if name != "" {
			out[name] = strings.Join(body, "\n") + "\n"
		}
		name, body = "", nil
	}
	for _, line := range strings.Split(string(data), "\n") {
		switch {
		case strings.HasPrefix(line, "-- ") && strings.HasSuffix(line, ".wq --"):
			flush()
			name = strings.TrimSuffix(strings.TrimPrefix(line, "-- "), " --")
		case strings.HasPrefix(line, "$ "):
			flush()
		case name != "":
			body = append(body, line)
		}
	}
	flush()
	return out
}

func compileSource(t *testing.T, name, src string, fine bool) *model.Program {
	t.Helper()
	f, err := syntax.Parse(name, []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	p, err := model.Compile(f, map[string][]byte{name: []byte(src)}, model.Options{Fine: fine})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return p
}

// The quiet-mover models of testdata/scenarios/movers.txt, merged against
// the fine-grained reference: every verdict the same, every merged trace
// a real one no longer than the reference's shortest; the models where a
// region collapses store fewer states merged, and the counter-cases (a
// property or a lockless reader sees the state) find their violation both
// ways.
func TestQuietMoversAgreeWithReference(t *testing.T) {
	models := scenarioModels(t, "../testdata/scenarios/movers.txt")
	collapses := map[string]bool{"mutex-region.wq": true, "local-work.wq": true, "mutex-curr.wq": true}
	violated := map[string]string{"mutex-observed.wq": "consistent", "mutex-peeked.wq": "torn-peek", "local-audited.wq": "audit", "goto-curr.wq": "waiter-asleep", "bind-mover.wq": "changed",
		"atomic-write.wq": "half"}
	// atomic blocks whose step must keep what they hold together
	holds := map[string]string{"atomic-section.wq": "half", "quiet-spin.wq": "runtime-error"}
	if len(models) != len(collapses)+len(violated)+len(holds) {
		t.Fatalf("movers.txt has %d models, the test knows %d", len(models), len(collapses)+len(violated)+len(holds))
	}
	for name, src := range models {
		merged, fine := agreesWithReference(t, name, src)
		if collapses[name] && merged.Stats.States >= fine.Stats.States {
			t.Errorf("%s: merged %d states, fine-grained %d: the region did not collapse", name, merged.Stats.States, fine.Stats.States)
		}
		if prop := violated[name]; prop != "" && verdicts(merged)[prop] == explorer.Holds {
			t.Errorf("%s: %s holds merged: a merged step hid the violation", name, prop)
		}
		if prop := holds[name]; prop != "" && verdicts(merged)[prop] != explorer.Holds {
			t.Errorf("%s: %s fails merged: a merged step broke off too early or ran on for ever", name, prop)
		}
	}
}

// agreesWithReference explores a scenario model merged and fine-grained
// and checks that the verdicts are the same and that every merged trace
// reproduces and is no longer than the reference's.
func agreesWithReference(t *testing.T, name, src string) (merged, fine *explorer.Result) {
	t.Helper()
	p := compileSource(t, name, src, false)
	merged = explorer.Explore(p, explorer.Options{All: true})
	fine = explorer.Explore(compileSource(t, name, src, true), explorer.Options{All: true})
	if !merged.Complete || !fine.Complete {
		t.Fatalf("%s: incomplete search", name)
	}
	if got, want := verdicts(merged), verdicts(fine); !reflect.DeepEqual(got, want) {
		t.Errorf("%s: merged verdicts %v, fine-grained %v", name, got, want)
	}
	for i, pr := range merged.Props {
		if pr.Trace == nil || fine.Props[i].Trace == nil {
			continue
		}
		if n, ref := len(pr.Trace.Steps), len(fine.Props[i].Trace.Steps); n > ref {
			t.Errorf("%s: %s: merged trace %d steps, longer than the reference's %d", name, pr.Prop.Name, n, ref)
		}
		if ok, msg := explorer.Reproduces(p, pr.Trace, i); !ok {
			t.Errorf("%s: %s: the merged trace does not reproduce: %s", name, pr.Prop.Name, msg)
		}
	}
	return merged, fine
}

// The default merge treats a guarded access as a mover even where some
// thread reads or writes the location locklessly (data_race()); --reduce
// strict does not (model.Options.Strict). On every built-in model the two
// give the same verdicts: the readers the default does not show half-way
// states to never change a verdict. A model where they differ is a bug
// the default hides, and this test names it.
func TestStrictKeepsVerdicts(t *testing.T) {
	for _, name := range loader.BuiltinNames() {
		if testing.Short() && (loader.BuiltinFolder(name) != "" || isWorkqueueVariant(name)) {
			continue
		}
		if isWorkqueueVariant(name) && name != "upstream" && !long(t, "the strict merge of every workqueue variant") {
			continue
		}
		def, err := loader.Load(name, model.Options{})
		if err != nil {
			t.Fatal(err)
		}
		strict, err := loader.Load(name, model.Options{Strict: true})
		if err != nil {
			t.Fatal(err)
		}
		a := explorer.Explore(def, explorer.Options{All: true, Symmetry: true})
		b := explorer.Explore(strict, explorer.Options{All: true, Symmetry: true})
		if !a.Complete || !b.Complete {
			t.Fatalf("%s: incomplete", name)
		}
		if fmt.Sprint(verdicts(a)) != fmt.Sprint(verdicts(b)) {
			t.Errorf("%s: verdicts differ\nlocks:  %v\nstrict: %v", name, verdicts(a), verdicts(b))
		}
	}
}
