package explorer_test

import (
	"fmt"
	"strings"
	"testing"

	"wqcheck/explorer"
	"wqcheck/model"
)

// shortest is each property's verdict and, where it has a trace, the
// trace's length.
func shortest(r *explorer.Result) map[string]string {
	m := map[string]string{}
	for _, pr := range r.Props {
		v := fmt.Sprint(pr.Verdict)
		if pr.Trace != nil {
			v += fmt.Sprintf(" in %d steps", len(pr.Trace.Steps))
		}
		m[pr.Prop.Name] = v
	}
	return m
}

// The live_when reduction (model/deadfields.go) against the same model
// with its dead fields kept: the same verdicts and shortest trace lengths,
// never more states, and fewer where the field is stale somewhere (every
// workqueue configuration with the cull: a worker that leaves the idle
// list keeps its expiry otherwise).
func TestDeadFieldsKeepVerdicts(t *testing.T) {
	type config struct {
		name string
		set  map[string]string
		big  bool // a million states without symmetry: WQCHECK_LONG
	}
	configs := []config{
		{"upstream", nil, false},
		{"upstream", map[string]string{"UNBOUND": "false", "NR_WORKS": "2"}, true},
		{"upstream", map[string]string{"TIMED": "true"}, false},
		{"upstream", map[string]string{"NR_WORKERS": "2", "NR_BUSY": "1", "FREE_SLOTS": "1"}, false},
	}
	if long(t, "the live_when reduction with hotplug and on every variant") {
		configs = append(configs, config{"upstream", map[string]string{"UNBOUND": "false", "HOTPLUG": "true"}, true})
	}
	for _, v := range workqueueVariants(t) {
		if v != "upstream" {
			configs = append(configs, config{v, nil, false}, config{v, map[string]string{"UNBOUND": "false"}, true})
		}
	}
	for _, c := range configs {
		t.Run(fmt.Sprint(c.name, c.set), func(t *testing.T) {
			keep, err := loader.Load(c.name, model.Options{Set: c.set, KeepDead: true})
			if err != nil {
				t.Fatal(err)
			}
			dead, err := loader.Load(c.name, model.Options{Set: c.set})
			if err != nil {
				t.Fatal(err)
			}
			if dead.DeadFields() == "" {
				t.Fatalf("no live_when field in use")
			}
			keepsVerdicts(t, keep, dead, c.big, "with the dead fields zeroed")
		})
	}
}

// keepsVerdicts explores a model with a reduction (red) and without it
// (ref), with symmetry reduction on and (unless the configuration is big
// and the run is not long) off: the same verdicts and shortest trace
// lengths, and never more states with the reduction.
func keepsVerdicts(t *testing.T, ref, red *model.Program, big bool, what string) {
	t.Helper()
	checkReduction(t, ref, red, big, what, false)
}

// checkReduction is keepsVerdicts; with shorter, a reduction that removes
// steps may also shorten the traces: the verdicts are the same and no
// trace is longer.
func checkReduction(t *testing.T, ref, red *model.Program, big bool, what string, shorter bool) {
	t.Helper()
	syms := []bool{true}
	if !big || long(t, "a large configuration without symmetry") {
		syms = append(syms, false)
	}
	for _, sym := range syms {
		a := explorer.Explore(ref, explorer.Options{All: true, Symmetry: sym})
		b := explorer.Explore(red, explorer.Options{All: true, Symmetry: sym})
		if !a.Complete || !b.Complete {
			t.Fatalf("incomplete")
		}
		want, got := shortest(a), shortest(b)
		if shorter {
			want, got = atMost(want, got), bare(got)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("symmetry %v: verdicts differ\nwithout: %s\n%s: %s", sym, shortest(a), what, shortest(b))
		}
		if b.Stats.States > a.Stats.States {
			t.Errorf("symmetry %v: %d states %s, %d without", sym, b.Stats.States, what, a.Stats.States)
		}
		t.Logf("symmetry %v: %d -> %d states %s", sym, a.Stats.States, b.Stats.States, what)
	}
}

// bare is shortest's map without the lengths.
func bare(m map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[k], _, _ = strings.Cut(v, " in ")
	}
	return out
}

// atMost is bare(ref), with a property marked "LONGER" where red's
// trace is longer than ref's (or has one where ref has none).
func atMost(ref, red map[string]string) map[string]string {
	out := bare(ref)
	for k, v := range ref {
		var n, m int
		_, rs, _ := strings.Cut(v, " in ")
		_, ds, _ := strings.Cut(red[k], " in ")
		fmt.Sscanf(rs, "%d", &n)
		fmt.Sscanf(ds, "%d", &m)
		if m > n || (rs == "" && ds != "") {
			out[k] += " LONGER"
		}
	}
	return out
}
