package syntax_test

import (
	"strings"
	"testing"

	"wqcheck/model/syntax"
)

const patchParent = `model p;
int x;
void f() {
    x = 1;
    x = 2;      // two
}
`

const patchChild = `model c extends p;
patch f {   // a comment may follow the brace
     x  =  1;
-    x = 2;
+    x = 3;
@@ -1 +1 @@ whatever git wrote
     x = 2;
+    x++;
}
int after;
`

// A patch is raw diff lines up to a '}' in the first column; what follows
// is parsed as usual, and the printer gives the patch back.
func TestParsePatch(t *testing.T) {
	f, err := syntax.Parse("c.wq", []byte(patchChild))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Decls) != 2 {
		t.Fatalf("%d declarations, want the patch and `after`", len(f.Decls))
	}
	pd := f.Decls[0].(*syntax.PatchDecl)
	if pd.Name != "f" || len(pd.Hunks) != 2 || len(pd.Hunks[0].Lines) != 3 || pd.Hunks[1].Header != "@@ -1 +1 @@ whatever git wrote" {
		t.Fatalf("patch parsed as %+v", pd)
	}
	if l := pd.Hunks[0].Lines[2]; l.Op != '+' || l.Text != "    x = 3;" || l.Pos.Line != 5 || l.Pos.Col != 2 {
		t.Errorf("added line %+v", l)
	}
	out := syntax.Format(f)
	f2, err := syntax.Parse("c.wq", []byte(out))
	if err != nil || syntax.Format(f2) != out {
		t.Errorf("round trip: %v\n%s", err, out)
	}
}

// Applied to the parent's text, the hunks give a declaration whose
// context lines keep the parent's positions and whose added lines have
// the variant's. The second hunk applies after the first.
func TestApplyPatch(t *testing.T) {
	pf, err := syntax.Parse("p.wq", []byte(patchParent))
	if err != nil {
		t.Fatal(err)
	}
	cf, err := syntax.Parse("c.wq", []byte(patchChild))
	if err != nil {
		t.Fatal(err)
	}
	lines, ok := syntax.DeclSource(pf.Decls[1], pf.Src)
	if !ok || len(lines) != 4 {
		t.Fatalf("source of f: %v %v", lines, ok)
	}
	pd := cf.Decls[0].(*syntax.PatchDecl)
	_, err = syntax.ApplyPatch(lines, pd, "as p defines it", cf.Src)
	if err == nil || !strings.Contains(err.Error(), "c.wq:6:1: hunk of patch f does not apply") {
		t.Fatalf("second hunk (x = 2 is gone after the first): got %v", err)
	}
	pd.Hunks[1].Lines[0].Text = "    x = 3;" // the context it has after the first hunk
	pd.Hunks[1].Lines[0].Op = '+'
	pd.Hunks = pd.Hunks[:1]
	patched, err := syntax.ApplyPatch(lines, pd, "as p defines it", cf.Src)
	if err != nil {
		t.Fatal(err)
	}
	d, err := syntax.ParsePatched(patched, map[string][]byte{"p.wq": pf.Src, "c.wq": cf.Src})
	if err != nil {
		t.Fatal(err)
	}
	fd := d.(*syntax.FuncDecl)
	if got := syntax.FormatDecl(fd); got != "void f() {\n    x = 1;\n    x = 3;\n}\n" {
		t.Errorf("patched f:\n%s", got)
	}
	if p := fd.Body.Stmts[0].StmtPos(); p.File != "p.wq" || p.Line != 4 || p.Col != 5 {
		t.Errorf("context statement at %v, want p.wq:4:5", p)
	}
	if p := fd.Body.Stmts[1].StmtPos(); p.File != "c.wq" || p.Line != 5 || p.Col != 6 {
		t.Errorf("added statement at %v, want c.wq:5:6", p)
	}
	if fd.Pos.File != "p.wq" || fd.Pos.Line != 3 || fd.Body.End.Line != 6 {
		t.Errorf("declaration at %v, body end %v", fd.Pos, fd.Body.End)
	}
}

