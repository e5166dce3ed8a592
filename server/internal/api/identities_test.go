package api

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/go-jose/go-jose/v4"
	"github.com/oauth2-proxy/mockoidc"

	"github.com/sidenote/sidenote/server/internal/store/storetest"
	"github.com/sidenote/sidenote/shared/api"
)

// throughProvider follows a redirect to the provider and the provider's
// redirect back, and returns the callback's response.
func (b *browser) throughProvider(res *http.Response, body string) (*http.Response, string) {
	b.t.Helper()
	if res.StatusCode != http.StatusFound {
		b.t.Fatalf("start: %d %s", res.StatusCode, body)
	}
	res, body = b.visit(http.MethodGet, res.Header.Get("Location"))
	if res.StatusCode != http.StatusFound {
		b.t.Fatalf("provider: %d %s", res.StatusCode, body)
	}
	return b.visit(http.MethodGet, res.Header.Get("Location"))
}

// postForm posts a form to the Sidenote server from its own page.
func (b *browser) postForm(path string, form url.Values, header ...string) (*http.Response, string) {
	b.t.Helper()
	header = append([]string{"Content-Type", "application/x-www-form-urlencoded", "Origin", "http://" + b.server}, header...)
	return b.visitBody(http.MethodPost, "http://"+b.server+path, form.Encode(), header...)
}

// identities lists the browser's clinician's sign-ins.
func (b *browser) identities() []api.Identity {
	b.t.Helper()
	res, body := b.visit(http.MethodGet, "http://"+b.server+"/api/v1/identities")
	if res.StatusCode != http.StatusOK {
		b.t.Fatalf("identities: %d %s", res.StatusCode, body)
	}
	var page api.Page[api.Identity]
	decodeJSON(b.t, body, &page)
	return page.Items
}

