package graphs

import (
	"strings"
	"testing"
)

// wrapProseIn keeps every character, breaks lines at spaces within the
// column, lets a word too long for it run into the room to its right, and
// breaks such a word only beyond that room: after a '(', ',', '_' or '.'
// that leaves more than two characters, else at the edge.
func TestWrapProseIn(t *testing.T) {
	for _, c := range []struct {
		text        string
		first, n, h int
		want        []string
	}{
		{"spin_lock(&lock); x = 1;", 20, 20, 20, []string{"spin_lock(&lock); x", "  = 1;"}},
		// a long word runs into the room to the right
		{"set_current_state(TASK_UNINTERRUPTIBLE)", 31, 31, 40, []string{"set_current_state(TASK_UNINTERRUPTIBLE)"}},
		// beyond it, broken after the last break point that fits
		{"set_current_state(TASK_UNINTERRUPTIBLE)", 20, 20, 30, []string{"set_current_state(TASK_", "  UNINTERRUPTIBLE)"}},
		{"list_add_tail(&pool.worklist);", 20, 20, 20, []string{"list_add_tail(&pool.", "  worklist);"}},
		// no piece of two characters or fewer left for the next line
		{"process_one_work_done();", 12, 12, 23, []string{"process_one_work_", "  done();"}},
		// no break point: at the edge
		{"abcdefghijklmnopqrstuvwxyz", 10, 10, 10, []string{"abcdefghij", "  klmnopqr", "  stuvwxyz"}},
	} {
		got := wrapProseIn(c.text, c.first, c.n, c.h)
		if strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("wrapProseIn(%q, %d, %d, %d) = %q, want %q", c.text, c.first, c.n, c.h, got, c.want)
		}
		joined := strings.ReplaceAll(strings.Join(got, ""), " ", "")
		if joined != strings.ReplaceAll(c.text, " ", "") {
			t.Errorf("%q: lost or added text: %q", c.text, got)
		}
		for _, l := range got {
			if len(l) > c.h {
				t.Errorf("%q: line %q is wider than %d", c.text, l, c.h)
			}
		}
	}
}
