package explorer_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"

	"wqcheck/explorer"
)

// The liveness verdicts of the teaching examples agree with SPIN's: each
// has a Promela twin in testdata/spin, checked for acceptance cycles under
// SPIN's weak fairness (spin -a; pan -a -f), which is the fairness wqcheck
// assumes (no kernel lock in these models, so no strong fairness applies).
func TestLivenessAgreesWithSPIN(t *testing.T) {
	for _, tool := range []string{"spin", "gcc"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed (Debian package %s): the SPIN cross-check is skipped; .ci/run installs it", tool, tool)
		}
	}
	cases := []struct{ model, prop string }{
		{"tas-starve", "B-gets-the-lock"},
		{"tas-ticket", "B-gets-the-lock"},
		{"livelock", "A-gets-through"},
		{"livelock-fixed", "A-gets-through"},
	}
	errorsRe := regexp.MustCompile(`errors: (\d+)`)
	for _, c := range cases {
		dir := t.TempDir()
		src, err := os.ReadFile(filepath.Join("..", "testdata", "spin", c.model+".pml"))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "m.pml"), src, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, cmd := range [][]string{{"spin", "-a", "m.pml"}, {"gcc", "-O0", "-o", "pan", "pan.c"}} {
			run := exec.Command(cmd[0], cmd[1:]...)
			run.Dir = dir
			if out, err := run.CombinedOutput(); err != nil {
				t.Fatalf("%s: %v: %v\n%s", c.model, cmd, err, out)
			}
		}
		run := exec.Command("./pan", "-a", "-f")
		run.Dir = dir
		out, _ := run.CombinedOutput() // pan exits non-zero when it finds an error
		m := errorsRe.FindSubmatch(out)
		if m == nil {
			t.Fatalf("%s: no verdict in pan's output:\n%s", c.model, out)
		}
		spinViolated := string(m[1]) != "0"
		r := explorer.Explore(load(t, c.model, false), explorer.Options{All: true})
		got := verdicts(r)[c.prop]
		if (got == explorer.Violated) != spinViolated {
			t.Errorf("%s: wqcheck says %s %s, SPIN finds %s acceptance cycle(s)", c.model, c.prop, got, m[1])
		}
	}
}
