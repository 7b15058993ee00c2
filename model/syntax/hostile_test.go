package syntax_test

import (
	"errors"
	"strings"
	"testing"

	"wqcheck/model/syntax"
)

// Tests of issue 13 for the parser and printer: hostile input must give an
// error or a bounded answer, never a panic or a hang.

// the passes that recurse over it (issue 13: 500,000 terms crashed).
func TestLongExpression(t *testing.T) {
	src := func(n int) string {
		return "model big;\nint x;\nthread t() { x = " + strings.Repeat("0+", n) + "0; }\n"
	}
	if _, err := syntax.Parse("ok.wq", []byte(src(10000))); err != nil {
		t.Errorf("10,000 operators: %v", err)
	}
	_, err := syntax.Parse("big.wq", []byte(src(10001)))
	if err == nil || !strings.Contains(err.Error(), "big.wq:3:20019: expression too long: more than 10000 operators") {
		t.Errorf("10,001 operators: got %v", err)
	}
}

// took seconds, 500,000 did not finish). Counted in allocations, not time.
func TestFormatExprLinear(t *testing.T) {
	var e syntax.Expr = &syntax.IntLit{Val: 0}
	for i := 0; i < 10000; i++ {
		e = &syntax.BinaryExpr{Op: "+", X: e, Y: &syntax.IntLit{Val: 1}}
	}
	var out string
	allocs := testing.AllocsPerRun(1, func() { out = syntax.FormatExpr(e) })
	if len(out) != 1+10000*4 {
		t.Fatalf("printed %d bytes, want %d", len(out), 1+10000*4)
	}
	if allocs > 100 {
		t.Errorf("FormatExpr of 10,000 terms made %.0f allocations, want a buffer's few", allocs)
	}
}

// whole line and a million-space caret line (issue 13).
func TestErrorLineClipped(t *testing.T) {
	src := "model l;\nint x;\nthread t() { x = 1; " + strings.Repeat(" ", 1000000) + "x = ; }\n"
	_, err := syntax.Parse("long.wq", []byte(src))
	var me *syntax.Error
	if !errors.As(err, &me) {
		t.Fatalf("want a syntax.Error, got %v", err)
	}
	d := me.Detail()
	lines := strings.Split(d, "\n")
	if len(d) > 400 || len(lines) != 2 {
		t.Fatalf("detail of %d bytes:\n%.400s", len(d), d)
	}
	// the caret is under the ';' that is not an expression
	caret := strings.Index(lines[1], "^")
	if caret < 0 || caret >= len(lines[0]) || lines[0][caret] != ';' {
		t.Errorf("caret not under ';':\n%s", d)
	}
	if !strings.HasPrefix(lines[0], "    ...") {
		t.Errorf("the clipped start is not marked:\n%s", d)
	}
}

// its line and a caret, rather than at an empty line past the end.
func TestErrorAtEndOfFile(t *testing.T) {
	_, err := syntax.Parse("eof.wq", []byte("model eof;\nint x;\nthread t() {\n    x = 1;\n"))
	var me *syntax.Error
	if !errors.As(err, &me) {
		t.Fatalf("want a syntax.Error, got %v", err)
	}
	want := "eof.wq:4:11: expected '}' to close the block opened at line 3, found end of file"
	if me.Error() != want || me.Detail() != "        x = 1;\n              ^" {
		t.Errorf("got %s\n%s\nwant %s", me.Error(), me.Detail(), want)
	}
}
