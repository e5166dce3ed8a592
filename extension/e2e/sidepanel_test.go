package e2e

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sidenote/sidenote/internal/browsertest"
)

// The side panel page defines the host object for the sidebar and starts
// the sidebar app (built by make wasm) under the extension's CSP.
func TestSidePanelHostsTheSidebar(t *testing.T) {
	needBrowser(t)
	if !exists(filepath.Join(repoRoot(), "extension", "dist", "sidebar.wasm")) {
		if browsertest.Required() {
			t.Fatal("the sidebar was not built into extension/dist (make wasm extension)")
		}
		t.Skip("the sidebar was not built into extension/dist (make wasm extension)")
	}
	ctx, cancel := chromedp.NewContext(suite.browser)
	defer cancel()
	err := chromedp.Do(ctx, chromedp.Navigate("chrome-extension://"+extensionID+"/sidepanel.html"))
	if err != nil {
		t.Fatal(err)
	}
	var host struct {
		Kind    string   `json:"kind"`
		Methods []string `json:"methods"`
	}
	if err := evalAsync(ctx, `({ kind: globalThis.sidenoteHost?.kind, methods: Object.keys(globalThis.sidenoteHost ?? {}).filter((k) => typeof sidenoteHost[k] === 'function').sort() })`, &host); err != nil {
		t.Fatal(err)
	}
	if host.Kind != "extension" || len(host.Methods) < 4 {
		t.Errorf("sidenoteHost = %+v", host)
	}
	// The sidebar replaces its "Loading" placeholder once the WASM runs.
	_, err = chromedp.Run(ctx, chromedp.Poll[bool](`(() => { const m = document.getElementById('main'); return !!m && !m.querySelector('.error') && !/Loading Sidenote/.test(m.textContent); })()`,
		chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(15*time.Second)))
	if err != nil {
		var text string
		_ = evalAsync(ctx, `document.body.innerText`, &text)
		t.Fatalf("sidebar did not start in the side panel: %v; page: %q", err, text)
	}
}
