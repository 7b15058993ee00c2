package graphs

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"wqcheck/explorer"
	"wqcheck/model"
)

// Run is one checked variant: its name as the user gave it, and the result.
type Run struct {
	Variant string
	Label   string // the variant and the parameters that vary between runs ("upstream UNBOUND=false")
	Reduce  string // "locks" or "none"
	Result  *explorer.Result
}

// JSONRun is the stable JSON form of a run (wqcheck check --json). The
// fields listed in the README stay; new fields may be added.
type JSONRun struct {
	Variant  string         `json:"variant"`
	Model    string         `json:"model"`
	Params   map[string]any `json:"params"`
	Reduce   string         `json:"reduce"`
	Complete bool           `json:"complete"`
	Stopped  string         `json:"stopped,omitempty"`
	// StoppedInAnalyses: the stop came after a complete search, during
	// the whole-graph analyses (explorer.Result.InAnalyses)
	StoppedInAnalyses bool    `json:"stopped_in_analyses,omitempty"`
	States            int     `json:"states"`
	Transitions       int     `json:"transitions"`
	Depth             int     `json:"depth"`
	Seconds           float64 `json:"seconds"`
	StateBytes        int     `json:"state_bytes"`
	StatesPerS        float64 `json:"states_per_second"`
	HeapBytes         uint64  `json:"heap_bytes"`
	Workers           int     `json:"workers"`
	// Storage: "fingerprints" or "exact"; bytes_per_state counts the
	// visited set, the parent records, state vectors kept (the frontier's
	// peak, or all in exact mode) and the stranded-work graph.
	Storage       string  `json:"storage"`
	BytesPerState float64 `json:"bytes_per_state"`
	CollisionProb float64 `json:"collision_probability"`
	// Symmetry lists the object arrays the search permuted (symmetry
	// reduction); SymmetryOff the arrays it found the model telling apart.
	Symmetry    []string       `json:"symmetry,omitempty"`
	SymmetryOff []JSONSymBreak `json:"symmetry_off,omitempty"`
	// Warnings say what the variant dropped that a property depends on
	// (model.Warning), as check prints them on standard error.
	Warnings   []JSONWarning  `json:"warnings,omitempty"`
	Properties []JSONProperty `json:"properties"`
}

// JSONSymBreak is an array left out of symmetry reduction, and why.
type JSONSymBreak struct {
	Array  string `json:"array"`
	Reason string `json:"reason"`
}

// JSONProperty is one property's verdict.
type JSONProperty struct {
	Name    string `json:"name"`
	Kind    string `json:"kind"`
	Verdict string `json:"verdict"`
	// Why says why a complete search's analysis left the verdict unknown.
	Why     string `json:"why,omitempty"`
	Message string `json:"message,omitempty"`
	// Description says what the property means (describe NAME: "...").
	Description string      `json:"description,omitempty"`
	Steps       int         `json:"steps,omitempty"`
	Trace       []JSONEntry `json:"trace,omitempty"`
	// Path is the trace as transitions only, which is what
	// wqcheck replay needs (a step may show no statement in Trace).
	Path []JSONMove `json:"path,omitempty"`
	// CycleStart, for a liveness counterexample (a lasso), is the index in
	// Path of the first step that repeats for ever; len(Path) when the
	// final state repeats (no thread can move).
	CycleStart *int `json:"cycle_start,omitempty"`
	// Lockdep is a violated lockdep property's pattern (lockdep.go).
	Lockdep *JSONLockdep `json:"lockdep,omitempty"`
}

// JSONLockdep is what a lockdep property found: which of lockdep's reports
// ("circular", "usage", "bad-irq-dependency", "irq-inversion",
// "recursive"), the class acquired and the held one, the dependencies it
// names (for a cycle, starting with the new one), each with its first
// creation, and the depth at which the pattern is complete.
type JSONLockdep struct {
	Report string           `json:"report"`
	Class  string           `json:"class"`
	Held   string           `json:"held,omitempty"`
	Chain  []JSONDependency `json:"chain,omitempty"`
	Depth  int              `json:"depth"`
}

// JSONDependency is one edge of the lock-order graph: To taken while From
// was held, first by Statement at File:Line, after Steps steps.
type JSONDependency struct {
	From      string `json:"from"`
	To        string `json:"to"`
	File      string `json:"file"`
	Line      int    `json:"line"`
	Statement string `json:"statement"`
	Steps     int    `json:"steps"`
}

