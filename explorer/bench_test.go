package explorer_test

import (
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
