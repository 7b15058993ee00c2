// Command wqcheck is an exhaustive explicit-state model checker for the Linux
// kernel workqueue and for small models of kernel-style concurrent code.
//
//	wqcheck check [flags] VARIANT...   check every property of each variant
//	wqcheck bench [flags] [VARIANT...]  time the workqueue verdict matrix per search mode
//	wqcheck explore [flags] VARIANT... explore the variants in the browser (explore.go)
//	wqcheck list                       the built-in models
//	wqcheck show VARIANT               a model as the checker sees it (after extends)
//	wqcheck show --diff VARIANT        the variant as a unified diff against its parent
//
// Exit status: 0 every property holds within the bounds, 1 a property is
// violated, 2 bad input or usage, 3 incomplete (status.go). This file only
// parses flags and calls the packages; errors are printed here and nowhere
// else.
package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"wqcheck/examples"
	"wqcheck/explorer"
	"wqcheck/graphs"
	"wqcheck/model"
	"wqcheck/model/syntax"
)

// exitError carries an exit status out of a command.
type exitError struct {
	code int
	err  error // printed as "wqcheck: error: ..." when set
	hint string
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func usageErr(hint, format string, args ...any) error {
	return &exitError{code: 2, err: fmt.Errorf(format, args...), hint: hint}
}

func main() {
	os.Exit(run(os.Args, os.Stdout, os.Stderr))
}

// run is main without the exit, for tests.
func run(args []string, stdout, stderr io.Writer) int {
	app := newApp(stdout, stderr)
	err := app.Run(args)
	if err == nil {
		return 0
	}
	return report(stderr, err)
}

// report prints an error in the house style and returns the exit status.
func report(w io.Writer, err error) int {
	code, hint := 2, ""
	var ee *exitError
	if errors.As(err, &ee) {
		code, hint = ee.code, ee.hint
		if ee.err == nil {
			return code
		}
		err = ee.err
	}
	var me *model.Error
	if errors.As(err, &me) {
		fmt.Fprintf(w, "wqcheck: error: %s\n", me.Error())
		if d := me.Detail(); d != "" {
			fmt.Fprintln(w, d)
		}
		if me.Hint != "" {
			hint = me.Hint
		}
	} else {
		fmt.Fprintf(w, "wqcheck: error: %s\n", err)
	}
	var nf *model.NotFoundError
	if errors.As(err, &nf) {
		hint = nf.Hint()
	}
	if hint != "" {
		fmt.Fprintf(w, "hint: %s\n", hint)
	}
	return code
}

var loader = &model.Loader{Builtin: examples.FS}

func newApp(stdout, stderr io.Writer) *cli.App {
	app := &cli.App{
		Name:      "wqcheck",
		Usage:     "exhaustive model checker for the Linux workqueue and kernel-style concurrency",
		Version:   version(),
		Writer:    stdout,
		ErrWriter: stderr,
		// urfave/cli would call os.Exit itself; we exit only from main.
		ExitErrHandler: func(*cli.Context, error) {},
		// --set UNBOUND=true,false lists values; cli must not split on commas
		DisableSliceFlagSeparator: true,
		OnUsageError: func(_ *cli.Context, err error, _ bool) error {
			return usageErr("run 'wqcheck help' for usage", "%v", err)
		},
		CommandNotFound: func(c *cli.Context, name string) {},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usageErr("commands: check, review, properties, graph, lockgraph, replay, explore, bench, list, show, help", "unknown command %q", c.Args().First())
			}
			return cli.ShowAppHelp(c)
		},
		Commands: []*cli.Command{
			checkCommand(),
			reviewCommand(),
			propertiesCommand(),
			graphCommand(),
			lockgraphCommand(),
			replayCommand(),
			exploreCommand(),
			benchCommand(),
			{
				Name:  "list",
				Usage: "list the built-in models and variants",
				Action: func(c *cli.Context) error {
					if c.NArg() > 0 {
						return usageErr("wqcheck list takes no arguments", "unexpected argument %q", c.Args().First())
					}
					return listModels(c.App.Writer)
				},
			},
			{
				Name:      "show",
				Usage:     "print a model as the checker sees it, after extends",
				ArgsUsage: "VARIANT",
				Flags: []cli.Flag{
					&cli.BoolFlag{Name: "diff", Usage: "print the variant as a unified diff against its parent, as the checker sees both"},
				},
				Action: func(c *cli.Context) error {
					if c.NArg() != 1 {
						return usageErr("usage: wqcheck show [--diff] VARIANT", "show takes one variant, %d given", c.NArg())
					}
					if c.Bool("diff") {
						return showDiff(c.App.Writer, c.Args().First())
					}
					return showModel(c.App.Writer, c.Args().First())
				},
			},
		},
	}
	// a usage error is one error line and a hint on standard error; urfave/cli
	// would print the command's help on standard output (into --json)
	for _, cmd := range app.Commands {
		name := cmd.Name
		cmd.OnUsageError = func(_ *cli.Context, err error, _ bool) error {
			return usageErr("run 'wqcheck help "+name+"' for usage", "%s: %v", name, err)
		}
	}
	return app
}

