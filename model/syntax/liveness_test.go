package syntax

import (
	"strings"
	"testing"
)

// The liveness declarations, `fair thread` and `either fair` parse and
// print back to what was written.
func TestLivenessSyntaxRoundTrip(t *testing.T) {
	src := `model m;
liveness L1: forall x in works: x.queued ~> x.done;
liveness "L2": eventually done;
fair daemon thread a() {
    either fair {
        done = true;
    } or {
        done = false;
    }
}
`
	f, err := Parse("m.wq", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	for _, d := range f.Decls {
		out.WriteString(FormatDecl(d))
	}
	for _, want := range []string{
		"liveness L1: forall x in works: x.queued ~> x.done;",
		"liveness L2: eventually done;", // a plain name needs no quotes
		"fair daemon thread a()",
		"either fair {",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("printed model lacks %q:\n%s", want, out.String())
		}
	}
}

// A liveness declaration without ~> or eventually says what it expected.
func TestLivenessSyntaxError(t *testing.T) {
	_, err := Parse("m.wq", []byte("model m;\nliveness L: x.queued x.done;\n"))
	if err == nil || !strings.Contains(err.Error(), "expected '~>'") || !strings.Contains(err.Error(), "m.wq:2:") {
		t.Fatalf("got %v, want an error at m.wq:2 that expects '~>'", err)
	}
}
