package api

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"reflect"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sidenote/sidenote/server/internal/audit"
	"github.com/sidenote/sidenote/server/internal/store"
	"github.com/sidenote/sidenote/shared/api"
)

// Context keys.
const (
	ctxRequestID   = "sidenote.request_id"
	ctxClinicianID = "sidenote.clinician_id"
	ctxTokenID     = "sidenote.token_id"
)

// withRequestID takes a sane X-Request-ID from the client or makes one, and
// echoes it so a clinician's support request can quote it.
func withRequestID(c *gin.Context) {
	id := c.GetHeader("X-Request-ID")
	if !validRequestID(id) {
		var raw [12]byte
		rand.Read(raw[:])
		id = hex.EncodeToString(raw[:])
	}
	c.Set(ctxRequestID, id)
	c.Header("X-Request-ID", id)
	c.Next()
}

func validRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

func requestID(c *gin.Context) string { return c.GetString(ctxRequestID) }

// logRequests logs one line per request: never bodies, query strings or
// paths with ids, only the route pattern.
func (s *Server) logRequests(c *gin.Context) {
	start := time.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "(no route)"
	}
	s.log.LogAttrs(c.Request.Context(), slog.LevelInfo, "request",
		slog.String("method", c.Request.Method),
		slog.String("route", route),
		slog.Int("status", c.Writer.Status()),
		slog.Duration("latency", time.Since(start)),
		slog.String("request_id", requestID(c)),
	)
}

// recoverPanics turns a panic into a 500 without logging request data.
func (s *Server) recoverPanics(c *gin.Context) {
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			s.log.Error("panic", "request_id", requestID(c), "route", c.FullPath(), "panic_type", reflect.TypeOf(p).String())
			fail(c, errInternal)
			if !c.Writer.Written() {
				c.AbortWithStatusJSON(http.StatusInternalServerError, api.ErrorBody{Error: *errInternal})
			}
		}
	}()
	c.Next()
}

func errorType(err error) string { return reflect.TypeOf(err).String() }

// authenticate requires a valid bearer token (the extension, scripts) or
// browser session cookie (the /app page). Cookie-authenticated writes must
// also pass the CSRF check; every cookie-authenticated response carries the
// session's CSRF token in X-CSRF-Token for the page to send back.
func (s *Server) authenticate(c *gin.Context) {
	ctx := c.Request.Context()
	var t *store.APIToken
	var err error
	if c.GetHeader("Authorization") != "" {
		token, ok := bearerToken(c)
		if !ok {
			fail(c, &api.Error{Code: api.CodeUnauthenticated, Message: "Please sign in."})
			return
		}
		t, err = s.store.AuthenticateBearer(ctx, token, s.cfg.TokenTTL)
	} else if cookie := s.cookie(c, sessionCookie); cookie != "" {
		t, err = s.store.AuthenticateBrowser(ctx, cookie, s.cfg.Auth.SessionTTL)
		if err == nil {
			c.Header(api.CSRFHeader, s.authn.keys.CSRFToken(t.ID))
			if !safeMethod(c.Request.Method) {
				err = s.checkCSRF(c, t.ID)
			}
		}
	} else {
		err = &api.Error{Code: api.CodeUnauthenticated, Message: "Please sign in."}
	}
	if err != nil {
		fail(c, err)
		return
	}
	c.Set(ctxClinicianID, t.ClinicianID)
	c.Set(ctxTokenID, t.ID)
	actAs(c, t.ClinicianID)
	c.Next()
}

// actAs makes clinicianID the actor of the request: the audit events of
// what it reads and writes are theirs (see audit.WithActor). authenticate
// sets the caller; a sign-in sets the clinician it signs in.
func actAs(c *gin.Context, clinicianID string) {
	c.Request = c.Request.WithContext(audit.WithActor(c.Request.Context(), audit.Actor{
		ClinicianID: clinicianID, RequestID: requestID(c), ClientIP: c.ClientIP(),
	}))
}
