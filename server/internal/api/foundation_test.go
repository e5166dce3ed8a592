package api

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sidenote/sidenote/server/internal/store/storetest"
	"github.com/sidenote/sidenote/shared/api"
)

func TestDevLoginAndMe(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, dbURL string) {
		ts := newTestServer(t, dbURL)
		tok := ts.login("ana@example.org")
		var me api.Clinician
		ts.do(tok, http.MethodGet, "/api/v1/me", nil, http.StatusOK, &me)
		if me.Email != "ana@example.org" || me.ID == "" {
			t.Fatalf("me = %+v", me)
		}
		// Signing in again finds the same clinician with a new token.
		tok2 := ts.login("ANA@example.org ")
		var me2 api.Clinician
		ts.do(tok2, http.MethodGet, "/api/v1/me", nil, http.StatusOK, &me2)
		if me2.ID != me.ID || tok2 == tok {
			t.Fatalf("second login: id %s (want %s), same token %v", me2.ID, me.ID, tok2 == tok)
		}
		for _, h := range []string{"", "Bearer", "Bearer sn_nope", "Basic abc"} {
			res := ts.raw("", http.MethodGet, "/api/v1/me", nil, "Authorization", h)
			if res.Status != http.StatusUnauthorized || res.Error().Code != api.CodeUnauthenticated {
				t.Errorf("Authorization %q: %d %s", h, res.Status, res.Body)
			}
		}
	})
}

func TestDevLoginOnlyInDevMode(t *testing.T) {
	ts := newTestServer(t, storetest.SQLiteURL(t), map[string]string{"SIDENOTE_DEV_LOGIN": "0"})
	res := ts.raw("", http.MethodPost, "/api/v1/dev/login", `{"email":"a@example.org","name":"A"}`)
	if res.Status != http.StatusNotFound || res.Error().Code != api.CodeNotFound {
		t.Fatalf("dev login without dev mode: %d %s", res.Status, res.Body)
	}
}

func TestClients(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, dbURL string) {
		ts := newTestServer(t, dbURL)
		a, b := ts.login("a@example.org"), ts.login("b@example.org")

		robin := ts.createClient(a, "Robin (pseudonym)", api.ClientIndividual)
		pair := ts.createClient(a, "The Kestrels", api.ClientCouple)
		ts.createAnonymousSession(a, api.SessionInPerson, api.AnonymousIndividual)
		ts.createAnonymousSession(a, api.SessionTelehealth, api.AnonymousCouple)
		ts.createClient(b, "Other clinician's client", api.ClientIndividual)

		var page api.Page[api.Client]
		ts.do(a, http.MethodGet, "/api/v1/clients", nil, http.StatusOK, &page)
		if got := names(page.Items); got != "Robin (pseudonym),The Kestrels" {
			t.Fatalf("clients = %s (anonymous sessions must never appear as clients)", got)
		}
		ts.do(a, http.MethodGet, "/api/v1/clients?q=kest", nil, http.StatusOK, &page)
		if got := names(page.Items); got != "The Kestrels" {
			t.Fatalf("search = %s", got)
		}

		var got api.Client
		ts.do(a, http.MethodPatch, "/api/v1/clients/"+robin.ID, map[string]any{"display_name": "Robin", "external_ref": "EHR-1042"}, http.StatusOK, &got)
		if got.DisplayName != "Robin" || got.ExternalRef == nil || *got.ExternalRef != "EHR-1042" || got.Kind != api.ClientIndividual {
			t.Fatalf("patched = %+v", got)
		}

		// Another clinician's id answers exactly like a missing one.
		for _, path := range []string{"/api/v1/clients/" + robin.ID, "/api/v1/clients/00000000-0000-0000-0000-000000000000", "/api/v1/clients/not-an-id"} {
			res := ts.raw(b, http.MethodGet, path, nil)
			if res.Status != http.StatusNotFound || res.Error().Code != api.CodeNotFound {
				t.Errorf("GET %s as b: %d %s", path, res.Status, res.Body)
			}
		}
		res := ts.raw(b, http.MethodPatch, "/api/v1/clients/"+robin.ID, `{"display_name":"x"}`)
		if res.Status != http.StatusNotFound {
			t.Errorf("PATCH as b: %d", res.Status)
		}
		res = ts.raw(b, http.MethodDelete, "/api/v1/clients/"+robin.ID, nil)
		if res.Status != http.StatusNotFound {
			t.Errorf("DELETE as b: %d", res.Status)
		}

		// Delete archives: gone from the list, sessions keep their client.
		var sess api.Session
		ts.do(a, http.MethodPost, "/api/v1/sessions", api.CreateSessionRequest{
			Type: api.SessionInPerson, ClientID: &pair.ID, Consent: &api.Consent{Obtained: true, Method: api.ConsentWritten},
		}, http.StatusCreated, &sess)
		ts.do(a, http.MethodDelete, "/api/v1/clients/"+pair.ID, nil, http.StatusNoContent, nil)
		ts.do(a, http.MethodGet, "/api/v1/clients", nil, http.StatusOK, &page)
		if got := names(page.Items); got != "Robin" {
			t.Fatalf("after archive = %s", got)
		}
		ts.do(a, http.MethodGet, "/api/v1/sessions/"+sess.ID, nil, http.StatusOK, &sess)
		if sess.Client == nil || sess.Client.ID != pair.ID || sess.DisplayLabel != "The Kestrels" || sess.Client.ArchivedAt == nil {
			t.Fatalf("session of archived client = %+v", sess)
		}
	})
}

