//go:build !js

package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/chromedp"

	"github.com/sidenote/sidenote/internal/audiotest"
	"github.com/sidenote/sidenote/shared/api"
)

func TestTelehealthEndsAsAnonymousAndAudioFileUploads(t *testing.T) {
	srv := startServer(t)
	token := srv.devToken(t, "dr.capture@example.test")
	ctx := newBrowser(t)
	p := page{t: t, ctx: ctx}
	p.do(chromedp.EmulateViewport(400, 800), chromedp.Navigate(srv.URL+"/app/"))
	eval[chromedp.Void](p, `localStorage.setItem('sidenote.token', `+jsString(token)+`)`)
	p.do(chromedp.Navigate(srv.URL + "/app/"))
	p.waitFor("the empty list", `!!document.querySelector('.empty')`)

	// A telehealth session may start before anyone is chosen...
	p.click(`[data-act="start"]`)
	p.waitFor("the start form", `!!document.querySelector('#st-type')`)
	p.set("#st-type", "telehealth", "change")
	p.waitFor("the decide-later choice", `!!document.querySelector('#who-later')`)
	p.click(`#who-later`)
	p.click(`#st-consent`)
	p.set("#st-method", "electronic", "change")
	p.click(`button[form="start-form"]`)
	p.waitFor("the open session", `!!document.querySelector('[data-act="end-open"]')`)
	var page api.Page[api.Session]
	srv.call(t, token, "GET", "/api/v1/sessions", nil, &page)
	if len(page.Items) != 1 || page.Items[0].Type != api.SessionTelehealth || page.Items[0].Status != api.SessionOpen || page.Items[0].Anonymous != nil || page.Items[0].Client != nil {
		t.Fatalf("sessions = %+v", page.Items)
	}
	id := page.Items[0].ID

	// ...and ending it asks who it was with.
	p.click(`[data-act="end-open"]`)
	p.waitFor("the end panel", `!!document.querySelector('#end-client')`)
	p.click(`[data-act="end-anon"][data-arg="anonymous_individual"]`)
	p.waitFor("the ended session", `document.querySelector('#h')?.textContent === 'Anonymous individual' && !document.querySelector('[data-act="end-open"]')`)
	var ended api.Session
	srv.call(t, token, "GET", "/api/v1/sessions/"+id, nil, &ended)
	if ended.Status == api.SessionOpen || ended.Anonymous == nil || *ended.Anonymous != api.AnonymousIndividual {
		t.Fatalf("after end: %+v", ended)
	}

	// Upload an audio file through the file picker, with progress.
	wav := audiotest.WAV(make([]int16, 16000)) // a second of silence
	file := filepath.Join(t.TempDir(), "session.wav")
	if err := os.WriteFile(file, wav, 0o644); err != nil {
		t.Fatal(err)
	}
	p.do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		doc, err := cdp.Call(ctx, tg, dom.GetDocument, dom.GetDocumentParams{})
		if err != nil {
			return err
		}
		q, err := cdp.Call(ctx, tg, dom.QuerySelector, dom.QuerySelectorParams{NodeID: doc.Root.NodeID, Selector: "#file"})
		if err != nil {
			return err
		}
		_, err = cdp.Call(ctx, tg, dom.SetFileInputFiles, dom.SetFileInputFilesParams{Files: []string{file}, NodeID: q.NodeID})
		return err
	}))
	p.waitFor("the upload", `document.querySelector('#s-upload')?.textContent.includes('session.wav uploaded')`)
	var rec api.Recording
	srv.call(t, token, "GET", "/api/v1/sessions/"+id+"/recording", nil, &rec)
	sum := sha256.Sum256(wav)
	if rec.SizeBytes != int64(len(wav)) || rec.SHA256 != hex.EncodeToString(sum[:]) || rec.ContentType != "audio/wav" || rec.Keep {
		t.Fatalf("recording = %+v", rec)
	}

	// The clinician chooses to keep the recording after the note is signed.
	p.waitFor("the recording's fate", `document.querySelector('#rec-fate')?.textContent.includes('will be deleted when the note is signed')`)
	// A real mouse click at the checkbox's position: after the
	// DOM.getDocument call above, chromedp's element queries time out here.
	at := eval[[]float64](p, `(() => { const el = document.querySelector('#rec-keep'); el.scrollIntoView({block: 'center'});
		const r = el.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()`)
	p.do(chromedp.MouseClickXY(at[0], at[1]))
	p.waitFor("the kept recording", `document.querySelector('#rec-fate')?.textContent.includes('kept after the note is signed') && document.querySelector('#rec-keep').checked && !document.querySelector('#rec-keep').disabled`)
	srv.call(t, token, "GET", "/api/v1/sessions/"+id+"/recording", nil, &rec)
	if !rec.Keep || rec.DeletedAt != nil {
		t.Fatalf("after ticking keep: %+v", rec)
	}
}
