//go:build !js

package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/sidenote/sidenote/shared/api"
)

// A clinician shapes a template of their own on its screen, then writes a
// note with it.
func TestTemplateMadeOnItsScreenWritesTheNote(t *testing.T) {
	srv := startServer(t)
	for _, sz := range widths {
		t.Run(size(sz.w, sz.h), func(t *testing.T) {
			token := srv.devToken(t, fmt.Sprintf("dr.tmpl%d@example.test", sz.w))
			p := signedInAt(t, srv, token, sz.w, sz.h)
			p.click(`[data-act="templates"]`)
			p.waitFor("the templates screen", `location.pathname === '/app/templates' && document.querySelector('#h')?.textContent === 'Note templates'`)
			p.click(`[data-act="tmpl-new"]`)
			p.waitFor("the template form", `!!document.querySelector('#t-title-0')`)
			p.set("#t-name", "Couples check-in", "input")
			p.set("#t-title-0", "Themes raised", "input")
			p.set("#t-aliases-0", "Topics, Discussion", "input")
			p.click(`#t-kind-0-subjective`)
			p.click(`#t-kind-0-data`)
			p.click(`[data-act="tmpl-add"]`)
			p.waitFor("section 2", `!!document.querySelector('#t-title-1')`)
			p.set("#t-title-1", "Agreed next steps", "input")
			// Saved without a kind for section 2: the server's message
			// shows at that section's checkboxes.
			p.click(`#tmpl-form button[type="submit"]`)
			p.waitFor("the error at section 2", `!!document.getElementById('err-sections[1].draws_from')?.textContent`)
			eval[chromedp.Void](p, `document.getElementById('err-sections[1].draws_from').scrollIntoView({block: 'center'})`)
			p.screenshot("templates-form-422-" + size(sz.w, sz.h) + ".png")
			p.click(`#t-kind-1-plan`)
			p.click(`#tmpl-form button[type="submit"]`)
			p.waitFor("the saved template listed", `document.querySelector('#t-body .rows')?.textContent.includes('Couples check-in')`)
			p.screenshot("templates-list-" + size(sz.w, sz.h) + ".png")
			// The screen has its own address: a reload stays on it.
			p.do(chromedp.Reload())
			p.waitFor("the templates screen after a reload", `document.querySelector('#h')?.textContent === 'Note templates' && document.querySelector('#t-body .rows')?.textContent.includes('Couples check-in')`)

			var own api.NoteTemplate
			var list api.Page[api.NoteTemplate]
			srv.call(t, token, "GET", "/api/v1/templates", nil, &list)
			for _, it := range list.Items {
				if it.Name == "Couples check-in" {
					own = it
				}
			}
			if own.ID == "" {
				t.Fatalf("templates on the server: %+v", list.Items)
			}

			// The note template picker offers it, and the note has its sections.
			p.click(`[data-act="back"]`)
			p.click(`[data-act="start"]`)
			p.waitFor("the start form", `!!document.querySelector('#st-method')`)
			p.click(`#who-anonymous_couple`)
			p.click(`#st-consent`)
			p.set("#st-method", "verbal", "change")
			p.click(`button[form="start-form"]`)
			p.waitFor("the session", `!!document.querySelector('#summary')`)
			p.waitFor("the template offered", `[...document.querySelectorAll('#template option')].some(o => o.value === `+jsString(string(own.ID))+` && o.textContent.includes('Couples check-in'))`)
			p.set("#summary", summary, "input")
			p.set("#template", string(own.ID), "change")
			p.click(`[data-act="generate"]`)
			p.waitFor("the note", `document.querySelectorAll('#s-note textarea').length === 2`)
			id := strings.TrimPrefix(eval[string](p, `location.pathname`), "/app/sessions/")
			var notes api.Page[api.Note]
			srv.call(t, token, "GET", "/api/v1/sessions/"+id+"/notes", nil, &notes)
			if len(notes.Items) != 1 || notes.Items[0].Template != own.ID {
				t.Fatalf("notes: %+v", notes.Items)
			}
			var titles []string
			for _, s := range notes.Items[0].Sections {
				titles = append(titles, s.Title)
			}
			if strings.Join(titles, "|") != "Themes raised|Agreed next steps" {
				t.Errorf("note section titles = %q", titles)
			}
			if txt := p.text("#s-note"); !strings.Contains(txt, "Themes raised") || !strings.Contains(txt, "Agreed next steps") {
				t.Errorf("the note on screen lacks the template's titles: %q", txt)
			}
		})
	}
}
