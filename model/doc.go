// Package model is the compiler of the modelling language and the stepper
// over its compiled form.
//
// The language's surface, the lexer, parser, syntax tree and printer, is
// the package model/syntax, which depends on nothing here: syntax.Parse
// reads a .wq file into a tree. A Loader (load.go) resolves `extends`
// (variants as patches over their parents, built-ins from an fs.FS);
// Compile type-checks the merged tree and compiles it to a Program
// (compile.go: the phases, one method each; codegen.go and expr.go:
// statements and expressions to code and closures). A Program is a
// transition system over packed States: every variable at a fixed bit
// offset, a thread's block holding its pc, task state, context state when
// the model has CPUs, and its live locals. layout.go is the one home of
// that layout (offsets, widths, thread blocks); state.go reads and writes
// the bits.
//
// A Stepper (exec.go) computes a state's successors: one Succ per step of a
// thread that may move, each step one atomic transition (docs/language.md "Steps: what
// is atomic"): fine-grained, or with lock regions merged under Lipton's
// R* N? L* rule justified by the model's guarded_by declarations (guard.go)
// and through the quiet statements no other context can observe (mutex-
// guarded, thread-local and unobserved ghost state: movers.go, which the
// compiler marks once every thread and property is compiled), and, in a
// model with CPUs, only for the contexts the stepping rule lets run
// (context.go). A step's runtime error, lock-discipline breach or fired
// warn_on travels in its Succ; properties are evaluated by an Evaluator
// (props.go), and Property.Reads says which bits of a state their
// conditions read (reads.go: two states equal there give the same
// values); describe.go renders a state for people; CompileWatch
// (watch.go) compiles an expression against a compiled Program, for the
// browser explorer's watch expressions.
//
// Symmetry canonicalises states under the permutations of interchangeable
// object arrays and watches, while a search runs, for what tells their
// objects apart: symmetry.go (the Symmetry and the slots it renames),
// sym_candidates.go (what tells objects apart: candidate arrays, the
// compiler's marks, the watch), canon.go (the canonicaliser) and permute.go
// (applying a permutation).
//
// The package is pure and deterministic: the same file, parameters and
// options give the same Program, the same states and the same successors in
// the same order, whoever calls it and on whichever goroutine (a Stepper is
// one goroutine's; a Program is read-only once compiled).
package model
