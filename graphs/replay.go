package graphs

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"wqcheck/explorer"
	"wqcheck/model"
)

// SavedTrace is a trace read back from `wqcheck check --json` output.
type SavedTrace struct {
	Variant  string
	Params   map[string]string // the run's parameters, as --set values
	Reduce   string
	Property string
	Path     []JSONMove
	Loop     int // a lasso's first repeating step (JSONProperty.CycleStart), or -1
}

// ReadSavedTrace finds a trace in --json output: the named property's, or
// without a name the first property with a trace. With several runs in the
// file, variant (if set) picks the run; otherwise there must be one run with
// a trace.
func ReadSavedTrace(data []byte, variant, prop string) (*SavedTrace, error) {
	var runs []JSONRun
	if err := json.Unmarshal(data, &runs); err != nil {
		var one JSONRun
		if err2 := json.Unmarshal(data, &one); err2 != nil {
			return nil, fmt.Errorf("not the JSON that wqcheck check --json writes: %v", err)
		}
		runs = []JSONRun{one}
	}
	var found []*SavedTrace
	for _, r := range runs {
		if variant != "" && r.Variant != variant && r.Model != variant {
			continue
		}
		for _, jp := range r.Properties {
			if len(jp.Path) == 0 || (prop != "" && jp.Name != prop) {
				continue
			}
			t := &SavedTrace{Variant: r.Variant, Reduce: r.Reduce, Property: jp.Name, Path: jp.Path, Params: map[string]string{}, Loop: -1}
			if jp.CycleStart != nil {
				t.Loop = *jp.CycleStart
			}
			for k, v := range r.Params {
				t.Params[k] = fmt.Sprint(v)
			}
			found = append(found, t)
			break
		}
	}
	switch {
	case len(found) == 0 && prop != "":
		return nil, fmt.Errorf("no trace of property %q in it", prop)
	case len(found) == 0:
		return nil, fmt.Errorf("it holds no trace (was the property violated or witnessed when it was saved?)")
	case len(found) > 1:
		var names []string
		for _, t := range found {
			names = append(names, t.Variant+" "+FormatSettings(t.Params))
		}
		return nil, fmt.Errorf("it holds traces of %d runs (%s); pick one with --variant", len(found), strings.Join(names, "; "))
	}
	return found[0], nil
}

// FormatSettings renders parameters as "NAME=value ..." in name order.
func FormatSettings(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, k+"="+m[k])
	}
	return strings.Join(parts, " ")
}

// threadNames names each thread as reports do: by its label ("kworker
// W1"), unless another thread has the same label or state-name, then by
// its state-name ("worker_thread[1]").
func threadNames(p *model.Program) []string {
	seen := map[string]int{}
	for _, t := range p.Threads {
		seen[t.Label]++
		if t.Short != t.Label {
			seen[t.Short]++
		}
	}
	out := make([]string, len(p.Threads))
	for i, t := range p.Threads {
		out[i] = t.Label
		if seen[t.Label] > 1 {
			out[i] = t.Short
		}
	}
	return out
}

// Moves maps a saved path onto p's threads, by their labels ("kworker
// W1") or, as traces saved before named them, their state-names
// ("worker_thread[1]").
func (t *SavedTrace) Moves(p *model.Program) ([]explorer.Move, error) {
	idx := map[string]int{}
	for _, th := range p.Threads {
		idx[th.Short] = th.Index
	}
	names := threadNames(p)
	for _, th := range p.Threads {
		idx[names[th.Index]] = th.Index
	}
	var out []explorer.Move
	for i, m := range t.Path {
		ti, ok := idx[m.Thread]
		if !ok {
			return nil, fmt.Errorf("step %d: the model has no thread %q", i+1, m.Thread)
		}
		out = append(out, explorer.Move{Thread: ti, Branch: m.Branch})
	}
	return out, nil
}
