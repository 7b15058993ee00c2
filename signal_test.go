package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"wqcheck/explorer"
)

// TestMain lets a test run the command in a child process (the test binary
// itself), so signals can be sent to it.
func TestMain(m *testing.M) {
	if os.Getenv("WQCHECK_TEST_MAIN") == "1" {
		if os.Getenv("WQCHECK_TEST_WAIT_IN_ANALYSES") == "1" {
			testSearchHook = waitInAnalyses
		}
		code := run(append([]string{"wqcheck"}, os.Args[1:]...), os.Stdout, os.Stderr)
		if os.Getenv("WQCHECK_TEST_VMHWM") == "1" {
			// the peak RSS of this process image (getrusage's would include
			// the test process's, which the exec shares memory with at first)
			if status, err := os.ReadFile("/proc/self/status"); err == nil {
				for _, l := range strings.Split(string(status), "\n") {
					if strings.HasPrefix(l, "VmHWM:") {
						fmt.Fprintln(os.Stderr, l)
					}
				}
			}
		}
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// slowModel has far more states than a test waits for.
const slowModel = `model slow;
int<0..4095> a;
int<0..4095> b;
int<0..4095> c;
thread ta() { while (true) { a = (a + 1) % 4096; } }
thread tb() { while (true) { b = (b + 3) % 4096; } }
thread tc() { while (true) { c = (c + 5) % 4096; } }
`

// startChecker runs "wqcheck ARGS" in a child process and returns it once
// the search is under way (the progress line is off: stderr is not a terminal).
func startChecker(t *testing.T, args ...string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "slow.wq"), []byte(slowModel), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "WQCHECK_TEST_MAIN=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond) // loading takes milliseconds; the search then runs
	return cmd, &stdout, &stderr
}

func exitCode(t *testing.T, cmd *exec.Cmd) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatal("the checker did not stop within a minute of the signal")
	}
	return cmd.ProcessState.ExitCode()
}

// SIGTERM (timeout, CI runners, systemd, kill) stops a search like Ctrl-C:
// the report of what was found is printed, as JSON with --json, the
// variants never started are listed as "not-run", and the status is 3.
func TestSIGTERMReports(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			cmd, stdout, stderr := startChecker(t, "check", "--json", "slow.wq", "abba")
			cmd.Process.Signal(sig)
			if code := exitCode(t, cmd); code != exitIncomplete {
				t.Fatalf("exit %d, want 3; stderr:\n%s", code, stderr.String())
			}
			var runs []struct {
				Variant  string `json:"variant"`
				Complete bool   `json:"complete"`
				Stopped  string `json:"stopped"`
				States   int    `json:"states"`
			}
			if err := json.Unmarshal(stdout.Bytes(), &runs); err != nil {
				t.Fatalf("stdout is not JSON: %v\n%s", err, stdout.String())
			}
			// (on a machine so loaded that the signal came while slow.wq
			// was still loading, it is not-run too)
			if len(runs) != 2 || runs[0].Complete || (runs[0].Stopped != "interrupted" && runs[0].Stopped != "not-run") || runs[1].Variant != "abba" || runs[1].Stopped != "not-run" {
				t.Errorf("want slow.wq interrupted and abba not-run, got %+v", runs)
			}
		})
	}
}

