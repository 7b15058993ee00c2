package invariants

import (
	"fmt"
	"strings"

	"wqcheck/model"
)

var deadlockKind = &Kind{
	Kind:     model.PropDeadlock,
	Doc:      "no thread can move, yet one has not finished and is not at rest (a daemon asleep, an interrupt not firing)",
	Terminal: func(p *model.Program, s model.State) (string, bool) { ok, msg := Deadlock(p, s); return msg, ok },
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
