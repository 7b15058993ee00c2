package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"wqcheck/graphs"
)

func runCmd(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(append([]string{"wqcheck"}, args...), &out, &errb)
	return out.String(), errb.String(), code
}

// docPictures are the pictures the README shows, with the command that
// makes each (the README gives the same commands).
var docPictures = []struct {
	file string
	args []string
}{
	{"docs/lost-wakeup.svg", []string{"check", "--sequence", "OUT", "lost-wakeup"}},
	{"docs/upstream-S11.svg", []string{"check", "--sequence", "OUT", "upstream"}},
	// S9 from its saved trace: the replay needs no search
	{"docs/deferred-wake-S9.svg", []string{"replay", "--trace", "graphs/testdata/deferred-wake-S9.trace.json", "--sequence", "OUT", "deferred-wake"}},
	{"docs/upstream-S11-states.dot", []string{"check", "--style", "states", "--dot", "OUT", "upstream"}},
	{"docs/lost-wakeup-graph.dot", []string{"graph", "--out", "OUT", "lost-wakeup"}},
}

// The committed pictures are what the documented commands make now.
func TestDocPictures(t *testing.T) {
	for _, d := range docPictures {
		out := filepath.Join(t.TempDir(), filepath.Base(d.file))
		args := append([]string(nil), d.args...)
		for i, a := range args {
			if a == "OUT" {
				args[i] = out
			}
		}
		_, stderr, code := runCmd(t, args...)
		if code > 1 {
			t.Fatalf("%v: exit %d: %s", d.args, code, stderr)
		}
		got, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if *update {
			if err := os.WriteFile(d.file, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(d.file)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s is not what `wqcheck %s` makes now: run go test -run TestDocPictures -update and review the diff", d.file, strings.Join(d.args, " "))
		}
	}
}

// check still finds the S9 trace the pictures are pinned from
// (graphs/testdata/deferred-wake-S9.trace.json), with the command its
// README row gives (a search of about 200,000 states).
func TestS9TraceIsCurrent(t *testing.T) {
	const file = "graphs/testdata/deferred-wake-S9.trace.json"
	out, stderr, code := runCmd(t, "check", "--json", "--set", "UNBOUND=true", "--set", "NR_WORKERS=4", "--set", "NR_BUSY=2", "--set", "NR_WORKS=2", "deferred-wake")
	if code != 1 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	got, err := graphs.ReadSavedTrace([]byte(out), "", "S9-task-lifetime")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	want, err := graphs.ReadSavedTrace(data, "", "S9-task-lifetime")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Path, want.Path) {
		t.Errorf("check finds another S9 trace than %s: save it again (check --json with the same --set values, keeping the S9 property's path)", file)
	}
}

// A trace saved with --json replays against the model it came from, and
// fails clearly against a model that no longer allows it or no longer
// violates the property.
func TestReplay(t *testing.T) {
	dir := t.TempDir()
	save := func(args ...string) string {
		out, stderr, code := runCmd(t, append([]string{"check", "--json"}, args...)...)
		if code > 1 {
			t.Fatalf("check %v: exit %d: %s", args, code, stderr)
		}
		path := filepath.Join(dir, strings.Join(args, "_")+".json")
		if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	lw := save("lost-wakeup")
	out, _, code := runCmd(t, "replay", "--trace", lw, "lost-wakeup")
	if code != 0 || !strings.Contains(out, "REPRODUCED: all 4 steps replay") {
		t.Fatalf("replay against its own model: exit %d\n%s", code, out)
	}
	seq := filepath.Join(dir, "fixed.svg")
	out, stderr, code := runCmd(t, "replay", "--trace", lw, "--sequence", seq, "lost-wakeup-fixed")
	if code != 1 || !strings.Contains(out, "NOT REPRODUCED") || !strings.Contains(stderr, "--sequence: the trace does not reproduce") {
		t.Fatalf("replay against the fix: exit %d\n%s%s", code, out, stderr)
	}
	if _, err := os.Stat(seq); err == nil {
		t.Fatal("a trace that does not reproduce was drawn")
	}
	// the witness of upstream's S11, with the parameters it was saved with
	up := save("--set", "NR_WORKERS=3", "upstream")
	out, _, code = runCmd(t, "replay", "--trace", up, "--property", "S11-kicked-worker-culled", "upstream")
	if code != 0 || !strings.Contains(out, "REPRODUCED") || !strings.Contains(out, "NR_WORKERS=3") {
		t.Fatalf("upstream S11: exit %d\n%s", code, out)
	}
	// a step the model does not allow
	data, _ := os.ReadFile(lw)
	bad := regexp.MustCompile(`("thread": "producer",\s*"branch": )0`).ReplaceAllString(string(data), "${1}7")
	if bad == string(data) {
		t.Fatal("test setup: no producer move to tamper with")
	}
	badPath := filepath.Join(dir, "bad.json")
	os.WriteFile(badPath, []byte(bad), 0o644)
	out, _, code = runCmd(t, "replay", "--trace", badPath, "lost-wakeup")
	if code != 1 || !strings.Contains(out, "the model does not allow the trace: step 2: producer has 1 way to move") {
		t.Fatalf("tampered trace: exit %d\n%s", code, out)
	}
	// another model's trace: named, with where it came from
	_, stderr, code = runCmd(t, "replay", "--trace", lw, "upstream")
	if code != 2 || !strings.Contains(stderr, `step 1: the model has no thread "consumer"`) ||
		!strings.Contains(stderr, "hint: the trace was saved from lost-wakeup; replay it against lost-wakeup or a variant of it") {
		t.Fatalf("lost-wakeup's trace against upstream: exit %d: %s", code, stderr)
	}
	// not a trace at all
	os.WriteFile(badPath, []byte("{nope"), 0o644)
	_, stderr, code = runCmd(t, "replay", "--trace", badPath, "lost-wakeup")
	if code != 2 || !strings.Contains(stderr, "bad.json: not the JSON that wqcheck check --json writes") {
		t.Fatalf("bad JSON: exit %d: %s", code, stderr)
	}
	// the picture flags: a bad style is refused before anything runs
	_, stderr, code = runCmd(t, "replay", "--trace", lw, "--style", "nope", "--dot", filepath.Join(dir, "x.dot"), "lost-wakeup")
	if code != 2 || !strings.Contains(stderr, "--style=nope: unknown DOT style") {
		t.Fatalf("replay --style nope: exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "x.dot")); err == nil {
		t.Fatal("replay --style nope wrote a file")
	}
}

// Without Graphviz, --svg fails before writing anything and names the package.
func TestSVGWithoutGraphviz(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	out := filepath.Join(t.TempDir(), "x.svg")
	_, stderr, code := runCmd(t, "check", "--svg", out, "abba")
	if code != 2 || !strings.Contains(stderr, "apt-get install graphviz") || !strings.Contains(stderr, "--sequence") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(out); err == nil {
		t.Fatal("a file was written")
	}
}
