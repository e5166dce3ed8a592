package api

import (
	"net/http"
	"testing"

	"github.com/sidenote/sidenote/server/internal/store/storetest"
	"github.com/sidenote/sidenote/shared/api"
)

// TestSigningMeansSomething: a note is signed only at the version the
// clinician saw, names who signed it, and never leaves its session open.
func TestSigningMeansSomething(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, databaseURL string) {
		ts := newTestServer(t, databaseURL)
		a := ts.login("a@example.com")
		sess := ts.createAnonymousSession(a, api.SessionInPerson, api.AnonymousIndividual)
		ts.do(a, http.MethodPut, "/api/v1/sessions/"+sess.ID+"/summary", api.TextRequest{Text: fictionalSummary}, http.StatusOK, nil)
		n := ts.generateNote(a, sess.ID, "soap")
		notePath := "/api/v1/notes/" + n.ID
		signPath := notePath + "/sign"

		// The body is required and names the version.
		ts.do(a, http.MethodPost, signPath, nil, http.StatusBadRequest, nil)
		if e := ts.do(a, http.MethodPost, signPath, map[string]any{}, http.StatusUnprocessableEntity, nil).Error(); e.Field != "version" {
			t.Fatalf("sign without a version: %+v", e)
		}

		// Someone edits the note elsewhere: the version the clinician saw
		// is stale, and the unseen edit is not signed.
		var edited api.Note
		ts.do(a, http.MethodPatch, notePath, api.UpdateNoteRequest{Version: n.Version,
			Sections: []api.SectionEdit{{Key: "plan", Text: "Edited in another tab."}}}, http.StatusOK, &edited)
		if e := ts.do(a, http.MethodPost, signPath, signAndEnd(n.Version), http.StatusConflict, nil).Error(); e.Code != api.CodeVersionConflict {
			t.Fatalf("stale sign: %+v", e)
		}

		// The session is still open: signing alone is refused and changes
		// nothing.
		if e := ts.do(a, http.MethodPost, signPath, api.SignNoteRequest{Version: edited.Version}, http.StatusConflict, nil).Error(); e.Code != api.CodeSessionOpen {
			t.Fatalf("sign with the session open: %+v", e)
		}
		var still api.Note
		ts.do(a, http.MethodGet, notePath, nil, http.StatusOK, &still)
		if still.Status != api.NoteReady || still.SignedAt != nil || still.SignedBy != nil {
			t.Fatalf("note changed by refused signs: %+v", still)
		}

		// Ending as a couple client fails on a client that is not ours:
		// nothing is signed, nothing ended (one transaction).
		missing := "00000000-0000-0000-0000-000000000000"
		ts.do(a, http.MethodPost, signPath, api.SignNoteRequest{Version: edited.Version,
			EndSession: &api.EndSessionRequest{ClientID: &missing}}, http.StatusNotFound, nil)
		var open api.Session
		ts.do(a, http.MethodGet, "/api/v1/sessions/"+sess.ID, nil, http.StatusOK, &open)
		if open.Status != api.SessionOpen || open.NoteStatus != api.NoteReady {
			t.Fatalf("session after a failed sign-and-end: %+v", open)
		}

		// Sign and end in one step, choosing the client.
		client := ts.createClient(a, "Zoë O’Brien", api.ClientIndividual)
		var signed api.Note
		ts.do(a, http.MethodPost, signPath, api.SignNoteRequest{Version: edited.Version,
			EndSession: &api.EndSessionRequest{ClientID: &client.ID}}, http.StatusOK, &signed)
		var me api.Clinician
		ts.do(a, http.MethodGet, "/api/v1/me", nil, http.StatusOK, &me)
		if signed.Status != api.NoteSigned || signed.SignedAt == nil || signed.SignedBy == nil ||
			signed.SignedBy.ID != me.ID || signed.SignedBy.Name != "Dr a@example.com" {
			t.Fatalf("signed note: %+v (signer %+v)", signed, signed.SignedBy)
		}
		var ended api.Session
		ts.do(a, http.MethodGet, "/api/v1/sessions/"+sess.ID, nil, http.StatusOK, &ended)
		if ended.Status != api.SessionEnded || ended.EndedAt == nil || ended.Client == nil || ended.Client.ID != client.ID || ended.NoteStatus != api.NoteSigned {
			t.Fatalf("session after sign-and-end: %+v", ended)
		}
		var reread api.Note
		ts.do(a, http.MethodGet, notePath, nil, http.StatusOK, &reread)
		if reread.SignedBy == nil || *reread.SignedBy != *signed.SignedBy || !reread.SignedAt.Equal(*signed.SignedAt) {
			t.Fatalf("signer not kept: %+v", reread.SignedBy)
		}
		if e := ts.do(a, http.MethodPost, signPath, signAndEnd(edited.Version), http.StatusConflict, nil).Error(); e.Code != api.CodeNoteSigned {
			t.Fatalf("signing twice: %+v", e)
		}

		// A second note of the ended session signs without end_session.
		second := ts.generateNote(a, sess.ID, "dap")
		ts.do(a, http.MethodPost, "/api/v1/notes/"+second.ID+"/sign", api.SignNoteRequest{Version: second.Version}, http.StatusOK, nil)
		if got := auditCount(t, ts, "note.sign", n.ID); got != 1 {
			t.Errorf("%d note.sign events, want 1", got)
		}
		// Signing and ending were two writes: each audited once.
		if got := auditCount(t, ts, "session.end", sess.ID); got != 1 {
			t.Errorf("%d session.end events, want 1", got)
		}
	})
}
