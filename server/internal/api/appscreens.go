package api

import "strings"

// screenAddress reports whether name (a cleaned path under /app) is the
// address of one of the sidebar's screens rather than a file: /start,
// /templates, /sessions/{id}, /notes/{id}. The page answers those with index.html, and
// the sidebar opens the screen the address names (wasm/internal/app/route.go),
// so a reload stays where the clinician was.
func screenAddress(name string) bool {
	parts := strings.Split(strings.TrimPrefix(name, "/"), "/")
	switch {
	case len(parts) == 1:
		return parts[0] == "start" || parts[0] == "templates"
	case len(parts) == 2:
		return (parts[0] == "sessions" || parts[0] == "notes") && parts[1] != ""
	}
	return false
}
