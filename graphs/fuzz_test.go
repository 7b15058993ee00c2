package graphs_test

import (
	"fmt"
	"io"
	"strings"
	"testing"

	"wqcheck/explorer"
	"wqcheck/graphs"
	"wqcheck/model"
	"wqcheck/model/syntax"
)

// FuzzCheck fuzzes the checker, not just the parser: the fuzzer's bytes
// choose a program from the grammar, written so that it type-checks (a
// struct array, globals, a list, locks, threads for each object and single
// ones, locals, loops, either, atomic/await, locks, wakes, task states,
// invariants and warn_on), which is compiled, searched for a few hundred
// states with one and with two workers, and every trace found is printed
// in every form. Properties: nothing panics, the program parses and prints
// back to itself, a compile error has a position, both searches find the
// same states and verdicts, and a complete search finds the same verdicts
// without symmetry reduction.
//
//	go test ./graphs -run '^$' -fuzz FuzzCheck -fuzztime 5m
func FuzzCheck(f *testing.F) {
	for _, seed := range []string{"", "\x01\x02\x03", "\x05\x04\x03\x02\x01\x00\x07\x09", strings.Repeat("\x11\x22\x33\x44", 16),
		strings.Repeat("\xff\x80\x07", 30), "\x02\x03\x00\x01\x06\x06\x06\x02\x09\x08\x07"} {
		f.Add([]byte(seed))
	}
	f.Fuzz(checkGenerated)
}

// checkGenerated is FuzzCheck's property for one input.
func checkGenerated(t *testing.T, data []byte) {
	{
		src := genProgram(data)
		file, err := syntax.Parse("gen.wq", []byte(src))
		if err != nil {
			t.Fatalf("a generated program does not parse: %v\n%s", err, src)
		}
		if out := syntax.Format(file); true {
			f2, err := syntax.Parse("gen.wq", []byte(out))
			if err != nil || syntax.Format(f2) != out {
				t.Fatalf("the printed program does not print back to itself (%v):\n%s", err, out)
			}
		}
		p, err := model.Compile(file, map[string][]byte{"gen.wq": []byte(src)}, model.Options{})
		if err != nil {
			if e, ok := err.(*model.Error); !ok || !e.Pos.IsValid() {
				t.Fatalf("compile error without a position (%T): %v\n%s", err, err, src)
			}
			return
		}
		var results [2]*explorer.Result
		for i, workers := range []int{1, 2} {
			res := explorer.Explore(p, explorer.Options{MaxStates: 300, All: true, Workers: workers, Symmetry: true})
			results[i] = res
			if res.Err != nil {
				continue
			}
			for _, pr := range res.Props {
				if pr.Trace == nil {
					continue
				}
				graphs.WriteTrace(io.Discard, p, pr.Trace, graphs.TextOptions{Width: 100, Explain: true})
				graphs.WriteTrace(io.Discard, p, pr.Trace, graphs.TextOptions{Width: 40})
				_ = graphs.TraceDOT(p, pr.Trace, graphs.StyleLanes)
				_ = graphs.TraceDOT(p, pr.Trace, graphs.StyleStates)
				_ = graphs.SequenceSVG(p, pr.Trace)
				graphs.WriteLockdep(io.Discard, res, pr, graphs.TextOptions{Width: 100})
				graphs.WriteKernelBug(io.Discard, res, pr)
				graphs.WriteWorkqueueLockup(io.Discard, res, pr)
			}
			_ = graphs.LockGraphDOT(res)
			run := graphs.Run{Variant: "gen", Label: "gen", Reduce: "locks", Result: res}
			graphs.WriteSummary(io.Discard, run)
			if err := graphs.WriteJSON(io.Discard, []graphs.Run{run}); err != nil {
				t.Fatalf("JSON: %v", err)
			}
		}
		a, b := results[0], results[1]
		if (a.Err == nil) != (b.Err == nil) || a.Stats.States != b.Stats.States || a.Complete != b.Complete {
			t.Fatalf("1 and 2 workers differ: %d/%v/%v vs %d/%v/%v\n%s", a.Stats.States, a.Complete, a.Err, b.Stats.States, b.Complete, b.Err, src)
		}
		for i := range a.Props {
			if a.Props[i].Verdict != b.Props[i].Verdict {
				t.Fatalf("1 and 2 workers differ on %s: %s vs %s\n%s", a.Props[i].Prop.Name, a.Props[i].Verdict, b.Props[i].Verdict, src)
			}
		}
		// symmetry reduction keeps every verdict of a complete search
		if a.Complete && a.Err == nil {
			ref := explorer.Explore(p, explorer.Options{MaxStates: 3000, All: true, Workers: 1})
			if ref.Complete && ref.Err == nil {
				for i := range a.Props {
					if a.Props[i].Verdict != ref.Props[i].Verdict {
						t.Fatalf("symmetry reduction changes %s: %s, without it %s\n%s", a.Props[i].Prop.Name, a.Props[i].Verdict, ref.Props[i].Verdict, src)
					}
				}
			}
		}
	}
}

