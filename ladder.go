package main

// The review ladder: the configurations `wqcheck review` runs on each
// variant, cheapest first, each with the reason it is on the ladder. A rung
// applies to a model that declares every parameter it sets (so a model
// without the workqueue's parameters runs only the first rung); a rung
// whose parameters come out the same as an earlier rung's is not run twice.
// The README ("wqcheck review") shows this table; change both together.

// rung is one configuration: parameter overrides on top of the variant's
// own values.
type rung struct {
	name string
	why  string
	set  [][2]string // NAME, VALUE in the order shown
}

var reviewLadder = []rung{
	{"defaults", "the variant's own parameters", nil},
	{"unbound", "unbound pool, 3 workers (2 busy), 1 item: upstream's S11 witness (a kicked worker culled)",
		[][2]string{{"UNBOUND", "true"}}},
	{"percpu", "per-cpu pool (concurrency managed), the same size",
		[][2]string{{"UNBOUND", "false"}}},
	{"timed", "unbound, every wake window shorter than the idle timeout: what survives needs no stalled CPU",
		[][2]string{{"UNBOUND", "true"}, {"TIMED", "true"}}},
	{"manager", "unbound, 2 workers (1 busy), 1 free slot, 2 items: create_worker() runs (claim-deferred's stale-wake S11)",
		[][2]string{{"UNBOUND", "true"}, {"NR_WORKERS", "2"}, {"NR_BUSY", "1"}, {"FREE_SLOTS", "1"}, {"NR_WORKS", "2"}}},
	{"uaf", "unbound, 4 workers (2 busy), 2 items: deferred-wake's S9 use-after-free (the chain kick's late wake)",
		[][2]string{{"UNBOUND", "true"}, {"NR_WORKERS", "4"}, {"NR_BUSY", "2"}, {"NR_WORKS", "2"}}},
	{"hotplug", "per-cpu pool, cpuhp/0 unbinds and rebinds the workers (the corpus's unbind races)",
		[][2]string{{"UNBOUND", "false"}, {"HOTPLUG", "true"}}},
	{"percpu-2", "per-cpu pool, 3 workers (2 busy), 2 items",
		[][2]string{{"UNBOUND", "false"}, {"NR_WORKERS", "3"}, {"NR_BUSY", "2"}, {"NR_WORKS", "2"}}},
}

// defaultBudget is each variant's time for its ladder: on the 2-core
// machine the README measures on, with another search running, enough for
// deferred-wake to reach its S9 rung and find the use-after-free.
const defaultBudget = "240s"

// setMap returns the rung's overrides as --set values.
func (r rung) setMap() map[string]string {
	m := map[string]string{}
	for _, kv := range r.set {
		m[kv[0]] = kv[1]
	}
	return m
}

// setText writes the overrides as "NAME=VALUE ..." ("" for none).
func (r rung) setText() string {
	s := ""
	for i, kv := range r.set {
		if i > 0 {
			s += " "
		}
		s += kv[0] + "=" + kv[1]
	}
	return s
}