// Linking starts only from a POST with the session's CSRF token, shows what
// will be linked, links only once confirmed (audited), and the identities
// can be listed and unlinked, never the last one.
func TestLinkSecondIdentity(t *testing.T) {
	m := startMockOIDC(t)
	storetest.EachDialect(t, func(t *testing.T, dbURL string) {
		ts := newSignInServer(t, dbURL, m, nil)
		b := newBrowser(t, ts)
		queueUser(m, "work-account", "sam@clinic.example.org")
		b.signIn("/auth/oidc", nil)
		_, sam, csrf := b.me()

		// The old way, a top-level GET any page could navigate to, links
		// nothing; neither does a POST without the token, or from elsewhere.
		queueUser(m, "home-account", "sam@home.example.org")
		if res, body := b.visit(http.MethodGet, ts.http.URL+"/auth/oidc?link=1"); res.StatusCode != http.StatusBadRequest {
			t.Fatalf("GET ?link=1: %d %s", res.StatusCode, body)
		}
		for name, try := range map[string]func() (*http.Response, string){
			"no token": func() (*http.Response, string) { return b.postForm("/auth/oidc/link", nil) },
			"wrong token": func() (*http.Response, string) {
				return b.postForm("/auth/oidc/link", url.Values{"csrf_token": {"forged"}})
			},
			"another origin": func() (*http.Response, string) {
				return b.postForm("/auth/oidc/link", url.Values{"csrf_token": {csrf}}, "Origin", "https://evil.example")
			},
			"signed out": func() (*http.Response, string) {
				return newBrowser(t, ts).postForm("/auth/oidc/link", url.Values{"csrf_token": {csrf}})
			},
		} {
			if res, body := try(); res.StatusCode != http.StatusForbidden && res.StatusCode != http.StatusUnauthorized {
				t.Errorf("link start with %s: %d %s", name, res.StatusCode, body)
			}
		}
		if n := countRows(t, ts.store, "identities"); n != 1 {
			t.Fatalf("%d identities after refused link starts", n)
		}

		// The real thing: the provider, then a page saying what is linked.
		res, body := b.throughProvider(b.postForm("/auth/oidc/link", url.Values{"csrf_token": {csrf}}))
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "sam@home.example.org") || !strings.Contains(body, "sam@clinic.example.org") ||
			!strings.Contains(body, "Practice SSO") || !strings.Contains(body, `action="/auth/oidc/link/confirm"`) {
			t.Fatalf("confirm page: %d %s", res.StatusCode, body)
		}
		if n := countRows(t, ts.store, "identities"); n != 1 {
			t.Fatal("the identity was linked before the clinician confirmed")
		}
		if res, body := b.postForm("/auth/oidc/link/confirm", nil); res.StatusCode != http.StatusForbidden {
			t.Fatalf("confirm without the token: %d %s", res.StatusCode, body)
		}
		// The refused confirmation used up the pending link: start again.
		queueUser(m, "home-account", "sam@home.example.org")
		b.throughProvider(b.postForm("/auth/oidc/link", url.Values{"csrf_token": {csrf}}))
		if res, body := b.postForm("/auth/oidc/link/confirm", url.Values{"csrf_token": {csrf}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("confirm: %d %s", res.StatusCode, body)
		}
		ids := b.identities()
		if len(ids) != 2 || ids[1].Email != "sam@home.example.org" || ids[1].Provider != "oidc" || ids[1].ProviderName != "Practice SSO" {
			t.Fatalf("identities: %+v", ids)
		}
		if n := countRowsWhere(t, ts.store, "audit_events", "action = ? AND clinician_id = ?", "identity.link", sam.ID); n != 1 {
			t.Errorf("%d identity.link events, want 1", n)
		}
		// Both identities now sign in as Sam.
		fresh := newBrowser(t, ts)
		queueUser(m, "home-account", "sam@home.example.org")
		fresh.signIn("/auth/oidc", nil)
		if _, got, _ := fresh.me(); got.ID != sam.ID {
			t.Fatalf("linked identity signs in as %s, want %s", got.ID, sam.ID)
		}

		// An identity of another clinician cannot be linked.
		other := newBrowser(t, ts)
		queueUser(m, "kim", "kim@example.org")
		other.signIn("/auth/oidc", nil)
		_, _, otherCSRF := other.me()
		queueUser(m, "home-account", "sam@home.example.org")
		other.throughProvider(other.postForm("/auth/oidc/link", url.Values{"csrf_token": {otherCSRF}}))
		if res, body := other.postForm("/auth/oidc/link/confirm", url.Values{"csrf_token": {otherCSRF}}); res.StatusCode != http.StatusConflict {
			t.Fatalf("linking another's identity: %d %s", res.StatusCode, body)
		}

		// Unlink one; the last one stays.
		unlink := func(id string) (*http.Response, string) {
			return b.visit(http.MethodDelete, ts.http.URL+"/api/v1/identities/"+id, api.CSRFHeader, csrf, "Origin", ts.http.URL)
		}
		if res, body := unlink(ids[0].ID); res.StatusCode != http.StatusNoContent {
			t.Fatalf("unlink: %d %s", res.StatusCode, body)
		}
		if res, body := unlink(ids[1].ID); res.StatusCode != http.StatusConflict {
			t.Fatalf("unlink the last identity: %d %s", res.StatusCode, body)
		}
		if left := b.identities(); len(left) != 1 || left[0].ID != ids[1].ID {
			t.Fatalf("identities after unlinking: %+v", left)
		}
		if n := countRowsWhere(t, ts.store, "audit_events", "action = ? AND resource_id = ?", "identity.unlink", ids[0].ID); n != 1 {
			t.Errorf("%d identity.unlink events, want 1", n)
		}
	})
}