func checkCommand() *cli.Command {
	return &cli.Command{
		Name:      "check",
		Usage:     "check every property of each variant, exhaustively within the bounds",
		ArgsUsage: "VARIANT...",
		Description: "VARIANT is a built-in model name (wqcheck list) or a path to a .wq file.\n" +
			"Flags go before the variants.",
		Flags: []cli.Flag{
			&cli.StringSliceFlag{Name: "set", Usage: "override a parameter, NAME=VALUE (repeatable)"},
			&cli.BoolFlag{Name: "all", Usage: "keep searching after a violation, to find every violated property"},
			&cli.BoolFlag{Name: "json", Usage: "print the results as JSON, for scripts"},
			&cli.BoolFlag{Name: "explain", Usage: "under each step of a trace, show what it changed in the state"},
			&cli.BoolFlag{Name: "full", Usage: "print full traces (every step and statement) instead of the brief ones, and draw them so in --dot, --svg, --png and --sequence"},
			&cli.BoolFlag{Name: "brief", Usage: "print brief traces: the steps and statements the violation depends on, in 72 columns (the default; --full, --explain print every step)"},
			&cli.BoolFlag{Name: "by-cpu", Usage: "lay the trace out by CPU (a column per CPU, as in kernel commit messages), in models with CPUs"},
			&cli.BoolFlag{Name: "kernel", Usage: "print violations the kernel reports in its own words as it does: lockdep's (\"WARNING: possible circular locking dependency detected\"), then the interleavings behind them; \"BUG: scheduling while atomic\"; KCSAN's \"data-race\"; the workqueue watchdog's \"BUG: workqueue lockup\""},
			&cli.BoolFlag{Name: "lockdep", Value: true, Usage: "check lockdep's rules over every interleaving (the lockdep-* properties); --lockdep=false leaves them out"},
			&cli.BoolFlag{Name: "summary", Usage: "print the verdicts only (the matrix, or one variant's summary), no traces"},
			&cli.StringFlag{Name: "property", Usage: "draw the trace of property `NAME` (default: the first violated, else the first witnessed)"},
			&cli.StringFlag{Name: "dot", Usage: "write the trace as DOT to `FILE`"},
			&cli.StringFlag{Name: "style", Value: graphs.StyleLanes, Usage: "DOT style of the trace: lanes (a column per thread) or states (a record per state)"},
			&cli.StringFlag{Name: "svg", Usage: "render the DOT trace to `FILE` as SVG (needs Graphviz)"},
			&cli.StringFlag{Name: "png", Usage: "render the DOT trace to `FILE` as PNG (needs Graphviz)"},
			&cli.StringFlag{Name: "sequence", Usage: "write the trace as a built-in SVG sequence diagram to `FILE` (no Graphviz needed)"},
			&cli.IntFlag{Name: "max-states", Usage: "stop after `N` states (0: no bound)"},
			&cli.IntFlag{Name: "max-depth", Usage: "do not expand states deeper than `N` steps (0: no bound)"},
			&cli.IntFlag{Name: "max-memory", DefaultText: "3/4 of RAM", Usage: "stop cleanly before the process holds more than `MIB` mebibytes, in the search or the whole-graph analyses after it"},
			&cli.StringFlag{Name: "reduce", Value: "locks", Usage: "step granularity: locks (merge lock-holding regions), strict (as locks, but an access to a location some thread reads or writes locklessly ends a merged region) or none (fine-grained reference)"},
			&cli.IntFlag{Name: "workers", Value: runtime.NumCPU(), Usage: "generate successors on `N` goroutines (any N gives the same states and traces)"},
			&cli.BoolFlag{Name: "exact", Usage: "store whole states instead of 64-bit fingerprints (no collision risk, ~10x the memory)"},
			&cli.StringFlag{Name: "symmetry", Value: "on", Usage: "symmetry reduction over interchangeable object arrays: on, or off (the reference)"},
			&cli.BoolFlag{Name: "por", Usage: "partial-order reduction: from a state where some threads' steps are independent of everything the others can still do, take only those (not with liveness properties: add --liveness=false; a violation found is searched again without it, for shortest traces). Off by default: it folds almost nothing of the workqueue model"},
			&cli.BoolFlag{Name: "liveness", Value: true, Usage: "check the liveness properties (lockup, starvation, the model's own); --liveness=false leaves them out, and lets partial-order reduction work"},
			&cli.IntFlag{Name: "width", Value: 100, DefaultText: "72 for brief traces, 100 with --full or --explain", Usage: "width of the counterexample table in columns"},
			&cli.StringFlag{Name: "cpuprofile", Usage: "write a CPU profile of the searches to `FILE` (go tool pprof)"},
			&cli.StringFlag{Name: "memprofile", Usage: "write a heap profile, taken at the end of the searches, to `FILE`"},
			&cli.BoolFlag{Name: "progress", Value: true, Usage: "show a progress line on standard error when it is a terminal"},
		},
		Action: checkAction,
	}
}

func checkAction(c *cli.Context) error {
	variants := c.Args().Slice()
	if len(variants) == 0 {
		return usageErr("usage: wqcheck check [flags] VARIANT...; wqcheck list shows the built-in models", "no variant to check")
	}
	for _, v := range variants {
		if strings.HasPrefix(v, "-") {
			return usageErr("flags go before the variants: wqcheck check "+v+" "+strings.Join(filterOut(variants, v), " "),
				"%s is a flag, but it comes after a variant", v)
		}
	}
	sets, err := parseSets(c.StringSlice("set"))
	if err != nil {
		return err
	}
	if err := checkCheckFlags(c); err != nil {
		return err
	}
	// load every variant before checking any: bad input prints nothing else
	jobs, err := loadJobs(c, variants, sets)
	if err != nil {
		return err
	}
	opts, err := searchOptions(c)
	if err != nil {
		return err
	}
	printWarnings(c.App.ErrWriter, jobs)
	stop, release := stopOnSignal()
	defer release()
	opts.Stop = stop
	if file := c.String("cpuprofile"); file != "" {
		f, err := os.Create(file)
		if err != nil {
			return &exitError{code: 2, err: err}
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return &exitError{code: 2, err: err}
		}
		defer pprof.StopCPUProfile()
	}
	runs, err := runJobs(c, jobs, opts, stop)
	if err != nil {
		return err
	}
	// the report first: a file that cannot be written must not cost it
	if err := writeReport(c, runs); err != nil {
		return err
	}
	if file := c.String("memprofile"); file != "" {
		if err := writeHeapProfile(file); err != nil {
			return &exitError{code: 2, err: err}
		}
	}
	if err := writePictures(c, runs, len(jobs) > 1); err != nil {
		return err
	}
	var results []*explorer.Result
	for _, r := range runs {
		results = append(results, r.Result)
	}
	if code := resultStatus(results); code != exitHolds {
		return &exitError{code: code}
	}
	return nil
}

