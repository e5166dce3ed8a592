package app

import "github.com/sidenote/sidenote/wasm/internal/client"

// sessionQuery is the API query of a page of the list filtered by f.
func (a *App) sessionQuery(f Filter, cursor string) client.SessionQuery {
	q := f.query(cursor, a.d.Now().Location())
	q.Q = f.Query
	q.TZ = read(a, func(s *State) string { return s.List.Zone })
	return q
}

// SetZone records the IANA name of the clinician's time zone (the
// browser's), in which searched dates are days.
func (a *App) SetZone(name string) {
	a.mu.Lock()
	a.st.List.Zone = name
	a.mu.Unlock()
}
