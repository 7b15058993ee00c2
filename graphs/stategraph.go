package graphs

import (
	"fmt"
	"sort"
	"strings"

	"github.com/emicklei/dot"

	"wqcheck/explorer"
	"wqcheck/model"
)

// GraphOptions control StateGraphDOT.
type GraphOptions struct {
	// MaxNodes bounds the states drawn (default 200). A larger graph is
	// collapsed to the neighbourhood of the highlighted trace: the trace's
	// states, then their neighbours, breadth-first, until the bound.
	MaxNodes int
	Trace    *explorer.Trace // drawn bold; nil for none
}

// StateGraphDOT draws an explored state graph (explorer.Options.KeepGraph).
// Each state is a node named by its BFS id with the threads' positions as
// its label and its full description as a tooltip; each edge is a step,
// labelled with the thread that takes it. The initial state is a double
// octagon, states where a property fails are filled red (named in the label),
// states the search did not expand are dashed, and the trace's path is
// bold. When the graph is collapsed, a node with neighbours left out says how
// many, and a note says how many states are not shown. Deterministic.
func StateGraphDOT(res *explorer.Result, opt GraphOptions) string {
	p, gr := res.Program, res.Graph
	limit := opt.MaxNodes
	if limit <= 0 {
		limit = 200
	}
	path, onPath, pathEdge := tracePath(gr, opt.Trace)
	n := gr.NumStates()
	shown := shownStates(gr, path, limit)
	collapsed := n > limit
	ids := make([]int, 0, len(shown))
	for id := range shown {
		ids = append(ids, id)
	}
	sort.Ints(ids)

	g := dot.NewGraph(dot.Directed)
	g.ID("states")
	g.Attr("rankdir", "TB")
	g.Attr("fontname", "Helvetica")
	title := fmt.Sprintf("%s: %d states, %d drawn", p.Name, n, len(ids))
	if !res.Complete {
		// never label a cut graph as if it were the whole one
		title = fmt.Sprintf("%s: INCOMPLETE graph (the search stopped at %s after %d states), %d drawn", p.Name, res.Stopped, n, len(ids))
	}
	if opt.Trace != nil {
		title += fmt.Sprintf("; bold: %s (%d step%s)", opt.Trace.Prop.Name, len(opt.Trace.Steps), plural(len(opt.Trace.Steps)))
	}
	g.Attr("label", dotEscape(title))
	g.Attr("labelloc", "t")
	g.NodeInitializer(func(nd dot.Node) {
		nd.Attr("shape", "box")
		nd.Attr("style", "rounded")
		nd.Attr("fontname", "Courier")
		nd.Attr("fontsize", "9")
	})
	g.EdgeInitializer(func(e dot.Edge) {
		e.Attr("fontname", "Helvetica")
		e.Attr("fontsize", "8")
	})
	nodes := map[int]dot.Node{}
	for _, id := range ids {
		nodes[id] = stateNode(g, res, id, shown, collapsed, onPath[id])
	}
	for _, id := range ids {
		seen := map[[2]int]bool{}
		for _, e := range gr.Edges(id) {
			if !shown[e.To] || seen[[2]int{e.To, e.Thread}] {
				continue
			}
			seen[[2]int{e.To, e.Thread}] = true
			ed := g.Edge(nodes[id], nodes[e.To]).Attr("label", dotEscape(p.Threads[e.Thread].Label))
			if pathEdge[[2]int{id, e.To}] {
				ed.Attr("penwidth", "3").Attr("color", "#c00000")
			}
		}
	}
	if collapsed {
		g.Node("collapsed").Attr("shape", "note").Attr("style", "").Attr("fontname", "Helvetica").
			Attr("label", dotEscape(fmt.Sprintf("%d of %d states not drawn (--max-nodes %d); shown: the neighbourhood of the trace", n-len(ids), n, limit)))
	}
	return g.String()
}

// tracePath finds a trace's states in the graph: the path as ids, the set
// of them, and the set of its edges.
func tracePath(gr *explorer.Graph, tr *explorer.Trace) ([]int, map[int]bool, map[[2]int]bool) {
	onPath := map[int]bool{}
	pathEdge := map[[2]int]bool{}
	var path []int
	if tr == nil {
		return nil, onPath, pathEdge
	}
	if id, ok := gr.Find(tr.Initial); ok {
		path = append(path, id)
	}
	for i := range tr.Steps {
		if id, ok := gr.Find(tr.Steps[i].After); ok {
			path = append(path, id)
		}
	}
	for i, id := range path {
		onPath[id] = true
		if i > 0 {
			pathEdge[[2]int{path[i-1], id}] = true
		}
	}
	return path, onPath, pathEdge
}

