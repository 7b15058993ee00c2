package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"wqcheck/graphs/web"
	"wqcheck/model"
)

func exploreCommand() *cli.Command {
	return &cli.Command{
		Name:      "explore",
		Usage:     "explore the variants in the browser: verdicts, traces as lanes, step-by-step simulation",
		ArgsUsage: "VARIANT...",
		Description: "Serves one page on 127.0.0.1 (a free port unless --listen says otherwise) and prints its URL.\n" +
			"The searches run in the server, in the background; Ctrl-C stops it. Flags go before the variants.",
		Flags: []cli.Flag{
			&cli.StringSliceFlag{Name: "set", Usage: "override a parameter, NAME=VALUE or NAME=a,b,... (repeatable), as in check"},
			&cli.StringFlag{Name: "listen", Value: "127.0.0.1:0", Usage: "serve on `ADDR` (host:port; port 0 picks a free one)"},
			&cli.BoolFlag{Name: "open", Usage: "open the page in the browser (xdg-open)"},
			&cli.BoolFlag{Name: "all", Value: true, Usage: "keep searching after a violation, to find every violated property (--all=false stops at the first)"},
			&cli.BoolFlag{Name: "lockdep", Value: true, Usage: "check lockdep's rules (the lockdep-* properties)"},
			&cli.IntFlag{Name: "max-states", Usage: "stop each search after `N` states (0: no bound)"},
			&cli.IntFlag{Name: "max-depth", Usage: "do not expand states deeper than `N` steps (0: no bound)"},
			&cli.IntFlag{Name: "max-memory", DefaultText: "3/4 of RAM", Usage: "stop a search cleanly before the process holds more than `MIB` mebibytes"},
			&cli.StringFlag{Name: "reduce", Value: "locks", Usage: "step granularity: locks (merge lock-holding regions), strict (lockless-read locations end a region) or none (fine-grained)"},
			&cli.IntFlag{Name: "workers", Value: runtime.NumCPU(), Usage: "generate successors on `N` goroutines"},
			&cli.BoolFlag{Name: "exact", Usage: "store whole states instead of 64-bit fingerprints"},
			&cli.StringFlag{Name: "symmetry", Value: "on", Usage: "symmetry reduction: on, or off"},
		},
		Action: exploreAction,
	}
}

func exploreAction(c *cli.Context) error {
	variants := c.Args().Slice()
	if len(variants) == 0 {
		return usageErr("usage: wqcheck explore [flags] VARIANT...; wqcheck list shows the built-in models", "no variant to explore")
	}
	for _, v := range variants {
		if strings.HasPrefix(v, "-") {
			return usageErr("flags go before the variants: wqcheck explore "+v+" "+strings.Join(filterOut(variants, v), " "),
				"%s is a flag, but it comes after a variant", v)
		}
	}
	for _, f := range []string{"max-states", "max-depth", "max-memory"} {
		if c.Int(f) < 0 {
			return usageErr("", "--%s must not be negative", f)
		}
	}
	sets, err := parseSets(c.StringSlice("set"))
	if err != nil {
		return err
	}
	if err := checkReduce(c.String("reduce")); err != nil {
		return err
	}
	if err := checkWorkers(c); err != nil {
		return err
	}
	opts, err := searchOptions(c)
	if err != nil {
		return err
	}
	fine, strict, noLockdep := c.String("reduce") == "none", c.String("reduce") == "strict", !c.Bool("lockdep")
	srv, err := web.New(web.Config{Variants: variants, Sets: sets.all, Search: opts,
		Load: func(v string, set map[string]string) (*model.Program, error) {
			return loader.Load(v, model.Options{Set: set, Fine: fine, Strict: strict, NoLockdep: noLockdep})
		}})
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	defer srv.Close()
	ln, err := net.Listen("tcp", c.String("listen"))
	if err != nil {
		return usageErr("--listen takes host:port, e.g. 127.0.0.1:8080", "--listen: %v", err)
	}
	url := "http://" + ln.Addr().String() + "/"
	fmt.Fprintf(c.App.Writer, "wqcheck explore: %s (Ctrl-C stops)\n", url)
	if c.Bool("open") {
		openBrowser(c, url)
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	stop, release := stopOnSignal()
	defer release()
	go func() {
		<-stop
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = hs.Shutdown(ctx)
	}()
	if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return &exitError{code: 2, err: err}
	}
	return nil
}

// openBrowser opens url with xdg-open, where there is one.
func openBrowser(c *cli.Context, url string) {
	bin, err := exec.LookPath("xdg-open")
	if err != nil {
		fmt.Fprintln(c.App.ErrWriter, "wqcheck: no xdg-open here: open the URL in a browser yourself")
		return
	}
	if err := exec.Command(bin, url).Start(); err != nil {
		fmt.Fprintf(c.App.ErrWriter, "wqcheck: xdg-open: %v\n", err)
	}
}
