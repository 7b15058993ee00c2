package invariants

// Stopping a whole-graph analysis (a time bound, a signal). The analyses'
// loops poll the caller's Stop through a poller every pollEvery states or
// edges; once it says stop, the poller unwinds the analysis (a panic that
// never leaves this package: guarded recovers it) and Analyze returns
// Finding{Stopped: true}. Nothing partial is ever read: the analysis is
// abandoned where it stood.

// Stop reports whether a whole-graph analysis must give up. It is called
// from several goroutines at once (one per analysis), every pollEvery
// steps of an analysis's loops and once as it starts, so it must be cheap
// and safe for concurrent use; once it has said true it must keep saying
// so. A nil Stop never stops.
type Stop func() bool

// pollEvery is how many loop steps (states, edges, product nodes) pass
// between two calls of Stop: a few microseconds of work at most, against
// the nanoseconds a call costs.
const pollEvery = 1 << 12

// poller counts an analysis's loop steps and asks Stop every pollEvery.
// One analysis (one goroutine) owns it; a nil poller never stops.
type poller struct {
	stop Stop
	n    uint32
}

// stopped is the panic value with which a poller unwinds its analysis.
type stopped struct{}

// tick counts one loop step; every pollEvery it asks Stop and, told to
// stop, unwinds the analysis to guarded.
func (p *poller) tick() {
	if p == nil {
		return
	}
	p.n++
	if p.n%pollEvery == 0 {
		p.poll()
	}
}

// poll asks Stop now and, told to stop, unwinds the analysis to guarded.
func (p *poller) poll() {
	if p != nil && p.stop != nil && p.stop() {
		panic(stopped{})
	}
}

// guarded runs the body of an Analyze with a poller over stop: it returns
// the body's result, or Finding{Stopped: true} and true when stop said
// stop (before the body started, or at one of its polls). Other panics
// pass through.
func guarded(stop Stop, body func(p *poller) (Finding, bool)) (f Finding, ok bool) {
	p := &poller{stop: stop}
	defer func() {
		if r := recover(); r != nil {
			if _, is := r.(stopped); !is {
				panic(r)
			}
			f, ok = Finding{Stopped: true}, true
		}
	}()
	p.poll()
	return body(p)
}
