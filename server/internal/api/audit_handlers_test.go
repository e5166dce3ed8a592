package api

import (
	"net/http"
	"strings"
	"testing"

	"github.com/sidenote/sidenote/server/internal/store/storetest"
	"github.com/sidenote/sidenote/shared/api"
)

func TestAuditLogAPI(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, dbURL string) {
		ts := newTestServer(t, dbURL)
		a, b := ts.login("a@example.org"), ts.login("b@example.org")
		robin := ts.createClient(a, "Robin", api.ClientIndividual)
		sam := ts.createClient(a, "Sam", api.ClientIndividual)
		var assigned []string
		for range 3 {
			s := ts.createAnonymousSession(a, api.SessionInPerson, api.AnonymousIndividual)
			ts.do(a, http.MethodPost, "/api/v1/sessions/"+s.ID+"/assign", api.AssignRequest{ClientID: robin.ID}, http.StatusOK, nil)
			ts.do(a, http.MethodPost, "/api/v1/sessions/"+s.ID+"/assign", api.AssignRequest{ClientID: sam.ID}, http.StatusOK, nil)
			assigned = append(assigned, s.ID, s.ID)
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
		if len(seen) != len(assigned)+1 || seen[len(seen)-1].Action != "sign_in" {
			t.Fatalf("%d events (%+v), want %d assignments after a sign-in", len(seen), seen, len(assigned))
		}
		for i, e := range seen[:len(assigned)] {
			want := assigned[len(assigned)-1-i]
			if e.Action != "session.assign" || e.ResourceID != want || e.RequestID == "" || e.ClientIP != "127.0.0.1" {
				t.Fatalf("event %d = %+v, want session.assign of %s", i, e, want)
			}
			if i > 0 && e.CreatedAt.After(seen[i-1].CreatedAt) {
				t.Fatalf("event %d is newer than event %d", i, i-1)
			}
		}

		// B sees only B's own sign-in, and a bad cursor is a clear error.
		var bPage api.Page[api.AuditEvent]
		ts.do(b, http.MethodGet, "/api/v1/audit", nil, http.StatusOK, &bPage)
		if len(bPage.Items) != 1 || bPage.Items[0].Action != "sign_in" {
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
