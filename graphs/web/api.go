package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"wqcheck/explorer"
	"wqcheck/graphs"
	"wqcheck/invariants"
	"wqcheck/model"
)

// errJSON is every error the API returns: what is wrong, where (a watch
// expression's line and column), and a hint where one helps.
type errJSON struct {
	Error string `json:"error"`
	Hint  string `json:"hint,omitempty"`
	Line  int    `json:"line,omitempty"`
	Col   int    `json:"col,omitempty"`
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// fail answers an error: 400 for bad input, with a model error's position.
func fail(w http.ResponseWriter, code int, err error, hint string) {
	e := errJSON{Error: err.Error(), Hint: hint}
	var me *model.Error
	if errors.As(err, &me) {
		e.Line, e.Col = me.Pos.Line, me.Pos.Col
		if me.Hint != "" {
			e.Hint = me.Hint
		}
	}
	var nf *model.NotFoundError
	if errors.As(err, &nf) {
		e.Hint = nf.Hint()
	}
	writeJSON(w, code, e)
}

// query is what every request names: the run (v, set) and a path.
type query struct {
	run  *run
	path []int
	q    url.Values
}

// parse reads v, set (repeatable NAME=VALUE) and path; on bad input it
// answers the error and returns nil.
func (s *Server) parse(w http.ResponseWriter, r *http.Request) *query {
	q := r.URL.Query()
	set := map[string]string{}
	for _, kv := range q["set"] {
		for _, one := range strings.Split(kv, ",") {
			name, value, ok := strings.Cut(one, "=")
			if !ok || name == "" || value == "" {
				fail(w, http.StatusBadRequest, fmt.Errorf("set=%q: expected NAME=VALUE", kv), "e.g. set=NR_WORKERS=2")
				return nil
			}
			set[name] = value
		}
	}
	path, err := parsePath(q.Get("path"))
	if err != nil {
		fail(w, http.StatusBadRequest, err, "")
		return nil
	}
	rn, err := s.get(q.Get("v"), set)
	if err != nil {
		fail(w, http.StatusBadRequest, err, "")
		return nil
	}
	return &query{run: rn, path: path, q: q}
}

// prop is the property the request names (prop=NAME), else the run's
// first violated property, else the first.
func (qu *query) prop() (*model.Property, error) {
	p := qu.run.prog
	if name := qu.q.Get("prop"); name != "" {
		for _, pr := range p.Props {
			if pr.Name == name {
				return pr, nil
			}
		}
		return nil, fmt.Errorf("%s has no property %q", p.Name, name)
	}
	if _, _, res, _ := qu.run.snapshot(); res != nil {
		if pv := graphs.FirstViolation(res); pv != nil {
			return pv.Prop, nil
		}
	}
	return p.Props[0], nil
}

// trace replays the request's path as a trace of its property.
func (qu *query) trace(w http.ResponseWriter) *explorer.Trace {
	pr, err := qu.prop()
	if err != nil {
		fail(w, http.StatusBadRequest, err, "")
		return nil
	}
	tr, err := replay(qu.run.prog, qu.path, pr)
	if err != nil {
		fail(w, http.StatusBadRequest, err, "a path is the successor taken at each step, from 0: the URL may be from another version of the model")
		return nil
	}
	return tr
}

// cellJSON is one cell of the verdict matrix.
type cellJSON struct {
	Variant  string            `json:"variant"`
	Label    string            `json:"label"`
	Set      map[string]string `json:"set"`
	Status   string            `json:"status"`
	Error    string            `json:"error,omitempty"`
	States   int               `json:"states"`
	Depth    int               `json:"depth"`
	Queue    int               `json:"queue"`
	Seconds  float64           `json:"seconds"`
	Complete bool              `json:"complete"`
	Stopped  string            `json:"stopped,omitempty"`
	Props    []verdictJSON     `json:"props"`
}

type verdictJSON struct {
	Name    string `json:"name"`
	Verdict string `json:"verdict"`
	Steps   int    `json:"steps,omitempty"`
	Trace   bool   `json:"trace,omitempty"`
	// Why an unknown verdict of a complete search was left undecided
	Why string `json:"why,omitempty"`
}

func (r *run) cell() cellJSON {
	status, st, res, err := r.snapshot()
	c := cellJSON{Variant: r.variant, Label: r.label, Set: r.set, Status: status, States: st.States, Depth: st.Depth,
		Queue: st.Queue, Seconds: st.Elapsed.Seconds(), Props: []verdictJSON{}}
	if err != nil {
		c.Error = err.Error()
	}
	if res == nil {
		for _, pr := range r.prog.Props {
			c.Props = append(c.Props, verdictJSON{Name: pr.Name, Verdict: "pending"})
		}
		return c
	}
	c.Complete, c.Stopped = res.Complete, string(res.Stopped)
	for _, pr := range res.Props {
		v := verdictJSON{Name: pr.Prop.Name, Verdict: string(pr.Verdict), Trace: pr.Trace != nil, Why: pr.Why}
		if pr.Trace != nil {
			v.Steps = len(pr.Trace.Steps)
		}
		c.Props = append(c.Props, v)
	}
	return c
}

func (s *Server) handleMatrix(w http.ResponseWriter, r *http.Request) {
	out := struct {
		Cells []cellJSON `json:"cells"`
	}{[]cellJSON{}}
	for _, rn := range s.order {
		out.Cells = append(out.Cells, rn.cell())
	}
	writeJSON(w, http.StatusOK, out)
}

// handleTrace answers a property's counterexample as a path, once the
// search has found it: {status, path, prop, loop, msg}.
func (s *Server) handleTrace(w http.ResponseWriter, r *http.Request) {
	qu := s.parse(w, r)
	if qu == nil {
		return
	}
	status, st, res, err := qu.run.snapshot()
	if err != nil {
		fail(w, http.StatusInternalServerError, err, "")
		return
	}
	if res == nil {
		writeJSON(w, http.StatusOK, map[string]any{"status": status, "states": st.States})
		return
	}
	pr, perr := graphs.PickTrace(res, qu.q.Get("prop"))
	if perr != nil {
		fail(w, http.StatusBadRequest, perr, "")
		return
	}
	if pr == nil {
		writeJSON(w, http.StatusOK, map[string]any{"status": status, "none": true})
		return
	}
	path, err := pathOf(qu.run.prog, pr.Trace)
	if err != nil {
		fail(w, http.StatusInternalServerError, err, "")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": status, "path": formatPath(path), "prop": pr.Prop.Name,
		"verdict": pr.Verdict, "loop": pr.Trace.Loop, "msg": pr.Trace.Msg})
}

