package graphs

// Lockdep's reports, and the lock-order graph as DOT.
//
// Contract: WriteLockdep writes a violated lockdep property (its
// explorer.LockdepReport) in the shape kernel/locking/lockdep.c prints it
// (print_circular_bug(), print_usage_bug(), print_bad_irq_dependency(),
// print_irq_inversion_bug(), print_deadlock_bug(), each with its "Possible
// unsafe locking scenario" and lockdep_print_held_locks()), keeping
// lockdep's lines where the model has the facts. Where lockdep prints a
// stack trace the model prints the acquiring statement and its place, and
// then, after the report, the shortest interleaving that creates each
// dependency or usage the report names, and whether the deadlock itself
// was reached within the bounds. Task names are the threads' labels, the
// pid their position (1-based). LockGraphDOT draws Result.LockGraph. Both
// are deterministic.

import (
	"fmt"
	"html"
	"io"
	"strings"

	"wqcheck/explorer"
	"wqcheck/model"
)

// WriteLockdep writes the lockdep-format report of a violated lockdep
// property, then the interleavings behind it.
func WriteLockdep(w io.Writer, res *explorer.Result, pr explorer.PropResult, opt TextOptions) {
	r, tr, p := pr.Lockdep, pr.Trace, res.Program
	if r == nil || tr == nil || len(tr.Steps) == 0 {
		return
	}
	t := tr.Steps[len(tr.Steps)-1].Thread
	before := tr.Initial
	if n := len(tr.Steps); n > 1 {
		before = tr.Steps[n-2].After
	}
	lr := &lockdepReport{w: w, p: p, r: r, t: t, before: before, task: fmt.Sprintf("%s/%d", t.Label, t.Index+1)}
	switch r.Kind {
	case "circular":
		lr.circular()
	case "usage":
		lr.usage()
	case "bad-irq-dependency", "irq-inversion":
		lr.irq()
	case "recursive":
		lr.recursive()
	}
	lr.heldLocks()
	lr.interleavings(res, tr, opt)
}

// lockdepReport writes one lockdep report, as lockdep.c's print functions
// lay it out.
type lockdepReport struct {
	w      io.Writer
	p      *model.Program
	r      *explorer.LockdepReport
	t      *model.Thread // the task whose acquisition completes the pattern
	before model.State   // the state before that acquisition
	task   string
}

func (lr *lockdepReport) name(c int) string { return "(" + lr.p.LockClasses[c].Name + ")" }

func (lr *lockdepReport) at(a model.Acquire, th *model.Thread) string {
	ins := th.Kind.Code[a.PC]
	return fmt.Sprintf("at: %s (%s:%d %s)", ins.Func, ins.Pos.File, ins.Pos.Line, ins.Text)
}

func (lr *lockdepReport) edgeSite(e *explorer.LockEdge) string {
	th := e.Trace.Steps[len(e.Trace.Steps)-1].Thread
	return fmt.Sprintf("%s, by %s holding %s (shortest trace: %d step%s)", lr.at(e.Acq, th), th.Label, lr.name(e.From), e.Depth, plural(e.Depth))
}

func (lr *lockdepReport) useSite(u *explorer.LockUse) string {
	th := u.Trace.Steps[len(u.Trace.Steps)-1].Thread
	return fmt.Sprintf("  %s, by %s (shortest trace: %d step%s)", lr.at(u.Acq, th), th.Label, u.Depth, plural(u.Depth))
}

func (lr *lockdepReport) rule(title string) {
	fmt.Fprintln(lr.w, strings.Repeat("=", len(title)))
	fmt.Fprintln(lr.w, title)
	fmt.Fprintln(lr.w, strings.Repeat("-", len(title)))
}

func col(s string) string { return "                               " + s }

func (lr *lockdepReport) heldLocks() {
	w := lr.w
	names, classes := lr.p.HeldLocksOf(lr.before, lr.t)
	if len(names) == 0 {
		fmt.Fprintf(w, "no locks held by %s.\n", lr.task)
		return
	}
	fmt.Fprintf(w, "%d lock%s held by %s:\n", len(names), map[bool]string{true: "", false: "s"}[len(names) == 1], lr.task)
	for i, n := range names {
		fmt.Fprintf(w, " #%d: %s, the lock %s\n", i, lr.name(classes[i]), n)
	}
}

