package app

import (
	"strings"
	"testing"

	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/wasm/internal/client"
)

func TestSummaryIsAutosavedQuietlyAfterAPause(t *testing.T) {
	f := newFixtureInSession(t)
	f.api.on("PUT /api/v1/sessions/s1/summary", func(*client.Request) reply { return reply{204, nil} })
	before := f.saves
	f.app.SetText(TextSummary, "Client describes a calmer week.")
	if f.saves == before {
		t.Fatal("typing a summary did not schedule an autosave")
	}
	f.app.Autosave(bg)
	var body api.TextRequest
	f.api.last("PUT /api/v1/sessions/s1/summary", &body)
	if body.Text != "Client describes a calmer week." {
		t.Errorf("saved summary = %q", body.Text)
	}
	st := f.state()
	if !st.Session.Summary.Saved || st.Session.Summary.Queued || st.Session.Summary.Err != "" {
		t.Errorf("after autosave: %+v", st.Session.Summary)
	}
	if st.Notice.Text != "" {
		t.Errorf("an autosave announced itself: %q", st.Notice.Text)
	}
	if _, kept := f.store.Get(keySummaryDraft + "s1"); kept {
		t.Error("draft kept after the server has the summary")
	}
	// Nothing typed since: a second pause sends nothing.
	f.app.Autosave(bg)
	if n := f.api.count("PUT /api/v1/sessions/s1/summary"); n != 1 {
		t.Errorf("%d saves of an unchanged summary", n)
	}
}

func TestSummaryAutosavedOfflineIsQueuedWithoutAnAlarm(t *testing.T) {
	f := newFixtureInSession(t)
	f.app.SetText(TextSummary, "Typed on the train.")
	f.api.setDown(true)
	f.app.Autosave(bg)
	st := f.state()
	if !st.Offline || !st.Session.Summary.Queued || st.Session.Summary.Err != "" || st.Session.Summary.Saved {
		t.Fatalf("offline autosave: %+v", st.Session.Summary)
	}
	raw, _ := f.store.Get(keySummaryDraft + "s1")
	if !strings.Contains(raw, `"queued":true`) || !strings.Contains(raw, "Typed on the train.") {
		t.Errorf("queued draft = %s", raw)
	}
	f.api.setDown(false)
	f.api.on("PUT /api/v1/sessions/s1/summary", func(*client.Request) reply { return reply{204, nil} })
	f.app.RetryPending(bg)
	if st := f.state(); !st.Session.Summary.Saved || st.Session.Summary.Queued {
		t.Errorf("after the connection returned: %+v", st.Session.Summary)
	}
}

func TestWriteNoteRightAfterTypingASummaryUsesIt(t *testing.T) {
	f := newFixtureInSession(t)
	var order []string
	f.api.on("PUT /api/v1/sessions/s1/summary", func(*client.Request) reply { order = append(order, "summary"); return reply{204, nil} })
	f.api.on("POST /api/v1/sessions/s1/notes", func(*client.Request) reply {
		order = append(order, "generate")
		return ok(soapNote("n1", 1, api.NoteReady))
	})
	f.app.SetText(TextSummary, "Client reports sleeping better.")
	// No pause, no save click: Write note at once.
	f.app.GenerateNote(bg)
	if strings.Join(order, ",") != "summary,generate" {
		t.Fatalf("requests = %v", order)
	}
	if st := f.state(); st.Session.Note == nil || st.Session.Note.Note.ID != "n1" || !st.Session.Summary.Saved {
		t.Errorf("after Write note: note %+v summary %+v", st.Session.Note, st.Session.Summary)
	}
}

func TestWriteNoteWaitsWhileTheSummaryCannotBeSaved(t *testing.T) {
	f := newFixtureInSession(t)
	f.app.SetText(TextSummary, "Client reports sleeping better.")
	f.api.setDown(true)
	f.app.GenerateNote(bg)
	if n := f.api.count("POST /api/v1/sessions/s1/notes"); n != 0 {
		t.Errorf("note asked for with the summary unsaved (%d)", n)
	}
	st := f.state()
	if st.Session.Note != nil && st.Session.Note.GenerateBusy {
		t.Error("still busy")
	}
	if !strings.Contains(st.Notice.Text, "summary isn't saved") {
		t.Errorf("notice = %q", st.Notice.Text)
	}
}

func TestUnsavedSummaryFromBeforeAReloadIsSavedWithoutTyping(t *testing.T) {
	f := newFixtureInSession(t)
	f.app.SetText(TextSummary, "Typed before the panel closed.")
	f.start(nil)
	f.signedIn(nil, "")
	f.app.Init(bg)
	before := f.saves
	f.openSession()
	if f.saves == before {
		t.Error("reopening a session with an unsaved summary scheduled no save")
	}
}
