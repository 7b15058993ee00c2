package explorer

import (
	"os"
	"reflect"
	"testing"

	"wqcheck/examples"
	"wqcheck/model"
)

// The insert phase on the workers (insert.go) leaves exactly what the
// one-goroutine insert leaves: the same fingerprint shards (with ids), the
// same parent records and the same edges (targets, threads, fairness,
// renamings), bit for bit, with and without symmetry, with and without the
// edges a stranded-work property needs, and under a state bound (which
// falls back to the serial insert for the batch it may end in). Sets below
// fpSplitAt insert serially (one shard): the last two runs reach past it
// (the others, complete at a few thousand states, check the serial
// insert). One worker takes smaller batches once the set is split
// (oneWorkerBatch): the set is split at the same point, and so is the same.
func TestParallelInsertIsSerialInsert(t *testing.T) {
	type run struct {
		name string
		set  map[string]string
		fine bool
		opts Options
	}
	runs := []run{
		{"upstream", nil, false, Options{All: true}},
		{"upstream fine", nil, true, Options{All: true, MaxStates: 100000}},
		{"upstream 2 items, symmetry", map[string]string{"NR_WORKS": "2", "UNBOUND": "false"}, false, Options{All: true, Symmetry: true, MaxStates: 100000}},
		{"kicked-list percpu", map[string]string{"UNBOUND": "false"}, false, Options{All: true, MaxStates: 100000}},
		{"upstream fine percpu 2 items", map[string]string{"NR_WORKS": "2", "UNBOUND": "false"}, true, Options{All: true, MaxStates: 300000}},
		// partial-order reduction keeps some of a state's successors: the
		// parent step is still the position among all of them
		{"../testdata/por/deep.wq", nil, true, Options{POR: true, PORNoResearch: true, MaxStates: 300000}},
	}
	workerCounts := []int{1, 2, 3}
	if testing.Short() {
		runs, workerCounts = append(runs[1:3], runs[5]), workerCounts[:2]
	}
	if os.Getenv("WQCHECK_LONG") == "" {
		workerCounts = workerCounts[:2] // 3 workers (more than cores): with the long runs
	}
	var last *search
	exploreHook = func(s *search) { last = s }
	defer func() { exploreHook = nil }()
	for _, r := range runs {
		name := "upstream"
		switch {
		case r.name[:4] == "kick":
			name = "kicked-list"
		case r.opts.POR:
			name = r.name
		}
		p, err := (&model.Loader{Builtin: examples.FS}).Load(name, model.Options{Fine: r.fine, Set: r.set, NoLiveness: r.opts.POR})
		if err != nil {
			t.Fatal(err)
		}
		var ref *search
		for _, workers := range workerCounts {
			o := r.opts
			o.Workers = workers
			res := Explore(p, o)
			if res.Err != nil {
				t.Fatal(res.Err)
			}
			s := last
			if workers == 1 {
				if s.parIns != 0 {
					t.Fatalf("%s: one worker inserted %d batches in parallel", r.name, s.parIns)
				}
				ref = s
				continue
			}
			if s.parIns == 0 && ref.g.n > 2*fpSplitAt {
				t.Fatalf("%s, %d workers: no batch was inserted in parallel", r.name, workers)
			}
			sameGraph(t, r.name, workers, ref, s)
		}
	}
}

func sameGraph(t *testing.T, name string, workers int, a, b *search) {
	t.Helper()
	if a.g.n != b.g.n || a.res.Stats.Transitions != b.res.Stats.Transitions {
		t.Fatalf("%s, %d workers: %d states, %d transitions; one worker: %d, %d", name, workers, b.g.n, b.res.Stats.Transitions, a.g.n, a.res.Stats.Transitions)
	}
	if !reflect.DeepEqual(a.g.rec, b.g.rec) {
		t.Errorf("%s, %d workers: the parent records differ from one worker's", name, workers)
	}
	fa, fb := a.g.set.(*fpSet), b.g.set.(*fpSet)
	if !reflect.DeepEqual(fa, fb) {
		t.Errorf("%s, %d workers: the fingerprint sets differ from one worker's", name, workers)
	}
	if (a.g.edges == nil) != (b.g.edges == nil) {
		t.Fatalf("%s: edges kept in one run only", name)
	}
	if a.g.edges == nil {
		return
	}
	ea, eb := a.g.edges, b.g.edges
	for _, f := range []struct {
		what string
		x, y any
	}{
		{"start", ea.start, eb.start}, {"to", ea.to, eb.to}, {"thread", ea.thread, eb.thread},
		{"errs", ea.errs, eb.errs}, {"fair", ea.fair, eb.fair}, {"moved", ea.moved, eb.moved},
		{"ranks", ea.ranks, eb.ranks}, {"perm", ea.perm, eb.perm}, {"narrays", ea.narrays, eb.narrays},
		{"permItems", ea.permItems, eb.permItems},
	} {
		if !reflect.DeepEqual(f.x, f.y) {
			t.Errorf("%s, %d workers: edges' %s differ from one worker's", name, workers, f.what)
		}
	}
}