// settings are the --set values: every combination of the listed values
// (--set NAME=a,b,... checks each), and the names in the order given.
type settings struct {
	names  []string
	values map[string][]string
	all    []map[string]string
}

// parseSets expands the --set flags.
func parseSets(flags []string) (*settings, error) {
	st := &settings{values: map[string][]string{}}
	for _, kv := range flags {
		name, value, ok := strings.Cut(kv, "=")
		if !ok || name == "" || value == "" {
			return nil, usageErr("write --set NAME=VALUE, e.g. --set NR_WORKERS=4, or several values: --set UNBOUND=true,false", "--set %q: expected NAME=VALUE", kv)
		}
		if _, seen := st.values[name]; !seen {
			st.names = append(st.names, name)
		}
		st.values[name] = strings.Split(value, ",")
	}
	st.all = []map[string]string{{}}
	for _, name := range st.names {
		var next []map[string]string
		for _, base := range st.all {
			for _, v := range st.values[name] {
				m := map[string]string{name: v}
				for k, x := range base {
					m[k] = x
				}
				next = append(next, m)
			}
		}
		st.all = next
	}
	return st, nil
}

// label names a run: the variant, and the --set values that vary.
func (st *settings) label(variant string, set map[string]string) string {
	label := variant
	for _, name := range st.names {
		if len(st.values[name]) > 1 {
			label += " " + name + "=" + set[name]
		}
	}
	return label
}

// checkCheckFlags rejects bad flag values before anything is loaded.
func checkCheckFlags(c *cli.Context) error {
	if st := c.String("style"); st != graphs.StyleLanes && st != graphs.StyleStates {
		return usageErr("--style takes lanes or states", "--style=%s: unknown DOT style", st)
	}
	if err := checkReduce(c.String("reduce")); err != nil {
		return err
	}
	for _, f := range []string{"max-states", "max-depth", "max-memory"} {
		if c.Int(f) < 0 {
			return usageErr("", "--%s must not be negative", f)
		}
	}
	if err := checkWorkers(c); err != nil {
		return err
	}
	if err := checkWidth(c); err != nil {
		return err
	}
	// the files are written after the search: say now if they cannot be
	for _, f := range []string{"dot", "svg", "png", "sequence", "memprofile", "cpuprofile"} {
		if err := checkOutputPath(c.String(f)); err != nil {
			return usageErr("", "--%s: %v", f, err)
		}
	}
	if n := c.Int("max-memory"); n > maxMemoryMiB {
		return usageErr("", "--max-memory=%d: expected at most %d MiB", n, maxMemoryMiB)
	}
	if c.Bool("json") {
		for _, f := range []string{"dot", "svg", "png", "sequence"} {
			if outputStreams[c.String(f)] == 1 {
				return usageErr("write the picture to a file, or drop --json", "--%s %s: standard output holds the --json report", f, c.String(f))
			}
		}
	}
	return nil
}

// job is one variant with one combination of --set values.
type job struct {
	variant, label string
	prog           *model.Program
}

// loadJobs loads and compiles every variant with every combination of
// --set values.
func loadJobs(c *cli.Context, variants []string, sets *settings) ([]job, error) {
	var jobs []job
	for _, v := range variants {
		for _, set := range sets.all {
			p, err := loader.Load(v, model.Options{Set: set, Fine: c.String("reduce") == "none", Strict: c.String("reduce") == "strict", NoLockdep: !c.Bool("lockdep"), NoLiveness: !c.Bool("liveness")})
			if err != nil {
				return nil, &exitError{code: 2, err: err}
			}
			jobs = append(jobs, job{v, sets.label(v, set), p})
			// an unknown --property is bad input: say so before the search
			if _, err := graphs.PickTrace(explorer.NotRun(p), c.String("property")); err != nil {
				return nil, usageErr("", "--property: %v", err)
			}
		}
	}
	return jobs, nil
}

// printWarnings prints, before any search, what the variants dropped that
// a property depends on (model.Warning), each warning once.
func printWarnings(w io.Writer, jobs []job) {
	seen := map[string]bool{}
	for _, j := range jobs {
		for _, wn := range j.prog.Warnings {
			if s := wn.String(); !seen[s] {
				seen[s] = true
				fmt.Fprintf(w, "wqcheck: warning: %s\n", s)
			}
		}
	}
}

