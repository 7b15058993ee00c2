package graphs

import (
	"fmt"
	"strings"

	"wqcheck/explorer"
	"wqcheck/model"
)

// The slide the sequence diagram is laid out for: it picks the lane width
// that lets the picture be drawn largest in SlideW x SlideH.
const (
	SlideW = 1920
	SlideH = 1080
	// slideFontPx is the smallest text a layout keeps on the slide when it
	// can: what a room reads from the back
	slideFontPx = 11.0
)

// Sequence diagram metrics, in px: text is 12px monospace (DejaVu Sans
// Mono's advance is 0.602 em).
const (
	seqFont    = 12.0
	seqCharW   = 7.23
	seqLineH   = 15.0
	seqPad     = 5.0
	seqLaneGp  = 30.0 // between lanes: room for the arrows
	seqBoxGap  = 6.0  // between boxes, vertically
	seqMargin  = 16.0
	seqTop     = 44.0 // the lane headers' top
	seqHeadH   = 26.0
	seqHeadCW  = 8.2 // width of a character of the 13px bold sans headers, generously
	seqGutter  = 6   // characters of the step-number column
	seqTitleCW = 9.6 // width of a character of the 17px bold sans title, generously
)

// SequenceSVG draws the brief trace as a sequence diagram (see
// SequenceSVGWith).
func SequenceSVG(p *model.Program, tr *explorer.Trace) string {
	return SequenceSVGWith(p, tr, PictureOptions{})
}

// SequenceSVGWith draws a trace as a sequence diagram in SVG, in pure Go
// (no Graphviz needed): a lane per actor side by side, named by its label
// (including a thread that is only woken: the victim); each box the
// consecutive steps of one thread, its step numbers in the left column,
// one box under the other in the order of the interleaving, with no space
// between them but a gap; an arrow from the statement that wakes a thread
// to the woken thread's lane (dashed when the wake-up was a no-op, saying
// the task's state). In a full picture a box is a step, shaded and saying
// which lock while its thread holds one. The last box is outlined in red;
// the story (or the violation) is written below. The lane width is the one
// that lets the picture be drawn largest on a 16:9 slide. Deterministic.
func SequenceSVGWith(p *model.Program, tr *explorer.Trace, opt PictureOptions) string {
	pic := tracePicture(p, tr, opt)
	var all []*seqLayout
	top := 0.0
	for w := 20; w <= 120; w++ {
		l := layoutSeq(pic, w)
		all = append(all, l)
		top = max(top, l.scale())
	}
	// of the layouts that are drawn within 3% of the largest (or at
	// least twice the size: the text is 24px then), the one that wraps
	// least; but never one whose text is under slideFontPx on the slide
	// when another's is not (when none reaches it, the largest)
	floor := min(0.97*top, 2)
	if floor*seqFont < slideFontPx {
		floor = min(top, slideFontPx/seqFont)
	}
	var best *seqLayout
	for _, l := range all {
		if l.scale() >= floor && (best == nil || l.nlines() < best.nlines()) {
			best = l
		}
	}
	return best.svg()
}

// seqLayout is a sequence diagram laid out for lanes at most maxChars wide.
type seqLayout struct {
	pic           *picture
	laneX, laneW  []float64
	lines         [][]string // per box, wrapped
	wakeLine      [][]int    // per box, per wake, the wrapped line it is drawn from
	boxY, boxH    []float64
	foot          []string
	width, height float64
}

// scale is how much the picture must be scaled by to fit the slide.
func (l *seqLayout) scale() float64 { return min(SlideW/l.width, SlideH/l.height) }

// nlines counts the lines of the boxes.
func (l *seqLayout) nlines() int {
	n := 0
	for _, ls := range l.lines {
		n += len(ls)
	}
	return n
}

