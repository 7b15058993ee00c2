package graphs_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

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
	r := explorer.Explore(p, explorer.Options{})
	pv := graphs.FirstViolation(r)
	if pv == nil {
		t.Fatalf("%s: no violation", name)
	}
	return p, pv.Trace
}

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
	for _, name := range []string{"abba", "lost-wakeup", "lost-work"} {
		p, tr := firstTrace(t, name)
		a := graphs.TraceDOT(p, tr)
		if b := graphs.TraceDOT(p, tr); a != b {
			t.Fatalf("%s: DOT output is not deterministic", name)
		}
		golden(t, name+".dot", []byte(a))
	}
}

func TestTraceTextGolden(t *testing.T) {
	for _, name := range []string{"abba", "lost-wakeup"} {
		p, tr := firstTrace(t, name)
		for _, width := range []int{100, 60} {
			var b bytes.Buffer
			graphs.WriteTrace(&b, p, tr, graphs.TextOptions{Width: width})
			golden(t, name+"."+itoa(width)+".txt", b.Bytes())
		}
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
