// Package graphs renders everything a person reads: counterexample traces
// as kernel-style CPU tables (text.go, with --explain in explain.go), as DOT
// (dot.go; state graphs in stategraph.go) and as sequence SVG (svg.go,
// svgdraw.go), the pictures drawing what picture.go lays out (the brief
// trace unless asked for every step, a lane per actor);
// replay files (replay.go); the per-variant verdict reports, matrices and
// JSON (report.go); benchmark tables (bench.go); a trace laid out by lane,
// brief and full, for the browser explorer (lanes.go), whose server and
// page are the package graphs/web.
//
// Contract: output is deterministic (the same result renders to the same
// bytes), names each thread and object as the model does, and never
// presents an incomplete search as a complete one. Nothing here searches
// or evaluates properties: it reads explorer.Result and model.Program (the
// browser explorer's server, graphs/web, runs explorer's searches and asks
// invariants, as main does).
package graphs