// Every seed program type-checks: the generator writes well-typed models
// (so the fuzzer spends its time in the checker, not in compile errors).
func TestGenProgramsCompile(t *testing.T) {
	for i := 0; i < 200; i++ {
		data := make([]byte, 64)
		for k := range data {
			data[k] = byte((i*131 + k*17 + i*k) % 251)
		}
		src := genProgram(data)
		file, err := syntax.Parse("gen.wq", []byte(src))
		if err != nil {
			t.Fatalf("does not parse: %v\n%s", err, src)
		}
		if _, err := model.Compile(file, map[string][]byte{"gen.wq": []byte(src)}, model.Options{}); err != nil {
			t.Fatalf("does not compile: %v\n%s", err, src)
		}
	}
}

// gen draws choices from the fuzzer's bytes (0 once they run out).
type gen struct {
	data []byte
	b    strings.Builder
	ind  int
	loc  int // locals declared so far (l0, l1, ...), all int<0..7>
	self bool
	deep int
	n    int // the length of objs
}

func (g *gen) pick(n int) int {
	if len(g.data) == 0 || n <= 1 {
		return 0
	}
	c := int(g.data[0])
	g.data = g.data[1:]
	return c % n
}

func (g *gen) line(format string, args ...any) {
	g.b.WriteString(strings.Repeat("    ", g.ind))
	fmt.Fprintf(&g.b, format, args...)
	g.b.WriteString("\n")
}

func genProgram(data []byte) string {
	g := &gen{data: data}
	n := 1 + g.pick(3)
	g.n = n
	g.line("model gen;")
	g.line("param P = %d in 0..3;", g.pick(4))
	g.line("param ON = %v;", g.pick(2) == 0)
	g.line("assume P >= 0;")
	g.line("const K = P + %d;", 1+g.pick(3))
	g.line("flags { FA, FB = 1 << 3, FC }")
	g.line("struct s { int<0..7> f; bool b; spinlock l; int flags; }")
	g.line("s objs[%d];", n)
	g.line("s one;")
	g.line("int<0..7> g0 guarded_by(lk);")
	g.line("int<0..7> g1;")
	g.line("bool b0;")
	g.line("spinlock lk;")
	g.line("mutex mx;")
	g.line("list<s> q;")
	g.line("ghost int<0..3> gh;")
	g.line("int addf(int a, int b) { return (a + b) %% 8; }")
	g.line("bool nonempty() { return !list_empty(&q); }")
	g.line("init {")
	g.ind++
	if g.pick(3) > 0 {
		g.line("list_add_tail(objs[%d], &q);", g.pick(n))
	}
	g.line("one.f = %d;", g.pick(8))
	g.ind--
	g.line("}")
	hasEach := false // one thread per object at most (wake_up_process needs it)
	for i, nt := 0, 1+g.pick(3); i < nt; i++ {
		g.loc, g.deep = 0, 0
		switch g.pick(3) {
		case 0:
			if hasEach {
				g.self = false
				g.line("thread t%d() {", i)
				break
			}
			hasEach = true
			g.self = true
			daemon := ""
			if g.pick(3) == 0 {
				daemon = "daemon "
			}
			g.line("%sthread w%d(s self) for each objs as \"W%d.{i}\" {", daemon, i, i)
		default:
			g.self = false
			g.line("thread t%d() {", i)
		}
		g.ind++
		for k, ns := 0, 1+g.pick(5); k < ns; k++ {
			g.stmt()
		}
		g.ind--
		g.line("}")
	}
	g.loc = 0
	for i, ni := 0, g.pick(3); i < ni; i++ {
		g.self = false
		g.line("invariant inv%d: %s;", i, g.boolExpr(0))
	}
	if g.pick(2) == 0 {
		g.line("stranded lost: x in objs pending x in q;")
	}
	return g.b.String()
}

// intExpr is an int expression with values that fit int<0..7> often.
func (g *gen) intExpr(d int) string {
	if d > 2 {
		return fmt.Sprint(g.pick(8))
	}
	switch g.pick(12) {
	case 0:
		return fmt.Sprint(g.pick(8))
	case 1:
		return "g1"
	case 2:
		if g.self {
			return "self->f"
		}
		return "one.f"
	case 3:
		return fmt.Sprintf("objs[%d].f", g.pick(g.n))
	case 4:
		return "len(&q)"
	case 5:
		return fmt.Sprintf("(%s + %s) %% 8", g.intExpr(d+1), g.intExpr(d+1))
	case 6:
		return fmt.Sprintf("min(%s, %s)", g.intExpr(d+1), g.intExpr(d+1))
	case 7:
		return fmt.Sprintf("(%s ? %s : %s)", g.boolExpr(d+1), g.intExpr(d+1), g.intExpr(d+1))
	case 8:
		return "count(x in objs: x.b)"
	case 9:
		if g.loc > 0 {
			return fmt.Sprintf("l%d", g.pick(g.loc))
		}
		return "K"
	case 10:
		if d == 0 { // a call's code runs before the statement: not inside ?: or &&
			return fmt.Sprintf("addf(%s, %s)", g.intExpr(d+1), g.intExpr(d+1))
		}
		return "K"
	}
	return fmt.Sprintf("(%s * %s) %% 8", g.intExpr(d+1), g.intExpr(d+1))
}