// JSONMove is one transition of a saved trace: the thread (its label, as
// the text trace names it: "kworker W1"; replay also takes the state-name,
// "worker_thread[1]", of traces saved before) and which of its branches it
// took.
type JSONMove struct {
	Thread string `json:"thread"`
	Branch int    `json:"branch"`
}

// JSONEntry is one statement of a trace. Step numbers the transition it
// belongs to (from 1); Thread and Branch identify the transition so a saved
// trace can be replayed.
type JSONEntry struct {
	Step      int    `json:"step"`
	Thread    string `json:"thread"`
	Branch    int    `json:"branch"`
	File      string `json:"file"`
	Line      int    `json:"line"`
	Function  string `json:"function,omitempty"`
	Statement string `json:"statement"`
}

// JSONWarning is a warning about a variant, where its declaration is.
type JSONWarning struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Col     int    `json:"col"`
	Message string `json:"message"`
}

// ToJSON converts runs to their JSON form.
func ToJSON(runs []Run) []JSONRun {
	out := make([]JSONRun, 0, len(runs))
	for _, r := range runs {
		res := r.Result
		p := res.Program
		jr := JSONRun{Variant: r.Variant, Model: p.Name, Params: map[string]any{}, Reduce: r.Reduce,
			Complete: res.Complete, Stopped: string(res.Stopped), StoppedInAnalyses: res.InAnalyses, States: res.Stats.States, Transitions: res.Stats.Transitions,
			Depth: res.Stats.Depth, Seconds: round3(res.Stats.Elapsed.Seconds()), StateBytes: p.Words * 8,
			StatesPerS: float64(int64(res.Stats.StatesPerSec())), HeapBytes: res.Stats.HeapBytes,
			Workers: res.Stats.Workers, Storage: storageName(res.Stats), BytesPerState: math.Round(res.Stats.BytesPerState()*10) / 10,
			CollisionProb: res.Stats.CollisionProb}
		for _, a := range res.Stats.Symmetry {
			jr.Symmetry = append(jr.Symmetry, a.Name)
		}
		for _, b := range res.Stats.SymmetryOff {
			jr.SymmetryOff = append(jr.SymmetryOff, JSONSymBreak{Array: b.Array.Name, Reason: b.String()})
		}
		for _, w := range p.Warnings {
			jr.Warnings = append(jr.Warnings, JSONWarning{File: w.Pos.File, Line: w.Pos.Line, Col: w.Pos.Col, Message: w.Msg})
		}
		for _, pv := range p.Params {
			if pv.IsBool {
				jr.Params[pv.Name] = pv.Value != 0
			} else {
				jr.Params[pv.Name] = pv.Value
			}
		}
		names := threadNames(p)
		for _, pr := range sortedProps(res.Props) { // the text's order
			jp := JSONProperty{Name: pr.Prop.Name, Kind: pr.Prop.Kind.String(), Verdict: string(pr.Verdict), Why: pr.Why, Description: pr.Prop.Desc}
			if tr := pr.Trace; tr != nil && tr.Loop >= 0 {
				loop := tr.Loop
				jp.CycleStart = &loop
			}
			if tr := pr.Trace; tr != nil {
				jp.Message = tr.Msg
				jp.Steps = len(tr.Steps)
				jp.Trace = []JSONEntry{}
				for i := range tr.Steps {
					st := &tr.Steps[i]
					jp.Path = append(jp.Path, JSONMove{Thread: names[st.Thread.Index], Branch: st.Branch})
					for _, l := range StepLines(st) {
						jp.Trace = append(jp.Trace, JSONEntry{Step: i + 1, Thread: names[st.Thread.Index], Branch: st.Branch,
							File: l.File, Line: l.Line, Function: l.Func, Statement: l.Text})
					}
				}
			}
			if l := pr.Lockdep; l != nil {
				jp.Lockdep = jsonLockdep(res.Program, l)
			}
			jr.Properties = append(jr.Properties, jp)
		}
		out = append(out, jr)
	}
	return out
}

func round3(f float64) float64 { return float64(int64(f*1000+0.5)) / 1000 }

// WriteJSON writes runs as an indented JSON array.
func WriteJSON(w io.Writer, runs []Run) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(ToJSON(runs))
}

