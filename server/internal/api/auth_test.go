package api

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/oauth2-proxy/mockoidc"

	"github.com/sidenote/sidenote/server/internal/store"
	"github.com/sidenote/sidenote/server/internal/store/storetest"
	"github.com/sidenote/sidenote/shared/api"
)

// testExtensionID is a well-formed Chrome extension id allowed by the
// sign-in tests.
const testExtensionID = "abcdefghijklmnopabcdefghijklmnop"

// startMockOIDC runs an in-process OpenID Connect provider for the test.
func startMockOIDC(t testing.TB) *mockoidc.MockOIDC {
	t.Helper()
	m, err := mockoidc.Run()
	if err != nil {
		t.Fatalf("start mock OIDC provider: %v", err)
	}
	t.Cleanup(func() { m.Shutdown() })
	return m
}

// newSignInServer starts a test server whose public URL is its real
// address (the provider redirects back there), with generic OIDC against m.
func newSignInServer(t testing.TB, databaseURL string, m *mockoidc.MockOIDC, env map[string]string) *testServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{
		"SIDENOTE_PUBLIC_URL":         "http://" + ln.Addr().String(),
		"SIDENOTE_OIDC_ISSUER_URL":    m.Issuer(),
		"SIDENOTE_OIDC_CLIENT_ID":     m.Config().ClientID,
		"SIDENOTE_OIDC_CLIENT_SECRET": m.Config().ClientSecret,
		"SIDENOTE_OIDC_NAME":          "Practice SSO",
		"SIDENOTE_EXTENSION_IDS":      testExtensionID,
		"SIDENOTE_SESSION_SECRET":     "test-secret-0123456789-0123456789-0123456789",
		"SIDENOTE_TRUSTED_PROXIES":    "127.0.0.1",
		"SIDENOTE_DEV_LOGIN":          "0", // refused behind a proxy
		"SIDENOTE_AUTH_RATE_LIMIT":    "0",
		"SIDENOTE_API_RATE_LIMIT":     "0",
	}
	for k, v := range env {
		vars[k] = v
	}
	cfg := testConfig(t, databaseURL, vars)
	st := storetest.MustOpen(t, cfg.DatabaseURL)
	logs := &logBuffer{}
	srv := New(cfg, st, slog.New(slog.NewJSONHandler(logs, nil)))
	hs := httptest.NewUnstartedServer(srv)
	hs.Listener.Close()
	hs.Listener = ln
	hs.Start()
	t.Cleanup(hs.Close)
	return &testServer{t: t, cfg: cfg, store: st, srv: srv, http: hs, logs: logs}
}

// browser is a person's browser, step by step: it never follows redirects
// by itself and keeps the server's cookies even when Secure (the test
// server speaks plain HTTP behind a pretend TLS proxy).
type browser struct {
	t       testing.TB
	server  string // host of the Sidenote server
	cookies map[string]*http.Cookie
	header  http.Header // extra headers sent to the Sidenote server
}

func newBrowser(t testing.TB, ts *testServer) *browser {
	u, _ := url.Parse(ts.http.URL)
	return &browser{t: t, server: u.Host, cookies: map[string]*http.Cookie{}, header: http.Header{}}
}

// visit sends one request and returns the response with its body read.
func (b *browser) visit(method, rawURL string, header ...string) (*http.Response, string) {
	b.t.Helper()
	return b.visitBody(method, rawURL, "", header...)
}

// visitBody is visit with a request body.
func (b *browser) visitBody(method, rawURL, body string, header ...string) (*http.Response, string) {
	b.t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, rawURL, strings.NewReader(body))
	if err != nil {
		b.t.Fatal(err)
	}
	toServer := req.URL.Host == b.server
	if toServer {
		for _, c := range b.cookies {
			req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
		}
		for k, vs := range b.header {
			req.Header[k] = vs
		}
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	if toServer {
		for _, c := range res.Cookies() {
			if c.MaxAge < 0 {
				delete(b.cookies, c.Name)
			} else {
				b.cookies[c.Name] = c
			}
		}
	}
	return res, string(data)
}

// signIn goes through the whole code flow starting at start (a path on the
// Sidenote server) and returns the callback's response. tamper may change
// the callback URL the provider sends the browser to.
func (b *browser) signIn(start string, tamper func(*url.URL)) (*http.Response, string) {
	b.t.Helper()
	res, body := b.visit(http.MethodGet, "http://"+b.server+start)
	if res.StatusCode != http.StatusFound {
		b.t.Fatalf("GET %s: %d %s", start, res.StatusCode, body)
	}
	res, body = b.visit(http.MethodGet, res.Header.Get("Location")) // the provider
	if res.StatusCode != http.StatusFound {
		b.t.Fatalf("provider: %d %s", res.StatusCode, body)
	}
	callback, err := url.Parse(res.Header.Get("Location"))
	if err != nil || callback.Host != b.server || callback.Path != "/auth/oidc/callback" {
		b.t.Fatalf("provider redirected to %q", res.Header.Get("Location"))
	}
	if tamper != nil {
		tamper(callback)
	}
	return b.visit(http.MethodGet, callback.String())
}

