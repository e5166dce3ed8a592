package api

import (
	"net/http"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/sidenote/sidenote/shared/api"
)

// The session list is the API's hottest response (about 30 KB for a page
// of 50), and encoding/json's reflective encoding of it cost more CPU than
// the rest of the request (BenchmarkSessionsList's profile). These
// functions write exactly the bytes json.Marshal writes for the shared/api
// types, which stay the contract: sessionjson_test.go holds them to that
// byte for byte, including for every field a future change adds.

// jsonBuffers recycles response buffers; a buffer that grew beyond
// maxPooledJSON (a page far above the default size) is left to the GC.
var jsonBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}

const maxPooledJSON = 256 << 10

// respondSessionPage writes page as JSON with status 200.
func respondSessionPage(c *gin.Context, page *api.Page[api.Session]) {
	buf := jsonBuffers.Get().(*[]byte)
	*buf = appendSessionPage((*buf)[:0], page)
	// A known length spares the chunked encoding of a body this size.
	c.Header("Content-Length", strconv.Itoa(len(*buf)))
	c.Data(http.StatusOK, "application/json; charset=utf-8", *buf)
	if cap(*buf) <= maxPooledJSON {
		jsonBuffers.Put(buf)
	}
}

func appendSessionPage(b []byte, page *api.Page[api.Session]) []byte {
	b = append(b, `{"items":`...)
	if page.Items == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range page.Items {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendSession(b, &page.Items[i])
		}
		b = append(b, ']')
	}
	b = append(b, `,"next_cursor":`...)
	b = appendJSONString(b, page.NextCursor)
	return append(b, '}')
}