func (g *gen) boolExpr(d int) string {
	if d > 2 {
		return []string{"true", "false", "b0"}[g.pick(3)]
	}
	switch g.pick(11) {
	case 0:
		return "b0"
	case 1:
		return fmt.Sprintf("%s < %s", g.intExpr(d+1), g.intExpr(d+1))
	case 2:
		return fmt.Sprintf("%s == %s", g.intExpr(d+1), g.intExpr(d+1))
	case 3:
		return fmt.Sprintf("!(%s)", g.boolExpr(d+1))
	case 4:
		return fmt.Sprintf("(%s && %s)", g.boolExpr(d+1), g.boolExpr(d+1))
	case 5:
		return fmt.Sprintf("(%s || %s)", g.boolExpr(d+1), g.boolExpr(d+1))
	case 6:
		return "nonempty()"
	case 7:
		return "exists x in objs: x.f > 0"
	case 8:
		return "forall x in q: !x.b"
	case 9:
		if g.self {
			return "self in q"
		}
		return "ON"
	}
	return "spin_is_locked(&lk)"
}

// body is a nested statement: its locals go out of scope after it.
func (g *gen) body() {
	saved := g.loc
	g.ind++
	g.stmt()
	g.ind--
	g.loc = saved
}

func (g *gen) stmt() {
	g.deep++
	defer func() { g.deep-- }()
	if g.deep > 3 {
		g.line("g1 = %s;", g.intExpr(2))
		return
	}
	switch g.pick(18) {
	case 0:
		g.line("g1 = %s;", g.intExpr(0))
	case 1:
		g.line("spin_lock(&lk);")
		g.line("g0 = %s;", g.intExpr(1))
		g.line("spin_unlock(&lk);")
	case 2:
		g.line("if (%s) {", g.boolExpr(0))
		g.body()
		g.line("} else {")
		g.body()
		g.line("}")
	case 3:
		// a bounded loop over a local
		i := g.loc
		g.loc++
		g.line("int<0..7> l%d = 0;", i)
		g.line("while (l%d < %d) {", i, 1+g.pick(3))
		g.ind++
		g.line("l%d++;", i)
		g.ind--
		g.body()
		g.line("}")
	case 4:
		g.line("either {")
		g.body()
		g.line("} or {")
		g.body()
		g.line("}")
	case 5:
		g.line("atomic { await(%s); b0 = !b0; }", g.boolExpr(1))
	case 6:
		if g.self {
			g.line("spin_lock(&self->l);")
			g.line("self->f = %s;", g.intExpr(1))
			g.line("spin_unlock(&self->l);")
		} else {
			g.line("one.b = %s;", g.boolExpr(1))
		}
	case 7:
		if g.self {
			g.line("if (!(self in q)) list_add(self, &q);")
		} else {
			g.line("if (!list_empty(&q)) list_del(first(&q), &q);")
		}
	case 8:
		g.line("foreach (x in objs) {")
		g.ind++
		g.line("x->b = %s;", g.boolExpr(2))
		g.ind--
		g.line("}")
	case 9:
		g.line("warn_on(%s);", g.boolExpr(0))
	case 10:
		if g.self {
			g.line("set_current_state(TASK_UNINTERRUPTIBLE);")
			g.line("if (%s) schedule();", g.boolExpr(1))
			g.line("__set_current_state(TASK_RUNNING);")
		} else {
			g.line("foreach (x in objs) { if (x.b) { x.f = 0; } }")
		}
	case 11:
		if g.self {
			g.line("foreach (x in q) { if (x != self) wake_up_process(x); }")
		} else {
			g.line("g1 = %s;", g.intExpr(1))
		}
	case 12:
		g.line("mutex_lock(&mx);")
		g.line("one.flags |= FA;")
		g.line("one.flags &= ~FB;")
		g.line("mutex_unlock(&mx);")
	case 13:
		e := g.intExpr(0)
		g.line("int<0..7> l%d = %s;", g.loc, e)
		g.loc++
	case 14:
		g.line("do {")
		g.ind++
		g.line("g1 = (g1 + 1) %% 8;")
		g.ind--
		g.line("} while (g1 %% %d != 0);", 2+g.pick(3))
	case 15:
		g.line("gh = (gh + 1) %% 4;")
	case 16:
		g.line("if (ON) {")
		g.body()
		g.line("}")
	default:
		g.line("b0 = %s;", g.boolExpr(0))
	}
}