// WriteSummary writes one variant's verdicts, one property per line.
func WriteSummary(w io.Writer, r Run) {
	res := r.Result
	p := res.Program
	params := p.FormatParams()
	if params == "" {
		params = "none"
	}
	src := ""
	if len(p.Parents) > 0 {
		src = " (extends " + strings.Join(p.Parents, ", ") + ")"
	}
	fmt.Fprintf(w, "%s%s  params: %s  steps: %s\n", r.label(), src, params, reduceWords(r.Reduce))
	if res.Stopped == explorer.StopNotRun {
		fmt.Fprintf(w, "  NOT RUN (%s)\n", stoppedWords(res.Stopped))
		writeVerdicts(w, res)
		return
	}
	fmt.Fprintf(w, "  %s states of %d bytes, %s transitions, depth %d, %s (%s states/s, heap %s, %s)", commas(res.Stats.States), p.Words*8,
		commas(res.Stats.Transitions), res.Stats.Depth, fmtDuration(res.Stats.Elapsed), commas(int(res.Stats.StatesPerSec())), mib(res.Stats.HeapBytes),
		count(res.Stats.Workers, "worker"))
	if res.Complete {
		fmt.Fprintf(w, ", complete\n")
	} else {
		fmt.Fprintf(w, ", INCOMPLETE (%s)\n", incompleteWords(res))
	}
	fmt.Fprintf(w, "  stored: %s\n", StorageLine(res.Stats))
	if line := SymmetryLine(res.Stats); line != "" {
		fmt.Fprintf(w, "  symmetry: %s\n", line)
	}
	if d := p.DeadFields(); d != "" {
		fmt.Fprintf(w, "  dead fields zeroed: %s\n", d)
	}
	if a := p.AdvancedStarts(); a != "" {
		fmt.Fprintf(w, "  started past their leading branches: %s\n", a)
	}
	if line := PORLine(res.Stats); line != "" {
		fmt.Fprintf(w, "  partial-order reduction: %s\n", line)
	}
	writeVerdicts(w, res)
}

// PORLine says how partial-order reduction went, or "" when it was not
// asked for.
func PORLine(st explorer.Stats) string {
	switch {
	case st.POR == "":
		return ""
	case st.PORResearch:
		return fmt.Sprintf("the reduced search found a violation (%s states); these figures are the search run again without reduction, for the shortest traces", commas(st.PORStates))
	case st.POR == "on":
		return fmt.Sprintf("%s of %s states expanded with some threads' steps put off", commas(st.PORReduced), commas(st.PORReduced+st.PORFull))
	}
	return st.POR
}

// writeVerdicts writes one line per property with its verdict.
func writeVerdicts(w io.Writer, res *explorer.Result) {
	nameW := 0
	for _, pr := range res.Props {
		nameW = max(nameW, len(pr.Prop.Name))
	}
	for _, pr := range sortedProps(res.Props) {
		v := string(pr.Verdict)
		switch pr.Verdict {
		case explorer.Violated:
			v = fmt.Sprintf("VIOLATED  (shortest counterexample: %d step%s)", len(pr.Trace.Steps), plural(len(pr.Trace.Steps)))
			if pr.Trace.Loop >= 0 {
				v = fmt.Sprintf("VIOLATED  (lasso: %s)", lassoWords(pr.Trace))
			}
		case explorer.Unknown:
			v = "unknown   (no violation within the bounds; not verified)"
			switch {
			case pr.Why != "":
				v = "unknown   (" + pr.Why + ")"
			case res.Stopped == explorer.StopViolation:
				v = "unknown   (not checked past the first violation; --all checks it)"
			}
		case explorer.Witnessed:
			v = fmt.Sprintf("witnessed (informational; shortest witness: %d step%s)", len(pr.Trace.Steps), plural(len(pr.Trace.Steps)))
		}
		fmt.Fprintf(w, "  %-*s  %s\n", nameW, pr.Prop.Name, v)
	}
	if errs := erringProps(res); len(errs) > 0 && slices.ContainsFunc(res.Props, func(pr explorer.PropResult) bool { return pr.Verdict == explorer.Holds }) {
		fmt.Fprintf(w, "  note: the search ends an interleaving at a step that raises an error (%s); \"holds\" covers what comes before such steps\n", strings.Join(errs, ", "))
	}
}

