package graphs

import (
	"fmt"
	"html"
	"strings"

	"wqcheck/explorer"
	"wqcheck/model"
)

// SequenceSVG draws a trace as a sequence diagram in SVG, in pure Go (no
// Graphviz needed): a swimlane per thread that moves, named by its label;
// each step a box on its thread's lane, in the order of the interleaving,
// holding the statements it ran; a step during which the thread holds a
// lock is shaded and says which; a dashed arrow from each step to the next
// when the CPU changes hands, and a solid arrow labelled "wake" from a step
// that woke a thread to that thread's lane. The last step is outlined in red
// and the violation is written below. Output is deterministic.
func SequenceSVG(p *model.Program, tr *explorer.Trace) string {
	const (
		charW    = 6.6 // width of a character of 11px monospace
		lineH    = 14.0
		pad      = 6.0
		laneGap  = 24.0
		maxChars = 56
		top      = 40.0
		margin   = 16.0
	)
	cols := Columns(tr)
	colOf := map[int]int{}
	for i, t := range cols {
		colOf[t.Index] = i
	}
	laneChars := make([]int, len(cols))
	for i, t := range cols {
		laneChars[i] = min(max(len(t.Label)+2, 24), maxChars)
	}
	boxes := seqBoxes(p, tr, colOf, laneChars, maxChars)
	laneX := make([]float64, len(cols)) // left edge of each lane
	x := margin
	for i := range cols {
		laneX[i] = x
		x += float64(laneChars[i])*charW + 2*pad + laneGap
	}
	width := max(x-laneGap+margin, 480)
	y := top + 36
	for i := range boxes {
		b := &boxes[i]
		var wrapped []string
		for _, l := range b.lines {
			wrapped = append(wrapped, wrap(l, laneChars[b.col])...)
		}
		b.lines = wrapped
		if i == tr.Loop {
			y += 16 // room for the rule that says the rest repeats
		}
		b.y = y
		b.h = float64(len(b.lines))*lineH + 2*pad
		y += b.h + 14
	}
	msg := wrap("violation: "+tr.Msg, int((width-2*margin)/charW))
	height := y + 10 + float64(len(msg))*lineH + margin

	var s strings.Builder
	fmt.Fprintf(&s, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="11">`+"\n", width, height, width, height)
	s.WriteString(`<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker>` +
		`<marker id="wake" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#1a6fb0"/></marker></defs>` + "\n")
	fmt.Fprintf(&s, `<rect width="%.0f" height="%.0f" fill="#ffffff"/>`+"\n", width, height)
	fmt.Fprintf(&s, `<text x="%.1f" y="24" font-family="Helvetica, Arial, sans-serif" font-size="15" font-weight="bold">%s</text>`+"\n", margin, html.EscapeString(traceTitle(p, tr)))
	// lanes: header and lifeline
	for i, t := range cols {
		lw := float64(laneChars[i])*charW + 2*pad
		cx := laneX[i] + lw/2
		fmt.Fprintf(&s, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#bbb" stroke-dasharray="4 3"/>`+"\n", cx, top+26, cx, y)
		fmt.Fprintf(&s, `<rect x="%.1f" y="%.1f" width="%.1f" height="26" rx="4" fill="#f0f0f0" stroke="#444"/>`+"\n", laneX[i], top, lw)
		fmt.Fprintf(&s, `<text x="%.1f" y="%.1f" text-anchor="middle" font-family="Helvetica, Arial, sans-serif" font-size="13" font-weight="bold">%s</text>`+"\n", cx, top+17, html.EscapeString(t.Label))
	}
	// steps
	for i, b := range boxes {
		if i == tr.Loop {
			ly := b.y - 7
			fmt.Fprintf(&s, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#1a6fb0" stroke-width="1.5" stroke-dasharray="6 3"/>`+"\n", margin, ly, width-margin, ly)
			fmt.Fprintf(&s, `<text x="%.1f" y="%.1f" text-anchor="end" fill="#1a6fb0">the following steps repeat for ever</text>`+"\n", width-margin, ly-5)
		}
		lw := float64(laneChars[b.col])*charW + 2*pad
		fill, stroke, sw := "#ffffff", "#444", 1.0
		if len(b.locks) > 0 {
			fill = "#e6e6e6"
		}
		if b.failed {
			stroke, sw = "#d00000", 2.5
		}
		fmt.Fprintf(&s, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" rx="3" fill="%s" stroke="%s" stroke-width="%.1f"/>`+"\n", laneX[b.col], b.y, lw, b.h, fill, stroke, sw)
		for k, l := range b.lines {
			weight := ""
			if k == 0 {
				weight = ` font-weight="bold"`
			}
			fmt.Fprintf(&s, `<text x="%.1f" y="%.1f" xml:space="preserve"%s>%s</text>`+"\n", laneX[b.col]+pad, b.y+pad+float64(k+1)*lineH-3, weight, html.EscapeString(l))
		}
		// the interleaving: from this step to the next, when the thread changes
		if i+1 < len(boxes) && boxes[i+1].col != b.col {
			n := boxes[i+1]
			x1, x2 := edgeX(laneX, laneChars, b.col, n.col, charW, pad)
			fmt.Fprintf(&s, `<path d="M%.1f,%.1f L%.1f,%.1f" stroke="#555" stroke-dasharray="5 3" fill="none" marker-end="url(#arrow)"/>`+"\n", x1, b.y+b.h, x2, n.y)
		}
		for _, wc := range b.wakes {
			if wc == b.col {
				continue
			}
			x1, x2 := edgeX(laneX, laneChars, b.col, wc, charW, pad)
			wy := b.y + b.h/2
			fmt.Fprintf(&s, `<path d="M%.1f,%.1f L%.1f,%.1f" stroke="#1a6fb0" stroke-width="1.5" fill="none" marker-end="url(#wake)"/>`+"\n", x1, wy, x2, wy)
			fmt.Fprintf(&s, `<text x="%.1f" y="%.1f" text-anchor="middle" fill="#1a6fb0">wake</text>`+"\n", (x1+x2)/2, wy-4)
		}
	}
	for k, l := range msg {
		fmt.Fprintf(&s, `<text x="%.1f" y="%.1f" fill="#b00000" xml:space="preserve">%s</text>`+"\n", margin, y+10+float64(k+1)*lineH, html.EscapeString(strings.TrimSpace(l)))
	}
	s.WriteString("</svg>\n")
	return s.String()
}

// seqBox is one step of a sequence diagram, in its lane.
type seqBox struct {
	col    int
	lines  []string
	locks  []string
	wakes  []int // columns of threads this step woke
	y, h   float64
	failed bool
}

// seqBoxes makes a box per step and widens each lane (laneChars, at most
// maxChars) to its longest line.
func seqBoxes(p *model.Program, tr *explorer.Trace, colOf map[int]int, laneChars []int, maxChars int) []seqBox {
	var boxes []seqBox
	before := tr.Initial
	for i := range tr.Steps {
		st := &tr.Steps[i]
		b := seqBox{col: colOf[st.Thread.Index], locks: stepLocks(p, before, st)}
		head := fmt.Sprintf("%d", i+1)
		if len(b.locks) > 0 {
			head += "  [holds " + strings.Join(b.locks, ", ") + "]"
		}
		b.lines = append(b.lines, head)
		for _, l := range StepLines(st) {
			b.lines = append(b.lines, l.cell())
		}
		if st.Err != nil {
			b.lines = append(b.lines, "*** "+st.Err.Msg)
		}
		for k := range st.Instrs { // in order: Notes is a map
			if n := st.Notes[k]; n.Kind == model.NoteWake {
				if c, ok := colOf[n.Woken.Index]; ok {
					b.wakes = append(b.wakes, c)
				}
			}
		}
		for _, l := range b.lines {
			laneChars[b.col] = max(laneChars[b.col], min(len(l), maxChars))
		}
		b.failed = i == len(tr.Steps)-1
		boxes = append(boxes, b)
		before = st.After
	}
	return boxes
}

// edgeX gives the x of the facing sides of two lanes.
func edgeX(laneX []float64, laneChars []int, from, to int, charW, pad float64) (float64, float64) {
	w := func(c int) float64 { return float64(laneChars[c])*charW + 2*pad }
	if to > from {
		return laneX[from] + w(from), laneX[to]
	}
	return laneX[from], laneX[to] + w(to)
}
