package explorer_test

import (
	"fmt"
	"time"

	"testing"

	"wqcheck/examples"
	"wqcheck/explorer"
	"wqcheck/invariants"
	"wqcheck/model"
)

// Benchmarks of the hot paths, on the workqueue model's default
// configuration (upstream, 3 workers, 1 item). They report figures; no test
// asserts a time. Run: go test ./explorer -run '^$' -bench . -benchmem

func benchProgram(b *testing.B, fine bool, set ...string) (*model.Program, []model.State) {
	b.Helper()
	o := model.Options{Fine: fine, Set: map[string]string{}}
	for i := 0; i+1 < len(set); i += 2 {
		o.Set[set[i]] = set[i+1]
	}
	p, err := (&model.Loader{Builtin: examples.FS}).Load("upstream", o)
	if err != nil {
		b.Fatal(err)
	}
	// a sample of reachable states: the first 4096 in BFS order
	res := explorer.Explore(p, explorer.Options{All: true, KeepGraph: true, MaxStates: 4096})
	var states []model.State
	for id := 0; id < res.Graph.NumStates(); id++ {
		states = append(states, res.Graph.State(id).Clone())
	}
	return p, states
}

// BenchmarkSuccessors: successor generation per expanded state; percpu is
// the reference path of the figures (fine-grained, a per-cpu pool: CPUs and
// contexts, 2 items).
func BenchmarkSuccessors(b *testing.B) {
	for _, name := range []string{"merged", "fine", "percpu"} {
		fine := name != "merged"
		var set []string
		if name == "percpu" {
			set = []string{"UNBOUND", "false", "NR_WORKS", "2"}
		}
		b.Run(name, func(b *testing.B) {
			p, states := benchProgram(b, fine, set...)
			st := p.NewStepper()
			n := 0
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				st.Successors(states[i%len(states)], func(*model.Succ) { n++ })
			}
			b.ReportMetric(float64(n)/float64(b.N), "succ/state")
		})
	}
}

// BenchmarkHash: the visited set's state hash.
func BenchmarkHash(b *testing.B) {
	_, states := benchProgram(b, false)
	b.SetBytes(int64(len(states[0]) * 8))
	b.ResetTimer()
	var h uint64
	for i := 0; i < b.N; i++ {
		h ^= explorer.Hash(states[i%len(states)])
	}
	hashSink = h // a result the compiler cannot drop, so the hashing is measured
}

var hashSink uint64

// BenchmarkExplore: a whole search of the default configuration (12,738
// states; 5,732 with symmetry reduction), reported as states per second.
func BenchmarkExplore(b *testing.B) {
	p, err := (&model.Loader{Builtin: examples.FS}).Load("upstream", model.Options{})
	if err != nil {
		b.Fatal(err)
	}
	for _, sym := range []bool{false, true} {
		name := "plain"
		if sym {
			name = "symmetry"
		}
		b.Run(name, func(b *testing.B) {
			states := 0
			for i := 0; i < b.N; i++ {
				res := explorer.Explore(p, explorer.Options{All: true, Workers: 1, Symmetry: sym})
				states += res.Stats.States
			}
			b.ReportMetric(float64(states)/b.Elapsed().Seconds(), "states/s")
		})
	}
}

// BenchmarkCanon: the representative of a state under symmetry reduction
// (workers and the initial items permuted), per state.
func BenchmarkCanon(b *testing.B) {
	p, states := benchProgram(b, false)
	res := explorer.Explore(p, explorer.Options{All: true, Workers: 1, Symmetry: true})
	sym := p.NewSymmetry(res.Stats.Symmetry)
	c := sym.NewCanonicaliser(sym.NewSymWatch())
	s := make(model.State, p.Words)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		copy(s, states[i%len(states)])
		c.Canon(s)
	}
}

