package model

import (
	"errors"
	"strings"
	"testing"

	"wqcheck/examples"
)

func TestCompileWatch(t *testing.T) {
	p, err := (&Loader{Builtin: examples.FS}).Load("lost-wakeup", Options{})
	if err != nil {
		t.Fatal(err)
	}
	init, _ := p.Initial()
	for _, c := range []struct{ src, want string }{
		{"data_ready", "false"},
		{"!data_ready && !consumed", "true"},
		{"data_ready ? 1 : 2", "2"},
	} {
		w, err := p.CompileWatch(c.src)
		if err != nil {
			t.Fatalf("%s: %v", c.src, err)
		}
		got, err := w.Eval(init)
		if err != nil || got != c.want {
			t.Errorf("%s = %q, %v; want %q", c.src, got, err, c.want)
		}
	}
	for _, c := range []struct{ src, want string }{
		{"data_ready &&", "watch:1:14: expected"},
		{"nosuch + 1", "watch:1:1: "},
		{"data_ready data_ready", "watch:1:12: expected the end of the expression"},
		{"", "watch:1:1: expected an expression"},
	} {
		_, err := p.CompileWatch(c.src)
		var me *Error
		if !errors.As(err, &me) || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%q: error %v, want one starting %q", c.src, err, c.want)
		}
	}
}
