package app

import (
	"errors"
	"maps"
	"strings"
	"testing"

	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/shared/match"
	"github.com/sidenote/sidenote/shared/note"
	"github.com/sidenote/sidenote/wasm/internal/client"
)

func TestGenerateNotePollsUntilReady(t *testing.T) {
	f := newFixtureInSession(t)
	f.app.SetTemplate(note.DAP)
	f.app.SetTemplate("nonsense") // ignored
	polls := 0
	f.api.on("POST /api/v1/sessions/s1/notes", func(*client.Request) reply {
		return reply{202, soapNote("n1", 1, api.NoteGenerating)}
	})
	f.api.on("GET /api/v1/notes/n1", func(*client.Request) reply {
		polls++
		if polls < 3 {
			return ok(soapNote("n1", 1, api.NoteGenerating))
		}
		return ok(soapNote("n1", 1, api.NoteReady))
	})
	var progressSeen bool
	f.app.d.OnChange = func() {
		f.app.View(func(s *State) {
			if n := s.Session.Note; n != nil && n.Note.Status == api.NoteGenerating && n.Elapsed > 0 {
				progressSeen = true
			}
		})
	}
	f.app.GenerateNote(bg)

	var body api.GenerateNoteRequest
	r := f.api.last("POST /api/v1/sessions/s1/notes", &body)
	if body.Template != note.DAP {
		t.Errorf("template = %q", body.Template)
	}
	if r.Header["Idempotency-Key"] != "key-1" {
		t.Errorf("Idempotency-Key = %q", r.Header["Idempotency-Key"])
	}
	if polls != 3 {
		t.Errorf("polled %d times, want 3", polls)
	}
	if !progressSeen {
		t.Error("no elapsed time shown while generating")
	}
	st := f.state()
	if st.Session.Note == nil || st.Session.Note.Note.Status != api.NoteReady {
		t.Fatalf("note = %+v", st.Session.Note)
	}
	if st.Session.Session.NoteStatus != api.NoteReady {
		t.Error("session's note status not updated for the list")
	}
}

func TestGenerateNoteFailureAndNoSourceExplained(t *testing.T) {
	f := newFixtureInSession(t)
	f.api.on("POST /api/v1/sessions/s1/notes", func(*client.Request) reply {
		return apiErr(422, api.CodeNoSource, "session has no summary, transcript or recording")
	})
	f.app.GenerateNote(bg)
	if got := f.state().Session.Note.GenerateErr; got != codeMessages[api.CodeNoSource] {
		t.Errorf("no_source message = %q", got)
	}

	failed := soapNote("n2", 1, api.NoteGenerating)
	f.api.on("POST /api/v1/sessions/s1/notes", func(*client.Request) reply { return reply{202, failed} })
	f.api.on("GET /api/v1/notes/n2", func(*client.Request) reply {
		n := failed
		n.Status, n.FailureReason = api.NoteFailed, "The language model did not answer in time."
		return ok(n)
	})
	f.app.GenerateNote(bg)
	got := f.state().Session.Note.GenerateErr
	if !strings.Contains(got, "did not answer in time") || !strings.Contains(got, "try again") {
		t.Errorf("failure message = %q", got)
	}

	// Trying again with the same template retries the failed note.
	f.api.on("POST /api/v1/notes/n2/retry", func(*client.Request) reply { return reply{202, soapNote("n2", 1, api.NoteGenerating)} })
	f.api.on("GET /api/v1/notes/n2", func(*client.Request) reply { return ok(soapNote("n2", 1, api.NoteReady)) })
	f.app.GenerateNote(bg)
	if f.api.count("POST /api/v1/notes/n2/retry") != 1 || f.api.count("POST /api/v1/sessions/s1/notes") != 2 {
		t.Errorf("retry requests %d, generate requests %d", f.api.count("POST /api/v1/notes/n2/retry"), f.api.count("POST /api/v1/sessions/s1/notes"))
	}
	if ns := f.state().Session.Note; ns.Note.Status != api.NoteReady || ns.GenerateErr != "" {
		t.Errorf("after retry: %q %q", ns.Note.Status, ns.GenerateErr)
	}
}

