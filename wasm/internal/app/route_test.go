package app

import (
	"strings"
	"testing"

	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/wasm/internal/client"
)

func TestEveryScreenHasAnAddressThatLeadsBackToIt(t *testing.T) {
	cases := []struct {
		state State
		path  string
	}{
		{State{Me: &api.Clinician{}, Screen: ScreenSessions, List: ListState{Filter: Filter{Assignment: "all"}}}, "/app/"},
		{State{Me: &api.Clinician{}, Screen: ScreenSessions, List: ListState{Filter: Filter{Assignment: "assigned", ClientID: "c 1", From: "2026-03-01", To: "2026-03-31", Query: "Tue 4 pm & co"}}},
			"/app/?show=assigned&client=c%201&from=2026-03-01&to=2026-03-31&q=Tue%204%20pm%20%26%20co"},
		{State{Me: &api.Clinician{}, Screen: ScreenStart}, "/app/start"},
		{State{Me: &api.Clinician{}, Screen: ScreenSession, Session: SessionState{Session: api.Session{ID: "s/1"}}}, "/app/sessions/s%2F1"},
		{State{Screen: ScreenSignIn}, ""},
		{State{Me: &api.Clinician{}, Screen: ScreenSessions, SignOut: SignOutState{Confirm: true}}, ""},
	}
	for _, c := range cases {
		got := c.state.Path()
		if got != c.path {
			t.Errorf("path of %s = %q, want %q", c.state.Screen, got, c.path)
			continue
		}
		if got == "" {
			continue
		}
		path, query, _ := strings.Cut(got, "?")
		r := ParseRoute(path, query)
		if r.Screen != c.state.Screen || (r.Screen == ScreenSession && r.SessionID != c.state.Session.Session.ID) ||
			(r.Screen == ScreenSessions && r.Filter != c.state.List.Filter) {
			t.Errorf("route of %q = %+v", got, r)
		}
	}
	if r := ParseRoute("/app/notes/n1", ""); r.Screen != ScreenSession || r.NoteID != "n1" {
		t.Errorf("note route = %+v", r)
	}
	if r := ParseRoute("/app/nonsense/x/y", "show=evil"); r.Screen != ScreenSessions || r.Filter.Assignment != "all" {
		t.Errorf("unknown address = %+v", r)
	}
}

func TestGoOpensTheScreenOfAnAddress(t *testing.T) {
	f := newFixture(t)
	f.signedIn(nil, "")
	f.app.Init(bg)
	s := session("s1", t0, api.AnonymousCouple)
	f.api.on("GET /api/v1/sessions/s1", func(*client.Request) reply { return ok(s) })
	f.api.on("GET /api/v1/sessions/s1/notes", func(*client.Request) reply { return ok(api.Page[api.Note]{Items: []api.Note{}}) })
	for _, kind := range []string{"summary", "transcript"} {
		f.api.on("GET /api/v1/sessions/s1/"+kind, func(*client.Request) reply { return ok(api.TextRequest{}) })
	}
	f.api.on("GET /api/v1/sessions/s1/recording", func(*client.Request) reply { return apiErr(404, api.CodeNotFound, "None.") })
	f.api.on("GET /api/v1/notes/n1", func(*client.Request) reply { return ok(soapNote("n1", 1, api.NoteReady)) })

	f.app.Go(bg, ParseRoute("/app/notes/n1", ""))
	if st := f.state(); st.Screen != ScreenSession || st.Session.Session.ID != "s1" || st.Path() != "/app/sessions/s1" {
		t.Fatalf("note address opened %q %q", st.Screen, st.Session.Session.ID)
	}
	f.app.Go(bg, ParseRoute("/app/", "show=anonymous&q=couple"))
	st := f.state()
	if st.Screen != ScreenSessions || st.List.Filter.Assignment != "anonymous" || st.List.Filter.Query != "couple" {
		t.Fatalf("list address: %q %+v", st.Screen, st.List.Filter)
	}
	r := f.api.sent("GET /api/v1/sessions")
	if q := r[len(r)-1].URL; !strings.Contains(q, "q=couple") || !strings.Contains(q, "assignment=anonymous") {
		t.Errorf("list asked with %s", q)
	}
	f.app.Go(bg, ParseRoute("/app/start", ""))
	if f.state().Screen != ScreenStart {
		t.Error("start address")
	}
}

func TestSearchSendsTheClinicianTimeZone(t *testing.T) {
	f := newFixture(t)
	f.signedIn(nil, "")
	f.app.SetZone("Europe/Dublin")
	f.app.PresetFilter(Filter{Query: "10 Mar"})
	f.app.Init(bg)
	r := f.api.sent("GET /api/v1/sessions")
	if q := r[len(r)-1].URL; !strings.Contains(q, "q=10%20Mar") || !strings.Contains(q, "tz=Europe%2FDublin") {
		t.Errorf("search asked with %s", q)
	}
}
