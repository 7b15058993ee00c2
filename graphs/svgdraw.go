package graphs

import (
	"fmt"
	"html"
	"strings"
)

const (
	seqBlue = "#1a6fb0"
	seqSans = `font-family="Helvetica, Arial, sans-serif"`
)

// svg writes the laid-out diagram.
func (l *seqLayout) svg() string {
	var s strings.Builder
	fmt.Fprintf(&s, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="%.0f">`+"\n",
		l.width, l.height, l.width, l.height, seqFont)
	s.WriteString(`<defs><marker id="wake" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="` + seqBlue + `"/></marker></defs>` + "\n")
	fmt.Fprintf(&s, `<rect width="%.0f" height="%.0f" fill="#ffffff"/>`+"\n", l.width, l.height)
	fmt.Fprintf(&s, `<text x="%.1f" y="26" %s font-size="17" font-weight="bold">%s</text>`+"\n", seqMargin, seqSans, html.EscapeString(l.pic.title))
	bottom := seqTop + seqHeadH
	if n := len(l.boxY); n > 0 {
		bottom = l.boxY[n-1] + l.boxH[n-1] + 4
	}
	for i, t := range l.pic.lanes {
		cx := l.laneX[i] + l.laneW[i]/2
		fmt.Fprintf(&s, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#bbb" stroke-dasharray="4 3"/>`+"\n", cx, seqTop+seqHeadH, cx, bottom)
		fmt.Fprintf(&s, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.0f" rx="4" fill="#f0f0f0" stroke="#444"/>`+"\n", l.laneX[i], seqTop, l.laneW[i], seqHeadH)
		fmt.Fprintf(&s, `<text x="%.1f" y="%.1f" text-anchor="middle" %s font-size="13" font-weight="bold">%s</text>`+"\n", cx, seqTop+17, seqSans, html.EscapeString(t.Label))
	}
	for k := range l.pic.boxes {
		l.box(&s, k)
	}
	for k := range l.pic.boxes {
		l.wakes(&s, k)
	}
	y := bottom + 4
	for _, line := range l.foot {
		y += seqLineH
		fmt.Fprintf(&s, `<text x="%.1f" y="%.1f" fill="#b00000" xml:space="preserve">%s</text>`+"\n", seqMargin, y, html.EscapeString(line))
	}
	s.WriteString("</svg>\n")
	return s.String()
}

// box draws box k: the rule before a lasso's cycle, the step numbers, the
// box and its lines.
func (l *seqLayout) box(s *strings.Builder, k int) {
	b, y, h := &l.pic.boxes[k], l.boxY[k], l.boxH[k]
	if k == l.pic.loop {
		ly := y - 8
		fmt.Fprintf(s, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="1.5" stroke-dasharray="6 3"/>`+"\n", seqMargin, ly, l.width-seqMargin, ly, seqBlue)
		fmt.Fprintf(s, `<text x="%.1f" y="%.1f" text-anchor="end" fill="%s">the following steps repeat for ever</text>`+"\n", l.width-seqMargin, ly-4, seqBlue)
	}
	fmt.Fprintf(s, `<text x="%.1f" y="%.1f" font-weight="bold" fill="#555">%s</text>`+"\n", seqMargin, y+seqPad+seqLineH-3, b.num())
	fill, stroke, sw := "#ffffff", "#444", 1.0
	if len(b.locks) > 0 {
		fill = "#e6e6e6"
	}
	if b.failed {
		stroke, sw = "#d00000", 2.5
	}
	x := l.laneX[b.lane]
	fmt.Fprintf(s, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" rx="3" fill="%s" stroke="%s" stroke-width="%.1f"/>`+"\n", x, y, l.laneW[b.lane], h, fill, stroke, sw)
	for i, line := range l.lines[k] {
		attr := ""
		if strings.HasPrefix(strings.TrimSpace(line), "***") || b.failed && strings.Contains(line, "***") {
			attr = ` fill="#b00000" font-weight="bold"`
		}
		fmt.Fprintf(s, `<text x="%.1f" y="%.1f" xml:space="preserve"%s>%s</text>`+"\n", x+seqPad, y+seqPad+float64(i+1)*seqLineH-3.5, attr, html.EscapeString(line))
	}
}

// wakes draws box k's wake-up arrows: from the side of the box, at the
// statement that wakes, to the woken thread's lifeline, where a dot marks
// it; labelled next to the dot.
func (l *seqLayout) wakes(s *strings.Builder, k int) {
	b := &l.pic.boxes[k]
	for i, w := range b.wakes {
		to := l.pic.laneOf[w.who]
		if to == b.lane {
			continue
		}
		y := l.boxY[k] + seqPad + float64(l.wakeLine[k][i]+1)*seqLineH - 7
		cx := l.laneX[to] + l.laneW[to]/2
		x1 := l.laneX[b.lane] + l.laneW[b.lane]
		if to < b.lane {
			x1 = l.laneX[b.lane]
		}
		dash := ""
		if w.noop != "" {
			dash = ` stroke-dasharray="6 3"`
		}
		fmt.Fprintf(s, `<path d="M%.1f,%.1f L%.1f,%.1f" stroke="%s" stroke-width="2"%s fill="none" marker-end="url(#wake)"/>`+"\n", x1, y, cx, y, seqBlue, dash)
		fmt.Fprintf(s, `<circle cx="%.1f" cy="%.1f" r="4" fill="%s"/>`+"\n", cx, y, seqBlue)
		fmt.Fprintf(s, `<text x="%.1f" y="%.1f" text-anchor="middle" %s font-size="12" font-weight="bold" fill="%s">%s</text>`+"\n", (x1+cx)/2, y-5, seqSans, seqBlue, html.EscapeString(w.label))
	}
}