func TestReopeningAGeneratingNoteResumesPolling(t *testing.T) {
	f := newFixture(t)
	f.signedIn(nil, "")
	f.app.Init(bg)
	f.api.on("GET /api/v1/notes/n1", func(*client.Request) reply { return ok(soapNote("n1", 1, api.NoteReady)) })
	f.openSession(soapNote("n1", 1, api.NoteGenerating))
	if s := f.state().Session.Note.Note.Status; s != api.NoteReady {
		t.Errorf("status = %q", s)
	}
}

// readyNote opens session s1 with note n1 ready at version 1.
func (f *fixture) readyNote() {
	f.signedIn(nil, "")
	f.app.Init(bg)
	f.api.on("GET /api/v1/notes/n1", func(*client.Request) reply { return ok(soapNote("n1", 1, api.NoteReady)) })
	f.openSession(soapNote("n1", 1, api.NoteReady))
}

func TestSectionsNotDocumentedStayFlagged(t *testing.T) {
	f := newFixture(t)
	f.readyNote()
	ns := f.state().Session.Note
	for _, s := range ns.Sections() {
		if (s.Key == "objective") != s.NotDocumented {
			t.Errorf("section %s not_documented = %v", s.Key, s.NotDocumented)
		}
	}
	f.app.EditSection("objective", "Client appeared calm.")
	for _, s := range f.state().Session.Note.Sections() {
		if s.Key == "objective" && (s.NotDocumented || s.Text != "Client appeared calm.") {
			t.Errorf("written section still flagged: %+v", s)
		}
	}
}

func TestEditAutosavesWithVersionAndDraftSurvivesReload(t *testing.T) {
	f := newFixture(t)
	f.readyNote()
	f.app.EditSection("assessment", "Mood appears improved; sleep steadier.")
	if f.saves == 0 {
		t.Error("editing did not schedule an autosave")
	}
	if st := f.state(); st.Session.Note.Save != SavePending {
		t.Errorf("save status = %q", st.Session.Note.Save)
	}

	// Reload before the autosave ran: the edit comes back, still pending.
	f.start(nil)
	f.openSession(soapNote("n1", 1, api.NoteReady))
	st := f.state()
	if got := st.Session.Note.Text("assessment"); got != "Mood appears improved; sleep steadier." {
		t.Fatalf("edit after reload = %q", got)
	}
	if st.Session.Note.Save != SavePending {
		t.Errorf("save status after reload = %q", st.Session.Note.Save)
	}

	f.api.on("PATCH /api/v1/notes/n1", func(r *client.Request) reply {
		n := soapNote("n1", 2, api.NoteReady)
		n.Sections[2].Text = "Mood appears improved; sleep steadier."
		return ok(n)
	})
	f.app.SaveNote(bg)
	var body api.UpdateNoteRequest
	f.api.last("PATCH /api/v1/notes/n1", &body)
	if body.Version != 1 || len(body.Sections) != 1 || body.Sections[0] != (api.SectionEdit{Key: "assessment", Text: "Mood appears improved; sleep steadier."}) {
		t.Errorf("PATCH body = %+v", body)
	}
	st = f.state()
	if st.Session.Note.Save != SaveSaved || st.Session.Note.Note.Version != 2 || len(st.Session.Note.Edits) != 0 {
		t.Errorf("after save: status %q version %d edits %v", st.Session.Note.Save, st.Session.Note.Note.Version, st.Session.Note.Edits)
	}
	if keys := f.store.Keys(keyNoteDraft); len(keys) != 0 {
		t.Errorf("draft kept after save: %v", keys)
	}
}

func TestPendingEditIsSavedWhenThePanelStartsAgain(t *testing.T) {
	f := newFixture(t)
	f.readyNote()
	f.app.EditSection("plan", "Plan to add a wind-down routine.")
	f.start(nil)
	f.api.on("PATCH /api/v1/notes/n1", func(*client.Request) reply { return ok(soapNote("n1", 2, api.NoteReady)) })
	f.signedIn(nil, "")
	f.app.Init(bg)
	var body api.UpdateNoteRequest
	f.api.last("PATCH /api/v1/notes/n1", &body)
	if body.Version != 1 || body.Sections[0].Text != "Plan to add a wind-down routine." {
		t.Errorf("PATCH at start = %+v", body)
	}
	if len(f.store.Keys(keyNoteDraft)) != 0 {
		t.Error("draft kept after it was saved")
	}
}

