// Package syntax is the modelling language's surface: the lexer, the parser,
// the syntax tree (AST) and the printer of a .wq file.
//
// Parse reads one file into a *File, before any name is resolved and before
// `extends` is applied; Format and FormatDecl print a tree back as canonical
// source that parses to the same tree, FormatExpr and StmtHeader print one
// expression or a statement's head (for messages and traces). Every error is
// an *Error located at a Pos (file, line, column) that can show its source
// line with a caret (Detail); ErrorAt builds one for a later phase, so the
// compiler's errors read the same as the parser's.
//
// The contract: the package depends on nothing else of wqcheck (the model
// package, which resolves, type-checks and compiles a tree, imports it, never
// the reverse); Parse never panics on any input, and bounds nesting and
// expression size so that no later pass recursing over a tree can exhaust
// the stack; the package is pure and deterministic.
package syntax
