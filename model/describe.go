package model

import (
	"fmt"
	"strings"
)

// Var is one named piece of a state, rendered for people: a global, an
// object's field, or a thread's position and task state.
type Var struct {
	Path  string // "pool.idle_list", "workers[1].flags", "worker_thread[1].pc"
	Value string // "[workers[1], workers[0]]", "WORKER_IDLE|WORKER_PREP", "free"
}

// Describe renders every variable of s, in a fixed order: globals, objects
// (by struct, then index, then field), then threads. The text of each value
// is stable, so two descriptions can be compared field by field.
func (p *Program) Describe(s State) []Var {
	var out []Var
	for _, g := range p.Globals {
		out = append(out, Var{g.Name, p.formatSlot(s, g.Name, g.Type, g.Off, g.Width, g.List)})
	}
	for _, st := range p.Structs {
		for i := 0; i < st.Count; i++ {
			base := st.objBase(i)
			for _, f := range st.Fields {
				out = append(out, Var{st.ObjName(i) + "." + f.Name, p.formatSlot(s, st.Name+"."+f.Name, f.Type, base+f.Off, f.Width, f.List)})
			}
		}
	}
	for _, t := range p.Threads {
		out = append(out, Var{t.Short + ".at", p.Where(s, t)})
		out = append(out, Var{t.Short + ".state", TaskStateName(p.TaskState(s, t))})
		if p.NCPUs > 0 {
			out = append(out, Var{t.Short + ".ctx", p.CtxSummary(s, t)})
		}
		c := &Ctx{p: p, s: s, th: t, lb: t.localsBase()}
		pc := p.PC(s, t)
		if pc >= len(t.Kind.Code) {
			continue
		}
		for _, l := range t.Kind.Code[pc].live {
			if strings.ContainsAny(l.Name, "#()") {
				continue
			}
			out = append(out, Var{t.Short + "." + l.Name, p.formatSlot(s, l.Name, l.Type, c.lb+l.Off, l.Width, nil)})
		}
	}
	return out
}

// Steps says how many steps: "1 step", "3 steps".
func Steps(n int) string {
	if n == 1 {
		return "1 step"
	}
	return fmt.Sprintf("%d steps", n)
}

// Where says where thread t is in s: the statement it will run next, or "exited".
func (p *Program) Where(s State, t *Thread) string {
	pc := p.PC(s, t)
	if pc >= len(t.Kind.Code) {
		return "exited"
	}
	ins := t.Kind.Code[pc]
	where := fmt.Sprintf("%s:%d %s", baseName(ins.Pos.File), ins.Pos.Line, ins.Text)
	if ins.Func != t.Kind.Name {
		where = ins.Func + ": " + where
	}
	switch what, _ := p.BlockedOn(s, t); what {
	case NotBlocked:
	case BlockedCPU:
		y, why := p.CPUBlocker(s, t)
		where += fmt.Sprintf(" (off the CPU: %s holds it, %s)", y.Label, why)
	case BlockedIrq:
		where += " (not fired)"
	default:
		where += " (blocked)"
	}
	return where
}

func (p *Program) formatSlot(s State, name string, t Type, off uint32, w uint8, li *ListInfo) string {
	switch t.Kind {
	case KList:
		return p.listString(s, off, li, t.Struct)
	case KLock:
		o := s.get(off, w)
		if o == 0 {
			return "free"
		}
		return "held by " + p.Threads[o-1].Label
	case KBool:
		if s.get(off, w) != 0 {
			return "true"
		}
		return "false"
	case KRef:
		return describeRef(t.Struct, int64(s.get(off, w)))
	case KTask:
		v := s.get(off, w)
		if v == 0 {
			return "NULL"
		}
		return p.Threads[v-1].Label
	case KInt:
		v := decodeInt(s.get(off, w), t.Lo, t.Hi)
		if strings.HasSuffix(strings.ToLower(name), "flags") {
			owner, _, _ := strings.Cut(name, ".")
			return p.formatFlagsOf(v, owner)
		}
		return fmt.Sprint(v)
	}
	return "?"
}

// FormatFlags renders a flag word by the flag names that make it up
// ("WORKER_IDLE|WORKER_PREP"), "0" when empty, with any unnamed bits in hex.
func (p *Program) FormatFlags(v int64) string { return p.formatFlagsOf(v, "") }

// formatFlagsOf renders a flags field of struct owner with the flag set
// named for it: "worker_flags" for struct worker, "pool_flags" for struct
// worker_pool (its name ends in _pool); with no such set, with every set.
func (p *Program) formatFlagsOf(v int64, owner string) string {
	if v == 0 {
		return "0"
	}
	set := ""
	for _, f := range p.Flags {
		prefix := strings.TrimSuffix(f.SetName, "_flags")
		if f.SetName != "" && owner != "" && (owner == prefix || strings.HasSuffix(owner, "_"+prefix)) {
			if set == "" || owner == prefix {
				set = f.SetName
			}
		}
	}
	var names []string
	rest := v
	for _, f := range p.Flags {
		if set != "" && f.SetName != set {
			continue
		}
		if f.Value != 0 && f.Value&(f.Value-1) == 0 && rest&f.Value != 0 {
			names = append(names, f.Name)
			rest &^= f.Value
		}
	}
	if rest != 0 {
		names = append(names, fmt.Sprintf("%#x", rest))
	}
	return strings.Join(names, "|")
}

// LocksHeld lists the locks thread t holds in s, by path ("pool.lock"), in
// the order Describe lists variables.
func (p *Program) LocksHeld(s State, t *Thread) []string {
	var out []string
	for _, g := range p.Globals {
		if g.Type.Kind == KLock && s.get(g.Off, g.Width) == uint64(t.Index+1) {
			out = append(out, g.Name)
		}
	}
	for _, st := range p.Structs {
		for i := 0; i < st.Count; i++ {
			base := st.objBase(i)
			for _, f := range st.Fields {
				if f.Type.Kind == KLock && s.get(base+f.Off, f.Width) == uint64(t.Index+1) {
					out = append(out, st.ObjName(i)+"."+f.Name)
				}
			}
		}
	}
	return out
}

// lockName names the lock stored at bit offset off ("accounts[1].lock"),
// for trace notes: the statement says from->lock, the note says which.
func (p *Program) lockName(off uint32) string {
	for _, g := range p.Globals {
		if g.Type.Kind == KLock && g.Off == off {
			return g.Name
		}
	}
	for _, st := range p.Structs {
		if off < st.Base || off >= st.objBase(st.Count) {
			continue
		}
		i := (off - st.Base) / st.Stride
		for _, f := range st.Fields {
			if f.Type.Kind == KLock && st.fieldOff(int(i), f) == off {
				return st.ObjName(int(i)) + "." + f.Name
			}
		}
	}
	return "?"
}
