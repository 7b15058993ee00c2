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
	code := run([]string{"wqcheck", "bench", "--sizes", "3/1", "--kinds", "unbound,percpu", "--modes", "default,1-worker,exact,no-symmetry", "upstream"}, &out, &errOut)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 1+2*4 || !strings.HasPrefix(lines[0], "variant") {
		t.Fatalf("want a header and 8 rows, got:\n%s", out.String())
	}
	for i, kind := range []string{"unbound", "percpu"} {
		var states []string
		for _, row := range lines[1+4*i : 5+4*i] {
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
		if states[3] == states[0] {
			t.Errorf("%s: symmetry reduction stored as many states as the search without it: %v", kind, states)
		}
	}
	// the counts of testdata/scenarios/workqueue.txt, with and without symmetry
	for _, n := range []string{" 4,680 ", " 10,422 "} {
		if !strings.Contains(out.String(), n) {
			t.Errorf("upstream unbound 3/1 should have%sstates:\n%s", n, out.String())
		}
	}
}

// A bench run cut by a bound exits 3 (incomplete), as check does; the
// violations a complete run finds are the bench's data, not a failure.
func TestBenchIncompleteStatus(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run([]string{"wqcheck", "bench", "--sizes", "3/1", "--kinds", "unbound", "--modes", "default", "--max-states", "100", "upstream"}, &out, &errOut)
	if code != exitIncomplete || !strings.Contains(out.String(), "100+") {
		t.Errorf("exit %d, want 3 and a row cut at 100 states:\n%s%s", code, out.String(), errOut.String())
	}
}