// verdictTrace returns the property's counterexample when path is its
// path: the page is showing the search's own trace.
func (qu *query) verdictTrace(pr *model.Property) *explorer.Trace {
	_, _, res, _ := qu.run.snapshot()
	if res == nil {
		return nil
	}
	for _, r := range res.Props {
		if r.Prop == pr && r.Trace != nil {
			if p, err := pathOf(qu.run.prog, r.Trace); err == nil && formatPath(p) == formatPath(qu.path) {
				return r.Trace
			}
		}
	}
	return nil
}

// stepJSON is one step of a path, in its lane, with what it changed.
type stepJSON struct {
	graphs.LaneStep
	Changes []varJSON `json:"changes"`
}

// handlePath answers the whole path as lanes: each step's brief and full
// statements and its changes; brief only when the path is a
// counterexample of the property (the slice is relative to it).
func (s *Server) handlePath(w http.ResponseWriter, r *http.Request) {
	qu, tr := s.parseTrace(w, r)
	if tr == nil {
		return
	}
	p := qu.run.prog
	reproduces, msg := qu.judge(tr)
	lanes := graphs.TraceLanes(p, tr, qu.q.Get("bycpu") == "1", reproduces)
	if lanes.Labels == nil {
		lanes.Labels = []string{}
	}
	steps := make([]stepJSON, len(tr.Steps))
	prev := tr.Initial
	for i := range tr.Steps {
		steps[i] = stepJSON{LaneStep: lanes.Steps[i], Changes: changesOnly(describeDiff(p, prev, tr.Steps[i].After))}
		if steps[i].Changes == nil {
			steps[i].Changes = []varJSON{}
		}
		prev = tr.Steps[i].After
	}
	writeJSON(w, http.StatusOK, map[string]any{"lanes": lanes.Labels, "steps": steps, "prop": tr.Prop.Name,
		"counterexample": reproduces, "msg": msg, "loop": tr.Loop, "path": formatPath(qu.path)})
}

