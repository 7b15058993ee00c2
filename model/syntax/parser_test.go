package syntax_test

import (
	"io/fs"
	"strings"
	"testing"

	"wqcheck/examples"
	"wqcheck/model/syntax"
)

// Every built-in model survives a parse/print round trip: printing the tree
// and parsing the print gives the same print.
func TestFormatRoundTrip(t *testing.T) {
	names, _ := fs.Glob(examples.FS, "*.wq")
	if len(names) == 0 {
		t.Fatal("no built-in models")
	}
	for _, name := range names {
		src, _ := fs.ReadFile(examples.FS, name)
		f, err := syntax.Parse(name, src)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out := syntax.Format(f)
		f2, err := syntax.Parse(name, []byte(out))
		if err != nil {
			t.Fatalf("%s: printed form does not parse: %v\n%s", name, err, out)
		}
		if out2 := syntax.Format(f2); out2 != out {
			t.Errorf("%s: round trip differs:\n%s\n---\n%s", name, out, out2)
		}
	}
}

func TestFormatExprParens(t *testing.T) {
	for _, src := range []string{
		"a - (b - c)", "(a || b) && c", "a || b && c", "!(a && b)", "-(-x)", "a & b == c", "(a & b) == c",
		"x in pool.idle_list", "c ? a : b ? d : e", "(c ? a : b) ? d : e", "forall w in workers: w.flags & IDLE",
		"count(w in workers: w.busy) == 2", "1 << n + 1", "(1 << n) + 1",
	} {
		f, err := syntax.Parse("t.wq", []byte("model t; invariant i: "+src+";"))
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		got := syntax.FormatExpr(f.Decls[0].(*syntax.InvariantDecl).Expr)
		if got != src {
			t.Errorf("FormatExpr(%q) = %q", src, got)
		}
	}
}

// Errors carry a position and show the source line with a caret under the column.
func TestErrorCaret(t *testing.T) {
	_, err := syntax.Parse("x.wq", []byte("model x;\nthread t() {\n    int y = ;\n}\n"))
	if err == nil {
		t.Fatal("no error")
	}
	e := err.(*syntax.Error)
	if e.Pos.Line != 3 || e.Pos.Col != 13 {
		t.Errorf("position %v, want 3:13", e.Pos)
	}
	want := "        int y = ;\n                ^"
	if e.Detail() != want {
		t.Errorf("detail\n%s\nwant\n%s", e.Detail(), want)
	}
	if !strings.Contains(e.Msg, "expected an expression") {
		t.Errorf("message %q does not say what was expected", e.Msg)
	}
}

// FuzzParse: the parser never panics, every error is located, and whatever
// parses prints to source that parses to the same print.
func FuzzParse(f *testing.F) {
	names, _ := fs.Glob(examples.FS, "*.wq")
	for _, name := range names {
		src, _ := fs.ReadFile(examples.FS, name)
		f.Add(src)
	}
	f.Add([]byte("model m; thread t() { either { x = 1; } or { goto l; } l: ; }"))
	f.Add([]byte("model m extends p; new invariant \"S1-x\": forall w in ws: w.f;"))
	f.Add([]byte("model m; /* unterminated"))
	f.Add([]byte(patchChild))
	f.Fuzz(func(t *testing.T, src []byte) {
		file, err := syntax.Parse("fuzz.wq", src)
		if err != nil {
			e, ok := err.(*syntax.Error)
			if !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			if !e.Pos.IsValid() {
				t.Fatalf("error without a position: %v", err)
			}
			return
		}
		out := syntax.Format(file)
		file2, err := syntax.Parse("fuzz.wq", []byte(out))
		if err != nil {
			t.Fatalf("printed form does not parse: %v\n%s", err, out)
		}
		if out2 := syntax.Format(file2); out2 != out {
			t.Fatalf("round trip differs:\n%s\n---\n%s", out, out2)
		}
	})
}

// Kernel spelling: `static` and `inline` before a function are accepted
// and ignored; `struct TYPE` is an argument of list_first_entry().
func TestKernelSpelling(t *testing.T) {
	src := "model k;\nstatic inline bool f(struct worker *w) {\n    return list_first_entry(&l, struct worker, node) == w;\n}\n"
	f, err := syntax.Parse("k.wq", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	fd, ok := f.Decls[0].(*syntax.FuncDecl)
	if !ok || fd.Name != "f" || fd.Ret.Name != "bool" || fd.Params[0].Type.Name != "worker" {
		t.Fatalf("parsed as %#v", f.Decls[0])
	}
	call := fd.Body.Stmts[0].(*syntax.ReturnStmt).X.(*syntax.BinaryExpr).X.(*syntax.CallExpr)
	if id, ok := call.Args[1].(*syntax.Ident); !ok || id.Name != "struct worker" {
		t.Errorf("type argument parsed as %#v", call.Args[1])
	}
	out := syntax.Format(f)
	if f2, err := syntax.Parse("k.wq", []byte(out)); err != nil || syntax.Format(f2) != out {
		t.Errorf("round trip: %v\n%s", err, out)
	}
}

// A field's attributes survive printing: guarded_by, cpu_local, clock and
// live_when, in that order.
func TestFormatFieldAttributes(t *testing.T) {
	src := "model m;\nspinlock l;\nstruct s {\n    int x guarded_by(l) cpu_local;\n    ghost bool e clock live_when(self.x == 0);\n}\n"
	f, err := syntax.Parse("m.wq", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	out := syntax.Format(f)
	for _, want := range []string{"int x guarded_by(l) cpu_local;", "ghost bool e clock live_when(self.x == 0);"} {
		if !strings.Contains(out, want) {
			t.Errorf("printed form lacks %q:\n%s", want, out)
		}
	}
}
