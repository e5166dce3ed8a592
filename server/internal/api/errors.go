package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/sidenote/sidenote/server/internal/store"
	"github.com/sidenote/sidenote/shared/api"
)

// statusByCode is the one table from error codes to HTTP statuses.
var statusByCode = map[string]int{
	api.CodeMalformedJSON:     http.StatusBadRequest,
	api.CodeUnknownField:      http.StatusBadRequest,
	api.CodeWrongType:         http.StatusBadRequest,
	api.CodeInvalidUTF8:       http.StatusBadRequest,
	api.CodeBadRequest:        http.StatusBadRequest,
	api.CodeUnauthenticated:   http.StatusUnauthorized,
	api.CodeForbidden:         http.StatusForbidden,
	api.CodeNotFound:          http.StatusNotFound,
	api.CodeConflict:          http.StatusConflict,
	api.CodeVersionConflict:   http.StatusConflict,
	api.CodeNoteSigned:        http.StatusConflict,
	api.CodeSessionUnassigned: http.StatusConflict,
	api.CodeSessionOpen:       http.StatusConflict,
	api.CodeBodyTooLarge:      http.StatusRequestEntityTooLarge,
	api.CodeUnsupportedMedia:  http.StatusUnsupportedMediaType,
	api.CodeInvalidField:      http.StatusUnprocessableEntity,
	api.CodeConsentRequired:   http.StatusUnprocessableEntity,
	api.CodeNoSource:          http.StatusUnprocessableEntity,
	api.CodeMisdirected:       http.StatusMisdirectedRequest,
	api.CodeRateLimited:       http.StatusTooManyRequests,
	api.CodeInternal:          http.StatusInternalServerError,
	api.CodeUnavailable:       http.StatusServiceUnavailable,
}

// StatusOf returns the HTTP status for an error code.
func StatusOf(code string) int {
	if s, ok := statusByCode[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

var errInternal = &api.Error{Code: api.CodeInternal, Message: "Something went wrong on our side. Please try again; if it keeps happening, contact support."}

// toAPIError turns any error into the error a client may see. Errors that
// are not *api.Error are bugs or outages: their text never leaves the server.
func toAPIError(err error) *api.Error {
	var e *api.Error
	if errors.As(err, &e) {
		return e
	}
	if store.IsUnavailable(err) {
		return &api.Error{Code: api.CodeUnavailable, Message: "The database is unavailable. Please try again shortly."}
	}
	return errInternal
}

// statusClientGone is logged for a request whose client closed the
// connection before the answer.
const statusClientGone = 499

// renderErrors is the one error middleware: handlers return errors with
// c.Error and this writes the JSON error body with its status.
func renderErrors(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Next()
		if len(c.Errors) == 0 || c.Writer.Written() {
			return
		}
		err := c.Errors.Last().Err
		if errors.Is(err, context.Canceled) && c.Request.Context().Err() != nil {
			// The client went away (a closed tab, a navigation): nothing
			// failed on our side and nobody reads the answer. 499 is
			// nginx's status for this, seen only in the request log.
			c.AbortWithStatus(statusClientGone)
			return
		}
		e := toAPIError(err)
		status := StatusOf(e.Code)
		if status >= 500 {
			// Error text may quote SQL values; log only its type and the route.
			log.LogAttrs(c.Request.Context(), slog.LevelError, "request failed",
				slog.String("request_id", requestID(c)), slog.String("route", c.FullPath()),
				slog.String("error_type", errorType(err)), slog.String("code", e.Code))
		}
		if status == http.StatusTooManyRequests && c.Writer.Header().Get("Retry-After") == "" {
			c.Header("Retry-After", "1")
		}
		c.AbortWithStatusJSON(status, api.ErrorBody{Error: *e})
	}
}

// fail records err for renderErrors and stops the handler chain.
func fail(c *gin.Context, err error) {
	_ = c.Error(err)
	c.Abort()
}

func notFound(c *gin.Context) {
	fail(c, &api.Error{Code: api.CodeNotFound, Message: "There is nothing at this address."})
}
