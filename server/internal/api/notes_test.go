package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/sidenote/sidenote/server/internal/store/storetest"
	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/shared/note"
)

// fictionalSummary is a made-up session summary.
const fictionalSummary = "Client reports that panic attacks dropped from four to two this week. " +
	"Client appeared calm and made good eye contact. " +
	"Clinician reviewed the breathing exercise and practised it with the client. " +
	"Plan to continue weekly sessions and to keep the panic log as homework."

func auditCount(t *testing.T, ts *testServer, action, resourceID string) int64 {
	t.Helper()
	return countRowsWhere(t, ts.store, "audit_events", "action = ? AND resource_id = ?", action, resourceID)
}

func TestSessionSources(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, databaseURL string) {
		ts := newTestServer(t, databaseURL)
		a := ts.login("a@example.com")
		sess := ts.createAnonymousSession(a, api.SessionInPerson, api.AnonymousIndividual)
		base := "/api/v1/sessions/" + sess.ID

		for _, path := range []string{base + "/summary", base + "/transcript"} {
			res := ts.do(a, http.MethodPut, path, api.TextRequest{Text: "  \n "}, http.StatusUnprocessableEntity, nil)
			if res.Error().Code != api.CodeInvalidField {
				t.Fatalf("empty text on %s: %s", path, res.Body)
			}
		}
		ts.do(a, http.MethodPut, base+"/summary", api.TextRequest{Text: fictionalSummary}, http.StatusOK, nil)
		transcript := "Clinician: How was the week?\nClient: I kept the panic log every day."
		ts.do(a, http.MethodPut, base+"/transcript", api.TextRequest{Text: transcript}, http.StatusOK, nil)
		var got api.TextRequest
		ts.do(a, http.MethodGet, base+"/transcript", nil, http.StatusOK, &got)
		if got.Text != transcript {
			t.Fatalf("transcript read back %q", got.Text)
		}
		ts.do(a, http.MethodGet, base+"/summary", nil, http.StatusOK, &got)
		if got.Text != fictionalSummary {
			t.Fatalf("summary read back %q", got.Text)
		}
		for action, want := range map[string]int64{"summary.write": 1, "transcript.write": 1, "transcript.read": 1} {
			if n := auditCount(t, ts, action, sess.ID); n != want {
				t.Errorf("%d %s audit events, want %d", n, action, want)
			}
		}
		if strings.Contains(ts.logs.String(), "panic log") {
			t.Fatal("session text reached the log")
		}
	})
}

func TestRecordingUpload(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, databaseURL string) {
		ts := newTestServer(t, databaseURL, map[string]string{"SIDENOTE_MAX_RECORDING_BYTES": "4096"})
		a := ts.login("a@example.com")
		sess := ts.createAnonymousSession(a, api.SessionUploadedRecording, api.AnonymousCouple)
		path := "/api/v1/sessions/" + sess.ID + "/recording"

		// Unsupported types are refused before anything is stored.
		for _, ct := range []string{"text/plain", "video/mp4", "application/octet-stream", ""} {
			res := ts.raw(a, http.MethodPost, path, rawBody{contentType: ct, data: "not audio"})
			if res.Status != http.StatusUnsupportedMediaType || res.Error().Code != api.CodeUnsupportedMedia {
				t.Errorf("Content-Type %q: %d %s", ct, res.Status, res.Body)
			}
		}
		// Too large: declared by Content-Length, and found while streaming
		// a body of unknown length.
		big := bytes.Repeat([]byte{0x1a}, 5000)
		if res := ts.upload(a, sess.ID, "audio/wav", big, http.StatusRequestEntityTooLarge); res.Error().Code != api.CodeBodyTooLarge {
			t.Fatalf("too large: %s", res.Body)
		}
		req, _ := http.NewRequest(http.MethodPost, ts.http.URL+path, io.MultiReader(bytes.NewReader(big))) // no length: chunked
		req.Header.Set("Authorization", "Bearer "+a)
		req.Header.Set("Content-Type", "audio/ogg")
		res, err := ts.http.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusRequestEntityTooLarge {
			t.Fatalf("chunked too large: %d", res.StatusCode)
		}
		ts.do(a, http.MethodGet, path, nil, http.StatusNotFound, nil)

		// Accepted types, with codecs parameters; a re-upload replaces.
		for i, ct := range []string{"audio/webm;codecs=opus", "audio/mpeg", "audio/x-wav", "audio/x-m4a", `audio/ogg; codecs="opus"`} {
			audio := bytes.Repeat([]byte{byte(i + 1)}, 1000+i)
			var rec api.Recording
			decodeInto(t, ts.upload(a, sess.ID, ct, audio, http.StatusCreated), &rec)
			sum := sha256.Sum256(audio)
			if rec.SHA256 != hex.EncodeToString(sum[:]) || rec.SizeBytes != int64(len(audio)) {
				t.Fatalf("%s: recorded %+v", ct, rec)
			}
			// No speech-to-text configured: visibly waiting for a transcript.
			if rec.TranscriptionStatus != "not_configured" {
				t.Fatalf("%s: transcription %q", ct, rec.TranscriptionStatus)
			}
		}
		if n := countRowsWhere(t, ts.store, "recordings", "session_id = ?", sess.ID); n != 1 {
			t.Fatalf("%d recording rows after re-uploads, want 1", n)
		}
		var s api.Session
		ts.do(a, http.MethodGet, "/api/v1/sessions/"+sess.ID, nil, http.StatusOK, &s)
		if s.Status != api.SessionAwaitingTranscript {
			t.Fatalf("session status %q, want awaiting_transcript", s.Status)
		}
		// Retrying needs a provider; pasting a transcript ends the wait.
		ts.do(a, http.MethodPost, path+"/transcribe", nil, http.StatusServiceUnavailable, nil)
		ts.do(a, http.MethodPut, "/api/v1/sessions/"+sess.ID+"/transcript", api.TextRequest{Text: "Client: We argued less this week."}, http.StatusOK, nil)
		ts.do(a, http.MethodGet, "/api/v1/sessions/"+sess.ID, nil, http.StatusOK, &s)
		if s.Status == api.SessionAwaitingTranscript {
			t.Fatal("a pasted transcript did not end awaiting_transcript")
		}
		if n := auditCount(t, ts, "recording.write", sess.ID); n != 5 {
			t.Fatalf("%d recording.write audit events, want 5", n)
		}
	})
}