func TestVersionConflictShowsBothVersionsAndLosesNeither(t *testing.T) {
	f := newFixture(t)
	f.readyNote()
	f.app.EditSection("plan", "Plan to continue the sleep diary and add a wind-down routine.")
	f.app.EditSection("subjective", "Client reports sleeping better.")

	// Elsewhere, someone changed the plan (version 2); subjective untouched.
	elsewhere := soapNote("n1", 2, api.NoteReady)
	elsewhere.Sections[3].Text = "Plan to review the sleep diary at the next session."
	f.api.on("PATCH /api/v1/notes/n1", func(r *client.Request) reply {
		var req api.UpdateNoteRequest
		_ = jsonUnmarshal(r.Body, &req)
		if req.Version != 2 {
			return apiErr(409, api.CodeVersionConflict, "The note changed since version 1.")
		}
		n := elsewhere
		n.Version = 3
		n.Sections = append([]note.Section(nil), elsewhere.Sections...)
		for _, e := range req.Sections {
			for i := range n.Sections {
				if n.Sections[i].Key == e.Key {
					n.Sections[i].Text = e.Text
				}
			}
		}
		return ok(n)
	})
	f.api.on("GET /api/v1/notes/n1", func(*client.Request) reply { return ok(elsewhere) })
	f.app.SaveNote(bg)

	ns := f.state().Session.Note
	if ns.Conflict == nil || len(ns.Conflict.Sections) != 1 {
		t.Fatalf("conflict = %+v", ns.Conflict)
	}
	c := ns.Conflict.Sections[0]
	if c.Key != "plan" || c.Mine != "Plan to continue the sleep diary and add a wind-down routine." || c.Saved != "Plan to review the sleep diary at the next session." {
		t.Errorf("conflict section = %+v", c)
	}
	if ns.Text("subjective") != "Client reports sleeping better." {
		t.Error("the non-conflicting edit was lost")
	}
	if ns.Save != SaveConflict {
		t.Errorf("save status %q", ns.Save)
	}
	// Nothing is saved while the clinician decides.
	before := f.api.count("PATCH /api/v1/notes/n1")
	f.app.SaveNote(bg)
	if f.api.count("PATCH /api/v1/notes/n1") != before {
		t.Error("saved over a conflict before the clinician chose")
	}
	// The kept draft survives a reload too, still as a conflict.
	f.start(nil)
	f.signedIn(nil, "")
	f.app.Init(bg)
	f.openSession(elsewhere)
	if ns := f.state().Session.Note; ns.Conflict == nil || ns.Conflict.Sections[0].Mine != c.Mine {
		t.Fatalf("conflict after reload = %+v", ns.Conflict)
	}

	f.app.ResolveConflict("plan", true)
	f.app.SaveNote(bg)
	var body api.UpdateNoteRequest
	f.api.last("PATCH /api/v1/notes/n1", &body)
	if body.Version != 2 || len(body.Sections) != 2 {
		t.Fatalf("PATCH after keeping mine = %+v", body)
	}
	ns = f.state().Session.Note
	if ns.Conflict != nil || ns.Save != SaveSaved || ns.Note.Version != 3 {
		t.Errorf("after resolve: conflict %v save %q version %d", ns.Conflict, ns.Save, ns.Note.Version)
	}
	if got := ns.Text("plan"); got != c.Mine {
		t.Errorf("plan = %q", got)
	}
}

