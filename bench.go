package main

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/urfave/cli/v2"

	"wqcheck/explorer"
	"wqcheck/graphs"
	"wqcheck/model"
)

// The bench command: the verdict matrix of the workqueue variants at given
// sizes, on both pool kinds, under each search mode, one table row per run.

var benchVariants = []string{"upstream", "deferred-wake", "claim", "claim-deferred", "kicked-list"}

// benchModes are the search modes the bench command can compare, by name.
var benchModes = map[string]graphs.BenchMode{
	"default":     {Name: "default", Reduce: "locks", Symmetry: true},
	"1-worker":    {Name: "1-worker", Reduce: "locks", Workers: 1, Symmetry: true},
	"no-symmetry": {Name: "no-sym", Reduce: "locks"},
	"no-merge":    {Name: "no-merge", Reduce: "none", Symmetry: true},
	"exact":       {Name: "exact", Reduce: "locks", Exact: true, Symmetry: true},
	"reference":   {Name: "reference", Reduce: "none", Workers: 1},
}

func benchCommand() *cli.Command {
	return &cli.Command{
		Name:      "bench",
		Usage:     "time the verdict matrix of the workqueue variants, per size, pool kind and search mode",
		ArgsUsage: "[VARIANT...]",
		Description: "Runs each VARIANT (default: the five workqueue variants) at each size, on each pool kind,\n" +
			"in each mode, and prints a row per run: states, transitions, seconds, states/s, bytes/state and\n" +
			"the failing properties. A run that hits --max-states or --max-seconds shows its figures with '+'.\n" +
			"Modes: default (lock regions merged, symmetry reduction, fingerprints, --workers goroutines),\n" +
			"1-worker, no-symmetry (--symmetry off), no-merge (--reduce=none), exact (whole states stored)\n" +
			"and reference (no merging, no symmetry, one worker).",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "sizes", Value: "4/2", Usage: "comma-separated `W/I` sizes: W workers (NR_WORKERS), I work items (NR_WORKS)"},
			&cli.StringFlag{Name: "kinds", Value: "unbound,percpu", Usage: "pool kinds: unbound (UNBOUND=true), percpu (UNBOUND=false)"},
			&cli.StringFlag{Name: "modes", Value: "default,1-worker", Usage: "comma-separated modes: default, 1-worker, no-symmetry, no-merge, exact, reference (merging and symmetry off, one worker)"},
			&cli.StringSliceFlag{Name: "set", Usage: "override another parameter, NAME=VALUE (repeatable)"},
			&cli.IntFlag{Name: "workers", Value: runtime.NumCPU(), Usage: "goroutines for the modes that use several"},
			&cli.IntFlag{Name: "max-states", Value: 50_000_000, Usage: "stop a run after `N` states"},
			&cli.IntFlag{Name: "max-seconds", Value: 300, Usage: "stop a run after `S` seconds"},
		},
		Action: benchAction,
	}
}

func benchAction(c *cli.Context) error {
	variants := c.Args().Slice()
	if len(variants) == 0 {
		variants = benchVariants
	}
	for _, v := range variants {
		if strings.HasPrefix(v, "-") {
			return usageErr("flags go before the variants", "%s is a flag, but it comes after a variant", v)
		}
	}
	type size struct{ workers, items string }
	var sizes []size
	for _, s := range strings.Split(c.String("sizes"), ",") {
		w, i, ok := strings.Cut(s, "/")
		if !ok || w == "" || i == "" {
			return usageErr("write sizes as WORKERS/ITEMS, e.g. --sizes 4/2,4/3,5/3", "--sizes: %q is not W/I", s)
		}
		sizes = append(sizes, size{w, i})
	}
	var kinds []string
	for _, k := range strings.Split(c.String("kinds"), ",") {
		if k != "unbound" && k != "percpu" {
			return usageErr("--kinds takes unbound, percpu or both", "--kinds: unknown pool kind %q", k)
		}
		kinds = append(kinds, k)
	}
	var modes []graphs.BenchMode
	for _, m := range strings.Split(c.String("modes"), ",") {
		mode, ok := benchModes[m]
		if !ok {
			return usageErr("--modes takes default, 1-worker, no-symmetry, no-merge, exact, reference", "--modes: unknown mode %q", m)
		}
		if mode.Workers == 0 {
			mode.Workers = c.Int("workers")
		}
		modes = append(modes, mode)
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
	type job struct {
		row  graphs.BenchRow
		prog *model.Program
	}
	var jobs []job
	for _, sz := range sizes {
		for _, kind := range kinds {
			for _, v := range variants {
				for _, mode := range modes {
					set := map[string]string{"NR_WORKERS": sz.workers, "NR_WORKS": sz.items, "UNBOUND": fmt.Sprint(kind == "unbound")}
					for k, x := range extra {
						set[k] = x
					}
					p, err := loader.Load(v, model.Options{Set: set, Fine: mode.Reduce == "none"})
					if err != nil {
						return &exitError{code: 2, err: err}
					}
					jobs = append(jobs, job{graphs.BenchRow{Variant: v, Kind: kind, Size: sz.workers + "/" + sz.items, Mode: mode}, p})
				}
			}
		}
	}
	w := c.App.Writer
	graphs.WriteBenchHeader(w)
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
		// the run stops at --max-seconds or on a signal
		stop := make(chan struct{})
		var once sync.Once
		end := func() { once.Do(func() { close(stop) }) }
		timer := time.AfterFunc(time.Duration(c.Int("max-seconds"))*time.Second, end)
		done := make(chan struct{})
		go func() {
			select {
			case <-sig:
				end()
			case <-done:
			}
		}()
		res := explorer.Explore(j.prog, explorer.Options{All: true, MaxStates: c.Int("max-states"), MaxMemory: defaultMemoryBound(),
			Workers: j.row.Mode.Workers, Exact: j.row.Mode.Exact, Symmetry: j.row.Mode.Symmetry, Stop: stop})
		timer.Stop()
		close(done)
		if res.Err != nil {
			return &exitError{code: 2, err: res.Err}
		}
		j.row.Result = res
		graphs.WriteBenchRow(w, j.row)
		cut = cut || !res.Complete
	}
	// the bench's status is about completeness: the violations it finds
	// (deferred-wake's S9) are its data, not a failure
	if cut {
		return &exitError{code: exitIncomplete}
	}
	return nil
}
