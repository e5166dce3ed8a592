package api

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
)

// A request whose client has gone (a closed tab) is no server error: it is
// not logged as one, and its status says so.
func TestClientGoneIsNotAnInternalError(t *testing.T) {
	gin.SetMode(gin.TestMode)
	var logs bytes.Buffer
	r := gin.New()
	r.Use(renderErrors(slog.New(slog.NewJSONHandler(&logs, nil))))
	r.GET("/gone", func(c *gin.Context) { fail(c, fmt.Errorf("read sessions: %w", c.Request.Context().Err())) })
	r.GET("/broken", func(c *gin.Context) { fail(c, context.Canceled) })

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/gone", nil).WithContext(ctx))
	if w.Code != statusClientGone || strings.Contains(logs.String(), "request failed") {
		t.Fatalf("client gone: status %d, log %q", w.Code, logs.String())
	}

	// The same error while the client is still there is ours.
	w = httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/broken", nil))
	if w.Code != http.StatusInternalServerError || !strings.Contains(logs.String(), "request failed") {
		t.Fatalf("internal: status %d, log %q", w.Code, logs.String())
	}
}
