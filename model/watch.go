package model

import (
	"fmt"
	"sync"

	"wqcheck/model/syntax"
)

// Watch is an expression of the modelling language compiled against a
// program, to be evaluated at any of its states, as a property's
// expression is: globals, objects' fields, quantifiers and expression
// functions, but no thread's locals. The explorer's watch expressions are
// Watches.
type Watch struct {
	Text string // the expression as written
	p    *Program
	ev   Eval
	typ  Type
}

// watchCompiler keeps the compiler of a program for its watches; the
// mutex serialises them (the compiler is not reentrant).
type watchCompiler struct {
	mu sync.Mutex
	c  *compiler
}

// CompileWatch compiles src, one expression, against p. An error is an
// *Error whose position is the line and column in src (file "watch").
func (p *Program) CompileWatch(src string) (w *Watch, err error) {
	x, err := syntax.ParseExpr("watch", []byte(src))
	if err != nil {
		return nil, err
	}
	if p.watch == nil {
		return nil, fmt.Errorf("%s was not compiled from source: it has no watch compiler", p.Name)
	}
	wc := p.watch
	wc.mu.Lock()
	defer wc.mu.Unlock()
	c := wc.c
	c.files["watch"] = []byte(src)
	defer func() {
		delete(c.files, "watch")
		c.inProp, c.scope, c.qdepth = false, nil, 0
		if r := recover(); r != nil {
			e, ok := r.(*Error)
			if !ok {
				panic(r)
			}
			w, err = nil, e
		}
	}()
	c.inProp, c.kind, c.qdepth = true, nil, 0
	c.scope = &scope{vars: map[string]*binding{}}
	ev, t := c.expr(x)
	if t.Kind == KList || t.Kind == KVoid {
		c.errHint(x.ExprPos(), "watch len(LIST), first(LIST) or an element, e.g. x in LIST", "a %s cannot be watched as a value", kindWord(t.Kind))
	}
	return &Watch{Text: src, p: p, ev: ev, typ: t}, nil
}

func kindWord(k Kind) string {
	if k == KList {
		return "list"
	}
	return "statement without a value"
}

// Eval evaluates the watch at s and renders its value as traces do
// ("true", "workers[1]", "NULL", "3"). A runtime error (a NULL
// dereference) is returned as an *EvalError. Safe for concurrent use.
func (w *Watch) Eval(s State) (val string, err error) {
	defer func() {
		if r := recover(); r != nil {
			rp, ok := r.(rtPanic)
			if !ok {
				panic(r)
			}
			err = &EvalError{Msg: rp.msg}
		}
	}()
	c := &Ctx{p: w.p, s: s}
	v := w.ev(c)
	switch w.typ.Kind {
	case KBool:
		return fmt.Sprint(v != 0), nil
	case KRef:
		return describeRef(w.typ.Struct, v), nil
	case KTask, KLock:
		if v <= 0 || int(v) > len(w.p.Threads) {
			return map[bool]string{true: "free", false: "NULL"}[w.typ.Kind == KLock], nil
		}
		return w.p.Threads[v-1].Label, nil
	}
	return fmt.Sprint(v), nil
}