// The text report says the same. (A second signal ends the process at once:
// the first restores the default action; the report of a stopped search is
// too quick to catch it in a test.)
func TestSignalText(t *testing.T) {
	cmd, stdout, stderr := startChecker(t, "check", "slow.wq", "abba")
	cmd.Process.Signal(syscall.SIGTERM)
	if code := exitCode(t, cmd); code != exitIncomplete {
		t.Fatalf("exit %d, want 3; stderr:\n%s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "slow.wq  params: none") || !strings.Contains(stdout.String(), "INCOMPLETE (interrupted") && !strings.Contains(stdout.String(), "slow.wq  params: none  steps: lock regions merged\n  NOT RUN") {
		t.Errorf("slow.wq is not reported as interrupted:\n%s", stdout.String())
	}
	for _, want := range []string{"NOT RUN (interrupted before this variant started; every property unknown)", "not run"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("the report lacks %q:\n%s", want, stdout.String())
		}
	}
}

// A second signal ends the process at once. The first one stops the search
// and the report is printed; the process then blocks writing its --dot
// picture into a FIFO nobody reads, and the second SIGTERM must end it
// there (with the signal's default action), not wait.
func TestSecondSignalExits(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "trace.dot")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("no FIFOs here: %v", err)
	}
	// slowModel with a property violated at once, so there is a trace to draw
	src := strings.Replace(slowModel, "thread ta()", "invariant small: a < 2;\nthread ta()", 1)
	if err := os.WriteFile(filepath.Join(dir, "slow.wq"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "check", "--all", "--dot", fifo, "slow.wq")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "WQCHECK_TEST_MAIN=1")
	out := &syncBuffer{}
	cmd.Stdout = out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGTERM)
	// the report comes out; the process then blocks on the FIFO
	for i := 0; !strings.Contains(out.String(), "INCOMPLETE (interrupted"); i++ {
		if i == 200 {
			cmd.Process.Kill()
			t.Fatalf("no report after the first SIGTERM:\n%s", out.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGTERM)
	code := exitCode(t, cmd)
	ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if code != -1 || !ws.Signaled() || ws.Signal() != syscall.SIGTERM {
		t.Errorf("exit %d (%v), want the process ended by the second SIGTERM", code, cmd.ProcessState)
	}
}

// waitInAnalyses makes a search say "analysing" on standard error as its
// whole-graph analyses start, then wait there for its Stop (a signal), for
// at most a minute: the signal then comes during the analyses, whatever
// the machine's load.
func waitInAnalyses(o *explorer.Options) {
	stop := o.Stop
	o.Progress = func(st explorer.Stats) {
		if !st.Analysing {
			return
		}
		fmt.Fprintln(os.Stderr, "analysing")
		select {
		case <-stop:
		case <-time.After(time.Minute):
		}
	}
}

// A signal that comes during the whole-graph analyses after a complete
// search ends the run at once with a report: the analysed properties
// (stranded work, liveness) unknown, never "holds", the others with their
// verdicts, marked interrupted in the analyses; the variants not started
// are not run; the status is 3.
func TestSignalInAnalyses(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "check", "--json", "upstream", "abba")
			cmd.Env = append(os.Environ(), "WQCHECK_TEST_MAIN=1", "WQCHECK_TEST_WAIT_IN_ANALYSES=1")
			var stdout bytes.Buffer
			stderr := &syncBuffer{}
			cmd.Stdout, cmd.Stderr = &stdout, stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			for i := 0; !strings.Contains(stderr.String(), "analysing"); i++ {
				if i == 600 {
					cmd.Process.Kill()
					t.Fatalf("the analyses did not start within a minute:\n%s", stderr.String())
				}
				time.Sleep(100 * time.Millisecond)
			}
			sent := time.Now()
			cmd.Process.Signal(sig)
			code := exitCode(t, cmd)
			if d := time.Since(sent); d > 10*time.Second {
				t.Errorf("the run ended %v after the signal", d)
			}
			if code != exitIncomplete {
				t.Fatalf("exit %d, want 3; stderr:\n%s", code, stderr.String())
			}
			checkStoppedInAnalyses(t, stdout.Bytes())
		})
	}
}

// checkStoppedInAnalyses checks TestSignalInAnalyses's JSON report.
func checkStoppedInAnalyses(t *testing.T, out []byte) {
	t.Helper()
	var runs []struct {
		Variant    string `json:"variant"`
		Complete   bool   `json:"complete"`
		Stopped    string `json:"stopped"`
		InAnalyses bool   `json:"stopped_in_analyses"`
		States     int    `json:"states"`
		Properties []struct {
			Name    string `json:"name"`
			Verdict string `json:"verdict"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(out, &runs); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, out)
	}
	if len(runs) != 2 || runs[0].Complete || runs[0].Stopped != "interrupted" || !runs[0].InAnalyses || runs[0].States != 314 || runs[1].Stopped != "not-run" {
		t.Fatalf("want upstream's 314 states interrupted in the analyses and abba not run, got %+v", runs)
	}
	analysed := map[string]bool{"S1-stranded-work": true, "lockup": true, "starvation": true, "L1-work-executed": true, "L2-kicked-worker-runs": true}
	for _, pr := range runs[0].Properties {
		want := "holds"
		switch {
		case analysed[pr.Name]:
			want = "unknown"
		case pr.Name == "S11-kicked-worker-culled":
			want = "witnessed"
		}
		if pr.Verdict != want {
			t.Errorf("%s: %s, want %s", pr.Name, pr.Verdict, want)
		}
	}
}

// syncBuffer is a bytes.Buffer a child process writes while a test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
