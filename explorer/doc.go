// Package explorer searches a model's state space breadth-first and
// exhaustively, and rebuilds the shortest trace to every property it finds
// failing.
//
// Contract: states get ids in BFS order (the initial state is 0), with
// compact parent records (records.go), so the first violation found of any
// property is at the smallest depth and its trace is a shortest one. The
// same model and options give the same ids, counts, verdicts and traces on
// every run, with any number of workers: the search runs in batches whose
// expensive phases run on Options.Workers goroutines and whose decisions
// are made in one fixed order. A search that a bound, the deadline or a
// signal stopped never reports a property as holding (Verdict Unknown,
// Result.Stopped says why); when the deadline or a signal comes during the
// whole-graph analyses after a complete search, they stop too (halt.go),
// the properties they had not decided are Unknown and the others keep
// their verdicts (Result.InAnalyses).
//
// Where things are: the search is an object with one method per phase
// (search.go: initial, expand, insert, check, record; finish.go), the
// per-worker phases in expand.go, the insert phase on the workers in
// insert.go, the check phase's skipping of invariants a step cannot have
// changed in incremental.go, observers for what is optional (the
// graph's edges in graph.go, progress) in observer.go, the visited sets
// (64-bit fingerprints or whole states) in table.go, the memory bound in
// memory.go, what stops a search from outside (a signal, the deadline:
// between batches and inside the analyses) in halt.go, traces (rebuilt as real ones under symmetry, replayed,
// judged) in trace.go. What a property is and how each kind is decided is
// package invariants; this package only calls it.
package explorer
