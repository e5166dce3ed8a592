package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/sidenote/sidenote/server/internal/store/storetest"
	"github.com/sidenote/sidenote/shared/api"
)

// idorFixture holds what clinician A owns, which clinician B must neither
// see nor change, and B's own ids for routes that take two.
type idorFixture struct {
	tokenA, tokenB string

	// A's ids.
	client           string
	assignedSession  string // belongs to client
	anonymousSession string
	apiToken         string // a second token of A's
	identity         string // one of A's two sign-in identities
	note             string // a ready note of the anonymous session
	signedNote       string // a signed note of the assigned session
	template         string // one of A's own templates

	// B's own ids.
	clientB, sessionB string
}

// idorCase is one attempt by clinician B on A's data.
type idorCase struct {
	name string
	path func(f *idorFixture) string
	body func(f *idorFixture) any // nil for no body
	// wantEmptyList marks a list filtered by A's id: 200 with no items
	// instead of 404.
	wantEmptyList bool
}

func fixed(path string) func(*idorFixture) string { return func(*idorFixture) string { return path } }

// idorCases is the IDOR matrix: every registered route with a path
// parameter must have at least one case here, keyed by "METHOD /pattern"
// (TestIDORMatrix fails for a route without one). Routes without path
// parameters may have cases too when they take an id in the body or query.
// Add cases for new routes here.
var idorCases = map[string][]idorCase{
	"GET /api/v1/clients/:id": {
		{name: "A's client", path: func(f *idorFixture) string { return "/api/v1/clients/" + f.client }},
	},
	"PATCH /api/v1/clients/:id": {
		{name: "rename A's client", path: func(f *idorFixture) string { return "/api/v1/clients/" + f.client },
			body: func(*idorFixture) any { return api.UpdateClientRequest{DisplayName: ptr("Taken over")} }},
	},
	"DELETE /api/v1/clients/:id": {
		{name: "archive A's client", path: func(f *idorFixture) string { return "/api/v1/clients/" + f.client }},
	},
	"POST /api/v1/sessions": {
		{name: "session for A's client", path: fixed("/api/v1/sessions"), body: func(f *idorFixture) any {
			return api.CreateSessionRequest{Type: api.SessionInPerson, ClientID: &f.client, Consent: &api.Consent{Obtained: true, Method: api.ConsentVerbal}}
		}},
	},
	"GET /api/v1/sessions": {
		{name: "sessions of A's client", path: func(f *idorFixture) string { return "/api/v1/sessions?client_id=" + f.client }, wantEmptyList: true},
	},
	"GET /api/v1/sessions/:id": {
		{name: "A's assigned session", path: func(f *idorFixture) string { return "/api/v1/sessions/" + f.assignedSession }},
		{name: "A's anonymous session", path: func(f *idorFixture) string { return "/api/v1/sessions/" + f.anonymousSession }},
	},
	"PATCH /api/v1/sessions/:id": {
		{name: "A's assigned session", path: func(f *idorFixture) string { return "/api/v1/sessions/" + f.assignedSession },
			body: func(*idorFixture) any { return map[string]any{"type": "dictation"} }},
		{name: "A's anonymous session", path: func(f *idorFixture) string { return "/api/v1/sessions/" + f.anonymousSession },
			body: func(*idorFixture) any { return map[string]any{"type": "dictation"} }},
	},
	"DELETE /api/v1/sessions/:id": {
		{name: "A's assigned session", path: func(f *idorFixture) string { return "/api/v1/sessions/" + f.assignedSession }},
		{name: "A's anonymous session", path: func(f *idorFixture) string { return "/api/v1/sessions/" + f.anonymousSession }},
	},
	"POST /api/v1/sessions/:id/assign": {
		{name: "A's anonymous session to B's client", path: func(f *idorFixture) string { return "/api/v1/sessions/" + f.anonymousSession + "/assign" },
			body: func(f *idorFixture) any { return api.AssignRequest{ClientID: f.clientB} }},
		{name: "A's assigned session to B's client", path: func(f *idorFixture) string { return "/api/v1/sessions/" + f.assignedSession + "/assign" },
			body: func(f *idorFixture) any { return api.AssignRequest{ClientID: f.clientB} }},
		{name: "B's session to A's client", path: func(f *idorFixture) string { return "/api/v1/sessions/" + f.sessionB + "/assign" },
			body: func(f *idorFixture) any { return api.AssignRequest{ClientID: f.client} }},
	},
	"POST /api/v1/sessions/:id/end": {
		{name: "A's anonymous session", path: func(f *idorFixture) string { return "/api/v1/sessions/" + f.anonymousSession + "/end" },
			body: func(*idorFixture) any { return api.EndSessionRequest{Anonymous: ptr(api.AnonymousCouple)} }},
		{name: "B's session to A's client", path: func(f *idorFixture) string { return "/api/v1/sessions/" + f.sessionB + "/end" },
			body: func(f *idorFixture) any { return api.EndSessionRequest{ClientID: &f.client} }},
	},
	"PUT /api/v1/sessions/:id/summary": {
		{name: "A's anonymous session", path: func(f *idorFixture) string { return "/api/v1/sessions/" + f.anonymousSession + "/summary" },
			body: func(*idorFixture) any { return api.TextRequest{Text: "Overwritten by B."} }},
	},
	"PUT /api/v1/sessions/:id/transcript": {
		{name: "A's assigned session", path: func(f *idorFixture) string { return "/api/v1/sessions/" + f.assignedSession + "/transcript" },
			body: func(*idorFixture) any { return api.TextRequest{Text: "Client: overwritten by B."} }},
	},
	"GET /api/v1/sessions/:id/summary": {
		{name: "A's anonymous session", path: func(f *idorFixture) string { return "/api/v1/sessions/" + f.anonymousSession + "/summary" }},
	},
	"GET /api/v1/sessions/:id/transcript": {
		{name: "A's assigned session", path: func(f *idorFixture) string { return "/api/v1/sessions/" + f.assignedSession + "/transcript" }},
	},
	"POST /api/v1/sessions/:id/recording": {
		{name: "A's anonymous session", path: func(f *idorFixture) string { return "/api/v1/sessions/" + f.anonymousSession + "/recording" },
			body: func(*idorFixture) any { return rawBody{contentType: "audio/webm", data: "B's audio"} }},
	},
	"GET /api/v1/sessions/:id/recording": {
		{name: "A's anonymous session", path: func(f *idorFixture) string { return "/api/v1/sessions/" + f.anonymousSession + "/recording" }},
	},
	"PATCH /api/v1/sessions/:id/recording": {
		{name: "A's anonymous session", path: func(f *idorFixture) string { return "/api/v1/sessions/" + f.anonymousSession + "/recording" },
			body: func(*idorFixture) any { return api.RecordingSettingsRequest{Keep: ptr(false)} }},
	},
	"POST /api/v1/sessions/:id/notes": {
		{name: "A's anonymous session", path: func(f *idorFixture) string { return "/api/v1/sessions/" + f.anonymousSession + "/notes" },
			body: func(*idorFixture) any { return api.GenerateNoteRequest{Template: "dap"} }},
	},
	"GET /api/v1/sessions/:id/notes": {
		{name: "A's anonymous session", path: func(f *idorFixture) string { return "/api/v1/sessions/" + f.anonymousSession + "/notes" }},
	},
	"GET /api/v1/notes/:id": {
		{name: "A's note", path: func(f *idorFixture) string { return "/api/v1/notes/" + f.note }},
		{name: "A's signed note", path: func(f *idorFixture) string { return "/api/v1/notes/" + f.signedNote }},
	},
	"PATCH /api/v1/notes/:id": {
		{name: "A's note", path: func(f *idorFixture) string { return "/api/v1/notes/" + f.note },
			body: func(*idorFixture) any {
				return api.UpdateNoteRequest{Version: 1, Sections: []api.SectionEdit{{Key: "subjective", Text: "Rewritten by B."}}}
			}},
	},
	"POST /api/v1/notes/:id/left-out/:item/place": {
		{name: "A's note", path: func(f *idorFixture) string { return "/api/v1/notes/" + f.note + "/left-out/s1/place" },
			body: func(*idorFixture) any { return api.PlaceLeftOutRequest{Version: 1, Section: "plan"} }},
		{name: "A's signed note", path: func(f *idorFixture) string { return "/api/v1/notes/" + f.signedNote + "/left-out/s1/place" },
			body: func(*idorFixture) any { return api.PlaceLeftOutRequest{Version: 1, Section: "plan"} }},
	},
	"GET /api/v1/notes/:id/versions": {
		{name: "A's note", path: func(f *idorFixture) string { return "/api/v1/notes/" + f.note + "/versions" }},
	},
	"GET /api/v1/templates/:id": {
		{name: "A's template", path: func(f *idorFixture) string { return "/api/v1/templates/" + f.template }},
	},
	"PATCH /api/v1/templates/:id": {
		{name: "A's template", path: func(f *idorFixture) string { return "/api/v1/templates/" + f.template },
			body: func(*idorFixture) any { return api.TemplateRequest{Name: ptr("Renamed by B")} }},
	},
	"DELETE /api/v1/templates/:id": {
		{name: "A's template", path: func(f *idorFixture) string { return "/api/v1/templates/" + f.template }},
	},
	"GET /api/v1/notes/:id/pdf": {
		{name: "A's note", path: func(f *idorFixture) string { return "/api/v1/notes/" + f.note + "/pdf" }},
		{name: "A's signed note", path: func(f *idorFixture) string { return "/api/v1/notes/" + f.signedNote + "/pdf" }},
	},
	"POST /api/v1/notes/:id/sign": {
		{name: "A's note", path: func(f *idorFixture) string { return "/api/v1/notes/" + f.note + "/sign" },
			body: func(*idorFixture) any { return signAndEnd(1) }},
	},
	"POST /api/v1/notes/:id/retry": {
		{name: "A's note", path: func(f *idorFixture) string { return "/api/v1/notes/" + f.note + "/retry" }},
	},
	"POST /api/v1/notes/:id/addenda": {
		{name: "A's signed note", path: func(f *idorFixture) string { return "/api/v1/notes/" + f.signedNote + "/addenda" },
			body: func(*idorFixture) any { return api.TextRequest{Text: "Addendum by B."} }},
	},
	"POST /api/v1/notes/:id/insertions": {
		{name: "A's note", path: func(f *idorFixture) string { return "/api/v1/notes/" + f.note + "/insertions" },
			body: func(*idorFixture) any {
				return api.InsertionRequest{Origin: "https://ehr.example.com", NoteVersion: 1, Fields: []api.InsertionField{{Section: "subjective", FieldLabel: "S"}}}
			}},
	},
	"GET /api/v1/notes/:id/insertions": {
		{name: "A's note", path: func(f *idorFixture) string { return "/api/v1/notes/" + f.note + "/insertions" }},
	},
	"POST /api/v1/sessions/:id/recording/transcribe": {
		{name: "A's anonymous session", path: func(f *idorFixture) string { return "/api/v1/sessions/" + f.anonymousSession + "/recording/transcribe" }},
	},
	"GET /api/v1/sessions/:id/telehealth": {
		{name: "A's telehealth session", path: func(f *idorFixture) string { return "/api/v1/sessions/" + f.anonymousSession + "/telehealth" }},
	},
	"POST /api/v1/sessions/:id/telehealth": {
		{name: "A's telehealth session", path: func(f *idorFixture) string { return "/api/v1/sessions/" + f.anonymousSession + "/telehealth" }},
	},
	"POST /api/v1/clients/:id/treatment-plan": {
		{name: "A's client", path: func(f *idorFixture) string { return "/api/v1/clients/" + f.client + "/treatment-plan" }},
	},
	"POST /api/v1/sessions/:id/treatment-plan": {
		{name: "A's assigned session", path: func(f *idorFixture) string { return "/api/v1/sessions/" + f.assignedSession + "/treatment-plan" }},
		{name: "A's anonymous session", path: func(f *idorFixture) string { return "/api/v1/sessions/" + f.anonymousSession + "/treatment-plan" }},
	},
	"POST /api/v1/sessions/:id/call/ticket": {
		{name: "A's telehealth session", path: func(f *idorFixture) string { return "/api/v1/sessions/" + f.anonymousSession + "/call/ticket" }},
	},
	"GET /api/v1/sessions/:id/call": {
		{name: "A's telehealth session, B's token, no ticket", path: func(f *idorFixture) string { return "/api/v1/sessions/" + f.anonymousSession + "/call" }},
		{name: "A's telehealth session, a made-up ticket", path: func(f *idorFixture) string {
			return "/api/v1/sessions/" + f.anonymousSession + "/call?ticket=AAAAAAAAAAAAAAAAAAAAAA"
		}},
	},
	"PUT /api/v1/sessions/:id/recording/chunks/:index": {
		{name: "A's session with a recording", path: func(f *idorFixture) string { return "/api/v1/sessions/" + f.anonymousSession + "/recording/chunks/0" },
			body: func(*idorFixture) any { return rawBody{contentType: "audio/webm", data: "B's chunk"} }},
		{name: "A's session without one", path: func(f *idorFixture) string { return "/api/v1/sessions/" + f.assignedSession + "/recording/chunks/0" },
			body: func(*idorFixture) any { return rawBody{contentType: "audio/webm", data: "B's chunk"} }},
	},
	"POST /api/v1/sessions/:id/recording/complete": {
		{name: "A's anonymous session", path: func(f *idorFixture) string { return "/api/v1/sessions/" + f.anonymousSession + "/recording/complete" }},
	},
	"GET /api/v1/sessions/:id/recording/audio": {
		{name: "A's anonymous session", path: func(f *idorFixture) string { return "/api/v1/sessions/" + f.anonymousSession + "/recording/audio" }},
	},
	"DELETE /api/v1/identities/:id": {
		{name: "A's sign-in identity", path: func(f *idorFixture) string { return "/api/v1/identities/" + f.identity }},
	},
	"DELETE /api/v1/tokens/:id": {
		{name: "A's token", path: func(f *idorFixture) string { return "/api/v1/tokens/" + f.apiToken }},
	},
}

