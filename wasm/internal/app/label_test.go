package app

import (
	"strings"
	"testing"

	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/wasm/internal/client"
)

func TestSessionLabelIsSavedAndShownInTheList(t *testing.T) {
	f := newFixture(t)
	f.signedIn([]api.Session{session("s1", t0, api.AnonymousCouple)}, "")
	f.app.Init(bg)
	f.openSession()
	f.app.OpenLabel(true)
	f.app.SetLabelText(strings.Repeat("x", api.MaxSessionLabel+1))
	f.app.SaveLabel(bg)
	if f.state().Session.Label.Err == "" || f.api.count("PATCH /api/v1/sessions/s1") != 0 {
		t.Fatal("an overlong label was sent")
	}
	f.api.on("PATCH /api/v1/sessions/s1", func(r *client.Request) reply {
		s := session("s1", t0, api.AnonymousCouple)
		s.Label = "Tue 4 pm couple"
		return ok(s)
	})
	f.app.SetLabelText("  Tue 4 pm couple ")
	f.app.SaveLabel(bg)
	var body api.UpdateSessionRequest
	f.api.last("PATCH /api/v1/sessions/s1", &body)
	if body.Label == nil || *body.Label != "Tue 4 pm couple" {
		t.Errorf("label sent = %v", body.Label)
	}
	st := f.state()
	if st.Session.Session.Label != "Tue 4 pm couple" || st.Session.Label.Open || st.List.Items[0].Label != "Tue 4 pm couple" {
		t.Errorf("after saving: session %q, list %q", st.Session.Session.Label, st.List.Items[0].Label)
	}
}

func TestDateFiltersAreTypedAsTheListShowsDates(t *testing.T) {
	f := newFixture(t)
	f.signedIn(nil, "")
	f.app.Init(bg)
	f.app.SetFilter(bg, Filter{Assignment: "all", From: "2 Mar 2026", To: "10 Mar"})
	st := f.state()
	if st.List.Filter.From != "2026-03-02" || st.List.Filter.To != "2026-03-10" || st.List.DateErr != "" {
		t.Fatalf("filter = %+v err %q", st.List.Filter, st.List.DateErr)
	}
	before := f.api.count("GET /api/v1/sessions")
	f.app.SetFilter(bg, Filter{Assignment: "all", From: "03/02/2026"})
	st = f.state()
	if st.List.DateErr == "" || st.List.DateText[0] != "03/02/2026" || st.List.Filter.From != "2026-03-02" {
		t.Errorf("unreadable date: err %q typed %q filter %+v", st.List.DateErr, st.List.DateText[0], st.List.Filter)
	}
	if f.api.count("GET /api/v1/sessions") != before {
		t.Error("the list was reloaded for an unreadable date")
	}
}

func TestUnassignedSessionsHaveOneWording(t *testing.T) {
	s := api.Session{Type: api.SessionTelehealth, Status: api.SessionOpen}
	if WhoLabel(&s) != Unassigned {
		t.Errorf("WhoLabel = %q", WhoLabel(&s))
	}
	s.DisplayLabel = "Anonymous couple"
	if WhoLabel(&s) != "Anonymous couple" {
		t.Errorf("WhoLabel = %q", WhoLabel(&s))
	}
}
