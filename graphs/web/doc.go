// Package web is wqcheck explore: a local web server and the one page it
// serves, for reading and stepping through a model's state space in a
// browser.
//
// Contract: the page (assets/: one HTML, one JS, one CSS file, embedded
// with go:embed; no CDN, no build step) asks the server for what it shows,
// as JSON, and never receives the state graph. The server keeps every
// search: the verdict searches of the configurations given run one after
// the other in the background (their progress is polled), and a search
// that numbers the states (BFS ids, shortest paths) runs only when the page
// asks for an id. A path is the list of successor indexes taken from the
// initial state (in model.Stepper.Successors order), written 0.3.1 in the
// page's URL with the variant and its --set values, so a URL reopens the
// same state; every request replays its path with a model.Stepper, so what
// the page shows is computed by the same stepper the search uses.
//
// It decides nothing itself: it runs explorer's searches (as main does),
// verdicts are explorer's, properties at a state are invariants', pictures
// are graphs' (SequenceSVG, TraceDOT), lanes are graphs.TraceLanes.
//
// Where things are: server.go (the Server, its routes and search queue),
// run.go (a variant's searches, the verdicts' and the numbering one), api.go
// (the JSON handlers), sim.go (replaying paths: successors, state
// descriptions, diffs, live properties).
package web
