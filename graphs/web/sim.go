package web

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"wqcheck/explorer"
	"wqcheck/graphs"
	"wqcheck/invariants"
	"wqcheck/model"
)

// maxPath bounds a path's length: every request replays it.
const maxPath = 100000

// parsePath reads a path written 0.3.1 (empty: the initial state).
func parsePath(s string) ([]int, error) {
	if s == "" {
		return nil, nil
	}
	parts := strings.Split(s, ".")
	if len(parts) > maxPath {
		return nil, fmt.Errorf("path: %d steps, at most %d", len(parts), maxPath)
	}
	out := make([]int, len(parts))
	for i, p := range parts {
		k, err := strconv.Atoi(p)
		if err != nil || k < 0 {
			return nil, fmt.Errorf("path %q: step %d is %q, not a successor index (write the path as 0.3.1)", s, i+1, p)
		}
		out[i] = k
	}
	return out, nil
}

// formatPath writes a path as parsePath reads it.
func formatPath(path []int) string {
	s := make([]string, len(path))
	for i, k := range path {
		s[i] = strconv.Itoa(k)
	}
	return strings.Join(s, ".")
}

// replay follows a path of successor indexes and returns it as a trace of
// prop, with every step's statements recorded (explorer.Replay).
func replay(p *model.Program, path []int, prop *model.Property) (*explorer.Trace, error) {
	cur, err := p.Initial()
	if err != nil {
		return nil, err
	}
	st := p.NewStepper()
	moves := make([]explorer.Move, 0, len(path))
	for i, k := range path {
		var next model.State
		n := 0
		st.Successors(cur, func(sc *model.Succ) {
			if n == k {
				next = sc.State.Clone()
				moves = append(moves, explorer.Move{Thread: sc.Thread, Branch: sc.Branch})
			}
			n++
		})
		if next == nil {
			return nil, fmt.Errorf("path: step %d takes successor %d, but state has %d successor%s", i+1, k, n, map[bool]string{true: "", false: "s"}[n == 1])
		}
		cur = next
	}
	tr, err := explorer.Replay(p, moves)
	if err != nil {
		return nil, err
	}
	tr.Prop = prop
	return tr, nil
}

// pathOf turns a trace's moves into successor indexes.
func pathOf(p *model.Program, tr *explorer.Trace) ([]int, error) {
	st := p.NewStepper()
	cur := tr.Initial
	out := make([]int, 0, len(tr.Steps))
	for i := range tr.Steps {
		step := &tr.Steps[i]
		k, n := -1, 0
		st.Successors(cur, func(sc *model.Succ) {
			if k < 0 && sc.Thread == step.Thread.Index && sc.Branch == step.Branch {
				k = n
			}
			n++
		})
		if k < 0 {
			return nil, fmt.Errorf("step %d of the trace is not a successor", i+1)
		}
		out = append(out, k)
		cur = step.After
	}
	return out, nil
}

// varJSON is one variable of a state; Changed: the step into the state
// changed it.
type varJSON struct {
	Path    string `json:"path"`
	Value   string `json:"value"`
	Old     string `json:"old,omitempty"`
	Changed bool   `json:"changed,omitempty"`
}

// describeDiff describes after, marking what differs from before (nil:
// nothing is marked).
func describeDiff(p *model.Program, before, after model.State) []varJSON {
	old := map[string]string{}
	if before != nil {
		for _, v := range p.Describe(before) {
			old[v.Path] = v.Value
		}
	}
	var out []varJSON
	for _, v := range p.Describe(after) {
		o, had := old[v.Path]
		vj := varJSON{Path: v.Path, Value: v.Value}
		if before != nil && (!had || o != v.Value) {
			vj.Changed, vj.Old = true, o
		}
		out = append(out, vj)
	}
	return out
}

// changesOnly keeps the changed variables, without the threads' positions
// (the lanes show where each thread is).
func changesOnly(vs []varJSON) []varJSON {
	var out []varJSON
	for _, v := range vs {
		if v.Changed && !strings.HasSuffix(v.Path, ".at") {
			out = append(out, v)
		}
	}
	return out
}

