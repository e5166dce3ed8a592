package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sidenote/sidenote/shared/api"
)

// A telehealth call held from the side panel: its signalling socket opens
// from the extension's origin, and a guest in a tab of the same browser
// connects to it.
func TestSidePanelHoldsATelehealthCall(t *testing.T) {
	s := needServer(t)
	if err := connectExtension(s); err != nil {
		t.Fatal(err)
	}
	var sess api.Session
	if err := s.call("POST", "/sessions", api.CreateSessionRequest{Type: api.SessionTelehealth,
		Consent: &api.Consent{Obtained: true, Method: api.ConsentVerbal}}, &sess); err != nil {
		t.Fatal(err)
	}
	panel, cancel := chromedp.NewContext(suite.browser)
	defer cancel()
	guest, cancelGuest := chromedp.NewContext(suite.browser)
	defer cancelGuest()
	wait := func(c context.Context, what, cond string) {
		t.Helper()
		if _, err := chromedp.Run(c, chromedp.Poll[bool](cond, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(20*time.Second))); err != nil {
			var text string
			_ = evalAsync(c, `document.body.innerText`, &text)
			t.Fatalf("waiting for %s: %v\npage text:\n%s", what, err, text)
		}
	}
	if err := chromedp.Do(panel, chromedp.Navigate("chrome-extension://"+extensionID+"/sidepanel.html")); err != nil {
		t.Fatal(err)
	}
	wait(panel, "the session", `(() => { const b = document.querySelector('#s-list li button[data-arg="`+sess.ID+`"]'); if (!b) return false; b.click(); return true; })()`)
	wait(panel, "the call panel", `(() => { const b = document.querySelector('[data-act="call-start"]'); if (!b || !document.querySelector('#join-link')) return false; b.click(); return true; })()`)
	wait(panel, "waiting for the guest", `document.querySelector('#call-guest')?.textContent.includes('Waiting for the guest')`)
	var joinURL string
	if err := evalAsync(panel, `document.querySelector('#join-link').value`, &joinURL); err != nil {
		t.Fatal(err)
	}

	if err := chromedp.Do(guest, chromedp.Navigate(joinURL)); err != nil {
		t.Fatal(err)
	}
	wait(guest, "the join form", `(() => { const e = document.querySelector('#email'); if (!e) return false;
		e.value = 'guest.panel@example.test'; document.querySelector('#consent').checked = true;
		document.querySelector('button[type=submit]').click(); return true; })()`)
	wait(panel, "the guest's join", `document.querySelector('#call-guest')?.textContent.includes('Guest joined and consented')`)
	wait(panel, "the guest's video", `document.querySelector('#call-remote')?.readyState >= 2`)
	wait(panel, "the recording", `document.querySelector('#call-rec')?.textContent.includes('Recording the call')`)
	wait(panel, "End call", `(() => { const b = document.querySelector('[data-act="call-end"]'); if (!b) return false; b.click(); return true; })()`)
	wait(panel, "the end panel", `!!document.querySelector('[data-act="end-anon"]')`)
}
