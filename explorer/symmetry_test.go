package explorer

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"wqcheck/examples"
	"wqcheck/model"
)

// symCase is a configuration whose whole reachable graph the symmetry tests
// enumerate.
type symCase struct {
	name string
	set  map[string]string
	fine bool
	long bool // only with WQCHECK_LONG (the largest: seconds each)
}

var symCases = []symCase{
	{"lost-work", nil, false, false},
	{"lost-work", nil, true, false},
	{"upstream", nil, false, false},
	{"upstream", map[string]string{"UNBOUND": "false"}, false, false},
	{"upstream", map[string]string{"NR_WORKS": "2"}, false, false},
	{"upstream", nil, true, false},
	{"deferred-wake", map[string]string{"NR_WORKS": "2"}, false, true},
	{"claim", map[string]string{"FREE_SLOTS": "1", "NR_BUSY": "1"}, false, false},
	{"claim-deferred", nil, false, false},
	{"kicked-list", map[string]string{"UNBOUND": "false"}, false, true},
}

func (c symCase) String() string {
	var parts []string
	for k, v := range c.set {
		parts = append(parts, k+"="+v)
	}
	slices.Sort(parts)
	return fmt.Sprintf("%s %s fine=%v", c.name, strings.Join(parts, " "), c.fine)
}

