package auth

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/sidenote/sidenote/server/internal/config"
)

func TestLoadKeysKeepsAGeneratedSecret(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	k1, err := LoadKeys("", dir)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(filepath.Join(dir, keyFile))
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, want 0600", info.Mode().Perm())
	}
	k2, err := LoadKeys("", dir)
	if err != nil {
		t.Fatal(err)
	}
	if k1.CSRFToken("s") != k2.CSRFToken("s") {
		t.Fatal("a restart changed the keys")
	}
	other, _ := LoadKeys("", t.TempDir())
	if other.CSRFToken("s") == k1.CSRFToken("s") {
		t.Fatal("two data directories share keys")
	}
	configured, err := LoadKeys(strings.Repeat("k", 40), dir)
	if err != nil || configured.CSRFToken("s") == k1.CSRFToken("s") {
		t.Fatalf("a configured secret is not used: %v", err)
	}
	if _, err := LoadKeys("short", dir); err == nil {
		t.Fatal("a short secret was accepted")
	}
	os.WriteFile(filepath.Join(dir, keyFile), []byte("tiny\n"), 0o600)
	if _, err := LoadKeys("", dir); err == nil {
		t.Fatal("a truncated key file was accepted")
	}
}

func TestCSRFTokenIsBoundToTheSession(t *testing.T) {
	k, _ := DeriveKeys([]byte(strings.Repeat("x", 32)))
	tok := k.CSRFToken("session-1")
	switch {
	case !k.ValidCSRFToken("session-1", tok):
		t.Fatal("the session's own token is refused")
	case k.ValidCSRFToken("session-2", tok):
		t.Fatal("a token is accepted for another session")
	case k.ValidCSRFToken("session-1", ""):
		t.Fatal("an empty token is accepted")
	}
	other, _ := DeriveKeys([]byte(strings.Repeat("y", 32)))
	if other.ValidCSRFToken("session-1", tok) {
		t.Fatal("a token is accepted under another secret")
	}
}

func TestFlowCodec(t *testing.T) {
	k, _ := DeriveKeys([]byte(strings.Repeat("x", 32)))
	c := NewFlowCodec(k)
	f := &Flow{Provider: "oidc", State: "st", Verifier: "secret-verifier", Purpose: ForExtension, RedirectURI: "https://x.chromiumapp.org/"}
	sealed, err := c.Seal("sidenote_signin", f)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(sealed, "secret-verifier") {
		t.Fatal("the sealed flow shows the PKCE verifier")
	}
	got, err := c.Open("sidenote_signin", sealed)
	if err != nil || *got != *f {
		t.Fatalf("open = %+v, %v", got, err)
	}
	if _, err := c.Open("__Host-sidenote_signin", sealed); err == nil {
		t.Fatal("a flow sealed for one cookie name opened under another")
	}
	if _, err := c.Open("sidenote_signin", sealed[:len(sealed)-4]+"AAAA"); err == nil {
		t.Fatal("a tampered flow opened")
	}
	otherKeys, _ := DeriveKeys([]byte(strings.Repeat("y", 32)))
	if _, err := NewFlowCodec(otherKeys).Open("sidenote_signin", sealed); err == nil {
		t.Fatal("a flow opened under another secret")
	}
	if !got.StateMatches("st") || got.StateMatches("st2") || got.StateMatches("") {
		t.Fatal("StateMatches is wrong")
	}
}