func TestConflictTakeSavedVersionDropsMine(t *testing.T) {
	f := newFixture(t)
	f.readyNote()
	f.app.EditSection("plan", "Mine.")
	elsewhere := soapNote("n1", 2, api.NoteReady)
	elsewhere.Sections[3].Text = "Theirs."
	f.api.on("PATCH /api/v1/notes/n1", func(*client.Request) reply { return apiErr(409, api.CodeVersionConflict, "stale") })
	f.api.on("GET /api/v1/notes/n1", func(*client.Request) reply { return ok(elsewhere) })
	f.app.SaveNote(bg)
	f.app.ResolveConflict("plan", false)
	ns := f.state().Session.Note
	if ns.Conflict != nil || len(ns.Edits) != 0 || ns.Text("plan") != "Theirs." {
		t.Errorf("after taking saved: conflict %v edits %v", ns.Conflict, ns.Edits)
	}
	if len(f.store.Keys(keyNoteDraft)) != 0 {
		t.Error("draft kept after choosing the saved version")
	}
}

func TestNoteEditsOfflineAreQueuedAndRetriedForEveryNote(t *testing.T) {
	f := newFixture(t)
	f.readyNote()
	f.app.EditSection("plan", "Plan to add a wind-down routine.")
	f.api.setDown(true)
	f.app.SaveNote(bg)
	if ns := f.state().Session.Note; ns.Save != SaveQueued || !f.state().Offline {
		t.Fatalf("offline save status = %q", ns.Save)
	}
	// The clinician leaves the note; the edit must still reach the server.
	f.app.Back(bg)
	f.api.setDown(false)
	f.api.on("PATCH /api/v1/notes/n1", func(*client.Request) reply { return ok(soapNote("n1", 2, api.NoteReady)) })
	f.app.RetryPending(bg)
	var body api.UpdateNoteRequest
	f.api.last("PATCH /api/v1/notes/n1", &body)
	if body.Version != 1 || body.Sections[0].Text != "Plan to add a wind-down routine." {
		t.Errorf("retried PATCH = %+v", body)
	}
	if len(f.store.Keys(keyDraftPrefix)) != 0 {
		t.Error("draft kept after a successful retry")
	}
}

func TestSignSavesPendingEditsFirst(t *testing.T) {
	f := newFixture(t)
	f.readyNote()
	f.app.EditSection("plan", "Plan to continue.")
	var order []string
	f.api.on("PATCH /api/v1/notes/n1", func(*client.Request) reply {
		order = append(order, "patch")
		return ok(soapNote("n1", 2, api.NoteReady))
	})
	f.api.on("POST /api/v1/notes/n1/sign", func(*client.Request) reply {
		order = append(order, "sign")
		n := soapNote("n1", 2, api.NoteSigned)
		n.SignedAt = &t0
		return ok(n)
	})
	f.app.RequestSign(true)
	if !f.state().Session.Note.SignConfirm {
		t.Fatal("signing must be confirmed first")
	}
	f.app.SignNote(bg)
	if strings.Join(order, ",") != "patch,sign" {
		t.Errorf("order = %v", order)
	}
	// The version signed is the one just saved; the session had ended.
	var body api.SignNoteRequest
	f.api.last("POST /api/v1/notes/n1/sign", &body)
	if body.Version != 2 || body.EndSession != nil {
		t.Errorf("sign body = %+v", body)
	}
	ns := f.state().Session.Note
	if ns.Note.Status != api.NoteSigned || ns.Editable() || ns.SignConfirm {
		t.Errorf("after sign: status %q editable %v", ns.Note.Status, ns.Editable())
	}
	f.app.EditSection("plan", "Changed after signing.")
	if len(f.state().Session.Note.Edits) != 0 {
		t.Error("a signed note accepted an edit")
	}
}

