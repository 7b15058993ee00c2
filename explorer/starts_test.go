package explorer_test

import (
	"fmt"
	"testing"

	"wqcheck/model"
)

// The thread-start advance (model/starts.go) against the same model with
// every thread at its first line: the same verdicts and shortest trace
// lengths, never more states, on the workqueue variants (each starts its
// idle workers, the cull, time and the RCU free past their leading
// branches).
func TestStartsKeepVerdicts(t *testing.T) {
	type config struct {
		name string
		set  map[string]string
		big  bool // without symmetry only under WQCHECK_LONG
	}
	configs := []config{
		{"upstream", nil, false},
		{"upstream", map[string]string{"UNBOUND": "false", "NR_WORKS": "2"}, true},
		{"upstream", map[string]string{"NR_WORKERS": "2", "NR_BUSY": "1", "FREE_SLOTS": "1"}, false},
	}
	if long(t, "the thread-start advance with hotplug, TIMED and on every variant") {
		configs = append(configs,
			config{"upstream", map[string]string{"UNBOUND": "false", "HOTPLUG": "true"}, true},
			config{"upstream", map[string]string{"TIMED": "true"}, false})
		for _, v := range workqueueVariants(t) {
			if v != "upstream" {
				configs = append(configs, config{v, nil, false}, config{v, map[string]string{"UNBOUND": "false"}, true})
			}
		}
	}
	for _, c := range configs {
		t.Run(fmt.Sprint(c.name, c.set), func(t *testing.T) {
			keep, err := loader.Load(c.name, model.Options{Set: c.set, KeepStarts: true})
			if err != nil {
				t.Fatal(err)
			}
			moved, err := loader.Load(c.name, model.Options{Set: c.set})
			if err != nil {
				t.Fatal(err)
			}
			if keep.AdvancedStarts() != "" || moved.AdvancedStarts() == "" {
				t.Fatalf("advanced starts: kept %q, moved %q", keep.AdvancedStarts(), moved.AdvancedStarts())
			}
			keepsVerdicts(t, keep, moved, c.big, "with the starts advanced ("+moved.AdvancedStarts()+")")
		})
	}
}
