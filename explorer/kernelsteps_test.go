package explorer_test

import (
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"wqcheck/examples"
	"wqcheck/explorer"
	"wqcheck/model"
)

// finerKernelSteps puts back, over a workqueue variant, the finer steps
// that upstream.wq's own claims took away: a clock thread that expires the
// oldest unexpired idle worker one step at a time, where idle_timed_out()
// now decides when the timer or the cull looks; kthread_stop_put() as five
// steps, not two atomic blocks; wq_worker_running()'s test and increment
// as two; maybe_create_worker()'s retry loop, where the manager now
// sleeps until no worker is needed once create_worker() has failed; and
// set_pf_worker()'s lock and unlock as two steps. The claims are arguments about values (docs/
// workqueue-model.md "Which steps merge" and "Time"); this is their check.
// It replaces those functions whole: a variant that patches one of them
// (the history corpus's pre-fix hooks) needs its own finer text.
const finerKernelSteps = `
new daemon thread jiffies() unbound {
    if (!CULL)
        return;
    for (;;) {
        atomic {
            await(data_race(next_to_expire() != NULL && (!TIMED || next_to_expire()->young == 0)));
            data_race(next_to_expire())->expired = true;
        }
    }
}

new worker next_to_expire() {
    return list_nth(&pool.idle_list, len(&pool.idle_list) - 1 - count(v in pool.idle_list: v.expired));
}

bool idle_timed_out(worker w) {
    return w->expired;
}

void reap_dying_workers() {
    worker w;
    while (!list_empty(&pool.cull_list)) {
        w = first(&pool.cull_list);
        list_del(w, &pool.cull_list);
        warn_on(w->task_freed, "S9-task-lifetime");
        w->task_refs++;
        wake_up_process(w);
        await(finished(w));
        put_task_struct(w);
        put_task_struct(w);
    }
}

void wq_worker_running(worker w) {
    if (!w->sleeping)
        return;
    preempt_disable();
    if (!data_race(w->flags & WORKER_NOT_RUNNING))
        data_race(pool.nr_running)++;
    preempt_enable();
    w->sleeping = false;
}

void set_pf_worker() {
    mutex_lock(&wq_pool_attach_mutex);
    mutex_unlock(&wq_pool_attach_mutex);
}

void maybe_create_worker() {
restart:
    raw_spin_unlock_irq(&pool.lock);
    for (;;) {
        if (create_worker() || !data_race(need_to_create_worker()))
            break;
        if (!data_race(need_to_create_worker()))
            break;
    }
    raw_spin_lock_irq(&pool.lock);
    if (need_to_create_worker())
        goto restart;
}
`

// finerDeferredWake puts the deferred waker's put of its task reference
// back into a step of its own, for the variants with deferred wakes.
const finerDeferredWake = `
void deferred_wake(worker p, int window, bool rcu) {
    if (wake_up_process(p))
        woken_by_kick(p);
    warn_on(p->task_freed, "S9-task-lifetime");
    deferred_wake_issued(p, window, rcu);
    if (WAKE_HOLDS_REF)
        put_task_struct(p);
}
`