func TestProvidersByConfiguration(t *testing.T) {
	if ps := NewProviders(config.Auth{}, "https://sidenote.example.org", nil); len(ps.List()) != 0 {
		t.Fatalf("providers without configuration: %d", len(ps.List()))
	}
	ps := NewProviders(config.Auth{
		Google:    config.OAuthClient{ClientID: "g-id", ClientSecret: "g-secret"},
		Microsoft: config.OAuthClient{ClientID: "m-id", ClientSecret: "m-secret", Tenant: "contoso.example"},
	}, "https://sidenote.example.org", nil)
	if len(ps.List()) != 2 {
		t.Fatalf("%d providers, want google and microsoft", len(ps.List()))
	}
	for _, tc := range []struct{ id, host, client, tenant string }{
		{"google", "accounts.google.com", "g-id", ""},
		{"microsoft", "login.microsoftonline.com", "m-id", "/contoso.example/"},
	} {
		p, ok := ps.Get(tc.id)
		if !ok {
			t.Fatalf("no provider %s", tc.id)
		}
		authURL, f, err := p.Begin()
		if err != nil {
			t.Fatal(err)
		}
		u, _ := url.Parse(authURL)
		q := u.Query()
		if u.Host != tc.host || !strings.Contains(u.Path, tc.tenant) || q.Get("client_id") != tc.client ||
			q.Get("state") != f.State || len(f.State) < 40 ||
			q.Get("redirect_uri") != "https://sidenote.example.org/auth/"+tc.id+"/callback" {
			t.Errorf("%s: auth URL %s (state %q)", tc.id, authURL, f.State)
		}
		if f.Verifier != "" {
			t.Errorf("%s: PKCE verifier set for a provider that cannot send it", tc.id)
		}
		if _, f2, _ := p.Begin(); f2.State == f.State {
			t.Errorf("%s: two sign-ins share a state", tc.id)
		}
	}
	if _, ok := ps.Get("oidc"); ok {
		t.Fatal("generic OIDC enabled without configuration")
	}
}

func TestOIDCDiscovery(t *testing.T) {
	var up atomic.Bool
	var issuer, jwksURI string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !up.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		json.NewEncoder(w).Encode(map[string]string{
			"issuer": issuer, "authorization_endpoint": "https://idp.example/authorize", "token_endpoint": "https://idp.example/token",
			"jwks_uri": jwksURI,
		})
	}))
	defer srv.Close()
	o := config.OAuthClient{ClientID: "c", ClientSecret: "s", IssuerURL: srv.URL + "/realms/practice", Name: "Practice"}
	p, _ := NewProviders(config.Auth{OIDC: o}, "https://sidenote.example.org", srv.Client()).Get("oidc")

	// Down at first: an error now, a retry later.
	var pe *ProviderError
	if _, _, err := p.Begin(); !errors.As(err, &pe) {
		t.Fatalf("discovery while the provider is down: %v", err)
	}
	up.Store(true)
	issuer = "https://impostor.example"
	if _, _, err := p.Begin(); !errors.As(err, &pe) || !strings.Contains(err.Error(), "issuer") {
		t.Fatalf("a discovery document naming another issuer: %v", err)
	}
	issuer = o.IssuerURL
	// Without a key set, ID tokens could not be verified.
	if _, _, err := p.Begin(); !errors.As(err, &pe) || !strings.Contains(err.Error(), "jwks_uri") {
		t.Fatalf("a discovery document without jwks_uri: %v", err)
	}
	jwksURI = "https://idp.example/keys"
	authURL, f, err := p.Begin()
	if err != nil {
		t.Fatal(err)
	}
	q, _ := url.ParseQuery(strings.SplitN(authURL, "?", 2)[1])
	if !strings.HasPrefix(authURL, "https://idp.example/authorize?") || q.Get("code_challenge") != pkceChallenge(f.Verifier) ||
		q.Get("code_challenge_method") != "S256" || q.Get("nonce") != f.Nonce || f.Nonce == "" || !strings.Contains(q.Get("scope"), "openid") {
		t.Fatalf("auth URL %s", authURL)
	}
	if p.identityKey != "oidc:"+o.IssuerURL {
		t.Fatalf("identity key %q: OIDC identities must be scoped by issuer", p.identityKey)
	}
	// A callback for another provider's flow is refused before any call.
	if _, err := p.Finish(&Flow{Provider: "google", State: "s"}, url.Values{"state": {"s"}, "code": {"c"}}); !errors.Is(err, ErrState) {
		t.Fatalf("another provider's flow: %v", err)
	}
}

func TestPKCEChallengeMatchesRFC7636(t *testing.T) {
	// Appendix B of RFC 7636.
	if got := pkceChallenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"); got != "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM" {
		t.Fatalf("challenge %s", got)
	}
}