// erringProps names the violated (or witnessed) properties whose violation
// is an error a step raised (its trace's last step): the search keeps no
// state after such a step.
func erringProps(res *explorer.Result) []string {
	var names []string
	for _, pr := range sortedProps(res.Props) {
		if tr := pr.Trace; (pr.Verdict == explorer.Violated || pr.Verdict == explorer.Witnessed) && tr != nil && len(tr.Steps) > 0 {
			if e := tr.Steps[len(tr.Steps)-1].Err; e != nil && e.Prop >= 0 && res.Program.Props[e.Prop] == pr.Prop {
				names = append(names, pr.Prop.Name)
			}
		}
	}
	return names
}

func reduceWords(r string) string {
	switch r {
	case "none":
		return "fine-grained"
	case "strict":
		return "lock regions merged, lockless-read locations not"
	}
	return "lock regions merged"
}

// incompleteWords says why a search stopped, and whether in the
// whole-graph analyses after it, without claiming that nothing was found
// when something was (a lockdep warning does not stop a search).
func incompleteWords(res *explorer.Result) string {
	w := stoppedWords(res.Stopped)
	if res.InAnalyses {
		why, rest, _ := strings.Cut(w, "; ")
		w = why + " in the whole-graph analyses after the complete search; " + rest
	}
	if res.Violated() {
		w = strings.TrimSuffix(w, "; no violation found within it")
	}
	return w
}

func stoppedWords(s explorer.StopReason) string {
	switch s {
	case explorer.StopMaxStates:
		return "--max-states bound reached; no violation found within it"
	case explorer.StopMaxDepth:
		return "--max-depth bound reached; no violation found within it"
	case explorer.StopMaxMemory:
		return "--max-memory bound reached; no violation found within it"
	case explorer.StopDeadline:
		return "time bound reached; no violation found within it"
	case explorer.StopInterrupted:
		return "interrupted; what was found so far is reported"
	case explorer.StopNotRun:
		return "interrupted before this variant started; every property unknown"
	case explorer.StopViolation:
		return "stopped at the first violation; --all checks every property"
	}
	return string(s)
}

// WriteMatrix writes one row per variant with the verdict of every
// property (the union of the variants' properties). Properties named after
// an id ("S1-stranded-work") are headed by the id, in id order, after the
// built-in ones, and a legend follows the table.
func WriteMatrix(w io.Writer, runs []Run) {
	var rows []MatrixRow
	for _, r := range runs {
		row := MatrixRow{Label: r.label(), Cells: map[string]string{}, Time: fmtDuration(r.Result.Stats.Elapsed)}
		for _, pr := range r.Result.Props {
			row.Props = append(row.Props, pr.Prop.Name)
			row.Cells[pr.Prop.Name] = shortVerdict[pr.Verdict]
		}
		row.States = commas(r.Result.Stats.States)
		if r.Result.Stopped == explorer.StopNotRun {
			row.States = "not run"
		} else if !r.Result.Complete {
			row.States += "+"
		}
		rows = append(rows, row)
	}
	WriteMatrixRows(w, rows, "(ok: holds within the bounds; FAIL: violated; wit: witnessed, informational; ?: unknown, a bound or, without --all, the first violation stopped the search, or an analysis could not decide it (said below); -: no such property)")
	for _, r := range runs {
		for _, pr := range sortedProps(r.Result.Props) {
			if pr.Verdict == explorer.Unknown && pr.Why != "" {
				fmt.Fprintf(w, "(%s, %s: unknown: %s)\n", r.label(), pr.Prop.Name, pr.Why)
			}
		}
	}
}

// MatrixRow is one row of a verdict matrix: a label, a cell per property
// (Props in declaration order), the states and the time.
type MatrixRow struct {
	Label        string
	Props        []string
	Cells        map[string]string
	States, Time string
}