// searchOptions turns the flags into the search's options.
func searchOptions(c *cli.Context) (explorer.Options, error) {
	opts := explorer.Options{
		MaxStates: c.Int("max-states"),
		MaxDepth:  c.Int("max-depth"),
		MaxMemory: uint64(c.Int("max-memory")) << 20,
		All:       c.Bool("all"),
		Workers:   c.Int("workers"),
		Exact:     c.Bool("exact"),
		POR:       c.Bool("por"),
	}
	switch c.String("symmetry") {
	case "on":
		opts.Symmetry = true
	case "off":
	default:
		return opts, usageErr("--symmetry takes on or off", "--symmetry: unknown value %q", c.String("symmetry"))
	}
	if !c.IsSet("max-memory") {
		opts.MaxMemory = defaultMemoryBound()
	}
	return opts, nil
}

// runJobs searches each job in turn; after a signal, the jobs not started
// are listed as not run.
func runJobs(c *cli.Context, jobs []job, opts explorer.Options, stop <-chan struct{}) ([]graphs.Run, error) {
	reduce := c.String("reduce")
	progress := c.Bool("progress") && isTerminal(c.App.ErrWriter)
	var runs []graphs.Run
	for _, j := range jobs {
		if stopped(stop) {
			// a signal stopped the run: the variants it never started are listed, not dropped
			runs = append(runs, graphs.Run{Variant: j.variant, Label: j.label, Reduce: reduce, Result: explorer.NotRun(j.prog)})
			continue
		}
		if progress {
			opts.Progress = progressLine(c.App.ErrWriter, j.label)
		}
		o := opts
		searchHook(&o)
		res := explorer.Explore(j.prog, o)
		if progress {
			fmt.Fprint(c.App.ErrWriter, "\r\x1b[K")
		}
		if res.Err != nil {
			return nil, &exitError{code: 2, err: res.Err}
		}
		runs = append(runs, graphs.Run{Variant: j.variant, Label: j.label, Reduce: reduce, Result: res})
	}
	return runs, nil
}

// progressLine returns the Progress function of --progress: one line on w,
// rewritten in place, for the run called label.
func progressLine(w io.Writer, label string) func(explorer.Stats) {
	return func(st explorer.Stats) {
		if st.Analysing {
			fmt.Fprintf(w, "\r\x1b[K%s: %s states, search complete; analysing the whole graph (stranded work, liveness)", label, graphs.Commas(st.States))
			return
		}
		fmt.Fprintf(w, "\r\x1b[K%s: %s states, %s/s, depth %d, queue %s, heap %s",
			label, graphs.Commas(st.States), graphs.Commas(int(st.StatesPerSec())), st.Depth, graphs.Commas(st.Queue), graphs.MiB(st.HeapBytes))
	}
}

// writeReport writes the verdicts: JSON, or the matrix (several runs), each
// run's summary and its traces.
func writeReport(c *cli.Context, runs []graphs.Run) error {
	w := bufio.NewWriter(c.App.Writer)
	if c.Bool("json") {
		if err := graphs.WriteJSON(w, runs); err != nil {
			return &exitError{code: 2, err: err}
		}
		return flushed(w)
	}
	shown := runs
	if len(runs) > 1 {
		graphs.WriteMatrix(w, runs)
		if c.Bool("summary") {
			shown = nil // the matrix is the summary
		} else {
			fmt.Fprintln(w)
		}
	}
	for i, r := range shown {
		if i > 0 {
			fmt.Fprintln(w)
		}
		graphs.WriteSummary(w, r)
		if c.Bool("summary") {
			continue
		}
		for _, pr := range r.Result.Props {
			if pr.Trace != nil && pr.Lockdep != nil && c.Bool("kernel") {
				fmt.Fprintln(w)
				graphs.WriteLockdep(w, r.Result, pr, graphs.TextOptions{Width: c.Int("width"), ByCPU: c.Bool("by-cpu")})
			} else if pr.Trace != nil {
				fmt.Fprintln(w)
				if c.Bool("kernel") && (graphs.WriteKernelBug(w, r.Result, pr) || graphs.WriteWorkqueueLockup(w, r.Result, pr)) {
					fmt.Fprintln(w)
				}
				graphs.WriteTrace(w, r.Result.Program, pr.Trace, textOptions(c))
			}
		}
	}
	return flushed(w)
}

// textOptions are the trace flags: --width, --explain, --by-cpu; traces
// are brief (72 columns unless --width says otherwise) unless --full or
// --explain asks for every step.
func textOptions(c *cli.Context) graphs.TextOptions {
	brief := !c.Bool("full") && !c.Bool("explain")
	opt := graphs.TextOptions{Width: c.Int("width"), Explain: c.Bool("explain"), ByCPU: c.Bool("by-cpu"), Brief: brief}
	if opt.Brief && !c.IsSet("width") {
		opt.Width = 72
	}
	return opt
}

func flushed(w *bufio.Writer) error {
	if err := w.Flush(); err != nil {
		return &exitError{code: 2, err: err}
	}
	return nil
}

// picture is a picture flag and how to draw a trace for it.
type picture struct {
	flag   string
	render func(p *model.Program, tr *explorer.Trace) ([]byte, error)
}

// pictureOuts are the picture flags (--dot, --svg, --png, --sequence),
// drawing the brief trace unless --full.
func pictureOuts(c *cli.Context) []picture {
	style := c.String("style")
	opt := graphs.PictureOptions{Full: c.Bool("full")}
	return []picture{
		{"dot", func(p *model.Program, tr *explorer.Trace) ([]byte, error) {
			return []byte(graphs.TraceDOTWith(p, tr, style, opt)), nil
		}},
		{"svg", func(p *model.Program, tr *explorer.Trace) ([]byte, error) {
			return renderDOT("svg", graphs.TraceDOTWith(p, tr, style, opt))
		}},
		{"png", func(p *model.Program, tr *explorer.Trace) ([]byte, error) {
			return renderDOT("png", graphs.TraceDOTWith(p, tr, style, opt))
		}},
		{"sequence", func(p *model.Program, tr *explorer.Trace) ([]byte, error) {
			return []byte(graphs.SequenceSVGWith(p, tr, opt)), nil
		}},
	}
}

