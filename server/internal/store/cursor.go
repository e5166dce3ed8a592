package store

import (
	"encoding/base64"
	"strings"
	"time"

	"github.com/sidenote/sidenote/shared/api"
)

// A keyset cursor is the sort key of the last row of a page, opaque to
// clients: base64url("<key>\x00<id>").

func encodeCursor(key, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(key + "\x00" + id))
}

func decodeCursor(cursor string) (key, id string, err error) {
	bad := &api.Error{Code: api.CodeInvalidField, Field: "cursor", Message: "The cursor is not valid; start again from the first page."}
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return "", "", bad
	}
	key, id, ok := strings.Cut(string(raw), "\x00")
	if !ok || !ValidID(id) {
		return "", "", bad
	}
	return key, id, nil
}

func encodeTimeCursor(t time.Time, id string) string {
	return encodeCursor(t.UTC().Format(time.RFC3339Nano), id)
}

func decodeTimeCursor(cursor string) (time.Time, string, error) {
	key, id, err := decodeCursor(cursor)
	if err != nil {
		return time.Time{}, "", err
	}
	t, perr := time.Parse(time.RFC3339Nano, key)
	if perr != nil {
		_, _, err = decodeCursor("")
		return time.Time{}, "", err
	}
	return t, id, nil
}

// Page limits.
const (
	DefaultLimit = 50
	MaxLimit     = 200
)

func clampLimit(limit int) int {
	if limit <= 0 {
		return DefaultLimit
	}
	return min(limit, MaxLimit)
}

// TrimPage cuts rows, read one beyond limit to learn whether more follow,
// to the page, and returns the cursor after its last row ("" on the last
// page).
func TrimPage[T any](rows []T, limit int, cursorAfter func(last T) string) ([]T, string) {
	if len(rows) <= limit {
		return rows, ""
	}
	rows = rows[:limit]
	return rows, cursorAfter(rows[limit-1])
}
