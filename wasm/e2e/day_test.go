//go:build !js

package e2e

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/sidenote/sidenote/shared/api"
)

// The clinician's day (issue 14), at the side panel's width and a desktop
// tab's.
var widths = []struct{ w, h int }{{400, 800}, {1280, 800}}

func size(w, h int) string { return fmt.Sprintf("%dx%d", w, h) }

// signedInAt opens /app/ signed in as token at w×h.
func signedInAt(t *testing.T, srv *server, token string, w, h int) page {
	t.Helper()
	p := page{t: t, ctx: newBrowser(t)}
	p.do(chromedp.EmulateViewport(int64(w), int64(h)), chromedp.Navigate(srv.URL+"/app/"))
	eval[chromedp.Void](p, `localStorage.setItem('sidenote.token', `+jsString(token)+`)`)
	p.do(chromedp.Navigate(srv.URL + "/app/"))
	p.waitFor("the list", `!!document.querySelector('#s-list')`)
	return p
}

// inView reports whether the element sel is in the visible part of the
// page (inside the scrolling content and the window).
func inView(p page, sel string) bool {
	return eval[bool](p, `(() => { const r = document.querySelector(`+jsString(sel)+`).getBoundingClientRect();
		const m = document.getElementById('main').getBoundingClientRect();
		return r.top >= m.top && r.top < Math.min(m.bottom, innerHeight) - 20; })()`)
}

func TestDayTypedSummaryIsSavedAndWriteNoteUsesIt(t *testing.T) {
	srv := startServer(t)
	for _, sz := range widths {
		t.Run(size(sz.w, sz.h), func(t *testing.T) {
			token := srv.devToken(t, fmt.Sprintf("dr.day%d@example.test", sz.w))
			p := signedInAt(t, srv, token, sz.w, sz.h)
			p.click(`[data-act="start"]`)
			p.waitFor("the start form", `!!document.querySelector('#st-method')`)
			if v := eval[string](p, `document.querySelector('#st-method').value`); v != "" {
				t.Errorf("first start form has a consent method: %q", v)
			}
			p.click(`#who-anonymous_individual`)
			p.click(`#st-consent`)
			p.set("#st-method", "written", "change")
			p.click(`button[form="start-form"]`)
			p.waitFor("the session", `!!document.querySelector('#summary')`)
			id := strings.TrimPrefix(eval[string](p, `location.pathname`), "/app/sessions/")

			// Type a summary and press Write note at once: no save click.
			p.set("#summary", summary, "input")
			p.click(`[data-act="generate"]`)
			p.waitFor("the note", `!!document.querySelector('#sec-plan')`)
			var saved api.TextRequest
			srv.call(t, token, "GET", "/api/v1/sessions/"+id+"/summary", nil, &saved)
			if saved.Text != summary {
				t.Fatalf("summary on the server = %q", saved.Text)
			}
			p.waitFor("the summary marked saved", `document.querySelector('#summary-status')?.textContent === 'Saved'`)

			// Typing more is saved after a pause, and says so.
			eval[chromedp.Void](p, `document.querySelector('details.capture').open = true`)
			p.typeAtEnd("#summary", " Added later.")
			p.waitFor("the pending save", `/saving shortly/.test(document.querySelector('#summary-status')?.textContent)`)
			p.waitFor("the autosave", `document.querySelector('#summary-status')?.textContent === 'Saved'`)
			srv.call(t, token, "GET", "/api/v1/sessions/"+id+"/summary", nil, &saved)
			if !strings.HasSuffix(saved.Text, " Added later.") {
				t.Errorf("autosaved summary = %q", saved.Text)
			}
			eval[chromedp.Void](p, `document.querySelector('#summary').scrollIntoView()`)
			p.screenshot("day-summary-saved-" + size(sz.w, sz.h) + ".png")

			// The next start form remembers the consent method; telehealth
			// asks the clinician nothing about consent.
			p.click(`[data-act="back"]`)
			p.click(`[data-act="start"]`)
			p.waitFor("the start form", `document.querySelector('#st-method')?.value === 'written'`)
			p.set("#st-type", "telehealth", "change")
			p.waitFor("the guest's consent", `!!document.querySelector('#st-guest-consent') && document.querySelector('#st-consent').offsetParent === null`)
			p.screenshot("day-start-telehealth-" + size(sz.w, sz.h) + ".png")
			p.click(`#who-later`)
			p.click(`button[form="start-form"]`)
			p.waitFor("the telehealth session", `location.pathname.startsWith('/app/sessions/') && !location.pathname.endsWith(`+jsString(id)+`)`)
			var sess api.Session
			srv.call(t, token, "GET", "/api/v1/sessions/"+strings.TrimPrefix(eval[string](p, `location.pathname`), "/app/sessions/"), nil, &sess)
			if sess.Type != api.SessionTelehealth || sess.Consent.Method != api.ConsentElectronic {
				t.Errorf("telehealth session = %+v", sess)
			}
		})
	}
}

