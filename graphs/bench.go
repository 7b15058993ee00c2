package graphs

import (
	"fmt"
	"io"
	"strings"

	"wqcheck/explorer"
)

// BenchMode is one way of searching that `wqcheck bench` compares.
type BenchMode struct {
	Name     string
	Reduce   string // "locks" or "none"
	Workers  int
	Exact    bool
	Symmetry bool
}

// BenchRow is one run of the bench matrix.
type BenchRow struct {
	Variant, Kind, Size string
	Mode                BenchMode
	Result              *explorer.Result
}

const benchFormat = "%-15s %-8s %-5s %-9s %3s %13s %14s %8s %7s %8s %11s %7s %7s %9s  %s\n"

// WriteBenchHeader writes the column names of the bench table.
func WriteBenchHeader(w io.Writer) {
	fmt.Fprintf(w, benchFormat, "variant", "kind", "size", "mode", "thr", "states", "transitions", "seconds", "serial", "analysis", "states/s", "B/state", "+edges", "vectors", "failing")
}

// WriteBenchRow writes one run as a row: figures of an incomplete run end
// in '+', and failing lists the violated properties by id (S9, deadlock).
// seconds is the whole run; serial the part spent in the search's
// one-goroutine phases (insert, record), analysis the part spent in the
// stranded-work analysis after the search (one goroutine too).
// B/state is what each stored state costs in the visited set and the parent
// records (with its vector, in exact mode); +edges what the stranded-work
// analysis adds per state; vectors the state vectors held at the peak (the
// frontier in fingerprint mode, every state in exact mode).
func WriteBenchRow(w io.Writer, r BenchRow) {
	res := r.Result
	st := res.Stats
	more := ""
	if !res.Complete {
		more = "+"
	}
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
		verdict += " (" + stoppedWords(res.Stopped) + ")"
	}
	fmt.Fprintf(w, benchFormat, r.Variant, r.Kind, r.Size, r.Mode.Name, fmt.Sprint(st.Workers),
		commas(st.States)+more, commas(st.Transitions)+more, fmt.Sprintf("%.2f", st.Elapsed.Seconds()), fmt.Sprintf("%.2f", st.SerialElapsed.Seconds()), fmt.Sprintf("%.2f", st.AnalysisElapsed.Seconds()),
		commas(int(st.StatesPerSec())), perState(st.VisitedBytes+exactVectors(st), st.States), perState(st.GraphBytes, st.States), sizeOf(st.VectorBytes), verdict)
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