// me fetches /api/v1/me with the browser's cookies.
func (b *browser) me() (int, api.Clinician, string) {
	b.t.Helper()
	res, body := b.visit(http.MethodGet, "http://"+b.server+"/api/v1/me")
	var c api.Clinician
	if res.StatusCode == http.StatusOK {
		decodeJSON(b.t, body, &c)
	}
	return res.StatusCode, c, res.Header.Get(api.CSRFHeader)
}

func queueUser(m *mockoidc.MockOIDC, subject, email string) {
	m.QueueUser(&mockoidc.MockUser{Subject: subject, Email: email, EmailVerified: true})
}

func countRows(t testing.TB, st *store.Store, table string) int64 {
	t.Helper()
	var n int64
	if err := st.DB().Table(table).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestOIDCSignInFlow(t *testing.T) {
	m := startMockOIDC(t)
	storetest.EachDialect(t, func(t *testing.T, dbURL string) {
		ts := newSignInServer(t, dbURL, m, nil)

		var providers []api.AuthProvider
		ts.do("", http.MethodGet, "/auth/providers", nil, http.StatusOK, &providers)
		if len(providers) != 1 || providers[0].ID != "oidc" || providers[0].Name != "Practice SSO" {
			t.Fatalf("providers = %+v", providers)
		}

		alice := newBrowser(t, ts)
		queueUser(m, "alice-sub", "Alice@Example.org")
		res, body := alice.signIn("/auth/oidc", nil)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/app/" {
			t.Fatalf("callback: %d %s %s", res.StatusCode, res.Header.Get("Location"), body)
		}
		if _, ok := alice.cookies[flowCookie]; ok {
			t.Error("the sign-in state cookie outlived its callback")
		}
		status, me, csrf := alice.me()
		if status != http.StatusOK || me.Email != "alice@example.org" || csrf == "" {
			t.Fatalf("me with the session cookie: %d %+v csrf %q", status, me, csrf)
		}

		// Signing in again with the same identity finds the same clinician.
		again := newBrowser(t, ts)
		queueUser(m, "alice-sub", "alice@example.org")
		again.signIn("/auth/oidc", nil)
		if _, me2, _ := again.me(); me2.ID != me.ID {
			t.Fatalf("second sign-in: clinician %s, want %s", me2.ID, me.ID)
		}
		// Another subject with the same email is another clinician: no
		// merging by email.
		other := newBrowser(t, ts)
		queueUser(m, "mallory-sub", "alice@example.org")
		other.signIn("/auth/oidc", nil)
		if _, me3, _ := other.me(); me3.ID == "" || me3.ID == me.ID {
			t.Fatalf("a different subject with the same email got clinician %q (alice is %s)", me3.ID, me.ID)
		}
		if n := countRows(t, ts.store, "clinicians"); n != 2 {
			t.Fatalf("%d clinicians, want 2", n)
		}

		// The sign-in is in the clinician's audit log.
		var events api.Page[api.AuditEvent]
		_, body = alice.visit(http.MethodGet, ts.http.URL+"/api/v1/audit")
		decodeJSON(t, body, &events)
		if len(events.Items) != 2 || events.Items[0].Action != "sign_in" || events.Items[0].ClientIP == "" || events.Items[0].RequestID == "" {
			t.Fatalf("audit = %s", body)
		}
	})
}

