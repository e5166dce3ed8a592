//go:build !js

package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sidenote/sidenote/shared/api"
)

// page wraps a chromedp tab with the few actions the tests need.
type page struct {
	t   *testing.T
	ctx context.Context
}

func (p page) do(steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		p.t.Fatal(err)
	}
}

// eval evaluates a JavaScript expression.
func eval[T any](p page, expr string) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		p.t.Fatalf("%s: %v", expr, err)
	}
	return v
}

// waitFor polls a JavaScript condition until it is true.
func (p page) waitFor(what, cond string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 20*time.Second)
	defer cancel()
	for {
		_, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](cond, chromedp.WithPollingInterval(50*time.Millisecond)))
		// A navigation that lands while the poll runs destroys the page's
		// JavaScript context under it; poll again in the new one.
		if err != nil && ctx.Err() == nil && strings.Contains(err.Error(), "Cannot find context with specified id") {
			time.Sleep(50 * time.Millisecond)
			continue
		}
		if err != nil {
			text, _ := chromedp.Run(p.ctx, chromedp.Evaluate[string](`document.body.innerText`))
			p.t.Fatalf("waiting for %s: %v\npage text:\n%s", what, err, text)
		}
		return
	}
}

// click clicks the first enabled element matching sel, waiting for one. The
// sidebar re-renders a panel on the next animation frame after any change,
// so a node looked up by the driver and clicked by coordinates a moment
// later can be gone or moved: the lookup and the click happen in one
// evaluation instead.
func (p page) click(sel string) {
	p.t.Helper()
	p.waitFor("a "+sel+" to click", `(() => { const el = document.querySelector(`+jsString(sel)+`);
		if (!el || el.disabled) return false; el.click(); return true; })()`)
}

// set sets a form field's value and fires the event the app listens to.
func (p page) set(sel, value, event string) {
	p.t.Helper()
	eval[chromedp.Void](p, `(() => { const el = document.querySelector(`+jsString(sel)+`);
		el.value = `+jsString(value)+`; el.dispatchEvent(new Event(`+jsString(event)+`, {bubbles: true})); })()`)
}

// typeAtEnd focuses a field, moves the caret to its end and types text
// with real key events.
func (p page) typeAtEnd(sel, text string) {
	p.t.Helper()
	eval[chromedp.Void](p, `(() => { const el = document.querySelector(`+jsString(sel)+`);
		el.focus(); el.setSelectionRange(el.value.length, el.value.length); })()`)
	p.do(chromedp.KeyEvent(text))
}

func (p page) text(sel string) string {
	p.t.Helper()
	return eval[string](p, `document.querySelector(`+jsString(sel)+`)?.textContent ?? ""`)
}

func (p page) screenshot(name string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		p.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(artifactsDir(p.t), name), png, 0o644); err != nil {
		p.t.Fatal(err)
	}
}

func jsString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, "`", "\\`", "$", `\$`)
	return "`" + r.Replace(s) + "`"
}

// A fictional summary of a couples session.
const summary = "Couple reports fewer arguments since the last session. " +
	"They practised the time-out technique twice this week. " +
	"Partner A appeared calm and engaged; partner B appeared tense at first. " +
	"Both agree communication has improved but evenings remain difficult. " +
	"Plan to continue the time-out technique and add a weekly check-in. " +
	"Next session in two weeks."