// writePictures writes the --dot, --svg, --png and --sequence files, one per
// run that has a trace to draw (suffixed with the run's label when there are
// several). Each file is written whole or not at all.
func writePictures(c *cli.Context, runs []graphs.Run, several bool) error {
	for _, o := range pictureOuts(c) {
		file := c.String(o.flag)
		if file == "" {
			continue
		}
		for _, r := range runs {
			pr, err := graphs.PickTrace(r.Result, c.String("property"))
			if err != nil {
				return usageErr("", "--property: %v", err)
			}
			if pr == nil {
				// say so: a missing file must not pass for a written one
				fmt.Fprintf(c.App.ErrWriter, "wqcheck: --%s: %s has no trace to draw (no property violated or witnessed); %s not written\n",
					o.flag, r.Label, graphs.DOTPath(file, r.Label, several && !isStream(file)))
				continue
			}
			data, err := o.render(r.Result.Program, pr.Trace)
			if err != nil {
				return err
			}
			if err := writeOutput(graphs.DOTPath(file, r.Label, several && !isStream(file)), data, c.App.Writer, c.App.ErrWriter); err != nil {
				return &exitError{code: 2, err: err}
			}
		}
	}
	return nil
}

func graphCommand() *cli.Command {
	return &cli.Command{
		Name:      "graph",
		Usage:     "draw a small configuration's whole state graph as DOT, the shortest trace in bold",
		ArgsUsage: "VARIANT",
		Description: "Writes DOT to standard output, or to --out; --svg and --png render it with Graphviz.\n" +
			"Above --max-nodes states, only the neighbourhood of the trace is drawn.",
		Flags: []cli.Flag{
			&cli.StringSliceFlag{Name: "set", Usage: "override a parameter, NAME=VALUE (repeatable)"},
			&cli.StringFlag{Name: "property", Usage: "draw the trace of property `NAME` in bold (default: the first violated, else witnessed)"},
			&cli.IntFlag{Name: "max-nodes", Value: 200, Usage: "draw at most `N` states; a larger graph is cut to the trace's neighbourhood"},
			&cli.IntFlag{Name: "max-states", Value: 1000000, Usage: "explore at most `N` states"},
			&cli.StringFlag{Name: "reduce", Value: "locks", Usage: "step granularity: locks, strict or none"},
			&cli.StringFlag{Name: "out", Usage: "write the DOT to `FILE` instead of standard output"},
			&cli.StringFlag{Name: "svg", Usage: "render to `FILE` as SVG (needs Graphviz)"},
			&cli.StringFlag{Name: "png", Usage: "render to `FILE` as PNG (needs Graphviz)"},
		},
		Action: graphAction,
	}
}

// maxWorkers bounds --workers.
const maxWorkers = 1024

// checkWorkers checks --workers.
func checkWorkers(c *cli.Context) error {
	if n := c.Int("workers"); n < 1 || n > maxWorkers {
		// each worker holds its own buffers: 99,999,999 of them filled the machine's memory before the search began
		return usageErr(fmt.Sprintf("--workers takes a number of goroutines, 1 to %d (the default is the number of CPUs)", maxWorkers),
			"--workers=%d: expected 1 to %d", n, maxWorkers)
	}
	return nil
}

// checkWidth checks --width.
func checkWidth(c *cli.Context) error {
	if w := c.Int("width"); w < minWidth || w > maxWidth {
		return usageErr(fmt.Sprintf("--width takes the columns of the trace table, %d to %d", minWidth, maxWidth), "--width=%d: expected %d to %d", w, minWidth, maxWidth)
	}
	return nil
}

// the bounds of --width (99,999,999 columns padded every line for 22 s),
// and of --max-memory (MiB; more would overflow the byte count)
const (
	minWidth     = 40
	maxWidth     = 1000
	maxMemoryMiB = 1 << 30
)

// checkReduce validates --reduce.
func checkReduce(r string) error {
	if r != "locks" && r != "strict" && r != "none" {
		return usageErr("--reduce takes locks, strict or none", "--reduce=%s: unknown reduction", r)
	}
	return nil
}

// singleSettings parses --set flags that take one value each.
func singleSettings(c *cli.Context) (map[string]string, error) {
	set := map[string]string{}
	for _, kv := range c.StringSlice("set") {
		name, value, ok := strings.Cut(kv, "=")
		if !ok || name == "" || value == "" || strings.Contains(value, ",") {
			return nil, usageErr("write --set NAME=VALUE with one value, e.g. --set NR_WORKERS=2", "--set %q: expected NAME=VALUE", kv)
		}
		set[name] = value
	}
	return set, nil
}

func oneVariant(c *cli.Context, usage string) (string, error) {
	if c.NArg() != 1 {
		return "", usageErr(usage, "%s takes one variant, %d given", c.Command.Name, c.NArg())
	}
	if v := c.Args().First(); strings.HasPrefix(v, "-") {
		return "", usageErr("flags go before the variant", "%s is a flag, but it comes after the variant", v)
	}
	return c.Args().First(), nil
}