// Malformed patches are located errors.
func TestPatchErrors(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"model c extends p;\npatch f {\n x;\n", "c.wq:2:1: patch f is not closed"},
		{"model c extends p;\npatch f { x\n}\n", "c.wq:2:11: expected the end of the line after 'patch f {'"},
		{"model c extends p;\npatch f {\n}\n", "c.wq:2:1: patch f has no hunks"},
		{"model c extends p;\npatch f {\n x;\n@@\n}\n", "c.wq:4:1: empty hunk in patch f"},
		{"model c extends p;\npatch f {\n\tx;\n}\n", "c.wq:3:1: expected a hunk line of patch f"},
		{"model c extends p;\nnew patch f {\n x;\n}\n", "c.wq:2:1: `new patch` makes no sense"},
		{"model c extends p;\npatch f x\n", "c.wq:2:9: expected '{' to open the patch's hunks"},
	} {
		_, err := syntax.Parse("c.wq", []byte(c.src))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: got %v, want %s", c.src, err, c.want)
		}
	}
}

// Lines that are blank or only a comment, in the hunk or in the parent,
// are left out of the comparison: a hunk need not repeat the parent's
// comment lines (nor the parent have the hunk's), those lines of the
// parent stay where they are, and an added line goes right after the
// line before it in the hunk (before the first line with code when it
// leads the hunk).
func TestApplyPatchSkipsCommentLines(t *testing.T) {
	const parent = "model p;\nint x;\nvoid f() {\n    x = 1;\n    // why two\n\n    x = 2;\n}\n"
	for _, c := range []struct{ name, hunk, want string }{
		{"parent's comment left out", "     x = 1;\n+    x = 5;\n     x = 2;\n",
			"void f() {|    x = 1;|    x = 5;|    // why two||    x = 2;|}"},
		{"hunk's own comment line", "     x = 1;\n     // a note the parent lacks\n-    x = 2;\n+    x = 3;\n",
			"void f() {|    x = 1;|    // why two||    x = 3;|}"},
		{"leading added line", "+    x = 0;\n     x = 1;\n",
			"void f() {|    x = 0;|    x = 1;|    // why two||    x = 2;|}"},
		{"removed comment line kept", "     x = 1;\n-    // why two\n     x = 2;\n",
			"void f() {|    x = 1;|    // why two||    x = 2;|}"},
	} {
		pf, err := syntax.Parse("p.wq", []byte(parent))
		if err != nil {
			t.Fatal(err)
		}
		cf, err := syntax.Parse("c.wq", []byte("model c extends p;\npatch f {\n"+c.hunk+"}\n"))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		lines, _ := syntax.DeclSource(pf.Decls[1], pf.Src)
		out, err := syntax.ApplyPatch(lines, cf.Decls[0].(*syntax.PatchDecl), "as p defines it", cf.Src)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var got []string
		for _, l := range out {
			got = append(got, l.Text)
		}
		if g := strings.Join(got, "|"); g != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.name, g, c.want)
		}
	}
	// a hunk whose only lines with code are added ones says nothing of where
	cf, err := syntax.Parse("c.wq", []byte("model c extends p;\npatch f {\n     // here\n+    x = 9;\n}\n"))
	if err != nil {
		t.Fatal(err)
	}
	pf, _ := syntax.Parse("p.wq", []byte(parent))
	lines, _ := syntax.DeclSource(pf.Decls[1], pf.Src)
	if _, err := syntax.ApplyPatch(lines, cf.Decls[0].(*syntax.PatchDecl), "as p defines it", cf.Src); err == nil || !strings.Contains(err.Error(), "no context line") {
		t.Errorf("a hunk anchored by a comment only: got %v", err)
	}
}
