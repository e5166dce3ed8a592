package store

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sidenote/sidenote/shared/api"
)

// maxQuery bounds a session search, in characters.
const maxQuery = 200

// sessionLabel validates a session label: trimmed, at most
// api.MaxSessionLabel characters, no control or text-direction characters
// (a label is one line in a list, shown as typed). Labels are not sealed,
// so that the database can search them: they tell sessions apart ("Tue 4
// pm couple"); names belong to clients, which are sealed.
func sessionLabel(v string) (string, error) {
	v = strings.TrimSpace(v)
	if !utf8.ValidString(v) {
		return "", &api.Error{Code: api.CodeInvalidUTF8, Field: "label", Message: "The label is not valid UTF-8."}
	}
	if utf8.RuneCountInString(v) > api.MaxSessionLabel {
		return "", invalid("label", "A label is 60 characters at most.")
	}
	if hasHiddenControls(v) {
		return "", invalid("label", "A label is one line of text, without tabs, control or text-direction characters.")
	}
	return v, nil
}

// fold is the form of a label or name that search compares: lower case,
// spaces collapsed.
func fold(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(s)), " ")
}

// clientsNamed returns the ids of the clinician's clients (archived too)
// whose display name contains q, ignoring case. It is the one place that
// matches client names, in Go rather than SQL, so that it keeps working
// when names are sealed at rest: only this function changes then.
func (s *Store) clientsNamed(ctx context.Context, clinicianID, q string) ([]string, error) {
	var clients []Client
	err := s.db.WithContext(ctx).Select("id", "display_name").Where("clinician_id = ?", clinicianID).Find(&clients).Error
	if err != nil {
		return nil, err
	}
	want := fold(q)
	var ids []string
	for _, c := range clients {
		if strings.Contains(fold(c.DisplayName), want) {
			ids = append(ids, c.ID)
		}
	}
	return ids, nil
}

// whereMatches adds the search condition of f.Query: the session's label
// contains it, or its client's name does (f.clientIDs), or it is a date
// (as the sidebar shows dates, or 2026-12-04) on which the session started,
// in f.Location.
func whereMatches(f SessionFilter, where func(cond string, values ...any)) error {
	if utf8.RuneCountInString(f.Query) > maxQuery {
		return invalid("q", "A search is 200 characters at most.")
	}
	q := fold(f.Query)
	if q == "" {
		return nil
	}
	conds := []string{`sessions.label_search LIKE ? ESCAPE '\'`}
	values := []any{"%" + escapeLike(q) + "%"}
	if len(f.clientIDs) > 0 {
		conds = append(conds, "sessions.client_id IN (?"+strings.Repeat(",?", len(f.clientIDs)-1)+")")
		for _, id := range f.clientIDs {
			values = append(values, id)
		}
	}
	loc := f.Location
	if loc == nil {
		loc = time.UTC
	}
	now := f.now
	if now.IsZero() {
		now = time.Now()
	}
	if day, ok := parseDay(strings.TrimSpace(f.Query), loc, now.In(loc)); ok {
		conds = append(conds, "(sessions.started_at >= ? AND sessions.started_at < ?)")
		values = append(values, day.UTC(), day.AddDate(0, 0, 1).UTC())
	}
	where("("+strings.Join(conds, " OR ")+")", values...)
	return nil
}

// dayLayouts are the ways a date may be typed: ISO, and as the sidebar
// shows it ("4 Dec 2026", "Fri 4 Dec"), with full month and day names too.
var dayLayouts = []string{
	"2006-01-02", "2 Jan 2006", "Mon 2 Jan 2006", "2 January 2006", "Monday 2 January 2006",
	"Jan 2 2006", "Jan 2, 2006", "January 2, 2006", "January 2 2006",
}

// yearlessLayouts are dates shown without a year: this year's.
var yearlessLayouts = []string{"2 Jan", "Mon 2 Jan", "2 January", "Monday 2 January", "Jan 2", "January 2"}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// parseDay reads q as a calendar day in loc: its midnight. "Today" and
// "yesterday" are days too (the list shows recent sessions as "Today").
func parseDay(q string, loc *time.Location, now time.Time) (time.Time, bool) {
	q = strings.Join(strings.Fields(strings.TrimSuffix(q, ",")), " ")
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	switch strings.ToLower(q) {
	case "today":
		return today, true
	case "yesterday":
		return today.AddDate(0, 0, -1), true
	}
	for _, layout := range dayLayouts {
		if t, err := time.ParseInLocation(layout, q, loc); err == nil {
			return t, true
		}
	}
	for _, layout := range yearlessLayouts {
		if t, err := time.ParseInLocation(layout, q, loc); err == nil {
			return time.Date(now.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc), true
		}
	}
	return time.Time{}, false
}
