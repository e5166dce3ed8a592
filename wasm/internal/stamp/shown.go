package stamp

import (
	"strings"
	"time"
)

// Dates as the sidebar shows them: "2 Mar 2026". The list's date filters
// take and show dates this way too, not in the browser's date-input format,
// so what the clinician reads in the list is what they type.

var months = [...]string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}

// ShowDate writes a "2006-01-02" date as "2 Jan 2006"; anything else is
// returned as it is.
func ShowDate(iso string) string {
	year, month, day, ok := date(iso)
	if !ok {
		return iso
	}
	return time.Date(year, month, day, 0, 0, 0, 0, time.UTC).Format("2 Jan 2006")
}

// ReadShownDate reads a date typed as shown ("2 Mar 2026", "2 March 2026",
// "2 Mar" for this year) or as "2026-03-02", and returns it as
// "2006-01-02". thisYear completes a date typed without its year.
func ReadShownDate(s string, thisYear int) (string, bool) {
	s = strings.TrimSpace(s)
	if _, _, _, ok := date(s); ok {
		return s, true
	}
	f := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return r == ' ' || r == ',' || r == '.' || r == '/' })
	if len(f) < 2 || len(f) > 3 {
		return "", false
	}
	day, ok := digits(f[0])
	if !ok || day < 1 || len(f[1]) < 3 {
		return "", false
	}
	month := 0
	for i, m := range months {
		if strings.HasPrefix(f[1], m) {
			month = i + 1
		}
	}
	year := thisYear
	if len(f) == 3 {
		y, ok := digits(f[2])
		if !ok || len(f[2]) != 4 {
			return "", false
		}
		year = y
	}
	if month == 0 || day > time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day() {
		return "", false
	}
	return time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC).Format("2006-01-02"), true
}