// routesWithoutIDs are routes whose path parameters name no clinician data.
var routesWithoutIDs = map[string]string{
	"GET /auth/:provider":               "a sign-in provider",
	"GET /auth/:provider/callback":      "a sign-in provider",
	"POST /auth/:provider/link":         "a sign-in provider (linking acts on the browser's own session)",
	"POST /auth/:provider/link/confirm": "a sign-in provider (linking acts on the browser's own session)",
	"GET /app/*filepath":                "a static file of the sidebar",
	"HEAD /app/*filepath":               "a static file of the sidebar",
	"GET /join/:code":                   "a telehealth guest's join code, for guests without an account",
	"POST /join/:code":                  "a telehealth guest's join code, for guests without an account",
	"GET /join/:code/call":              "a telehealth guest's join code and call ticket (call_test.go tries them on other sessions)",
}

// unreadableByA are GET routes of the matrix that A cannot simply read
// either (a socket that needs a fresh ticket): left out of A's snapshot.
var unreadableByA = map[string]bool{"GET /api/v1/sessions/:id/call": true}

// snapshotPaths are A's lists, read before and after every attempt.
var snapshotPaths = []string{
	"/api/v1/clients?include_archived=true&limit=200",
	"/api/v1/sessions?assignment=all&limit=200",
	"/api/v1/tokens",
	"/api/v1/templates",
	"/api/v1/identities",
}

