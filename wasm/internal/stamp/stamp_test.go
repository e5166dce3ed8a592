package stamp

import (
	"math/rand/v2"
	"testing"
	"time"
)

// zones covers UTC, the machine's zone, whole-hour, half-hour and negative
// offsets, and a zone with daylight saving time.
func zones(t *testing.T) []*time.Location {
	zs := []*time.Location{time.UTC, time.Local, time.FixedZone("", 5*3600+30*60), time.FixedZone("X", -(9*3600 + 45*60)), time.FixedZone("S", 3600+17)}
	if ny, err := time.LoadLocation("America/New_York"); err == nil {
		zs = append(zs, ny)
	} else {
		t.Logf("no tzdata: %v", err)
	}
	return zs
}

// randomTimes returns instants from year 1 to 9999 with and without
// fractions, in each zone.
func randomTimes(t *testing.T) []time.Time {
	r := rand.New(rand.NewPCG(1, 2))
	lo, hi := time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC).Unix(), time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC).Unix()
	var out []time.Time
	for _, loc := range zones(t) {
		for i := range 400 {
			sec := lo + r.Int64N(hi-lo)
			if i%4 == 0 { // around now, where the sidebar lives
				sec = time.Now().Unix() + r.Int64N(4e8) - 2e8
			}
			ns := []int64{0, r.Int64N(1e9), r.Int64N(1000) * 1e6, 1}[i%4]
			out = append(out, time.Unix(sec, ns).In(loc))
		}
	}
	return out
}

func TestParseRFC3339MatchesTimeParse(t *testing.T) {
	for _, tm := range randomTimes(t) {
		for _, s := range []string{tm.Format(time.RFC3339Nano), tm.Format(time.RFC3339), tm.Format("2006-01-02T15:04:05.000000000Z07:00"), tm.Format("2006-01-02T15:04:05.000Z07:00")} {
			got, ok := ParseRFC3339(s)
			want, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				t.Fatalf("time.Parse(%q): %v", s, err)
			}
			if !ok || !sameTime(got, want) {
				t.Fatalf("ParseRFC3339(%q) = %v, %v; want %v", s, got, ok, want)
			}
		}
	}
}

func TestParseRFC3339Rejects(t *testing.T) {
	for _, s := range []string{
		"", "2026", "2026-11-25", "2026-11-25 09:05:59Z", "2026-11-25T09:05:59", "2026-11-25T09:05:59+0100",
		"2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z", "2026-02-29T00:00:00Z", "2026-04-31T00:00:00Z",
		"2026-11-25T24:00:00Z", "2026-11-25T09:60:00Z", "2026-11-25T09:05:60Z", "2026-11-25T09:05:59.Z",
		"2026-11-25T09:05:59Zjunk", "2026-11-2aT09:05:59Z",
		"+026-11-25T09:05:59Z", "2026-11-25T09:05:59.12a3Z",
	} {
		if got, ok := ParseRFC3339(s); ok {
			t.Errorf("ParseRFC3339(%q) = %v, want failure", s, got)
		}
		if _, err := time.Parse(time.RFC3339Nano, s); err == nil {
			t.Errorf("time.Parse accepts %q: the case is not a rejection", s)
		}
	}
	// Leap day in a leap year, and more than nine fraction digits.
	for _, s := range []string{"2024-02-29T12:00:00Z", "2026-11-25T09:05:59.1234567891Z"} {
		got, ok := ParseRFC3339(s)
		want, err := time.Parse(time.RFC3339Nano, s)
		if !ok || err != nil || !sameTime(got, want) {
			t.Errorf("%q: got %v %v, want %v %v", s, got, ok, want, err)
		}
	}
}

func FuzzParseRFC3339(f *testing.F) {
	f.Add("2026-11-25T09:05:59.123456789+05:30")
	f.Add("2026-11-25T09:05:59Z")
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := ParseRFC3339(s)
		if !ok {
			return
		}
		want, err := time.Parse(time.RFC3339Nano, s)
		if err != nil || !sameTime(got, want) {
			t.Fatalf("ParseRFC3339(%q) = %v; time.Parse: %v, %v", s, got, want, err)
		}
	})
}

func TestParseDateMatchesParseInLocation(t *testing.T) {
	for _, loc := range zones(t) {
		for _, s := range []string{"2026-11-25", "2024-02-29", "2026-03-08", "0001-01-01", "9999-12-31", "2026-02-29", "2026-1-05", "2026-11-25x", "2026/11/25", ""} {
			got, ok := ParseDate(s, loc)
			want, err := time.ParseInLocation("2006-01-02", s, loc)
			if ok != (err == nil) || ok && !sameTime(got, want) {
				t.Errorf("ParseDate(%q, %v) = %v, %v; time: %v, %v", s, loc, got, ok, want, err)
			}
		}
	}
}

// sameTime reports the same instant shown the same way: zone name and offset.
func sameTime(a, b time.Time) bool {
	an, ao := a.Zone()
	bn, bo := b.Zone()
	return a.Equal(b) && an == bn && ao == bo
}