func TestOIDCSignInRefusesTamperedState(t *testing.T) {
	m := startMockOIDC(t)
	ts := newSignInServer(t, storetest.SQLiteURL(t), m, nil)
	cases := map[string]func(b *browser, u *url.URL){
		"state changed": func(b *browser, u *url.URL) {
			q := u.Query()
			q.Set("state", q.Get("state")+"x")
			u.RawQuery = q.Encode()
		},
		"state missing": func(b *browser, u *url.URL) {
			q := u.Query()
			q.Del("state")
			u.RawQuery = q.Encode()
		},
		"state cookie tampered": func(b *browser, u *url.URL) {
			c := b.cookies[flowCookie]
			c.Value = c.Value[:len(c.Value)-2] + "AA"
		},
		"state cookie missing (callback in another browser)": func(b *browser, u *url.URL) {
			delete(b.cookies, flowCookie)
		},
		"state cookie from another sign-in": func(b *browser, u *url.URL) {
			first := b.cookies[flowCookie].Value
			res, _ := b.visit(http.MethodGet, ts.http.URL+"/auth/oidc") // a second sign-in replaces the cookie
			if res.StatusCode != http.StatusFound || b.cookies[flowCookie].Value == first {
				t.Fatal("second sign-in did not set its own state")
			}
		},
	}
	for name, tamper := range cases {
		t.Run(name, func(t *testing.T) {
			b := newBrowser(t, ts)
			b.t = t
			queueUser(m, "eve-"+name, "eve@example.org")
			res, body := b.signIn("/auth/oidc", func(u *url.URL) { tamper(b, u) })
			if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Please start again") {
				t.Fatalf("callback: %d %s", res.StatusCode, body)
			}
			if _, ok := b.cookies[sessionCookie]; ok {
				t.Fatal("a session cookie was set")
			}
			if n := countRows(t, ts.store, "clinicians"); n != 0 {
				t.Fatalf("%d clinicians created", n)
			}
		})
	}
	t.Run("provider error", func(t *testing.T) {
		b := newBrowser(t, ts)
		res, body := b.signIn("/auth/oidc", func(u *url.URL) {
			q := u.Query()
			q.Del("code")
			q.Set("error", "access_denied")
			u.RawQuery = q.Encode()
		})
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "cancelled") {
			t.Fatalf("callback: %d %s", res.StatusCode, body)
		}
	})
	t.Run("provider fails at the token exchange", func(t *testing.T) {
		b := newBrowser(t, ts)
		queueUser(m, "unlucky", "unlucky@example.org")
		res, body := b.signIn("/auth/oidc", func(*url.URL) {
			// Twice: oauth2 retries with the client secret in the body.
			for range 2 {
				m.QueueError(&mockoidc.ServerError{Code: http.StatusBadRequest, Error: "invalid_grant", Description: "no"})
			}
		})
		if res.StatusCode != http.StatusBadGateway || !strings.Contains(body, "could not confirm") {
			t.Fatalf("callback: %d %s", res.StatusCode, body)
		}
		logs := ts.logs.String()
		if !strings.Contains(logs, "sign-in failed at the identity provider") || !strings.Contains(logs, `"oauth_error":"invalid_grant"`) || strings.Contains(logs, "unlucky") {
			t.Fatalf("logs: %s", logs)
		}
	})
	t.Run("code replayed", func(t *testing.T) {
		b := newBrowser(t, ts)
		var replay string
		queueUser(m, "replay-sub", "r@example.org")
		b.signIn("/auth/oidc", func(u *url.URL) { replay = u.String() })
		res, body := b.visit(http.MethodGet, replay)
		if res.StatusCode != http.StatusBadRequest {
			t.Fatalf("replayed callback: %d %s", res.StatusCode, body)
		}
	})
	t.Run("unknown provider", func(t *testing.T) {
		res := ts.raw("", http.MethodGet, "/auth/github", nil)
		if res.Status != http.StatusNotFound || !strings.Contains(string(res.Body), "not set up") {
			t.Fatalf("unknown provider: %d %s", res.Status, res.Body)
		}
	})
}

func TestSignInCookieFlags(t *testing.T) {
	m := startMockOIDC(t)
	cases := []struct {
		name       string
		env        map[string]string
		header     []string
		wantName   string
		wantSecure bool
	}{
		{"plain HTTP", nil, nil, "sidenote_session", false},
		{"behind a trusted TLS proxy", nil, []string{"X-Forwarded-Proto", "https"}, "__Host-sidenote_session", true},
		{"untrusted proxy header", map[string]string{"SIDENOTE_TRUSTED_PROXIES": ""}, []string{"X-Forwarded-Proto", "https"}, "sidenote_session", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ts := newSignInServer(t, storetest.SQLiteURL(t), m, tc.env)
			b := newBrowser(t, ts)
			for i := 0; i+1 < len(tc.header); i += 2 {
				b.header.Set(tc.header[i], tc.header[i+1])
			}
			queueUser(m, "flags", "flags@example.org")
			res, body := b.signIn("/auth/oidc", nil)
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("callback: %d %s", res.StatusCode, body)
			}
			var session *http.Cookie
			for _, c := range res.Cookies() {
				if c.Name == tc.wantName {
					session = c
				}
			}
			if session == nil {
				t.Fatalf("no %s cookie in %q", tc.wantName, res.Header.Values("Set-Cookie"))
			}
			if !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.Path != "/" || session.Secure != tc.wantSecure || session.Domain != "" {
				t.Fatalf("cookie %+v: want HttpOnly, SameSite=Lax, Path=/, no Domain, Secure=%v", session, tc.wantSecure)
			}
			if !strings.HasPrefix(session.Value, "sn_") {
				t.Fatal("session cookie holds no session token")
			}
			// The database keeps only a hash of it.
			var stored int64
			ts.store.DB().Table("api_tokens").Where("token_hash = ? AND kind = ?", store.HashToken(session.Value), store.TokenBrowser).Count(&stored)
			if stored != 1 || countRowsWhere(t, ts.store, "api_tokens", "token_hash = ?", session.Value) != 0 {
				t.Fatal("the session token is not stored hashed")
			}
		})
	}
}