// WriteMatrixRows writes a verdict matrix: a column per property (the
// union of the rows', numbered ones by id after the others, headed by the
// id), then key and the legend of the numbered properties.
func WriteMatrixRows(w io.Writer, rows []MatrixRow, key string) {
	var names []string
	seen := map[string]bool{}
	for _, r := range rows {
		for _, n := range r.Props {
			if !seen[n] {
				seen[n] = true
				names = append(names, n)
			}
		}
	}
	sort.SliceStable(names, func(i, j int) bool { return propLess(names[i], names[j]) })
	header := func(n string) string {
		if propID(n) > 0 {
			return n[:strings.IndexByte(n, '-')]
		}
		return n
	}
	vw := len("variant")
	for _, r := range rows {
		vw = max(vw, len(r.Label))
	}
	cw := map[string]int{}
	hdr := []string{pad("variant", vw)}
	var legend []string
	for _, n := range names {
		cw[n] = max(len(header(n)), 4)
		for _, r := range rows {
			cw[n] = max(cw[n], len(r.Cells[n]))
		}
		hdr = append(hdr, pad(header(n), cw[n]))
		if header(n) != n {
			legend = append(legend, n)
		}
	}
	hdr = append(hdr, "states", "time")
	fmt.Fprintln(w, strings.TrimRight(strings.Join(hdr, "  "), " "))
	for _, r := range rows {
		row := []string{pad(r.Label, vw)}
		for _, n := range names {
			v, ok := r.Cells[n]
			if !ok {
				v = "-"
			}
			row = append(row, pad(v, cw[n]))
		}
		row = append(row, pad(r.States, len("states")), r.Time)
		fmt.Fprintln(w, strings.Join(row, "  "))
	}
	writeProse(w, key, 100, " ")
	if len(legend) > 0 {
		writeProse(w, "("+strings.Join(legend, ", ")+")", 100, " ")
	}
}

func storageName(st explorer.Stats) string {
	if st.Exact {
		return "exact"
	}
	return "fingerprints"
}

func count(n int, what string) string {
	if n != 1 && strings.HasSuffix(what, "h") {
		return fmt.Sprintf("%d %ses", n, what) // searches
	}
	return fmt.Sprintf("%d %s%s", n, what, plural(n))
}

// SymmetryLine says which object arrays the search permuted and which it
// found the model telling apart, or "" when it used no symmetry reduction
// and dropped none.
func SymmetryLine(st explorer.Stats) string {
	var parts []string
	for _, a := range st.Symmetry {
		n := commas(model.Factorial(a.Len))
		if model.Factorial(a.Len) == math.MaxInt {
			n = fmt.Sprintf("%d!", a.Len) // too many to print
		}
		parts = append(parts, fmt.Sprintf("%s[%d] permuted (up to %s states in one)", a.Name, a.Len, n))
	}
	for _, b := range st.SymmetryOff {
		if b.Why != "" {
			parts = append(parts, fmt.Sprintf("%s not permuted: %s", b.Array.Name, b.Why))
			continue
		}
		parts = append(parts, fmt.Sprintf("%s not permuted: %s tells them apart", b.Array.Name, b))
	}
	if len(st.LivenessResearch) > 0 {
		var names []string
		for _, pr := range st.LivenessResearch {
			names = append(names, pr.Name)
		}
		parts = append(parts, fmt.Sprintf("no reduction: the reduced graph could not decide %s, so the search ran again without it", strings.Join(names, ", ")))
	}
	if len(parts) == 0 {
		return ""
	}
	s := strings.Join(parts, "; ")
	if st.SymmetryRetries > 0 {
		s += fmt.Sprintf(" (%s discarded on finding that)", count(st.SymmetryRetries, "search"))
	}
	return s
}

// StorageLine says how the states were stored and what that cost per state:
// "64-bit fingerprints, 11.9 bytes/state (+ 20.6 for the stranded-work
// graph, + frontier peak 12.0 MiB); a collision hid a state with
// probability <= 7.6e-08".
func StorageLine(st explorer.Stats) string {
	if st.States == 0 {
		return storageName(st)
	}
	per := func(b uint64) string { return fmt.Sprintf("%.1f", float64(b)/float64(st.States)) }
	var b strings.Builder
	if st.Exact {
		fmt.Fprintf(&b, "exact, %s bytes/state (state vectors) + %s (index and parent records)", per(st.VectorBytes), per(st.VisitedBytes))
	} else {
		fmt.Fprintf(&b, "64-bit fingerprints, %s bytes/state (fingerprints and parent records)", per(st.VisitedBytes))
	}
	if st.GraphBytes > 0 {
		fmt.Fprintf(&b, " + %s (the edges and per-state bits the graph properties keep: stranded work, liveness)", per(st.GraphBytes))
	}
	if !st.Exact {
		fmt.Fprintf(&b, "; frontier peak %s; P(a fingerprint collision hid a state) <= %.1e", sizeOf(st.VectorBytes), st.CollisionProb)
	}
	return b.String()
}

var shortVerdict = map[explorer.Verdict]string{
	explorer.Holds: "ok", explorer.Violated: "FAIL", explorer.Witnessed: "wit", explorer.Unknown: "?",
}

