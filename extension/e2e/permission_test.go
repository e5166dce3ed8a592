package e2e

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"github.com/sidenote/sidenote/shared/note"
)

// A site the clinician has not granted (here 127.0.0.2, outside the dev
// build's host permissions) is not written to: the insertion asks for the
// site's permission instead.
func TestEngineNeedsThePermissionOfTheSite(t *testing.T) {
	needBrowser(t)
	srv := serveFixturesOnAnotherAddress(t)

	// Without permission the extension cannot even see the tab's URL, so the
	// extension page opens the tab itself and keeps its id.
	url := srv.URL + "/plain.html"
	var tabID int
	if err := evalAsync(suite.ext, fmt.Sprintf(`chrome.tabs.create({ url: %s, active: false }).then((tab) => tab.id)`, jsArgs(url)), &tabID); err != nil {
		t.Fatal(err)
	}
	defer evalAsync(suite.ext, fmt.Sprintf(`chrome.tabs.remove(%d)`, tabID), nil)
	p := &page{name: "plain@127.0.0.2", url: url, tabID: tabID}
	var targetID target.ID
	for deadline := time.Now().Add(10 * time.Second); targetID == "" && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		targets, err := chromedp.Targets(suite.browser)
		if err != nil {
			t.Fatal(err)
		}
		for _, tg := range targets {
			if tg.URL == url {
				targetID = tg.TargetID
			}
		}
	}
	ctx, cancel := chromedp.NewContext(suite.browser, chromedp.WithTargetID(targetID))
	defer cancel()
	p.ctx = ctx
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`window.fixtureReady === true`, chromedp.WithPollingInterval(20*time.Millisecond), chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatal(err)
	}

	before := p.model(t)
	res := insertEngine(t, p, engineNote(t, note.SOAP), "skip")
	if res.OK || res.Error != "permission_required" {
		t.Errorf("insert = %+v, want permission_required", res)
	}
	if after := p.model(t); !mapsEqual(after, before) {
		t.Errorf("page changed without permission: %q", after)
	}
}

// A note form in a frame from an origin the clinician has not granted is
// not reached from the top document: the reply names the frame's origin so
// the side panel can ask for it, and the form is untouched.
func TestEngineNamesFramesItMayNotRead(t *testing.T) {
	needBrowser(t)
	srv := serveFixturesOnAnotherAddress(t)

	ctx, cancel := chromedp.NewContext(suite.browser)
	defer cancel()
	url := fmt.Sprintf("%s/crossorigin.html?tab=%d&frame=%s", suite.fixtures, tabSerial.Add(1), srv.URL)
	if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.Action[chromedp.Void](chromedp.Poll[chromedp.Void](`window.fixtureReady === true`,
		chromedp.WithPollingInterval(20*time.Millisecond), chromedp.WithPollingTimeout(15*time.Second)))); err != nil {
		t.Fatal(err)
	}
	p := &page{ctx: ctx, url: url, name: "crossorigin@127.0.0.2"}
	before := p.model(t)
	var res struct {
		insertResult
		FrameOrigins []string `json:"frame_origins"`
	}
	expr := fmt.Sprintf(`(async () => {
		const { insertNote } = await import('./insertion.js');
		try { return await insertNote(%s, %s, {}); }
		catch (e) { return { ok: false, error: e.code ?? 'failed', message: e.message }; }
	})()`, p.tabExpr(), jsArgs(engineNote(t, note.DAP)))
	if err := evalAsync(suite.ext, expr, &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Filled) != 0 || len(res.FrameOrigins) != 1 || res.FrameOrigins[0] != srv.URL {
		t.Fatalf("insert = %+v, want nothing filled and the frame's origin %s named", res, srv.URL)
	}
	for _, s := range res.Skipped {
		if !strings.Contains(s.Reason, srv.URL) {
			t.Errorf("%s skipped for %q, which does not name the frame's origin", s.Section, s.Reason)
		}
	}
	if after := p.model(t); !mapsEqual(after, before) {
		t.Errorf("the frame's form changed: %q", after)
	}
}

// serveFixturesOnAnotherAddress serves the fixtures on 127.0.0.2, outside
// the dev build's host permissions: a site the clinician has not granted.
func serveFixturesOnAnotherAddress(t *testing.T) *httptest.Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("no second loopback address: %v", err)
	}
	srv := httptest.NewUnstartedServer(http.FileServer(http.Dir(suite.fixturesDir)))
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}