// judge says whether the path is a counterexample of its property (the
// search's own trace, or one that reproduces it at its end; a whole-graph
// property is judged only on the search's trace), with what is wrong, and
// takes the search's lasso loop when it is its trace.
func (qu *query) judge(tr *explorer.Trace) (bool, string) {
	if vt := qu.verdictTrace(tr.Prop); vt != nil {
		tr.Loop = vt.Loop
		return true, vt.Msg
	}
	if isGraphKind(tr.Prop) || len(tr.Steps) == 0 {
		return false, ""
	}
	if ok, msg := explorer.Reproduces(qu.run.prog, tr, propIndex(qu.run.prog, tr.Prop)); ok {
		return true, msg
	}
	return false, ""
}

func propIndex(p *model.Program, pr *model.Property) int {
	for i, q := range p.Props {
		if q == pr {
			return i
		}
	}
	return -1
}

// isGraphKind: a property no single trace decides without a search (the
// whole-graph kinds, and lockdep's, decided over the lock-order graph of
// every interleaving).
func isGraphKind(pr *model.Property) bool {
	return invariants.For(pr.Kind).Graph != nil || pr.Kind == model.PropLockdep
}

// handleState answers the state at the end of the path: its variables
// (changed ones marked), the enabled steps, the properties there, and its
// BFS id once the index is built.
func (s *Server) handleState(w http.ResponseWriter, r *http.Request) {
	qu, tr := s.parseTrace(w, r)
	if tr == nil {
		return
	}
	p := qu.run.prog
	var before model.State
	if n := len(tr.Steps); n == 1 {
		before = tr.Initial
	} else if n > 1 {
		before = tr.Steps[n-2].After
	}
	var gr *explorer.Graph
	out := map[string]any{"depth": len(tr.Steps)}
	if ix := qu.run.currentIndex(); ix != nil {
		gr, _, _, _ = ix.snapshot()
	}
	if gr != nil {
		if id, ok := gr.Find(tr.Final()); ok {
			out["id"] = id
		}
	}
	threads := []map[string]string{}
	for _, t := range p.Threads {
		threads = append(threads, map[string]string{"thread": t.Label, "at": p.Where(tr.Final(), t),
			"state": model.TaskStateName(p.TaskState(tr.Final(), t))})
	}
	out["vars"] = describeDiff(p, before, tr.Final())
	out["succs"] = successors(p, tr.Final(), gr)
	out["props"] = propsAt(p, tr)
	out["threads"] = threads
	writeJSON(w, http.StatusOK, out)
}

// currentIndex returns the index search if one was started.
func (r *run) currentIndex() *index {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.index
}

// handleWatch evaluates expr at every state of the path (the initial
// state first): {values}, or an error with its line and column.
func (s *Server) handleWatch(w http.ResponseWriter, r *http.Request) {
	qu, tr := s.parseTrace(w, r)
	if tr == nil {
		return
	}
	wt, err := qu.run.prog.CompileWatch(qu.q.Get("expr"))
	if err != nil {
		fail(w, http.StatusBadRequest, err, "")
		return
	}
	states := []model.State{tr.Initial}
	for i := range tr.Steps {
		states = append(states, tr.Steps[i].After)
	}
	values := make([]string, len(states))
	for i, st := range states {
		v, err := wt.Eval(st)
		if err != nil {
			v = "error: " + err.Error()
		}
		values[i] = v
	}
	writeJSON(w, http.StatusOK, map[string]any{"expr": wt.Text, "values": values})
}