// The workqueue variants with upstream's coarser kernel steps give the
// verdicts they give with the finer ones, in both pool kinds, with TIMED,
// with hotplug, with free slots for the manager and with a waker that holds
// a reference, and so do the history corpus's manager models; and they
// store fewer states.
func TestCoarserKernelStepsKeepVerdicts(t *testing.T) {
	type cfg struct {
		variant string
		set     map[string]string
		long    bool
	}
	cases := []cfg{
		{"upstream", nil, false},
		{"upstream", map[string]string{"UNBOUND": "false"}, false},
		{"upstream", map[string]string{"UNBOUND": "false", "NR_WORKERS": "4", "NR_BUSY": "1"}, false},
		{"upstream", map[string]string{"TIMED": "true", "NR_WORKERS": "4"}, false},
		{"upstream", map[string]string{"UNBOUND": "false", "HOTPLUG": "true", "NR_WORKERS": "2", "NR_BUSY": "1"}, false},
		{"claim", map[string]string{"UNBOUND": "false", "NR_WORKERS": "4", "NR_BUSY": "1"}, false},
		{"upstream", map[string]string{"UNBOUND": "false", "NR_WORKERS": "2", "NR_BUSY": "1", "FREE_SLOTS": "1", "NR_WORKS": "2"}, false},
		{"upstream", map[string]string{"NR_WORKERS": "3", "NR_BUSY": "2", "FREE_SLOTS": "1", "NR_WORKS": "2"}, false},
		{"claim", map[string]string{"UNBOUND": "false", "NR_WORKERS": "2", "NR_BUSY": "2", "FREE_SLOTS": "2", "NR_WORKS": "2"}, true},
		{"upstream", map[string]string{"UNBOUND": "false", "WORK_MAY_HOG": "true", "NR_WORKERS": "4", "NR_BUSY": "1"}, false},
		{"tick-sleeping-fixed", map[string]string{"CULL": "true", "NR_WORKERS": "3"}, false},
		{"manage-exit-fixed", nil, false},
		{"manage-exit-early", nil, false},
		{"manage-exit-pre", nil, false},
		{"deferred-wake", map[string]string{"NR_WORKERS": "4", "NR_WORKS": "2"}, false},
		{"deferred-wake", map[string]string{"NR_WORKERS": "4", "NR_WORKS": "2", "WAKE_HOLDS_REF": "true"}, true},
		{"deferred-wake", map[string]string{"NR_WORKERS": "4", "WAKE_HOLDS_REF": "true", "WAKE_UNDER_RCU": "true"}, false},
		{"deferred-wake", map[string]string{"UNBOUND": "false", "NR_WORKERS": "4", "WAKE_HOLDS_REF": "true"}, false},
		{"claim-deferred", map[string]string{"UNBOUND": "false", "NR_WORKERS": "3", "NR_WORKS": "2"}, false},
		{"kicked-list", map[string]string{"UNBOUND": "false", "NR_WORKERS": "4"}, false},
		{"claim-deferred", map[string]string{"UNBOUND": "false", "NR_WORKERS": "4", "NR_WORKS": "2"}, true},
		{"claim-deferred", map[string]string{"UNBOUND": "false", "NR_WORKERS": "4"}, true},
		{"kicked-list", map[string]string{"NR_WORKERS": "4", "NR_WORKS": "2"}, true},
		{"upstream", map[string]string{"UNBOUND": "false", "NR_WORKERS": "4", "NR_WORKS": "2"}, true},
	}
	dir := t.TempDir()
	loader := &model.Loader{Builtin: examples.FS}
	for _, c := range cases {
		name := c.variant + " " + setString(c.set)
		if c.long && os.Getenv("WQCHECK_LONG") == "" {
			t.Logf("%s: set WQCHECK_LONG=1 to run it", name)
			continue
		}
		path := filepath.Join(dir, "finer-"+c.variant+".wq")
		src := "model finer extends " + c.variant + ";\n" + finerKernelSteps
		if strings.Contains(c.variant, "deferred") || c.variant == "kicked-list" {
			src += finerDeferredWake
		}
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		coarse, err := loader.Load(c.variant, model.Options{Set: c.set})
		if err != nil {
			t.Fatal(err)
		}
		finer, err := loader.Load(path, model.Options{Set: c.set})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		rc := explorer.Explore(coarse, explorer.Options{All: true, Symmetry: true})
		rf := explorer.Explore(finer, explorer.Options{All: true, Symmetry: true})
		if !rc.Complete || !rf.Complete {
			t.Fatalf("%s: incomplete search", name)
		}
		if got, want := verdicts(rc), verdicts(rf); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: coarser steps give %v, finer %v", name, got, want)
		}
		// (the history corpus's manage-exit models replace the hooks and
		// always find a free slot: nothing there to merge)
		if rc.Stats.States > rf.Stats.States || rc.Stats.States == rf.Stats.States && !strings.HasPrefix(c.variant, "manage-exit") {
			t.Errorf("%s: coarser steps store %d states, finer %d", name, rc.Stats.States, rf.Stats.States)
		}
		t.Logf("%s: %d states, finer %d", name, rc.Stats.States, rf.Stats.States)
	}
}

func setString(set map[string]string) string {
	s := ""
	for _, k := range slices.Sorted(maps.Keys(set)) {
		s += k + "=" + set[k] + " "
	}
	return s
}