func decodeInto(t *testing.T, res response, out any) {
	t.Helper()
	if err := json.Unmarshal(res.Body, out); err != nil {
		t.Fatalf("decode %s: %v", res.Body, err)
	}
}

func TestNoteLifecycle(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, databaseURL string) {
		ts := newTestServer(t, databaseURL)
		a := ts.login("a@example.com")
		sess := ts.createAnonymousSession(a, api.SessionWrittenSummary, api.AnonymousIndividual)
		notesPath := "/api/v1/sessions/" + sess.ID + "/notes"

		// Nothing to write from, or an unknown template.
		if res := ts.do(a, http.MethodPost, notesPath, api.GenerateNoteRequest{Template: "soap"}, http.StatusUnprocessableEntity, nil); res.Error().Code != api.CodeNoSource {
			t.Fatalf("no source: %s", res.Body)
		}
		ts.do(a, http.MethodPut, "/api/v1/sessions/"+sess.ID+"/summary", api.TextRequest{Text: fictionalSummary}, http.StatusOK, nil)
		if res := ts.do(a, http.MethodPost, notesPath, map[string]string{"template": "essay"}, http.StatusUnprocessableEntity, nil); res.Error().Code != api.CodeInvalidField {
			t.Fatalf("unknown template: %s", res.Body)
		}

		// 202 generating, then ready; the same Idempotency-Key gives the same note.
		var first, again api.Note
		decodeInto(t, ts.raw(a, http.MethodPost, notesPath, api.GenerateNoteRequest{Template: "soap"}, "Idempotency-Key", "k-1"), &first)
		if first.Status != api.NoteGenerating && first.Status != api.NoteReady {
			t.Fatalf("new note status %q", first.Status)
		}
		res := ts.raw(a, http.MethodPost, notesPath, api.GenerateNoteRequest{Template: "soap"}, "Idempotency-Key", "k-1")
		decodeInto(t, res, &again)
		if res.Status != http.StatusAccepted || again.ID != first.ID {
			t.Fatalf("same key gave %d note %s, want note %s", res.Status, again.ID, first.ID)
		}
		n := ts.waitNote(a, first.ID)
		if n.Status != api.NoteReady || n.Version != 1 || len(n.Sections) != 4 || n.Generator == "" {
			t.Fatalf("generated note: %+v", n)
		}
		for _, sec := range n.Sections {
			if sec.Text != "" && !strings.Contains(fictionalSummary, strings.TrimSuffix(strings.SplitN(sec.Text, ". ", 2)[0], ".")) {
				t.Errorf("section %s holds text not in the summary: %q", sec.Key, sec.Text)
			}
		}
		var s api.Session
		ts.do(a, http.MethodGet, "/api/v1/sessions/"+sess.ID, nil, http.StatusOK, &s)
		if s.NoteStatus != api.NoteReady {
			t.Fatalf("session note_status %q, want ready", s.NoteStatus)
		}
		var list api.Page[api.Note]
		ts.do(a, http.MethodGet, notesPath, nil, http.StatusOK, &list)
		if len(list.Items) != 1 || list.Items[0].ID != n.ID {
			t.Fatalf("session notes: %+v", list.Items)
		}

		// Edits: each save is a version; a stale version changes nothing.
		notePath := "/api/v1/notes/" + n.ID
		edit := api.UpdateNoteRequest{Version: 1, Sections: []api.SectionEdit{{Key: "assessment", Text: "Panic symptoms are decreasing."}}}
		var edited api.Note
		ts.do(a, http.MethodPatch, notePath, edit, http.StatusOK, &edited)
		if edited.Version != 2 || sectionText(edited, "assessment") != "Panic symptoms are decreasing." {
			t.Fatalf("edited: %+v", edited)
		}
		for _, version := range []int{1, 1 << 40} { // 1<<40: beyond PostgreSQL's integer
			stale := api.UpdateNoteRequest{Version: version, Sections: []api.SectionEdit{{Key: "assessment", Text: "An older tab's text."}}}
			if res := ts.do(a, http.MethodPatch, notePath, stale, http.StatusConflict, nil); res.Error().Code != api.CodeVersionConflict {
				t.Fatalf("stale edit: %s", res.Body)
			}
		}
		unknown := api.UpdateNoteRequest{Version: 2, Sections: []api.SectionEdit{{Key: "behavior", Text: "Not a SOAP section."}}}
		if res := ts.do(a, http.MethodPatch, notePath, unknown, http.StatusUnprocessableEntity, nil); res.Error().Code != api.CodeInvalidField {
			t.Fatalf("unknown section: %s", res.Body)
		}
		var now api.Note
		ts.do(a, http.MethodGet, notePath, nil, http.StatusOK, &now)
		if now.Version != 2 || sectionText(now, "assessment") != "Panic symptoms are decreasing." {
			t.Fatalf("a refused edit changed the note: %+v", now)
		}
		var versions api.Page[api.NoteVersion]
		ts.do(a, http.MethodGet, notePath+"/versions", nil, http.StatusOK, &versions)
		if len(versions.Items) != 2 {
			t.Fatalf("%d versions, want 2", len(versions.Items))
		}

		// Insertion receipts: an http(s) origin and field labels only.
		for _, bad := range []api.InsertionRequest{
			{Origin: "javascript:alert(1)", NoteVersion: 2, Fields: []api.InsertionField{{Section: "plan", FieldLabel: "Plan"}}},
			{Origin: "https://ehr.example.com/patients/12", NoteVersion: 2, Fields: []api.InsertionField{{Section: "plan", FieldLabel: "Plan"}}},
			{Origin: "https://ehr.example.com", NoteVersion: 2},
			{Origin: "https://ehr.example.com", NoteVersion: 2, Fields: []api.InsertionField{{Section: "plan", FieldLabel: ""}}},
		} {
			if res := ts.do(a, http.MethodPost, notePath+"/insertions", bad, http.StatusUnprocessableEntity, nil); res.Error().Code != api.CodeInvalidField {
				t.Errorf("insertion %+v: %s", bad, res.Body)
			}
		}
		receipt := api.InsertionRequest{Origin: "https://ehr.example.com", NoteVersion: 2,
			Fields: []api.InsertionField{{Section: "subjective", FieldLabel: "Subjective"}, {Section: "plan", FieldLabel: "Plan of care"}}}
		ts.do(a, http.MethodPost, notePath+"/insertions", receipt, http.StatusCreated, nil)
		var receipts api.Page[api.Insertion]
		ts.do(a, http.MethodGet, notePath+"/insertions", nil, http.StatusOK, &receipts)
		if len(receipts.Items) != 1 || receipts.Items[0].Origin != receipt.Origin || len(receipts.Items[0].Fields) != 2 {
			t.Fatalf("receipts: %+v", receipts.Items)
		}

		// Signing freezes the note; addenda are still possible.
		ts.do(a, http.MethodPost, notePath+"/addenda", api.TextRequest{Text: "Too early."}, http.StatusConflict, nil)
		var signed api.Note
		ts.do(a, http.MethodPost, notePath+"/sign", signAndEnd(2), http.StatusOK, &signed)
		if signed.SignedAt == nil || signed.Status != api.NoteSigned {
			t.Fatalf("signed: %+v", signed)
		}
		after := api.UpdateNoteRequest{Version: 2, Sections: []api.SectionEdit{{Key: "plan", Text: "Changed after signing."}}}
		if res := ts.do(a, http.MethodPatch, notePath, after, http.StatusConflict, nil); res.Error().Code != api.CodeNoteSigned {
			t.Fatalf("edit after signing: %s", res.Body)
		}
		ts.do(a, http.MethodPost, notePath+"/addenda", api.TextRequest{Text: ""}, http.StatusUnprocessableEntity, nil)
		ts.do(a, http.MethodPost, notePath+"/addenda", api.TextRequest{Text: "Client called to confirm the next appointment."}, http.StatusCreated, nil)
		ts.do(a, http.MethodGet, notePath, nil, http.StatusOK, &now)
		if len(now.Addenda) != 1 || now.Version != 2 {
			t.Fatalf("after addendum: %+v", now)
		}
		for action, want := range map[string]int64{"note.write": 2, "note.sign": 1, "note.insert": 1} {
			if got := auditCount(t, ts, action, n.ID); got != want {
				t.Errorf("%d %s audit events, want %d", got, action, want)
			}
		}
		if auditCount(t, ts, "note.read", n.ID) == 0 {
			t.Error("reading the note was not audited")
		}
	})
}

