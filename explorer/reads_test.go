package explorer_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"wqcheck/explorer"
	"wqcheck/model"
)

// evalAll evaluates every property with conditions in s: each invariant's
// value, stranded property's pending items and liveness property's
// masks, or the error (a Go panic too, as a string).
func evalAll(ev *model.Evaluator, s model.State) (out []string) {
	for _, pr := range ev.Program().Props {
		out = append(out, evalOne(ev, pr, s))
	}
	return out
}

func evalOne(ev *model.Evaluator, pr *model.Property, s model.State) (out string) {
	defer func() {
		if r := recover(); r != nil {
			out = fmt.Sprint("panic: ", r)
		}
	}()
	switch pr.Kind {
	case model.PropInvariant:
		ok, err := ev.Holds(pr, s)
		return fmt.Sprint(ok, err)
	case model.PropStranded:
		m, err := ev.PendingMask(pr, s)
		return fmt.Sprint(m, err)
	case model.PropLiveness:
		from, to, err := ev.LiveMasks(pr, s)
		return fmt.Sprint(from, to, err)
	}
	return ""
}

// What a property reads (model.Property.Reads) bounds what its value
// depends on: in reachable states of every built-in model and the broken
// variants, flipping any one bit outside a property's Reads leaves its
// value, or its error, as it was. (The incremental checks skip a property
// in a state that differs from its source only outside its Reads.)
func TestReadsBoundProperties(t *testing.T) {
	for _, c := range checkCases(t) {
		p := c.p
		r := explorer.Explore(p, explorer.Options{All: true, KeepGraph: true, MaxStates: 4000})
		n := r.Graph.NumStates()
		ev := p.NewEvaluator()
		checked := 0
		for id := 0; id < n; id += max(n/40, 1) {
			s := r.Graph.State(id).Clone()
			want := evalAll(ev, s)
			for bit := range p.Words * 64 {
				w, m := bit/64, uint64(1)<<(bit%64)
				s[w] ^= m
				for i, pr := range p.Props {
					if inReads(&pr.Reads, w, m) || want[i] == "" {
						continue
					}
					if got := evalOne(ev, pr, s); got != want[i] {
						t.Fatalf("%s: %s in state %d: flipping bit %d (not in its Reads) changes %q to %q", c.name, pr.Name, id, bit, want[i], got)
					}
					checked++
				}
				s[w] ^= m
			}
		}
		if checked == 0 && hasConditions(p) {
			t.Errorf("%s: nothing checked", c.name)
		}
	}
}

// checkCases are the models the incremental checks are tested on (what
// properties read, and the checks against the full check): every
// built-in model (the examples and the history
// corpus; fine-grained too with WQCHECK_LONG), the liveness and
// partial-order test models, and the deliberately broken workqueue
// variants at the settings where their invariant fails (a state whose
// source fails a property: what a source's failures carry).
func checkCases(t *testing.T) []porCase {
	var cs []porCase
	add := func(name string, opts model.Options) {
		p, err := loader.Load(name, opts)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		cs = append(cs, porCase{fmt.Sprintf("%s %v fine=%v", name, opts.Set, opts.Fine), p})
	}
	for _, name := range loader.BuiltinNames() {
		for _, fine := range granularities(t, name) {
			add(name, model.Options{Fine: fine})
		}
	}
	for _, name := range []string{"../testdata/liveness/token-ring.wq", "../testdata/liveness/cull-loop.wq", "../testdata/por/independent.wq", "../testdata/por/race.wq"} {
		add(name, model.Options{})
	}
	files, _ := filepath.Glob("../testdata/broken/*.wq")
	if len(files) == 0 {
		t.Fatal("no broken variants")
	}
	for _, file := range files {
		add(file, model.Options{Set: brokenSettings(t, file)})
	}
	return cs
}

// brokenSettings reads a broken variant's settings (its second line,
// "// settings: NAME=VALUE ...").
func brokenSettings(t *testing.T, file string) map[string]string {
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitN(string(src), "\n", 3)
	set := map[string]string{}
	for _, kv := range strings.Fields(strings.TrimPrefix(lines[1], "// settings:")) {
		k, v, _ := strings.Cut(kv, "=")
		set[k] = v
	}
	return set
}

func inReads(r *model.StateBits, word int, m uint64) bool {
	if r.All {
		return true
	}
	for _, wb := range r.Words {
		if wb.Word == word && wb.Bits&m != 0 {
			return true
		}
	}
	return false
}

func hasConditions(p *model.Program) bool {
	for _, pr := range p.Props {
		switch pr.Kind {
		case model.PropInvariant, model.PropStranded, model.PropLiveness:
			return true
		}
	}
	return false
}
