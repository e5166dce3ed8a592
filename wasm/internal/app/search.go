package app

import (
	"context"
	"strings"

	"github.com/sidenote/sidenote/wasm/internal/client"
	"github.com/sidenote/sidenote/wasm/internal/stamp"
)

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

// readDates turns the filter's dates, typed as the list shows dates ("2 Mar
// 2026"), into "2006-01-02". A date that can't be read is kept as typed
// with a message, and the list is left as it is.
func (a *App) readDates(f *Filter) bool {
	year := a.d.Now().Year()
	var typed [2]string
	bad := false
	for i, d := range []*string{&f.From, &f.To} {
		if *d == "" {
			continue
		}
		iso, ok := stamp.ReadShownDate(*d, year)
		if !ok {
			typed[i], bad = *d, true
			continue
		}
		*d = iso
	}
	a.update(func(s *State) {
		s.List.DateText, s.List.DateErr = typed, ""
		s.List.DateTyped = [2]bool{typed[0] != "", typed[1] != ""}
		if bad {
			s.List.DateErr = "Write dates as the list shows them, like " + stamp.ShowDate(a.d.Now().Format("2006-01-02")) + "."
		}
	})
	return !bad
}

// TypeQuery keeps the search field's text as it is typed, before the
// search runs, so a render meanwhile keeps it.
func (a *App) TypeQuery(text string) {
	a.mu.Lock()
	a.st.List.QueryText, a.st.List.QueryTyped = text, true
	a.mu.Unlock()
}

// TypeDate keeps a date filter's text as it is typed (i is 0 for from, 1
// for to), until the field is left and the list filtered.
func (a *App) TypeDate(i int, text string) {
	if i < 0 || i > 1 {
		return
	}
	a.mu.Lock()
	a.st.List.DateText[i], a.st.List.DateTyped[i] = text, true
	a.mu.Unlock()
}

// SetQuery searches the list by label, client name or date.
func (a *App) SetQuery(ctx context.Context, q string) {
	f := read(a, func(s *State) Filter { return s.List.Filter })
	f.Query = strings.TrimSpace(q)
	if f.Query == read(a, func(s *State) string { return s.List.Filter.Query }) {
		return
	}
	a.SetFilter(ctx, f)
}
