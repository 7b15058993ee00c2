package model

import (
	"sort"
	"strings"
	"testing"
)

// quietTexts compiles src and returns the statements, "thread: text", of
// the quiet instructions (Instr.Quiet), sorted.
func quietTexts(t *testing.T, src string) []string {
	t.Helper()
	p := compileText(t, "q.wq", src)
	var out []string
	for _, k := range p.Kinds {
		for _, ins := range k.Code {
			if ins.Quiet {
				out = append(out, k.Name+": "+ins.Text)
			}
		}
	}
	sort.Strings(out)
	return out
}

// The quiet-mover analysis, rule by rule, each with the case that refuses
// it: a mutex-guarded field is quiet unless a property reads it or some
// thread reads it lockless; state one thread alone touches is quiet unless
// a property, a CPU expression or a second thread (or a second instance of
// a `for each` thread) touches it; a mutex release is quiet unless a
// property reads the lock or the model asks task_curr() (and so is any
// instruction the thread's exit follows: the exit is seen); a ghost a
// property reads, written in the code after an instruction, keeps that
// instruction from being quiet.
func TestQuietInstructions(t *testing.T) {
	const mutexModel = `model m;
struct cfg { mutex m; int<0..3> a guarded_by(m); int<0..3> b guarded_by(m); }
cfg c;
int<0..2> done;
thread x() { mutex_lock(&c.m); c.a = 1; c.b = 1; mutex_unlock(&c.m); done++; }
thread y() { mutex_lock(&c.m); c.a = 2; c.b = 2; mutex_unlock(&c.m); done++; }
`
	cases := []struct {
		name, src, want string
	}{
		{"mutex-guarded", mutexModel,
			"x: c.a = 1;|x: c.b = 1;|x: mutex_unlock(&c.m);|y: c.a = 2;|y: c.b = 2;|y: mutex_unlock(&c.m);"},
		{"mutex-guarded, a property reads a", mutexModel + `invariant "same": c.a == c.b || c.b == 0;`,
			"x: mutex_unlock(&c.m);|y: mutex_unlock(&c.m);"},
		{"mutex-guarded, a lockless reader of b", mutexModel + `thread r() { int<0..3> v = data_race(c.b); }`,
			"x: c.a = 1;|x: mutex_unlock(&c.m);|y: c.a = 2;|y: mutex_unlock(&c.m);"},
		{"mutex-guarded, a property reads the mutex", mutexModel + `invariant "free": mutex_is_locked(&c.m) || !mutex_is_locked(&c.m);`,
			"x: c.a = 1;|x: c.b = 1;|y: c.a = 2;|y: c.b = 2;"},
		{"the thread exits after the release", `model e;
mutex m;
int<0..3> a guarded_by(m);
thread x() { mutex_lock(&m); a = 1; mutex_unlock(&m); }
thread y() { mutex_lock(&m); a = 2; mutex_unlock(&m); }
`, "x: a = 1;|y: a = 2;"},
		{"spinlock-guarded: the old rule's business", `model s;
struct cfg { spinlock l; int<0..3> a guarded_by(l); }
cfg c;
thread x() { spin_lock(&c.l); c.a = 1; spin_unlock(&c.l); }
thread y() { spin_lock(&c.l); c.a = 2; spin_unlock(&c.l); }
`, ""},
		{"thread-local", `model l;
int<0..3> mine;
int<0..3> shared;
thread x() { mine = 1; mine = 2; shared = 1; }
thread y() { shared = 2; }
`, "x: mine = 1;|x: mine = 2;"},
		{"thread-local, but a property reads it", `model l;
int<0..3> mine;
thread x() { mine = 1; mine = 2; }
invariant "small": mine < 3;
`, ""},
		{"two instances of one thread", `model l;
struct o { int<0..3> v; }
o os[2];
thread x(o self) for each os { self->v = 1; }
`, ""},
		{"read by a CPU expression", `model c;
cpus 2;
int<0..1> where;
thread x() unbound { where = 1; where = 0; }
thread y() on cpu where { int<0..1> v = 0; }
`, ""},
		{"task_curr observes mutex waiters", `model t;
cpus 1;
mutex m;
struct cfg { int<0..3> a guarded_by(m); }
cfg c;
thread x() on cpu 0 { mutex_lock(&m); c.a = 1; mutex_unlock(&m); }
hardirq thread h() on cpu 0 { await(task_curr(x)); }
`, "x: c.a = 1;"},
		{"a ghost a property reads, written after it", `model g;
mutex m;
int<0..3> a guarded_by(m);
ghost int<0..3> seen;
ghost int<0..3> private;
int<0..1> done;
thread x() { mutex_lock(&m); a = 1; seen = 1; a = 2; private = 1; mutex_unlock(&m); done = 1; }
invariant "seen": seen < 3;
`, "x: a = 2;|x: mutex_unlock(&m);"},
		{"a branch whose other way writes a ghost a property reads", `model b;
int<0..3> mine;
ghost int<0..3> seen;
int<0..1> done;
thread x() { done = 1; if (mine == 0) { mine = 1; } else { seen = 1; } done = 0; }
thread y() { done = 1; }
invariant "seen": seen < 3;
`, "x: mine = 1;"},
	}
	for _, tc := range cases {
		got := strings.Join(quietTexts(t, tc.src), "|")
		if got != tc.want {
			t.Errorf("%s: quiet %q, want %q", tc.name, got, tc.want)
		}
	}
}
