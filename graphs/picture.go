package graphs

import (
	"fmt"
	"strings"

	"wqcheck/explorer"
	"wqcheck/model"
)

// PictureOptions control the trace pictures: the sequence SVG and both
// DOT styles.
type PictureOptions struct {
	// Full draws every step. By default a picture draws the brief trace
	// (the steps the violation depends on, explorer.Slice, as check prints
	// it); a lasso is always drawn whole, its cycle being the story.
	Full bool
}

// picture is what the trace pictures draw: a lane per actor, in order of
// first appearance (the threads that take a drawn step, and those a drawn
// step wakes or tries to wake: the victim gets a lane even when it never
// moves), and the drawn steps as boxes, consecutive steps of one thread in
// one box.
type picture struct {
	title  string
	lanes  []*model.Thread
	laneOf map[*model.Thread]int
	boxes  []picBox
	loop   int    // the box the repeating part of a lasso starts at, or -1
	foot   string // the story (brief) or the violation (full)
	elided []int  // the steps left out, numbered from 1
	brief  bool
}

// picBox is one box: steps first..last of a thread (in a brief picture
// the steps between that are not drawn belong to other threads or do not
// matter), its statements, and the wake-ups it does.
type picBox struct {
	first, last int   // step numbers, from 1
	steps       []int // the steps drawn, numbered from 0
	thread      *model.Thread
	lane        int
	text        []string // statements, unwrapped
	locks       []string // the locks held during the box's steps (full pictures)
	wakes       []picWake
	failed      bool // the box holds the violating step
	after       model.State
}

// picWake is a wake-up a box does: whom, from which statement, and "" or,
// when the wake-up found the thread awake or dead, its task state.
type picWake struct {
	who   *model.Thread
	line  int    // index in text of the statement that wakes
	noop  string // "TASK_RUNNING", "TASK_DEAD", ... for a wake-up that did nothing
	label string // what the arrow says
}

// tracePicture lays out the boxes and lanes of a trace.
func tracePicture(p *model.Program, tr *explorer.Trace, opt PictureOptions) *picture {
	pic := &picture{title: traceTitle(p, tr), loop: -1}
	if opt.Full || tr.Loop >= 0 || len(tr.Steps) == 0 {
		pic.fullBoxes(p, tr)
	} else {
		pic.briefBoxes(p, tr)
	}
	laneOf := map[*model.Thread]int{}
	pic.laneOf = laneOf
	lane := func(t *model.Thread) int {
		if k, ok := laneOf[t]; ok {
			return k
		}
		laneOf[t] = len(pic.lanes)
		pic.lanes = append(pic.lanes, t)
		return laneOf[t]
	}
	for i := range pic.boxes {
		b := &pic.boxes[i]
		b.lane = lane(b.thread)
		for _, w := range b.wakes {
			lane(w.who)
		}
	}
	return pic
}

// briefBoxes makes the boxes of the brief trace, as check prints it.
func (pic *picture) briefBoxes(p *model.Program, tr *explorer.Trace) {
	pic.brief = true
	shown := explorer.Slice(p, tr)
	rows, elided := briefRows(p, tr, shown, traceColumns(p, tr, false, shown))
	pic.elided = elided
	for _, r := range rows {
		b := picBox{first: r.first, last: r.last, thread: r.thread, text: r.text, after: r.step.After}
		for i := r.first - 1; i < r.last; i++ {
			if shown[i] {
				b.steps = append(b.steps, i)
				b.wakes = append(b.wakes, stepWakes(p, &tr.Steps[i])...)
			}
		}
		b.failed = r.last == len(tr.Steps)
		pic.boxes = append(pic.boxes, b.placeWakes())
	}
	pic.foot = Story(p, tr, shown)
	if pic.foot == "" {
		pic.foot = "violation: " + tr.Msg
	}
}

// fullBoxes makes a box per step, with every statement.
func (pic *picture) fullBoxes(p *model.Program, tr *explorer.Trace) {
	before := tr.Initial
	for i := range tr.Steps {
		st := &tr.Steps[i]
		b := picBox{first: i + 1, last: i + 1, steps: []int{i}, thread: st.Thread, locks: stepLocks(p, before, st), after: st.After}
		for _, l := range StepLines(st) {
			b.text = append(b.text, l.cell())
		}
		if st.Err != nil {
			b.text = append(b.text, "*** "+st.Err.Msg)
		}
		b.wakes = stepWakes(p, st)
		b.failed = i == len(tr.Steps)-1
		pic.boxes = append(pic.boxes, b.placeWakes())
		before = st.After
	}
	if tr.Loop >= 0 {
		pic.loop = tr.Loop
	}
	pic.foot = "violation: " + tr.Msg
}

// stepWakes lists the wake-ups a step does, in order: the threads it woke
// (model.NoteWake), and those it tried to wake in vain but for a running
// one (a wake-up of a dead task is a no-op too; the note names the task
// and its state).
func stepWakes(p *model.Program, st *explorer.Step) []picWake {
	var out []picWake
	for k, ins := range st.Instrs {
		n, ok := st.Notes[k]
		if !ok || ins.Op != model.OpWake {
			continue
		}
		if n.Kind == model.NoteWake && n.Woken != nil && n.Woken != st.Thread {
			out = append(out, picWake{who: n.Woken, label: "wakes"})
			continue
		}
		rest, ok := strings.CutPrefix(n.Text, "no-op: ")
		if !ok {
			continue
		}
		i := strings.LastIndex(rest, " is ")
		if i < 0 {
			continue
		}
		if rest[i+4:] == "TASK_RUNNING" {
			continue // waking a running task: the usual no-op, nothing to draw
		}
		if t := threadLabelled(p, rest[:i]); t != nil && t != st.Thread {
			out = append(out, picWake{who: t, noop: rest[i+4:], label: "wake: no-op, " + rest[i+4:]})
		}
	}
	return out
}

// threadLabelled is the one thread labelled label, or nil.
func threadLabelled(p *model.Program, label string) *model.Thread {
	var found *model.Thread
	for _, t := range p.Threads {
		if t.Label == label {
			if found != nil {
				return nil
			}
			found = t
		}
	}
	return found
}

// placeWakes finds the statement of each wake-up: the first not yet used
// that names the thread as woken ("woke kworker W2") or not
// ("no-op: kworker W2 is TASK_DEAD"); the last statement when none does.
func (b picBox) placeWakes() picBox {
	from := 0
	for k := range b.wakes {
		w := &b.wakes[k]
		w.line = len(b.text) - 1
		for j := from; j < len(b.text); j++ {
			t := b.text[j]
			if strings.Contains(t, "woke "+w.who.Label) || strings.Contains(t, "no-op: "+w.who.Label+" is") {
				w.line, from = j, j+1
				break
			}
		}
	}
	return b
}

// num is a box's step numbers: "7" or "7-12".
func (b *picBox) num() string {
	if b.first == b.last {
		return fmt.Sprint(b.first)
	}
	return fmt.Sprintf("%d-%d", b.first, b.last)
}

// elidedNote says which steps a brief picture leaves out, or "".
func (pic *picture) elidedNote() string {
	if len(pic.elided) == 0 {
		return ""
	}
	return fmt.Sprintf("%d step%s not drawn (they do not matter to the violation): %s; --full draws every step",
		len(pic.elided), plural(len(pic.elided)), spans(pic.elided))
}
