package api

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/sidenote/sidenote/server/internal/audit"
	"github.com/sidenote/sidenote/server/internal/store/storetest"
	"github.com/sidenote/sidenote/shared/api"
)

func TestAuditLogAPI(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, dbURL string) {
		ts := newTestServer(t, dbURL)
		a, b := ts.login("a@example.org"), ts.login("b@example.org")
		robin := ts.createClient(a, "Robin", api.ClientIndividual)
		sam := ts.createClient(a, "Sam", api.ClientIndividual)
		// A's events, oldest first, after the sign-in: every write.
		type event struct{ action, resource string }
		written := []event{{"client.create", robin.ID}, {"client.create", sam.ID}}
		for range 3 {
			s := ts.createAnonymousSession(a, api.SessionInPerson, api.AnonymousIndividual)
			ts.do(a, http.MethodPost, "/api/v1/sessions/"+s.ID+"/assign", api.AssignRequest{ClientID: robin.ID}, http.StatusOK, nil)
			ts.do(a, http.MethodPost, "/api/v1/sessions/"+s.ID+"/assign", api.AssignRequest{ClientID: sam.ID}, http.StatusOK, nil)
			written = append(written, event{"session.create", s.ID}, event{"session.assign", s.ID}, event{"session.assign", s.ID})
		}
		ts.createAnonymousSession(b, api.SessionInPerson, api.AnonymousCouple)

		// Newest first, two at a time, with nothing repeated or lost.
		var seen []api.AuditEvent
		cursor := ""
		for pages := 0; ; pages++ {
			if pages > 10 {
				t.Fatal("pagination does not end")
			}
			var page api.Page[api.AuditEvent]
			ts.do(a, http.MethodGet, "/api/v1/audit?limit=2&cursor="+cursor, nil, http.StatusOK, &page)
			if len(page.Items) > 2 {
				t.Fatalf("page of %d", len(page.Items))
			}
			seen = append(seen, page.Items...)
			if page.NextCursor == "" {
				break
			}
			cursor = page.NextCursor
		}
		// A's oldest event is the sign-in.
		if len(seen) != len(written)+1 || seen[len(seen)-1].Action != "sign_in" {
			t.Fatalf("%d events (%+v), want %d writes after a sign-in", len(seen), seen, len(written))
		}
		for i, e := range seen[:len(written)] {
			want := written[len(written)-1-i]
			if e.Action != want.action || e.ResourceID != want.resource || e.RequestID == "" || e.ClientIP != "127.0.0.1" {
				t.Fatalf("event %d = %+v, want %s of %s", i, e, want.action, want.resource)
			}
			if i > 0 && e.CreatedAt.After(seen[i-1].CreatedAt) {
				t.Fatalf("event %d is newer than event %d", i, i-1)
			}
		}

		// B sees only B's own sign-in and session, and a bad cursor is a clear error.
		var bPage api.Page[api.AuditEvent]
		ts.do(b, http.MethodGet, "/api/v1/audit", nil, http.StatusOK, &bPage)
		if len(bPage.Items) != 2 || bPage.Items[0].Action != "session.create" || bPage.Items[1].Action != "sign_in" {
			t.Fatalf("B's audit log = %+v", bPage)
		}
		if res := ts.raw(a, http.MethodGet, "/api/v1/audit?cursor=garbage", nil); res.Status != http.StatusUnprocessableEntity || res.Error().Field != "cursor" {
			t.Fatalf("bad cursor: %d %s", res.Status, res.Body)
		}
		if res := ts.raw("", http.MethodGet, "/api/v1/audit", nil); res.Status != http.StatusUnauthorized {
			t.Fatalf("anonymous audit read: %d", res.Status)
		}
	})
}

// TestAuditLogIsReadOnly checks that no route can change audit rows: the
// only route under /api/v1/audit is the GET.
func TestAuditLogIsReadOnly(t *testing.T) {
	ts := newTestServer(t, storetest.SQLiteURL(t))
	for _, r := range ts.srv.Routes() {
		if strings.HasPrefix(r.Path, "/api/v1/audit") && (r.Method != http.MethodGet || r.Path != "/api/v1/audit") {
			t.Errorf("route %s %s can reach the audit log", r.Method, r.Path)
		}
	}
	tok := ts.login("a@example.org")
	for _, method := range []string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		if res := ts.raw(tok, method, "/api/v1/audit", `{}`); res.Status != http.StatusNotFound {
			t.Errorf("%s /api/v1/audit: %d", method, res.Status)
		}
	}
}

