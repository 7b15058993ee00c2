package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"wqcheck/explorer"
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
	for _, n := range []string{" 314 ", " 868 "} {
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

// A preset runs its configuration: the table (with --reference's column)
// against a golden, timings and memory masked. The test adds a small preset
// of its own, (a), (b) and (c) being minutes long.
func TestBenchPresetGolden(t *testing.T) {
	saved := benchPresets
	defer func() { benchPresets = saved }()
	benchPresets = append(benchPresets[:len(benchPresets):len(benchPresets)], benchPreset{"t", "upstream", "unbound", map[string]string{"NR_WORKERS": "3", "NR_BUSY": "2", "NR_WORKS": "1"}, "test"})
	var out, errOut bytes.Buffer
	code := run([]string{"wqcheck", "bench", "--preset", "t", "--reference", "--modes", "default,no-symmetry,reference", "--workers", "2"}, &out, &errOut)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	got := maskBenchColumns(t, out.String(), "seconds", "cpu s", "serial", "analysis", "states/s", "vectors", "peak RSS")
	golden := filepath.Join("testdata", "bench", "preset.txt")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("bench --preset t differs from %s (go test -run TestBenchPresetGolden -update):\n%s", golden, got)
	}
	// the reference mode's own row and the reference column agree
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	ref := strings.Fields(lines[3])
	if ref[4] != "reference" || ref[6] != ref[7] {
		t.Errorf("the reference row's states and its reference column differ: %q", lines[3])
	}
}

// maskBenchColumns replaces the named columns of a bench table (right
// aligned: a column ends where its name ends) by "~".
func maskBenchColumns(t *testing.T, table string, names ...string) string {
	t.Helper()
	lines := strings.Split(table, "\n")
	header := lines[0]
	for _, name := range names {
		end := strings.Index(header, " "+name+" ")
		if end < 0 {
			t.Fatalf("no column %q in %q", name, header)
		}
		end += 1 + len(name)
		start := strings.LastIndex(header[:end-len(name)], " ") // the column's padding
		for start > 0 && header[start-1] == ' ' {
			start--
		}
		for i := 1; i < len(lines); i++ {
			if len(lines[i]) < end {
				continue
			}
			lines[i] = lines[i][:start] + strings.Repeat(" ", end-start-1) + "~" + lines[i][end:]
		}
	}
	return strings.Join(lines, "\n")
}

// --max-seconds bounds the whole-graph analyses after the search too: a
// run whose bound passes in the analyses (the test holds them at their
// start until it has) stops there, shows its figures with '+' and the time
// bound in its failing column, never "holds", and the bench exits 3; the
// analysis column is the time spent in them, here the wait.
func TestBenchBoundInAnalyses(t *testing.T) {
	testSearchHook = func(o *explorer.Options) {
		deadline := o.Deadline
		o.Progress = func(st explorer.Stats) {
			if st.Analysing {
				time.Sleep(time.Until(deadline))
			}
		}
	}
	defer func() { testSearchHook = nil }()
	var out, errOut bytes.Buffer
	code := run([]string{"wqcheck", "bench", "--sizes", "3/1", "--kinds", "unbound", "--modes", "default", "--max-seconds", "1", "upstream"}, &out, &errOut)
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if code != exitIncomplete || len(lines) != 2 {
		t.Fatalf("exit %d, want 3 and one row:\n%s%s", code, out.String(), errOut.String())
	}
	row := lines[1]
	if strings.Contains(row, "(time bound reached; ") {
		t.Skip("the search itself took a second: a loaded machine")
	}
	for _, want := range []string{" 314+ ", "none (time bound reached in the whole-graph analyses after the complete search; no violation found within it)"} {
		if !strings.Contains(row, want) {
			t.Errorf("the row lacks %q:\n%s", want, out.String())
		}
	}
	f := strings.Fields(row)
	secs, _ := strconv.ParseFloat(f[7], 64)
	analysis, _ := strconv.ParseFloat(f[10], 64)
	if analysis < 0.5 || analysis > secs || secs > 10 {
		t.Errorf("seconds %s, analysis %s: want the analyses' time within the run's, stopped soon after the bound:\n%s", f[7], f[10], out.String())
	}
}