func graphAction(c *cli.Context) error {
	variant, err := oneVariant(c, "usage: wqcheck graph [flags] VARIANT")
	if err != nil {
		return err
	}
	set, err := singleSettings(c)
	if err != nil {
		return err
	}
	if err := checkReduce(c.String("reduce")); err != nil {
		return err
	}
	if c.Int("max-nodes") < 1 {
		return usageErr("--max-nodes takes a number of states to draw, 1 or more", "--max-nodes=%d: expected at least 1", c.Int("max-nodes"))
	}
	if c.Int("max-states") < 0 {
		return usageErr("", "--max-states must not be negative")
	}
	for _, f := range []string{"out", "svg", "png"} {
		if err := checkOutputPath(c.String(f)); err != nil {
			return usageErr("", "--%s: %v", f, err)
		}
	}
	p, err := loader.Load(variant, model.Options{Set: set, Fine: c.String("reduce") == "none", Strict: c.String("reduce") == "strict"})
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	stop, release := stopOnSignal() // a signal draws what was found, labelled INCOMPLETE
	defer release()
	res := explorer.Explore(p, explorer.Options{All: true, KeepGraph: true, MaxStates: c.Int("max-states"), MaxMemory: defaultMemoryBound(), Stop: stop})
	if res.Err != nil {
		return &exitError{code: 2, err: res.Err}
	}
	pr, err := graphs.PickTrace(res, c.String("property"))
	if err != nil {
		return usageErr("", "--property: %v", err)
	}
	opt := graphs.GraphOptions{MaxNodes: c.Int("max-nodes")}
	if pr != nil {
		opt.Trace = pr.Trace
	}
	src := graphs.StateGraphDOT(res, opt)
	for _, f := range []string{"svg", "png"} {
		if file := c.String(f); file != "" {
			data, err := renderDOT(f, src)
			if err != nil {
				return err
			}
			if err := writeOutput(file, data, c.App.Writer, c.App.ErrWriter); err != nil {
				return &exitError{code: 2, err: err}
			}
		}
	}
	if file := c.String("out"); file != "" {
		if err := writeOutput(file, []byte(src), c.App.Writer, c.App.ErrWriter); err != nil {
			return &exitError{code: 2, err: err}
		}
	} else if c.String("svg") == "" && c.String("png") == "" {
		if _, err := io.WriteString(c.App.Writer, src); err != nil {
			return err
		}
	}
	if !res.Complete {
		// the picture says so too; the status tells a script
		fmt.Fprintf(c.App.ErrWriter, "wqcheck: the graph is INCOMPLETE: the search stopped at %s after %s states\n", res.Stopped, graphs.Commas(res.Stats.States))
		if res.Stopped == explorer.StopMaxStates {
			fmt.Fprintf(c.App.ErrWriter, "hint: --max-states N raises the bound\n")
		}
		return &exitError{code: exitIncomplete}
	}
	return nil
}

func lockgraphCommand() *cli.Command {
	return &cli.Command{
		Name:      "lockgraph",
		Usage:     "draw the lock-order graph lockdep builds over every interleaving, as DOT",
		ArgsUsage: "VARIANT",
		Description: "A node per lock class, an edge per dependency (a lock taken while another is held), labelled\n" +
			"with the statement that first creates it and its shortest trace's length; a cycle's edges red.",
		Flags: []cli.Flag{
			&cli.StringSliceFlag{Name: "set", Usage: "override a parameter, NAME=VALUE (repeatable)"},
			&cli.IntFlag{Name: "max-states", Usage: "explore at most `N` states (0: no bound)"},
			&cli.IntFlag{Name: "max-depth", Usage: "do not expand states deeper than `N` steps (0: no bound)"},
			&cli.StringFlag{Name: "out", Usage: "write the DOT to `FILE` instead of standard output"},
		},
		Action: lockgraphAction,
	}
}

func lockgraphAction(c *cli.Context) error {
	variant, err := oneVariant(c, "usage: wqcheck lockgraph [flags] VARIANT")
	if err != nil {
		return err
	}
	set, err := singleSettings(c)
	if err != nil {
		return err
	}
	if c.Int("max-states") < 0 || c.Int("max-depth") < 0 {
		return usageErr("", "--max-states and --max-depth must not be negative")
	}
	if err := checkOutputPath(c.String("out")); err != nil {
		return usageErr("", "--out: %v", err)
	}
	p, err := loader.Load(variant, model.Options{Set: set})
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	stop, release := stopOnSignal()
	defer release()
	res := explorer.Explore(p, explorer.Options{All: true, Symmetry: true, Workers: runtime.NumCPU(), MaxStates: c.Int("max-states"),
		MaxDepth: c.Int("max-depth"), MaxMemory: defaultMemoryBound(), Stop: stop})
	if res.Err != nil {
		return &exitError{code: 2, err: res.Err}
	}
	src := graphs.LockGraphDOT(res)
	if file := c.String("out"); file != "" {
		if err := writeOutput(file, []byte(src), c.App.Writer, c.App.ErrWriter); err != nil {
			return &exitError{code: 2, err: err}
		}
	} else if _, err := io.WriteString(c.App.Writer, src); err != nil {
		return err
	}
	if !res.Complete {
		fmt.Fprintf(c.App.ErrWriter, "wqcheck: the lock graph is INCOMPLETE: the search stopped at %s after %s states\n", res.Stopped, graphs.Commas(res.Stats.States))
		return &exitError{code: exitIncomplete}
	}
	return nil
}

