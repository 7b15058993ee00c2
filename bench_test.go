package main

import (
	"bytes"
	"strings"
	"testing"
)

// The bench command runs each mode on each configuration; the modes that
// must not change the search (workers, storage) report the same states.
func TestBenchRows(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run([]string{"wqcheck", "bench", "--sizes", "3/1", "--kinds", "unbound,percpu", "--modes", "default,1-worker,exact", "upstream"}, &out, &errOut)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 1+2*3 || !strings.HasPrefix(lines[0], "variant") {
		t.Fatalf("want a header and 6 rows, got:\n%s", out.String())
	}
	for i, kind := range []string{"unbound", "percpu"} {
		var states []string
		for _, row := range lines[1+3*i : 4+3*i] {
			f := strings.Fields(row)
			if f[1] != kind || f[2] != "3/1" {
				t.Fatalf("row %q: want kind %s, size 3/1", row, kind)
			}
			states = append(states, f[5])
			if !strings.HasSuffix(row, "none") {
				t.Errorf("row %q: want no failing property", row)
			}
		}
		if states[0] != states[1] || states[0] != states[2] {
			t.Errorf("%s: the modes found different state counts: %v", kind, states)
		}
	}
	if !strings.Contains(out.String(), " 13,882 ") {
		t.Errorf("upstream unbound 3/1 should have 13,882 states (testdata/scenarios/workqueue.txt):\n%s", out.String())
	}
}