// SequenceFit measures a sequence diagram as a slide shows it: the scale
// at which it fits SlideW x SlideH and the size of its smallest text then,
// in px, from the SVG's width, height and font sizes.
func SequenceFit(svg string) (scale, font float64, err error) {
	var w, h, f float64
	i := strings.Index(svg, "width=")
	if i < 0 {
		return 0, 0, fmt.Errorf("no width")
	}
	if _, err := fmt.Sscanf(svg[i:], `width="%g" height="%g"`, &w, &h); err != nil || w <= 0 || h <= 0 {
		return 0, 0, fmt.Errorf("no width and height: %v", err)
	}
	f = 1e9
	for rest := svg; ; {
		i := strings.Index(rest, `font-size="`)
		if i < 0 {
			break
		}
		rest = rest[i+len(`font-size="`):]
		var v float64
		if _, err := fmt.Sscanf(rest, "%g", &v); err == nil {
			f = min(f, v)
		}
	}
	scale = min(SlideW/w, SlideH/h)
	return scale, f * scale, nil
}

func layoutSeq(pic *picture, maxChars int) *seqLayout {
	l := &seqLayout{pic: pic}
	chars := make([]int, len(pic.lanes))
	for i, t := range pic.lanes {
		chars[i] = int(float64(len(t.Label))*seqHeadCW/seqCharW) + 2
	}
	for _, b := range pic.boxes {
		for _, t := range b.text {
			chars[b.lane] = max(chars[b.lane], min(len(t), maxChars))
		}
	}
	x := seqMargin + seqGutter*seqCharW
	for _, c := range chars {
		w := float64(c)*seqCharW + 2*seqPad
		l.laneX = append(l.laneX, x)
		l.laneW = append(l.laneW, w)
		x += w + seqLaneGp
	}
	l.width = x - seqLaneGp + seqMargin
	y := seqTop + seqHeadH + 12
	for k, b := range pic.boxes {
		var lines []string
		var at []int // the last wrapped line of each statement
		if len(b.locks) > 0 {
			lines = append(lines, "[holds "+strings.Join(b.locks, ", ")+"]")
		}
		for _, t := range b.text {
			lines = append(lines, wrapStatement(t, chars[b.lane])...)
			at = append(at, len(lines)-1)
		}
		var wl []int
		for _, w := range b.wakes {
			wl = append(wl, at[w.line])
		}
		if k == pic.loop {
			y += 18 // room for the rule that says the rest repeats
		}
		l.lines = append(l.lines, lines)
		l.wakeLine = append(l.wakeLine, wl)
		l.boxY = append(l.boxY, y)
		h := float64(len(lines))*seqLineH + 2*seqPad
		l.boxH = append(l.boxH, h)
		y += h + seqBoxGap
	}
	foot := []string{}
	if n := pic.elidedNote(); n != "" {
		foot = append(foot, wrapProse(n, int((l.width-2*seqMargin)/seqCharW), int((l.width-2*seqMargin)/seqCharW))...)
	}
	l.foot = append(foot, wrapProse(pic.foot, int((l.width-2*seqMargin)/seqCharW), int((l.width-2*seqMargin)/seqCharW))...)
	l.height = y + 8 + float64(len(l.foot))*seqLineH + seqMargin
	l.width = max(l.width, 480, 2*seqMargin+float64(len(pic.title))*seqTitleCW)
	return l
}

// wrapStatement wraps a statement at spaces into lines of at most n
// characters, continuation lines indented; a word longer than a line is
// cut after a parenthesis or a comma where it can.
func wrapStatement(s string, n int) []string {
	var out []string
	for _, line := range wrapProse(s, n, n) {
		for len(line) > n {
			cut := n
			for i := n; i > n/2; i-- {
				if c := line[i-1]; c == '(' || c == ',' {
					cut = i
					break
				}
			}
			out = append(out, line[:cut])
			line = "  " + line[cut:]
		}
		out = append(out, line)
	}
	if len(out) == 0 {
		out = []string{""}
	}
	return out
}