func TestIDORMatrix(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, dbURL string) {
		ts := newTestServer(t, dbURL)

		for _, r := range ts.srv.Routes() {
			key := r.Method + " " + r.Path
			if !strings.ContainsAny(r.Path, ":*") {
				continue
			}
			if _, ok := routesWithoutIDs[key]; ok {
				continue
			}
			if len(idorCases[key]) == 0 {
				t.Errorf("route %s takes an id but has no case in idorCases (idor_test.go): add one", key)
			}
		}
		registered := map[string]bool{}
		for _, r := range ts.srv.Routes() {
			registered[r.Method+" "+r.Path] = true
		}

		f := newIDORFixture(t, ts)
		// ghost is f with A's ids replaced by ids nobody has: B's attempts
		// on A's ids must answer exactly like attempts on those.
		ghost := *f
		for _, id := range []*string{&ghost.client, &ghost.assignedSession, &ghost.anonymousSession, &ghost.apiToken, &ghost.identity, &ghost.note, &ghost.signedNote} {
			*id = uuid.NewString()
		}
		before := snapshotA(t, ts, f)

		keys := make([]string, 0, len(idorCases))
		for key := range idorCases {
			keys = append(keys, key)
		}
		sort.Strings(keys)
		attempt := 0
		for _, key := range keys {
			if !registered[key] {
				t.Logf("no route %s (yet): its cases are skipped", key)
				continue
			}
			method := strings.SplitN(key, " ", 2)[0]
			for _, tc := range idorCases[key] {
				attempt++
				send := func(fx *idorFixture) response {
					var body any
					if tc.body != nil {
						body = tc.body(fx)
					}
					return ts.raw(fx.tokenB, method, tc.path(fx), body, "X-Request-ID", fmt.Sprintf("idor-b-%d", attempt))
				}
				res := send(f)
				name := key + " (" + tc.name + ")"
				if tc.wantEmptyList {
					var page struct{ Items []json.RawMessage }
					json.Unmarshal(res.Body, &page)
					if res.Status != http.StatusOK || len(page.Items) != 0 {
						t.Errorf("%s as B: %d %s, want 200 with no items", name, res.Status, res.Body)
					}
				} else {
					if res.Status != http.StatusNotFound || res.Error().Code != api.CodeNotFound {
						t.Errorf("%s as B: %d %s, want 404 not_found", name, res.Status, res.Body)
					}
					if missing := send(&ghost); missing.Status != res.Status || !bytes.Equal(missing.Body, res.Body) {
						t.Errorf("%s as B: A's id answers %d %s, a missing id %d %s: they must be indistinguishable",
							name, res.Status, res.Body, missing.Status, missing.Body)
					}
				}
				if after := snapshotA(t, ts, f); after != before {
					t.Fatalf("%s as B changed A's data:\nbefore %s\nafter  %s", name, before, after)
				}
			}
		}

		// B's refused attempts left no trace in anyone's audit log.
		if n := countRowsWhere(t, ts.store, "audit_events", "request_id LIKE ?", "idor-b-%"); n != 0 {
			t.Fatalf("B's refused attempts wrote %d audit events", n)
		}
	})
}

