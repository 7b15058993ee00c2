package main

import (
	"bytes"
	"strings"
	"syscall"
	"testing"
)

// A budget that cuts the ladder leaves what it did not decide unknown
// ("?@n"), never "ok", lists the rungs it never started as not run, and
// the exit status says incomplete (3).
func TestReviewBudgetCut(t *testing.T) {
	var out, errb bytes.Buffer
	code := run([]string{"wqcheck", "review", "--summary", "--budget", "300ms", "upstream"}, &out, &errb)
	if code != exitIncomplete {
		t.Fatalf("exit %d, want %d\n%s%s", code, exitIncomplete, out.String(), errb.String())
	}
	lines := strings.Split(out.String(), "\n")
	if len(lines) < 2 || !strings.HasPrefix(lines[1], "upstream ") {
		t.Fatalf("no matrix row:\n%s", out.String())
	}
	for _, cell := range strings.Fields(lines[1])[1:] {
		if cell == "ok" {
			t.Errorf("a cut ladder reports %q for a property:\n%s", cell, lines[1])
		}
	}
	if !strings.Contains(out.String(), "?@") || !strings.Contains(out.String(), "NOT RUN (the budget was spent)") {
		t.Errorf("expected unknown cells and rungs not run for the budget:\n%s", out.String())
	}
}

// Bad input is refused before any search.
func TestReviewUsage(t *testing.T) {
	for _, args := range [][]string{
		{"review"},
		{"review", "--budget", "soon", "abba"},
		{"review", "abba", "--summary"},
		{"review", "no-such-model"},
	} {
		var out, errb bytes.Buffer
		if code := run(append([]string{"wqcheck"}, args...), &out, &errb); code != exitBadInput || out.Len() > 0 ||
			!strings.HasPrefix(errb.String(), "wqcheck: error: ") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, out.String(), errb.String())
		}
	}
}

// SIGTERM stops review's running rung and the report is printed: what the
// rung did not decide is unknown, the variants not reached are not run,
// and the status is 3.
func TestReviewSignal(t *testing.T) {
	cmd, stdout, stderr := startChecker(t, "review", "--summary", "slow.wq", "abba")
	cmd.Process.Signal(syscall.SIGTERM)
	if code := exitCode(t, cmd); code != exitIncomplete {
		t.Fatalf("exit %d, want 3; stderr:\n%s", code, stderr.String())
	}
	out := stdout.String()
	if !strings.Contains(out, "slow.wq  ?@1") || !strings.Contains(out, "INCOMPLETE (interrupted)") && !strings.Contains(out, "NOT RUN") {
		t.Errorf("slow.wq is not reported as cut:\n%s", out)
	}
	if !strings.Contains(out, "abba, rung by rung") || !strings.Contains(out, "NOT RUN (a signal came first)") {
		t.Errorf("abba is not reported as not run for the signal:\n%s", out)
	}
}