func TestSigningEndsAnOpenSession(t *testing.T) {
	f := newFixture(t)
	f.readyNote()
	open := session("s1", t0, api.AnonymousCouple)
	open.Status = api.SessionOpen
	f.api.on("GET /api/v1/sessions/s1", func(*client.Request) reply { return ok(open) })
	f.app.OpenSession(bg, "s1")
	f.api.on("POST /api/v1/notes/n1/sign", func(*client.Request) reply {
		n := soapNote("n1", 1, api.NoteSigned)
		n.SignedAt, n.SignedBy = &t0, &api.Signer{ID: "c1", Name: "Dr Example"}
		ended := open
		ended.Status, ended.EndedAt, ended.NoteStatus = api.SessionEnded, &t0, api.NoteSigned
		f.api.on("GET /api/v1/sessions/s1", func(*client.Request) reply { return ok(ended) })
		return ok(n)
	})
	f.app.RequestSign(true)
	f.app.SignNote(bg)
	var body api.SignNoteRequest
	f.api.last("POST /api/v1/notes/n1/sign", &body)
	if body.Version != 1 || body.EndSession == nil || body.EndSession.ClientID != nil || body.EndSession.Anonymous != nil {
		t.Errorf("sign body = %+v", body)
	}
	st := f.state()
	if st.Session.Session.Status != api.SessionEnded || st.Session.Session.NoteStatus != api.NoteSigned {
		t.Errorf("session after signing: %+v", st.Session.Session)
	}
	if n := st.Session.Note.Note; n.SignedBy == nil || n.SignedBy.Name != "Dr Example" {
		t.Errorf("signer not kept: %+v", n.SignedBy)
	}
}

func TestSignRefusedWhileEditsCannotBeSaved(t *testing.T) {
	f := newFixture(t)
	f.readyNote()
	f.app.EditSection("plan", "Plan to continue.")
	f.api.setDown(true)
	f.app.SignNote(bg)
	if f.api.count("POST /api/v1/notes/n1/sign") != 0 {
		t.Fatal("signed a note whose edits were not saved")
	}
	if st := f.state(); !strings.Contains(st.Notice.Text, "aren't saved") || st.Session.Note.SignBusy {
		t.Errorf("notice %q busy %v", st.Notice.Text, st.Session.Note.SignBusy)
	}
}

func TestNoteSignedElsewhereKeepsTextForCopying(t *testing.T) {
	f := newFixture(t)
	f.readyNote()
	f.app.EditSection("plan", "Late thought.")
	signed := soapNote("n1", 2, api.NoteSigned)
	f.api.on("PATCH /api/v1/notes/n1", func(*client.Request) reply { return apiErr(409, api.CodeNoteSigned, "signed") })
	f.api.on("GET /api/v1/notes/n1", func(*client.Request) reply { return ok(signed) })
	f.app.SaveNote(bg)
	ns := f.state().Session.Note
	if ns.Conflict == nil || !ns.Conflict.Signed || ns.Conflict.Sections[0].Mine != "Late thought." {
		t.Fatalf("conflict = %+v", ns.Conflict)
	}
	f.app.CopySection(bg, "plan")
	if f.clip.text != "Late thought." {
		t.Errorf("copied %q", f.clip.text)
	}
	f.app.DiscardSignedEdits()
	if len(f.store.Keys(keyNoteDraft)) != 0 || f.state().Session.Note.Conflict != nil {
		t.Error("discard kept the draft")
	}
}

func TestCopyNoteComposesWithEdits(t *testing.T) {
	f := newFixture(t)
	f.readyNote()
	f.app.EditSection("plan", "Plan edited.")
	f.app.CopyNote(bg)
	want := note.Compose(f.state().Session.Note.Sections())
	if f.clip.text != want || !strings.Contains(want, "Plan:\nPlan edited.") || strings.Contains(want, "Objective") {
		t.Errorf("copied %q", f.clip.text)
	}
	f.clip.err = errors.New("denied")
	f.app.CopySection(bg, "plan")
	if st := f.state(); st.Notice.Kind != NoticeError || !strings.Contains(st.Notice.Text, "Ctrl+C") {
		t.Errorf("copy failure notice = %+v", st.Notice)
	}
}

func confidentPlan() match.Plan {
	return match.Plan{
		Assignments: []match.Assignment{
			{Section: "subjective", SectionTitle: "Subjective", FieldID: "0:1", FieldLabel: "Subjective", Score: 1},
			{Section: "plan", SectionTitle: "Plan", FieldID: "0:2", FieldLabel: "Plan", Score: 0.9},
		},
		Unmatched:  []match.Unmatched{{Section: "objective", Reason: match.ReasonNotDocumented}, {Section: "assessment", Reason: match.ReasonNoField}},
		Candidates: []match.Candidate{{FieldID: "0:1", Label: "Subjective", Signature: "name:subj"}, {FieldID: "0:2", Label: "Plan", Signature: "name:plan"}, {FieldID: "0:3", Label: "Clinical impression", Signature: "label:clinical impression"}},
	}
}

