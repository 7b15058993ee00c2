package explorer_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"wqcheck/explorer"
)

// historyVerdicts pins the corpus of fixed workqueue bugs (examples/history):
// each pre-fix variant violates the property its bug broke, with a shortest
// counterexample of the given length, merged (default search) and in the
// reference (fine-grained, no symmetry, one worker, whole states); each fix
// and each control holds every property. A change to the model or to the
// stepping rule that loses one of these bugs, or invents one, fails here.
// Where work is stranded, L1-work-executed fails too, by the same run (a
// lasso that ends in a state where no thread can move, or whose cycle never
// takes the item).
var historyVerdicts = map[string]string{
	// 07edfece8bcb: unbind_workers() preempts wq_worker_running()
	"unbind-running-pre":   "L1-work-executed 19/63, S1-stranded-work 8/40, S5-running-count 6/20, S6-warn-preconditions 7/36",
	"unbind-running-fixed": "",
	// 45c753f5f24d: unbind_workers() preempts wq_worker_sleeping()
	"unbind-sleeping-pre":        "L1-work-executed 18/61, S1-stranded-work 7/38, S5-running-count 4/14, S6-warn-preconditions 6/34",
	"unbind-sleeping-fixed":      "",
	"unbind-sleeping-preemptoff": "",
	// c8f6219be2e5: the tick between a worker's resume and wq_worker_running()
	"tick-sleeping-pre":   "L1-work-executed 9/43, S1-stranded-work 9/40, S5-running-count 6/13, S6-warn-preconditions 8/36, runtime-error 15/51",
	"tick-sleeping-fixed": "",
	// eb2834285cf1: unbind without the final kick
	"unbind-kick-pre":   "L1-work-executed 19/44, S1-stranded-work 4/8",
	"unbind-kick-fixed": "",
	// 29187a9eeaf3: the manager's early exit with the era's waker-side hooks
	"manage-exit-pre":   "S13-idle-reserve 9/30",
	"manage-exit-fixed": "",
	"manage-exit-early": "",
}

func TestHistoryCorpus(t *testing.T) {
	names := map[string]bool{}
	for _, name := range loader.BuiltinNames() {
		if loader.BuiltinFolder(name) == "history" {
			names[name] = true
			if _, ok := historyVerdicts[name]; !ok {
				t.Errorf("examples/history/%s.wq has no expected verdicts here", name)
			}
		}
	}
	for name, want := range historyVerdicts {
		if !names[name] {
			t.Errorf("%s: not in examples/history", name)
			continue
		}
		merged := explorer.Explore(load(t, name, false), explorer.Options{All: true, Workers: 2, Symmetry: true})
		ref := explorer.Explore(load(t, name, true), explorer.Options{All: true, Workers: 1, Exact: true})
		if got := historyOutcome(t, name, merged, ref); got != want {
			t.Errorf("%s: violated (merged/reference lengths) %q, want %q", name, got, want)
		}
	}
}

// historyOutcome lists the violated properties of a variant with their
// shortest counterexample lengths, "NAME merged/reference", and checks that
// both searches are complete and agree on every verdict.
func historyOutcome(t *testing.T, name string, merged, ref *explorer.Result) string {
	t.Helper()
	for _, r := range []*explorer.Result{merged, ref} {
		if r.Err != nil || !r.Complete {
			t.Fatalf("%s: search not complete (%v, stopped: %s)", name, r.Err, r.Stopped)
		}
	}
	var out []string
	for i, pr := range merged.Props {
		rp := ref.Props[i]
		if pr.Verdict != rp.Verdict {
			t.Errorf("%s: %s is %s merged but %s in the reference", name, pr.Prop.Name, pr.Verdict, rp.Verdict)
		}
		if pr.Verdict == explorer.Violated {
			out = append(out, fmt.Sprintf("%s %d/%d", pr.Prop.Name, len(pr.Trace.Steps), len(rp.Trace.Steps)))
		}
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}