func TestDayTranscriptTypedOfflineIsQueuedAndSaved(t *testing.T) {
	srv := startServer(t)
	token := srv.devToken(t, "dr.queue@example.test")
	var sess api.Session
	anon := api.AnonymousIndividual
	srv.call(t, token, "POST", "/api/v1/sessions", api.CreateSessionRequest{Type: api.SessionInPerson, Anonymous: &anon,
		Consent: &api.Consent{Obtained: true, Method: api.ConsentVerbal}}, &sess)
	p := signedInAt(t, srv, token, 400, 800)
	p.click(`#s-list li button`)
	p.waitFor("the session", `!!document.querySelector('#transcript')`)
	srv.stop()
	eval[chromedp.Void](p, `document.querySelector('#transcript').closest('details').open = true`)
	p.typeAtEnd("#transcript", "Clinician: How was the week? Client: Calmer.")
	p.waitFor("the queued transcript", `/can't be reached/.test(document.querySelector('#transcript-status')?.textContent ?? '')`)
	p.screenshot("day-transcript-queued-400x800.png")
	srv.start()
	p.click(`#banner [data-act="retry"]`)
	p.waitFor("the transcript saved", `document.querySelector('#transcript-status')?.textContent === 'Saved'`)
	var saved api.TextRequest
	srv.call(t, token, "GET", "/api/v1/sessions/"+sess.ID+"/transcript", nil, &saved)
	if saved.Text != "Clinician: How was the week? Client: Calmer." {
		t.Errorf("transcript on the server = %q", saved.Text)
	}
}

func TestDayInsertCheckPanelIsInViewWithFocusAndProposals(t *testing.T) {
	srv := startServer(t)
	for _, sz := range widths {
		t.Run(size(sz.w, sz.h), func(t *testing.T) {
			token := srv.devToken(t, fmt.Sprintf("dr.check%d@example.test", sz.w))
			srv.readyNote(t, token, api.AnonymousIndividual, api.ConsentWritten, "soap")
			p := hostedPanel(t, srv, token, sz.w, sz.h)
			p.click(`[data-act="insert"]`)
			p.waitFor("the check panel with focus", `document.activeElement?.id === 'map-panel'`)
			if !inView(p, "#map-panel") {
				t.Error("the check panel is not in view")
			}
			order := eval[string](p, `[...document.querySelectorAll('#map-panel select')].map(s => s.id + '=' + s.value).join(' ')`)
			// Assessment had no field: the plausible one is proposed.
			if order != "map-subjective=0:1 map-assessment=0:3 map-plan=0:2" {
				t.Errorf("mapping rows = %s", order)
			}
			if !strings.Contains(p.text("#map-panel"), "draft") {
				t.Error("the check panel does not say the note is a draft")
			}
			p.screenshot("day-insert-check-" + size(sz.w, sz.h) + ".png")
			p.click(`[data-act="insert-confirm"]`)
			p.waitFor("the result", `!!document.querySelector('[data-act="undo"]')`)
			if msg := p.text("#notice"); !strings.Contains(msg, "draft") {
				t.Errorf("notice = %q", msg)
			}
		})
	}
}

