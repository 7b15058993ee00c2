package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"wqcheck/explorer"
	"wqcheck/graphs"
	"wqcheck/model"
)

// The bench command: the verdict matrix of the workqueue variants at given
// sizes (or the named configurations of benchPresets), on both pool kinds,
// under each search mode, one table row per run.

var benchVariants = []string{"upstream", "deferred-wake", "claim", "claim-deferred", "kicked-list"}

// benchModes are the search modes the bench command can compare, in the
// order --help lists them. Each reduction is one field of graphs.BenchMode,
// so a new reduction is a new field there plus its rows here (e.g. por and
// no-por for partial-order reduction).
var benchModes = []graphs.BenchMode{
	{Key: "default", Name: "default", Merge: true, Symmetry: true},
	{Key: "1-worker", Name: "1-worker", Merge: true, Symmetry: true, Workers: 1},
	{Key: "no-symmetry", Name: "no-sym", Merge: true},
	{Key: "no-merge", Name: "no-merge", Symmetry: true},
	{Key: "exact", Name: "exact", Merge: true, Symmetry: true, Exact: true},
	{Key: "reference", Name: "reference", Workers: 1},
	{Key: "no-liveness", Name: "no-live", Merge: true, Symmetry: true, NoLiveness: true},
	{Key: "por", Name: "por", Merge: true, Symmetry: true, NoLiveness: true, POR: true},
	{Key: "keep-dead", Name: "keep-dead", Merge: true, Symmetry: true, KeepDead: true},
}

// referenceMode is the path every reduction is checked against: no
// merging, no symmetry, one worker, fingerprints (--reference's column).
var referenceMode = graphs.BenchMode{Key: "reference", Name: "reference", Workers: 1}

// benchPreset is a named configuration of issue 16's comparison with SPIN.
type benchPreset struct {
	name, variant, kind string
	set                 map[string]string // NR_WORKERS and NR_WORKS always
	about               string
}

var benchPresets = []benchPreset{
	{"a", "upstream", "percpu", map[string]string{"NR_WORKERS": "4", "NR_BUSY": "2", "NR_WORKS": "2"}, "upstream, per-cpu, 4 workers (2 idle, 2 busy), 2 items"},
	{"b", "upstream", "unbound", map[string]string{"NR_WORKERS": "5", "NR_BUSY": "3", "NR_WORKS": "2"}, "upstream, unbound, 5 workers (2 idle, 3 busy), 2 items"},
	{"c", "claim", "percpu", map[string]string{"NR_WORKERS": "7", "NR_BUSY": "2", "NR_WORKS": "3"}, "claim, per-cpu, 7 workers (5 idle, 2 busy), 3 items"},
}

func modeKeys() string {
	var ks []string
	for _, m := range benchModes {
		ks = append(ks, m.Key)
	}
	return strings.Join(ks, ", ")
}

func presetList() string {
	var ps []string
	for _, p := range benchPresets {
		ps = append(ps, p.name)
	}
	return strings.Join(ps, ", ")
}

func presetHelp() string {
	var b strings.Builder
	for _, p := range benchPresets {
		fmt.Fprintf(&b, "  %s: %s\n", p.name, p.about)
	}
	return b.String()
}

func benchCommand() *cli.Command {
	return &cli.Command{
		Name:      "bench",
		Usage:     "time the verdict matrix of the workqueue variants, per size, pool kind and search mode",
		ArgsUsage: "[VARIANT...]",
		Description: "Runs each VARIANT (default: the five workqueue variants) at each size, on each pool kind,\n" +
			"in each mode, and prints a row per run: states, transitions, seconds (wall clock and the\n" +
			"process's CPU time), states/s, bytes/state,\n" +
			"peak resident set and the failing properties. A run that hits --max-states or --max-seconds\n" +
			"shows its figures with '+'.\n" +
			"Modes: default (lock regions merged, symmetry reduction, fingerprints, --workers goroutines),\n" +
			"1-worker, no-symmetry (--symmetry off), no-merge (--reduce=none), exact (whole states stored),\n" +
			"reference (no merging, no symmetry, one worker), no-liveness (default without the liveness\n" +
			"properties), por (no-liveness with partial-order reduction; the reduced search's own figures)\n" +
			"and keep-dead (default with the live_when fields kept where they are dead).\n" +
			"Presets (--preset, instead of VARIANTs, --sizes and --kinds):\n" + presetHelp() +
			"Peak RSS is per row: before each run the bench returns freed memory to the system and resets\n" +
			"the kernel's high-water mark (/proc/self/clear_refs), then reads VmHWM after it; where the\n" +
			"reset is not supported the column is the process's peak so far, marked '<='.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "sizes", Value: "4/2", Usage: "comma-separated `W/I` sizes: W workers (NR_WORKERS), I work items (NR_WORKS)"},
			&cli.StringFlag{Name: "kinds", Value: "unbound,percpu", Usage: "pool kinds: unbound (UNBOUND=true), percpu (UNBOUND=false)"},
			&cli.StringFlag{Name: "preset", Usage: "comma-separated named configurations (" + presetList() + "; see above) instead of VARIANTs, --sizes and --kinds"},
			&cli.StringFlag{Name: "modes", Value: "default,1-worker", Usage: "comma-separated modes: " + modeKeys() + " (see above)"},
			&cli.BoolFlag{Name: "reference", Usage: "run the reference path (no reductions, one worker) once per configuration and show its state count beside each row"},
			&cli.StringSliceFlag{Name: "set", Usage: "override another parameter, NAME=VALUE (repeatable)"},
			&cli.IntFlag{Name: "workers", Value: runtime.NumCPU(), Usage: "goroutines for the modes that use several"},
			&cli.IntFlag{Name: "max-states", Value: 50_000_000, Usage: "stop a run after `N` states"},
			&cli.IntFlag{Name: "max-seconds", Value: 300, Usage: "stop a run after `S` seconds"},
		},
		Action: benchAction,
	}
}

