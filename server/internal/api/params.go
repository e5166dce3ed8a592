package api

import (
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sidenote/sidenote/server/internal/store"
	"github.com/sidenote/sidenote/shared/api"
)

// queryLimit reads ?limit=, 1 to store.MaxLimit.
func queryLimit(c *gin.Context) (int, error) {
	v := c.Query("limit")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > store.MaxLimit {
		return 0, &api.Error{Code: api.CodeInvalidField, Field: "limit", Message: "limit must be a whole number from 1 to 200."}
	}
	return n, nil
}

// queryLocation reads ?tz=, an IANA time zone (Europe/Paris): the
// clinician's, in which dates are days and times are shown. UTC without it.
func queryLocation(c *gin.Context) (*time.Location, error) {
	tz := c.Query("tz")
	if tz == "" {
		return time.UTC, nil
	}
	loc, err := time.LoadLocation(tz)
	if err != nil || tz == "Local" {
		return nil, &api.Error{Code: api.CodeInvalidField, Field: "tz", Message: "tz must be a time zone name such as Europe/Paris."}
	}
	return loc, nil
}

// queryTime reads an RFC 3339 time or a YYYY-MM-DD date (midnight UTC).
func queryTime(c *gin.Context, name string) (*time.Time, error) {
	v := c.Query(name)
	if v == "" {
		return nil, nil
	}
	for _, layout := range []string{time.RFC3339Nano, time.DateOnly} {
		if t, err := time.Parse(layout, v); err == nil {
			return &t, nil
		}
	}
	return nil, &api.Error{Code: api.CodeInvalidField, Field: name, Message: name + " must be a date (2026-11-25) or an RFC 3339 time."}
}
