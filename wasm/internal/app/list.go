package app

import (
	"context"
	"strings"
	"time"

	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/wasm/internal/client"
	"github.com/sidenote/sidenote/wasm/internal/stamp"
)

// Filter narrows the sessions list.
type Filter struct {
	Assignment string // all, anonymous, assigned
	ClientID   string
	From, To   string // dates as typed, YYYY-MM-DD, in the clinician's time zone
	// Query finds sessions by label, client name or date as shown.
	Query string
}

// ListState is the sessions list.
type ListState struct {
	Filter  Filter
	Items   []api.Session
	Next    string
	Loading bool
	Loaded  bool
	// Gen grows whenever Items is replaced rather than appended to, so the
	// DOM layer knows when it may append only the new rows.
	Gen int
	// Cached is true when Items come from this device's copy of the last
	// loaded list because the server is unreachable: the list is read-only.
	Cached bool
	Err    string
	// DateErr says why a date typed in the filters can't be read;
	// DateText keeps what was typed (from, to) meanwhile.
	DateErr   string
	DateText  [2]string
	DateTyped [2]bool
	// QueryText is what the search field holds while the clinician types,
	// ahead of the search (Filter.Query); QueryTyped says it is set.
	QueryText  string
	QueryTyped bool
	// Zone is the IANA name of the clinician's time zone, in which a
	// searched date is a day.
	Zone string
}

// More reports whether another page can be loaded.
func (l *ListState) More() bool { return l.Loaded && l.Next != "" && !l.Cached }

// ClientsState holds the clinician's clients, for filters and pickers.
type ClientsState struct {
	Items   []api.Client
	Loaded  bool
	Loading bool
	Err     string
}

type listCache struct {
	Me     *api.Clinician `json:"me"`
	Filter Filter         `json:"filter"`
	Items  []api.Session  `json:"items"`
}

// maxCached bounds the offline copy of the list.
const maxCached = 200

// dayBounds turns a from/to date pair into the RFC 3339 instants the API
// filters on: from the start of From to the end of To, in loc.
func dayBounds(from, to string, loc *time.Location) (string, string) {
	var f, t string
	if d, ok := stamp.ParseDate(from, loc); ok {
		f = d.Format(time.RFC3339)
	}
	if d, ok := stamp.ParseDate(to, loc); ok {
		t = d.AddDate(0, 0, 1).Format(time.RFC3339)
	}
	return f, t
}

func (f Filter) query(cursor string, loc *time.Location) client.SessionQuery {
	from, to := dayBounds(f.From, f.To, loc)
	a := f.Assignment
	if a == "" {
		a = "all"
	}
	return client.SessionQuery{Assignment: a, ClientID: f.ClientID, From: from, To: to, Limit: pageSize, Cursor: cursor}
}

// SetFilter changes the filter and reloads the list from the top.
func (a *App) SetFilter(ctx context.Context, f Filter) {
	if !a.readDates(&f) {
		return
	}
	if f.Assignment == "" {
		f.Assignment = "all"
	}
	// A client filter only makes sense for assigned sessions.
	if f.ClientID != "" && f.Assignment == "anonymous" {
		f.ClientID = ""
	}
	a.update(func(s *State) { s.List.Filter = f })
	a.LoadSessions(ctx)
}

// LoadSessions loads the first page for the current filter.
func (a *App) LoadSessions(ctx context.Context) {
	var f Filter
	a.update(func(s *State) {
		f = s.List.Filter
		s.List.Loading = true
		s.List.Err = ""
	})
	page, err := a.d.API.Sessions(ctx, a.sessionQuery(f, ""))
	a.showFirstPage(ctx, f, page, err)
}

// showFirstPage shows the first page of the list loaded for filter f.
func (a *App) showFirstPage(ctx context.Context, f Filter, page api.Page[api.Session], err error) {
	if err != nil {
		if isUnreachable(err) && a.loadCachedList() {
			return
		}
		a.update(func(s *State) {
			s.List.Loading = false
			s.List.Err = s.failed(err)
		})
		return
	}
	a.update(func(s *State) {
		s.reached()
		if s.List.Filter != f {
			return // the filter changed while this page was on its way
		}
		s.List.Items = page.Items
		s.List.Next = page.NextCursor
		s.List.Loading = false
		s.List.Loaded = true
		s.List.Cached = false
		s.List.Gen++
	})
	a.cacheList()
	a.ensureClients(ctx)
}