// shownStates picks the states to draw: all of them, or, past limit, the
// neighbourhood of the path (or of the initial state) in both directions,
// breadth-first.
func shownStates(gr *explorer.Graph, path []int, limit int) map[int]bool {
	n := gr.NumStates()
	shown := map[int]bool{}
	if n <= limit {
		for id := 0; id < n; id++ {
			shown[id] = true
		}
		return shown
	}
	pred := make([][]int, n)
	for id := 0; id < n; id++ {
		for _, e := range gr.Edges(id) {
			pred[e.To] = append(pred[e.To], id)
		}
	}
	queue := append([]int(nil), path...)
	if len(queue) == 0 {
		queue = []int{0}
	}
	for _, id := range queue {
		shown[id] = true
	}
	for len(queue) > 0 && len(shown) < limit {
		id := queue[0]
		queue = queue[1:]
		var next []int
		for _, e := range gr.Edges(id) {
			next = append(next, e.To)
		}
		next = append(next, pred[id]...)
		for _, x := range next {
			if !shown[x] && len(shown) < limit {
				shown[x] = true
				queue = append(queue, x)
			}
		}
	}
	return shown
}

// stateNode draws state id: the threads' positions, what fails there, the
// steps to states not drawn; the initial state, failures, states not
// expanded and the trace's path styled.
func stateNode(g *dot.Graph, res *explorer.Result, id int, shown map[int]bool, collapsed, onPath bool) dot.Node {
	p, gr := res.Program, res.Graph
	s := gr.State(id)
	lines := []string{fmt.Sprintf("#%d", id)}
	for _, t := range p.Threads {
		lines = append(lines, fmt.Sprintf("%s: %s", t.Label, shortWhere(p, s, t)))
	}
	for _, f := range gr.Failing(id) {
		lines = append(lines, "FAILS "+p.Props[f].Name)
	}
	hidden := 0
	if collapsed {
		for _, e := range gr.Edges(id) {
			if !shown[e.To] {
				hidden++
			}
		}
		if hidden > 0 {
			lines = append(lines, fmt.Sprintf("(+%d steps to states not drawn)", hidden))
		}
	}
	nd := g.Node(fmt.Sprintf("n%d", id)).Attr("label", dot.Literal(`"`+dotEscapeLines(lines)+`\l"`))
	nd.Attr("tooltip", dotEscape(describeLine(p, s)))
	style := "rounded"
	if id == 0 {
		nd.Attr("shape", "doubleoctagon")
		style = ""
	}
	if len(gr.Failing(id)) > 0 && !allWitness(p, gr.Failing(id)) {
		style = joinStyle(style, "filled")
		nd.Attr("fillcolor", "#ffb3b3").Attr("color", "#c00000")
	} else if len(gr.Failing(id)) > 0 {
		style = joinStyle(style, "filled")
		nd.Attr("fillcolor", "#ffe9a8")
	}
	if onPath {
		nd.Attr("penwidth", "2.5")
	}
	if gr.Depth(id) > 0 && len(gr.Edges(id)) == 0 && !res.Complete {
		style = joinStyle(style, "dashed")
	}
	if style != "" {
		nd.Attr("style", style)
	}
	return nd
}

func joinStyle(a, b string) string {
	if a == "" {
		return b
	}
	return a + "," + b
}

func allWitness(p *model.Program, props []int) bool {
	for _, f := range props {
		if !p.Props[f].Witness {
			return false
		}
	}
	return true
}

// shortWhere is a thread's position in a few characters: "L16 spin_lock(&to->lock)"
// or "exited".
func shortWhere(p *model.Program, s model.State, t *model.Thread) string {
	if p.Finished(s, t) {
		return "exited"
	}
	w := p.Where(s, t)
	if i := strings.Index(w, ".wq:"); i >= 0 {
		w = "L" + w[i+4:]
	}
	return clip(w, 48)
}

// describeLine is a state's variables on one line, for tooltips.
func describeLine(p *model.Program, s model.State) string {
	var parts []string
	for _, v := range p.Describe(s) {
		parts = append(parts, v.Path+"="+v.Value)
	}
	return strings.Join(parts, "  ")
}
