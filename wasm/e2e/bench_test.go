//go:build !js

package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sidenote/sidenote/shared/api"
)

// extensionID is fixed by the manifest key of the dev build.
const extensionID = "nkfakkladpjdkjfmfegfanikgkbddhco"

// TestFirstRenderBenchmark prints the sidebar's size and the time from
// navigation to the first rendered session list with 1,000 sessions in the
// account, in headless Chromium over loopback: on /app and in the
// extension's side panel page. Run by `make bench` (SIDENOTE_BENCH=1);
// nothing is asserted, the figures are for reading.
func TestFirstRenderBenchmark(t *testing.T) {
	if os.Getenv("SIDENOTE_BENCH") != "1" {
		t.Skip("set SIDENOTE_BENCH=1 to run the first-render benchmark")
	}
	web := build(t)
	// The files /app sends: the build's own gzip and brotli copies
	// (internal/cmd/precompress), byte for byte.
	var sizes [3]int
	for i, name := range []string{"sidebar.wasm", "sidebar.wasm.gz", "sidebar.wasm.br"} {
		info, err := os.Stat(filepath.Join(web, name))
		if err != nil {
			t.Fatal(err)
		}
		sizes[i] = int(info.Size())
	}
	fmt.Printf("sidebar.wasm as served: %d bytes (%.3f MB) raw, %d bytes (%.3f MB) gzip, %d bytes (%.3f MB) brotli (target ≤ 0.9 MB gzip)\n",
		sizes[0], mb(sizes[0]), sizes[1], mb(sizes[1]), sizes[2], mb(sizes[2]))

	srv := startServer(t, "SIDENOTE_API_RATE_LIMIT=0", "SIDENOTE_EXTENSION_IDS="+extensionID)
	token := srv.devToken(t, "dr.bench@example.test")
	seedSessions(t, srv, token, 1000)

	const runs = 10
	appTimes := firstRenders(t, runs, nil, srv.URL+"/app/", func(p page) {
		eval[chromedp.Void](p, `localStorage.setItem('sidenote.token', `+jsString(token)+`)`)
	}, "app-list-1000-400x800.png")
	report("/app", appTimes)

	dist, ok := extensionDir(t, web)
	if !ok {
		t.Log("extension sources missing: side panel not measured")
		return
	}
	panelTimes := firstRenders(t, runs, []chromedp.ExecAllocatorOption{
		chromedp.Flag("disable-extensions", false),
		chromedp.Flag("disable-extensions-except", dist),
		chromedp.Flag("load-extension", dist),
	}, "chrome-extension://"+extensionID+"/sidepanel.html", func(p page) {
		p.waitFor("the side panel host", `typeof globalThis.sidenoteHost === 'object'`)
		ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
		defer cancel()
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](`sidenoteHost.connect(`+jsString(srv.URL)+`, `+jsString(token)+`)`, chromedp.EvalAwaitPromise)); err != nil {
			t.Fatal(err)
		}
	}, "sidepanel-list-1000-400x800.png")
	report("side panel", panelTimes)
}

func mb(n int) float64 { return float64(n) / 1e6 }

func report(where string, ms []float64) {
	s := slices.Clone(ms)
	slices.Sort(s)
	fmt.Printf("first render of the session list, 1,000 sessions, %s: median %.0f ms, min %.0f, max %.0f over %d loads (first load %.0f ms; target median ≤ 400 ms)\n",
		where, s[len(s)/2], s[0], s[len(s)-1], len(s), ms[0])
}

// seedSessions creates n sessions through the API, spread over past days.
func seedSessions(t *testing.T, srv *server, token string, n int) {
	t.Helper()
	var wg sync.WaitGroup
	jobs := make(chan int)
	for range 8 {
		wg.Go(func() {
			for i := range jobs {
				anon := []api.Anonymous{api.AnonymousIndividual, api.AnonymousCouple}[i%2]
				started := time.Now().Add(-time.Duration(i) * 3 * time.Hour).UTC()
				srv.call(t, token, "POST", "/api/v1/sessions", api.CreateSessionRequest{
					Type: api.SessionInPerson, Anonymous: &anon, StartedAt: &started,
					Consent: &api.Consent{Obtained: true, Method: api.ConsentVerbal},
				}, &api.Session{})
			}
		})
	}
	for i := range n {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
}

// firstRenders loads url runs times in one browser and returns, per load,
// the milliseconds from navigation start to the first session rows in the
// DOM (performance.now() as the sidebar records it). setup runs once on the
// first load, to sign in.
func firstRenders(t *testing.T, runs int, browserOpts []chromedp.ExecAllocatorOption, url string, setup func(page), screenshot string) []float64 {
	ctx := newBrowser(t, browserOpts...)
	p := page{t: t, ctx: ctx}
	p.do(chromedp.EmulateViewport(400, 800), chromedp.Navigate(url))
	setup(p)
	var out []float64
	for range runs {
		p.do(chromedp.Navigate(url))
		p.waitFor("the first rows", `typeof globalThis.sidenoteListRendered === 'number'`)
		out = append(out, eval[float64](p, `globalThis.sidenoteListRendered`))
		if os.Getenv("SIDENOTE_BENCH_VERBOSE") == "1" {
			fmt.Println(eval[string](p, `JSON.stringify({instantiated: globalThis.sidenoteInstantiated, rendered: globalThis.sidenoteListRendered,
				resources: performance.getEntriesByType('resource').map(e => [e.name.split('/').pop().slice(0, 40), Math.round(e.startTime), Math.round(e.responseEnd)])})`))
		}
		if n := eval[int](p, `document.querySelectorAll('#s-list li').length`); n != 50 {
			t.Fatalf("first page shows %d sessions, want 50", n)
		}
	}
	p.screenshot(screenshot)
	return out
}

// extensionDir assembles the unpacked extension as extension/build.sh does,
// in a temporary directory, with this build of the sidebar.
func extensionDir(t *testing.T, web string) (string, bool) {
	root := repoRoot(t)
	src := filepath.Join(root, "extension", "src")
	if _, err := os.Stat(filepath.Join(src, "manifest.json")); err != nil {
		return "", false
	}
	dist := t.TempDir()
	copyGlob := func(pattern, dir string) {
		files, _ := filepath.Glob(pattern)
		for _, f := range files {
			if err := copyFile(f, filepath.Join(dir, filepath.Base(f))); err != nil {
				t.Fatal(err)
			}
		}
	}
	_ = os.MkdirAll(filepath.Join(dist, "content"), 0o755)
	_ = os.MkdirAll(filepath.Join(dist, "icons"), 0o755)
	copyGlob(filepath.Join(src, "*.json"), dist)
	copyGlob(filepath.Join(src, "*.html"), dist)
	copyGlob(filepath.Join(src, "*.js"), dist)
	copyGlob(filepath.Join(src, "content", "*.js"), filepath.Join(dist, "content"))
	for _, f := range []string{"wasm_exec.js", "app.css", "boot.js", "media.js", "sidebar.wasm"} {
		if err := copyFile(filepath.Join(web, f), filepath.Join(dist, f)); err != nil {
			t.Fatal(err)
		}
	}
	if err := goBuild(root, []string{"GOOS=js", "GOARCH=wasm"}, filepath.Join(dist, "matcher.wasm"), "-trimpath", "./wasm/cmd/matcher"); err != nil {
		t.Fatal(err)
	}
	icons := exec.Command("go", "run", "./extension/cmd/icons", filepath.Join(dist, "icons"))
	icons.Dir = root
	if b, err := icons.CombinedOutput(); err != nil {
		t.Fatalf("icons: %v\n%s", err, b)
	}
	return dist, true
}
