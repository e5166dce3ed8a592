package match

import "strings"

// PathPattern turns a page path into the pattern under which a clinician's
// mapping is remembered: segments that identify a record (numbers, UUIDs,
// long hex or opaque ids) become "*", so /clients/812/notes/5531/edit and
// /clients/97/notes/6001/edit share one mapping. Query and fragment are
// dropped.
func PathPattern(path string) string {
	if i := strings.IndexAny(path, "?#"); i >= 0 {
		path = path[:i]
	}
	if path == "" {
		return "/"
	}
	segs := strings.Split(path, "/")
	for i, s := range segs {
		if isIdentifier(s) {
			segs[i] = "*"
		}
	}
	out := strings.Join(segs, "/")
	if !strings.HasPrefix(out, "/") {
		out = "/" + out
	}
	return out
}

// isIdentifier reports whether a path segment looks like a record id rather
// than a route word.
func isIdentifier(s string) bool {
	if s == "" {
		return false
	}
	digits, letters, hex := 0, 0, true
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r >= 'a' && r <= 'f' || r >= 'A' && r <= 'F':
			letters++
		case r >= 'g' && r <= 'z' || r >= 'G' && r <= 'Z':
			letters++
			hex = false
		case r == '-' || r == '_':
			hex = hex && r == '-'
		default:
			hex = false
		}
	}
	switch {
	case digits == len(s):
		return true // 5531
	case hex && digits > 0 && len(s) >= 8:
		return true // UUIDs and hex ids
	case digits > 0 && letters > 0 && len(s) >= 10:
		return true // opaque ids such as "a8Fk29dLq0Zx"
	}
	return false
}