// circular is print_circular_bug(): the new dependency Held -> Class
// closes the chain Class --> ... --> Held.
func (lr *lockdepReport) circular() {
	w, r, name := lr.w, lr.r, lr.name
	lr.rule("WARNING: possible circular locking dependency detected")
	fmt.Fprintf(w, "%s is trying to acquire lock:\n%s, %s\n\n", lr.task, name(r.Class), lr.at(r.Acq, lr.t))
	fmt.Fprintf(w, "but task is already holding lock:\n%s\n\n", name(r.Held))
	fmt.Fprintf(w, "which lock already depends on the new lock.\n\n\n")
	fmt.Fprintf(w, "the existing dependency chain (in reverse order) is:\n")
	for i := len(r.Chain) - 1; i >= 1; i-- {
		fmt.Fprintf(w, "\n-> #%d %s:\n       %s\n", i, name(r.Chain[i].To), lr.edgeSite(r.Chain[i]))
	}
	fmt.Fprintf(w, "\n-> #0 %s:\n       %s\n", name(r.Class), lr.edgeSite(r.Chain[0]))
	fmt.Fprintf(w, "\nother info that might help us debug this:\n\n")
	// print_circular_lock_scenario(): source is the new lock, target the
	// held one, parent the lock before target in the chain
	src, tgt := r.Class, r.Held
	parent := r.Chain[len(r.Chain)-1].From
	if parent != src {
		fmt.Fprintf(w, "Chain exists of:\n  %s --> %s --> %s\n\n", lr.p.LockClasses[src].Name, lr.p.LockClasses[parent].Name, lr.p.LockClasses[tgt].Name)
	}
	fmt.Fprintf(w, " Possible unsafe locking scenario:\n\n")
	fmt.Fprintf(w, "       CPU0                    CPU1\n       ----                    ----\n")
	fmt.Fprintf(w, "  lock%s;\n%s\n%s\n  lock%s;\n", name(tgt), col("lock"+name(parent)+";"), col("lock"+name(tgt)+";"), name(src))
	fmt.Fprintf(w, "\n *** DEADLOCK ***\n\n")
}

// usage is print_usage_bug().
func (lr *lockdepReport) usage() {
	w, r, name := lr.w, lr.r, lr.name
	prev, now := r.Safe, r.Unsafe
	if r.Bit == r.Safe.Bit {
		prev, now = r.Unsafe, r.Safe
	}
	lr.rule("WARNING: inconsistent lock state")
	fmt.Fprintf(w, "inconsistent {%s} -> {%s} usage.\n", model.UsageName(prev.Bit), model.UsageName(now.Bit))
	fmt.Fprintf(w, "%s %s takes:\n%s, %s\n", lr.task, r.Acq.IrqString(), name(r.Class), lr.at(r.Acq, lr.t))
	fmt.Fprintf(w, "{%s} state was registered at:\n%s\n", model.UsageName(prev.Bit), lr.useSite(prev))
	fmt.Fprintf(w, "\nother info that might help us debug this:\n")
	fmt.Fprintf(w, " Possible unsafe locking scenario:\n\n       CPU0\n       ----\n")
	fmt.Fprintf(w, "  lock%s;\n  <Interrupt>\n    lock%s;\n", name(r.Class), name(r.Class))
	fmt.Fprintf(w, "\n *** DEADLOCK ***\n\n")
}