func countRowsWhere(t testing.TB, st *store.Store, table, where string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := st.DB().Table(table).Where(where, args...).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestExtensionSignIn(t *testing.T) {
	m := startMockOIDC(t)
	storetest.EachDialect(t, func(t *testing.T, dbURL string) {
		ts := newSignInServer(t, dbURL, m, nil)
		redirect := "https://" + testExtensionID + ".chromiumapp.org/signed-in"
		b := newBrowser(t, ts)
		queueUser(m, "ext-user", "ext@example.org")
		res, body := b.signIn("/auth/oidc?redirect_uri="+url.QueryEscape(redirect), nil)
		if res.StatusCode != http.StatusFound {
			t.Fatalf("callback: %d %s", res.StatusCode, body)
		}
		loc, err := url.Parse(res.Header.Get("Location"))
		if err != nil || loc.Scheme+"://"+loc.Host+loc.Path != redirect || loc.RawQuery != "" {
			t.Fatalf("redirected to %q, want %s#token=...", res.Header.Get("Location"), redirect)
		}
		frag, _ := url.ParseQuery(loc.Fragment)
		token := frag.Get("token")
		if !strings.HasPrefix(token, "sn_") {
			t.Fatalf("no token in the fragment %q", loc.Fragment)
		}
		if _, ok := b.cookies[sessionCookie]; ok {
			t.Error("the extension sign-in also signed the browser in")
		}
		var me api.Clinician
		ts.do(token, http.MethodGet, "/api/v1/me", nil, http.StatusOK, &me)
		if me.Email != "ext@example.org" {
			t.Fatalf("me = %+v", me)
		}
		var tokens api.Page[api.Token]
		ts.do(token, http.MethodGet, "/api/v1/tokens", nil, http.StatusOK, &tokens)
		if len(tokens.Items) != 1 || tokens.Items[0].Kind != store.TokenExtension || !tokens.Items[0].Current {
			t.Fatalf("tokens = %+v", tokens.Items)
		}
		if got := tokens.Items[0].ExpiresAt.Sub(tokens.Items[0].CreatedAt); got != ts.cfg.TokenTTL {
			t.Fatalf("token lifetime %v, want %v", got, ts.cfg.TokenTTL)
		}
	})
}

func TestExtensionSignInRefusesOtherRedirects(t *testing.T) {
	m := startMockOIDC(t)
	ts := newSignInServer(t, storetest.SQLiteURL(t), m, nil)
	otherID := "ponmlkjihgfedcbaponmlkjihgfedcba"
	for _, redirect := range []string{
		"https://" + otherID + ".chromiumapp.org/",
		"http://" + testExtensionID + ".chromiumapp.org/",
		"https://" + testExtensionID + ".chromiumapp.org.evil.example/",
		"https://evil.example/" + testExtensionID + ".chromiumapp.org/",
		"https://x@" + testExtensionID + ".chromiumapp.org/",
		"https://" + testExtensionID + ".chromiumapp.org:8443/",
		"https://" + testExtensionID + ".chromiumapp.org/#token=planted",
		"chrome-extension://" + testExtensionID + "/",
		"//" + testExtensionID + ".chromiumapp.org/",
		"javascript:alert(1)",
	} {
		res, body := newBrowser(t, ts).visit(http.MethodGet, ts.http.URL+"/auth/oidc?redirect_uri="+url.QueryEscape(redirect))
		if res.StatusCode != http.StatusBadRequest || res.Header.Get("Location") != "" ||
			!strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") || !strings.Contains(body, "Sign-in refused") {
			t.Errorf("redirect_uri %q: %d Location %q\n%s", redirect, res.StatusCode, res.Header.Get("Location"), body)
		}
		if len(res.Cookies()) != 0 {
			t.Errorf("redirect_uri %q: set cookies %v", redirect, res.Cookies())
		}
	}
}

func decodeJSON(t testing.TB, body string, out any) {
	t.Helper()
	if err := json.Unmarshal([]byte(body), out); err != nil {
		t.Fatalf("decode %T: %v; body %s", out, err, body)
	}
}
