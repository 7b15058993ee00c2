package graphs

import (
	"fmt"
	"io"
	"strings"
	"time"

	"wqcheck/explorer"
)

// BenchMode is one way of searching that `wqcheck bench` compares: one
// field per reduction or search setting, each independent of the others.
// A new reduction (partial-order reduction, say) is a new boolean here, a
// line in benchSearch's options and its modes in the bench command's table.
type BenchMode struct {
	Key      string // the name --modes takes
	Name     string // the name the table shows
	Merge    bool   // lock regions merged into single steps (off: --reduce=none)
	Symmetry bool   // symmetry reduction
	Exact    bool   // whole states stored, not fingerprints
	Workers  int    // goroutines
	// NoLiveness leaves the liveness properties out; POR is partial-order
	// reduction (which needs them out), measured as the reduced search
	// itself (explorer.Options.PORNoResearch)
	NoLiveness, POR bool
	// KeepDead keeps the live_when fields where they are dead (no
	// dead-field reduction)
	KeepDead bool
}

// BenchRow is one run of the bench matrix.
type BenchRow struct {
	Variant, Kind, Size string
	Mode                BenchMode
	Result              *explorer.Result
	// Ref is the configuration's reference run (no reductions, one
	// worker), or nil without --reference
	Ref *explorer.Result
	// PeakRSS is the peak resident set during the run in bytes (0:
	// unknown); PeakSoFar says it is the process's peak so far, the
	// system not letting the bench reset it before the run
	PeakRSS   uint64
	PeakSoFar bool
	// CPU is the processor time the process spent during the run (user
	// and system, every goroutine; 0: unknown): on a shared machine a
	// steadier figure than seconds
	CPU time.Duration
}

const benchFormat = "%-15s %-8s %-5s %-9s %3s %13s%s %14s %8s %8s %7s %8s %11s %7s %7s %9s %10s  %s\n"

// WriteBenchHeader writes the column names of the bench table; ref adds
// the reference run's states column.
func WriteBenchHeader(w io.Writer, ref bool) {
	fmt.Fprintf(w, benchFormat, "variant", "kind", "size", "mode", "thr", "states", refColumn(ref, "ref states"), "transitions", "seconds", "cpu s", "serial", "analysis", "states/s", "B/state", "+edges", "vectors", "peak RSS", "failing")
}

func refColumn(ref bool, s string) string {
	if !ref {
		return ""
	}
	return fmt.Sprintf(" %13s", s)
}

// WriteBenchRow writes one run as a row: figures of an incomplete run end
// in '+', and failing lists the violated properties by id (S9, deadlock).
// seconds is the whole run (wall clock); cpu s the processor time the
// process spent in it (every goroutine); serial the part spent in the search's
// one-goroutine phases (insert, record), analysis the part spent in the
// stranded-work analysis after the search (one goroutine too).
// B/state is what each stored state costs in the visited set and the parent
// records (with its vector, in exact mode); +edges what the stranded-work
// analysis adds per state; vectors the state vectors held at the peak (the
// frontier in fingerprint mode, every state in exact mode); peak RSS the
// process's peak resident set during the run ('<=' before it: the peak of
// the whole process so far).
func WriteBenchRow(w io.Writer, r BenchRow) {
	res := r.Result
	st := res.Stats
	ref := ""
	if r.Ref != nil {
		ref = refColumn(true, statesOf(r.Ref))
	}
	fmt.Fprintf(w, benchFormat, r.Variant, r.Kind, r.Size, r.Mode.Name, fmt.Sprint(st.Workers),
		statesOf(res), ref, commas(st.Transitions)+plus(res), fmt.Sprintf("%.2f", st.Elapsed.Seconds()), cpuOf(r), fmt.Sprintf("%.2f", st.SerialElapsed.Seconds()), fmt.Sprintf("%.2f", st.AnalysisElapsed.Seconds()),
		commas(int(st.StatesPerSec())), perState(st.VisitedBytes+exactVectors(st), st.States), perState(st.GraphBytes, st.States), sizeOf(st.VectorBytes), rss(r), failingOf(res))
}

func plus(res *explorer.Result) string {
	if !res.Complete {
		return "+"
	}
	return ""
}

func statesOf(res *explorer.Result) string {
	return commas(res.Stats.States) + plus(res)
}

// failingOf lists the violated properties by id, or "none", and why an
// incomplete run stopped.
func failingOf(res *explorer.Result) string {
	var failing []string
	for _, pr := range sortedProps(res.Props) {
		if pr.Verdict == explorer.Violated {
			name := pr.Prop.Name
			if id, _, ok := strings.Cut(name, "-"); ok && propID(name) > 0 {
				name = id
			}
			failing = append(failing, name)
		}
	}
	verdict := strings.Join(failing, ",")
	if verdict == "" {
		verdict = "none"
	}
	if !res.Complete {
		verdict += " (" + incompleteWords(res) + ")"
	}
	return verdict
}

func cpuOf(r BenchRow) string {
	if r.CPU == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", r.CPU.Seconds())
}

func rss(r BenchRow) string {
	switch {
	case r.PeakRSS == 0:
		return "-"
	case r.PeakSoFar:
		return "<=" + sizeOf(r.PeakRSS)
	}
	return sizeOf(r.PeakRSS)
}

func exactVectors(st explorer.Stats) uint64 {
	if st.Exact {
		return st.VectorBytes
	}
	return 0
}

func perState(b uint64, n int) string {
	if n == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f", float64(b)/float64(n))
}
