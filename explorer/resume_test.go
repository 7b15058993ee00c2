package explorer_test

import (
	"fmt"
	"testing"

	"wqcheck/explorer"
	"wqcheck/model"
)

// The merged return from schedule() (model/resume.go) against the same
// model with the return a step of its own: the same verdicts, no longer
// traces, never more states, on every built-in model and the workqueue
// variants on both pool kinds.
func TestResumesKeepVerdicts(t *testing.T) {
	type config struct {
		name string
		set  map[string]string
		big  bool // without symmetry only under WQCHECK_LONG
	}
	var configs []config
	for _, name := range loader.BuiltinNames() {
		configs = append(configs, config{name, nil, false})
	}
	configs = append(configs,
		config{"upstream", map[string]string{"UNBOUND": "false", "NR_WORKS": "2"}, true},
		config{"upstream", map[string]string{"NR_WORKERS": "2", "NR_BUSY": "1", "FREE_SLOTS": "1"}, false})
	if long(t, "the merged return with hotplug, TIMED and on every variant") {
		configs = append(configs,
			config{"upstream", map[string]string{"UNBOUND": "false", "HOTPLUG": "true"}, true},
			config{"upstream", map[string]string{"TIMED": "true"}, false})
		for _, v := range workqueueVariants(t) {
			configs = append(configs, config{v, map[string]string{"UNBOUND": "false"}, true})
		}
	}
	for _, c := range configs {
		t.Run(fmt.Sprint(c.name, c.set), func(t *testing.T) {
			keep, err := loader.Load(c.name, model.Options{Set: c.set, KeepResumes: true})
			if err != nil {
				t.Fatal(err)
			}
			merged, err := loader.Load(c.name, model.Options{Set: c.set})
			if err != nil {
				t.Fatal(err)
			}
			if keep.ResumedSchedules() != 0 {
				t.Fatalf("KeepResumes: %d schedule() returns merged", keep.ResumedSchedules())
			}
			checkReduction(t, keep, merged, c.big, fmt.Sprintf("with %d schedule() returns merged", merged.ResumedSchedules()), true)
		})
	}
}

// The models of testdata/scenarios/resume.txt, merged against the
// fine-grained reference: the same verdicts, merged traces real and no
// longer; the wake merges the return in wake.wq (fewer states), and the
// counter-cases find their violation merged: scheduling while atomic with
// the task already TASK_RUNNING or woken (and nothing after it runs), and task_curr() seeing the woken task run
// before it sleeps again in mutex_lock() or await().
func TestResumesAgreeWithReference(t *testing.T) {
	models := scenarioModels(t, "../testdata/scenarios/resume.txt")
	violated := map[string]string{"wake.wq": "not-woken-under-lock", "atomic.wq": "lock-discipline", "atomic-wake.wq": "lock-discipline", "irq-wake.wq": "lock-discipline", "hog.wq": "starvation", "toggle.wq": "", "curr.wq": "woken-runs", "await.wq": "woken-runs"}
	if len(models) != len(violated) {
		t.Fatalf("resume.txt has %d models, the test knows %d", len(models), len(violated))
	}
	for name, src := range models {
		merged, fine := agreesWithReference(t, name, src)
		if prop := violated[name]; prop != "" && verdicts(merged)[prop] != explorer.Violated {
			t.Errorf("%s: %s is %s merged", name, prop, verdicts(merged)[prop])
		}
		if name == "wake.wq" {
			p := compileSource(t, name, src, false)
			if p.ResumedSchedules() != 1 || merged.Stats.States >= fine.Stats.States {
				t.Errorf("%s: %d returns merged, %d states merged, %d fine-grained", name, p.ResumedSchedules(), merged.Stats.States, fine.Stats.States)
			}
		}
	}
}
