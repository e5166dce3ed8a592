package api

import (
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/sidenote/sidenote/server/internal/store/storetest"
	"github.com/sidenote/sidenote/shared/api"
)

// TestSessionLabelsAndSearch: a session gets a short label, validated,
// shown in the session and the list; the list is searched by label, client
// name and date.
func TestSessionLabelsAndSearch(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, databaseURL string) {
		ts := newTestServer(t, databaseURL)
		a := ts.login("a@example.com")
		start := func(anon *api.Anonymous, clientID *string, at time.Time) api.Session {
			var s api.Session
			ts.do(a, http.MethodPost, "/api/v1/sessions", api.CreateSessionRequest{Type: api.SessionInPerson, Anonymous: anon, ClientID: clientID,
				Consent: &api.Consent{Obtained: true, Method: api.ConsentVerbal}, StartedAt: &at}, http.StatusCreated, &s)
			return s
		}
		zoe := ts.createClient(a, "Zoë O’Brien", api.ClientIndividual)
		// 23:30 UTC on 3 Dec is 4 Dec in Paris.
		late := start(nil, &zoe.ID, time.Date(2026, 12, 3, 23, 30, 0, 0, time.UTC))
		couple := start(ptr(api.AnonymousCouple), nil, time.Date(2026, 12, 1, 16, 0, 0, 0, time.UTC))
		other := start(ptr(api.AnonymousIndividual), nil, time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC))

		var labelled api.Session
		ts.do(a, http.MethodPatch, "/api/v1/sessions/"+couple.ID, api.UpdateSessionRequest{Label: ptr("  Tue 4 pm Couple  ")}, http.StatusOK, &labelled)
		if labelled.Label != "Tue 4 pm Couple" {
			t.Fatalf("label %q", labelled.Label)
		}
		ts.do(a, http.MethodPatch, "/api/v1/sessions/"+other.ID, api.UpdateSessionRequest{Label: ptr("100% _intake_")}, http.StatusOK, nil)
		for _, bad := range []string{strings.Repeat("é", 61), "two\nlines", "tab\there", "bell\u0007", "Robin\u202Eegap"} {
			if e := ts.do(a, http.MethodPatch, "/api/v1/sessions/"+couple.ID, api.UpdateSessionRequest{Label: &bad}, http.StatusUnprocessableEntity, nil).Error(); e.Field != "label" {
				t.Errorf("label %q: %+v", bad, e)
			}
		}
		var got api.Session
		ts.do(a, http.MethodGet, "/api/v1/sessions/"+couple.ID, nil, http.StatusOK, &got)
		if got.Label != "Tue 4 pm Couple" {
			t.Fatalf("label after refused changes: %q", got.Label)
		}

		search := func(q, tz string) []string {
			t.Helper()
			v := url.Values{"q": {q}}
			if tz != "" {
				v.Set("tz", tz)
			}
			var page api.Page[api.Session]
			ts.do(a, http.MethodGet, "/api/v1/sessions?"+v.Encode(), nil, http.StatusOK, &page)
			var ids []string
			for _, s := range page.Items {
				ids = append(ids, s.ID)
				if s.ID == couple.ID && s.Label != "Tue 4 pm Couple" {
					t.Errorf("listed label %q", s.Label)
				}
			}
			sort.Strings(ids)
			return ids
		}
		ids := func(ss ...api.Session) []string {
			var out []string
			for _, s := range ss {
				out = append(out, s.ID)
			}
			sort.Strings(out)
			return out
		}
		for _, c := range []struct {
			q, tz string
			want  []string
		}{
			{"couple", "", ids(couple)},       // label, any case
			{"4 PM  couple", "", ids(couple)}, // spaces collapsed
			{"zoë", "", ids(late)},            // client name, accents kept
			{"O’BRIEN", "", ids(late)},
			{"100%", "", ids(other)}, // LIKE wildcards are literal
			{"_", "", ids(other)},
			{"2026-12-03", "", ids(late)}, // a day in UTC
			{"2026-12-04", "Europe/Paris", ids(late)},
			{"4 Dec 2026", "Europe/Paris", ids(late)}, // as the sidebar shows dates
			{"Fri 4 Dec 2026", "Europe/Paris", ids(late)},
			{"1 Dec 2026", "", ids(couple)},
			{"nobody", "", nil},
		} {
			if got := search(c.q, c.tz); strings.Join(got, ",") != strings.Join(c.want, ",") {
				t.Errorf("q=%q tz=%q: %v, want %v", c.q, c.tz, got, c.want)
			}
		}
		if e := ts.do(a, http.MethodGet, "/api/v1/sessions?q="+strings.Repeat("x", 201), nil, http.StatusUnprocessableEntity, nil).Error(); e.Field != "q" {
			t.Errorf("long q: %+v", e)
		}
		if e := ts.do(a, http.MethodGet, "/api/v1/sessions?tz=Nowhere/City", nil, http.StatusUnprocessableEntity, nil).Error(); e.Field != "tz" {
			t.Errorf("bad tz: %+v", e)
		}
		// Another clinician's client names and labels are never searched.
		b := ts.login("b@example.com")
		var none api.Page[api.Session]
		ts.do(b, http.MethodGet, "/api/v1/sessions?q=zo%C3%AB", nil, http.StatusOK, &none)
		if len(none.Items) != 0 {
			t.Errorf("B found A's sessions: %+v", none.Items)
		}
	})
}
