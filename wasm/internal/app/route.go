package app

import (
	"context"
	"strings"

	"github.com/sidenote/sidenote/wasm/internal/client"
)

// Every screen of the /app page has its own address under AppPath, kept in
// the browser's history: a reload stays on the screen, Back and Forward move
// between screens.
//
//	/app/                          the sessions list; its filters in the query
//	/app/start                     the start form
//	/app/templates                 the clinician's own note templates
//	/app/sessions/{id}             a session and its note
//	/app/notes/{id}                a note: opens its session
const AppPath = "/app/"

// Route is a screen named by an address.
type Route struct {
	Screen    Screen
	SessionID string
	NoteID    string
	Filter    Filter
}

// Path is the address of the screen shown, "" when it has none (signing
// in, loading, the sign-out question).
func (s *State) Path() string {
	if s.Me == nil || s.SignOut.Confirm {
		return ""
	}
	switch s.Screen {
	case ScreenSessions:
		f := s.List.Filter
		show := f.Assignment
		if show == "all" {
			show = ""
		}
		return AppPath + client.Query("show", show, "client", f.ClientID, "from", f.From, "to", f.To, "q", f.Query)
	case ScreenStart:
		return AppPath + "start"
	case ScreenTemplates:
		return AppPath + "templates"
	case ScreenSession:
		if s.Session.Session.ID == "" {
			return ""
		}
		return AppPath + "sessions/" + client.Escape(s.Session.Session.ID)
	}
	return ""
}

// ParseRoute reads an address (path and query string, without "?") of the
// page. Anything it does not know is the list.
func ParseRoute(path, query string) Route {
	rest, _ := strings.CutPrefix(path, AppPath)
	parts := strings.Split(strings.Trim(rest, "/"), "/")
	switch {
	case len(parts) == 1 && parts[0] == "start":
		return Route{Screen: ScreenStart}
	case len(parts) == 1 && parts[0] == "templates":
		return Route{Screen: ScreenTemplates}
	case len(parts) == 2 && parts[0] == "sessions" && parts[1] != "":
		return Route{Screen: ScreenSession, SessionID: client.Unescape(parts[1])}
	case len(parts) == 2 && parts[0] == "notes" && parts[1] != "":
		return Route{Screen: ScreenSession, NoteID: client.Unescape(parts[1])}
	}
	f := Filter{Assignment: "all"}
	for _, kv := range strings.Split(query, "&") {
		k, v, _ := strings.Cut(kv, "=")
		v = client.Unescape(v)
		switch k {
		case "show":
			if v == "anonymous" || v == "assigned" {
				f.Assignment = v
			}
		case "client":
			f.ClientID = v
		case "from":
			f.From = v
		case "to":
			f.To = v
		case "q":
			f.Query = v
		}
	}
	return Route{Screen: ScreenSessions, Filter: f}
}

// Go shows the screen of r, as a reload or Back and Forward ask. Before
// the clinician is known (Init has not answered) it does nothing.
func (a *App) Go(ctx context.Context, r Route) {
	if read(a, func(s *State) bool { return s.Me == nil }) {
		return
	}
	switch r.Screen {
	case ScreenStart:
		if read(a, func(s *State) bool { return s.Screen != ScreenStart }) {
			a.OpenStart(ctx)
		}
	case ScreenTemplates:
		if read(a, func(s *State) bool { return s.Screen != ScreenTemplates }) {
			a.OpenTemplates(ctx)
		}
	case ScreenSession:
		id := r.SessionID
		if r.NoteID != "" {
			n, err := a.d.API.Note(ctx, r.NoteID)
			if err != nil {
				a.update(func(s *State) { s.notify(NoticeError, s.failed(err)) })
				return
			}
			id = n.SessionID
		}
		if read(a, func(s *State) bool { return s.Screen == ScreenSession && s.Session.Session.ID == id }) {
			return
		}
		a.OpenSession(ctx, id)
	default:
		f := r.Filter
		if f.Assignment == "" {
			f.Assignment = "all"
		}
		same := read(a, func(s *State) bool { return s.List.Filter == f })
		switch {
		case same && read(a, func(s *State) bool { return s.Screen == ScreenSessions }):
			return
		case same:
			a.Back(ctx)
			return
		}
		a.update(func(s *State) {
			s.Screen = ScreenSessions
			s.Session.Assign, s.Session.End = AssignState{}, EndState{}
			// The search field shows the address's search, not what was
			// typed before Back.
			s.List.QueryText, s.List.QueryTyped = "", false
		})
		a.SetFilter(ctx, f)
	}
}

// PresetFilter sets the list's filter before Init loads it, from the
// address the page was opened at.
func (a *App) PresetFilter(f Filter) {
	if f.Assignment == "" {
		f.Assignment = "all"
	}
	a.mu.Lock()
	a.st.List.Filter = f
	a.mu.Unlock()
}
