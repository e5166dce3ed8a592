package app

import (
	"strings"
	"testing"

	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/wasm/internal/client"
)

func TestSignWithAStaleVersionShowsTheNewerOneAndSignsNothing(t *testing.T) {
	f := newFixture(t)
	f.readyNote()
	newer := soapNote("n1", 2, api.NoteReady)
	newer.Sections[3].Text = "Plan changed in another tab."
	f.api.on("POST /api/v1/notes/n1/sign", func(*client.Request) reply {
		return apiErr(409, api.CodeVersionConflict, "The note changed.")
	})
	f.api.on("GET /api/v1/notes/n1", func(*client.Request) reply { return ok(newer) })
	f.app.RequestSign(true)
	f.app.SignNote(bg)
	var body api.SignNoteRequest
	f.api.last("POST /api/v1/notes/n1/sign", &body)
	if body.Version != 1 {
		t.Errorf("signed version %d, the one on screen was 1", body.Version)
	}
	ns := f.state().Session.Note
	if ns.Note.Version != 2 || ns.Text("plan") != "Plan changed in another tab." {
		t.Errorf("newer version not shown: v%d %q", ns.Note.Version, ns.Text("plan"))
	}
	if ns.Note.Status != api.NoteReady || ns.SignBusy || !strings.Contains(ns.SignErr, "Version 2 is shown") {
		t.Errorf("after the conflict: status %q busy %v err %q", ns.Note.Status, ns.SignBusy, ns.SignErr)
	}

	// Signing again sends the version now on screen.
	f.api.on("POST /api/v1/notes/n1/sign", func(*client.Request) reply {
		n := newer
		n.Status, n.SignedAt, n.SignedBy = api.NoteSigned, &t0, &api.Signer{ID: "c1", Name: "Dr Rowe"}
		return ok(n)
	})
	f.api.on("GET /api/v1/sessions/s1/recording", func(*client.Request) reply { return apiErr(404, api.CodeNotFound, "None.") })
	f.app.SignNote(bg)
	f.api.last("POST /api/v1/notes/n1/sign", &body)
	if body.Version != 2 || f.state().Session.Note.Note.Status != api.NoteSigned {
		t.Errorf("second sign: version %d status %q", body.Version, f.state().Session.Note.Note.Status)
	}
}

func signedFixture(t *testing.T) *fixture {
	f := newFixture(t)
	f.signedIn(nil, "")
	f.app.Init(bg)
	n := soapNote("n1", 2, api.NoteSigned)
	n.SignedAt = &t0
	f.openSession(n)
	return f
}

func TestAddendumIsAddedToASignedNote(t *testing.T) {
	f := signedFixture(t)
	f.app.OpenAddendum(true)
	f.app.AddAddendum(bg)
	if e := f.state().Session.Note.Record.AddendumErr; e == "" {
		t.Error("an empty addendum was accepted")
	}
	f.api.on("POST /api/v1/notes/n1/addenda", func(*client.Request) reply {
		return reply{201, api.Addendum{ID: "a1", Text: "Client called to report a medication change.", CreatedAt: t0}}
	})
	f.app.SetAddendum("  Client called to report a medication change. ")
	f.app.AddAddendum(bg)
	var body api.TextRequest
	f.api.last("POST /api/v1/notes/n1/addenda", &body)
	if body.Text != "Client called to report a medication change." {
		t.Errorf("addendum sent = %q", body.Text)
	}
	r := f.state().Session.Note
	if len(r.Note.Addenda) != 1 || r.Record.AddendumOpen || r.Record.Addendum != "" {
		t.Errorf("after adding: %+v %+v", r.Note.Addenda, r.Record)
	}
}

func TestHistoryShowsWhatChangedBetweenVersions(t *testing.T) {
	f := signedFixture(t)
	v1 := soapNote("n1", 1, api.NoteReady)
	v2 := soapNote("n1", 2, api.NoteReady)
	v2.Sections[3].Text = "Plan to continue the sleep diary; next session in three weeks."
	f.api.on("GET /api/v1/notes/n1/versions", func(*client.Request) reply {
		return ok(api.Page[api.NoteVersion]{Items: []api.NoteVersion{
			{Version: 2, Sections: v2.Sections, CreatedAt: t0},
			{Version: 1, Sections: v1.Sections, CreatedAt: t0},
		}})
	})
	f.app.ToggleHistory(bg)
	r := f.state().Session.Note.Record
	if !r.HistoryOpen || r.HistoryLoading || len(r.Versions) != 2 {
		t.Fatalf("history: %+v", r)
	}
	h := History(r.Versions)
	if h[0].Version.Version != 2 || len(h[0].Sections) != 1 || h[0].Sections[0].Key != "plan" || len(h[1].Sections) != 0 {
		t.Fatalf("changes = %+v", h)
	}
	var added, removed string
	for _, p := range h[0].Sections[0].Parts {
		switch p.Op {
		case DiffAdded:
			added += p.Text
		case DiffRemoved:
			removed += p.Text
		}
	}
	if strings.TrimSpace(added) != "three" || strings.TrimSpace(removed) != "two" {
		t.Errorf("added %q removed %q", added, removed)
	}
	f.app.ToggleHistory(bg)
	if f.state().Session.Note.Record.HistoryOpen {
		t.Error("history did not close")
	}
}

func TestPDFIsFetchedAndNamedWithoutTheClient(t *testing.T) {
	f := signedFixture(t)
	f.api.on("GET /api/v1/notes/n1/pdf", func(*client.Request) reply { return ok("%PDF-1.4") })
	pdf, name, okPDF := f.app.NotePDF(bg)
	if !okPDF || !strings.Contains(string(pdf), "%PDF-1.4") {
		t.Fatalf("pdf %q ok %v", pdf, okPDF)
	}
	if name != "progress-note-soap-2026-03-10.pdf" {
		t.Errorf("file name %q", name)
	}
	f.api.setDown(true)
	if _, _, okPDF := f.app.NotePDF(bg); okPDF || f.state().Session.Note.Record.PDFErr == "" {
		t.Error("a failed download said nothing")
	}
}
