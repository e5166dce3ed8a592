//go:build !js

package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/sidenote/sidenote/shared/api"
)

func TestEditWhileServerIsDownIsKeptAndSavedWhenItReturns(t *testing.T) {
	srv := startServer(t)
	token := srv.devToken(t, "dr.offline@example.test")
	n := srv.readyNote(t, token, api.AnonymousCouple, api.ConsentVerbal, "dap")

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
