package app

import (
	"testing"
	"time"

	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/wasm/internal/client"
)

func TestInfiniteScrollFollowsCursorUntilTheEnd(t *testing.T) {
	f := newFixture(t)
	all := sessions(120, "s")
	f.signedIn(nil, "")
	f.api.on("GET /api/v1/sessions", func(r *client.Request) reply {
		_, q, _ := cutQuery(r.URL)
		start := 0
		if c := q.Get("cursor"); c != "" {
			for i, s := range all {
				if s.ID == c {
					start = i
				}
			}
		}
		end := min(start+50, len(all))
		next := ""
		if end < len(all) {
			next = all[end].ID
		}
		return ok(api.Page[api.Session]{Items: all[start:end], NextCursor: next})
	})
	f.app.Init(bg)
	gen := f.state().List.Gen

	f.app.LoadMore(bg)
	f.app.LoadMore(bg)
	f.app.LoadMore(bg) // past the end: no request

	st := f.state()
	if len(st.List.Items) != 120 {
		t.Fatalf("loaded %d sessions, want 120", len(st.List.Items))
	}
	for i, s := range st.List.Items {
		if s.ID != all[i].ID {
			t.Fatalf("item %d = %s, want %s (order or duplicates wrong)", i, s.ID, all[i].ID)
		}
	}
	if st.List.More() {
		t.Error("More() after the last page")
	}
	if n := f.api.count("GET /api/v1/sessions"); n != 3 {
		t.Errorf("%d page requests, want 3", n)
	}
	if st.List.Gen != gen {
		t.Error("appending pages must not bump Gen (the DOM appends rows)")
	}
}

func TestFilterBuildsQueryAndReloads(t *testing.T) {
	f := newFixture(t)
	f.signedIn(sessions(2, "s"), "")
	f.app.Init(bg)
	gen := f.state().List.Gen

	f.app.SetFilter(bg, Filter{Assignment: "assigned", ClientID: "cl-9", From: "2026-03-01", To: "2026-03-10"})
	_, q, _ := cutQuery(f.api.last("GET /api/v1/sessions", nil).URL)
	if q.Get("assignment") != "assigned" || q.Get("client_id") != "cl-9" {
		t.Errorf("query = %v", q)
	}
	from, _ := time.Parse(time.RFC3339, q.Get("from"))
	to, _ := time.Parse(time.RFC3339, q.Get("to"))
	if !from.Equal(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)) || !to.Equal(time.Date(2026, 3, 11, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("from %v to %v: the To day must be included whole", from, to)
	}
	if f.state().List.Gen == gen {
		t.Error("a new filter replaces the rows: Gen must change")
	}

	// Anonymous sessions have no client: the client filter is dropped.
	f.app.SetFilter(bg, Filter{Assignment: "anonymous", ClientID: "cl-9"})
	_, q, _ = cutQuery(f.api.last("GET /api/v1/sessions", nil).URL)
	if q.Get("assignment") != "anonymous" || q.Has("client_id") || q.Has("from") {
		t.Errorf("query = %v", q)
	}
}

func TestOfflineShowsLastLoadedListReadOnlyThenRecovers(t *testing.T) {
	f := newFixture(t)
	f.signedIn(sessions(3, "s"), "next")
	f.app.Init(bg)

	// Reload of the panel while the server is down.
	f.api.setDown(true)
	f.start(nil)
	f.app.Init(bg)
	st := f.state()
	if st.Screen != ScreenSessions || !st.Offline || !st.List.Cached {
		t.Fatalf("screen %q offline %v cached %v", st.Screen, st.Offline, st.List.Cached)
	}
	if len(st.List.Items) != 3 || st.Me == nil {
		t.Fatalf("cached list has %d items, me %v", len(st.List.Items), st.Me)
	}
	if st.List.More() {
		t.Error("an offline copy must not try to scroll for more")
	}

	f.api.setDown(false)
	f.app.RetryPending(bg)
	st = f.state()
	if st.Offline || st.List.Cached {
		t.Errorf("after recovery: offline %v cached %v", st.Offline, st.List.Cached)
	}
}

func TestOfflineWithoutCopyExplainsOnSignIn(t *testing.T) {
	f := newFixture(t)
	f.api.setDown(true)
	f.app.Init(bg)
	st := f.state()
	if st.Screen != ScreenSignIn || !st.Offline || st.SignIn.Err != msgUnreachable {
		t.Fatalf("screen %q offline %v err %q", st.Screen, st.Offline, st.SignIn.Err)
	}
}

func TestMatchClientsIgnoresCaseAndArchived(t *testing.T) {
	now := time.Now()
	cs := []api.Client{{ID: "1", DisplayName: "Robin A."}, {ID: "2", DisplayName: "Sam B."}, {ID: "3", DisplayName: "Robbie C.", ArchivedAt: &now}}
	got := MatchClients(cs, " rob ")
	if len(got) != 1 || got[0].ID != "1" {
		t.Errorf("MatchClients = %+v", got)
	}
	if len(MatchClients(cs, "")) != 2 {
		t.Error("empty query must list every active client")
	}
}