// BenchmarkCheckState: the per-state work of the check phase (every state
// property, and what the whole-graph properties keep), per new state, on
// the reference path (fine-grained, per-cpu pool, 2 items).
func BenchmarkCheckState(b *testing.B) {
	p, states := benchProgram(b, true, "UNBOUND", "false", "NR_WORKS", "2")
	ev := p.NewEvaluator()
	suite := invariants.NewSuite(p)
	checks, _ := suite.GraphChecks()
	for _, c := range checks {
		c.Grow(len(states))
	}
	var fails []invariants.Failure
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		id := i % len(states)
		fails = suite.CheckState(ev, states[id], fails[:0])
		for _, c := range checks {
			if err := c.AtState(ev, id, states[id]); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkRepresentative: what a representative costs against a plain
// state (issue 16's target: at most 1.5x), on the same states. From a
// sample of the representatives of a complete symmetric search (every
// eighth, in BFS order), each iteration expands one state twice: plain
// (successors, and each successor's hash) and symmetric (the same, each
// successor replaced by its representative first). It reports both
// per state, and their ratio ("x"). The whole search's CPU time per state
// with and without symmetry (wqcheck bench) is a different figure: the
// two searches store different states (a quotient keeps more of the
// states whose objects look alike), which cost differently to expand.
func BenchmarkRepresentative(b *testing.B) {
	for _, cf := range []struct {
		name, variant string
		set           []string
	}{
		{"a", "upstream", []string{"NR_WORKERS", "4", "NR_WORKS", "2", "UNBOUND", "false"}},
		{"b", "upstream", []string{"NR_WORKERS", "5", "NR_WORKS", "2", "UNBOUND", "true"}},
		{"claim-percpu-4-3", "claim", []string{"NR_WORKERS", "4", "NR_WORKS", "3", "UNBOUND", "false"}},
	} {
		var prep *repSample // prepared once: b.Run calls the function again for each b.N
		b.Run(cf.name, func(b *testing.B) {
			if prep == nil {
				prep = prepareRepresentatives(b, cf.variant, cf.set)
			}
			p, c, st, states := prep.p, prep.c, prep.st, prep.states
			buf := make(model.State, p.Words)
			var plain, symm time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				s := states[i%len(states)]
				t0 := time.Now()
				st.Successors(s, func(sc *model.Succ) { hashSink ^= explorer.Hash(sc.State) })
				t1 := time.Now()
				st.Successors(s, func(sc *model.Succ) {
					copy(buf, sc.State)
					c.Child(s, buf)
					hashSink ^= explorer.Hash(buf)
				})
				plain += t1.Sub(t0)
				symm += time.Since(t1)
			}
			b.ReportMetric(float64(plain.Nanoseconds())/float64(b.N), "plain-ns/state")
			b.ReportMetric(float64(symm.Nanoseconds())/float64(b.N), "sym-ns/state")
			b.ReportMetric(float64(symm)/float64(plain), "x")
		})
	}
}

// repSample is BenchmarkRepresentative's sample of one configuration.
type repSample struct {
	p      *model.Program
	c      *model.Canonicaliser
	st     *model.Stepper
	states []model.State
}

func prepareRepresentatives(b *testing.B, variant string, set []string) *repSample {
	b.Helper()
	o := model.Options{Set: map[string]string{}}
	for i := 0; i+1 < len(set); i += 2 {
		o.Set[set[i]] = set[i+1]
	}
	p, err := (&model.Loader{Builtin: examples.FS}).Load(variant, o)
	if err != nil {
		b.Fatal(err)
	}
	res := explorer.Explore(p, explorer.Options{All: true, Workers: 1, Symmetry: true})
	sym := p.NewSymmetry(res.Stats.Symmetry)
	r := &repSample{p: p, c: sym.NewCanonicaliser(sym.NewSymWatch()), st: p.NewStepper()}
	r.states = representatives(p, r.st, r.c, res.Stats.States)
	return r
}

// representatives is every eighth state of the quotient graph in BFS order
// (n states in all, which the search found), found by a search of its own
// (a kept graph is never a quotient).
func representatives(p *model.Program, st *model.Stepper, c *model.Canonicaliser, n int) []model.State {
	seen := map[string]bool{}
	var queue, sample []model.State
	push := func(s model.State) {
		s = s.Clone()
		c.Canon(s)
		if k := fmt.Sprint(s); !seen[k] {
			seen[k] = true
			queue = append(queue, s)
		}
	}
	init, err := p.Initial()
	if err != nil {
		panic(err)
	}
	push(init)
	for i := 0; i < len(queue); i++ {
		if i%8 == 0 {
			sample = append(sample, queue[i])
		}
		st.Successors(queue[i], func(sc *model.Succ) {
			if sc.Err == nil {
				push(sc.State)
			}
		})
		queue[i] = nil
	}
	if len(seen) != n {
		panic(fmt.Sprintf("representatives: %d states, the search found %d", len(seen), n))
	}
	return sample
}

// BenchmarkChild: Canonicaliser.Child alone, per call, over successors
// of BenchmarkRepresentative's claim per-cpu 4/3 sample (the
// representative's extra cost without the successor generation around
// it). It takes 1,024 parents spread evenly over the sample, each with its
// successors in the order the search makes them, and copies each parent
// beside them, so that they stay in the cache as a search's parent and
// successors do. Compare binaries on it in alternation, as
// docs/explorer.md says, not by instruction counts.
func BenchmarkChild(b *testing.B) {
	var pairs []childPair
	var c *model.Canonicaliser
	var words int
	b.Run("claim-percpu-4-3", func(b *testing.B) {
		if pairs == nil { // prepared once: b.Run calls the function again for each b.N
			prep := prepareRepresentatives(b, "claim", []string{"NR_WORKERS", "4", "NR_WORKS", "3", "UNBOUND", "false"})
			pairs, c, words = childPairs(prep, 1024), prep.c, prep.p.Words
		}
		buf := make(model.State, words)
		b.ResetTimer()
		childLoop(b.N, pairs, c, buf)
	})
}

// childPair is a successor with (a copy of) its parent.
type childPair struct{ parent, s model.State }

// childPairs returns the successors of n parents spread evenly over
// prep's sample, in the order the search makes them.
func childPairs(prep *repSample, n int) []childPair {
	var pairs []childPair
	for i := 0; i < n && len(prep.states) > 0; i++ {
		parent := prep.states[i*len(prep.states)/n].Clone()
		prep.st.Successors(parent, func(sc *model.Succ) {
			if sc.Err == nil {
				pairs = append(pairs, childPair{parent, sc.State.Clone()})
			}
		})
	}
	return pairs
}

// childLoop is BenchmarkChild's timed loop (a function of its own, for
// valgrind's --toggle-collect='*childLoop').
func childLoop(n int, pairs []childPair, c *model.Canonicaliser, buf model.State) {
	for i := 0; i < n; i++ {
		pr := pairs[i%len(pairs)]
		copy(buf, pr.s)
		c.Child(pr.parent, buf)
		hashSink ^= explorer.Hash(buf)
	}
}
