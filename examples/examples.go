// Package examples holds the built-in models, embedded in the binary: the
// teaching models (ABBA deadlock, lost wake-up, and their fixes) and the
// workqueue model with its patch variants, and in history/ the corpus of
// fixed workqueue bugs (a pre-fix and a fixed variant per kernel commit).
// `wqcheck list` lists them.
package examples

import "embed"

// FS holds NAME.wq for every built-in model NAME.
//
//go:embed *.wq history/*.wq
var FS embed.FS