// newIDORFixture creates clinicians A and B with clients, anonymous and
// assigned sessions.
func newIDORFixture(t *testing.T, ts *testServer) *idorFixture {
	t.Helper()
	f := &idorFixture{tokenA: ts.login("a@example.org"), tokenB: ts.login("b@example.org")}
	second := ts.login("a@example.org")
	var tokens api.Page[api.Token]
	ts.do(second, http.MethodGet, "/api/v1/tokens", nil, http.StatusOK, &tokens)
	for _, tok := range tokens.Items {
		if tok.Current {
			f.apiToken = tok.ID
		}
	}

	// A second identity, so that unlinking one would succeed for A.
	clinA, err := ts.store.SignIn(context.Background(), "dev", "a@example.org", "a@example.org", "Dr a@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if err := ts.store.LinkIdentity(storetest.As(context.Background(), clinA.ID), clinA.ID, "oidc:https://sso.example.org", "a-subject", "a@sso.example.org"); err != nil {
		t.Fatal(err)
	}
	var identities api.Page[api.Identity]
	ts.do(f.tokenA, http.MethodGet, "/api/v1/identities", nil, http.StatusOK, &identities)
	if len(identities.Items) != 2 {
		t.Fatalf("A's identities: %+v", identities.Items)
	}
	f.identity = identities.Items[1].ID

	f.client = ts.createClient(f.tokenA, "Robin (pseudonym)", api.ClientIndividual).ID
	var assigned api.Session
	ts.do(f.tokenA, http.MethodPost, "/api/v1/sessions", api.CreateSessionRequest{
		Type: api.SessionInPerson, ClientID: &f.client, Consent: &api.Consent{Obtained: true, Method: api.ConsentWritten},
	}, http.StatusCreated, &assigned)
	f.assignedSession = assigned.ID
	f.anonymousSession = ts.createAnonymousSession(f.tokenA, api.SessionTelehealth, api.AnonymousIndividual).ID

	// A's notes: one ready, one signed; a recording and both inputs.
	ts.do(f.tokenA, http.MethodPut, "/api/v1/sessions/"+f.anonymousSession+"/summary",
		api.TextRequest{Text: "Client reports sleeping better. Plan to continue the sleep diary."}, http.StatusOK, nil)
	ts.do(f.tokenA, http.MethodPut, "/api/v1/sessions/"+f.assignedSession+"/transcript",
		api.TextRequest{Text: "Client: I practiced the breathing every day.\nClinician: We will review it next session."}, http.StatusOK, nil)
	f.note = ts.generateNote(f.tokenA, f.anonymousSession, "soap").ID
	signed := ts.generateNote(f.tokenA, f.assignedSession, "birp")
	f.signedNote = signed.ID
	ts.do(f.tokenA, http.MethodPost, "/api/v1/notes/"+f.signedNote+"/sign", signAndEnd(signed.Version), http.StatusOK, nil)
	ts.upload(f.tokenA, f.anonymousSession, "audio/webm", []byte("fictional audio bytes"), http.StatusCreated)

	f.template = string(ts.createTemplate(f.tokenA, "A's template").ID)
	f.clientB = ts.createClient(f.tokenB, "B's client", api.ClientCouple).ID
	f.sessionB = ts.createAnonymousSession(f.tokenB, api.SessionInPerson, api.AnonymousCouple).ID
	return f
}

// snapshotA is everything A can read through the matrix's GET routes and
// A's lists, as A sees it.
func snapshotA(t *testing.T, ts *testServer, f *idorFixture) string {
	t.Helper()
	var b strings.Builder
	paths := append([]string(nil), snapshotPaths...)
	for key, cases := range idorCases {
		if strings.HasPrefix(key, "GET ") && strings.Contains(key, ":") && !unreadableByA[key] {
			for _, tc := range cases {
				paths = append(paths, tc.path(f))
			}
		}
	}
	sort.Strings(paths)
	for _, p := range paths {
		res := ts.raw(f.tokenA, http.MethodGet, p, nil)
		if res.Status != http.StatusOK {
			t.Fatalf("A reading %s: %d %s", p, res.Status, res.Body)
		}
		fmt.Fprintf(&b, "%s %s\n", p, res.Body)
	}
	return b.String()
}