func appendSession(b []byte, s *api.Session) []byte {
	b = append(b, `{"id":`...)
	b = appendJSONString(b, s.ID)
	b = append(b, `,"type":`...)
	b = appendJSONString(b, string(s.Type))
	b = append(b, `,"status":`...)
	b = appendJSONString(b, string(s.Status))
	b = append(b, `,"client":`...)
	b = appendClient(b, s.Client)
	b = append(b, `,"anonymous":`...)
	b = appendAnonymous(b, s.Anonymous)
	b = append(b, `,"display_label":`...)
	b = appendJSONString(b, s.DisplayLabel)
	b = append(b, `,"label":`...)
	b = appendJSONString(b, s.Label)
	b = append(b, `,"consent":{"obtained":`...)
	b = appendBool(b, s.Consent.Obtained)
	b = append(b, `,"method":`...)
	b = appendJSONString(b, string(s.Consent.Method))
	if s.Consent.RecordedAt != nil {
		b = append(b, `,"recorded_at":`...)
		b = appendJSONTime(b, *s.Consent.RecordedAt)
	}
	b = append(b, `},"started_at":`...)
	b = appendJSONTime(b, s.StartedAt)
	b = append(b, `,"ended_at":`...)
	b = appendOptionalTime(b, s.EndedAt)
	b = append(b, `,"note_status":`...)
	b = appendJSONString(b, string(s.NoteStatus))
	if s.JoinURL != "" {
		b = append(b, `,"join_url":`...)
		b = appendJSONString(b, s.JoinURL)
	}
	if len(s.History) > 0 {
		b = append(b, `,"history":[`...)
		for i, h := range s.History {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"client_id":`...)
			b = appendOptionalString(b, h.ClientID)
			b = append(b, `,"anonymous":`...)
			b = appendAnonymous(b, h.Anonymous)
			b = append(b, `,"changed_at":`...)
			b = appendJSONTime(b, h.ChangedAt)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = append(b, `,"created_at":`...)
	b = appendJSONTime(b, s.CreatedAt)
	b = append(b, `,"updated_at":`...)
	b = appendJSONTime(b, s.UpdatedAt)
	return append(b, '}')
}

func appendClient(b []byte, c *api.Client) []byte {
	if c == nil {
		return append(b, "null"...)
	}
	b = append(b, `{"id":`...)
	b = appendJSONString(b, c.ID)
	b = append(b, `,"display_name":`...)
	b = appendJSONString(b, c.DisplayName)
	b = append(b, `,"kind":`...)
	b = appendJSONString(b, string(c.Kind))
	b = append(b, `,"external_ref":`...)
	b = appendOptionalString(b, c.ExternalRef)
	b = append(b, `,"archived_at":`...)
	b = appendOptionalTime(b, c.ArchivedAt)
	b = append(b, `,"created_at":`...)
	b = appendJSONTime(b, c.CreatedAt)
	b = append(b, `,"updated_at":`...)
	b = appendJSONTime(b, c.UpdatedAt)
	return append(b, '}')
}

func appendAnonymous(b []byte, a *api.Anonymous) []byte {
	if a == nil {
		return append(b, "null"...)
	}
	return appendJSONString(b, string(*a))
}

func appendOptionalString(b []byte, s *string) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	return appendJSONString(b, *s)
}

func appendOptionalTime(b []byte, t *time.Time) []byte {
	if t == nil {
		return append(b, "null"...)
	}
	return appendJSONTime(b, *t)
}

func appendBool(b []byte, v bool) []byte {
	if v {
		return append(b, "true"...)
	}
	return append(b, "false"...)
}

// appendJSONTime writes t as time.Time.MarshalJSON does (RFC 3339 with
// nanoseconds); times read from the database are always within its range.
// UTC times, which is what the store keeps, take a direct path: the
// general formatter was a twentieth of the sessions list's CPU.
func appendJSONTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	if sec, ok := utcSeconds(t); ok {
		b = appendUTCTime(b, sec, t.Nanosecond())
	} else {
		b = t.AppendFormat(b, time.RFC3339Nano)
	}
	return append(b, '"')
}

// Seconds from 0000-01-01T00:00:00Z to the Unix epoch and to 10000-01-01.
const (
	unixOfYear0     = -62167219200
	unixOfYear10000 = 253402300800
)

// utcSeconds is t's Unix time if t is shown with a zero offset in years
// 0 to 9999, the only times appendUTCTime writes.
func utcSeconds(t time.Time) (int64, bool) {
	if loc := t.Location(); loc != time.UTC {
		if _, offset := t.Zone(); offset != 0 {
			return 0, false
		}
	}
	sec := t.Unix()
	return sec, sec >= unixOfYear0 && sec < unixOfYear10000
}

// appendUTCTime is t.AppendFormat(b, time.RFC3339Nano) for the UTC time
// sec (Unix seconds in years 0 to 9999) plus nsec nanoseconds. The date
// comes from the day number by Hinnant's civil_from_days, in integer
// arithmetic, instead of t.Date and t.Clock, which each convert again.
func appendUTCTime(b []byte, sec int64, nsec int) []byte {
	days, rem := (sec-unixOfYear0)/86400, int((sec-unixOfYear0)%86400)
	// Days since 0000-03-01, so that the leap day ends each 4-year cycle.
	z := days - 60
	era := z / 146097 // years 0-9999 put z >= -60: era is 0..24, or -1 before March of year 0
	if z < 0 {
		era = -1
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	day := int(doy - (153*mp+2)/5 + 1)
	month := int(mp + 3)
	if month > 12 {
		month -= 12
	}
	year := int(yoe + era*400)
	if month <= 2 {
		year++
	}
	b = append2(append2(b, year/100), year%100)
	b = append2(append(b, '-'), month)
	b = append2(append(b, '-'), day)
	b = append2(append(b, 'T'), rem/3600)
	b = append2(append(b, ':'), rem/60%60)
	b = append2(append(b, ':'), rem%60)
	if nsec != 0 {
		// Nine digits, then trailing zeros dropped, as RFC3339Nano does.
		var buf [9]byte
		for i := 8; i >= 0; i-- {
			buf[i] = byte('0' + nsec%10)
			nsec /= 10
		}
		n := 9
		for buf[n-1] == '0' {
			n--
		}
		b = append(append(b, '.'), buf[:n]...)
	}
	return append(b, 'Z')
}

// twoDigits holds "00" to "99".
const twoDigits = "00010203040506070809101112131415161718192021222324252627282930313233343536373839" +
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879" +
	"8081828384858687888990919293949596979899"

// append2 writes v (0 to 99) as two digits.
func append2(b []byte, v int) []byte { return append(b, twoDigits[2*v], twoDigits[2*v+1]) }

// appendJSONString quotes s as encoding/json does by default: HTML-safe
// (<, > and & escaped), invalid UTF-8 replaced by U+FFFD, and U+2028 and
// U+2029 escaped for JavaScript.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