func TestDaySignStaleVersionAddendaHistoryAndPDF(t *testing.T) {
	srv := startServer(t)
	for _, sz := range widths {
		t.Run(size(sz.w, sz.h), func(t *testing.T) {
			token := srv.devToken(t, fmt.Sprintf("dr.sign%d@example.test", sz.w))
			n := srv.readyNote(t, token, api.AnonymousCouple, api.ConsentVerbal, "soap")
			downloads := t.TempDir()
			p := page{t: t, ctx: newBrowser(t)}
			p.do(chromedp.EmulateViewport(int64(sz.w), int64(sz.h)), chromedp.Navigate(srv.URL+"/app/"))
			eval[chromedp.Void](p, `localStorage.setItem('sidenote.token', `+jsString(token)+`)`)
			if _, err := chromedp.CallBrowser(p.ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
				Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads}); err != nil {
				t.Fatal(err)
			}
			// The note's own address opens its session.
			p.do(chromedp.Navigate(srv.URL + "/app/notes/" + n.ID))
			p.waitFor("the note", `!!document.querySelector('#sec-plan') && location.pathname === '/app/sessions/`+n.SessionID+`'`)

			// Changed elsewhere after it was opened: Sign refuses the stale
			// version and shows the newer one.
			var newer api.Note
			srv.call(t, token, "PATCH", "/api/v1/notes/"+n.ID, api.UpdateNoteRequest{Version: n.Version,
				Sections: []api.SectionEdit{{Key: "plan", Text: "Plan changed in another window."}}}, &newer)
			p.click(`[data-act="sign-ask"]`)
			p.waitFor("the sign question", `!!document.querySelector('#sign-ends')`)
			p.click(`[data-act="sign"]`)
			p.waitFor("the newer version", `document.querySelector('#sec-plan')?.value === 'Plan changed in another window.' && /Version 2 is shown/.test(document.querySelector('#sign-err')?.textContent ?? '')`)
			var still api.Note
			srv.call(t, token, "GET", "/api/v1/notes/"+n.ID, nil, &still)
			if still.Status != api.NoteReady {
				t.Fatalf("a stale version was signed: %+v", still.Status)
			}
			p.screenshot("day-sign-conflict-" + size(sz.w, sz.h) + ".png")
			p.click(`[data-act="sign"]`)
			p.waitFor("the signed note", `/Signed\s+by Dr E2E/.test(document.querySelector('#s-notebar .signed')?.textContent ?? '')`)
			var sess api.Session
			srv.call(t, token, "GET", "/api/v1/sessions/"+n.SessionID, nil, &sess)
			if sess.Status != api.SessionEnded || sess.NoteStatus != api.NoteSigned {
				t.Errorf("session after signing: %s / %s", sess.Status, sess.NoteStatus)
			}

			// An addendum.
			p.click(`[data-act="addendum-open"]`)
			p.waitFor("the addendum field", `!!document.querySelector('#addendum')`)
			p.set("#addendum", "Client phoned to report a medication change.", "input")
			p.click(`[data-act="addendum-add"]`)
			p.waitFor("the addendum", `document.querySelector('.addenda')?.textContent.includes('Client phoned to report a medication change.')`)

			// History: what changed from version 1 to 2.
			p.click(`[data-act="history"]`)
			p.waitFor("the history", `!!document.querySelector('#history ins')`)
			if ins := eval[string](p, `[...document.querySelectorAll('#history li ins')].map(e => e.textContent).join('')`); !strings.Contains(ins, "changed") || !strings.Contains(ins, "window.") {
				t.Errorf("history marks %q as added", ins)
			}
			eval[chromedp.Void](p, `document.querySelector('#history').scrollIntoView()`)
			p.screenshot("day-history-" + size(sz.w, sz.h) + ".png")

			// PDF, read back.
			p.click(`[data-act="pdf"]`)
			var pdf string
			for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(100 * time.Millisecond) {
				files, _ := filepath.Glob(filepath.Join(downloads, "*.pdf"))
				if len(files) == 1 {
					if out, err := exec.Command("pdftotext", files[0], "-").Output(); err == nil && len(out) > 0 {
						pdf = string(out)
						break
					}
				}
				if time.Now().After(deadline) {
					t.Fatalf("no PDF downloaded: %v", files)
				}
			}
			for _, want := range []string{"Subjective", "Plan changed in another window.", "Dr E2E", "Client phoned to report a medication change."} {
				if !strings.Contains(strings.Join(strings.Fields(pdf), " "), want) {
					t.Errorf("PDF lacks %q:\n%s", want, pdf)
				}
			}
		})
	}
}

