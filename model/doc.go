// Package model is the modelling language and its compiled form.
//
// Parse reads a .wq file into an AST (ast.go; lexer.go, parser.go,
// printer.go); a Loader resolves `extends` (variants as patches over their
// parents, built-ins from an fs.FS); Compile type-checks the merged file and
// compiles it to a Program: a transition system over packed States (every
// variable at a fixed bit offset; a thread's block holds its pc, task state,
// context state when the model has CPUs, and its live locals).
//
// A Stepper computes a state's successors: one Succ per step of a thread
// that may move, each step one atomic transition (README "Steps: what is
// atomic"): fine-grained, or with lock regions merged under Lipton's
// R* N? L* rule justified by the model's guarded_by declarations, and, in a
// model with CPUs, only for the contexts the stepping rule lets run
// (context.go). A step's runtime error, lock-discipline breach or fired
// warn_on travels in its Succ; properties are evaluated by an Evaluator.
// Symmetry canonicalises states under the permutations of interchangeable
// object arrays and watches, while a search runs, for what tells their
// objects apart (symmetry.go).
//
// The package is pure and deterministic: the same file, parameters and
// options give the same Program, the same states and the same successors in
// the same order, whoever calls it and on whichever goroutine (a Stepper is
// one goroutine's; a Program is read-only once compiled).
package model
