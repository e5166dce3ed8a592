package api

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sidenote/sidenote/server/internal/store"
	"github.com/sidenote/sidenote/server/internal/store/storetest"
	"github.com/sidenote/sidenote/shared/api"
)

func TestBrowserSessionCSRF(t *testing.T) {
	m := startMockOIDC(t)
	storetest.EachDialect(t, func(t *testing.T, dbURL string) {
		ts := newSignInServer(t, dbURL, m, nil)
		b := newBrowser(t, ts)
		queueUser(m, "csrf-user", "csrf@example.org")
		b.signIn("/auth/oidc", nil)
		status, _, csrf := b.me()
		if status != http.StatusOK || csrf == "" {
			t.Fatalf("me: %d, csrf %q", status, csrf)
		}
		other := newBrowser(t, ts)
		queueUser(m, "csrf-other", "other@example.org")
		other.signIn("/auth/oidc", nil)
		_, _, otherCSRF := other.me()

		create := func(header ...string) (*http.Response, string) {
			req := append([]string{"Content-Type", "application/json"}, header...)
			return b.visitBody(http.MethodPost, ts.http.URL+"/api/v1/clients", `{"display_name":"Pat","kind":"individual"}`, req...)
		}
		refused := []struct {
			name   string
			header []string
		}{
			{"no CSRF token", nil},
			{"wrong CSRF token", []string{api.CSRFHeader, "not-the-token"}},
			{"another session's CSRF token", []string{api.CSRFHeader, otherCSRF}},
			{"foreign Origin", []string{api.CSRFHeader, csrf, "Origin", "https://evil.example"}},
			{"cross-site fetch", []string{api.CSRFHeader, csrf, "Sec-Fetch-Site", "cross-site"}},
		}
		for _, tc := range refused {
			res, body := create(tc.header...)
			if res.StatusCode != http.StatusForbidden || !strings.Contains(body, api.CodeForbidden) {
				t.Errorf("%s: %d %s", tc.name, res.StatusCode, body)
			}
		}
		if n := countRows(t, ts.store, "clients"); n != 0 {
			t.Fatalf("refused writes created %d clients", n)
		}
		res, body := create(api.CSRFHeader, csrf, "Origin", ts.http.URL, "Sec-Fetch-Site", "same-origin")
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("write with the CSRF token: %d %s", res.StatusCode, body)
		}

		// A bearer token needs no CSRF token; a session token is no bearer
		// token, and an API token is no session cookie.
		bearer, _, err := ts.store.CreateToken(storetest.As(context.Background(), clinicianOf(t, ts, b)), clinicianOf(t, ts, b), store.TokenExtension, "test", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		ts.do(bearer, http.MethodPost, "/api/v1/clients", api.CreateClientRequest{DisplayName: "Lee", Kind: api.ClientIndividual}, http.StatusCreated, nil)
		sessionToken := b.cookies[sessionCookie].Value
		if res := ts.raw(sessionToken, http.MethodGet, "/api/v1/me", nil); res.Status != http.StatusUnauthorized {
			t.Errorf("session token as bearer: %d", res.Status)
		}
		if res := ts.raw("", http.MethodGet, "/api/v1/me", nil, "Cookie", sessionCookie+"="+bearer); res.Status != http.StatusUnauthorized {
			t.Errorf("API token as session cookie: %d", res.Status)
		}

		// Sign-out needs the CSRF token too, then really ends the session.
		res, body = b.visitBody(http.MethodPost, ts.http.URL+"/auth/logout", "")
		if res.StatusCode != http.StatusForbidden {
			t.Fatalf("logout without CSRF token: %d %s", res.StatusCode, body)
		}
		res, body = b.visitBody(http.MethodPost, ts.http.URL+"/auth/logout", "", api.CSRFHeader, csrf)
		if res.StatusCode != http.StatusNoContent {
			t.Fatalf("logout: %d %s", res.StatusCode, body)
		}
		if _, ok := b.cookies[sessionCookie]; ok {
			t.Error("logout left the session cookie")
		}
		res2 := ts.raw("", http.MethodGet, "/api/v1/me", nil, "Cookie", sessionCookie+"="+sessionToken)
		if res2.Status != http.StatusUnauthorized || res2.Error().Code != api.CodeUnauthenticated {
			t.Fatalf("the old session cookie after logout: %d %s", res2.Status, res2.Body)
		}
		// The other browser is still signed in.
		if status, _, _ := other.me(); status != http.StatusOK {
			t.Fatalf("logout ended another browser's session: %d", status)
		}
	})
}

// clinicianOf returns the id of the clinician signed in on b.
func clinicianOf(t *testing.T, ts *testServer, b *browser) string {
	t.Helper()
	status, me, _ := b.me()
	if status != http.StatusOK {
		t.Fatalf("me: %d", status)
	}
	return me.ID
}

