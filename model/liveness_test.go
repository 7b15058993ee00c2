package model

import (
	"io/fs"
	"testing"

	"wqcheck/examples"
)

// Locals share slots when their lifetimes do not overlap. No two locals that
// share bits may be live at the same program point in any built-in model:
// that would let one overwrite the other.
func TestNoLiveLocalsShareBits(t *testing.T) {
	names, _ := fs.Glob(examples.FS, "*.wq")
	l := &Loader{Builtin: examples.FS}
	for _, name := range names {
		p, err := l.Load(name[:len(name)-3], Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range p.Kinds {
			for pc, ins := range k.Code {
				for i, a := range ins.live {
					for _, b := range ins.live[i+1:] {
						if a.Off < b.Off+uint32(b.Width) && b.Off < a.Off+uint32(a.Width) {
							t.Errorf("%s: %s pc %d (%s): live locals %s and %s share bits", name, k.Name, pc, ins.Text, a.Name, b.Name)
						}
					}
				}
			}
		}
	}
}
