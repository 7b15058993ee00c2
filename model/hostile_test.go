package model_test

import (
	"errors"
	"math"
	"os"
	"strings"
	"testing"

	"wqcheck/model"
)

// Tests of issue 13: hostile input must give an error or a bounded answer,
// never a panic or a hang.

// The literal NULL has a reference type with no struct; printing it (in any
// error message) must not dereference the missing struct (issue 13).
func TestNullTypeString(t *testing.T) {
	for _, tc := range []struct {
		t    model.Type
		want string
	}{{model.Type{Kind: model.KRef}, "NULL"}, {model.Type{Kind: model.KList}, "list"}, {model.Type{Kind: model.KArray}, "array"}} {
		if got := tc.t.String(); got != tc.want {
			t.Errorf("%#v.String() = %q, want %q", tc.t, got, tc.want)
		}
	}
}

// A long chain a+b+c+... is a tree as deep as it is long: past maxExprOps
// operators it is refused with a position, not left to exhaust the stack of
// the passes that recurse over it (issue 13: 500,000 terms crashed).
func TestLongExpression(t *testing.T) {
	src := func(n int) string {
		return "model big;\nint x;\nthread t() { x = " + strings.Repeat("0+", n) + "0; }\n"
	}
	if _, err := model.Parse("ok.wq", []byte(src(10000))); err != nil {
		t.Errorf("10,000 operators: %v", err)
	}
	_, err := model.Parse("big.wq", []byte(src(10001)))
	if err == nil || !strings.Contains(err.Error(), "big.wq:3:20019: expression too long: more than 10000 operators") {
		t.Errorf("10,001 operators: got %v", err)
	}
}

// Printing an expression takes time linear in its size: it writes into one
// buffer instead of building a string per level (issue 13: a 40,000-term sum
// took seconds, 500,000 did not finish). Counted in allocations, not time.
func TestFormatExprLinear(t *testing.T) {
	var e model.Expr = &model.IntLit{Val: 0}
	for i := 0; i < 10000; i++ {
		e = &model.BinaryExpr{Op: "+", X: e, Y: &model.IntLit{Val: 1}}
	}
	var out string
	allocs := testing.AllocsPerRun(1, func() { out = model.FormatExpr(e) })
	if len(out) != 1+10000*4 {
		t.Fatalf("printed %d bytes, want %d", len(out), 1+10000*4)
	}
	if allocs > 100 {
		t.Errorf("FormatExpr of 10,000 terms made %.0f allocations, want a buffer's few", allocs)
	}
}

// Factorial saturates: 21! does not fit an int, and the overflowed product
// once let the canonicaliser try all 21! orders of 21 equal objects.
func TestFactorialSaturates(t *testing.T) {
	if got := model.Factorial(20); got != 2432902008176640000 {
		t.Errorf("20! = %d", got)
	}
	for _, n := range []int{21, 30, 1000} {
		if got := model.Factorial(n); got != math.MaxInt {
			t.Errorf("%d! = %d, want math.MaxInt (saturated)", n, got)
		}
	}
}

// An error on a very long line shows a window around the column, not the
// whole line and a million-space caret line (issue 13).
func TestErrorLineClipped(t *testing.T) {
	src := "model l;\nint x;\nthread t() { x = 1; " + strings.Repeat(" ", 1000000) + "x = ; }\n"
	_, err := model.Parse("long.wq", []byte(src))
	var me *model.Error
	if !errors.As(err, &me) {
		t.Fatalf("want a model.Error, got %v", err)
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

// An error at the end of the file points just after the last token, with
// its line and a caret, rather than at an empty line past the end.
func TestErrorAtEndOfFile(t *testing.T) {
	_, err := model.Parse("eof.wq", []byte("model eof;\nint x;\nthread t() {\n    x = 1;\n"))
	var me *model.Error
	if !errors.As(err, &me) {
		t.Fatalf("want a model.Error, got %v", err)
	}
	want := "eof.wq:4:11: expected '}' to close the block opened at line 3, found end of file"
	if me.Error() != want || me.Detail() != "        x = 1;\n              ^" {
		t.Errorf("got %s\n%s\nwant %s", me.Error(), me.Detail(), want)
	}
}

// A model path is read up to a bound: /dev/zero is refused, not read for
// ever.
func TestModelFileBounded(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	_, err := (&model.Loader{}).Load("/dev/zero", model.Options{})
	if err == nil || !strings.Contains(err.Error(), "larger than 16 MiB") {
		t.Errorf("/dev/zero: %v", err)
	}
}
