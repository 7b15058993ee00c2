package graphs_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"wqcheck/examples"
	"wqcheck/explorer"
	"wqcheck/graphs"
	"wqcheck/model"
)

// s9File is deferred-wake's S9 trace, saved with `wqcheck check --json
// --set UNBOUND=true --set NR_WORKERS=4 --set NR_BUSY=2 --set NR_WORKS=2
// deferred-wake` (the search takes 15-40 s; TestS9TraceIsCurrent, in the
// main package, checks with WQCHECK_LONG that it still finds this trace).
const s9File = "deferred-wake-S9.trace.json"

// savedTrace replays a trace saved in testdata, as `wqcheck replay` does.
func savedTrace(t *testing.T, file string) (*model.Program, *explorer.Trace, []explorer.Move) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	saved, err := graphs.ReadSavedTrace(data, "", "")
	if err != nil {
		t.Fatal(err)
	}
	var runs []struct {
		Properties []struct{ Message string }
	}
	if err := json.Unmarshal(data, &runs); err != nil {
		t.Fatal(err)
	}
	p, err := (&model.Loader{Builtin: examples.FS}).Load(saved.Variant, model.Options{Set: saved.Params, Fine: saved.Reduce == "none"})
	if err != nil {
		t.Fatal(err)
	}
	moves, err := saved.Moves(p)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := explorer.Replay(p, moves)
	if err != nil {
		t.Fatal(err)
	}
	prop := slices.IndexFunc(p.Props, func(pr *model.Property) bool { return pr.Name == saved.Property })
	if ok, msg := explorer.Reproduces(p, tr, prop); !ok {
		t.Fatalf("%s: the saved trace no longer shows %s: %s", file, saved.Property, msg)
	}
	tr.Prop, tr.Loop, tr.Msg = p.Props[prop], saved.Loop, runs[0].Properties[0].Message
	tr.FailStep = slices.Contains(tr.Steps[len(tr.Steps)-1].Fired, prop)
	return p, tr, moves
}

// The S11 and S9 sequence diagrams fit a 16:9 slide (1920x1080) with
// their smallest text at least 11 px, and are not much wider or taller
// than the slide's shape.
func TestSequenceFitsSlide(t *testing.T) {
	p11, s11 := firstTrace(t, "upstream")
	p9, s9, _ := savedTrace(t, s9File)
	for _, c := range []struct {
		name string
		svg  string
	}{
		{"upstream S11", graphs.SequenceSVG(p11, s11)},
		{"deferred-wake S9", graphs.SequenceSVG(p9, s9)},
	} {
		scale, font, err := graphs.SequenceFit(c.svg)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		w, h := graphs.SlideW/scale, graphs.SlideH/scale
		t.Logf("%s: fits 1920x1080 at scale %.2f, smallest text %.1f px", c.name, scale, font)
		if font < 11 {
			t.Errorf("%s: the smallest text is %.1f px on a 1920x1080 slide, want >= 11", c.name, font)
		}
		if scale*w > graphs.SlideW+0.5 || scale*h > graphs.SlideH+0.5 {
			t.Errorf("%s: scale %.2f does not fit", c.name, scale)
		}
	}
}

// The size measure reads the SVG's own figures.
func TestSequenceFit(t *testing.T) {
	svg := `<svg xmlns="http://www.w3.org/2000/svg" width="3840" height="1000" font-size="12"><text font-size="20">x</text></svg>`
	scale, font, err := graphs.SequenceFit(svg)
	if err != nil || scale != 0.5 || font != 6 {
		t.Fatalf("got scale %g, font %g, %v; want 0.5, 6", scale, font, err)
	}
	if _, _, err := graphs.SequenceFit("<svg>"); err == nil {
		t.Fatal("no error for an SVG without a size")
	}
}

// The S9 pictures, from the saved trace: the sequence diagram and both DOT
// styles, brief.
func TestS9PicturesGolden(t *testing.T) {
	p, tr, _ := savedTrace(t, s9File)
	golden(t, "deferred-wake-S9.seq.svg", []byte(graphs.SequenceSVG(p, tr)))
	for _, style := range []string{graphs.StyleLanes, graphs.StyleStates} {
		golden(t, "deferred-wake-S9."+style+".dot", []byte(graphs.TraceDOT(p, tr, style)))
	}
}

// The victim gets a lane and the wake-ups arrows: in S11 kworker W2 is
// woken and never moves; in S9 kworker W3 wakes the dead kworker W2.
func TestSequenceVictimLane(t *testing.T) {
	p, tr := firstTrace(t, "upstream")
	svg := graphs.SequenceSVG(p, tr)
	if !strings.Contains(svg, ">kworker W2</text>") || !strings.Contains(svg, ">wakes</text>") {
		t.Errorf("S11: no lane for the woken kworker W2, or no wake arrow")
	}
	p, tr, _ = savedTrace(t, s9File)
	svg = graphs.SequenceSVG(p, tr)
	if !strings.Contains(svg, ">wake: no-op, TASK_DEAD</text>") {
		t.Errorf("S9: no arrow for the wake-up of the dead kworker W2")
	}
}

// A brief picture draws the steps the violation depends on, grouped by
// thread; --full a box per step. Both DOT styles draw the same boxes.
func TestPictureBriefAndFull(t *testing.T) {
	p, tr := firstTrace(t, "upstream")
	boxes := func(svg string) int { return strings.Count(svg, `rx="3"`) }
	brief := boxes(graphs.SequenceSVG(p, tr))
	full := boxes(graphs.SequenceSVGWith(p, tr, graphs.PictureOptions{Full: true}))
	if full != len(tr.Steps) || brief == 0 || brief >= full {
		t.Errorf("%d steps: %d boxes brief, %d full", len(tr.Steps), brief, full)
	}
	// a lanes box is the one label ending in a left-justified line; a
	// states record an HTML table, one more than the boxes (the initial state)
	count := func(style, what string, opt graphs.PictureOptions) int {
		return strings.Count(graphs.TraceDOTWith(p, tr, style, opt), what)
	}
	for _, o := range []struct {
		opt  graphs.PictureOptions
		want int
	}{{graphs.PictureOptions{}, brief}, {graphs.PictureOptions{Full: true}, full}} {
		if got := count(graphs.StyleLanes, `\l"`, o.opt); got != o.want {
			t.Errorf("lanes, full=%v: %d boxes, want %d", o.opt.Full, got, o.want)
		}
		if got := count(graphs.StyleStates, `label=<<TABLE`, o.opt); got != o.want+1 {
			t.Errorf("states, full=%v: %d records, want %d", o.opt.Full, got, o.want+1)
		}
	}
}

// The story tells each thing once: the S9 trace's culled worker is woken
// by the reap and exits, which the wake's sentence already says, so the
// exit gets no sentence of its own.
func TestStoryTellsEachExitOnce(t *testing.T) {
	p, tr, _ := savedTrace(t, s9File)
	story := graphs.Story(p, tr, explorer.Slice(p, tr))
	if n := strings.Count(story, "exited at step"); n != 1 {
		t.Errorf("the story tells %d exits, want the one:\n%s", n, story)
	}
}
