package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the expected output in testdata/scenarios from what the commands print")

// Scenario files (testdata/scenarios/*.txt) are tests as data. A file holds
// model files, each introduced by a line "-- NAME --" as in txtar, and
// commands, each a line "$ wqcheck ARGS" followed by the expected output
// (stdout then stderr) and a last line "[exit N]". The commands run in a
// temporary directory holding the model files. Timings are replaced by
// X.XXs. Run `go test -run TestScenarios -update` to regenerate the expected
// output, then review the diff.
func TestScenarios(t *testing.T) {
	files, err := filepath.Glob("testdata/scenarios/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenario files: %v", err)
	}
	// scenarios that take minutes run when WQCHECK_LONG is set (CI sets it)
	long, _ := filepath.Glob("testdata/scenarios/long/*.txt")
	if os.Getenv("WQCHECK_LONG") != "" {
		files = append(files, long...)
	} else if len(long) > 0 {
		t.Logf("skipping %d long scenario files: set WQCHECK_LONG=1 to run them", len(long))
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txt"), func(t *testing.T) {
			runScenario(t, file)
		})
	}
}

type scenarioCmd struct {
	args     string
	expected string
}

type scenario struct {
	files map[string]string
	order []string
	cmds  []*scenarioCmd
}

func parseScenario(data string) (*scenario, error) {
	sc := &scenario{files: map[string]string{}}
	var curFile string
	var cur *scenarioCmd
	var body []string
	flush := func() {
		text := strings.TrimRight(strings.Join(body, "\n"), "\n")
		switch {
		case cur != nil:
			cur.expected = text
		case curFile != "":
			sc.files[curFile] = text + "\n"
		}
		body = nil
	}
	fileHdr := regexp.MustCompile(`^-- (\S+) --$`)
	for _, line := range strings.Split(data, "\n") {
		if m := fileHdr.FindStringSubmatch(line); m != nil {
			flush()
			cur, curFile = nil, m[1]
			sc.order = append(sc.order, curFile)
			continue
		}
		if strings.HasPrefix(line, "$ wqcheck") {
			flush()
			curFile = ""
			cur = &scenarioCmd{args: strings.TrimSpace(strings.TrimPrefix(line, "$ wqcheck"))}
			sc.cmds = append(sc.cmds, cur)
			continue
		}
		if cur == nil && curFile == "" {
			if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
				continue
			}
			return nil, fmt.Errorf("unexpected line outside a file or command: %q", line)
		}
		body = append(body, line)
	}
	flush()
	return sc, nil
}

var timing = regexp.MustCompile(`\d+\.\d\ds\b`)
var jsonSeconds = regexp.MustCompile(`"(seconds|states_per_second|heap_bytes|workers)": [0-9.e+-]+`)
var rates = regexp.MustCompile(`\([0-9,]+ states/s, heap [0-9.]+ MiB, \d+ workers?\)`)

func normalize(out string) string {
	out = timing.ReplaceAllString(out, "X.XXs")
	out = jsonSeconds.ReplaceAllString(out, `"$1": 0`)
	out = rates.ReplaceAllString(out, "(N states/s, heap N MiB)")
	return strings.TrimRight(out, "\n")
}

func runScenario(t *testing.T, file string) {
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := parseScenario(string(data))
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	dir := t.TempDir()
	for name, text := range sc.files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	abs, _ := filepath.Abs(file)
	t.Chdir(dir)
	var got []string
	for _, cmd := range sc.cmds {
		var stdout, stderr bytes.Buffer
		args := append([]string{"wqcheck"}, splitArgs(cmd.args)...)
		code := run(args, &stdout, &stderr)
		out := normalize(stdout.String() + stderr.String())
		if out != "" {
			out += "\n"
		}
		out += fmt.Sprintf("[exit %d]", code)
		got = append(got, out)
		if !*update && out != cmd.expected {
			t.Errorf("%s: wqcheck %s\n--- got ---\n%s\n--- want ---\n%s", file, cmd.args, out, cmd.expected)
		}
	}
	if *update {
		var b strings.Builder
		// keep the leading comment block
		for _, line := range strings.Split(string(data), "\n") {
			if !strings.HasPrefix(line, "#") {
				break
			}
			b.WriteString(line + "\n")
		}
		for _, name := range sc.order {
			fmt.Fprintf(&b, "-- %s --\n%s", name, sc.files[name])
		}
		for i, cmd := range sc.cmds {
			fmt.Fprintf(&b, "$ wqcheck %s\n%s\n", cmd.args, got[i])
			if i < len(sc.cmds)-1 {
				b.WriteString("\n")
			}
		}
		if err := os.WriteFile(abs, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// splitArgs splits a command line on spaces, keeping 'single-quoted' words whole.
func splitArgs(s string) []string {
	var out []string
	var cur strings.Builder
	inQ := false
	has := false
	for _, r := range s {
		switch {
		case r == '\'':
			inQ = !inQ
			has = true
		case r == ' ' && !inQ:
			if has {
				out = append(out, cur.String())
				cur.Reset()
				has = false
			}
		default:
			cur.WriteRune(r)
			has = true
		}
	}
	if has {
		out = append(out, cur.String())
	}
	return out
}
