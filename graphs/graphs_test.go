package graphs_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"wqcheck/examples"
	"wqcheck/explorer"
	"wqcheck/graphs"
	"wqcheck/model"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func firstTrace(t *testing.T, name string) (*model.Program, *explorer.Trace) {
	t.Helper()
	p, err := (&model.Loader{Builtin: examples.FS}).Load(name, model.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// All: the first violated property in declaration order (deadlock),
	// not the first found (abba's lockdep-recursive comes a step earlier)
	r := explorer.Explore(p, explorer.Options{All: true})
	pv, err := graphs.PickTrace(r, "")
	if err != nil || pv == nil {
		t.Fatalf("%s: no trace (%v)", name, err)
	}
	return p, pv.Trace
}

// traces are the goldens' subjects: two teaching examples and a workqueue
// trace (upstream's S11 witness: 14 steps, 6 threads, the lane layout).
var traces = []string{"abba", "lost-wakeup", "upstream"}

func golden(t *testing.T, file string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", file)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run go test ./graphs -update and review the diff):\n%s", path, got)
	}
}

func TestTraceDOTGolden(t *testing.T) {
	for _, name := range append(traces, "lost-work") {
		p, tr := firstTrace(t, name)
		for _, style := range []string{graphs.StyleLanes, graphs.StyleStates} {
			a := graphs.TraceDOT(p, tr, style)
			if b := graphs.TraceDOT(p, tr, style); a != b {
				t.Fatalf("%s: DOT output is not deterministic", name)
			}
			golden(t, name+"."+style+".dot", []byte(a))
		}
	}
}

func TestTraceTextGolden(t *testing.T) {
	for _, name := range traces {
		p, tr := firstTrace(t, name)
		for _, width := range []int{100, 60} {
			var b bytes.Buffer
			graphs.WriteTrace(&b, p, tr, graphs.TextOptions{Width: width})
			golden(t, name+"."+itoa(width)+".txt", b.Bytes())
		}
		var b bytes.Buffer
		graphs.WriteTrace(&b, p, tr, graphs.TextOptions{Width: 100, Explain: true})
		golden(t, name+".explain.txt", b.Bytes())
	}
}

func TestSequenceSVGGolden(t *testing.T) {
	for _, name := range traces {
		p, tr := firstTrace(t, name)
		a := graphs.SequenceSVG(p, tr)
		if a != graphs.SequenceSVG(p, tr) {
			t.Fatalf("%s: SVG output is not deterministic", name)
		}
		var doc struct {
			XMLName xml.Name
		}
		if err := xml.Unmarshal([]byte(a), &doc); err != nil || doc.XMLName.Local != "svg" {
			t.Fatalf("%s: not well-formed SVG: %v", name, err)
		}
		golden(t, name+".seq.svg", []byte(a))
	}
}

func TestStateGraphGolden(t *testing.T) {
	for _, c := range []struct {
		name  string
		limit int
	}{{"lost-wakeup", 200}, {"abba", 200}, {"upstream", 45}} {
		p, err := (&model.Loader{Builtin: examples.FS}).Load(c.name, model.Options{})
		if err != nil {
			t.Fatal(err)
		}
		r := explorer.Explore(p, explorer.Options{All: true, KeepGraph: true})
		pr, _ := graphs.PickTrace(r, "")
		out := graphs.StateGraphDOT(r, graphs.GraphOptions{MaxNodes: c.limit, Trace: pr.Trace})
		if n := strings.Count(out, "tooltip="); n > c.limit {
			t.Errorf("%s: %d nodes drawn, limit %d", c.name, n, c.limit)
		}
		// every state of the trace is drawn, in bold
		if n := strings.Count(out, `penwidth="2.5"`); n != len(pr.Trace.Steps)+1 {
			t.Errorf("%s: %d bold states, want %d", c.name, n, len(pr.Trace.Steps)+1)
		}
		golden(t, c.name+".graph.dot", []byte(out))
	}
}

// The explanation of a step is exactly the variables that differ.
func TestChanges(t *testing.T) {
	p, tr := firstTrace(t, "abba")
	cs := graphs.Changes(p, tr.Initial, tr.Steps[0].After)
	var got []string
	for _, c := range cs {
		got = append(got, c.Path+":"+c.Old+"->"+c.New)
	}
	if len(got) == 0 || got[0] != "accounts[0].lock:free->held by CPU A" {
		t.Fatalf("changes of step 1: %v", got)
	}
	for _, c := range cs {
		if strings.HasPrefix(c.Path, "accounts[1]") || strings.Contains(c.Path, "balance") || strings.HasSuffix(c.Path, ".at") || c.Old == c.New {
			t.Errorf("unchanged or positional variable reported: %+v", c)
		}
	}
	if len(graphs.Changes(p, tr.Initial, tr.Initial)) != 0 {
		t.Error("a state compared with itself has changes")
	}
}

// A value with a comma of its own is bracketed on both sides of its
// change, so "ctx CPU 0 -> CPU 0, preempt 1" does not read as two fields;
// a list's commas, inside its brackets, are not.
func TestGroupChangesBrackets(t *testing.T) {
	got := graphs.GroupChanges([]graphs.Change{
		{Obj: "CPU A", Field: "ctx", Old: "CPU 0", New: "CPU 0, preempt 1"},
		{Obj: "CPU A", Field: "state", Old: "TASK_RUNNING", New: "TASK_DEAD"},
		{Obj: "pool", Field: "worklist", Old: "[]", New: "[works[0], works[1]]"},
		{Obj: "pool", Field: "busy", Old: "", New: "f(a, b)"},
	})
	want := []string{
		"CPU A: ctx [CPU 0] -> [CPU 0, preempt 1]; state TASK_RUNNING -> TASK_DEAD",
		"pool: worklist [] -> [works[0], works[1]]; busy=f(a, b)",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("GroupChanges (-want +got):\n%s", diff)
	}
}

