package explorer_test

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"wqcheck/examples"
	"wqcheck/explorer"
	"wqcheck/model"
)

var loader = &model.Loader{Builtin: examples.FS}

func load(t *testing.T, name string, fine bool) *model.Program {
	t.Helper()
	p, err := loader.Load(name, model.Options{Fine: fine})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return p
}

func verdicts(r *explorer.Result) map[string]explorer.Verdict {
	m := map[string]explorer.Verdict{}
	for _, pr := range r.Props {
		m[pr.Prop.Name] = pr.Verdict
	}
	return m
}

// Lock-region merging is an optimisation: on every built-in model it must
// give the same verdict for every property as the fine-grained reference,
// and it must never find more states.
func TestMergeKeepsVerdicts(t *testing.T) {
	for _, name := range loader.BuiltinNames() {
		t.Run(name, func(t *testing.T) {
			fine := explorer.Explore(load(t, name, true), explorer.Options{All: true})
			merged := explorer.Explore(load(t, name, false), explorer.Options{All: true})
			if !fine.Complete || !merged.Complete {
				t.Fatalf("incomplete search")
			}
			if got, want := verdicts(merged), verdicts(fine); !reflect.DeepEqual(got, want) {
				t.Errorf("merged verdicts %v, fine-grained %v", got, want)
			}
			if merged.Stats.States > fine.Stats.States {
				t.Errorf("merging found more states (%d) than the fine-grained search (%d)", merged.Stats.States, fine.Stats.States)
			}
		})
	}
}

// The teaching examples give the verdicts they document.
func TestTeachingVerdicts(t *testing.T) {
	want := map[string]string{
		// lockdep cannot tell the two accounts' locks apart (one class)
		"abba":                "deadlock lockdep-recursive",
		"abba-fixed":          "",
		"lost-wakeup":         "deadlock",
		"lost-wakeup-fixed":   "",
		"lost-work":           "lost_work",
		"lost-work-fixed":     "",
		"lock-cycle":          "deadlock lockdep-circular",
		"lock-cycle-fixed":    "",
		"irq-inversion":       "deadlock lockdep-hardirq",
		"irq-inversion-fixed": "",
	}
	for name, bad := range want {
		for _, fine := range []bool{false, true} {
			r := explorer.Explore(load(t, name, fine), explorer.Options{All: true})
			for _, pr := range r.Props {
				exp := explorer.Holds
				if slices.Contains(strings.Fields(bad), pr.Prop.Name) {
					exp = explorer.Violated
				}
				if pr.Verdict != exp {
					t.Errorf("%s (fine=%v): %s is %s, want %s", name, fine, pr.Prop.Name, pr.Verdict, exp)
				}
			}
		}
	}
}

func summary(r *explorer.Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "states=%d transitions=%d depth=%d\n", r.Stats.States, r.Stats.Transitions, r.Stats.Depth)
	for _, pr := range r.Props {
		fmt.Fprintf(&b, "%s=%s", pr.Prop.Name, pr.Verdict)
		if pr.Trace != nil {
			for _, st := range pr.Trace.Steps {
				fmt.Fprintf(&b, " %d/%d", st.Thread.Index, st.Branch)
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

// The same model gives the same counts and the same traces on every run.
func TestDeterministic(t *testing.T) {
	for _, name := range loader.BuiltinNames() {
		a := summary(explorer.Explore(load(t, name, false), explorer.Options{All: true}))
		b := summary(explorer.Explore(load(t, name, false), explorer.Options{All: true}))
		if a != b {
			t.Errorf("%s: two runs differ:\n%s\n---\n%s", name, a, b)
		}
	}
}

// A bound that stops the search makes undecided properties unknown, never holds.
func TestBoundsGiveUnknown(t *testing.T) {
	r := explorer.Explore(load(t, "lost-work-fixed", false), explorer.Options{MaxStates: 10, All: true})
	if r.Complete || r.Stopped != "max-states" {
		t.Fatalf("complete=%v stopped=%q, want an incomplete search stopped by max-states", r.Complete, r.Stopped)
	}
	for _, pr := range r.Props {
		if pr.Verdict != explorer.Unknown {
			t.Errorf("%s is %s under a bound, want unknown", pr.Prop.Name, pr.Verdict)
		}
	}
	r = explorer.Explore(load(t, "lost-work-fixed", false), explorer.Options{MaxDepth: 3, All: true})
	if r.Complete || r.Stopped != "max-depth" {
		t.Fatalf("complete=%v stopped=%q, want max-depth", r.Complete, r.Stopped)
	}
	stop := make(chan struct{})
	close(stop)
	r = explorer.Explore(load(t, "lost-work-fixed", false), explorer.Options{Stop: stop})
	if r.Complete || r.Stopped != "interrupted" {
		t.Fatalf("complete=%v stopped=%q, want interrupted", r.Complete, r.Stopped)
	}
}

// Every counterexample replays to a state that violates its property, and
// no shorter path exists: a depth-bounded search one step shorter does not
// find the violation.
func TestTracesAreShortest(t *testing.T) {
	for _, name := range []string{"abba", "lost-wakeup", "lost-work"} {
		for _, fine := range []bool{false, true} {
			p := load(t, name, fine)
			r := explorer.Explore(p, explorer.Options{All: true})
			for _, pr := range r.Props {
				if pr.Trace == nil {
					continue
				}
				n := len(pr.Trace.Steps)
				if pr.Prop.Kind == model.PropStranded {
					continue // decided on the whole graph, not by a bounded search
				}
				short := explorer.Explore(p, explorer.Options{All: true, MaxDepth: n - 1})
				for _, sp := range short.Props {
					if sp.Prop.Name == pr.Prop.Name && sp.Verdict == explorer.Violated && len(sp.Trace.Steps) < n {
						t.Errorf("%s: %s has a %d-step trace, but one of %d steps exists", name, pr.Prop.Name, n, len(sp.Trace.Steps))
					}
				}
			}
		}
	}
}