func replayCommand() *cli.Command {
	return &cli.Command{
		Name:      "replay",
		Usage:     "replay a trace saved with check --json against a (new version of a) model",
		ArgsUsage: "VARIANT",
		Description: "Replays the saved trace step by step with the parameters it was saved with (--set overrides),\n" +
			"prints it, and says whether the property still fails at its end.\n" +
			"Exit status: 0 the trace replays and still shows the violation, 1 it does not\n" +
			"(the model no longer allows a step, or the property no longer fails), 2 bad input.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "trace", Usage: "the --json output `FILE` holding the trace (required)"},
			&cli.StringFlag{Name: "property", Usage: "replay the trace of property `NAME` (default: the first in the file)"},
			&cli.StringFlag{Name: "variant", Usage: "with several runs in the file, the one of variant `NAME`"},
			&cli.StringSliceFlag{Name: "set", Usage: "override a parameter, NAME=VALUE (repeatable)"},
			&cli.BoolFlag{Name: "explain", Usage: "under each step, show what it changed in the state"},
			&cli.BoolFlag{Name: "by-cpu", Usage: "lay the trace out by CPU (a column per CPU), in models with CPUs"},
			&cli.IntFlag{Name: "width", Value: 100, Usage: "width of the trace table in columns"},
			&cli.StringFlag{Name: "dot", Usage: "write the replayed trace as DOT to `FILE` (when it reproduces)"},
			&cli.StringFlag{Name: "style", Value: graphs.StyleLanes, Usage: "DOT style of the trace: lanes (a column per thread) or states (a record per state)"},
			&cli.StringFlag{Name: "svg", Usage: "render the DOT trace to `FILE` as SVG (needs Graphviz)"},
			&cli.StringFlag{Name: "png", Usage: "render the DOT trace to `FILE` as PNG (needs Graphviz)"},
			&cli.StringFlag{Name: "sequence", Usage: "write the replayed trace as a built-in SVG sequence diagram to `FILE` (when it reproduces)"},
			&cli.BoolFlag{Name: "full", Usage: "draw every step in the pictures (default: the brief trace, the steps the violation depends on)"},
		},
		Action: replayAction,
	}
}

func replayAction(c *cli.Context) error {
	variant, err := oneVariant(c, "usage: wqcheck replay --trace FILE VARIANT")
	if err != nil {
		return err
	}
	if c.String("trace") == "" {
		return usageErr("usage: wqcheck replay --trace FILE VARIANT (FILE: what check --json wrote)",
			"replay needs --trace FILE: the saved trace to replay")
	}
	if err := checkWidth(c); err != nil {
		return err
	}
	if err := checkPictureFlags(c); err != nil {
		return err
	}
	data, err := readBounded(c.String("trace"), maxTraceFile)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	saved, err := graphs.ReadSavedTrace(data, c.String("variant"), c.String("property"))
	if err != nil {
		return &exitError{code: 2, err: fmt.Errorf("%s: %w", c.String("trace"), err)}
	}
	set := saved.Params
	over, err := singleSettings(c)
	if err != nil {
		return err
	}
	for k, v := range over {
		set[k] = v
	}
	p, err := loader.Load(variant, model.Options{Set: set, Fine: saved.Reduce == "none"})
	if err != nil {
		return &exitError{code: 2, err: err, hint: "the trace was saved with " + emptyAs(graphs.FormatSettings(saved.Params), "no params")}
	}
	prop := -1
	for i, pr := range p.Props {
		if pr.Name == saved.Property {
			prop = i
		}
	}
	if prop < 0 {
		return &exitError{code: 2, err: fmt.Errorf("%s has no property %q, which the trace is of", p.Name, saved.Property)}
	}
	moves, err := saved.Moves(p)
	if err != nil {
		e := &exitError{code: 2, err: fmt.Errorf("%s: %w", c.String("trace"), err)}
		if saved.Variant != variant {
			e.hint = fmt.Sprintf("the trace was saved from %s; replay it against %s or a variant of it", saved.Variant, saved.Variant)
		}
		return e
	}
	w := bufio.NewWriter(c.App.Writer)
	defer w.Flush()
	fmt.Fprintf(w, "replaying the trace of %s (%s, saved from %s with %s) against %s\n\n", saved.Property,
		model.Steps(len(saved.Path)), saved.Variant, emptyAs(graphs.FormatSettings(set), "no params"), variant)
	tr, rerr := explorer.Replay(p, moves)
	tr.Prop = p.Props[prop]
	tr.Loop = saved.Loop
	ok, msg := false, ""
	if rerr == nil {
		ok, msg = explorer.Reproduces(p, tr, prop)
	} else {
		msg = fmt.Sprintf("the model does not allow the trace: %v", rerr)
	}
	tr.Msg = msg
	graphs.WriteReplay(w, p, tr, ok, rerr == nil, graphs.TextOptions{Width: c.Int("width"), Explain: c.Bool("explain"), ByCPU: c.Bool("by-cpu")})
	if !ok {
		w.Flush()
		notDrawn(c)
		return &exitError{code: 1}
	}
	w.Flush()
	last := &tr.Steps[len(tr.Steps)-1]
	if tr.FailStep = slices.Contains(last.Fired, prop) || last.Err != nil && last.Err.Prop == prop; tr.FailStep {
		tr.Msg = strings.TrimPrefix(msg, fmt.Sprintf("step %d: ", len(tr.Steps))) // as check says it
	}
	return writeReplayPictures(c, p, tr)
}

// notDrawn says which picture files a replay that does not reproduce
// leaves unwritten: a missing file must not pass for a written one.
func notDrawn(c *cli.Context) {
	for _, o := range pictureOuts(c) {
		if file := c.String(o.flag); file != "" {
			fmt.Fprintf(c.App.ErrWriter, "wqcheck: --%s: the trace does not reproduce; %s not written\n", o.flag, file)
		}
	}
}

