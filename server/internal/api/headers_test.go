package api

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/sidenote/sidenote/server/internal/store/storetest"
	"github.com/sidenote/sidenote/shared/api"
)

// pageHeaderWants are the headers both HTML pages must carry, with the
// directives each CSP must hold.
var pageHeaderWants = map[string]string{
	"X-Content-Type-Options": "nosniff",
	"X-Frame-Options":        "DENY",
	"Referrer-Policy":        "same-origin",
}

var cspWants = []string{"object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "form-action 'self'"}

func checkPageHeaders(t *testing.T, what string, res response) {
	t.Helper()
	for name, want := range pageHeaderWants {
		if got := res.Header.Get(name); got != want {
			t.Errorf("%s: %s is %q, want %q", what, name, got, want)
		}
	}
	csp := res.Header.Get("Content-Security-Policy")
	for _, d := range cspWants {
		if !strings.Contains(csp, d) {
			t.Errorf("%s: CSP %q lacks %s", what, csp, d)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "'unsafe-eval'") {
		t.Errorf("%s: CSP %q allows inline or eval'd code", what, csp)
	}
	if res.Header.Get("Strict-Transport-Security") != "" {
		t.Errorf("%s: HSTS sent over plain HTTP", what)
	}
}

func TestPagesCarrySecurityHeaders(t *testing.T) {
	web := t.TempDir()
	if err := os.WriteFile(filepath.Join(web, "index.html"), []byte("<!doctype html><title>Sidenote</title>"), 0o644); err != nil {
		t.Fatal(err)
	}
	ts := newTestServer(t, storetest.SQLiteURL(t), map[string]string{"SIDENOTE_WEB_DIR": web})

	app := ts.raw("", http.MethodGet, "/app/", nil)
	if app.Status != http.StatusOK {
		t.Fatalf("/app/: %d", app.Status)
	}
	checkPageHeaders(t, "/app/", app)
	csp := app.Header.Get("Content-Security-Policy")
	for _, d := range []string{"default-src 'self'", "script-src 'self' 'wasm-unsafe-eval'", "connect-src 'self'"} {
		if !strings.Contains(csp, d) {
			t.Errorf("/app/: CSP %q lacks %s", csp, d)
		}
	}
	noRedirects := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	redirect, err := noRedirects.Get(ts.http.URL + "/app")
	if err != nil {
		t.Fatal(err)
	}
	redirect.Body.Close()
	if redirect.StatusCode != http.StatusMovedPermanently || redirect.Header.Get("X-Frame-Options") != "DENY" {
		t.Errorf("/app: %d, X-Frame-Options %q", redirect.StatusCode, redirect.Header.Get("X-Frame-Options"))
	}

	a := ts.login("a@example.com")
	var sess api.Session
	ts.do(a, http.MethodPost, "/api/v1/sessions", api.CreateSessionRequest{
		Type: api.SessionTelehealth, Consent: &api.Consent{Obtained: true, Method: api.ConsentElectronic},
	}, http.StatusCreated, &sess)
	join := ts.raw("", http.MethodGet, joinPath(t, ts, sess.JoinURL), nil)
	if join.Status != http.StatusOK {
		t.Fatalf("join page: %d", join.Status)
	}
	checkPageHeaders(t, "join page", join)
	checkPageHeaders(t, "join form sent", ts.raw("", http.MethodPost, joinPath(t, ts, sess.JoinURL), joinForm("not an address", "")))
	checkPageHeaders(t, "unknown join code", ts.raw("", http.MethodGet, "/join/not-a-code", nil))
	if csp := join.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "style-src 'self'") {
		t.Errorf("join page: CSP %q does not allow its own stylesheet", csp)
	}

	// The stylesheet the page links to is served, as CSS, from this origin.
	link := regexp.MustCompile(`<link rel="stylesheet" href="([^"]+)">`).FindStringSubmatch(string(join.Body))
	if link == nil {
		t.Fatalf("join page links no stylesheet:\n%s", join.Body)
	}
	css := ts.raw("", http.MethodGet, link[1], nil)
	if css.Status != http.StatusOK || !strings.HasPrefix(css.Header.Get("Content-Type"), "text/css") || !strings.Contains(string(css.Body), "button{") {
		t.Errorf("%s: %d %q %.60s", link[1], css.Status, css.Header.Get("Content-Type"), css.Body)
	}
}

// inlineCode finds what a CSP without 'unsafe-inline' blocks: a <script>
// without src, a <style> element, a style="" attribute or an on*= handler.
var inlineCode = regexp.MustCompile(`(?i)<script(\s[^>]*)?>\s*[^<\s]|<script>|<style[\s>]|\sstyle\s*=|\son[a-z]+\s*=`)

// TestPagesHaveNoInlineCode reads the pages the CSP applies to, as shipped.
func TestPagesHaveNoInlineCode(t *testing.T) {
	pages := []string{"templates/join.html", "../../../wasm/web/index.html", "../../../wasm/web/mic.html"}
	for _, p := range pages {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if m := inlineCode.Find(b); m != nil {
			t.Errorf("%s has inline code %q: the CSP blocks it; move it to a file", p, m)
		}
	}
	for _, sample := range []string{"<script>go()</script>", `<p style="color:red">`, `<button onclick="x()">`, "<style>p{}</style>"} {
		if !inlineCode.MatchString(sample) {
			t.Errorf("the inline-code check misses %q", sample)
		}
	}
	if inlineCode.MatchString(`<script src="boot.js" defer></script>`) {
		t.Error("the inline-code check flags a script file")
	}
}

func TestAPIResponsesAreNeverCached(t *testing.T) {
	ts := newTestServer(t, storetest.SQLiteURL(t))
	a := ts.login("a@example.com")
	for _, res := range []response{
		ts.raw(a, http.MethodGet, "/api/v1/me", nil),
		ts.raw("", http.MethodGet, "/api/v1/me", nil), // 401
		ts.raw(a, http.MethodGet, "/api/v1/sessions?limit=x", nil),
	} {
		if res.Header.Get("Cache-Control") != "no-store" || res.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%d response: Cache-Control %q, X-Content-Type-Options %q", res.Status,
				res.Header.Get("Cache-Control"), res.Header.Get("X-Content-Type-Options"))
		}
	}
}