func TestDayAddressesReloadBackForwardAndOffline(t *testing.T) {
	srv := startServer(t)
	token := srv.devToken(t, "dr.nav@example.test")
	n := srv.readyNote(t, token, api.AnonymousCouple, api.ConsentVerbal, "dap")
	for _, sz := range widths {
		t.Run(size(sz.w, sz.h), func(t *testing.T) {
			p := signedInAt(t, srv, token, sz.w, sz.h)
			p.waitFor("the row", `document.querySelectorAll('#s-list li').length >= 1`)
			if row := p.text("#s-list li"); !strings.Contains(row, "Anonymous couple") || !strings.Contains(row, "In person") || !strings.Contains(row, "in progress") {
				t.Errorf("row = %q", row)
			}
			p.click(`#s-list li button`)
			p.waitFor("the session address", `location.pathname === '/app/sessions/`+n.SessionID+`' && !!document.querySelector('#sec-data')`)

			// A label, then the list finds the session by it.
			p.click(`[data-act="label-open"]`)
			p.waitFor("the label field", `!!document.querySelector('#s-label')`)
			p.set("#s-label", "Tue 4 pm couple", "input")
			p.click(`[data-act="label-save"]`)
			p.waitFor("the label", `document.querySelector('#s-head')?.textContent.includes('Tue 4 pm couple')`)
			if sz.w >= 1000 {
				if !eval[bool](p, `document.querySelector('.note-col').getBoundingClientRect().left >= document.querySelector('.session-main').getBoundingClientRect().right`) {
					t.Error("the note is not beside the session content at desktop width")
				}
			} else if !eval[bool](p, `document.querySelector('.note-col').getBoundingClientRect().top >= document.querySelector('.session-main').getBoundingClientRect().bottom`) {
				t.Error("the note is not under the session content at side-panel width")
			}
			// The notice takes its own room: nothing of the page is under it.
			p.waitFor("the notice", `!!document.querySelector('#notice .notice')`)
			if !eval[bool](p, `document.getElementById('notice').getBoundingClientRect().top >= document.getElementById('main').getBoundingClientRect().bottom - 1`) {
				t.Error("the notice covers the content")
			}
			p.screenshot("day-session-" + size(sz.w, sz.h) + ".png")

			// Reload stays; Back and Forward move between screens.
			p.do(chromedp.Reload())
			p.waitFor("the session after reload", `location.pathname === '/app/sessions/`+n.SessionID+`' && !!document.querySelector('#sec-data')`)
			p.do(chromedp.NavigateBack())
			p.waitFor("the list after Back", `location.pathname === '/app/' && !!document.querySelector('#s-list li')`)
			p.do(chromedp.NavigateForward())
			p.waitFor("the session after Forward", `location.pathname === '/app/sessions/`+n.SessionID+`' && !!document.querySelector('#sec-data')`)
			p.click(`[data-act="back"]`)
			p.waitFor("the list", `location.pathname === '/app/' && !!document.querySelector('#f-q')`)
			p.typeAtEnd("#f-q", "4 pm")
			p.waitFor("the search in the address", `location.search === '?q=4%20pm' && document.querySelectorAll('#s-list li').length === 1`)
			p.set("#f-q", "no such label", "input")
			p.waitFor("no match", `document.querySelectorAll('#s-list li').length === 0 && /No sessions match/.test(document.querySelector('#s-liststatus')?.textContent)`)
			p.do(chromedp.Reload())
			p.waitFor("the search after reload", `document.querySelector('#f-q')?.value === 'no such label'`)
			p.set("#f-q", "", "input")
			p.waitFor("the whole list", `location.search === '' && document.querySelectorAll('#s-list li').length === 1`)
			if end := p.text("#s-more"); !strings.Contains(end, "1 session") || strings.Contains(end, "1 sessions") {
				t.Errorf("count = %q", end)
			}
			p.screenshot("day-list-" + size(sz.w, sz.h) + ".png")
		})
	}

	// /app opens offline from the service worker's copy, with the list as
	// last loaded and the offline banner.
	p := signedInAt(t, srv, token, 400, 800)
	p.waitFor("the service worker", `!!navigator.serviceWorker.controller || (navigator.serviceWorker.ready.then(() => { window.swReady = true; }), window.swReady === true)`)
	p.do(chromedp.Reload())
	p.waitFor("the list under the service worker", `!!navigator.serviceWorker.controller && document.querySelectorAll('#s-list li').length === 1`)
	srv.stop()
	defer srv.start()
	p.do(chromedp.Reload())
	p.waitFor("the offline list", `!!document.querySelector('#banner .banner') && document.querySelectorAll('#s-list li').length === 1`)
	p.screenshot("day-offline-list-400x800.png")
	p.do(chromedp.Navigate(srv.URL + "/app/sessions/" + n.SessionID))
	p.waitFor("the page offline at a session address", `!!document.querySelector('#banner .banner')`)
}

