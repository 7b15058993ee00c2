package model_test

import (
	"io/fs"
	"testing"

	"wqcheck/examples"
	"wqcheck/model"
	"wqcheck/model/syntax"
)

// FuzzCompile: whatever parses, compiling it never panics (an error, if any,
// is returned). The parser's own fuzz target is syntax.FuzzParse.
func FuzzCompile(f *testing.F) {
	names, _ := fs.Glob(examples.FS, "*.wq")
	for _, name := range names {
		src, _ := fs.ReadFile(examples.FS, name)
		f.Add(src)
	}
	f.Add([]byte("model m; thread t() { either { x = 1; } or { goto l; } l: ; }"))
	f.Add([]byte("model m extends p; new invariant \"S1-x\": forall w in ws: w.f;"))
	f.Add([]byte("model m; struct o { bool on; int<0..3> v live_when(self.on); } o os[2]; thread t() { os[0].on = true; os[0].v = 1; }"))
	f.Add([]byte("model m; cpus 2; struct p { spinlock l; int<0..3> n guarded_by(l) cpu_local; } p q; thread a() on cpu 0 { preempt_disable(); data_race(q.n)++; preempt_enable(); } thread b() on cpu 0 { raw_spin_lock_irq(&q.l); q.n++; raw_spin_unlock_irq(&q.l); }"))
	f.Fuzz(func(t *testing.T, src []byte) {
		file, err := syntax.Parse("fuzz.wq", src)
		if err != nil {
			return
		}
		_, _ = model.Compile(file, map[string][]byte{"fuzz.wq": src}, model.Options{})
	})
}
