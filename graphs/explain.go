package graphs

import (
	"sort"
	"strings"

	"github.com/google/go-cmp/cmp"

	"wqcheck/model"
)

// Change is one variable a step changed: "pool.nr_idle" from "2" to "1".
type Change struct {
	Path     string // as in model.Describe, with threads named by label
	Obj      string // the object or thread it belongs to: "pool", "kworker W1"
	Field    string // "nr_idle", "state", "transfer.from"; "" for a plain global
	Old, New string // "" when the variable is not there (a local out of scope)
	order    int    // position in the description, to keep its order
}

// Changes compares two states variable by variable and returns what differs,
// in the order model.Describe lists variables (globals, objects, threads).
// A thread's position ("at") is left out: the trace already shows where each
// thread is. The comparison is go-cmp's, over the two descriptions; a
// reporter collects the differing map entries.
func Changes(p *model.Program, before, after model.State) []Change {
	order := map[string]int{}
	split := map[string][2]string{}
	a := describeMap(p, before, order, split)
	b := describeMap(p, after, order, split)
	var r diffReporter
	cmp.Equal(a, b, cmp.Reporter(&r))
	for i := range r.out {
		c := &r.out[i]
		c.order = order[c.Path]
		c.Obj, c.Field = split[c.Path][0], split[c.Path][1]
	}
	sort.SliceStable(r.out, func(i, j int) bool { return r.out[i].order < r.out[j].order })
	return r.out
}

// describeMap is a state as path -> value, threads named by their labels.
// It records each path's position in order and its (object, field) in split.
func describeMap(p *model.Program, s model.State, order map[string]int, split map[string][2]string) map[string]string {
	label := map[string]string{}
	for _, t := range p.Threads {
		label[t.Short] = t.Label
	}
	m := map[string]string{}
	for i, v := range p.Describe(s) {
		obj, field := splitPath(v.Path)
		if j := strings.IndexByte(v.Path, '.'); j >= 0 {
			if l, ok := label[v.Path[:j]]; ok {
				// a thread's task state or local ("cpu_a.transfer.from")
				obj, field = l, v.Path[j+1:]
				if field == "at" {
					continue
				}
				v.Path = l + "." + field
			}
		}
		m[v.Path] = v.Value
		split[v.Path] = [2]string{obj, field}
		if _, ok := order[v.Path]; !ok {
			order[v.Path] = i
		}
	}
	return m
}

// diffReporter is a cmp.Reporter that records each differing map entry.
type diffReporter struct {
	path cmp.Path
	out  []Change
}

func (r *diffReporter) PushStep(ps cmp.PathStep) { r.path = append(r.path, ps) }
func (r *diffReporter) PopStep()                 { r.path = r.path[:len(r.path)-1] }

func (r *diffReporter) Report(rs cmp.Result) {
	if rs.Equal() {
		return
	}
	mi, ok := r.path.Last().(cmp.MapIndex)
	if !ok {
		return
	}
	c := Change{Path: mi.Key().String()}
	vx, vy := mi.Values()
	if vx.IsValid() {
		c.Old = vx.String()
	}
	if vy.IsValid() {
		c.New = vy.String()
	}
	r.out = append(r.out, c)
}

// GroupChanges renders changes compactly, one string per object:
// "pool: worklist [] -> [works[0]]; nr_idle 2 -> 1". A local coming into
// scope shows as "name=value"; one going out of scope is left out. A value
// with a comma of its own is bracketed, both sides of its change alike, as
// the state shows a context: "ctx [CPU 0] -> [CPU 0, preempt 1]".
func GroupChanges(cs []Change) []string {
	var out []string
	var cur string
	var parts []string
	flush := func() {
		if len(parts) > 0 {
			out = append(out, cur+": "+strings.Join(parts, "; "))
		}
		parts = nil
	}
	for _, c := range cs {
		if c.New == "" {
			continue
		}
		if c.Obj != cur {
			flush()
			cur = c.Obj
		}
		old, now := c.Old, c.New
		if topComma(old) || topComma(now) {
			old, now = "["+old+"]", "["+now+"]"
		}
		switch {
		case c.Field == "":
			parts = append(parts, old+" -> "+now)
		case c.Old == "":
			parts = append(parts, c.Field+"="+now)
		default:
			parts = append(parts, c.Field+" "+old+" -> "+now)
		}
	}
	flush()
	return out
}

// topComma says whether v has a comma outside its brackets and parentheses
// ("CPU 0, preempt 1", not "[works[0], works[1]]").
func topComma(v string) bool {
	depth := 0
	for _, c := range v {
		switch c {
		case '[', '(', '{':
			depth++
		case ']', ')', '}':
			depth--
		case ',':
			if depth == 0 {
				return true
			}
		}
	}
	return false
}

// sortByOrder sorts paths by their position in the state description.
func sortByOrder(paths []string, order map[string]int) {
	sort.Slice(paths, func(i, j int) bool {
		if order[paths[i]] != order[paths[j]] {
			return order[paths[i]] < order[paths[j]]
		}
		return paths[i] < paths[j]
	})
}