func TestBrowserSessionExpires(t *testing.T) {
	m := startMockOIDC(t)
	ts := newSignInServer(t, storetest.SQLiteURL(t), m, map[string]string{"SIDENOTE_SESSION_TTL": "2h"})
	b := newBrowser(t, ts)
	queueUser(m, "expiring", "exp@example.org")
	b.signIn("/auth/oidc", nil)
	var tok store.APIToken
	if err := ts.store.DB().Where("kind = ?", store.TokenBrowser).Take(&tok).Error; err != nil {
		t.Fatal(err)
	}
	if got := tok.ExpiresAt.Sub(tok.CreatedAt); got != 2*time.Hour {
		t.Fatalf("session lifetime %v, want 2h (SIDENOTE_SESSION_TTL)", got)
	}
	setTokenTimes(t, ts.store, tok.ID, time.Now().Add(-3*time.Hour), time.Now().Add(-time.Second))
	if status, _, _ := b.me(); status != http.StatusUnauthorized {
		t.Fatalf("expired session: %d", status)
	}
}

// setTokenTimes moves a token's last use and expiry.
func setTokenTimes(t testing.TB, st *store.Store, id string, lastUsed, expires time.Time) {
	t.Helper()
	err := st.DB().Model(&store.APIToken{}).Where("id = ?", id).
		Updates(map[string]any{"last_used_at": lastUsed.UTC(), "expires_at": expires.UTC()}).Error
	if err != nil {
		t.Fatal(err)
	}
	st.ForgetCachedTokens()
}

func TestTokensListExpireRevoke(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, dbURL string) {
		ts := newTestServer(t, dbURL)
		a1, a2 := ts.login("a@example.org"), ts.login("a@example.org")
		b := ts.login("b@example.org")

		var page api.Page[api.Token]
		res := ts.do(a1, http.MethodGet, "/api/v1/tokens", nil, http.StatusOK, &page)
		if len(page.Items) != 2 || strings.Contains(string(res.Body), "sn_") || strings.Contains(string(res.Body), "hash") {
			t.Fatalf("tokens = %s", res.Body)
		}
		var current, second api.Token
		for _, tok := range page.Items {
			if tok.Current {
				current = tok
			} else {
				second = tok
			}
		}
		if current.ID == "" || second.ID == "" {
			t.Fatalf("no current token marked: %s", res.Body)
		}

		// Sliding expiry: a use pushes the expiry to TTL from now.
		setTokenTimes(t, ts.store, second.ID, time.Now().Add(-time.Hour), time.Now().Add(time.Minute))
		ts.do(a2, http.MethodGet, "/api/v1/me", nil, http.StatusOK, nil)
		var slid store.APIToken
		ts.store.DB().Where("id = ?", second.ID).Take(&slid)
		if left := time.Until(slid.ExpiresAt); left < ts.cfg.TokenTTL-time.Minute {
			t.Fatalf("after use the token expires in %v, want about %v", left, ts.cfg.TokenTTL)
		}
		// Expired: 401 at once.
		setTokenTimes(t, ts.store, second.ID, time.Now().Add(-time.Hour), time.Now().Add(-time.Second))
		if res := ts.raw(a2, http.MethodGet, "/api/v1/me", nil); res.Status != http.StatusUnauthorized || res.Error().Code != api.CodeUnauthenticated {
			t.Fatalf("expired token: %d %s", res.Status, res.Body)
		}

		// Another clinician cannot revoke A's token.
		if res := ts.raw(b, http.MethodDelete, "/api/v1/tokens/"+current.ID, nil); res.Status != http.StatusNotFound {
			t.Fatalf("B revoking A's token: %d %s", res.Status, res.Body)
		}
		ts.do(a1, http.MethodGet, "/api/v1/me", nil, http.StatusOK, nil)

		// Revoking the current token ends it at once.
		ts.do(a1, http.MethodDelete, "/api/v1/tokens/"+current.ID, nil, http.StatusNoContent, nil)
		if res := ts.raw(a1, http.MethodGet, "/api/v1/me", nil); res.Status != http.StatusUnauthorized || res.Error().Code != api.CodeUnauthenticated {
			t.Fatalf("revoked token: %d %s", res.Status, res.Body)
		}
		// The revocation is audited; B's token is untouched.
		var events []struct{ Action, ResourceID string }
		ts.store.DB().Table("audit_events").Select("action, resource_id").Where("action <> ?", "sign_in").Find(&events)
		if len(events) != 1 || events[0].Action != "token.revoke" || events[0].ResourceID != current.ID {
			t.Fatalf("audit events = %+v", events)
		}
		ts.do(b, http.MethodGet, "/api/v1/me", nil, http.StatusOK, nil)

		// A bearer token can also sign itself out.
		b2 := ts.login("b@example.org")
		if res := ts.raw(b2, http.MethodPost, "/auth/logout", nil); res.Status != http.StatusNoContent {
			t.Fatalf("bearer logout: %d %s", res.Status, res.Body)
		}
		if res := ts.raw(b2, http.MethodGet, "/api/v1/me", nil); res.Status != http.StatusUnauthorized {
			t.Fatalf("token after logout: %d", res.Status)
		}
	})
}
