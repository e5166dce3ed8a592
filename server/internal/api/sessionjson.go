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
	if _, offset := t.Zone(); offset == 0 && t.Year() >= 0 && t.Year() <= 9999 {
		b = appendUTCTime(b, t)
	} else {
		b = t.AppendFormat(b, time.RFC3339Nano)
	}
	return append(b, '"')
}

// appendUTCTime is t.AppendFormat(b, time.RFC3339Nano) for a time with a
// zero offset in years 0 to 9999.
func appendUTCTime(b []byte, t time.Time) []byte {
	year, month, day := t.Date()
	hour, minute, second := t.Clock()
	b = appendDigits(b, year, 4)
	b = append(b, '-')
	b = appendDigits(b, int(month), 2)
	b = append(b, '-')
	b = appendDigits(b, day, 2)
	b = append(b, 'T')
	b = appendDigits(b, hour, 2)
	b = append(b, ':')
	b = appendDigits(b, minute, 2)
	b = append(b, ':')
	b = appendDigits(b, second, 2)
	if ns := t.Nanosecond(); ns != 0 {
		// Nine digits, then trailing zeros dropped, as RFC3339Nano does.
		b = append(b, '.')
		digits := 9
		for ns%10 == 0 {
			ns /= 10
			digits--
		}
		b = appendDigits(b, ns, digits)
	}
	return append(b, 'Z')
}

// appendDigits writes v (non-negative) zero-padded to width digits.
func appendDigits(b []byte, v, width int) []byte {
	var buf [9]byte
	for i := width - 1; i >= 0; i-- {
		buf[i] = byte('0' + v%10)
		v /= 10
	}
	return append(b, buf[:width]...)
}

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
