package graphs

import (
	"fmt"
	"io"
	"time"

	"wqcheck/explorer"
)

// ReviewRung is one rung of the review ladder (wqcheck review) as run on
// one variant: which configuration, and what its search found.
type ReviewRung struct {
	N      int    // the rung's number in the ladder, from 1
	Name   string // "uaf"
	Config string // its overrides, "NR_WORKERS=4 NR_BUSY=2 ..." ("" for the variant's own parameters)
	Cut    string // "" complete, else "budget", "interrupted", CutNotRun... or the bound that stopped it
	Same   int    // not run: its parameters are those of rung Same
	Run    Run
}

// configText names a rung's configuration for people.
func (r *ReviewRung) configText() string {
	if r.Config == "" {
		return "the variant's own parameters"
	}
	return r.Config
}

// Review is one variant's ladder.
type Review struct {
	Variant string
	Rungs   []*ReviewRung
}

// ReviewCell is one property's verdict over a ladder: violated or
// witnessed at the first rung that shows it, else unknown at the first
// rung that did not decide it, else holds (in every rung). Rung is nil
// when it holds.
type ReviewCell struct {
	Verdict explorer.Verdict
	Rung    *ReviewRung
	Prop    *explorer.PropResult // the rung's result for the property (with its trace)
}

// reviewRank orders verdicts: a violation anywhere decides, then a witness,
// then a rung that did not decide; holds only when every rung holds.
var reviewRank = map[explorer.Verdict]int{explorer.Holds: 0, explorer.Unknown: 1, explorer.Witnessed: 2, explorer.Violated: 3}

// Cells combines the rungs' verdicts per property, with the property names
// in declaration order.
func (rv *Review) Cells() ([]string, map[string]ReviewCell) {
	var names []string
	cells := map[string]ReviewCell{}
	for _, rg := range rv.Rungs {
		if rg.Same > 0 {
			continue
		}
		for i := range rg.Run.Result.Props {
			pr := &rg.Run.Result.Props[i]
			name := pr.Prop.Name
			c, seen := cells[name]
			if !seen {
				names = append(names, name)
				c = ReviewCell{Verdict: explorer.Holds}
			}
			if reviewRank[pr.Verdict] > reviewRank[c.Verdict] {
				c = ReviewCell{Verdict: pr.Verdict, Rung: rg, Prop: pr}
			}
			cells[name] = c
		}
	}
	return names, cells
}

// Results returns every rung's search result (for the exit status).
func (rv *Review) Results() []*explorer.Result {
	var out []*explorer.Result
	for _, rg := range rv.Rungs {
		if rg.Same == 0 {
			out = append(out, rg.Run.Result)
		}
	}
	return out
}

// WriteReviewMatrix writes the verdict matrix of a review: a row per
// variant, each verdict with the rung it came from ("FAIL@6"), then each
// variant's rungs: configuration, states, time and whether it completed.
func WriteReviewMatrix(w io.Writer, reviews []*Review, budget time.Duration) {
	var rows []MatrixRow
	for _, rv := range reviews {
		names, cells := rv.Cells()
		row := MatrixRow{Label: rv.Variant, Props: names, Cells: map[string]string{}}
		states, cut := 0, false
		var elapsed time.Duration
		for _, rg := range rv.Rungs {
			if rg.Same > 0 {
				continue
			}
			states += rg.Run.Result.Stats.States
			elapsed += rg.Run.Result.Stats.Elapsed
			cut = cut || rg.Cut != ""
		}
		for _, n := range names {
			c := cells[n]
			row.Cells[n] = shortVerdict[c.Verdict]
			if c.Rung != nil {
				row.Cells[n] += fmt.Sprintf("@%d", c.Rung.N)
			}
		}
		row.States, row.Time = commas(states), fmtDuration(elapsed)
		if cut {
			row.States += "+"
		}
		rows = append(rows, row)
	}
	WriteMatrixRows(w, rows, "(ok: holds in every rung; FAIL@n: violated, first at rung n; wit@n: witnessed, informational, "+
		"first at rung n; ?@n: unknown, rung n did not finish (the budget, a signal) or could not decide (said under the rung) "+
		"and nothing failed; -: no such property)")
	for _, rv := range reviews {
		fmt.Fprintf(w, "\n%s, rung by rung (budget %s):\n", rv.Variant, budget)
		cw := 0
		for _, rg := range rv.Rungs {
			cw = max(cw, len(rg.configText()))
		}
		for _, rg := range rv.Rungs {
			writeRungLine(w, rg, cw)
		}
	}
}

// The cuts of a rung that did not start (ReviewRung.Cut).
const (
	CutNotRunBudget = "not run: budget"
	CutNotRunSignal = "not run: interrupted"
)

func writeRungLine(w io.Writer, rg *ReviewRung, cw int) {
	if rg.Same > 0 {
		fmt.Fprintf(w, "  %d %-9s %s\n", rg.N, rg.Name, pad(rg.configText(), cw)+"  the same parameters as rung "+fmt.Sprint(rg.Same))
		return
	}
	res := rg.Run.Result
	status := "complete"
	switch rg.Cut {
	case "":
	case CutNotRunBudget:
		status = "NOT RUN (the budget was spent)"
	case CutNotRunSignal:
		status = "NOT RUN (a signal came first)"
	default:
		status = "INCOMPLETE (" + rg.Cut + ")"
	}
	states := commas(res.Stats.States) + " states"
	if rg.Cut == CutNotRunBudget || rg.Cut == CutNotRunSignal {
		states = ""
	}
	fmt.Fprintf(w, "  %d %-9s %s %16s %7s  %s\n", rg.N, rg.Name, pad(rg.configText(), cw), states, fmtDuration(res.Stats.Elapsed), status)
	for _, pr := range sortedProps(res.Props) {
		if pr.Verdict == explorer.Unknown && pr.Why != "" {
			fmt.Fprintf(w, "      %s unknown: %s\n", pr.Prop.Name, pr.Why)
		}
	}
}

// WriteReviewTraces writes, per variant, the trace of each property
// violated or witnessed over the ladder, headed by the rung it came from.
func WriteReviewTraces(w io.Writer, reviews []*Review, opt TextOptions) {
	for _, rv := range reviews {
		names, cells := rv.Cells()
		for _, n := range sortedNames(names) {
			c := cells[n]
			if c.Prop == nil || c.Prop.Trace == nil {
				continue
			}
			fmt.Fprintf(w, "\n%s: %s at rung %d %s (%s)\n", rv.Variant, c.Verdict, c.Rung.N, c.Rung.Name, c.Rung.configText())
			WriteTrace(w, c.Rung.Run.Result.Program, c.Prop.Trace, opt)
		}
	}
}

func sortedNames(names []string) []string {
	out := append([]string(nil), names...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && propLess(out[j], out[j-1]); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}
