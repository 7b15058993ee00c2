package model_test

import (
	"strings"
	"testing"

	"wqcheck/model"
	"wqcheck/model/syntax"
)

// Kernel spelling compiles with the kernel's meaning, and misuse is a
// located error (the running behaviour is in testdata/scenarios/kernel-spelling.txt).
func TestKernelSpellingCompile(t *testing.T) {
	const head = "model k;\nstruct worker { int<0..3> f guarded_by(pool.lock); }\nstruct worker_pool { spinlock lock; list<worker> idle guarded_by(lock); }\n" +
		"struct item { bool done; }\nworker_pool pool;\nworker workers[2];\nitem items[1];\n" +
		"daemon thread wt(worker self) for each workers { schedule(); }\n"
	for _, tc := range []struct{ body, err string }{
		{"thread t() { struct task_struct *p = workers[0]->task; wake_up_process(p); }", ""},
		{"thread t() { spin_lock(&pool.lock); lockdep_assert_held(&pool.lock); WRITE_ONCE(workers[0].f, READ_ONCE(workers[1].f)); spin_unlock(&pool.lock); }", ""},
		{"thread t() { if (unlikely(list_first_entry_or_null(&pool.idle, struct worker, node) == NULL)) return; }", ""},
		{"thread t() { wake_up_process(items[0]->task); }", "k.wq:9:30: items[0] is not a task: no thread runs for each item"},
		{"thread t() { WRITE_ONCE(workers[0].f); }", "k.wq:9:14: WRITE_ONCE takes 2 arguments, 1 given"},
		{"thread t() { worker w = list_first_entry(&pool.idle); }", "k.wq:9:25: list_first_entry takes 3 arguments, 1 given"},
		{"thread t() { worker w = list_first_entry(&pool.idle, struct worker, 3); }", "k.wq:9:69: list_first_entry: expected the name of the list member"},
		{"thread t() { bool b = likely(1, 2); }", "k.wq:9:23: likely takes 1 argument, 2 given"},
	} {
		src := head + tc.body + "\n"
		f, err := syntax.Parse("k.wq", []byte(src))
		if err == nil {
			_, err = model.Compile(f, map[string][]byte{"k.wq": []byte(src)}, model.Options{})
		}
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%s: %v", tc.body, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s: got %v, want %s", tc.body, err, tc.err)
		}
	}
}
