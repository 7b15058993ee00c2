package invariants_test

import (
	"testing"

	"wqcheck/explorer"
	"wqcheck/model"
	"wqcheck/model/syntax"
)

func compile(t *testing.T, src string) *model.Program {
	t.Helper()
	f, err := syntax.Parse("t.wq", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	p, err := model.Compile(f, map[string][]byte{"t.wq": []byte(src)}, model.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func verdict(t *testing.T, p *model.Program, name string) *explorer.PropResult {
	t.Helper()
	r := explorer.Explore(p, explorer.Options{All: true})
	for i := range r.Props {
		if r.Props[i].Prop.Name == name {
			return &r.Props[i]
		}
	}
	t.Fatalf("no property %s", name)
	return nil
}

// Stranded is existential over the future: an item that some path still
// takes is not stranded, even if another path never takes it.
func TestStrandedNeedsNoPath(t *testing.T) {
	p := compile(t, `model t;
struct work { bool done; }
work works[1];
list<work> q;
bool gone;
init { list_add(works[0], &q); }
daemon thread taker() {
    either { list_del(works[0], &q); } or { gone = true; await(false); }
}
stranded s: x in works pending x in q;`)
	r := verdict(t, p, "s")
	if r.Verdict != explorer.Violated {
		t.Fatalf("verdict %s: the path where the taker gives up strands the item", r.Verdict)
	}
	if n := len(r.Trace.Steps); n != 1 {
		t.Errorf("trace of %d steps, want 1 (the give-up step)", n)
	}
	p = compile(t, `model t;
struct work { bool done; }
work works[1];
list<work> q;
init { list_add(works[0], &q); }
daemon thread taker() {
    for (;;) { either { await(false); } or { list_del(works[0], &q); await(false); } }
}
stranded s: x in works pending x in q;`)
	// the first branch blocks for ever once chosen: stranded again
	if r := verdict(t, p, "s"); r.Verdict != explorer.Violated {
		t.Fatalf("verdict %s, want violated: a thread that commits to waiting for ever strands the item", r.Verdict)
	}
	p = compile(t, `model t;
struct work { bool done; }
work works[2];
list<work> q;
bool spare;
init { list_add(works[0], &q); list_add(works[1], &q); }
daemon thread taker() {
    work w;
    for (;;) {
        w = first(&q);
        if (w == NULL) { await(false); }
        either { list_del(w, &q); } or { spare = !spare; }
    }
}
stranded s: x in works pending x in q;`)
	// the taker may dawdle for ever, but from every state it can still take
	if r := verdict(t, p, "s"); r.Verdict != explorer.Holds {
		t.Fatalf("verdict %s, want holds: every pending item can still be taken", r.Verdict)
	}
}

// Daemons may sleep for ever; other threads may not; nobody may wait for a lock for ever.
func TestDeadlockKinds(t *testing.T) {
	cases := []struct {
		src  string
		want explorer.Verdict
	}{
		{`model t; daemon thread d() { set_current_state(TASK_IDLE); schedule(); }`, explorer.Holds},
		{`model t; thread d() { set_current_state(TASK_IDLE); schedule(); }`, explorer.Violated},
		{`model t; bool b; daemon thread d() { await(b); }`, explorer.Holds},
		{`model t; mutex m; bool never; daemon thread a() { mutex_lock(&m); await(never); } daemon thread d() { mutex_lock(&m); mutex_unlock(&m); }`, explorer.Violated},
	}
	for _, c := range cases {
		if r := verdict(t, compile(t, c.src), "deadlock"); r.Verdict != c.want {
			t.Errorf("%s\n deadlock %s, want %s", c.src, r.Verdict, c.want)
		}
	}
}

func TestLockDiscipline(t *testing.T) {
	for _, src := range []string{
		`model t; spinlock l; thread a() { spin_lock(&l); spin_lock(&l); }`,
		`model t; spinlock l; thread a() { spin_unlock(&l); }`,
		`model t; spinlock l; thread a() { spin_lock(&l); schedule(); spin_unlock(&l); }`,
		`model t; spinlock l; mutex m; thread a() { spin_lock(&l); mutex_lock(&m); mutex_unlock(&m); spin_unlock(&l); }`,
		`model t; mutex m; thread a() { mutex_lock(&m); }`,
	} {
		if r := verdict(t, compile(t, src), "lock-discipline"); r.Verdict != explorer.Violated {
			t.Errorf("%s\n lock-discipline %s, want violated", src, r.Verdict)
		}
	}
}

func TestInvariantAndWarn(t *testing.T) {
	p := compile(t, `model t;
int<0..3> n;
thread a() { n++; warn_on(n == 2, "two"); }
thread b() { n++; }
invariant small: n < 2;`)
	r := explorer.Explore(p, explorer.Options{All: true})
	got := map[string]explorer.Verdict{}
	for _, pr := range r.Props {
		got[pr.Prop.Name] = pr.Verdict
	}
	if got["small"] != explorer.Violated || got["two"] != explorer.Violated || got["runtime-error"] != explorer.Holds {
		t.Errorf("verdicts %v", got)
	}
}

// if (WARN_ON(cond)) return; takes the return when the warning fires.
func TestWarnOnValue(t *testing.T) {
	p := compile(t, `model t;
bool reached;
thread a() {
    if (WARN_ON(true, "w"))
        return;
    reached = true;
}
invariant never: !reached;`)
	r := explorer.Explore(p, explorer.Options{All: true})
	for _, pr := range r.Props {
		want := explorer.Holds
		if pr.Prop.Name == "w" {
			want = explorer.Violated
		}
		if pr.Verdict != want {
			t.Errorf("%s is %s, want %s", pr.Prop.Name, pr.Verdict, want)
		}
	}
}
