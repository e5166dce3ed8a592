package api

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sidenote/sidenote/server/internal/store/storetest"
	"github.com/sidenote/sidenote/shared/api"
)

// signedSessionFixture is a session assigned to client, with a summary and a
// transcript and a signed note; other is a second client of the clinician.
type signedSessionFixture struct {
	token, session, note, client, other string
	started                             time.Time
}

const (
	amendSummary    = "Client reports sleeping six hours (fictional)."
	amendTranscript = "Client: I slept better.\nClinician: Keep the diary."
)

func newSignedSession(t *testing.T, ts *testServer) signedSessionFixture {
	t.Helper()
	f := signedSessionFixture{token: ts.login("amend@example.org")}
	f.client = ts.createClient(f.token, "Robin (pseudonym)", api.ClientIndividual).ID
	f.other = ts.createClient(f.token, "Kim (pseudonym)", api.ClientIndividual).ID
	var sess api.Session
	ts.do(f.token, http.MethodPost, "/api/v1/sessions", api.CreateSessionRequest{
		Type: api.SessionInPerson, ClientID: &f.client, Consent: &api.Consent{Obtained: true, Method: api.ConsentWritten},
	}, http.StatusCreated, &sess)
	f.session, f.started = sess.ID, sess.StartedAt
	ts.do(f.token, http.MethodPut, "/api/v1/sessions/"+f.session+"/summary", api.TextRequest{Text: amendSummary}, http.StatusOK, nil)
	ts.do(f.token, http.MethodPut, "/api/v1/sessions/"+f.session+"/transcript", api.TextRequest{Text: amendTranscript}, http.StatusOK, nil)
	f.note = ts.generateNote(f.token, f.session, "soap").ID
	ts.do(f.token, http.MethodPost, "/api/v1/notes/"+f.note+"/sign", nil, http.StatusOK, nil)
	return f
}

