package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"wqcheck/explorer"
	"wqcheck/model"
)

// The workqueue model is sensitive: each deliberately broken variant in
// testdata/broken is caught by the property its first line names
// ("// expect: NAME"), at the settings its second line gives, while the
// unbroken parent holds that property at the same settings.
func TestBrokenVariantsAreCaught(t *testing.T) {
	files, _ := filepath.Glob("testdata/broken/*.wq")
	if len(files) == 0 {
		t.Fatal("no broken variants")
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".wq"), func(t *testing.T) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(string(src), "\n")
			expect := strings.TrimSpace(strings.TrimPrefix(lines[0], "// expect:"))
			set := map[string]string{}
			for _, kv := range strings.Fields(strings.TrimPrefix(lines[1], "// settings:")) {
				k, v, _ := strings.Cut(kv, "=")
				set[k] = v
			}
			// with and without symmetry reduction: the verdicts must agree
			check := func(ref string) explorer.Verdict {
				p, err := loader.Load(ref, model.Options{Set: set})
				if err != nil {
					t.Fatalf("%s: %v", ref, err)
				}
				var verdicts []explorer.Verdict
				for _, sym := range []bool{false, true} {
					r := explorer.Explore(p, explorer.Options{All: true, MaxStates: 2_000_000, Symmetry: sym})
					for _, pr := range r.Props {
						if pr.Prop.Name == expect {
							verdicts = append(verdicts, pr.Verdict)
						}
					}
				}
				if len(verdicts) != 2 {
					t.Fatalf("%s has no property %s", ref, expect)
				}
				if verdicts[0] != verdicts[1] {
					t.Errorf("%s: %s is %s, with symmetry reduction %s", ref, expect, verdicts[0], verdicts[1])
				}
				return verdicts[0]
			}
			if v := check(file); v != explorer.Violated {
				t.Errorf("%s: %s is %s, want violated", file, expect, v)
			}
			res, err := loader.Resolve(file)
			if err != nil {
				t.Fatal(err)
			}
			parent := res.Leaf.Extends[0]
			if v := check(parent); v != explorer.Holds {
				t.Errorf("the unbroken %s: %s is %s at the same settings, want holds", parent, expect, v)
			}
		})
	}
}
