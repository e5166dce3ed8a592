package api

import (
	"net/http"
	"testing"

	"github.com/sidenote/sidenote/server/internal/store/storetest"
	"github.com/sidenote/sidenote/shared/api"
)

func TestCORS(t *testing.T) {
	ts := newTestServer(t, storetest.SQLiteURL(t), map[string]string{
		"SIDENOTE_EXTENSION_IDS":   testExtensionID,
		"SIDENOTE_ALLOWED_ORIGINS": "https://Sidenote.Example.org/",
	})
	token := ts.login("cors@example.org")
	extension := "chrome-extension://" + testExtensionID
	preflight := func(origin string) response {
		return ts.raw("", http.MethodOptions, "/api/v1/sessions", nil,
			"Origin", origin, "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "authorization,content-type")
	}

	for _, origin := range []string{extension, "https://sidenote.example.org"} {
		res := preflight(origin)
		h := res.Header
		if res.Status != http.StatusNoContent || h.Get("Access-Control-Allow-Origin") != origin ||
			h.Get("Access-Control-Allow-Credentials") != "" {
			t.Errorf("preflight from %s: %d %v", origin, res.Status, h)
		}
		res = ts.raw(token, http.MethodGet, "/api/v1/me", nil, "Origin", origin)
		if res.Status != http.StatusOK || res.Header.Get("Access-Control-Allow-Origin") != origin || res.Header.Get("Access-Control-Allow-Origin") == "*" {
			t.Errorf("GET from %s: %d ACAO %q", origin, res.Status, res.Header.Get("Access-Control-Allow-Origin"))
		}
	}

	for _, origin := range []string{
		"https://evil.example", "chrome-extension://ponmlkjihgfedcbaponmlkjihgfedcba", "null",
		"https://sidenote.example.org.evil.example", "http://sidenote.example.org",
	} {
		res := preflight(origin)
		if acao := res.Header.Get("Access-Control-Allow-Origin"); acao != "" || res.Status < 400 {
			t.Errorf("preflight from %s: %d ACAO %q", origin, res.Status, acao)
		}
		res = ts.raw(token, http.MethodPost, "/api/v1/clients", `{"display_name":"X","kind":"individual"}`, "Origin", origin)
		if res.Status != http.StatusForbidden || res.Error().Code != api.CodeForbidden || res.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("POST from %s: %d %s", origin, res.Status, res.Body)
		}
	}
	if n := countRows(t, ts.store, "clients"); n != 0 {
		t.Fatalf("refused origins created %d clients", n)
	}
	// Same-origin requests (the /app page) carry an Origin too.
	if res := ts.raw(token, http.MethodGet, "/api/v1/me", nil, "Origin", ts.http.URL); res.Status != http.StatusOK {
		t.Fatalf("same-origin request: %d %s", res.Status, res.Body)
	}
}