// benchConfig is one configuration of the matrix: a variant, a pool kind
// and the parameters of its size.
type benchConfig struct {
	label, variant, kind, size string
	set                        map[string]string
}

// benchJob is one row to run: a configuration in a mode, loaded.
type benchJob struct {
	row  graphs.BenchRow
	prog *model.Program
	ref  *benchJob // with --reference: the configuration's reference run
}

func benchAction(c *cli.Context) error {
	configs, err := benchConfigs(c)
	if err != nil {
		return err
	}
	modes, err := parseBenchModes(c)
	if err != nil {
		return err
	}
	if err := checkWorkers(c); err != nil {
		return err
	}
	if c.Int("max-seconds") < 1 {
		return usageErr("--max-seconds takes a number of seconds, 1 or more", "--max-seconds=%d: expected at least 1", c.Int("max-seconds"))
	}
	if c.Int("max-states") < 0 {
		return usageErr("", "--max-states must not be negative")
	}
	extra, err := singleSettings(c)
	if err != nil {
		return err
	}
	// load everything first: bad input prints nothing else
	jobs, err := loadBenchJobs(configs, modes, extra, c.Bool("reference"))
	if err != nil {
		return err
	}
	return runBench(c, jobs)
}

// benchConfigs is the matrix's configurations: the presets named by
// --preset, or every variant at every size on every pool kind.
func benchConfigs(c *cli.Context) ([]benchConfig, error) {
	if c.IsSet("preset") {
		return presetConfigs(c)
	}
	variants := c.Args().Slice()
	if len(variants) == 0 {
		variants = benchVariants
	}
	for _, v := range variants {
		if strings.HasPrefix(v, "-") {
			return nil, usageErr("flags go before the variants", "%s is a flag, but it comes after a variant", v)
		}
	}
	var sizes [][2]string
	for _, s := range strings.Split(c.String("sizes"), ",") {
		w, i, ok := strings.Cut(s, "/")
		if !ok || w == "" || i == "" {
			return nil, usageErr("write sizes as WORKERS/ITEMS, e.g. --sizes 4/2,4/3,5/3", "--sizes: %q is not W/I", s)
		}
		sizes = append(sizes, [2]string{w, i})
	}
	var kinds []string
	for _, k := range strings.Split(c.String("kinds"), ",") {
		if k != "unbound" && k != "percpu" {
			return nil, usageErr("--kinds takes unbound, percpu or both", "--kinds: unknown pool kind %q", k)
		}
		kinds = append(kinds, k)
	}
	var out []benchConfig
	for _, sz := range sizes {
		for _, kind := range kinds {
			for _, v := range variants {
				set := map[string]string{"NR_WORKERS": sz[0], "NR_WORKS": sz[1]}
				out = append(out, benchConfig{v, v, kind, sz[0] + "/" + sz[1], set})
			}
		}
	}
	return out, nil
}

// presetConfigs is the configurations --preset names, which stand alone.
func presetConfigs(c *cli.Context) ([]benchConfig, error) {
	for _, f := range []string{"sizes", "kinds"} {
		if c.IsSet(f) {
			return nil, usageErr("a preset fixes the variant, the sizes and the pool kind; use --set to change a parameter", "--preset and --%s do not go together", f)
		}
	}
	if c.NArg() > 0 {
		return nil, usageErr("a preset fixes the variant, the sizes and the pool kind; use --set to change a parameter", "--preset and a VARIANT (%s) do not go together", c.Args().First())
	}
	var out []benchConfig
	for _, name := range strings.Split(c.String("preset"), ",") {
		i := presetIndex(name)
		if i < 0 {
			return nil, usageErr("--preset takes "+presetList()+" (wqcheck bench --help describes them)", "--preset: unknown preset %q", name)
		}
		p := benchPresets[i]
		set := map[string]string{}
		for k, v := range p.set {
			set[k] = v
		}
		out = append(out, benchConfig{p.variant + " (" + p.name + ")", p.variant, p.kind, p.set["NR_WORKERS"] + "/" + p.set["NR_WORKS"], set})
	}
	return out, nil
}

func presetIndex(name string) int {
	for i, p := range benchPresets {
		if p.name == name {
			return i
		}
	}
	return -1
}