// TestHSTSOnlyOverTLS: HSTS goes with TLS, or with X-Forwarded-Proto: https
// from a configured proxy; a client cannot ask for it by sending the header.
func TestHSTSOnlyOverTLS(t *testing.T) {
	hsts := func(ts *testServer, header ...string) string {
		t.Helper()
		return ts.raw("", http.MethodGet, "/healthz", nil, header...).Header.Get("Strict-Transport-Security")
	}
	untrusted := newTestServer(t, storetest.SQLiteURL(t), map[string]string{"SIDENOTE_TRUSTED_PROXIES": "10.0.0.0/8", "SIDENOTE_DEV_LOGIN": "0"})
	if got := hsts(untrusted); got != "" {
		t.Errorf("plain HTTP: HSTS %q", got)
	}
	if got := hsts(untrusted, "X-Forwarded-Proto", "https"); got != "" {
		t.Errorf("X-Forwarded-Proto from an untrusted address: HSTS %q", got)
	}

	trusted := newTestServer(t, storetest.SQLiteURL(t), map[string]string{"SIDENOTE_TRUSTED_PROXIES": "127.0.0.1", "SIDENOTE_DEV_LOGIN": "0"})
	if got := hsts(trusted, "X-Forwarded-Proto", "https"); !strings.HasPrefix(got, "max-age=") {
		t.Errorf("X-Forwarded-Proto https from a trusted proxy: HSTS %q", got)
	}
	if got := hsts(trusted, "X-Forwarded-Proto", "http"); got != "" {
		t.Errorf("X-Forwarded-Proto http from a trusted proxy: HSTS %q", got)
	}

	direct := httptest.NewTLSServer(untrusted.srv)
	t.Cleanup(direct.Close)
	res, err := direct.Client().Get(direct.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if got := res.Header.Get("Strict-Transport-Security"); !strings.HasPrefix(got, "max-age=") {
		t.Errorf("direct TLS: HSTS %q", got)
	}
}