func sectionText(n api.Note, key string) string {
	for _, s := range n.Sections {
		if s.Key == key {
			return s.Text
		}
	}
	return ""
}

func TestEachTemplate(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, databaseURL string) {
		ts := newTestServer(t, databaseURL)
		a := ts.login("a@example.com")
		sess := ts.createAnonymousSession(a, api.SessionWrittenSummary, api.AnonymousIndividual)
		ts.do(a, http.MethodPut, "/api/v1/sessions/"+sess.ID+"/summary", api.TextRequest{Text: fictionalSummary}, http.StatusOK, nil)
		for _, tmpl := range note.Templates() {
			n := ts.generateNote(a, sess.ID, string(tmpl.ID))
			if n.Status != api.NoteReady || len(n.Sections) != len(tmpl.Sections) {
				t.Fatalf("%s: %+v", tmpl.ID, n)
			}
			for i, sec := range n.Sections {
				if sec.Key != tmpl.Sections[i].Key {
					t.Errorf("%s section %d is %q, want %q", tmpl.ID, i, sec.Key, tmpl.Sections[i].Key)
				}
				if (sec.Text == "") != sec.NotDocumented {
					t.Errorf("%s/%s: text %q, not_documented %v", tmpl.ID, sec.Key, sec.Text, sec.NotDocumented)
				}
			}
		}
	})
}