// succJSON is one enabled step from a state.
type succJSON struct {
	K      int      `json:"k"` // its index among the successors: the path's next element
	Thread string   `json:"thread"`
	Branch int      `json:"branch"`
	Text   string   `json:"text"` // its first statement (after a bare declaration: `bool ready;` says nothing)
	All    []string `json:"all"`  // every statement it runs
	Err    string   `json:"err,omitempty"`
	Blocks bool     `json:"blocks,omitempty"`
	ID     *int     `json:"id,omitempty"` // the BFS id of the state it leads to, once the index is built
}

// bareDecl is a local's declaration without a value.
var bareDecl = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_ ]* \*?[A-Za-z_][A-Za-z0-9_]*;$`)

// successors lists the steps enabled in s, each with its first statement.
func successors(p *model.Program, s model.State, gr *explorer.Graph) []succJSON {
	st := p.NewStepper()
	st.Record = true
	out := []succJSON{}
	st.Successors(s, func(sc *model.Succ) {
		t := p.Threads[sc.Thread]
		step := explorer.Step{Thread: t, Branch: sc.Branch, Rest: p.PC(sc.State, t), Notes: sc.Notes, Blocks: sc.Blocks}
		for _, pc := range sc.Log {
			step.Instrs = append(step.Instrs, t.Kind.Code[pc])
			step.PCs = append(step.PCs, pc)
		}
		sj := succJSON{K: len(out), Thread: t.Label, Branch: sc.Branch, Blocks: sc.Blocks, Text: "(moves)"}
		ls := graphs.StepLines(&step)
		for i, l := range ls {
			text := l.Text
			if l.Func != "" {
				text = l.Func + ": " + text
			}
			sj.All = append(sj.All, text)
			if i == 0 || sj.Text == ls[0].Text && bareDecl.MatchString(ls[0].Text) {
				sj.Text = text
			}
		}
		if sc.Err != nil {
			sj.Err = sc.Err.Msg
		}
		if gr != nil {
			if id, ok := gr.Find(sc.State); ok {
				sj.ID = &id
			}
		}
		out = append(out, sj)
	})
	return out
}

// propJSON is a property judged at one state.
type propJSON struct {
	Name   string `json:"name"`
	Kind   string `json:"kind"`
	Status string `json:"status"` // holds, fails, or graph (decided over the whole graph only)
	Msg    string `json:"msg,omitempty"`
}

// propsAt judges every property at the end of tr: state and terminal
// properties at its final state, step properties on its last step; the
// whole-graph ones (stranded work, liveness) are not a state's.
func propsAt(p *model.Program, tr *explorer.Trace) []propJSON {
	su := invariants.NewSuite(p)
	var last *explorer.Step
	if n := len(tr.Steps); n > 0 {
		last = &tr.Steps[n-1]
	}
	out := []propJSON{}
	for i, pr := range p.Props {
		pj := propJSON{Name: pr.Name, Kind: pr.Kind.String(), Status: "holds"}
		k := invariants.For(pr.Kind)
		switch {
		case pr.Kind == model.PropLockdep:
			pj.Status, pj.Msg = "graph", "decided over the lock-order graph of every interleaving: see the verdicts"
		case k.Step:
			if last != nil && slices.Contains(last.Fired, i) {
				pj.Status, pj.Msg = "fails", "the last step fired it: "+pr.Text
			} else if last != nil && last.Err != nil && last.Err.Prop == i {
				pj.Status, pj.Msg = "fails", last.Err.Msg
			}
		case k.Graph != nil:
			pj.Status, pj.Msg = "graph", "decided over the whole state graph: see the verdicts"
		default:
			if failed, msg := su.AtEnd(i, tr.Final()); failed {
				pj.Status, pj.Msg = "fails", msg
			}
		}
		out = append(out, pj)
	}
	return out
}
