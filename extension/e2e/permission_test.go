package e2e

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
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
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("no second loopback address: %v", err)
	}
	srv := httptest.NewUnstartedServer(http.FileServer(http.Dir(suite.fixturesDir)))
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	defer srv.Close()

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
