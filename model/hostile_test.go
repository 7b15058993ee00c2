package model_test

import (
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
// Printing an expression takes time linear in its size: it writes into one
// buffer instead of building a string per level (issue 13: a 40,000-term sum
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
// An error at the end of the file points just after the last token, with
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