// TestEveryAuditedWriteRecordsOneEvent sends each audited write once, with
// its own request id, and finds exactly one event of that request, naming
// the action and the resource; a refused write records nothing. (The store
// test TestAuditedWritesCommitWithTheirEvent checks that a write and its
// event commit together or not at all.)
func TestEveryAuditedWriteRecordsOneEvent(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, dbURL string) {
		ts := newTestServer(t, dbURL)
		requests := 0
		// send makes one request and checks its events: want is
		// "action resource", or "" for none; resource "*" is any.
		send := func(token, method, path string, body any, status int, want string, header ...string) response {
			t.Helper()
			requests++
			id := fmt.Sprintf("audited-write-%d", requests)
			res := ts.raw(token, method, path, body, append(header, "X-Request-ID", id)...)
			if res.Status != status {
				t.Fatalf("%s %s: %d %s, want %d", method, path, res.Status, res.Body, status)
			}
			var events []audit.Event
			if err := ts.store.DB().Where("request_id = ?", id).Find(&events).Error; err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range events {
				got = append(got, e.Action+" "+e.ResourceID)
			}
			action, resource, _ := strings.Cut(want, " ")
			switch {
			case want == "" && len(events) == 0:
			case len(events) == 1 && events[0].Action == action && (resource == "*" || events[0].ResourceID == resource) && events[0].ClientIP == "127.0.0.1":
			default:
				t.Fatalf("%s %s: events %q, want %q", method, path, got, want)
			}
			return res
		}

		var tok api.TokenResponse
		decodeInto(t, send("", http.MethodPost, "/api/v1/dev/login", api.DevLoginRequest{Email: "a@example.org", Name: "Dr A"}, http.StatusOK, "sign_in *"), &tok)
		a := tok.Token
		robin := ts.createClient(a, "Robin", api.ClientIndividual)
		sess := ts.createAnonymousSession(a, api.SessionWrittenSummary, api.AnonymousIndividual)
		base := "/api/v1/sessions/" + sess.ID

		send(a, http.MethodPut, base+"/summary", api.TextRequest{Text: fictionalSummary}, http.StatusOK, "summary.write "+sess.ID)
		send(a, http.MethodPut, base+"/summary", api.TextRequest{Text: " "}, http.StatusUnprocessableEntity, "")
		send(a, http.MethodPut, base+"/transcript", api.TextRequest{Text: "Clinician: (fictional) How was the week?"}, http.StatusOK, "transcript.write "+sess.ID)
		send(a, http.MethodPost, base+"/assign", api.AssignRequest{ClientID: robin.ID}, http.StatusOK, "session.assign "+sess.ID)

		var n api.Note
		decodeInto(t, send(a, http.MethodPost, base+"/notes", api.GenerateNoteRequest{Template: "soap"}, http.StatusAccepted, "note.create *", "Idempotency-Key", "k-1"), &n)
		if got := auditCount(t, ts, "note.create", n.ID); got != 1 {
			t.Fatalf("%d note.create events of the note", got)
		}
		// The same Idempotency-Key reads the first note back.
		send(a, http.MethodPost, base+"/notes", api.GenerateNoteRequest{Template: "soap"}, http.StatusAccepted, "note.read "+n.ID, "Idempotency-Key", "k-1")
		n = ts.waitNote(a, n.ID)
		notePath := "/api/v1/notes/" + n.ID
		send(a, http.MethodGet, notePath, nil, http.StatusOK, "note.read "+n.ID)
		edit := api.UpdateNoteRequest{Version: n.Version, Sections: []api.SectionEdit{{Key: "plan", Text: "Continue weekly sessions."}}}
		send(a, http.MethodPatch, notePath, edit, http.StatusOK, "note.write "+n.ID)
		send(a, http.MethodPatch, notePath, edit, http.StatusConflict, "") // stale version
		receipt := api.InsertionRequest{Origin: "https://ehr.example.com", NoteVersion: n.Version + 1,
			Fields: []api.InsertionField{{Section: "plan", FieldLabel: "Plan"}}}
		send(a, http.MethodPost, notePath+"/insertions", receipt, http.StatusCreated, "note.insert "+n.ID)
		send(a, http.MethodPost, notePath+"/sign", nil, http.StatusOK, "note.sign "+n.ID)
		send(a, http.MethodPost, notePath+"/sign", nil, http.StatusConflict, "")
		send(a, http.MethodPost, notePath+"/addenda", api.TextRequest{Text: "Fictional late entry."}, http.StatusCreated, "note.write "+n.ID)

		rec := ts.createAnonymousSession(a, api.SessionUploadedRecording, api.AnonymousCouple)
		recPath := "/api/v1/sessions/" + rec.ID + "/recording"
		send(a, http.MethodPost, recPath, rawBody{contentType: "audio/ogg", data: strings.Repeat("\x01", 500)}, http.StatusCreated, "recording.write "+rec.ID)
		send(a, http.MethodPatch, recPath, api.RecordingSettingsRequest{Keep: ptr(true)}, http.StatusOK, "recording.write "+rec.ID)

		var tokens api.Page[api.Token]
		second := ts.login("a@example.org")
		ts.do(a, http.MethodGet, "/api/v1/tokens", nil, http.StatusOK, &tokens)
		var secondID string
		for _, tk := range tokens.Items {
			if !tk.Current && secondID == "" {
				secondID = tk.ID
			}
		}
		send(a, http.MethodDelete, "/api/v1/tokens/"+secondID, nil, http.StatusNoContent, "token.revoke "+secondID)
		send(a, http.MethodDelete, "/api/v1/tokens/"+secondID, nil, http.StatusNotFound, "")
		if res := ts.raw(second, http.MethodGet, "/api/v1/me", nil); res.Status != http.StatusUnauthorized {
			t.Fatalf("revoked token: %d", res.Status)
		}
		// Signing out with a bearer token revokes it, audited too.
		var current string
		for _, tk := range tokens.Items {
			if tk.Current {
				current = tk.ID
			}
		}
		send(a, http.MethodPost, "/auth/logout", nil, http.StatusNoContent, "token.revoke "+current)
	})
}
