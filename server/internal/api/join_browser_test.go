package api

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sidenote/sidenote/server/internal/store/storetest"
	"github.com/sidenote/sidenote/shared/api"
)

// TestJoinPageInBrowser fills the guest page in Chromium: the form must
// work as a browser really submits it (with the Origin header the page's
// referrer policy makes the browser send), first without consent, then
// with it.
func TestJoinPageInBrowser(t *testing.T) {
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("REQUIRE_BROWSER") == "1" {
			t.Fatal("Chromium is required (REQUIRE_BROWSER=1) but chromium is not on PATH")
		}
		t.Skip("chromium is not on PATH (set REQUIRE_BROWSER=1 to fail instead)")
	}
	storetest.EachDialect(t, func(t *testing.T, databaseURL string) {
		ts := newTestServer(t, databaseURL)
		// The guest opens the link on the server's own origin.
		ts.cfg.PublicURL = ts.http.URL
		a := ts.login("a@example.com")
		var sess api.Session
		ts.do(a, http.MethodPost, "/api/v1/sessions", api.CreateSessionRequest{
			Type: api.SessionTelehealth, Consent: &api.Consent{Obtained: true, Method: api.ConsentElectronic},
		}, http.StatusCreated, &sess)

		allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
			chromedp.ExecPath(chromium), chromedp.UserDataDir(t.TempDir()),
			chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
			chromedp.Flag("headless", "new"), chromedp.Flag("no-sandbox", true),
			chromedp.Flag("disable-gpu", true), chromedp.Flag("disable-quic", true),
			chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true), chromedp.Flag("disable-dev-shm-usage", true))
		t.Cleanup(cancelAlloc)
		ctx, cancel := chromedp.NewContext(allocCtx)
		t.Cleanup(cancel)
		ctx, cancelTimeout := context.WithTimeout(ctx, 20*time.Second)
		t.Cleanup(cancelTimeout)

		// The checkbox is required: without it the browser keeps the form unsent.
		err := chromedp.Do(ctx,
			chromedp.Navigate(sess.JoinURL),
			chromedp.SendKeys(chromedp.CSS("#email"), guestEmail),
			chromedp.Click(chromedp.CSS("button[type=submit]")),
		)
		if err != nil {
			t.Fatal(err)
		}
		// The stylesheet loaded under the page's CSP (no inline style allowed).
		button, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector("button")).backgroundColor`))
		if err != nil || button != "rgb(36, 87, 166)" {
			t.Fatalf("the join page's stylesheet did not apply: button background %q (%v)", button, err)
		}
		var link api.TelehealthLink
		ts.do(a, http.MethodGet, "/api/v1/sessions/"+sess.ID+"/telehealth", nil, http.StatusOK, &link)
		if link.GuestJoinedAt != nil {
			t.Fatal("the form was sent without consent")
		}
		err = chromedp.Do(ctx,
			chromedp.Click(chromedp.CSS("#consent")),
			chromedp.Click(chromedp.CSS("button[type=submit]")),
			chromedp.WaitVisible(chromedp.CSS("#call[data-state]")),
		)
		if err != nil {
			page, _ := chromedp.Run(context.WithoutCancel(ctx), chromedp.Evaluate[string](`document.body.innerText`))
			t.Fatalf("submitting the form: %v\npage text:\n%s\nlog:\n%s", err, page, ts.logs.String())
		}
		heading, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1")))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(heading, "Your session with Dr a@example.com") {
			t.Fatalf("after joining the page says %q", heading)
		}
		ts.do(a, http.MethodGet, "/api/v1/sessions/"+sess.ID+"/telehealth", nil, http.StatusOK, &link)
		if link.GuestJoinedAt == nil || link.GuestConsentedAt == nil {
			t.Fatalf("the browser's join was not recorded: %+v", link)
		}
		assertNowhere(t, ts, guestEmail)
	})
}
