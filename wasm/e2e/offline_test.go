//go:build !js

package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sidenote/sidenote/shared/api"
)

func TestEditWhileServerIsDownIsKeptAndSavedWhenItReturns(t *testing.T) {
	srv := startServer(t)
	token := srv.devToken(t, "dr.offline@example.test")
	anon := api.AnonymousCouple
	var sess api.Session
	srv.call(t, token, "POST", "/api/v1/sessions", api.CreateSessionRequest{Type: api.SessionInPerson, Anonymous: &anon,
		Consent: &api.Consent{Obtained: true, Method: api.ConsentVerbal}}, &sess)
	srv.call(t, token, "PUT", "/api/v1/sessions/"+sess.ID+"/summary", api.TextRequest{Text: summary}, &api.TextRequest{})
	var n api.Note
	srv.call(t, token, "POST", "/api/v1/sessions/"+sess.ID+"/notes", api.GenerateNoteRequest{Template: "dap"}, &n)
	for deadline := time.Now().Add(15 * time.Second); n.Status == api.NoteGenerating; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("note still generating")
		}
		srv.call(t, token, "GET", "/api/v1/notes/"+n.ID, nil, &n)
	}

	ctx := newBrowser(t)
	p := page{t: t, ctx: ctx}
	p.do(chromedp.EmulateViewport(400, 800), chromedp.Navigate(srv.URL+"/app/"))
	eval[chromedp.Void](p, `localStorage.setItem('sidenote.token', `+jsString(token)+`)`)
	p.do(chromedp.Navigate(srv.URL + "/app/"))
	p.waitFor("the list", `document.querySelectorAll('#s-list li').length === 1`)
	p.click(`#s-list li button`)
	p.waitFor("the DAP note", `!!document.querySelector('#sec-data')`)

	srv.stop()
	p.typeAtEnd("#sec-plan", " Written while offline.")
	p.waitFor("the offline banner and queued save", `!!document.querySelector('#banner .banner') && document.querySelector('#s-save')?.textContent.includes('kept on this device')`)
	draft := eval[string](p, `localStorage.getItem('sidenote.draft.note.`+n.ID+`') ?? ''`)
	if !strings.Contains(draft, "Written while offline.") {
		t.Fatalf("draft in storage = %q", draft)
	}

	srv.start()
	p.click(`#banner [data-act="retry"]`)
	p.waitFor("the save after the server returned", `!document.querySelector('#banner .banner') && document.querySelector('#s-save')?.textContent.includes('All changes saved')`)
	var saved api.Note
	srv.call(t, token, "GET", "/api/v1/notes/"+n.ID, nil, &saved)
	if !strings.HasSuffix(sectionText(saved, "plan"), " Written while offline.") || saved.Version != n.Version+1 {
		t.Fatalf("after reconnect: version %d plan %q", saved.Version, sectionText(saved, "plan"))
	}
	if left := eval[string](p, `localStorage.getItem('sidenote.draft.note.`+n.ID+`') ?? ''`); left != "" {
		t.Errorf("draft kept after saving: %s", left)
	}
}
