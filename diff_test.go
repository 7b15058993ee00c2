package main

import (
	"strings"
	"testing"
)

// unifiedDiff gives git's hunks, removals before additions, with three
// lines of context, and stays bounded on inputs too large to compare.
func TestUnifiedDiff(t *testing.T) {
	a := strings.Split("void f() {\n    a;\n    b;\n    c;\n}\n\nvoid g() {\n    d;\n}", "\n")
	b := strings.Split("void f() {\n    a;\n    B;\n    c;\n}\n\nvoid g() {\n    d;\n    e;\n}", "\n")
	got := unifiedDiff("a/x", "b/y", a, b, 3)
	want := `--- a/x
+++ b/y
@@ -1,9 +1,10 @@
 void f() {
     a;
-    b;
+    B;
     c;
 }

 void g() {
     d;
+    e;
 }
`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if unifiedDiff("a", "b", a, a, 3) != "" {
		t.Errorf("equal inputs give a diff")
	}
	// past the table's bound the middle is removed and added whole
	big := func(p string) []string {
		var l []string
		for i := 0; i < 5000; i++ {
			l = append(l, p+strings.Repeat("x", i%7))
		}
		return l
	}
	d := unifiedDiff("a", "b", append([]string{"same"}, big("a")...), append([]string{"same"}, big("b")...), 3)
	if strings.Count(d, "\n-") != 5000 || strings.Count(d, "\n+") != 5001 {
		t.Errorf("large diff: %d removals, %d additions", strings.Count(d, "\n-"), strings.Count(d, "\n+"))
	}
}