// irq is print_bad_irq_dependency() or print_irq_inversion_bug(), then
// print_irq_lock_scenario().
func (lr *lockdepReport) irq() {
	w, r, name := lr.w, lr.r, lr.name
	irq := "HARDIRQ"
	if r.Check == model.LockdepSoftirq {
		irq = "SOFTIRQ"
	}
	safe, unsafe := r.Safe.Class, r.Unsafe.Class
	if r.Kind == "bad-irq-dependency" {
		lr.rule(fmt.Sprintf("WARNING: %s-safe -> %s-unsafe lock order detected", irq, irq))
		fmt.Fprintf(w, "%s %s is trying to acquire:\n%s, %s\n\n", lr.task, r.Acq.IrqString(), name(r.Class), lr.at(r.Acq, lr.t))
		fmt.Fprintf(w, "and this task is already holding:\n%s\n", name(r.Held))
		fmt.Fprintf(w, "which would create a new lock dependency:\n %s -> %s\n\n", name(r.Held), name(r.Class))
		fmt.Fprintf(w, "but this new dependency connects a %s-irq-safe lock:\n %s\n\n... which became %s-irq-safe at:\n%s\n\n", irq, name(safe), irq, lr.useSite(r.Safe))
		fmt.Fprintf(w, "to a %s-irq-unsafe lock:\n %s\n\n... which became %s-irq-unsafe at:\n...\n%s\n\n", irq, name(unsafe), irq, lr.useSite(r.Unsafe))
	} else {
		lr.rule("WARNING: possible irq lock inversion dependency detected")
		fmt.Fprintf(w, "%s just changed the state of lock:\n%s, %s\n", lr.task, name(r.Class), lr.at(r.Acq, lr.t))
		if r.Class == safe {
			fmt.Fprintf(w, "but this lock took another, %s-unsafe lock in the past:\n %s\n\n", irq, name(unsafe))
		} else {
			fmt.Fprintf(w, "but this lock was taken by another, %s-safe lock in the past:\n %s\n\n", irq, name(safe))
		}
		fmt.Fprintf(w, "and interrupts could create inverse lock ordering between them.\n\n")
	}
	fmt.Fprintf(w, "\nother info that might help us debug this:\n")
	middle := r.Chain[0].To
	if middle != unsafe {
		fmt.Fprintf(w, "Chain exists of:\n  %s --> %s --> %s\n\n", lr.p.LockClasses[safe].Name, lr.p.LockClasses[middle].Name, lr.p.LockClasses[unsafe].Name)
	}
	fmt.Fprintf(w, " Possible interrupt unsafe locking scenario:\n\n")
	fmt.Fprintf(w, "       CPU0                    CPU1\n       ----                    ----\n")
	fmt.Fprintf(w, "  lock%s;\n%s\n%s\n%s\n", name(unsafe), col("local_irq_disable();"), col("lock"+name(safe)+";"), col("lock"+name(middle)+";"))
	fmt.Fprintf(w, "  <Interrupt>\n    lock%s;\n\n *** DEADLOCK ***\n\n", name(safe))
}

// recursive is print_deadlock_bug().
func (lr *lockdepReport) recursive() {
	w, r, name := lr.w, lr.r, lr.name
	lr.rule("WARNING: possible recursive locking detected")
	fmt.Fprintf(w, "%s is trying to acquire lock:\n%s, %s\n\n", lr.task, name(r.Class), lr.at(r.Acq, lr.t))
	fmt.Fprintf(w, "but task is already holding lock:\n%s\n\n", name(r.Held))
	fmt.Fprintf(w, "other info that might help us debug this:\n")
	fmt.Fprintf(w, " Possible unsafe locking scenario:\n\n       CPU0\n       ----\n")
	fmt.Fprintf(w, "  lock%s;\n  lock%s;\n\n *** DEADLOCK ***\n\n", name(r.Held), name(r.Class))
	fmt.Fprintf(w, " May be due to missing lock nesting notation\n\n")
}

