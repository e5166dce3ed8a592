//go:build !js

package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/sidenote/sidenote/shared/api"
)

// recordingHost stands in for the extension's sidenoteHost (the extension's
// own E2E drives the real one against EHR fixture pages). It answers with a
// low-confidence plan and records what the sidebar asks of it.
const recordingHost = `globalThis.sidenoteHost = {
	kind: "extension", calls: [],
	getConfig: async () => ({serverUrl: location.origin, token: localStorage.getItem("e2e.token")}),
	connect: async () => ({ok: true}),
	plan: async (noteId) => { sidenoteHost.calls.push(["plan", noteId]); return {ok: true, low_confidence: true, single_field: false,
		assignments: [
			{section: "subjective", section_title: "Subjective", field_id: "0:1", field_label: "Client report", signature: "name:report", score: 0.6},
			{section: "plan", section_title: "Plan", field_id: "0:2", field_label: "Next steps", signature: "name:next", score: 0.55}],
		unmatched: [{section: "assessment", reason: "no matching field"}],
		candidates: [
			{field_id: "0:1", label: "Client report", signature: "name:report", has_text: false},
			{field_id: "0:2", label: "Next steps", signature: "name:next", has_text: true},
			{field_id: "0:3", label: "Clinical impression", signature: "name:impression", has_text: false}]}; },
	insert: async (noteId, onFilled, mapping) => { sidenoteHost.calls.push(["insert", noteId, onFilled, JSON.stringify(mapping)]);
		return {ok: true, filled: [{section: "subjective", field: "Client report"}, {section: "assessment", field: "Clinical impression"}],
			skipped: [{section: "plan", field: "Next steps", reason: "too long for this field: it holds at most 40 characters, the section has 92; copy it instead", limit: 40}]}; },
	undo: async () => { sidenoteHost.calls.push(["undo"]); return {ok: true, restored: 2, failed: 0}; },
};`

func TestPanelConflictKeepsBothAndInsertionFollowsTheReviewedMapping(t *testing.T) {
	srv := startServer(t)
	token := srv.devToken(t, "dr.panel@example.test")
	n := srv.readyNote(t, token, api.AnonymousIndividual, api.ConsentWritten, "soap")

	ctx := newBrowser(t)
	p := page{t: t, ctx: ctx}
	p.do(chromedp.EmulateViewport(400, 800), chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, cdppage.AddScriptToEvaluateOnNewDocument, cdppage.AddScriptToEvaluateOnNewDocumentParams{Source: recordingHost})
		return err
	}), chromedp.Navigate(srv.URL+"/app/"))
	eval[chromedp.Void](p, `localStorage.setItem("e2e.token", `+jsString(token)+`)`)
	p.do(chromedp.Navigate(srv.URL + "/app/"))
	p.waitFor("the list", `document.querySelectorAll('#s-list li').length === 1`)
	p.click(`#s-list li button`)
	p.waitFor("the note", `!!document.querySelector('#sec-plan') && !!document.querySelector('[data-act="insert"]')`)

	// The note changes elsewhere while the clinician types: both versions
	// are shown, and keeping theirs saves it over the other.
	var elsewhere api.Note
	srv.call(t, token, "PATCH", "/api/v1/notes/"+n.ID, api.UpdateNoteRequest{Version: n.Version,
		Sections: []api.SectionEdit{{Key: "plan", Text: "Plan changed in another window."}}}, &elsewhere)
	p.typeAtEnd("#sec-plan", " Typed in the panel.")
	p.waitFor("both versions", `!!document.querySelector('.conflict')`)
	conflict := p.text(".conflict")
	if !strings.Contains(conflict, "Typed in the panel.") || !strings.Contains(conflict, "Plan changed in another window.") {
		t.Fatalf("conflict shows %q", conflict)
	}
	p.click(`[data-act="keep-mine"][data-arg="plan"]`)
	p.waitFor("the save after choosing", `document.querySelector('#s-save')?.textContent.includes('All changes saved')`)
	var kept api.Note
	srv.call(t, token, "GET", "/api/v1/notes/"+n.ID, nil, &kept)
	if kept.Version <= elsewhere.Version || !strings.HasSuffix(sectionText(kept, "plan"), " Typed in the panel.") {
		t.Fatalf("after keeping mine: version %d plan %q", kept.Version, sectionText(kept, "plan"))
	}

	// Insert: the mapping is shown first, the clinician changes it, and the
	// extension receives exactly their choices.
	p.set("#onfilled", "append", "change")
	p.click(`[data-act="insert"]`)
	p.waitFor("the mapping", `!!document.querySelector('#map-assessment')`)
	p.set("#map-assessment", "0:3", "change")
	p.set("#map-plan", "", "change")
	p.click(`[data-act="insert-confirm"]`)
	p.waitFor("what went where", `!!document.querySelector('[data-act="undo"]')`)
	call := eval[string](p, `JSON.stringify(sidenoteHost.calls.find(c => c[0] === "insert"))`)
	want := `["insert","` + n.ID + `","append","{\"assessment\":\"name:impression\",\"plan\":\"\",\"subjective\":\"name:report\"}"]`
	if call != want {
		t.Errorf("insert call = %s\nwant %s", call, want)
	}
	result := p.text("#s-insert")
	for _, s := range []string{"Subjective → Client report", "Assessment → Clinical impression", "Plan not inserted into Next steps: too long for this field: it holds at most 40 characters"} {
		if !strings.Contains(result, s) {
			t.Errorf("result lacks %q: %s", s, result)
		}
	}
	// The section its field cannot hold is offered for copying.
	if !eval[bool](p, `!!document.querySelector('#s-insert [data-act="copy-section"][data-arg="plan"]')`) {
		t.Error("no Copy for the section too long for its field")
	}
	eval[chromedp.Void](p, `document.querySelector('#s-insert').scrollIntoView()`)
	p.screenshot("panel-insert-result-400x800.png")
	p.click(`[data-act="undo"]`)
	p.waitFor("the undo", `sidenoteHost.calls.some(c => c[0] === "undo") && !document.querySelector('[data-act="undo"]')`)
}
