package explorer

import (
	"sync/atomic"
	"time"
)

// halt is what ends a search early from outside: Options.Stop closed (a
// signal) or Options.Deadline passed; after the whole-graph analyses also
// the memory bound, when an analysis passed it alone (analyse). The
// search asks it between batches (stopBetween) and the whole-graph
// analyses after it through invariants.Stop (analyse), so a bound or a
// signal that comes during the analyses is honoured too. It is safe for concurrent use; once it has
// said stop it keeps saying so, with the same reason.
type halt struct {
	stop     <-chan struct{}
	deadline time.Time
	reason   atomic.Pointer[StopReason]
}

func newHalt(opts Options) *halt {
	return &halt{stop: opts.Stop, deadline: opts.Deadline}
}

// why returns why the search must stop (StopInterrupted, StopDeadline),
// or "" when it may go on. It costs a channel poll and a clock read.
func (h *halt) why() StopReason {
	if r := h.reason.Load(); r != nil {
		return *r
	}
	var r StopReason
	select {
	case <-h.stop: // a nil channel never fires
		r = StopInterrupted
	default:
		if !h.deadline.IsZero() && !time.Now().Before(h.deadline) {
			r = StopDeadline
		}
	}
	if r == "" {
		return ""
	}
	h.reason.CompareAndSwap(nil, &r)
	return *h.reason.Load()
}

// stopped is why as an invariants.Stop.
func (h *halt) stopped() bool { return h.why() != "" }

// set makes h say stop for reason r from now on, unless it already says
// stop for another.
func (h *halt) set(r StopReason) { h.reason.CompareAndSwap(nil, &r) }

// halted reports whether res stopped because of a signal or the deadline
// (not a bound of the search's own): what it did not decide is left so,
// not searched again.
func halted(res *Result) bool {
	return res.Stopped == StopInterrupted || res.Stopped == StopDeadline
}
