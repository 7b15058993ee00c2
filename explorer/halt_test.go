package explorer_test

import (
	"sync"
	"testing"
	"time"

	"wqcheck/explorer"
	"wqcheck/invariants"
	"wqcheck/model"
)

// haltModels have properties of each kind: violated in the search
// (deadlock, S2), decided by the whole-graph analyses (stranded work,
// liveness, violated or holding), witnessed.
var haltModels = []struct {
	name string
	set  map[string]string
}{
	{"lost-wakeup", nil},
	{"tas-starve", nil},
	{"upstream", nil},
	{"../testdata/liveness/cull-loop.wq", nil},
	{"../testdata/broken/leave-idle-count.wq", map[string]string{"NR_WORKERS": "2"}},
	{"../testdata/broken/forget-wake.wq", map[string]string{"NR_WORKERS": "2"}},
}

// stopAtAnalyses returns options that close Stop as the whole-graph
// analyses start (the Progress report that says so).
func stopAtAnalyses(o explorer.Options) explorer.Options {
	stop := make(chan struct{})
	var once sync.Once
	o.Stop = stop
	o.Progress = func(st explorer.Stats) {
		if st.Analysing {
			once.Do(func() { close(stop) })
		}
	}
	return o
}

// A signal that comes during the whole-graph analyses after a complete
// search stops them: the result is incomplete (interrupted, in the
// analyses), every property they decide is unknown, never "holds", and
// every other property has the complete search's verdict and trace.
func TestStopInAnalyses(t *testing.T) {
	for _, m := range haltModels {
		p, err := loader.Load(m.name, model.Options{Set: m.set})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range []explorer.Options{{Workers: 1}, {Workers: 2, Symmetry: true}} {
			o.All = true
			ref := explorer.Explore(p, o)
			got := explorer.Explore(p, stopAtAnalyses(o))
			if got.Err != nil || got.Complete || got.Stopped != explorer.StopInterrupted || !got.InAnalyses || got.Decided() && !got.Violated() {
				t.Fatalf("%s: complete %v, stopped %q, in analyses %v, err %v; want interrupted in the analyses", m.name, got.Complete, got.Stopped, got.InAnalyses, got.Err)
			}
			if ref.Stats.LivenessResearch == nil && got.Stats.States != ref.Stats.States {
				t.Errorf("%s: %d states, want the complete search's %d", m.name, got.Stats.States, ref.Stats.States)
			}
			comparePropsAfterStop(t, m.name, ref, got)
		}
	}
}

// comparePropsAfterStop checks got, stopped in the analyses, against the
// complete ref.
func comparePropsAfterStop(t *testing.T, name string, ref, got *explorer.Result) {
	t.Helper()
	for i, pr := range got.Props {
		want := ref.Props[i].Verdict
		if invariants.For(pr.Prop.Kind).Graph != nil {
			want = explorer.Unknown
		}
		if pr.Verdict != want {
			t.Errorf("%s: %s is %s after the analyses were stopped, want %s (complete: %s)", name, pr.Prop.Name, pr.Verdict, want, ref.Props[i].Verdict)
		}
		if pr.Trace != nil && len(pr.Trace.Steps) != len(ref.Props[i].Trace.Steps) {
			t.Errorf("%s: %s's trace has %d steps, want %d", name, pr.Prop.Name, len(pr.Trace.Steps), len(ref.Props[i].Trace.Steps))
		}
	}
}

// The deadline stops the search like a signal, as a time bound: one in
// the past stops it before its first batch, one that passes during the
// analyses stops them.
func TestDeadline(t *testing.T) {
	p := load(t, "upstream", false)
	res := explorer.Explore(p, explorer.Options{All: true, Deadline: time.Now()})
	if res.Complete || res.Stopped != explorer.StopDeadline || res.InAnalyses || res.Decided() {
		t.Errorf("a passed deadline: complete %v, stopped %q, in analyses %v; want stopped by the time bound", res.Complete, res.Stopped, res.InAnalyses)
	}
	deadline := time.Now().Add(500 * time.Millisecond)
	res = explorer.Explore(p, explorer.Options{All: true, Symmetry: true, Deadline: deadline, Progress: func(st explorer.Stats) {
		if st.Analysing {
			time.Sleep(time.Until(deadline))
		}
	}})
	if res.Stopped == explorer.StopDeadline && !res.InAnalyses {
		t.Skip("the search itself took longer than the deadline: a loaded machine")
	}
	if res.Complete || res.Stopped != explorer.StopDeadline || !res.InAnalyses {
		t.Errorf("complete %v, stopped %q, in analyses %v; want the analyses stopped by the time bound", res.Complete, res.Stopped, res.InAnalyses)
	}
}
