package explorer_test

import (
	"fmt"
	"strings"
	"testing"

	"wqcheck/explorer"
)

// A model with more locations than a footprint holds apart (more than
// 253 globals and fields): the ones past the last share locations with
// other variables, never with the CPU contexts, the task states or
// finished(). selfmove (testdata/scenarios/contexts.txt) behind 252 ghost
// globals puts B's `here`, which its CPU expression reads, past them: B's
// write of it still moves B to CPU 0, so it cannot write y inside A's
// interrupts-off section. (When `here` shared the contexts' location, the
// write no longer counted as one that moves a thread, and B's step went on
// as if unbound: torn was violated.)
func TestManyLocationsKeepContexts(t *testing.T) {
	var b strings.Builder
	b.WriteString("model alias;\ncpus 2;\n")
	for i := 0; i < 252; i++ {
		fmt.Fprintf(&b, "ghost bool g%d;\n", i)
	}
	b.WriteString("int y;\nghost bool here;\nthread f() as \"F\" on cpu 1 {\n")
	for i := 0; i < 252; i++ {
		fmt.Fprintf(&b, "    g%d = true;\n", i)
	}
	b.WriteString(`}
thread a() as "A" on cpu 0 {
    int v;
    int w;
    local_irq_disable();
    v = y;
    w = y;
    warn_on(v != w, "torn");
    local_irq_enable();
}
thread b() as "B" on cpu (here ? 0 : WORK_CPU_UNBOUND) {
    here = true;
    y = 1;
}
`)
	for _, fine := range []bool{false, true} {
		p := compileSource(t, "alias.wq", b.String(), fine)
		r := explorer.Explore(p, explorer.Options{All: true})
		if v := verdicts(r)["torn"]; v != explorer.Holds {
			t.Errorf("fine=%v: torn is %s, want holds (%d states)", fine, v, r.Stats.States)
		}
	}
}

// More than 64 whole-graph properties: those past the 64th have no bit in
// the changed sets (invariants.Suite.Changed) and are evaluated in every
// state, never inherited; the one that fails is found.
func TestMoreThan64GraphProperties(t *testing.T) {
	var b strings.Builder
	b.WriteString(`model many;
int<0..3> x;
int<0..3> y;
daemon thread a() as "A" { x = 1; x = 2; for (;;) { await(y == 1); y = 0; } }
thread b() as "B" { y = 1; }
`)
	for i := 0; i < 64; i++ {
		fmt.Fprintf(&b, "liveness d%d: y == 3 ~> x == 0;\n", i)
	}
	b.WriteString("liveness real: x == 1 ~> x == 0;\n")
	p := compileSource(t, "many.wq", b.String(), false)
	for _, o := range []explorer.Options{{All: true}, explorer.WithoutIncremental(explorer.Options{All: true})} {
		r := explorer.Explore(p, o)
		if r.Err != nil {
			t.Fatal(r.Err)
		}
		vs := verdicts(r)
		if vs["real"] != explorer.Violated || vs["d0"] != explorer.Holds || vs["d63"] != explorer.Holds {
			t.Errorf("real %s, d0 %s, d63 %s: want violated, holds, holds", vs["real"], vs["d0"], vs["d63"])
		}
	}
}
