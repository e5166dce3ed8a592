// Package stamp parses the two time formats the sidebar reads: RFC 3339
// timestamps from the API and "2006-01-02" dates from date inputs. It
// replaces time.Parse, whose layout interpreter is about 10 KB of the
// compressed WebAssembly binary; the tests hold it to time.Parse's results.
// (Time.Format stays: context.Context's Deadline keeps time.Time's String
// method, and so the formatter, in every binary that uses context.)
package stamp

import "time"

// ParseRFC3339 parses "2006-01-02T15:04:05.999999999Z07:00" as
// time.Parse(time.RFC3339Nano, s) does, location included: UTC for "Z", the
// local zone when its offset at that instant matches, otherwise a fixed zone.
// Offsets past ±23:59, which time.Parse's lenient fallback takes, are refused.
func ParseRFC3339(s string) (time.Time, bool) {
	if len(s) < len("2006-01-02T15:04:05Z") || s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		return time.Time{}, false
	}
	year, month, day, ok := date(s[:10])
	hour, ok1 := digits(s[11:13])
	minute, ok2 := digits(s[14:16])
	sec, ok3 := digits(s[17:19])
	if !(ok && ok1 && ok2 && ok3) || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	s = s[19:]
	nsec := 0
	if s[0] == '.' {
		n := 1
		for n < len(s) && '0' <= s[n] && s[n] <= '9' {
			if n <= 9 { // digits past nanoseconds are dropped, as time.Parse does
				nsec = nsec*10 + int(s[n]-'0')
			}
			n++
		}
		if n == 1 {
			return time.Time{}, false
		}
		for i := n; i <= 9; i++ {
			nsec *= 10
		}
		s = s[n:]
	}
	offset := 0
	switch {
	case s == "Z":
	case len(s) == len("+07:00") && (s[0] == '+' || s[0] == '-') && s[3] == ':':
		hh, ok1 := digits(s[1:3])
		mm, ok2 := digits(s[4:6])
		if !ok1 || !ok2 || hh > 23 || mm > 59 {
			return time.Time{}, false
		}
		offset = (hh*60 + mm) * 60
		if s[0] == '-' {
			offset = -offset
		}
	default:
		return time.Time{}, false
	}
	t := time.Date(year, month, day, hour, minute, sec, nsec, time.UTC).Add(-time.Duration(offset) * time.Second)
	if offset == 0 {
		return t, true
	}
	local := t.In(time.Local)
	if _, localOffset := local.Zone(); localOffset == offset {
		return local, true
	}
	return t.In(time.FixedZone("", offset)), true
}

// ParseDate parses "2006-01-02" as time.ParseInLocation does: midnight of
// that day in loc.
func ParseDate(s string, loc *time.Location) (time.Time, bool) {
	year, month, day, ok := date(s)
	if !ok {
		return time.Time{}, false
	}
	return time.Date(year, month, day, 0, 0, 0, 0, loc), true
}

// date reads "2006-01-02", checking that the day exists.
func date(s string) (year int, month time.Month, day int, ok bool) {
	if len(s) != len("2006-01-02") || s[4] != '-' || s[7] != '-' {
		return 0, 0, 0, false
	}
	year, ok1 := digits(s[0:4])
	m, ok2 := digits(s[5:7])
	day, ok3 := digits(s[8:10])
	month = time.Month(m)
	// Day 0 of the next month is the last day of this one.
	if !(ok1 && ok2 && ok3) || month < 1 || month > 12 || day < 1 || day > time.Date(year, month+1, 0, 0, 0, 0, 0, time.UTC).Day() {
		return 0, 0, 0, false
	}
	return year, month, day, true
}

// Digits parses a run of ASCII digits without strconv, whose errors link
// its quoting tables into the WebAssembly binary.
func Digits(s string) (int, bool) { return digits(s) }

// digits parses a run of ASCII digits.
func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}
