// Package invariants defines the kinds of property a model can state, as
// values registered in one place (in the style of go/analysis's Analyzer):
// state invariants, warn_on, deadlock, lock discipline, runtime errors,
// lockdep, stranded work, and the liveness kinds (lockup, starvation,
// `liveness` declarations: liveness.go, decided by the fair-cycle engine in
// fair.go on the product graph of product.go, with quotient components
// lifted to real states in lift.go). Each Kind says where the search decides it (a step raises
// it, a state fails it, a state without successors fails it, or the whole
// explored graph fails it), what a violation says, and how the end of a
// replayed trace is judged. Adding a kind means adding one Kind value here
// (kinds.go) and its file, plus its tests.
//
// Contract: nothing here searches. The explorer calls a Suite's methods on
// the states it finds (CheckState in parallel, one model.Evaluator per
// goroutine; or CheckDirty, over the state properties Changed says a state
// may fail given what held in the state it was found from), Terminal on
// states without successors, and, once the graph is complete, each
// GraphCheck's Analyze, which polls the caller's Stop and gives up
// promptly, deciding nothing, when told to (stop.go); it calls AtEnd to
// judge a trace's final state. Messages name the program's own objects and
// threads.
package invariants
