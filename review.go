package main

import (
	"bufio"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"wqcheck/explorer"
	"wqcheck/graphs"
	"wqcheck/model"
)

// The review command: each variant over the ladder of configurations in
// ladder.go, within a time budget, reported as one matrix that says which
// configuration each verdict came from.

func reviewCommand() *cli.Command {
	return &cli.Command{
		Name:      "review",
		Usage:     "check each variant over the review ladder (both pool kinds, the sizes where known bugs show, TIMED, hotplug) within a time budget",
		ArgsUsage: "VARIANT...",
		Description: "Runs each VARIANT on every rung of the ladder that its model has the parameters for, cheapest\n" +
			"first, every property checked on each (--all), until the variant's --budget is spent: a rung the\n" +
			"budget cuts reports unknown for what it did not decide, never \"holds\". Prints one matrix: a\n" +
			"property violated (FAIL@n) or witnessed (wit@n) at the first rung n that shows it, ok when it\n" +
			"holds in every rung, ?@n when rung n did not finish; then each variant's rungs and the traces.\n" +
			"Exit status as check: 0 holds, 1 violated, 2 bad input, 3 incomplete.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "budget", Value: defaultBudget, Usage: "time for each variant's ladder, as a Go duration (`DURATION`: 90s, 5m)"},
			&cli.BoolFlag{Name: "summary", Usage: "print the matrix and the rungs only, no traces"},
			&cli.BoolFlag{Name: "full", Usage: "print the full traces (every step and statement) instead of the brief ones"},
			&cli.BoolFlag{Name: "by-cpu", Usage: "lay the traces out by CPU"},
			&cli.IntFlag{Name: "width", Value: 72, DefaultText: "72; 100 with --full", Usage: "width of the traces in columns"},
			&cli.IntFlag{Name: "workers", Value: runtime.NumCPU(), Usage: "generate successors on `N` goroutines"},
			&cli.IntFlag{Name: "max-memory", DefaultText: "3/4 of RAM", Usage: "stop a rung when the process would hold more than `MIB` mebibytes"},
		},
		Action: reviewAction,
	}
}

func reviewAction(c *cli.Context) error {
	variants := c.Args().Slice()
	if len(variants) == 0 {
		return usageErr("usage: wqcheck review [flags] VARIANT...; wqcheck list shows the built-in models", "no variant to review")
	}
	for _, v := range variants {
		if strings.HasPrefix(v, "-") {
			return usageErr("flags go before the variants: wqcheck review "+v+" "+strings.Join(filterOut(variants, v), " "),
				"%s is a flag, but it comes after a variant", v)
		}
	}
	budget, err := time.ParseDuration(c.String("budget"))
	if err != nil || budget <= 0 {
		return usageErr("write the budget as a Go duration: --budget 90s, --budget 5m", "--budget %q: not a positive duration", c.String("budget"))
	}
	if err := checkWorkers(c); err != nil {
		return err
	}
	if err := checkWidth(c); err != nil {
		return err
	}
	reviews, err := loadLadders(variants)
	if err != nil {
		return err
	}
	var jobs []job // for the warnings: what a variant dropped that a property reads
	for _, rv := range reviews {
		jobs = append(jobs, job{prog: rv.Rungs[0].Run.Result.Program})
	}
	printWarnings(c.App.ErrWriter, jobs)
	opts := explorer.Options{All: true, Workers: c.Int("workers"), Symmetry: true, MaxMemory: uint64(c.Int("max-memory")) << 20}
	if !c.IsSet("max-memory") {
		opts.MaxMemory = defaultMemoryBound()
	}
	sig, release := stopOnSignal()
	defer release()
	for _, rv := range reviews {
		if err := climb(rv, opts, budget, sig); err != nil {
			return err
		}
	}
	w := bufio.NewWriter(c.App.Writer)
	graphs.WriteReviewMatrix(w, reviews, budget)
	if !c.Bool("summary") {
		opt := graphs.TextOptions{Width: c.Int("width"), ByCPU: c.Bool("by-cpu"), Brief: !c.Bool("full")}
		if c.Bool("full") && !c.IsSet("width") {
			opt.Width = 100
		}
		graphs.WriteReviewTraces(w, reviews, opt)
	}
	if err := flushed(w); err != nil {
		return err
	}
	var results []*explorer.Result
	for _, rv := range reviews {
		results = append(results, rv.Results()...)
	}
	if code := resultStatus(results); code != exitHolds {
		return &exitError{code: code}
	}
	return nil
}

// loadLadders loads every variant on every rung that applies to it, before
// any search: bad input prints nothing else. A rung that sets a parameter
// the model does not declare does not apply; one whose parameters equal an
// earlier rung's is left out.
func loadLadders(variants []string) ([]*graphs.Review, error) {
	var reviews []*graphs.Review
	for _, v := range variants {
		base, err := loader.Load(v, model.Options{})
		if err != nil {
			return nil, &exitError{code: 2, err: err}
		}
		declared := map[string]bool{}
		for _, pv := range base.Params {
			declared[pv.Name] = true
		}
		rv := &graphs.Review{Variant: v}
		seen := map[string]int{} // parameters -> the rung that has them
		for i, r := range reviewLadder {
			set := r.setMap()
			if !allDeclared(slices.Collect(maps.Keys(set)), declared) {
				continue
			}
			p, err := loader.Load(v, model.Options{Set: set})
			if err != nil {
				return nil, &exitError{code: 2, err: fmt.Errorf("review rung %d (%s): %w", i+1, r.name, err)}
			}
			rg := &graphs.ReviewRung{N: i + 1, Name: r.name, Config: r.setText(), Same: seen[p.FormatParams()],
				Run: graphs.Run{Variant: v, Label: v, Reduce: "locks", Result: explorer.NotRun(p)}}
			if rg.Same == 0 {
				seen[p.FormatParams()] = i + 1
			}
			rv.Rungs = append(rv.Rungs, rg)
		}
		reviews = append(reviews, rv)
	}
	return reviews, nil
}

func allDeclared(names []string, declared map[string]bool) bool {
	for _, n := range names {
		if !declared[n] {
			return false
		}
	}
	return true
}

// climb runs a variant's rungs in order until its budget is spent or a
// signal comes; the rung running then is cut (in its search or in the
// whole-graph analyses after it: its undecided properties stay unknown)
// and the rest are not run.
func climb(rv *graphs.Review, opts explorer.Options, budget time.Duration, sig <-chan struct{}) error {
	opts.Deadline, opts.Stop = time.Now().Add(budget), sig
	for _, rg := range rv.Rungs {
		if rg.Same > 0 {
			continue
		}
		if stopped(sig) {
			rg.Cut = graphs.CutNotRunSignal
			continue
		}
		if !time.Now().Before(opts.Deadline) {
			rg.Cut = graphs.CutNotRunBudget
			continue
		}
		res := explorer.Explore(rg.Run.Result.Program, opts)
		if res.Err != nil {
			return &exitError{code: 2, err: res.Err}
		}
		rg.Run.Result = res
		if !res.Complete {
			rg.Cut = cutWords[res.Stopped]
			if rg.Cut == "" {
				rg.Cut = string(res.Stopped)
			}
		}
	}
	return nil
}

// cutWords are the rung statuses of the stops that come from outside the
// search (graphs.ReviewRung.Cut); the search's own bounds are named as
// they are.
var cutWords = map[explorer.StopReason]string{explorer.StopDeadline: "budget", explorer.StopInterrupted: "interrupted"}