// checkPictureFlags rejects a bad --style or picture path before anything
// is loaded.
func checkPictureFlags(c *cli.Context) error {
	if st := c.String("style"); st != graphs.StyleLanes && st != graphs.StyleStates {
		return usageErr("--style takes lanes or states", "--style=%s: unknown DOT style", st)
	}
	for _, f := range []string{"dot", "svg", "png", "sequence"} {
		if err := checkOutputPath(c.String(f)); err != nil {
			return usageErr("", "--%s: %v", f, err)
		}
	}
	return nil
}

// writeReplayPictures writes the picture flags' files of a replayed trace.
func writeReplayPictures(c *cli.Context, p *model.Program, tr *explorer.Trace) error {
	for _, o := range pictureOuts(c) {
		file := c.String(o.flag)
		if file == "" {
			continue
		}
		data, err := o.render(p, tr)
		if err != nil {
			return err
		}
		if err := writeOutput(file, data, c.App.Writer, c.App.ErrWriter); err != nil {
			return &exitError{code: 2, err: err}
		}
	}
	return nil
}

func emptyAs(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}

// renderDOT renders DOT with Graphviz for the --svg or --png flag (format
// names both), as a usage-level error with the install hint when dot is missing.
func renderDOT(format, src string) ([]byte, error) {
	data, err := graphs.Graphviz(src, format)
	if errors.Is(err, graphs.ErrNoGraphviz) {
		return nil, &exitError{code: 2, err: fmt.Errorf("--%s: %w", format, err), hint: graphs.GraphvizHint}
	}
	if err != nil {
		return nil, &exitError{code: 2, err: err}
	}
	return data, nil
}

// isTerminal reports whether w is a character device (a terminal), so the
// progress line is shown to people and not written into logs or pipes.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func writeHeapProfile(file string) error {
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	runtime.GC() // up-to-date statistics of what is live
	if err := pprof.WriteHeapProfile(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func filterOut(xs []string, drop string) []string {
	var out []string
	for _, x := range xs {
		if x != drop {
			out = append(out, x)
		}
	}
	return out
}

// defaultMemoryBound is three quarters of physical memory, so a large search
// stops and reports before the machine runs out.
func defaultMemoryBound() uint64 {
	data, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "MemTotal:" {
			kb, err := strconv.ParseUint(f[1], 10, 64)
			if err == nil {
				return kb * 1024 / 4 * 3
			}
		}
	}
	return 0
}

func listModels(w io.Writer) error {
	names := loader.BuiltinNames()
	width := 0
	for _, n := range names {
		width = max(width, len(n))
	}
	folder := ""
	for _, n := range names {
		res, err := loader.Resolve(n)
		if err != nil {
			return &exitError{code: 2, err: err}
		}
		if f := loader.BuiltinFolder(n); f != folder {
			folder = f
			fmt.Fprintf(w, "\n%s/ (%s)\n", f, folderTitles[f])
		}
		f := res.Leaf
		desc := firstSentence(f.Doc)
		if len(f.Extends) > 0 {
			desc = "[extends " + strings.Join(f.Extends, ", ") + "] " + desc
		}
		fmt.Fprintf(w, "%-*s  %s\n", width, n, desc)
	}
	return nil
}

// folderTitles say what each folder of built-in models holds.
var folderTitles = map[string]string{
	"history": "fixed workqueue bugs: a pre-fix variant that violates what the bug broke, and the fix",
}

func firstSentence(doc string) string {
	doc = strings.Join(strings.Fields(doc), " ")
	if i := strings.Index(doc, ". "); i >= 0 {
		return doc[:i+1]
	}
	return doc
}

func showModel(w io.Writer, ref string) error {
	res, err := loader.Resolve(ref)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	// compile too, so show reports the same errors check would
	if _, err := model.Compile(res.Merged, res.Files, model.Options{}); err != nil {
		return &exitError{code: 2, err: err}
	}
	merged := *res.Merged
	if len(res.Ancestors) > 0 {
		fmt.Fprintf(w, "// %s, as the checker sees it, with what it extends applied: %s\n", merged.Model, strings.Join(res.Ancestors, ", "))
		merged.Extends = nil
	}
	_, err = io.WriteString(w, syntax.Format(&merged))
	return err
}

// showDiff prints a variant as a unified diff of its parent (its parents
// combined), as the checker sees it, against the variant: what a reviewer
// pastes under a patch.
func showDiff(w io.Writer, ref string) error {
	res, err := loader.Resolve(ref)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	if _, err := model.Compile(res.Merged, res.Files, model.Options{}); err != nil {
		return &exitError{code: 2, err: err}
	}
	if res.Base == nil {
		return &exitError{code: 2, err: fmt.Errorf("%s extends nothing: there is no parent to diff against", res.Merged.Model),
			hint: "show --diff takes a variant (model X extends Y;); wqcheck show prints a model whole"}
	}
	text := func(f *syntax.File) []string {
		g := *f
		g.Doc, g.Model, g.Extends = "", res.Merged.Model, nil
		return strings.Split(strings.TrimSuffix(syntax.Format(&g), "\n"), "\n")
	}
	parents := strings.Join(res.Leaf.Extends, "+")
	d := unifiedDiff("a/"+parents+".wq", "b/"+res.Merged.Model+".wq", text(res.Base), text(res.Merged), 3)
	if d == "" {
		d = fmt.Sprintf("// %s is %s unchanged\n", res.Merged.Model, parents)
	}
	_, err = io.WriteString(w, d)
	return err
}
