// Package browsertest starts Debian's Chromium through chromedp with the
// flags that work on these machines (headless as root, no GPU, no QUIC, no
// background networking or component updates; see shared/NOTES.md), for
// the browser tests of wasm/e2e and extension/e2e.
//
// Both packages used to carry their own copy of these flags and of the
// rule that a missing browser skips a test except under REQUIRE_BROWSER=1
// (CI), where it fails; a flag this machine needs now has one place to go.
//
// New ties a browser to one test; Chromium and Start return errors instead,
// for a TestMain that shares one browser among the tests of a package.
package browsertest

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"testing"

	"github.com/chromedp/chromedp"
)

// Required reports whether REQUIRE_BROWSER=1 (as CI sets): a browser test
// that cannot run must then fail instead of skipping.
func Required() bool { return os.Getenv("REQUIRE_BROWSER") == "1" }

// ErrNoChromium is Chromium's error when there is no chromium on PATH.
var ErrNoChromium = errors.New("chromium not on PATH")

// Chromium returns the path of the chromium binary on PATH.
func Chromium() (string, error) {
	path, err := exec.LookPath("chromium")
	if err != nil {
		return "", ErrNoChromium
	}
	return path, nil
}

// Need returns Chromium's path; without it the test is skipped, or fails
// under REQUIRE_BROWSER=1.
func Need(t testing.TB) string {
	t.Helper()
	path, err := Chromium()
	if err != nil {
		if Required() {
			t.Fatalf("REQUIRE_BROWSER=1 but %v", err)
		}
		t.Skip(err)
	}
	return path
}

// Flags are the allocator options running chromium headless here, then
// extra (a window size, an extension to load, more flags). They leave out
// chromedp's default --disable-extensions, so an extra
// --load-extension works.
func Flags(chromium string, extra ...chromedp.ExecAllocatorOption) []chromedp.ExecAllocatorOption {
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("headless", "new"),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
	}
	return append(opts, extra...)
}

// Start starts chromium with Flags, its profile in profileDir, and returns
// the context of its first tab. cancel closes the browser; the caller
// removes profileDir afterwards.
func Start(chromium, profileDir string, extra ...chromedp.ExecAllocatorOption) (browser context.Context, cancel context.CancelFunc, err error) {
	opts := append(Flags(chromium, extra...), chromedp.UserDataDir(profileDir))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	browser, cancelBrowser := chromedp.NewContext(alloc)
	cancel = func() { cancelBrowser(); cancelAlloc() }
	if err := chromedp.Do(browser); err != nil {
		cancel()
		return nil, nil, err
	}
	return browser, cancel, nil
}

// New starts chromium for one test, with a fresh profile, and closes it
// when the test ends. Without chromium the test is skipped (see Need).
func New(t testing.TB, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	browser, cancel, err := Start(Need(t), t.TempDir(), extra...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cancel)
	return browser
}