// A later sign-in brings the provider's new email and name to the
// clinician, audited; so DELETE /me then wants the new email.
func TestSignInRefreshesProfile(t *testing.T) {
	m := startMockOIDC(t)
	storetest.EachDialect(t, func(t *testing.T, dbURL string) {
		ts := newSignInServer(t, dbURL, m, nil)
		b := newBrowser(t, ts)
		m.QueueUser(&mockoidc.MockUser{Subject: "robin-sub", Email: "robin@old.example.org", EmailVerified: true})
		b.signIn("/auth/oidc", nil)
		_, before, _ := b.me()

		m.QueueUser(&mockoidc.MockUser{Subject: "robin-sub", Email: "Robin@New.example.org", EmailVerified: true})
		b.signIn("/auth/oidc", nil)
		_, after, csrf := b.me()
		if after.ID != before.ID || after.Email != "robin@new.example.org" {
			t.Fatalf("after a second sign-in: %+v, was %+v", after, before)
		}
		if ids := b.identities(); len(ids) != 1 || ids[0].Email != "robin@new.example.org" {
			t.Fatalf("identity email not refreshed: %+v", ids)
		}
		var events api.Page[api.AuditEvent]
		_, body := b.visit(http.MethodGet, ts.http.URL+"/api/v1/audit")
		decodeJSON(t, body, &events)
		refreshed := false
		for _, e := range events.Items {
			if e.Action == "clinician.refresh" {
				refreshed = e.ResourceID == after.ID && e.RequestID != "" && strings.Contains(e.Detail, "email") && !strings.Contains(e.Detail, "example.org")
			}
		}
		if !refreshed {
			t.Fatalf("no clinician.refresh event (without the values): %s", body)
		}
		res, body := b.visitBody(http.MethodDelete, ts.http.URL+"/api/v1/me", `{"confirm":"robin@new.example.org"}`,
			"Content-Type", "application/json", api.CSRFHeader, csrf, "Origin", ts.http.URL)
		if res.StatusCode != http.StatusNoContent {
			t.Fatalf("delete with the new email: %d %s", res.StatusCode, body)
		}
	})
}

// startForgingOIDC runs a mock provider whose token endpoint, while forge
// is set, re-signs the ID token with a key the provider never published
// (same key id, same claims): only a signature check can tell.
func startForgingOIDC(t *testing.T, forge *atomic.Bool) *mockoidc.MockOIDC {
	t.Helper()
	m, err := mockoidc.NewServer(nil)
	if err != nil {
		t.Fatal(err)
	}
	otherKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	err = m.AddMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != mockoidc.TokenEndpoint || !forge.Load() {
				next.ServeHTTP(w, r)
				return
			}
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			var tokens map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &tokens); err != nil {
				t.Errorf("token response: %v", err)
				return
			}
			parts := strings.Split(tokens["id_token"].(string), ".")
			header, _ := base64.RawURLEncoding.DecodeString(parts[0])
			payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
			var h struct{ Kid string }
			json.Unmarshal(header, &h)
			signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: otherKey},
				(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", h.Kid))
			if err != nil {
				t.Error(err)
				return
			}
			jws, err := signer.Sign(payload)
			if err != nil {
				t.Error(err)
				return
			}
			if tokens["id_token"], err = jws.CompactSerialize(); err != nil {
				t.Error(err)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(tokens)
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(ln, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Shutdown() })
	return m
}

// ID tokens are verified against the provider's published keys: one signed
// with another key signs nobody in.
func TestOIDCRefusesIDTokenSignedWithAnotherKey(t *testing.T) {
	var forge atomic.Bool
	m := startForgingOIDC(t, &forge)
	storetest.EachDialect(t, func(t *testing.T, dbURL string) {
		ts := newSignInServer(t, dbURL, m, nil)
		// A genuine token first (the key set is fetched and cached).
		queueUser(m, "genuine", "genuine@example.org")
		if res, body := newBrowser(t, ts).signIn("/auth/oidc", nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("genuine sign-in: %d %s", res.StatusCode, body)
		}
		forge.Store(true)
		defer forge.Store(false)
		b := newBrowser(t, ts)
		queueUser(m, "forged", "forged@example.org")
		res, body := b.signIn("/auth/oidc", nil)
		if res.StatusCode != http.StatusBadGateway || !strings.Contains(body, "could not confirm") {
			t.Fatalf("forged ID token: %d %s", res.StatusCode, body)
		}
		if status, _, _ := b.me(); status != http.StatusUnauthorized {
			t.Fatalf("signed in with a forged ID token: %d", status)
		}
		if n := countRowsWhere(t, ts.store, "clinicians", "email = ?", "forged@example.org"); n != 0 {
			t.Fatalf("a clinician was made from a forged ID token")
		}
	})
}