// Rendering through Graphviz gives SVG and PNG; without dot the error
// names the package.
func TestGraphviz(t *testing.T) {
	p, tr := firstTrace(t, "abba")
	src := graphs.TraceDOT(p, tr, graphs.StyleStates)
	if _, err := exec.LookPath("dot"); err != nil {
		t.Skip("Graphviz's dot is not installed (Debian package graphviz); .ci/run installs it")
	}
	svg, err := graphs.Graphviz(src, "svg")
	if err != nil || !bytes.Contains(svg, []byte("<svg")) {
		t.Fatalf("svg: %v", err)
	}
	png, err := graphs.Graphviz(src, "png")
	if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Fatalf("png: %v", err)
	}
	t.Setenv("PATH", t.TempDir())
	if _, err := graphs.Graphviz(src, "svg"); err != graphs.ErrNoGraphviz {
		t.Fatalf("without dot: %v", err)
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// The JSON form keeps the documented fields.
func TestJSONFields(t *testing.T) {
	p, err := (&model.Loader{Builtin: examples.FS}).Load("abba", model.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := explorer.Explore(p, explorer.Options{All: true})
	var b bytes.Buffer
	if err := graphs.WriteJSON(&b, []graphs.Run{{Variant: "abba", Reduce: "locks", Result: r}}); err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	if err := json.Unmarshal(b.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"variant", "params", "complete", "states", "transitions", "depth", "seconds", "properties"} {
		if _, ok := out[0][k]; !ok {
			t.Errorf("missing field %q", k)
		}
	}
	props := out[0]["properties"].([]any)
	dl := props[0].(map[string]any)
	if dl["name"] != "deadlock" || dl["verdict"] != "violated" {
		t.Fatalf("first property %v", dl)
	}
	entry := dl["trace"].([]any)[0].(map[string]any)
	for _, k := range []string{"thread", "file", "line", "statement"} {
		if _, ok := entry[k]; !ok {
			t.Errorf("trace entry lacks %q: %v", k, entry)
		}
	}
}

// The lockdep-format reports of the teaching examples, and upstream's lock
// graph.
func TestLockdepGolden(t *testing.T) {
	for _, c := range []struct{ name, prop string }{
		{"lock-cycle", "lockdep-circular"},
		{"irq-inversion", "lockdep-hardirq"},
		{"abba", "lockdep-recursive"},
	} {
		p, err := (&model.Loader{Builtin: examples.FS}).Load(c.name, model.Options{})
		if err != nil {
			t.Fatal(err)
		}
		r := explorer.Explore(p, explorer.Options{All: true, Symmetry: true})
		pr := r.Props[p.LockdepProp(p.Prop(c.prop).Check)]
		if pr.Lockdep == nil {
			t.Fatalf("%s: %s has no lockdep report", c.name, c.prop)
		}
		var b bytes.Buffer
		graphs.WriteLockdep(&b, r, pr, graphs.TextOptions{Width: 100})
		golden(t, c.name+".lockdep.txt", b.Bytes())
	}
	p, err := (&model.Loader{Builtin: examples.FS}).Load("upstream", model.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := explorer.Explore(p, explorer.Options{All: true, Symmetry: true})
	golden(t, "upstream.lockgraph.dot", []byte(graphs.LockGraphDOT(r)))
	p, err = (&model.Loader{Builtin: examples.FS}).Load("lock-cycle", model.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r = explorer.Explore(p, explorer.Options{All: true})
	golden(t, "lock-cycle.lockgraph.dot", []byte(graphs.LockGraphDOT(r)))
}

// TestLanesStepColumn: in the lanes picture the step numbers are a
// straight column on the left, also for a lasso, whose "repeats for ever"
// back edge once pulled them sideways (livelock), as Graphviz lays it out.
func TestLanesStepColumn(t *testing.T) {
	if _, err := exec.LookPath("dot"); err != nil {
		t.Skip("Graphviz's dot is not installed (Debian package graphviz); .ci/run installs it")
	}
	for _, name := range []string{"livelock", "upstream", "abba"} {
		p, tr := firstTrace(t, name)
		plain, err := graphs.Graphviz(graphs.TraceDOT(p, tr, graphs.StyleLanes), "plain")
		if err != nil {
			t.Fatal(err)
		}
		var xs []string
		for _, line := range strings.Split(string(plain), "\n") {
			f := strings.Fields(line) // node NAME X Y W H LABEL STYLE SHAPE ...
			if len(f) >= 9 && f[0] == "node" && f[8] == "plaintext" {
				xs = append(xs, f[2])
			}
		}
		if len(xs) < 3 {
			t.Fatalf("%s: %d step numbers found in\n%s", name, len(xs), plain)
		}
		for _, x := range xs {
			if x != xs[0] {
				t.Errorf("%s: the step numbers are at x = %v, not in one column", name, xs)
				break
			}
		}
	}
}
