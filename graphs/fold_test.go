package graphs

import (
	"fmt"
	"strings"
	"testing"
)

// A loop that runs many times within one step prints its first iterations
// and one line for the rest (issue 13: 66,686 lines for one step).
func TestFoldRepeats(t *testing.T) {
	l := func(n int, text string) Line { return Line{File: "m.wq", Line: n, Text: text} }
	ls := []Line{l(4, "int i = 0;")}
	for k := 0; k < 1000; k++ {
		ls = append(ls, l(5, "while (true) -> true"), l(6, "i++;"))
	}
	ls = append(ls, l(5, "while (true) -> true"))
	got := foldRepeats(ls)
	var texts []string
	for _, g := range got {
		texts = append(texts, fmt.Sprintf("%d %s", g.Line, g.Text))
	}
	want := "4 int i = 0;|5 while (true) -> true|6 i++;|5 while (true) -> true|6 i++;|5 while (true) -> true|6 i++;|" +
		"0 ... 997 more iterations of the loop at line 5|5 while (true) -> true"
	if s := strings.Join(texts, "|"); s != want {
		t.Errorf("got  %s\nwant %s", s, want)
	}
	// a few iterations, and lines that differ, are left alone
	short := ls[:1+2*4]
	if got := foldRepeats(short); len(got) != len(short) {
		t.Errorf("4 iterations folded to %d lines", len(got))
	}
	var varied []Line
	for k := 0; k < 20; k++ {
		varied = append(varied, l(k+1, "x++;"))
	}
	if got := foldRepeats(varied); len(got) != len(varied) {
		t.Errorf("distinct lines folded to %d", len(got))
	}
}
