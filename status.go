package main

import (
	"os"
	"os/signal"
	"syscall"

	"wqcheck/explorer"
)

// Exit statuses, as the README documents them.
const (
	exitHolds      = 0 // every property decided, none violated
	exitViolated   = 1 // a property is violated
	exitBadInput   = 2 // bad input or usage
	exitIncomplete = 3 // nothing violated, but a bound, the memory limit or a signal stopped a search before it decided every property (or before it started), or an analysis could not decide one
)

// resultStatus is the exit status of a set of searches: exitViolated when
// any property is violated, else exitIncomplete when any search did not
// decide every property, else exitHolds. Witnessed properties do not count.
// check, bench (and later commands) share it, so a CI job can tell
// "verified" from "ran out of budget" by the status alone.
func resultStatus(results []*explorer.Result) int {
	status := exitHolds
	for _, r := range results {
		switch {
		case r.Violated():
			return exitViolated
		case !r.Decided():
			status = exitIncomplete
		}
	}
	return status
}

// stopSignals are the signals that stop a search and still get a report:
// Ctrl-C, and what timeout(1), CI runners, systemd and kill send.
var stopSignals = []os.Signal{os.Interrupt, syscall.SIGTERM}

// stopOnSignal returns a channel that is closed on the first SIGINT or
// SIGTERM, so the search stops and what it found is reported. The first
// signal also restores the default action, so a second one ends the
// process at once. release unregisters the handler.
func stopOnSignal() (stop <-chan struct{}, release func()) {
	ch := make(chan struct{})
	sig := make(chan os.Signal, 1)
	done := make(chan struct{})
	signal.Notify(sig, stopSignals...)
	go func() {
		select {
		case <-sig:
			signal.Stop(sig) // the next signal takes its default action
			close(ch)
		case <-done:
		}
	}()
	return ch, func() {
		signal.Stop(sig)
		close(done)
	}
}

// testSearchHook, when set (by tests), adjusts the options of every search
// check and bench run, after the command has set them: a test trips a
// bound or waits for a signal as the whole-graph analyses start.
var testSearchHook func(*explorer.Options)

// searchHook applies testSearchHook.
func searchHook(o *explorer.Options) {
	if testSearchHook != nil {
		testSearchHook(o)
	}
}

// stopped reports whether stop is closed.
func stopped(stop <-chan struct{}) bool {
	select {
	case <-stop:
		return true
	default:
		return false
	}
}
