package web

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"wqcheck/explorer"
)

// chromium is where Debian's chromium package puts the browser.
const chromium = "/usr/bin/chromium"

// browser starts headless Chromium with a fresh profile and returns a tab.
func browser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromium); err != nil {
		t.Skipf("no browser at %s: install the Debian package chromium (apt-get install chromium) to run the browser test", chromium)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	actx, acancel := chromedp.NewExecAllocator(ctx, chromedp.ExecPath(chromium), chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("headless", true), chromedp.Flag("no-sandbox", true), chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true), chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.WindowSize(1500, 940))
	t.Cleanup(acancel)
	tab, tcancel := chromedp.NewContext(actx)
	t.Cleanup(tcancel)
	return tab
}

// do runs browser actions, failing the test on the first error.
func do(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// until waits for a JavaScript condition on the page.
func until(t *testing.T, ctx context.Context, what, cond string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](cond, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Fatalf("waiting for %s (%s): %v", what, cond, err)
	}
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.TextContent(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// screenshot saves the page to t.TempDir(), or to the directory
// WQCHECK_SCREENSHOTS names; with WQCHECK_SCREENSHOTS=docs, the README's
// picture (readme) goes to docs/ and the others to t.TempDir().
func screenshot(t *testing.T, ctx context.Context, name string, readme bool) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	dir := t.TempDir()
	switch d := os.Getenv("WQCHECK_SCREENSHOTS"); d {
	case "":
	case "docs":
		if readme {
			dir = filepath.Join("..", "..", "docs")
		}
	default:
		dir = d
	}
	file := filepath.Join(dir, name)
	if err := os.WriteFile(file, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", file)
}

// pickStep clicks the enabled step of thread whose statement contains
// words, and waits for the state after it.
func pickStep(t *testing.T, ctx context.Context, thread, words string, depth int) {
	t.Helper()
	js := `(() => { const b = [...document.querySelectorAll('#succs button')].find(b => b.dataset.thread === ` +
		quote(thread) + ` && b.textContent.includes(` + quote(words) + `)); if (!b) return false; b.click(); return true; })()`
	ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
	if err != nil || !ok {
		t.Fatalf("no enabled step of %s doing %q (%v); the steps: %s", thread, words, err, text(t, ctx, "#succs"))
	}
	until(t, ctx, "the state after step "+itoa(depth), `document.querySelector('#pos').textContent === 'step `+itoa(depth)+` of `+itoa(depth)+`' && window.S.state && window.S.state.depth === `+itoa(depth))
}

func TestBrowserLostWakeup(t *testing.T) {
	ctx := browser(t)
	srv, err := New(Config{Variants: []string{"lost-wakeup", "lost-wakeup-fixed"}, Load: load, Search: explorer.Options{All: true}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ts := httptest.NewServer(srv)
	defer ts.Close()

	// the verdict matrix, and the deadlock's trace from its cell
	do(t, ctx, "load the page", chromedp.Navigate(ts.URL+"/?v=lost-wakeup"))
	until(t, ctx, "the deadlock verdict", `!!document.querySelector('td.v-violated[data-prop="deadlock"][data-variant="lost-wakeup"]')`)
	do(t, ctx, "open the trace", chromedp.Click(chromedp.CSS(`td.v-violated[data-prop="deadlock"]`)))
	until(t, ctx, "the trace", `!!document.querySelector('#lanes tr.cur[data-step="4"]')`)
	if msg := text(t, ctx, "#trace-msg"); !strings.Contains(msg, "nobody will wake it") {
		t.Errorf("the trace's message: %q", msg)
	}
	if lanes := text(t, ctx, "#lanes"); !strings.Contains(lanes, "consumer (CPU 0)") || !strings.Contains(lanes, "no-op: consumer is TASK_RUNNING") {
		t.Errorf("the lanes do not show the lost wake-up: %q", lanes)
	}
	// step back through it by keyboard: step 2 published the data
	for want := 3; want >= 2; want-- {
		do(t, ctx, "ArrowLeft", chromedp.KeyEvent(kb.ArrowLeft))
		until(t, ctx, "step "+itoa(want), `!!document.querySelector('#lanes tr.cur[data-step="`+itoa(want)+`"]') && window.S.state.depth === `+itoa(want))
	}
	if d := text(t, ctx, "#diff"); !strings.Contains(d, "data_ready") || !strings.Contains(d, "true") {
		t.Errorf("the diff of step 2 does not show data_ready set: %q", d)
	}
	do(t, ctx, "ArrowRight", chromedp.KeyEvent(kb.ArrowRight), chromedp.KeyEvent(kb.ArrowRight))
	until(t, ctx, "the end again", `window.S.state.depth === 4`)
	screenshot(t, ctx, "explore-trace.png", false)

	// the same deadlock, chosen by hand from the initial state
	do(t, ctx, "load the initial state", chromedp.Navigate(ts.URL+"/?v=lost-wakeup"))
	until(t, ctx, "the enabled steps", `document.querySelectorAll('#succs button').length === 2`)
	pickStep(t, ctx, "consumer", "spin_lock", 1)
	pickStep(t, ctx, "producer", "spin_lock", 2)
	pickStep(t, ctx, "producer", "wake_up_process", 3)
	if d := text(t, ctx, "#props"); !strings.Contains(d, "deadlockholds") {
		t.Errorf("deadlock should hold before the consumer sleeps: %q", d)
	}
	pickStep(t, ctx, "consumer", "set_current_state", 4)
	if d := text(t, ctx, "#props tr[data-prop=deadlock]"); !strings.Contains(d, "fails") || !strings.Contains(d, "nobody will wake it") {
		t.Errorf("deadlock at the end: %q", d)
	}
	if d := text(t, ctx, "#diff"); !strings.Contains(d, "consumer.state") || !strings.Contains(d, "TASK_UNINTERRUPTIBLE") || strings.Contains(d, "data_ready") {
		t.Errorf("the diff panel of the last step: %q (want the consumer's state changed, the rest hidden)", d)
	}
	if s := text(t, ctx, "#succs"); !strings.Contains(s, "no thread can move") {
		t.Errorf("steps enabled at the deadlock: %q", s)
	}
	do(t, ctx, "show unchanged", chromedp.Click(chromedp.CSS("#show-all")))
	until(t, ctx, "the whole state", `document.querySelector('#diff').textContent.includes('data_ready')`)
	// a watch expression, and one with an error
	do(t, ctx, "watch", chromedp.SendKeys(chromedp.CSS("#watch-input"), "data_ready && !consumed"), chromedp.Click(chromedp.CSS("#watch-form button")))
	until(t, ctx, "the watch column", `document.querySelectorAll('#lanes td.watch.changed').length === 1`)
	screenshot(t, ctx, "explore.png", true)
	do(t, ctx, "bad watch", chromedp.SendKeys(chromedp.CSS("#watch-input"), "data_ready &&"), chromedp.Click(chromedp.CSS("#watch-form button")))
	until(t, ctx, "the watch error", `document.querySelector('#watch-error').textContent.includes('watch:1:')`)

	// the shared URL reopens the same state
	url, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(url, "v=lost-wakeup") || !strings.Contains(url, "path=0.1.1.0") {
		t.Fatalf("the URL does not encode the path: %s", url)
	}
	before := text(t, ctx, "#state-panel")
	tab2, cancel := chromedp.NewContext(ctx)
	defer cancel()
	do(t, tab2, "open the shared URL", chromedp.Navigate(url))
	until(t, tab2, "the shared state", `window.S.state && window.S.state.depth === 4`)
	do(t, tab2, "show unchanged", chromedp.Click(chromedp.CSS("#show-all")))
	until(t, tab2, "the whole state", `document.querySelector('#diff').textContent.includes('data_ready')`)
	if after := text(t, tab2, "#state-panel"); after != before {
		t.Errorf("the shared URL shows another state:\n%s\nwant\n%s", after, before)
	}
}

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", `\'`) + "'" }

func itoa(n int) string { return strconv.Itoa(n) }

// TestBrowserLasso: a liveness lasso's cycle is marked; full mode shows
// every statement; the numbered graph gives the shortest path back (the
// cycle's end is the initial state) and jumps by id; the export links
// answer the pictures.
func TestBrowserLasso(t *testing.T) {
	ctx := browser(t)
	srv, err := New(Config{Variants: []string{"livelock"}, Load: load, Search: explorer.Options{All: true}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ts := httptest.NewServer(srv)
	defer ts.Close()
	do(t, ctx, "load the lasso", chromedp.Navigate(ts.URL+"/?v=livelock&prop=A-gets-through&path=0.1.0.1.0.1"))
	until(t, ctx, "the cycle mark", `!!document.querySelector('#lanes tr.cycle-start .cyclemark') && document.querySelectorAll('#lanes tr.cycle').length === 6`)
	do(t, ctx, "full", chromedp.Click(chromedp.CSS("#full")))
	until(t, ctx, "the full trace", `location.search.includes('full=1')`)
	screenshot(t, ctx, "explore-lasso.png", false)
	for _, sel := range []string{"#export-svg", "#export-dot"} {
		href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('`+sel+`').href`))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.Get(href)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !(strings.Contains(string(body), "<svg") || strings.Contains(string(body), "digraph")) {
			t.Errorf("%s (%s): %d %.200s", sel, href, resp.StatusCode, body)
		}
	}
	do(t, ctx, "shortest path", chromedp.Click(chromedp.CSS("#shortest")))
	until(t, ctx, "the shortest path to the cycle's end", `window.S.path.length === 0 && window.S.state.depth === 0 && document.querySelector('#state-id').textContent.startsWith('#0 ')`)
	do(t, ctx, "go to id 5", chromedp.SendKeys(chromedp.CSS("#goto-id"), "5"), chromedp.Click(chromedp.CSS("#goto")))
	until(t, ctx, "state 5", `document.querySelector('#state-id').textContent.startsWith('#5 ')`)
}