// After signing, who, when, type and sources change only as a reasoned
// amendment, which the note shows and the audit log records; a signed
// session is never deleted.
func TestSignedSessionChangesNeedAReason(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, dbURL string) {
		ts := newTestServer(t, dbURL)
		f := newSignedSession(t, ts)
		path := "/api/v1/sessions/" + f.session
		earlier := f.started.Add(-24 * time.Hour)
		dictation := api.SessionDictation
		snapshot := func() string {
			var b strings.Builder
			for _, p := range []string{path, path + "/summary", path + "/transcript", "/api/v1/notes/" + f.note} {
				b.Write(ts.do(f.token, http.MethodGet, p, nil, http.StatusOK, nil).Body)
			}
			return b.String()
		}
		before := snapshot()
		refused := []struct {
			method, path string
			body         any
		}{
			{http.MethodPost, path + "/end", api.EndSessionRequest{ClientID: &f.other}},
			{http.MethodPost, path + "/end", api.EndSessionRequest{Anonymous: ptr(api.AnonymousIndividual)}},
			{http.MethodPost, path + "/assign", api.AssignRequest{ClientID: f.other}},
			{http.MethodPatch, path, api.UpdateSessionRequest{StartedAt: &earlier}},
			{http.MethodPatch, path, api.UpdateSessionRequest{Type: &dictation}},
			{http.MethodPatch, path, api.UpdateSessionRequest{Type: &dictation, Reason: ptr("   ")}},
			{http.MethodPut, path + "/summary", api.SourceRequest{Text: "Rewritten after signing."}},
			{http.MethodPut, path + "/transcript", api.SourceRequest{Text: "Client: rewritten."}},
			{http.MethodDelete, path, nil},
		}
		for _, r := range refused {
			res := ts.raw(f.token, r.method, r.path, r.body)
			if res.Status != http.StatusConflict || res.Error().Code != api.CodeNoteSigned {
				t.Errorf("%s %s %+v after signing: %d %s, want 409 note_signed", r.method, r.path, r.body, res.Status, res.Body)
			}
		}
		if after := snapshot(); after != before {
			t.Fatalf("refused changes changed the session:\nbefore %s\nafter  %s", before, after)
		}
		// Saving what is already there changes nothing and needs no reason.
		ts.do(f.token, http.MethodPatch, path, api.UpdateSessionRequest{Type: ptr(api.SessionInPerson)}, http.StatusOK, nil)
		ts.do(f.token, http.MethodPut, path+"/summary", api.SourceRequest{Text: amendSummary}, http.StatusOK, nil)

		// Amendments, with reasons.
		ts.do(f.token, http.MethodPatch, path, api.UpdateSessionRequest{StartedAt: &earlier, Reason: ptr("Entered on the wrong day.")}, http.StatusOK, nil)
		var moved api.Session
		ts.do(f.token, http.MethodPost, path+"/end", api.EndSessionRequest{ClientID: &f.other, Reason: ptr("Recorded under the wrong client.")}, http.StatusOK, &moved)
		if moved.Client == nil || moved.Client.ID != f.other {
			t.Fatalf("amended end: client %+v, want %s", moved.Client, f.other)
		}
		const corrected = "Client reports sleeping seven hours (fictional)."
		ts.do(f.token, http.MethodPut, path+"/summary", api.SourceRequest{Text: corrected, Reason: ptr("Typo in the hours.")}, http.StatusOK, nil)
		var summary api.TextRequest
		ts.do(f.token, http.MethodGet, path+"/summary", nil, http.StatusOK, &summary)
		if summary.Text != corrected {
			t.Fatalf("amended summary %q", summary.Text)
		}

		var n api.Note
		ts.do(f.token, http.MethodGet, "/api/v1/notes/"+f.note, nil, http.StatusOK, &n)
		want := []api.Amendment{
			{Field: "started_at", Old: f.started.UTC().Format(time.RFC3339Nano), New: earlier.UTC().Format(time.RFC3339Nano), Reason: "Entered on the wrong day."},
			{Field: "client", Old: "client:" + f.client, New: "client:" + f.other, Reason: "Recorded under the wrong client."},
			{Field: "summary", Old: amendSummary, New: corrected, Reason: "Typo in the hours."},
		}
		if len(n.Amendments) != len(want) {
			t.Fatalf("note amendments %+v, want %d", n.Amendments, len(want))
		}
		for i, a := range n.Amendments {
			if a.Field != want[i].Field || a.Old != want[i].Old || a.New != want[i].New || a.Reason != want[i].Reason || a.At.Before(*n.SignedAt) {
				t.Errorf("amendment %d: %+v, want %+v", i, a, want[i])
			}
		}

		// The audit log has one session.amend per amendment with old and
		// new ids and times, and no text; summary reads are summary reads.
		var events api.Page[api.AuditEvent]
		ts.do(f.token, http.MethodGet, "/api/v1/audit?limit=200", nil, http.StatusOK, &events)
		amends, summaryReads := 0, 0
		for _, e := range events.Items {
			switch e.Action {
			case "session.amend":
				amends++
				var d map[string]string
				if err := json.Unmarshal([]byte(e.Detail), &d); err != nil || e.ResourceID != f.session || d["amendment_id"] == "" {
					t.Errorf("amend event %+v", e)
				}
				if strings.Contains(e.Detail, "seven hours") || strings.Contains(e.Detail, "six hours") {
					t.Errorf("amend event holds note text: %s", e.Detail)
				}
				if d["field"] == "client" && (d["old"] != "client:"+f.client || d["new"] != "client:"+f.other) {
					t.Errorf("client amendment detail %s", e.Detail)
				}
			case "summary.read":
				summaryReads++
			case "note.read":
				if e.ResourceID == f.session {
					t.Errorf("a summary read audited as a note read: %+v", e)
				}
			}
		}
		if amends != 3 || summaryReads == 0 {
			t.Errorf("%d session.amend and %d summary.read events, want 3 and some", amends, summaryReads)
		}
		for _, text := range []string{"seven hours", "six hours", "wrong client", "wrong day"} {
			if strings.Contains(ts.logs.String(), text) {
				t.Errorf("the log holds %q", text)
			}
		}
		// A session signed as anonymous (or not yet assigned) may be given
		// its client without a reason, as the sidebar does; the note's
		// history still shows it. Moving it on needs a reason.
		anon := ts.createAnonymousSession(f.token, api.SessionInPerson, api.AnonymousCouple)
		ts.do(f.token, http.MethodPut, "/api/v1/sessions/"+anon.ID+"/summary", api.TextRequest{Text: amendSummary}, http.StatusOK, nil)
		anonNote := ts.generateNote(f.token, anon.ID, "dap").ID
		ts.do(f.token, http.MethodPost, "/api/v1/notes/"+anonNote+"/sign", nil, http.StatusOK, nil)
		ts.do(f.token, http.MethodPost, "/api/v1/sessions/"+anon.ID+"/assign", api.AssignRequest{ClientID: f.client}, http.StatusOK, nil)
		if res := ts.raw(f.token, http.MethodPost, "/api/v1/sessions/"+anon.ID+"/assign", api.AssignRequest{ClientID: f.other}); res.Status != http.StatusConflict {
			t.Errorf("moving a signed session from one client to another without a reason: %d %s", res.Status, res.Body)
		}
		var anonSigned api.Note
		ts.do(f.token, http.MethodGet, "/api/v1/notes/"+anonNote, nil, http.StatusOK, &anonSigned)
		if len(anonSigned.Amendments) != 1 || anonSigned.Amendments[0].Old != "anonymous:couple" || anonSigned.Amendments[0].New != "client:"+f.client {
			t.Errorf("the assignment after signing is not in the note's history: %+v", anonSigned.Amendments)
		}

		// Still no delete, reason or not.
		if res := ts.raw(f.token, http.MethodDelete, path, nil); res.Status != http.StatusConflict {
			t.Errorf("delete of a signed session: %d %s", res.Status, res.Body)
		}
		ts.do(f.token, http.MethodGet, path, nil, http.StatusOK, nil)
	})
}
