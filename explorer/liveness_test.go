package explorer_test

import (
	"fmt"
	"testing"

	"wqcheck/explorer"
	"wqcheck/invariants"
)

// liveModels are the models whose liveness verdicts the tests pin: the
// teaching examples, a symmetric model whose lasso exists only through a
// permutation (token-ring), and a workqueue variant that locks up.
var liveModels = []struct {
	name string
	want map[string]explorer.Verdict // liveness properties; the rest hold
}{
	{"tas-starve", map[string]explorer.Verdict{"B-gets-the-lock": explorer.Violated}},
	{"tas-ticket", nil},
	{"livelock", map[string]explorer.Verdict{"A-gets-through": explorer.Violated}},
	{"livelock-fixed", nil},
	{"../testdata/liveness/token-ring.wq", map[string]explorer.Verdict{"never-done": explorer.Violated}},
	{"../testdata/liveness/cull-loop.wq", map[string]explorer.Verdict{"lockup": explorer.Violated, "starvation": explorer.Violated, "L2-kicked-worker-runs": explorer.Violated}},
	{"upstream", nil},
	{"claim", nil},
	{"deferred-wake", nil},
}

// liveSummary is what a search says of the liveness properties: verdicts,
// lasso lengths and where the cycles start.
func liveSummary(r *explorer.Result) string {
	s := ""
	for _, pr := range r.Props {
		if !invariants.IsLiveness(pr.Prop.Kind) {
			continue
		}
		s += fmt.Sprintf("%s %s", pr.Prop.Name, pr.Verdict)
		if pr.Trace != nil {
			s += fmt.Sprintf(" steps=%d loop=%d", len(pr.Trace.Steps), pr.Trace.Loop)
		}
		s += "\n"
	}
	return s
}

// Every liveness verdict is the expected one, every lasso replays (its
// cycle closes, is fair, and the property fails along it), and symmetry
// reduction and the number of workers give the reference's verdicts, lasso
// lengths and cycle starts (the reference: no symmetry, one worker, whole
// states stored).
func TestLivenessAgreesWithReference(t *testing.T) {
	for _, m := range liveModels {
		p := load(t, m.name, false)
		ref := explorer.Explore(p, explorer.Options{All: true, Workers: 1, Exact: true})
		if ref.Err != nil {
			t.Fatalf("%s: %v", m.name, ref.Err)
		}
		for i, pr := range ref.Props {
			if !invariants.IsLiveness(pr.Prop.Kind) {
				continue
			}
			want := explorer.Holds
			if v, ok := m.want[pr.Prop.Name]; ok {
				want = v
			}
			if pr.Verdict != want {
				t.Errorf("%s: %s %s, want %s", m.name, pr.Prop.Name, pr.Verdict, want)
			}
			if pr.Trace != nil {
				if ok, msg := explorer.Reproduces(p, pr.Trace, i); !ok {
					t.Errorf("%s: the lasso of %s does not reproduce: %s", m.name, pr.Prop.Name, msg)
				}
			}
		}
		want := liveSummary(ref)
		for _, o := range []explorer.Options{{Symmetry: true}, {Symmetry: true, Workers: 2}, {Workers: 2}} {
			o.All = true
			if got := liveSummary(explorer.Explore(p, o)); got != want {
				t.Errorf("%s (symmetry=%v, workers=%d) differs from the reference:\n%s--- reference ---\n%s", m.name, o.Symmetry, o.Workers, got, want)
			}
		}
	}
}