func (c symCase) load(t *testing.T) *model.Program {
	t.Helper()
	if c.long && os.Getenv("WQCHECK_LONG") == "" {
		t.Skip("set WQCHECK_LONG=1 to run it")
	}
	p, err := (&model.Loader{Builtin: examples.FS}).Load(c.name, model.Options{Set: c.set, Fine: c.fine})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// referenceStates returns every reachable state of p, by the plain search.
func referenceStates(t *testing.T, p *model.Program) []model.State {
	t.Helper()
	r := explore(p, Options{KeepGraph: true, Workers: 1, All: true}, nil)
	if r.Err != nil || !r.Complete {
		t.Fatalf("reference search: complete=%v err=%v", r.Complete, r.Err)
	}
	g := r.Graph.g
	out := make([]model.State, g.n)
	for i := range out {
		out[i] = g.exact.state(i).Clone()
	}
	return out
}

func randomPerms(r *rand.Rand, sym *model.Symmetry) [][]int32 {
	var perms [][]int32
	for _, a := range sym.Arrays() {
		pm := make([]int32, a.Len)
		for j := range pm {
			pm[j] = int32(j)
		}
		r.Shuffle(len(pm), func(i, j int) { pm[i], pm[j] = pm[j], pm[i] })
		perms = append(perms, pm)
	}
	return perms
}

// The symmetric search stores exactly one state per orbit: its count is the
// number of distinct representatives of the reference's reachable states,
// and a representative does not depend on which member of the orbit it is
// computed from (Canon(π(s)) = Canon(s) for random π).
func TestSymmetryStoresOneStatePerOrbit(t *testing.T) {
	for _, c := range symCases {
		t.Run(c.String(), func(t *testing.T) {
			p := c.load(t)
			res := Explore(p, Options{Workers: 1, All: true, Symmetry: true, Exact: true})
			if !res.Complete || res.Err != nil {
				t.Fatalf("symmetric search: complete=%v err=%v", res.Complete, res.Err)
			}
			if len(res.Stats.Symmetry) == 0 {
				t.Fatalf("no array permuted (off: %v)", res.Stats.SymmetryOff)
			}
			sym := p.NewSymmetry(res.Stats.Symmetry)
			canon := sym.NewCanonicaliser(sym.NewSymWatch())
			states := referenceStates(t, p)
			reps := map[string]bool{}
			r := rand.New(rand.NewPCG(7, uint64(len(states))))
			moved := make(model.State, p.Words)
			for i, s := range states {
				c := s.Clone()
				canon.Canon(c)
				reps[fmt.Sprint(c)] = true
				if i%7 == 0 {
					sym.Apply(s, moved, randomPerms(r, sym))
					canon.Canon(moved)
					if !slices.Equal(moved, c) {
						t.Fatalf("state %d: a permuted copy has another representative", i)
					}
				}
			}
			if canon.Watch.Any {
				t.Fatalf("the canonicaliser saw a break the search did not: %v", canon.Watch.Breaks())
			}
			if len(reps) != res.Stats.States {
				t.Errorf("%d orbits among the %d reference states, the symmetric search stored %d", len(reps), len(states), res.Stats.States)
			}
			t.Logf("%d states, %d orbits (%.1fx)", len(states), len(reps), float64(len(states))/float64(len(reps)))
		})
	}
}

// automorphismFailure returns a reachable state on which permuting sym's
// arrays is not an automorphism (successors of π(s) differ from π of the
// successors of s, by the renamed threads' same steps), or "" when there
// is none among the states tried (about 400, and random permutations).
func automorphismFailure(t *testing.T, p *model.Program, sym *model.Symmetry) string {
	t.Helper()
	st := p.NewStepper()
	r := rand.New(rand.NewPCG(3, 4))
	states := referenceStates(t, p)
	for i := 0; i < len(states); i += 1 + len(states)/400 {
		s := states[i]
		for try := 0; try < 3; try++ {
			perm := randomPerms(r, sym)
			ps := make(model.State, p.Words)
			sym.Apply(s, ps, perm)
			want := map[string]bool{}
			st.Successors(s, func(sc *model.Succ) {
				key := fmt.Sprintf("%d/%d err=%v fired=%v", sym.RenameThread(sc.Thread, perm), sc.Branch, sc.Err != nil, sc.Fired)
				if sc.Err == nil {
					out := make(model.State, p.Words)
					sym.Apply(sc.State, out, perm)
					key += fmt.Sprint(out)
				}
				want[key] = true
			})
			got := map[string]bool{}
			st.Successors(ps, func(sc *model.Succ) {
				key := fmt.Sprintf("%d/%d err=%v fired=%v", sc.Thread, sc.Branch, sc.Err != nil, sc.Fired)
				if sc.Err == nil {
					key += fmt.Sprint(sc.State)
				}
				got[key] = true
			})
			if len(got) != len(want) {
				return fmt.Sprintf("state %d: %d successors, its permuted copy %d", i, len(want), len(got))
			}
			for k := range want {
				if !got[k] {
					return fmt.Sprintf("state %d: the permuted copy lacks the permuted successor %s", i, k)
				}
			}
		}
	}
	return ""
}

// Permuting the objects of the arrays a search used is an automorphism of
// the transition system on every reachable state: π(s) has exactly the
// successors π(t) of s's successors t, by the same steps of the renamed
// threads. This is what the reduction's soundness rests on; the checks of
// model.Symmetry are meant to guarantee it, and here it is tested directly.
func TestSymmetryIsAnAutomorphism(t *testing.T) {
	for _, c := range symCases {
		t.Run(c.String(), func(t *testing.T) {
			p := c.load(t)
			res := Explore(p, Options{Workers: 1, All: true, Symmetry: true})
			sym := p.NewSymmetry(res.Stats.Symmetry)
			if sym == nil {
				t.Fatal("no symmetry")
			}
			if msg := automorphismFailure(t, p, sym); msg != "" {
				t.Fatal(msg)
			}
		})
	}
}

// The other way round: on a model whose steps depend on the order of an
// array (each iteration of a foreach reads what earlier ones wrote),
// permuting the array is not an automorphism, the test above would say
// so, and the search finds the model telling the objects apart and does
// not permute them.
func TestSymmetryBreakIsNeeded(t *testing.T) {
	src := `model spread;
struct cell {
    int<0..3> x;
    bool y;
}
cell cells[2];
thread t() {
    atomic {
        foreach (c in cells)
            c->x = count(d in cells: d.x == 1) + (c->y ? 1 : 0);
    }
}
thread other(cell self) for each cells {
}
init {
    cells[0].y = true;
}
`
	file := filepath.Join(t.TempDir(), "spread.wq")
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := (&model.Loader{Builtin: examples.FS}).Load(file, model.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cells := p.SymmetryCandidates(nil)
	if len(cells) != 1 || cells[0].Name != "cells" {
		t.Fatalf("candidates %v", cells)
	}
	if automorphismFailure(t, p, p.NewSymmetry(cells)) == "" {
		t.Fatal("permuting the cells passes as an automorphism; the test cannot tell")
	}
	res := Explore(p, Options{Workers: 1, All: true, Symmetry: true})
	if len(res.Stats.Symmetry) != 0 || len(res.Stats.SymmetryOff) != 1 || res.Stats.SymmetryOff[0].Array.Name != "cells" {
		t.Fatalf("symmetry %v, off %v: want cells off", res.Stats.Symmetry, res.Stats.SymmetryOff)
	}
}

// Permutation ranks round-trip, and the identity is rank 0.
func TestPermRank(t *testing.T) {
	for n := 1; n <= 8; n++ {
		seen := map[uint16]bool{}
		perm := make([]int32, n)
		for r := 0; r < model.Factorial(n); r++ {
			model.UnrankPerm(uint16(r), perm)
			if got := model.PermRank(perm); got != uint16(r) || seen[got] {
				t.Fatalf("n=%d: rank %d unranks to %v, which ranks to %d", n, r, perm, got)
			}
			seen[uint16(r)] = true
		}
		for j := range perm {
			perm[j] = int32(j)
		}
		if model.PermRank(perm) != 0 {
			t.Fatalf("n=%d: the identity has rank %d", n, model.PermRank(perm))
		}
	}
}

// An array of more than 8 objects is not permuted by a search that keeps
// edges (each edge's permutation rank is 16 bits): the search says so,
// and permutes the rest.
func TestSymmetryTooLargeToRank(t *testing.T) {
	p, err := (&model.Loader{Builtin: examples.FS}).Load("upstream", model.Options{Set: map[string]string{"NR_WORKERS": "7", "FREE_SLOTS": "2", "NR_BUSY": "1", "NR_WORKS": "2"}})
	if err != nil {
		t.Fatal(err)
	}
	res := Explore(p, Options{Symmetry: true, MaxStates: 2000})
	for _, a := range res.Stats.Symmetry {
		if a.Name == "workers" {
			t.Fatalf("workers[%d] permuted", a.Len)
		}
	}
	if len(res.Stats.SymmetryOff) != 1 || res.Stats.SymmetryOff[0].Why == "" {
		t.Fatalf("SymmetryOff = %v, want workers with a reason", res.Stats.SymmetryOff)
	}
	if len(res.Stats.Symmetry) == 0 {
		t.Error("nothing else permuted")
	}
}
