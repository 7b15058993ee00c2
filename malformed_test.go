package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The malformed models in testdata/malformed each start with a line
//
//	// want: exit N, "PREFIX"
//
// and `wqcheck check FILE` must exit N with a first line of standard error
// "wqcheck: error: PREFIX...", print nothing on standard output, and never
// show a Go panic or a formatting error. `go test -run TestMalformed
// -update .` rewrites the lines from what the checker says (review the diff).
func TestMalformedModels(t *testing.T) {
	files, err := filepath.Glob("testdata/malformed/*.wq")
	if err != nil || len(files) < 60 {
		t.Fatalf("want at least 60 malformed models, found %d (%v)", len(files), err)
	}
	want := regexp.MustCompile(`^// want: exit (\d+), "(.*)"\n`)
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".wq"), func(t *testing.T) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			m := want.FindSubmatch(src)
			if m == nil {
				t.Fatalf("%s: no `// want: exit N, \"PREFIX\"` line", file)
			}
			wantCode, _ := strconv.Atoi(string(m[1]))
			var stdout, stderr bytes.Buffer
			code := run([]string{"wqcheck", "check", file}, &stdout, &stderr)
			first, _, _ := strings.Cut(stderr.String(), "\n")
			msg := strings.TrimPrefix(first, "wqcheck: error: ")
			if *update {
				const maxPrefix = 90
				if len(msg) > maxPrefix {
					msg = msg[:maxPrefix]
				}
				line := "// want: exit " + strconv.Itoa(code) + ", " + strconv.Quote(msg) + "\n"
				if err := os.WriteFile(file, append([]byte(line), src[len(m[0]):]...), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if out := stdout.String() + stderr.String(); strings.Contains(out, "panic") || strings.Contains(out, "goroutine ") || strings.Contains(out, "%!") {
				t.Errorf("a Go panic or formatting error:\n%s", out)
			}
			if stdout.Len() > 0 {
				t.Errorf("standard output is not empty:\n%s", stdout.String())
			}
			prefix, _ := strconv.Unquote(`"` + string(m[2]) + `"`)
			if code != wantCode || !strings.HasPrefix(first, "wqcheck: error: "+prefix) {
				t.Errorf("exit %d, first line %q\nwant exit %d, \"wqcheck: error: %s...\"", code, first, wantCode, prefix)
			}
		})
	}
}
