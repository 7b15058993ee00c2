package graphs

import (
	"slices"

	"wqcheck/explorer"
	"wqcheck/model"
)

// Lanes is a trace laid out for the browser explorer (graphs/web): a lane
// per thread that moves (or per CPU), and per step what the brief trace
// shows of it and every statement it ran.
type Lanes struct {
	Labels []string   // the lanes, in order of first move: "consumer (CPU 0)"
	Steps  []LaneStep // one per trace step
}

// LaneStep is one step of a trace in its lane.
type LaneStep struct {
	Lane   int        `json:"lane"`
	Thread string     `json:"thread"`          // the thread's label
	Kept   bool       `json:"kept"`            // the violation depends on the step (explorer.Slice)
	Brief  []string   `json:"brief,omitempty"` // the statements the brief trace shows (empty when not Kept)
	Full   []LaneLine `json:"full"`
	Err    string     `json:"err,omitempty"` // a runtime error or breach the step raised
}

// LaneLine is one statement of a step; Func names the helper it is in
// ("" for the thread's own body), so that a page can fold helper bodies.
type LaneLine struct {
	Func string `json:"func,omitempty"`
	Text string `json:"text"`
}

// TraceLanes lays out tr: the brief text of the steps the violation
// depends on (as check prints them; a lasso's every step), and every
// statement of every step. Without slice (a path that is not tr.Prop's
// counterexample) every step is kept.
func TraceLanes(p *model.Program, tr *explorer.Trace, byCPU, slice bool) Lanes {
	keep := make([]bool, len(tr.Steps))
	if slice && tr.Loop < 0 { // a lasso is shown whole, as check prints it
		keep = explorer.Slice(p, tr)
	} else {
		for i := range keep {
			keep[i] = true
		}
	}
	cols := traceColumns(p, tr, byCPU && p.NCPUs > 0, nil)
	pick := pickFor(tr.Prop)
	out := Lanes{Labels: cols.labels}
	prev := tr.Initial
	prop := slices.Index(p.Props, tr.Prop)
	for i := range tr.Steps {
		st := &tr.Steps[i]
		ls := StepLines(st)
		ln := LaneStep{Lane: cols.of(p, prev, st.Thread), Thread: st.Thread.Label, Kept: keep[i]}
		if keep[i] {
			ln.Brief = briefTexts(ls, pick)
			if len(ln.Brief) == 0 {
				ln.Brief = []string{stepName(st)}
			}
		}
		for _, l := range ls {
			ln.Full = append(ln.Full, LaneLine{Func: l.Func, Text: l.Text})
		}
		if st.Err != nil {
			ln.Err = st.Err.Msg
		} else if prop >= 0 && slices.Contains(st.Fired, prop) {
			ln.Err = "warn_on fired: " + tr.Prop.Name
		}
		out.Steps = append(out.Steps, ln)
		prev = st.After
	}
	return out
}