// propLess orders properties for reports: the unnumbered ones (the built-ins
// and any the model names freely) first, in declaration order, then those
// named after an id ("S1-...") in id order.
func propLess(x, y string) bool {
	a, b := propID(x), propID(y)
	if (a == 0) != (b == 0) {
		return a == 0
	}
	return a < b
}

// SortedProps orders properties as reports do (propLess).
func SortedProps(ps []*model.Property) []*model.Property {
	out := append([]*model.Property(nil), ps...)
	sort.SliceStable(out, func(i, j int) bool { return propLess(out[i].Name, out[j].Name) })
	return out
}

func sortedProps(ps []explorer.PropResult) []explorer.PropResult {
	out := append([]explorer.PropResult(nil), ps...)
	sort.SliceStable(out, func(i, j int) bool { return propLess(out[i].Prop.Name, out[j].Prop.Name) })
	return out
}

// propID returns N for a property named "SN-...", else 0.
func propID(name string) int {
	if len(name) < 3 || name[0] != 'S' {
		return 0
	}
	n := 0
	i := 1
	for ; i < len(name) && name[i] >= '0' && name[i] <= '9'; i++ {
		n = n*10 + int(name[i]-'0')
	}
	if i == 1 || i >= len(name) || name[i] != '-' {
		return 0
	}
	return n
}

func mib(b uint64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

// sizeOf writes a byte count in KiB below a mebibyte, else in MiB.
func sizeOf(b uint64) string {
	if b < 1<<20 {
		return fmt.Sprintf("%.1f KiB", float64(b)/(1<<10))
	}
	return mib(b)
}

func commas(n int) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func fmtDuration(d time.Duration) string {
	return fmt.Sprintf("%.2fs", d.Seconds())
}

func (r Run) label() string {
	if r.Label != "" {
		return r.Label
	}
	return r.Variant
}

// DOTPath returns the DOT file name for a variant: FILE itself for a single
// variant, FILE with -VARIANT before its extension for several.
func DOTPath(file, variant string, several bool) string {
	if !several {
		return file
	}
	ext := filepath.Ext(file)
	base := strings.TrimSuffix(file, ext)
	v := strings.TrimSuffix(filepath.Base(variant), ".wq")
	v = strings.NewReplacer(".wq ", "-", " ", "-", "=", "-").Replace(v)
	return base + "-" + v + ext
}

// PickTrace chooses the trace to draw: the named property's (violated or
// witnessed), or without a name the first violated property's, else the
// first witness. It returns nil when there is none; an unknown name is an
// error that lists the properties.
func PickTrace(res *explorer.Result, name string) (*explorer.PropResult, error) {
	if name != "" {
		var names []string
		for i := range res.Props {
			pr := &res.Props[i]
			if pr.Prop.Name == name {
				if pr.Trace == nil {
					return nil, nil
				}
				return pr, nil
			}
			names = append(names, pr.Prop.Name)
		}
		return nil, fmt.Errorf("%s has no property %q (it has: %s)", res.Program.Name, name, strings.Join(names, ", "))
	}
	if pv := FirstViolation(res); pv != nil {
		return pv, nil
	}
	for i := range res.Props {
		if res.Props[i].Trace != nil {
			return &res.Props[i], nil
		}
	}
	return nil, nil
}

// FirstViolation returns the first violated property's result, or nil.
func FirstViolation(res *explorer.Result) *explorer.PropResult {
	for i := range res.Props {
		if res.Props[i].Verdict == explorer.Violated {
			return &res.Props[i]
		}
	}
	return nil
}

// Commas formats n with thousands separators (1,678,750).
func Commas(n int) string { return commas(n) }

// MiB formats a byte count in mebibytes.
func MiB(b uint64) string { return mib(b) }

func jsonLockdep(p *model.Program, l *explorer.LockdepReport) *JSONLockdep {
	j := &JSONLockdep{Report: l.Kind, Class: p.LockClasses[l.Class].Name, Depth: l.Depth}
	if l.Held >= 0 {
		j.Held = p.LockClasses[l.Held].Name
	}
	for _, e := range l.Chain {
		ins := p.Threads[e.Thread].Kind.Code[e.Acq.PC]
		j.Chain = append(j.Chain, JSONDependency{From: p.LockClasses[e.From].Name, To: p.LockClasses[e.To].Name,
			File: ins.Pos.File, Line: ins.Pos.Line, Statement: ins.Text, Steps: e.Depth})
	}
	return j
}
