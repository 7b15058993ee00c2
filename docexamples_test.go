package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDocExamples: every example in README.md and docs/*.md that shows one
// `$ wqcheck ...` command and what it prints still prints it. Each line
// the example shows must appear in the command's output (standard output,
// then standard error), in order, once timings and rates are masked as the
// scenarios mask them; the example may leave lines out ("..." marks where).
// Left out: examples of --json (the docs fold its objects onto one line),
// of several commands, a redirection or an output file, and of `review`,
// `bench` and `explore` (timings are their point, or they serve a page).
func TestDocExamples(t *testing.T) {
	files, _ := filepath.Glob("docs/*.md")
	files = append([]string{"README.md"}, files...)
	n := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, ex := range docExamples(string(data)) {
			n++
			t.Run(fmt.Sprintf("%s:%d", filepath.Base(f), ex.line), func(t *testing.T) {
				var out, errb bytes.Buffer
				run(append([]string{"wqcheck"}, splitArgs(ex.args)...), &out, &errb)
				got := strings.Split(normalize(out.String()+errb.String()), "\n")
				if line, ok := subsequence(ex.shown, got); !ok {
					t.Errorf("$ wqcheck %s: the docs show\n\t%s\nwhich the output does not have (in this order); the output:\n%s",
						ex.args, line, strings.Join(got, "\n"))
				}
			})
		}
	}
	if n < 5 {
		t.Fatalf("found %d examples in the docs: the parser has lost them", n)
	}
}

// docExample is one fenced block: its command's arguments, the line of
// the command, and the lines shown after it (masked).
type docExample struct {
	args  string
	line  int
	shown []string
}

// docExamples finds the fenced blocks that show one wqcheck command
// and its output.
func docExamples(md string) []docExample {
	var out []docExample
	lines := strings.Split(md, "\n")
	for i := 0; i < len(lines); i++ {
		if !strings.HasPrefix(lines[i], "```") || i+1 >= len(lines) || !strings.HasPrefix(lines[i+1], "$ wqcheck ") {
			continue
		}
		ex := docExample{args: strings.TrimPrefix(lines[i+1], "$ wqcheck "), line: i + 2}
		j := i + 2
		for ; j < len(lines) && !strings.HasPrefix(lines[j], "```"); j++ {
			ex.shown = append(ex.shown, lines[j])
		}
		skip := strings.Contains(ex.args, "--json") || strings.Contains(ex.args, ">")
		for _, flag := range []string{"--dot", "--svg", "--png", "--sequence", "--out", "--cpuprofile"} {
			// a file it writes would land in the checkout (TestDocPictures
			// checks the pictures the docs ship)
			skip = skip || strings.Contains(ex.args, flag)
		}
		for _, cmd := range []string{"review", "bench", "explore"} {
			skip = skip || strings.HasPrefix(ex.args, cmd+" ")
		}
		for _, l := range ex.shown {
			skip = skip || strings.HasPrefix(l, "$ ")
		}
		if !skip {
			ex.shown = strings.Split(normalize(strings.Join(ex.shown, "\n")), "\n")
			out = append(out, ex)
		}
		i = j
	}
	return out
}

// subsequence reports whether every line of shown but "..." and blank
// ones appears in got in order (trailing blanks ignored), and if not,
// the first that does not.
func subsequence(shown, got []string) (string, bool) {
	k := 0
	for _, s := range shown {
		s = strings.TrimRight(s, " ")
		if t := strings.TrimSpace(s); t == "" || t == "..." {
			continue
		}
		for k < len(got) && strings.TrimRight(got[k], " ") != s {
			k++
		}
		if k == len(got) {
			return s, false
		}
		k++
	}
	return "", true
}