// interleavings writes what lockdep cannot print: the shortest trace behind
// each dependency and usage the report names.
func (lr *lockdepReport) interleavings(res *explorer.Result, tr *explorer.Trace, opt TextOptions) {
	w, r, p := lr.w, lr.r, lr.p
	fmt.Fprintf(w, "\nwqcheck: the pattern is complete at depth %d (the longest of the shortest traces below).\n", r.Depth)
	fmt.Fprintln(w, deadlockWords(res))
	n := 0
	show := func(what string, tr *explorer.Trace) {
		n++
		fmt.Fprintf(w, "\n(%d) %s: %d step%s\n\n", n, what, len(tr.Steps), plural(len(tr.Steps)))
		width := opt.Width
		if width <= 0 {
			width = 100
		}
		writeSteps(w, p, tr, opt, width)
	}
	for _, e := range r.Chain {
		show(fmt.Sprintf("the dependency %s -> %s", p.LockClasses[e.From].Name, p.LockClasses[e.To].Name), e.Trace)
	}
	for _, u := range []*explorer.LockUse{r.Safe, r.Unsafe} {
		if u != nil {
			show(fmt.Sprintf("%s becomes {%s}", p.LockClasses[u.Class].Name, model.UsageName(u.Bit)), u.Trace)
		}
	}
	if len(r.Chain) == 0 && r.Safe == nil {
		show("the acquisition", tr)
	}
}

// deadlockWords says whether the search reached the deadlock itself.
func deadlockWords(res *explorer.Result) string {
	for _, pr := range res.Props {
		if pr.Prop.Kind != model.PropDeadlock {
			continue
		}
		switch {
		case pr.Verdict == explorer.Violated && pr.Trace != nil:
			return fmt.Sprintf("wqcheck: the deadlock itself is reachable: %s is violated, shortest counterexample %d step%s.", pr.Prop.Name, len(pr.Trace.Steps), plural(len(pr.Trace.Steps)))
		case pr.Verdict == explorer.Holds:
			return "wqcheck: the deadlock itself is never reached: " + pr.Prop.Name + " holds (the pattern is a possible deadlock the model's interleavings do not complete)."
		case res.Stopped == "violation":
			return "wqcheck: the deadlock itself was not searched for: the search stopped at the first violation (--all searches on)."
		}
		return "wqcheck: the deadlock itself is not reached within the bounds (" + stoppedWords(res.Stopped) + ")."
	}
	return ""
}

// LockGraphDOT draws the lock-order graph: a node per lock class that
// takes part in a dependency (or every class, when there are none), an
// edge per dependency labelled with the statement that first created it
// and the length of its shortest trace; the edges of a lockdep cycle red.
func LockGraphDOT(res *explorer.Result) string {
	var b strings.Builder
	p, lg := res.Program, res.LockGraph
	title := p.Name + ": lock-order graph"
	if !res.Complete {
		title += " (INCOMPLETE: " + stoppedWords(res.Stopped) + ")"
	}
	fmt.Fprintf(&b, "digraph lockorder {\n  label=%q;\n  labelloc=t;\n  node [shape=box, fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\", fontsize=10];\n", title)
	if lg == nil {
		b.WriteString("}\n")
		return b.String()
	}
	used := map[int]bool{}
	for _, e := range lg.Edges {
		used[e.From], used[e.To] = true, true
	}
	for _, c := range lg.Classes {
		if len(lg.Edges) > 0 && !used[c.ID] {
			continue
		}
		kind := "spinlock"
		if c.Mutex {
			kind = "mutex"
		}
		fmt.Fprintf(&b, "  c%d [label=\"%s\\n%s %s\"];\n", c.ID, dotEsc(c.Name), kind, dotEsc(c.Decl))
	}
	for _, e := range lg.Edges {
		ins := p.Threads[e.Thread].Kind.Code[e.Acq.PC]
		label := fmt.Sprintf("%s:%d %s\\n%s, depth %d", ins.Pos.File, ins.Pos.Line, dotEsc(ins.Text), dotEsc(ins.Func), e.Depth)
		attrs := ""
		if e.Cycle {
			attrs = ", color=red, fontcolor=red, penwidth=2"
		}
		fmt.Fprintf(&b, "  c%d -> c%d [label=\"%s\"%s];\n", e.From, e.To, label, attrs)
	}
	b.WriteString("}\n")
	return b.String()
}

func dotEsc(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(html.UnescapeString(s), `\`, `\\`), `"`, `\"`)
}