func TestDayFreshExtensionOpensOnConnect(t *testing.T) {
	srv := startServer(t, "SIDENOTE_EXTENSION_IDS="+extensionID)
	dist, ok := extensionDir(t, build(t))
	if !ok {
		t.Skip("extension sources missing")
	}
	for _, sz := range widths {
		t.Run(size(sz.w, sz.h), func(t *testing.T) {
			p := page{t: t, ctx: newBrowser(t, chromedp.Flag("disable-extensions", false),
				chromedp.Flag("disable-extensions-except", dist), chromedp.Flag("load-extension", dist))}
			var err error
			for range 50 {
				if err = chromedp.Do(p.ctx, chromedp.EmulateViewport(int64(sz.w), int64(sz.h)), chromedp.Navigate("chrome-extension://"+extensionID+"/sidepanel.html")); err == nil {
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
			if err != nil {
				t.Fatal(err)
			}
			p.waitFor("the connect screen", `document.querySelector('#h')?.textContent === 'Connect to your Sidenote server'`)
			// Give a wrong first screen time to show an error.
			time.Sleep(500 * time.Millisecond)
			if v := eval[string](p, `document.querySelector('#server-url').value`); v != "http://127.0.0.1:8080" {
				t.Errorf("address offered = %q", v)
			}
			if bad := eval[string](p, `[...document.querySelectorAll('.error, #banner .banner, [role=alert]')].map(e => e.textContent).join(' | ')`); bad != "" {
				t.Errorf("errors before the clinician did anything: %s", bad)
			}
			p.screenshot("day-extension-connect-" + size(sz.w, sz.h) + ".png")
			p.set("#server-url", srv.URL, "input")
			p.click(`form[data-submit="server"] button[type="submit"]`)
			p.waitFor("the sign-in", `!!document.querySelector('#dev-email')`)
			p.do(chromedp.Reload())
			p.waitFor("the connect screen again", `document.querySelector('#server-url')?.value === `+jsString(srv.URL))
		})
	}
}

// hostedPanel is /app at w×h with recordingHost as sidenoteHost (the
// extension's side panel stands in), signed in, with the first session's
// note open.
func hostedPanel(t *testing.T, srv *server, token string, w, h int) page {
	t.Helper()
	p := page{t: t, ctx: newBrowser(t)}
	p.do(chromedp.EmulateViewport(int64(w), int64(h)), addScript(recordingHost), chromedp.Navigate(srv.URL+"/app/"))
	eval[chromedp.Void](p, `localStorage.setItem("e2e.token", `+jsString(token)+`)`)
	p.do(chromedp.Navigate(srv.URL + "/app/"))
	p.waitFor("the list", `document.querySelectorAll('#s-list li').length >= 1`)
	p.click(`#s-list li button`)
	p.waitFor("the note", `!!document.querySelector('#sec-plan') && !!document.querySelector('[data-act="insert"]')`)
	return p
}

// addScript runs src in every document the tab loads, before its scripts.
func addScript(src string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, cdppage.AddScriptToEvaluateOnNewDocument, cdppage.AddScriptToEvaluateOnNewDocumentParams{Source: src})
		return err
	})
}
