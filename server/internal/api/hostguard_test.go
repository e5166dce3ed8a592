package api

import (
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/sidenote/sidenote/server/internal/store/storetest"
	"github.com/sidenote/sidenote/shared/api"
)

// concretePath fills a route pattern's parameters with plausible values.
func concretePath(pattern string) string {
	parts := strings.Split(pattern, "/")
	for i, p := range parts {
		switch {
		case p == ":provider":
			parts[i] = "oidc"
		case strings.HasPrefix(p, ":"):
			parts[i] = uuid.NewString()
		case strings.HasPrefix(p, "*"):
			parts[i] = "index.html"
		}
	}
	return strings.Join(parts, "/")
}

// A page on a rebinding domain (attacker.example resolving to 127.0.0.1)
// reaches the server with its own name in Host: every route refuses it
// with 421, JSON under /api, before doing anything, even with a valid token.
func TestRebindingHostRefusedOnEveryRoute(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, dbURL string) {
		ts := newTestServer(t, dbURL)
		token := ts.login("a@example.org")
		_, p, err := net.SplitHostPort(ts.http.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		port := ":" + p
		clinicians := countRows(t, ts.store, "clinicians")

		routes := ts.srv.Routes()
		if len(routes) < 40 {
			t.Fatalf("only %d routes registered", len(routes))
		}
		paths := []string{"/no/such/page"}
		methods := []string{http.MethodGet}
		for _, r := range routes {
			paths = append(paths, concretePath(r.Path))
			methods = append(methods, r.Method)
		}
		for _, host := range []string{"attacker.example" + port, "attacker.example", "127.0.0.1.attacker.example" + port, "localhost.attacker.example", "10.0.0.7" + port} {
			for i, path := range paths {
				var body any
				if methods[i] != http.MethodGet && methods[i] != http.MethodHead {
					body = `{"email":"a@example.org","name":"Rebound"}`
				}
				res := ts.raw(token, methods[i], path, body, "Host", host, "X-Request-ID", "rebind-1")
				if res.Status != http.StatusMisdirectedRequest {
					t.Errorf("%s %s with Host %q: %d, want 421", methods[i], path, host, res.Status)
					continue
				}
				if methods[i] == http.MethodHead {
					continue
				}
				if strings.HasPrefix(path, "/api/") {
					if res.Error().Code != api.CodeMisdirected {
						t.Errorf("%s %s with Host %q: body %s, want code %s", methods[i], path, host, res.Body, api.CodeMisdirected)
					}
				} else if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") || !strings.Contains(string(res.Body), "SIDENOTE_PUBLIC_URL") {
					t.Errorf("%s %s with Host %q: %s %q, want the short page", methods[i], path, host, ct, res.Body)
				}
			}
		}
		if n := countRows(t, ts.store, "clinicians"); n != clinicians {
			t.Errorf("dev login through a rebinding host made a clinician: %d, was %d", n, clinicians)
		}
		if n := countRowsWhere(t, ts.store, "audit_events", "request_id = ?", "rebind-1"); n != 0 {
			t.Errorf("refused requests wrote %d audit events", n)
		}

		// The loopback names, with or without a port, and the public host.
		public, _ := url.Parse(ts.cfg.PublicURL)
		for _, host := range []string{"127.0.0.1" + port, "localhost" + port, "LOCALHOST", "[::1]" + port, "[::1]", public.Host} {
			if res := ts.raw(token, http.MethodGet, "/api/v1/me", nil, "Host", host); res.Status != http.StatusOK {
				t.Errorf("GET /api/v1/me with Host %q: %d %s", host, res.Status, res.Body)
			}
		}
	})
}

// Behind a proxy the configured public host is served, and no other name.
func TestPublicHostServed(t *testing.T) {
	ts := newTestServer(t, storetest.SQLiteURL(t), map[string]string{
		"SIDENOTE_DEV_LOGIN": "0", "SIDENOTE_PUBLIC_URL": "https://Sidenote.Example.org",
	})
	for host, want := range map[string]int{
		"sidenote.example.org":      http.StatusOK,
		"sidenote.example.org:443":  http.StatusOK,
		"SIDENOTE.example.org":      http.StatusOK,
		"127.0.0.1":                 http.StatusOK,
		"example.org":               http.StatusMisdirectedRequest,
		"sidenote.example.org.evil": http.StatusMisdirectedRequest,
		"evil.sidenote.example.org": http.StatusMisdirectedRequest,
	} {
		if res := ts.raw("", http.MethodGet, "/auth/providers", nil, "Host", host); res.Status != want {
			t.Errorf("Host %q: %d, want %d", host, res.Status, want)
		}
	}
}