// LoadMore appends the next page (infinite scroll). It does nothing while a
// page is loading or when the list is complete.
func (a *App) LoadMore(ctx context.Context) {
	var f Filter
	var cursor string
	ok := read(a, func(s *State) bool {
		if s.List.Loading || !s.List.More() {
			return false
		}
		s.List.Loading = true
		f, cursor = s.List.Filter, s.List.Next
		return true
	})
	if !ok {
		return
	}
	a.update(func(s *State) {})
	page, err := a.d.API.Sessions(ctx, a.sessionQuery(f, cursor))
	a.update(func(s *State) {
		s.List.Loading = false
		if err != nil {
			s.List.Err = s.failed(err)
			return
		}
		s.reached()
		if s.List.Filter != f || s.List.Next != cursor {
			return
		}
		s.List.Items = append(s.List.Items, page.Items...)
		s.List.Next = page.NextCursor
	})
	if err == nil {
		a.cacheList()
	}
}

func (a *App) cacheList() {
	c := read(a, func(s *State) listCache {
		items := s.List.Items
		if len(items) > maxCached {
			items = items[:maxCached]
		}
		return listCache{Me: s.Me, Filter: s.List.Filter, Items: append([]api.Session(nil), items...)}
	})
	if c.Me == nil {
		// Signed out while the page was loading: the copy names clients.
		return
	}
	a.saveJSON(keyListCache, c)
}

// loadCachedList shows the last loaded list read-only, if there is one.
func (a *App) loadCachedList() bool {
	var c listCache
	if !a.loadJSON(keyListCache, &c) {
		return false
	}
	a.update(func(s *State) {
		s.Offline = true
		if s.Me == nil {
			s.Me = c.Me
		}
		if s.Screen == ScreenLoading || s.Screen == ScreenSignIn {
			s.Screen = ScreenSessions
		}
		s.List.Filter = c.Filter
		s.List.Items = c.Items
		s.List.Next = ""
		s.List.Loading = false
		s.List.Loaded = true
		s.List.Cached = true
		s.List.Err = ""
		s.List.Gen++
	})
	return true
}

// upsertSession puts a changed session into the list in place, or at the
// top when it is new, so going back shows it without reloading.
func (s *State) upsertSession(sess api.Session) {
	for i := range s.List.Items {
		if s.List.Items[i].ID == sess.ID {
			s.List.Items[i] = sess
			s.List.Gen++
			return
		}
	}
	if s.List.Loaded && !s.List.Cached && s.List.Filter.Assignment == "all" && s.List.Filter.ClientID == "" && s.List.Filter.From == "" && s.List.Filter.To == "" && s.List.Filter.Query == "" {
		s.List.Items = append([]api.Session{sess}, s.List.Items...)
		s.List.Gen++
	}
}

// clientPages bounds how many clients the pickers load.
const clientPages = 10

func (a *App) ensureClients(ctx context.Context) {
	if read(a, func(s *State) bool { return s.Clients.Loaded || s.Clients.Loading }) {
		return
	}
	a.loadClients(ctx)
}

func (a *App) loadClients(ctx context.Context) {
	a.update(func(s *State) { s.Clients.Loading = true; s.Clients.Err = "" })
	var all []api.Client
	cursor := ""
	var err error
	for i := 0; i < clientPages; i++ {
		var page api.Page[api.Client]
		page, err = a.d.API.Clients(ctx, 100, cursor)
		if err != nil {
			break
		}
		all = append(all, page.Items...)
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	a.update(func(s *State) {
		s.Clients.Loading = false
		if err != nil {
			s.Clients.Err = s.failed(err)
			return
		}
		s.Clients.Items = all
		s.Clients.Loaded = true
	})
}

// MatchClients returns the clients whose name contains query, ignoring case;
// all clients for an empty query. Archived clients are left out.
func MatchClients(clients []api.Client, query string) []api.Client {
	q := strings.ToLower(strings.TrimSpace(query))
	var out []api.Client
	for _, c := range clients {
		if c.ArchivedAt != nil {
			continue
		}
		if q == "" || strings.Contains(strings.ToLower(c.DisplayName), q) {
			out = append(out, c)
		}
	}
	return out
}

// createClient creates a client and adds it to the picker list.
func (a *App) createClient(ctx context.Context, name string, kind api.ClientKind) (api.Client, error) {
	c, err := a.d.API.CreateClient(ctx, api.CreateClientRequest{DisplayName: strings.TrimSpace(name), Kind: kind})
	if err != nil {
		return c, err
	}
	a.update(func(s *State) {
		s.reached()
		s.Clients.Items = append([]api.Client{c}, s.Clients.Items...)
	})
	return c, nil
}