func TestClientPagination(t *testing.T) {
	ts := newTestServer(t, storetest.SQLiteURL(t))
	a := ts.login("a@example.org")
	for i := range 7 {
		ts.createClient(a, fmt.Sprintf("Client %02d", i), api.ClientIndividual)
	}
	var all []string
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatal("pagination does not end")
		}
		var page api.Page[api.Client]
		ts.do(a, http.MethodGet, "/api/v1/clients?limit=3&cursor="+cursor, nil, http.StatusOK, &page)
		for _, c := range page.Items {
			all = append(all, c.DisplayName)
		}
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	if got := strings.Join(all, ","); got != "Client 00,Client 01,Client 02,Client 03,Client 04,Client 05,Client 06" {
		t.Fatalf("pages = %s", got)
	}
}

func names(cs []api.Client) string {
	var out []string
	for _, c := range cs {
		out = append(out, c.DisplayName)
	}
	return strings.Join(out, ",")
}

func TestSessions(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, dbURL string) {
		ts := newTestServer(t, dbURL)
		a, b := ts.login("a@example.org"), ts.login("b@example.org")
		consent := &api.Consent{Obtained: true, Method: api.ConsentVerbal}

		solo := ts.createAnonymousSession(a, api.SessionDictation, api.AnonymousIndividual)
		if solo.DisplayLabel != "Anonymous individual" || solo.Client != nil || solo.Anonymous == nil || *solo.Anonymous != api.AnonymousIndividual {
			t.Fatalf("anonymous individual = %+v", solo)
		}
		if !solo.Consent.Obtained || solo.Consent.Method != api.ConsentVerbal || solo.Consent.RecordedAt == nil {
			t.Fatalf("consent not recorded: %+v", solo.Consent)
		}
		couple := ts.createAnonymousSession(a, api.SessionInPerson, api.AnonymousCouple)
		if couple.DisplayLabel != "Anonymous couple" {
			t.Fatalf("anonymous couple label = %q", couple.DisplayLabel)
		}
		robin := ts.createClient(a, "Robin", api.ClientIndividual)
		var assigned api.Session
		ts.do(a, http.MethodPost, "/api/v1/sessions", api.CreateSessionRequest{
			Type: api.SessionWrittenSummary, ClientID: &robin.ID, Consent: consent,
			StartedAt: ptr(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)),
		}, http.StatusCreated, &assigned)
		if assigned.DisplayLabel != "Robin" || assigned.Anonymous != nil || assigned.Client == nil {
			t.Fatalf("assigned = %+v", assigned)
		}
		// A telehealth session may wait until it ends to be assigned.
		var tele api.Session
		ts.do(a, http.MethodPost, "/api/v1/sessions", api.CreateSessionRequest{Type: api.SessionTelehealth, Consent: consent}, http.StatusCreated, &tele)

		// Filters.
		list := func(query string) []string {
			var page api.Page[api.Session]
			ts.do(a, http.MethodGet, "/api/v1/sessions"+query, nil, http.StatusOK, &page)
			var ids []string
			for _, s := range page.Items {
				ids = append(ids, s.ID)
			}
			return ids
		}
		if got, want := list(""), []string{tele.ID, couple.ID, solo.ID, assigned.ID}; !equal(got, want) {
			t.Errorf("all newest first = %v, want %v", got, want)
		}
		if got, want := list("?assignment=anonymous"), []string{tele.ID, couple.ID, solo.ID}; !equal(got, want) {
			t.Errorf("anonymous = %v, want %v", got, want)
		}
		if got, want := list("?assignment=assigned"), []string{assigned.ID}; !equal(got, want) {
			t.Errorf("assigned = %v, want %v", got, want)
		}
		if got, want := list("?client_id="+robin.ID), []string{assigned.ID}; !equal(got, want) {
			t.Errorf("by client = %v, want %v", got, want)
		}
		if got, want := list("?type=dictation"), []string{solo.ID}; !equal(got, want) {
			t.Errorf("by type = %v, want %v", got, want)
		}
		if got, want := list("?from=2026-11-01&to=2026-11-03"), []string{assigned.ID}; !equal(got, want) {
			t.Errorf("by date = %v, want %v", got, want)
		}
		if got := list(""); len(got) != 4 {
			t.Fatalf("b's sessions leaked into a's list? %v", got)
		}
		var bPage api.Page[api.Session]
		ts.do(b, http.MethodGet, "/api/v1/sessions", nil, http.StatusOK, &bPage)
		if len(bPage.Items) != 0 {
			t.Fatalf("b sees %d of a's sessions", len(bPage.Items))
		}

		// Assign the anonymous session, then move it: history keeps both.
		kestrels := ts.createClient(a, "The Kestrels", api.ClientCouple)
		var moved api.Session
		ts.do(a, http.MethodPost, "/api/v1/sessions/"+couple.ID+"/assign", api.AssignRequest{ClientID: robin.ID}, http.StatusOK, nil)
		ts.do(a, http.MethodPost, "/api/v1/sessions/"+couple.ID+"/assign", api.AssignRequest{ClientID: kestrels.ID}, http.StatusOK, &moved)
		if moved.DisplayLabel != "The Kestrels" || moved.Anonymous != nil || len(moved.History) != 3 {
			t.Fatalf("moved = %+v", moved)
		}
		if h := moved.History; h[0].Anonymous == nil || *h[0].Anonymous != api.AnonymousCouple || *h[1].ClientID != robin.ID || *h[2].ClientID != kestrels.ID {
			t.Fatalf("history = %+v", h)
		}
		// b cannot assign a's session, nor to a's client.
		bClient := ts.createClient(b, "B's client", api.ClientIndividual)
		if res := ts.raw(b, http.MethodPost, "/api/v1/sessions/"+solo.ID+"/assign", api.AssignRequest{ClientID: bClient.ID}); res.Status != http.StatusNotFound {
			t.Errorf("b assigns a's session: %d", res.Status)
		}
		bSess := ts.createAnonymousSession(b, api.SessionInPerson, api.AnonymousIndividual)
		if res := ts.raw(b, http.MethodPost, "/api/v1/sessions/"+bSess.ID+"/assign", api.AssignRequest{ClientID: robin.ID}); res.Status != http.StatusNotFound {
			t.Errorf("b assigns to a's client: %d %s", res.Status, res.Body)
		}

		// End the telehealth session choosing Anonymous couple.
		var ended api.Session
		ts.do(a, http.MethodPost, "/api/v1/sessions/"+tele.ID+"/end", map[string]any{"anonymous": "couple"}, http.StatusOK, &ended)
		if ended.Status != api.SessionEnded || ended.EndedAt == nil || ended.DisplayLabel != "Anonymous couple" {
			t.Fatalf("ended = %+v", ended)
		}

		// Patch and delete.
		var patched api.Session
		ts.do(a, http.MethodPatch, "/api/v1/sessions/"+solo.ID, map[string]any{"type": "in_person"}, http.StatusOK, &patched)
		if patched.Type != api.SessionInPerson {
			t.Fatalf("patched type = %s", patched.Type)
		}
		if res := ts.raw(b, http.MethodDelete, "/api/v1/sessions/"+solo.ID, nil); res.Status != http.StatusNotFound {
			t.Errorf("b deletes a's session: %d", res.Status)
		}
		ts.do(a, http.MethodDelete, "/api/v1/sessions/"+solo.ID, nil, http.StatusNoContent, nil)
		if res := ts.raw(a, http.MethodGet, "/api/v1/sessions/"+solo.ID, nil); res.Status != http.StatusNotFound {
			t.Errorf("deleted session still readable: %d", res.Status)
		}
	})
}

