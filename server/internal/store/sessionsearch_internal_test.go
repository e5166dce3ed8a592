package store

import (
	"testing"
	"time"
)

func TestParseDay(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 4, 0, 30, 0, 0, paris) // 3 Dec in UTC
	for q, want := range map[string]string{
		"2026-12-04": "2026-12-04", "4 Dec 2026": "2026-12-04", "Fri 4 Dec 2026": "2026-12-04", "4 december 2026": "2026-12-04",
		"Dec 4, 2026": "2026-12-04", "4 Dec": "2026-12-04", "Fri 4 Dec,": "2026-12-04", "1 Jan": "2026-01-01",
		"today": "2026-12-04", "Yesterday": "2026-12-03",
		"Tue 4 pm couple": "", "2026-13-01": "", "4": "",
	} {
		day, ok := parseDay(q, paris, now)
		got := ""
		if ok {
			if day.Location() != paris || day.Hour() != 0 {
				t.Errorf("%q: %v is not a midnight in Paris", q, day)
			}
			got = day.Format("2006-01-02")
		}
		if got != want {
			t.Errorf("parseDay(%q) = %q, want %q", q, got, want)
		}
	}
}