func parseBenchModes(c *cli.Context) ([]graphs.BenchMode, error) {
	var modes []graphs.BenchMode
	for _, m := range strings.Split(c.String("modes"), ",") {
		i := 0
		for i < len(benchModes) && benchModes[i].Key != m {
			i++
		}
		if i == len(benchModes) {
			return nil, usageErr("--modes takes "+modeKeys(), "--modes: unknown mode %q", m)
		}
		mode := benchModes[i]
		if mode.Workers == 0 {
			mode.Workers = c.Int("workers")
		}
		modes = append(modes, mode)
	}
	return modes, nil
}

// loadBenchJobs loads each configuration in each mode (and, with ref, the
// configuration's reference run first).
func loadBenchJobs(configs []benchConfig, modes []graphs.BenchMode, extra map[string]string, ref bool) ([]*benchJob, error) {
	var jobs []*benchJob
	load := func(cf benchConfig, mode graphs.BenchMode) (*benchJob, error) {
		set := map[string]string{"UNBOUND": fmt.Sprint(cf.kind == "unbound")}
		for _, m := range []map[string]string{cf.set, extra} {
			for k, x := range m {
				set[k] = x
			}
		}
		p, err := loader.Load(cf.variant, model.Options{Set: set, Fine: !mode.Merge, NoLiveness: mode.NoLiveness, KeepDead: mode.KeepDead})
		if err != nil {
			return nil, &exitError{code: 2, err: err}
		}
		return &benchJob{row: graphs.BenchRow{Variant: cf.label, Kind: cf.kind, Size: cf.size, Mode: mode}, prog: p}, nil
	}
	for _, cf := range configs {
		var rj *benchJob
		if ref {
			var err error
			if rj, err = load(cf, referenceMode); err != nil {
				return nil, err
			}
		}
		for _, mode := range modes {
			j, err := load(cf, mode)
			if err != nil {
				return nil, err
			}
			j.ref = rj
			jobs = append(jobs, j)
		}
	}
	return jobs, nil
}

// runBench runs the jobs in order and prints a row for each.
func runBench(c *cli.Context, jobs []*benchJob) error {
	w := c.App.Writer
	graphs.WriteBenchHeader(w, jobs[0].ref != nil)
	sig, release := stopOnSignal()
	defer release()
	cut := false
	for _, j := range jobs {
		if stopped(sig) {
			// a signal stopped the bench: the rows it never started are listed
			j.row.Result = explorer.NotRun(j.prog)
			graphs.WriteBenchRow(w, j.row)
			cut = true
			continue
		}
		if r := j.ref; r != nil && r.row.Result == nil {
			if err := benchRun(c, r, sig); err != nil {
				return err
			}
			cut = cut || !r.row.Result.Complete
		}
		if j.ref != nil {
			j.row.Ref = j.ref.row.Result
		}
		if err := benchRun(c, j, sig); err != nil {
			return err
		}
		graphs.WriteBenchRow(w, j.row)
		cut = cut || !j.row.Result.Complete
	}
	// the bench's status is about completeness: the violations it finds
	// (deferred-wake's S9) are its data, not a failure
	if cut {
		return &exitError{code: exitIncomplete}
	}
	return nil
}

// benchRun runs one job and records its result and its peak resident set
// in j.row. --max-seconds (from the job's start) and a signal stop the
// search or, after it, the whole-graph analyses.
func benchRun(c *cli.Context, j *benchJob, sig <-chan struct{}) error {
	reset := resetPeakRSS()
	cpu0 := cpuTime()
	mode := j.row.Mode
	opts := explorer.Options{All: true, MaxStates: c.Int("max-states"), MaxMemory: defaultMemoryBound(),
		Workers: mode.Workers, Exact: mode.Exact, Symmetry: mode.Symmetry, POR: mode.POR, PORNoResearch: true,
		Stop: sig, Deadline: time.Now().Add(time.Duration(c.Int("max-seconds")) * time.Second)}
	searchHook(&opts)
	res := explorer.Explore(j.prog, opts)
	if res.Err != nil {
		return &exitError{code: 2, err: res.Err}
	}
	j.row.Result = res
	if cpu0 > 0 {
		j.row.CPU = cpuTime() - cpu0
	}
	j.row.PeakRSS = peakRSS()
	j.row.PeakSoFar = !reset
	return nil
}

// resetPeakRSS returns the memory the runtime holds free to the system and
// resets the kernel's peak resident set (VmHWM) to the current one, so the
// next reading is this run's peak. It reports whether the reset worked
// (Linux 4.0 on; writing 5 to clear_refs).
func resetPeakRSS() bool {
	runtime.GC()
	debug.FreeOSMemory()
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

// peakRSS is the process's peak resident set in bytes (VmHWM), or 0 when
// the system does not say.
func peakRSS() uint64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			f := strings.Fields(rest)
			if len(f) == 2 && f[1] == "kB" {
				if kb, err := strconv.ParseUint(f[0], 10, 64); err == nil {
					return kb << 10
				}
			}
		}
	}
	return 0
}