func TestInsertConfidentPlanThenUndo(t *testing.T) {
	f := newFixture(t)
	host := &fakeHost{plan: confidentPlan(), result: InsertResult{OK: true,
		Filled:  []FilledField{{Section: "subjective", Field: "Subjective"}, {Section: "plan", Field: "Plan"}},
		Skipped: []SkippedField{{Section: "assessment", Reason: "no matching field"}}}}
	f.start(host)
	f.readyNote()
	f.app.SetOnFilled(FilledAppend)
	f.app.Insert(bg)
	if len(host.inserted) != 1 || host.onFilled[0] != FilledAppend {
		t.Fatalf("insert calls %d, onFilled %v", len(host.inserted), host.onFilled)
	}
	if host.inserted[0] != nil {
		t.Errorf("a confident plan the clinician did not review was sent as their choice: %v", host.inserted[0])
	}
	ns := f.state().Session.Note
	if ns.Insert.Result == nil || len(ns.Insert.Result.Filled) != 2 {
		t.Fatalf("insert = %+v", ns.Insert)
	}
	if n := f.state().Notice.Text; !strings.Contains(n, "2 sections") || !strings.Contains(n, "1 section left out") {
		t.Errorf("notice = %q", n)
	}
	f.app.UndoInsert(bg)
	if host.undos != 1 || f.state().Session.Note.Insert.Result != nil {
		t.Errorf("undo: %d calls", host.undos)
	}
}

func TestInsertLowConfidenceShowsMappingTheClinicianCanChange(t *testing.T) {
	f := newFixture(t)
	plan := confidentPlan()
	plan.LowConfidence = true
	host := &fakeHost{plan: plan, result: InsertResult{OK: true}}
	f.start(host)
	f.readyNote()
	f.app.EditSection("assessment", "Mood appears improved, edited.")
	f.api.on("PATCH /api/v1/notes/n1", func(*client.Request) reply {
		n := soapNote("n1", 2, api.NoteReady)
		n.Sections[2].Text = "Mood appears improved, edited."
		return ok(n)
	})
	f.app.Insert(bg)
	if f.api.count("PATCH /api/v1/notes/n1") != 1 {
		t.Error("edits not saved before the extension reads the note")
	}
	ns := f.state().Session.Note
	if !ns.Insert.Confirm || ns.Insert.Plan == nil || len(host.inserted) != 0 {
		t.Fatalf("low confidence wrote without asking: %+v", ns.Insert)
	}
	f.app.ChangeMapping("plan", "")              // leave the plan out
	f.app.ChangeMapping("assessment", "0:3")     // was unmatched
	f.app.ChangeMapping("subjective", "missing") // unknown field: left out
	f.app.ConfirmInsert(bg)
	if len(host.inserted) != 1 {
		t.Fatal("confirm did not insert")
	}
	want := map[string]string{"assessment": "label:clinical impression", "plan": "", "subjective": ""}
	if got := host.inserted[0]; !maps.Equal(got, want) {
		t.Errorf("mapping sent = %v, want %v", got, want)
	}
	p := f.state().Session.Note.Insert
	if p.Plan != nil || p.Confirm {
		t.Error("the mapping stays open after inserting")
	}
}

func TestInsertWithNoFieldsExplains(t *testing.T) {
	f := newFixture(t)
	host := &fakeHost{plan: match.Plan{}}
	f.start(host)
	f.readyNote()
	f.app.Insert(bg)
	if ns := f.state().Session.Note; !strings.Contains(ns.Insert.Err, "no field") || len(host.inserted) != 0 {
		t.Errorf("insert = %+v", ns.Insert)
	}
	host.planErr = &HostError{Message: "Sidenote can't reach this tab. Reload the EHR page and try again."}
	f.app.Insert(bg)
	if got := f.state().Session.Note.Insert.Err; got != host.planErr.(*HostError).Message {
		t.Errorf("host error shown as %q", got)
	}
}
