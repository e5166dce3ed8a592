package client

// Escape percent-encodes s for a path segment or a query value.
func Escape(s string) string { return escape(s) }

// Query builds a query string ("?a=1&b=2") from key/value pairs, leaving
// out empty values.
func Query(pairs ...string) string { return query(pairs...) }

// Unescape decodes a query value or path segment: %XX escapes, and "+" as
// a space. A malformed escape is kept as it is.
func Unescape(s string) string {
	unhex := func(c byte) (byte, bool) {
		switch {
		case '0' <= c && c <= '9':
			return c - '0', true
		case 'a' <= c && c <= 'f':
			return c - 'a' + 10, true
		case 'A' <= c && c <= 'F':
			return c - 'A' + 10, true
		}
		return 0, false
	}
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '+':
			out = append(out, ' ')
		case c == '%' && i+2 < len(s):
			hi, ok1 := unhex(s[i+1])
			lo, ok2 := unhex(s[i+2])
			if ok1 && ok2 {
				out = append(out, hi<<4|lo)
				i += 2
				continue
			}
			out = append(out, c)
		default:
			out = append(out, c)
		}
	}
	return string(out)
}