func equal(a, b []string) bool {
	return strings.Join(a, ",") == strings.Join(b, ",")
}

// Keyset pagination must neither skip nor repeat a session when new ones
// arrive between pages, and must order equal start times by id.
func TestSessionPaginationStableUnderInserts(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, dbURL string) {
		ts := newTestServer(t, dbURL)
		a := ts.login("a@example.org")
		base := time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
		want := map[string]bool{}
		for i := range 25 {
			var s api.Session
			kind := api.AnonymousIndividual
			// Pairs of sessions share a start time to exercise the id tiebreak.
			ts.do(a, http.MethodPost, "/api/v1/sessions", api.CreateSessionRequest{
				Type: api.SessionInPerson, Anonymous: &kind, Consent: &api.Consent{Obtained: true, Method: api.ConsentVerbal},
				StartedAt: ptr(base.Add(time.Duration(i/2) * time.Hour)),
			}, http.StatusCreated, &s)
			want[s.ID] = true
		}
		seen := map[string]bool{}
		cursor, last := "", time.Time{}
		for pages := 0; ; pages++ {
			var page api.Page[api.Session]
			ts.do(a, http.MethodGet, "/api/v1/sessions?limit=4&cursor="+cursor, nil, http.StatusOK, &page)
			for _, s := range page.Items {
				if seen[s.ID] {
					t.Fatalf("session %s repeated", s.ID)
				}
				if !last.IsZero() && s.StartedAt.After(last) {
					t.Fatalf("not newest first: %v after %v", s.StartedAt, last)
				}
				seen[s.ID], last = true, s.StartedAt
			}
			// Newer sessions arriving meanwhile must not disturb later pages.
			ts.createAnonymousSession(a, api.SessionInPerson, api.AnonymousCouple)
			if page.NextCursor == "" {
				break
			}
			cursor = page.NextCursor
		}
		for id := range want {
			if !seen[id] {
				t.Fatalf("session %s skipped", id)
			}
		}
		if res := ts.raw(a, http.MethodGet, "/api/v1/sessions?cursor=garbage", nil); res.Status != http.StatusUnprocessableEntity || res.Error().Field != "cursor" {
			t.Fatalf("bad cursor: %d %s", res.Status, res.Body)
		}
	})
}