func TestSidebarFromSignInToAssignedSignedNote(t *testing.T) {
	srv := startServer(t)
	ctx := newBrowser(t)
	p := page{t: t, ctx: ctx}
	p.do(chromedp.EmulateViewport(400, 800), chromedp.Navigate(srv.URL+"/app/"))

	// Sign in with the local dev login.
	p.waitFor("the sign-in form", `!!document.querySelector('#dev-email')`)
	p.set("#dev-email", "dr.e2e@example.test", "input")
	p.set("#dev-name", "Dr E2E", "input")
	p.click(`form[data-submit="devlogin"] button[type="submit"]`)
	p.waitFor("the sessions list", `document.querySelector('#h')?.textContent === 'Sessions' && !!document.querySelector('.empty')`)
	token := eval[string](p, `localStorage.getItem('sidenote.token')`)
	var me api.Clinician
	srv.call(t, token, "GET", "/api/v1/me", nil, &me)
	if me.Email != "dr.e2e@example.test" || me.Name != "Dr E2E" {
		t.Fatalf("signed in as %+v", me)
	}

	// Start an anonymous couple session, consent recorded.
	p.click(`[data-act="start"]`)
	p.waitFor("the start form", `!!document.querySelector('#who-anonymous_couple')`)
	p.click(`#who-anonymous_couple`)
	p.click(`button[form="start-form"]`)
	p.waitFor("the consent error", `!!document.querySelector('#err-consent')`)
	p.click(`#st-consent`)
	p.set("#st-method", "verbal", "change")
	p.click(`button[form="start-form"]`)
	p.waitFor("the session view", `document.querySelector('#h')?.textContent === 'Anonymous couple' && !!document.querySelector('#summary')`)
	var sessions api.Page[api.Session]
	srv.call(t, token, "GET", "/api/v1/sessions?assignment=anonymous", nil, &sessions)
	if len(sessions.Items) != 1 {
		t.Fatalf("anonymous sessions: %+v", sessions.Items)
	}
	sess := sessions.Items[0]
	if sess.Anonymous == nil || *sess.Anonymous != api.AnonymousCouple || !sess.Consent.Obtained || sess.Consent.Method != api.ConsentVerbal || sess.Client != nil {
		t.Fatalf("session = %+v", sess)
	}

	// Paste a summary and save it.
	p.set("#summary", summary, "input")
	p.waitFor("the summary saved", `document.querySelector('#s-capture .ok')?.textContent === 'Saved'`)

	// Generate a SOAP note.
	p.set("#template", "soap", "change")
	p.click(`[data-act="generate"]`)
	p.waitFor("the note", `!!document.querySelector('#sec-plan')`)
	var saved api.TextRequest
	srv.call(t, token, "GET", "/api/v1/sessions/"+sess.ID+"/summary", nil, &saved)
	if saved.Text != summary {
		t.Fatalf("saved summary = %q", saved.Text)
	}
	var page api.Page[api.Note]
	srv.call(t, token, "GET", "/api/v1/sessions/"+sess.ID+"/notes", nil, &page)
	notes := page.Items
	if len(notes) != 1 || notes[0].Template != "soap" || notes[0].Status != api.NoteReady {
		t.Fatalf("notes = %+v", notes)
	}
	n := notes[0]
	if len(n.Sections) != 4 || sectionText(n, "subjective") == "" {
		t.Fatalf("SOAP note sections = %+v", n.Sections)
	}
	for _, sec := range n.Sections {
		if sec.NotDocumented {
			if !strings.Contains(p.text("#s-note"), "Not documented") {
				t.Errorf("section %s is not documented but not shown as such", sec.Key)
			}
		} else if got := eval[string](p, `document.querySelector('#sec-`+sec.Key+`').value`); got != sec.Text {
			t.Errorf("section %s shows %q, the API says %q", sec.Key, got, sec.Text)
		}
	}

	// Edit a section by typing; autosave reaches the server.
	p.typeAtEnd("#sec-plan", " Review the check-in next time.")
	p.waitFor("the autosave", `document.querySelector('#s-save')?.textContent.includes('All changes saved')`)
	var edited api.Note
	srv.call(t, token, "GET", "/api/v1/notes/"+n.ID, nil, &edited)
	if edited.Version <= n.Version || !strings.HasSuffix(sectionText(edited, "plan"), " Review the check-in next time.") {
		t.Fatalf("after edit: version %d, plan %q", edited.Version, sectionText(edited, "plan"))
	}
	eval[chromedp.Void](p, `document.activeElement.blur(); document.querySelector('#note-h').scrollIntoView()`)
	p.screenshot("sidebar-note-400x800.png")

	// Sign it.
	p.click(`[data-act="sign-ask"]`)
	p.click(`[data-act="sign"]`)
	p.waitFor("the signed note", `!!document.querySelector('#s-notebar .badge-signed') && !document.querySelector('#sec-plan')`)
	var signed api.Note
	srv.call(t, token, "GET", "/api/v1/notes/"+n.ID, nil, &signed)
	if signed.Status != api.NoteSigned || signed.SignedAt == nil {
		t.Fatalf("after sign: %+v", signed)
	}

	// Assign the session to a new pseudonymous client.
	p.click(`[data-act="assign-open"]`)
	p.waitFor("the assign panel", `!!document.querySelector('#as-new')`)
	p.set("#as-new", "Couple K (pseudonym)", "input")
	p.set("#as-kind", "couple", "change")
	p.click(`form[data-submit="assign-new"] button[type="submit"]`)
	p.waitFor("the assigned session", `document.querySelector('#h')?.textContent === 'Couple K (pseudonym)'`)
	var assigned api.Session
	srv.call(t, token, "GET", "/api/v1/sessions/"+sess.ID, nil, &assigned)
	if assigned.Client == nil || assigned.Client.DisplayName != "Couple K (pseudonym)" || assigned.Client.Kind != api.ClientCouple || assigned.Anonymous != nil {
		t.Fatalf("after assign: %+v", assigned)
	}

	// Back to the list, with a few more sessions to show.
	for i, anon := range []api.Anonymous{api.AnonymousIndividual, api.AnonymousCouple} {
		started := time.Now().Add(-time.Duration(i+1) * 26 * time.Hour).UTC()
		srv.call(t, token, "POST", "/api/v1/sessions", api.CreateSessionRequest{Type: api.SessionTelehealth, Anonymous: &anon,
			Consent: &api.Consent{Obtained: true, Method: api.ConsentElectronic}, StartedAt: &started}, &api.Session{})
	}
	p.click(`[data-act="back"]`)
	p.waitFor("the list with 3 sessions", `document.querySelectorAll('#s-list li').length === 3`)
	if got := p.text(`#s-list li:first-child .row-label`); got != "Couple K (pseudonym)" {
		t.Errorf("newest session label = %q", got)
	}
	if got := p.text(`#s-list li:first-child .badge`); got != "Signed" {
		t.Errorf("newest session note status = %q", got)
	}
	p.screenshot("sidebar-list-400x800.png")

	// Filter: anonymous only.
	p.click(`label[for="f-anonymous"]`)
	p.waitFor("the anonymous filter", `document.querySelectorAll('#s-list li').length === 2`)
}

func sectionText(n api.Note, key string) string {
	for _, s := range n.Sections {
		if s.Key == key {
			return s.Text
		}
	}
	return ""
}
