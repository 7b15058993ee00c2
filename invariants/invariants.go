// Package invariants evaluates the properties of a model: state invariants,
// deadlock, and stranded work. (warn_on, lock discipline and runtime errors
// are raised by the steps themselves, in package model.) The explorer calls
// these on every state it finds; Stranded runs on the whole explored graph.
package invariants

import (
	"fmt"
	"sort"
	"strings"

	"wqcheck/model"
)

// Failure is a property violated in a state.
type Failure struct {
	Prop int // index into Program.Props
	Msg  string
}

// CheckState evaluates every invariant in s and returns the ones that fail,
// in property order. out is reused: pass the previous result's out[:0].
func CheckState(p *model.Program, ev *model.Evaluator, s model.State, out []Failure) []Failure {
	for i, pr := range p.Props {
		if pr.Kind != model.PropInvariant {
			continue
		}
		ok, err := ev.Holds(pr, s)
		switch {
		case err != nil:
			out = append(out, Failure{Prop: i, Msg: err.Error()})
		case !ok:
			out = append(out, Failure{Prop: i, Msg: fmt.Sprintf("invariant %s is false: %s", pr.Name, pr.Text)})
		}
	}
	return out
}

// Deadlock decides whether a state with no successors is a deadlock: some
// thread has not finished and is not resting where it may rest forever (a
// daemon thread asleep in schedule() or waiting in await()). A thread waiting
// for a lock is never at rest. It returns a description of every stuck thread.
func Deadlock(p *model.Program, s model.State) (bool, string) {
	var stuck []string
	for _, t := range p.Threads {
		if p.Finished(s, t) {
			continue
		}
		what, ins := p.BlockedOn(s, t)
		switch what {
		case model.BlockedLock:
			owner, name := p.LockOwner(s, t, ins)
			holder := "nobody"
			if owner != nil {
				holder = owner.Label
			}
			stuck = append(stuck, fmt.Sprintf("%s waits for %s, held by %s (%s:%d)", t.Label, name, holder, ins.Pos.File, ins.Pos.Line))
		case model.BlockedSchedule:
			if !t.Kind.Daemon {
				stuck = append(stuck, fmt.Sprintf("%s sleeps in schedule() in %s and nobody will wake it (%s:%d)", t.Label, model.TaskStateName(p.TaskState(s, t)), ins.Pos.File, ins.Pos.Line))
			}
		case model.BlockedAwait:
			if !t.Kind.Daemon {
				stuck = append(stuck, fmt.Sprintf("%s waits in %s forever (%s:%d)", t.Label, ins.Text, ins.Pos.File, ins.Pos.Line))
			}
		case model.BlockedIrq:
			// an interrupt that has not fired: at rest
		case model.BlockedCPU:
			if ins.Op == model.OpIrqEnter {
				continue // an interrupt its CPU does not take now: at rest
			}
			y, why := p.CPUBlocker(s, t)
			stuck = append(stuck, fmt.Sprintf("%s cannot run: %s holds %s (%s) (%s:%d)", t.Label, y.Label, p.DescribeCtx(s, t), why, ins.Pos.File, ins.Pos.Line))
		default:
			// a thread that could move means s has successors: not terminal
			return false, ""
		}
	}
	if len(stuck) == 0 {
		return false, ""
	}
	return true, "deadlock: " + strings.Join(stuck, "; ")
}

// Graph is the explored state graph, as the stranded-work analysis of one
// property needs it.
type Graph interface {
	NumStates() int
	// Succ returns the successor ids of a fully expanded state.
	Succ(id int) []int32
	// Pending returns the items pending in a state (Evaluator.PendingMask
	// of the property), which the explorer computes as it finds the state.
	Pending(id int) uint64
	// SuccPerm returns, per edge of Succ(id), how the edge renames the
	// items, as a rank for MapItems; nil when no edge does. (With symmetry
	// reduction an edge leads to its target's representative, in which
	// the real successor's items may have other numbers.)
	SuccPerm(id int) []uint16
	// MapItems turns a set of items numbered as in an edge's target into
	// the same items numbered as in the real successor.
	MapItems(rank uint16, items uint64) uint64
}

// StrandedResult is the outcome of the stranded-work analysis of one property.
type StrandedResult struct {
	State int    // the first stranded state in BFS order, or -1
	Items uint64 // the stranded items in that state
	Msg   string
}

// Stranded decides, exactly on a complete graph, which states are stranded:
// a state is stranded when an item is pending in it and no path from it
// takes the item (a transition after which the item is no longer pending).
// It computes, per state, the set of items some path can still take, by a
// backward fixpoint from the states with a take transition, then reports the
// lowest-numbered (so shallowest) state with a pending item outside its set.
func Stranded(prop *model.Property, g Graph) StrandedResult {
	n := g.NumStates()
	pending := g.Pending
	// canTake[i]: items taken on some path from i
	canTake := make([]uint64, n)
	// reverse edges in CSR form
	indeg := make([]int32, n+1)
	for i := 0; i < n; i++ {
		perm := g.SuccPerm(i)
		for e, t := range g.Succ(i) {
			indeg[t+1]++
			pt := pending(int(t))
			if perm != nil {
				pt = g.MapItems(perm[e], pt)
			}
			canTake[i] |= pending(i) &^ pt
		}
	}
	for i := 1; i <= n; i++ {
		indeg[i] += indeg[i-1]
	}
	preds := make([]int32, indeg[n])
	var predPerm []uint16 // the rank of each reverse edge, when edges rename items
	fill := append([]int32(nil), indeg[:n]...)
	for i := 0; i < n; i++ {
		perm := g.SuccPerm(i)
		if perm != nil && predPerm == nil {
			predPerm = make([]uint16, len(preds))
		}
		for e, t := range g.Succ(i) {
			preds[fill[t]] = int32(i)
			if perm != nil {
				predPerm[fill[t]] = perm[e]
			}
			fill[t]++
		}
	}
	work := make([]int32, 0, n)
	for i := 0; i < n; i++ {
		if canTake[i] != 0 {
			work = append(work, int32(i))
		}
	}
	for len(work) > 0 {
		t := work[len(work)-1]
		work = work[:len(work)-1]
		for e := indeg[t]; e < indeg[t+1]; e++ {
			pr := preds[e]
			take := canTake[t]
			if predPerm != nil {
				take = g.MapItems(predPerm[e], take)
			}
			if add := take &^ canTake[pr]; add != 0 {
				canTake[pr] |= add
				work = append(work, pr)
			}
		}
	}
	for i := 0; i < n; i++ {
		if stranded := pending(i) &^ canTake[i]; stranded != 0 {
			return StrandedResult{State: i, Items: stranded, Msg: StrandedMsg(prop, stranded)}
		}
	}
	return StrandedResult{State: -1}
}

// StrandedMsg is the message of a stranded-work violation of items.
func StrandedMsg(prop *model.Property, items uint64) string {
	var names []string
	for i := 0; i < 64; i++ {
		if items&(1<<i) != 0 {
			names = append(names, prop.ItemName(i))
		}
	}
	sort.Strings(names)
	verb := "is"
	if len(names) > 1 {
		verb = "are"
	}
	return fmt.Sprintf("stranded work: %s %s pending (%s) and no interleaving from here ever takes %s", strings.Join(names, ", "), verb, prop.Text, pronoun(len(names)))
}

func pronoun(n int) string {
	if n == 1 {
		return "it"
	}
	return "them"
}