func TestConcurrentIdempotentGenerate(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, databaseURL string) {
		ts := newTestServer(t, databaseURL)
		a := ts.login("a@example.com")
		sess := ts.createAnonymousSession(a, api.SessionWrittenSummary, api.AnonymousIndividual)
		ts.do(a, http.MethodPut, "/api/v1/sessions/"+sess.ID+"/summary", api.TextRequest{Text: fictionalSummary}, http.StatusOK, nil)
		notesPath := "/api/v1/sessions/" + sess.ID + "/notes"

		const callers = 8
		ids := make([]string, callers)
		statuses := make([]int, callers)
		var wg sync.WaitGroup
		for i := range callers {
			wg.Go(func() {
				res := ts.raw(a, http.MethodPost, notesPath, api.GenerateNoteRequest{Template: "dap"}, "Idempotency-Key", "same-click")
				statuses[i] = res.Status
				var n api.Note
				if json.Unmarshal(res.Body, &n) == nil {
					ids[i] = n.ID
				}
			})
		}
		wg.Wait()
		for i := range callers {
			if statuses[i] != http.StatusAccepted || ids[i] == "" || ids[i] != ids[0] {
				t.Fatalf("caller %d: status %d note %q, caller 0 note %q", i, statuses[i], ids[i], ids[0])
			}
		}
		if n := countRowsWhere(t, ts.store, "notes", "session_id = ?", sess.ID); n != 1 {
			t.Fatalf("%d notes for one Idempotency-Key, want 1", n)
		}

		// The session list follows the note: generating → ready → signed.
		sessionNoteStatus := func() api.NoteStatus {
			var page api.Page[api.Session]
			ts.do(a, http.MethodGet, "/api/v1/sessions", nil, http.StatusOK, &page)
			for _, s := range page.Items {
				if s.ID == sess.ID {
					return s.NoteStatus
				}
			}
			t.Fatal("session missing from the list")
			return ""
		}
		if st := sessionNoteStatus(); st != api.NoteGenerating && st != api.NoteReady {
			t.Fatalf("listed note_status %q right after generating", st)
		}
		ts.waitNote(a, ids[0])
		if st := sessionNoteStatus(); st != api.NoteReady {
			t.Fatalf("listed note_status %q, want ready", st)
		}
		ts.do(a, http.MethodPost, "/api/v1/notes/"+ids[0]+"/sign", signAndEnd(1), http.StatusOK, nil)
		if st := sessionNoteStatus(); st != api.NoteSigned {
			t.Fatalf("listed note_status %q, want signed", st)
		}
	})
}