// handleIndex starts (or reports) the search that numbers the states.
func (s *Server) handleIndex(w http.ResponseWriter, r *http.Request) {
	qu := s.parse(w, r)
	if qu == nil {
		return
	}
	ix := qu.run.indexOf(s.cfg.Search, s.stop)
	_, res, st, status := ix.snapshot()
	out := map[string]any{"status": status, "states": st.States}
	if res != nil {
		out["complete"], out["stopped"] = res.Complete, string(res.Stopped)
	}
	writeJSON(w, http.StatusOK, out)
}

// handleGoto answers the shortest path to a state, by BFS id (id=N), or to
// the state at the end of the request's path (no id).
func (s *Server) handleGoto(w http.ResponseWriter, r *http.Request) {
	qu := s.parse(w, r)
	if qu == nil {
		return
	}
	gr, _, st, status := qu.run.indexOf(s.cfg.Search, s.stop).snapshot()
	if gr == nil {
		writeJSON(w, http.StatusOK, map[string]any{"status": status, "states": st.States})
		return
	}
	id := -1
	if v := qu.q.Get("id"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n >= gr.NumStates() {
			fail(w, http.StatusBadRequest, fmt.Errorf("id=%s: no such state; the ids run from 0 to %d", v, gr.NumStates()-1), "")
			return
		}
		id = n
	} else {
		tr := qu.trace(w)
		if tr == nil {
			return
		}
		n, ok := gr.Find(tr.Final())
		if !ok {
			fail(w, http.StatusBadRequest, fmt.Errorf("the state is not in the numbered graph (its search stopped at a bound)"), "")
			return
		}
		id = n
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": status, "id": id, "path": formatPath(gr.Path(id))})
}

// handleExport answers the path as a picture: the sequence diagram (SVG)
// or DOT, brief or full (full=1) as the page shows it, as graphs draws
// them, to download.
func (s *Server) handleExport(w http.ResponseWriter, r *http.Request) {
	qu, tr := s.parseTrace(w, r)
	if tr == nil {
		return
	}
	// the brief picture is the slice of a counterexample; a path chosen by
	// hand is drawn whole
	opt := graphs.PictureOptions{Full: qu.q.Get("full") == "1"}
	if vt := qu.verdictTrace(tr.Prop); vt != nil {
		tr = vt
	} else if ok, msg := qu.judge(tr); ok {
		tr.Msg = msg
	} else {
		opt.Full = true
		tr.Msg = fmt.Sprintf("none: a path chosen by hand in wqcheck explore (%s does not fail at its end)", tr.Prop.Name)
	}
	p := qu.run.prog
	name := strings.NewReplacer("/", "-", " ", "-").Replace(strings.TrimSuffix(qu.run.variant, ".wq"))
	switch f := qu.q.Get("format"); f {
	case "svg":
		w.Header().Set("Content-Type", "image/svg+xml")
		w.Header().Set("Content-Disposition", "attachment; filename="+name+".svg")
		_, _ = w.Write([]byte(graphs.SequenceSVGWith(p, tr, opt)))
	case "dot":
		style := qu.q.Get("style")
		if style == "" {
			style = graphs.StyleLanes
		}
		if style != graphs.StyleLanes && style != graphs.StyleStates {
			fail(w, http.StatusBadRequest, fmt.Errorf("style=%s: the DOT styles are lanes and states", style), "")
			return
		}
		w.Header().Set("Content-Type", "text/vnd.graphviz")
		w.Header().Set("Content-Disposition", "attachment; filename="+name+".dot")
		_, _ = w.Write([]byte(graphs.TraceDOTWith(p, tr, style, opt)))
	default:
		fail(w, http.StatusBadRequest, fmt.Errorf("format=%q: expected svg or dot", f), "")
	}
}

// parseTrace parses a request that names a path and replays it: the query
// and the trace, or a nil trace when it has answered with an error.
func (s *Server) parseTrace(w http.ResponseWriter, r *http.Request) (*query, *explorer.Trace) {
	qu := s.parse(w, r)
	if qu == nil {
		return nil, nil
	}
	return qu, qu.trace(w)
}
