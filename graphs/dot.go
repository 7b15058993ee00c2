package graphs

import (
	"fmt"
	"strings"

	"github.com/emicklei/dot"

	"wqcheck/explorer"
	"wqcheck/model"
)

// TraceDOT renders a counterexample as a DOT graph in the "lanes" style: a
// cluster per thread with its steps top to bottom, and the global order of
// the interleaving as bold edges from each step to the next. The step that
// violates the property (or the final state) is drawn in red. The output is
// deterministic: the same trace gives the same bytes.
func TraceDOT(p *model.Program, tr *explorer.Trace) string {
	g := dot.NewGraph(dot.Directed)
	g.ID("trace")
	g.Attr("rankdir", "TB")
	g.Attr("fontname", "Helvetica")
	g.Attr("label", dotEscape(fmt.Sprintf("%s: %s violated (%d steps)", p.Name, tr.Prop.Name, len(tr.Steps))))
	g.Attr("labelloc", "t")
	g.NodeInitializer(func(n dot.Node) {
		n.Attr("shape", "box")
		n.Attr("fontname", "Courier")
		n.Attr("fontsize", "10")
	})
	cols := Columns(tr)
	lanes := map[int]*dot.Graph{}
	for i, t := range cols {
		sg := g.Subgraph(fmt.Sprintf("lane%02d", i), dot.ClusterOption{})
		sg.Attr("label", t.Short)
		sg.Attr("style", "rounded")
		lanes[t.Index] = sg
	}
	var prev dot.Node
	hasPrev := false
	lastInLane := map[int]dot.Node{}
	for i := range tr.Steps {
		st := &tr.Steps[i]
		var lines []string
		for _, l := range StepLines(st) {
			lines = append(lines, l.cell())
		}
		label := fmt.Sprintf("%d\\l%s\\l", i+1, dotEscapeLines(lines))
		n := lanes[st.Thread.Index].Node(fmt.Sprintf("s%03d", i+1)).Attr("label", dot.Literal(`"`+label+`"`))
		if i == len(tr.Steps)-1 {
			n.Attr("color", "red").Attr("penwidth", "2")
		}
		if last, ok := lastInLane[st.Thread.Index]; ok {
			g.Edge(last, n).Attr("style", "invis")
		}
		lastInLane[st.Thread.Index] = n
		if hasPrev {
			g.Edge(prev, n).Attr("penwidth", "2").Attr("constraint", "true")
		}
		prev, hasPrev = n, true
	}
	v := g.Node("violation").Attr("shape", "note").Attr("color", "red").Attr("fontname", "Helvetica").
		Attr("label", dotEscape(wrapWords(tr.Msg, 60)))
	if hasPrev {
		g.Edge(prev, v).Attr("color", "red").Attr("style", "dashed")
	}
	return g.String()
}

// dotEscape quotes text for a DOT label.
func dotEscape(s string) string { return strings.ReplaceAll(s, `"`, `\"`) }

// dotEscapeLines joins lines into a left-justified DOT label body.
func dotEscapeLines(lines []string) string {
	var b strings.Builder
	for i, l := range lines {
		if i > 0 {
			b.WriteString(`\l`)
		}
		l = strings.ReplaceAll(l, `\`, `\\`)
		l = strings.ReplaceAll(l, `"`, `\"`)
		b.WriteString(l)
	}
	return b.String()
}

func wrapWords(s string, n int) string {
	var lines []string
	for _, part := range wrap(s, n) {
		lines = append(lines, strings.TrimSpace(part))
	}
	return strings.Join(lines, "\n")
}
