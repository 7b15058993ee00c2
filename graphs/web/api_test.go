package web

import (
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"wqcheck/explorer"
)

// newTest serves the explorer of variants, searched with every property.
func newTest(t *testing.T, variants ...string) *httptest.Server {
	t.Helper()
	srv, err := New(Config{Variants: variants, Load: load, Search: explorer.Options{All: true}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(func() { ts.Close(); srv.Close() })
	return ts
}

// get fetches an API URL and decodes its JSON into a map.
func get(t *testing.T, ts *httptest.Server, url string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Get(ts.URL + url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("%s: Content-Type %q", url, ct)
	}
	var m map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		t.Fatalf("%s: %v", url, err)
	}
	return resp.StatusCode, m
}

func TestAPIErrors(t *testing.T) {
	ts := newTest(t, "lost-wakeup")
	for _, c := range []struct{ url, want, hint string }{
		{"/api/state?v=no-such-model", `no built-in model named "no-such-model"`, "built-in models: abba"},
		{"/api/state", "no variant", ""},
		{"/api/state?v=/etc/hostname", "must be named on the command line", ""},
		{"/api/state?v=x.wq", "must be named on the command line", ""},
		{"/api/state?v=lost-wakeup&path=0.x", `step 2 is "x", not a successor index`, ""},
		{"/api/state?v=lost-wakeup&path=0.7", "step 2 takes successor 7, but state has 2 successors", "another version"},
		{"/api/state?v=lost-wakeup&set=NR", `set="NR": expected NAME=VALUE`, ""},
		{"/api/state?v=lost-wakeup&set=NO_SUCH=1", "NO_SUCH", ""},
		{"/api/path?v=lost-wakeup&prop=nope", `has no property "nope"`, ""},
		{"/api/watch?v=lost-wakeup&expr=data_ready+%26%26", "watch:1:14", ""},
		{"/api/export?v=lost-wakeup&format=png", `format="png": expected svg or dot`, ""},
		{"/api/export?v=lost-wakeup&format=dot&style=round", "style=round", ""},
	} {
		code, m := get(t, ts, c.url)
		msg, _ := m["error"].(string)
		if code != http.StatusBadRequest || !strings.Contains(msg, c.want) {
			t.Errorf("%s: %d %q, want 400 and an error containing %q", c.url, code, msg, c.want)
		}
		if hint, _ := m["hint"].(string); !strings.Contains(hint, c.hint) {
			t.Errorf("%s: hint %q, want one containing %q", c.url, hint, c.hint)
		}
	}
	// a watch's error says where, as line and column
	_, m := get(t, ts, "/api/watch?v=lost-wakeup&expr=data_ready+%26%26")
	if m["line"] != 1.0 || m["col"] != 14.0 {
		t.Errorf("watch error position: line %v col %v, want 1 14", m["line"], m["col"])
	}
}

// waitDone polls the matrix until every search is done.
func waitDone(t *testing.T, ts *httptest.Server) []any {
	t.Helper()
	for i := 0; ; i++ {
		_, m := get(t, ts, "/api/matrix")
		cells := m["cells"].([]any)
		done := true
		for _, c := range cells {
			done = done && c.(map[string]any)["status"] == statusDone
		}
		if done {
			return cells
		}
		if i > 600 {
			t.Fatalf("the searches did not finish: %v", m)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestAPITrace: the deadlock's trace comes as a path that the server
// replays as the same counterexample: lanes, the step's changes, and at its
// end no enabled step and the deadlock failing.
func TestAPITrace(t *testing.T) {
	ts := newTest(t, "lost-wakeup", "lost-wakeup-fixed")
	cells := waitDone(t, ts)
	verdict := map[string]string{}
	for _, c := range cells {
		for _, p := range c.(map[string]any)["props"].([]any) {
			p := p.(map[string]any)
			if p["name"] == "deadlock" {
				verdict[c.(map[string]any)["variant"].(string)] = p["verdict"].(string)
			}
		}
	}
	if verdict["lost-wakeup"] != "violated" || verdict["lost-wakeup-fixed"] != "holds" {
		t.Fatalf("deadlock verdicts %v", verdict)
	}
	_, tr := get(t, ts, "/api/trace?v=lost-wakeup&prop=deadlock")
	path, _ := tr["path"].(string)
	code, pj := get(t, ts, "/api/path?v=lost-wakeup&prop=deadlock&path="+path)
	steps, _ := pj["steps"].([]any)
	if code != 200 || pj["counterexample"] != true || len(steps) != len(strings.Split(path, ".")) || pj["msg"] != tr["msg"] {
		t.Fatalf("path %s: %d %v", path, code, pj)
	}
	_, byCPU := get(t, ts, "/api/path?v=lost-wakeup&bycpu=1&path="+path)
	if l := byCPU["lanes"].([]any); len(l) != 2 || l[0] != "CPU 0" || l[1] != "CPU 1" {
		t.Errorf("lanes by CPU: %v", l)
	}
	changed := map[string]bool{}
	for _, s := range steps {
		for _, c := range s.(map[string]any)["changes"].([]any) {
			changed[c.(map[string]any)["path"].(string)] = true
		}
	}
	if !changed["data_ready"] || !changed["consumer.state"] {
		t.Errorf("the trace's changes miss data_ready or consumer.state: %v", changed)
	}
	_, st := get(t, ts, "/api/state?v=lost-wakeup&path="+path)
	if succs := st["succs"].([]any); len(succs) != 0 {
		t.Errorf("steps enabled at the deadlock: %v", succs)
	}
	for _, p := range st["props"].([]any) {
		p := p.(map[string]any)
		if p["name"] == "deadlock" && p["status"] != "fails" {
			t.Errorf("deadlock at the end of its trace: %v", p)
		}
	}
	// each path prefix's state lists the step the path takes next
	_, st0 := get(t, ts, "/api/state?v=lost-wakeup&path=")
	if n := len(st0["succs"].([]any)); n != 2 {
		t.Errorf("the initial state has %d enabled steps, want one per thread", n)
	}
	// watches: a value per state of the path, the initial state first
	_, w := get(t, ts, "/api/watch?v=lost-wakeup&expr=data_ready&path="+path)
	if vs := w["values"].([]any); len(vs) != len(steps)+1 || vs[0] != "false" || vs[len(vs)-1] != "true" {
		t.Errorf("watch data_ready: %v", vs)
	}
}

// TestAPIIndex: the numbered graph's shortest path to a state reaches a
// state with that id; a path's end gets its id.
func TestAPIIndex(t *testing.T) {
	ts := newTest(t, "lost-wakeup")
	var m map[string]any
	for i := 0; ; i++ {
		_, m = get(t, ts, "/api/goto?v=lost-wakeup&id=7")
		if _, ok := m["id"]; ok {
			break
		}
		if i > 600 {
			t.Fatalf("the index did not finish: %v", m)
		}
		time.Sleep(50 * time.Millisecond)
	}
	_, st := get(t, ts, "/api/state?v=lost-wakeup&path="+m["path"].(string))
	if st["id"] != 7.0 {
		t.Errorf("the path to state 7 (%v) reaches state %v", m["path"], st["id"])
	}
	// a longer path to a state: the shortest one is no longer
	_, back := get(t, ts, "/api/goto?v=lost-wakeup&path=1.0.0")
	if p := back["path"].(string); len(strings.Split(p, ".")) > 3 {
		t.Errorf("shortest path %q is longer than the path given", p)
	}
	if code, e := get(t, ts, "/api/goto?v=lost-wakeup&id=100000"); code != 400 || !strings.Contains(e["error"].(string), "no such state") {
		t.Errorf("id out of range: %d %v", code, e)
	}
}

// TestExport: the pictures are graphs' own, of the path shown.
func TestExport(t *testing.T) {
	ts := newTest(t, "lost-wakeup")
	for format, want := range map[string]string{"svg": "<svg", "dot": "digraph"} {
		resp, err := http.Get(ts.URL + "/api/export?v=lost-wakeup&path=0.1.1.0&format=" + format)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), want) || !strings.Contains(resp.Header.Get("Content-Disposition"), "lost-wakeup."+format) {
			t.Errorf("%s: %d %q %.100s", format, resp.StatusCode, resp.Header.Get("Content-Disposition"), body)
		}
	}
}

// TestExportByHand: a path that is no counterexample is drawn whole and
// says so.
func TestExportByHand(t *testing.T) {
	ts := newTest(t, "lost-wakeup")
	resp, err := http.Get(ts.URL + "/api/export?v=lost-wakeup&prop=deadlock&path=1.0&format=svg")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "violation: none: a path chosen by hand") {
		t.Errorf("%d %.300s", resp.StatusCode, body)
	}
}

// TestAssetsOffline: the page loads nothing from outside the server.
func TestAssetsOffline(t *testing.T) {
	url := regexp.MustCompile(`(?i)(https?:)?//[a-z0-9.-]+\.[a-z]{2,}/`)
	err := fs.WalkDir(assets, "assets", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, _ := fs.ReadFile(assets, path)
		if m := url.Find(data); m != nil {
			t.Errorf("%s loads %s: the page must work offline", path, m)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	ts := newTest(t, "lost-wakeup")
	for _, f := range []string{"/", "/app.js", "/style.css"} {
		resp, err := http.Get(ts.URL + f)
		if err != nil || resp.StatusCode != 200 {
			t.Errorf("%s: %v %v", f, err, resp.Status)
		}
		resp.Body.Close()
	}
}
