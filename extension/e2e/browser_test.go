package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sidenote/sidenote/internal/browsertest"
	"github.com/sidenote/sidenote/internal/sidenotetest"
)

// extensionID is fixed by the manifest key (see extension/README.md).
const extensionID = "nkfakkladpjdkjfmfegfanikgkbddhco"

// suite is the one browser shared by every test of the binary: starting
// Chromium with the extension takes about a second.
var suite struct {
	skip        string // why browser tests cannot run here
	browser     context.Context
	ext         context.Context // a tab showing the extension's side panel page
	fixtures    string          // base URL of the fixture pages
	fixturesDir string
}

func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

func TestMain(m *testing.M) {
	code := runSuite(m)
	sidenotetest.RemoveBinary()
	os.Exit(code)
}

func runSuite(m *testing.M) int {
	root := repoRoot()
	dist := filepath.Join(root, "extension", "dist")
	fixtures := filepath.Join(root, "extension", "fixtures", "dist")
	chromium, err := browsertest.Chromium()
	switch {
	case err != nil:
		suite.skip = err.Error()
	case !exists(filepath.Join(dist, "manifest.json")):
		suite.skip = "extension not built (run extension/build.sh)"
	case !exists(filepath.Join(fixtures, "plain.html")):
		suite.skip = "fixtures not built (run make fixtures)"
	}
	if suite.skip != "" {
		return m.Run()
	}

	suite.fixturesDir = fixtures
	srv := httptest.NewServer(http.FileServer(http.Dir(fixtures)))
	defer srv.Close()
	suite.fixtures = srv.URL

	profile, err := os.MkdirTemp("", "sidenote-e2e-profile-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(profile)

	browser, cancelBrowser, err := browsertest.Start(chromium, profile,
		// Fixture tabs sit behind the extension tab; keep them running at
		// full speed as a visible EHR tab beside the side panel would.
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.Flag("disable-backgrounding-occluded-windows", true),
		chromedp.Flag("disable-extensions-except", dist),
		chromedp.Flag("load-extension", dist),
		chromedp.WindowSize(1200, 900),
	)
	if err != nil {
		fmt.Fprintln(os.Stderr, "start chromium:", err)
		return 1
	}
	defer cancelBrowser()
	suite.browser = browser

	ext, cancelExt := chromedp.NewContext(browser)
	defer cancelExt()
	if err := openExtensionPage(ext); err != nil {
		fmt.Fprintln(os.Stderr, "open extension page:", err)
		return 1
	}
	suite.ext = ext

	stopServer, err := startServer()
	if err != nil {
		// Tests that need the server skip with this reason, or fail under
		// REQUIRE_BROWSER=1 or REQUIRE_POSTGRES=1; the engine tests still
		// run.
		server.skip = "the server did not start: " + err.Error()
		stopServer = func() {}
	}
	defer stopServer()
	if server.skip != "" {
		fmt.Fprintln(os.Stderr, "tests needing the server will skip:", server.skip)
	}
	if server.sidenoteServer != nil {
		if err := connectExtension(server.sidenoteServer); err != nil {
			fmt.Fprintln(os.Stderr, "connect extension:", err)
			return 1
		}
	}
	return m.Run()
}

// openExtensionPage opens the side panel page as a tab; the service worker
// may need a moment after start-up before the page is served.
func openExtensionPage(ctx context.Context) error {
	url := "chrome-extension://" + extensionID + "/sidepanel.html"
	var lastErr error
	for range 50 {
		lastErr = chromedp.Do(ctx, chromedp.Navigate(url))
		if lastErr != nil {
			time.Sleep(100 * time.Millisecond)
			continue
		}
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof chrome.runtime?.id === "string"`))
		if lastErr = err; err == nil && ok {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("extension page never loaded: %v", lastErr)
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// needBrowser skips a test when the browser or builds are missing, unless
// REQUIRE_BROWSER=1 (CI), where that is a failure.
func needBrowser(tb testing.TB) {
	tb.Helper()
	if suite.skip == "" {
		return
	}
	if browsertest.Required() {
		tb.Fatalf("browser tests required but cannot run: %s", suite.skip)
	}
	tb.Skip(suite.skip)
}

// evalAsync evaluates an async expression in ctx's page and decodes its
// JSON-serialisable result into out.
func evalAsync(ctx context.Context, expr string, out any) error {
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		return err
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(raw, out)
}

// jsArgs renders Go values as a JavaScript argument list.
func jsArgs(args ...any) string {
	parts := make([]string, len(args))
	for i, a := range args {
		b, err := json.Marshal(a)
		if err != nil {
			panic(err)
		}
		parts[i] = string(b)
	}
	return strings.Join(parts, ", ")
}

var tabSerial atomic.Int64

// page is an open fixture tab.
type page struct {
	ctx   context.Context
	url   string
	name  string
	tabID int // known when the extension opened the tab itself
}

func openFixture(tb testing.TB, name string) *page {
	tb.Helper()
	return openFixtureAt(tb, suite.fixtures, name)
}

// openFixtureAt opens a fixture page served from base.
func openFixtureAt(tb testing.TB, base, name string) *page {
	tb.Helper()
	needBrowser(tb)
	ctx, cancel := chromedp.NewContext(suite.browser)
	tb.Cleanup(cancel)
	// A query string unique to the tab tells tabs with the same page apart.
	url := fmt.Sprintf("%s/%s.html?tab=%d", base, name, tabSerial.Add(1))
	err := chromedp.Do(ctx,
		chromedp.Navigate(url),
		chromedp.Action[chromedp.Void](chromedp.Poll[chromedp.Void](`window.fixtureReady === true`,
			chromedp.WithPollingInterval(20*time.Millisecond), chromedp.WithPollingTimeout(15*time.Second))),
	)
	if err != nil {
		tb.Fatalf("open fixture %s: %v", name, err)
	}
	return &page{ctx: ctx, url: url, name: name}
}

// model reads every field through the page's editors' own APIs.
func (p *page) model(tb testing.TB) map[string]string {
	tb.Helper()
	var m map[string]string
	if err := evalAsync(p.ctx, `window.fixtureModel()`, &m); err != nil {
		tb.Fatalf("%s: fixtureModel: %v", p.name, err)
	}
	return m
}

// save clicks the page's Save button and returns what it would submit.
func (p *page) save(tb testing.TB) string {
	tb.Helper()
	if err := chromedp.Do(p.ctx, chromedp.Click(`#save`)); err != nil {
		tb.Fatalf("%s: click save: %v", p.name, err)
	}
	payload, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](`Promise.resolve(window.savedPayload).then((v) => typeof v === "string" ? v : JSON.stringify(v))`, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.Fatalf("%s: save: %v", p.name, err)
	}
	return payload
}

// tabExpr is JavaScript, run in the extension page, that finds this
// fixture's tab id.
func (p *page) tabExpr() string {
	if p.tabID != 0 {
		return fmt.Sprint(p.tabID)
	}
	return fmt.Sprintf(`(await chrome.tabs.query({ url: %s }))[0].id`, jsArgs(p.url))
}
