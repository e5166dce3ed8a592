package auth

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/markbates/goth"
	"github.com/markbates/goth/providers/azureadv2"
	"github.com/markbates/goth/providers/google"
	"github.com/markbates/goth/providers/openidConnect"

	"github.com/sidenote/sidenote/server/internal/config"
)

// Identity is who the provider says signed in. Provider and Subject
// together are the stable identity; Email and Name are only for display.
type Identity struct {
	Provider string
	Subject  string
	Email    string
	Name     string
}

// Errors of a sign-in, each shown to the person with its own page.
var (
	// ErrState means the callback does not belong to a sign-in started in
	// this browser in the last ten minutes (tampered, replayed or stale).
	ErrState = errors.New("sign-in state does not match")
	// ErrDenied means the person cancelled or the provider refused.
	ErrDenied = errors.New("sign-in refused by the provider")
)

// ProviderError wraps a failure talking to the identity provider.
type ProviderError struct{ Err error }

func (e *ProviderError) Error() string { return "identity provider: " + e.Err.Error() }
func (e *ProviderError) Unwrap() error { return e.Err }

// Provider is one configured identity provider.
type Provider struct {
	// ID names the provider in routes: /auth/{ID}.
	ID string
	// Name is the label of its sign-in button.
	Name string
	// identityKey is what the identities table keeps as provider: for
	// generic OIDC it includes the issuer, so changing the issuer can never
	// map its subjects onto another issuer's clinicians.
	identityKey string
	// oidc providers get PKCE and a nonce (goth's other providers cannot
	// pass a code verifier on).
	oidc bool

	build func() (goth.Provider, *oidc.IDTokenVerifier, error)
	mu    sync.Mutex
	goth  goth.Provider
	// verifier checks generic OIDC ID tokens against the issuer's keys
	// (JWKS); goth only decodes them.
	verifier *oidc.IDTokenVerifier
}

// gothProvider builds the goth provider on first use and keeps it. Generic
// OIDC fetches its discovery document then, so an identity provider that
// is down at start does not stop Sidenote; a failure is retried next time.
func (p *Provider) gothProvider() (goth.Provider, error) {
	g, _, err := p.providerAndVerifier()
	return g, err
}

func (p *Provider) providerAndVerifier() (goth.Provider, *oidc.IDTokenVerifier, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.goth != nil {
		return p.goth, p.verifier, nil
	}
	g, v, err := p.build()
	if err != nil {
		return nil, nil, &ProviderError{Err: err}
	}
	p.goth, p.verifier = g, v
	return g, v, nil
}

// Begin starts a sign-in: it returns the provider's authorization URL and
// the flow to keep in the browser until the callback.
func (p *Provider) Begin() (string, *Flow, error) {
	g, err := p.gothProvider()
	if err != nil {
		return "", nil, err
	}
	f := &Flow{Provider: p.ID, State: randomString(32)}
	sess, err := g.BeginAuth(f.State)
	if err != nil {
		return "", nil, &ProviderError{Err: err}
	}
	authURL, err := sess.GetAuthURL()
	if err != nil {
		return "", nil, &ProviderError{Err: err}
	}
	if p.oidc {
		f.Verifier, f.Nonce = randomString(32), randomString(16)
		u, err := url.Parse(authURL)
		if err != nil {
			return "", nil, &ProviderError{Err: err}
		}
		q := u.Query()
		q.Set("code_challenge", pkceChallenge(f.Verifier))
		q.Set("code_challenge_method", "S256")
		q.Set("nonce", f.Nonce)
		u.RawQuery = q.Encode()
		authURL = u.String()
	}
	f.Session = sess.Marshal()
	return authURL, f, nil
}

// Finish completes a sign-in from the callback's query: it checks the
// state against the flow, exchanges the code and fetches the identity.
func (p *Provider) Finish(f *Flow, query url.Values) (*Identity, error) {
	if f.Provider != p.ID || !f.StateMatches(query.Get("state")) {
		return nil, ErrState
	}
	if query.Get("error") != "" || query.Get("code") == "" {
		return nil, ErrDenied
	}
	g, verifier, err := p.providerAndVerifier()
	if err != nil {
		return nil, err
	}
	sess, err := g.UnmarshalSession(f.Session)
	if err != nil {
		return nil, ErrState
	}
	params := url.Values{"code": {query.Get("code")}}
	if f.Verifier != "" {
		params.Set("code_verifier", f.Verifier)
	}
	if _, err := sess.Authorize(g, params); err != nil {
		return nil, &ProviderError{Err: err}
	}
	user, err := g.FetchUser(sess)
	if err != nil {
		return nil, &ProviderError{Err: err}
	}
	if verifier != nil {
		if err := verifyIDToken(verifier, sess, f.Nonce, user.UserID); err != nil {
			return nil, err
		}
	} else if f.Nonce != "" {
		if nonce, _ := user.RawData["nonce"].(string); nonce != f.Nonce {
			return nil, ErrState
		}
	}
	if user.UserID == "" {
		return nil, &ProviderError{Err: errors.New("no subject in the identity")}
	}
	name := strings.TrimSpace(user.Name)
	if name == "" {
		name = strings.TrimSpace(user.FirstName + " " + user.LastName)
	}
	email := strings.ToLower(strings.TrimSpace(user.Email))
	if name == "" {
		name = email
	}
	return &Identity{Provider: p.identityKey, Subject: user.UserID, Email: email, Name: name}, nil
}

// ErrIDToken means the provider's ID token failed verification: a bad
// signature (not by one of the issuer's published keys), another audience
// or issuer, or an expired token.
var ErrIDToken = errors.New("the ID token failed verification")

// verifyIDToken checks the session's ID token with verifier (signature
// against the issuer's JWKS, issuer, audience, expiry), its nonce against
// the flow's, and that it names the subject goth read from it.
func verifyIDToken(verifier *oidc.IDTokenVerifier, sess goth.Session, nonce, subject string) error {
	s, ok := sess.(*openidConnect.Session)
	if !ok || s.IDToken == "" {
		return &ProviderError{Err: errors.New("no ID token in the response")}
	}
	ctx, cancel := context.WithTimeout(context.Background(), httpTimeout)
	defer cancel()
	tok, err := verifier.Verify(ctx, s.IDToken)
	if err != nil {
		return &ProviderError{Err: fmt.Errorf("%w: %w", ErrIDToken, err)}
	}
	if nonce != "" && subtle.ConstantTimeCompare([]byte(tok.Nonce), []byte(nonce)) != 1 {
		return ErrState
	}
	if tok.Subject != subject {
		return &ProviderError{Err: fmt.Errorf("%w: subject differs from the user's", ErrIDToken)}
	}
	return nil
}

// Providers are the configured identity providers, in a fixed order.
type Providers struct {
	list []*Provider
}

// httpTimeout bounds each call to an identity provider.
const httpTimeout = 15 * time.Second

// NewProviders returns the providers enabled in cfg, with callbacks under
// publicURL. client carries the calls to the providers (nil for a default
// with a timeout).
func NewProviders(cfg config.Auth, publicURL string, client *http.Client) *Providers {
	if client == nil {
		client = &http.Client{Timeout: httpTimeout}
	}
	callback := func(id string) string { return publicURL + "/auth/" + id + "/callback" }
	var ps Providers
	if o := cfg.Google; o.Enabled() {
		ps.list = append(ps.list, &Provider{ID: "google", Name: "Google", identityKey: "google", build: func() (goth.Provider, *oidc.IDTokenVerifier, error) {
			g := google.New(o.ClientID, o.ClientSecret, callback("google"), "openid", "email", "profile")
			g.HTTPClient = client
			g.SetPrompt("select_account")
			return g, nil, nil
		}})
	}
	if o := cfg.Microsoft; o.Enabled() {
		ps.list = append(ps.list, &Provider{ID: "microsoft", Name: "Microsoft", identityKey: "microsoft", build: func() (goth.Provider, *oidc.IDTokenVerifier, error) {
			m := azureadv2.New(o.ClientID, o.ClientSecret, callback("microsoft"), azureadv2.ProviderOptions{Tenant: azureadv2.TenantType(o.Tenant)})
			m.HTTPClient = client
			return m, nil, nil
		}})
	}
	if o := cfg.OIDC; o.Enabled() {
		ps.list = append(ps.list, &Provider{ID: "oidc", Name: o.Name, identityKey: "oidc:" + o.IssuerURL, oidc: true, build: func() (goth.Provider, *oidc.IDTokenVerifier, error) {
			return discoverOIDC(client, o, callback("oidc"))
		}})
	}
	return &ps
}

// discoveryDocument is what Sidenote reads of an issuer's discovery
// document: goth's endpoints and the key set's address.
type discoveryDocument struct {
	openidConnect.OpenIDConfig
	JWKSURI string `json:"jwks_uri"`
}

// discoverOIDC builds the generic OIDC provider from the issuer's
// discovery document, refusing a document that names another issuer
// (OpenID Connect Discovery 1.0, section 4.3), and the verifier of its ID
// tokens (go-oidc, keys fetched from jwks_uri and refetched when a token
// names a key not seen yet). The document is fetched here rather than by
// goth so that the call has a timeout.
func discoverOIDC(client *http.Client, o config.OAuthClient, callbackURL string) (goth.Provider, *oidc.IDTokenVerifier, error) {
	ctx, cancel := context.WithTimeout(context.Background(), httpTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, o.IssuerURL+"/.well-known/openid-configuration", nil)
	if err != nil {
		return nil, nil, err
	}
	res, err := client.Do(req)
	if err != nil {
		return nil, nil, fmt.Errorf("discovery: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, nil, fmt.Errorf("discovery: status %d", res.StatusCode)
	}
	var doc discoveryDocument
	if err := json.NewDecoder(io.LimitReader(res.Body, 1<<20)).Decode(&doc); err != nil {
		return nil, nil, fmt.Errorf("discovery: %w", err)
	}
	if strings.TrimRight(doc.Issuer, "/") != o.IssuerURL {
		return nil, nil, fmt.Errorf("discovery document names issuer %q, not %q", doc.Issuer, o.IssuerURL)
	}
	if doc.AuthEndpoint == "" || doc.TokenEndpoint == "" || doc.JWKSURI == "" {
		return nil, nil, errors.New("discovery document lacks the authorization or token endpoint or jwks_uri")
	}
	p, err := openidConnect.NewCustomisedURL(o.ClientID, o.ClientSecret, callbackURL,
		doc.AuthEndpoint, doc.TokenEndpoint, doc.Issuer, doc.UserInfoEndpoint, doc.EndSessionEndpoint,
		"openid", "email", "profile")
	if err != nil {
		return nil, nil, err
	}
	p.HTTPClient = client
	p.SetName("oidc")
	keys := oidc.NewRemoteKeySet(oidc.ClientContext(context.Background(), client), doc.JWKSURI)
	return p, oidc.NewVerifier(doc.Issuer, keys, &oidc.Config{ClientID: o.ClientID}), nil
}

// IdentityKey is what the identities table keeps as this provider.
func (p *Provider) IdentityKey() string { return p.identityKey }

// List returns the enabled providers.
func (ps *Providers) List() []*Provider { return ps.list }

// Get returns the provider with the given route id.
func (ps *Providers) Get(id string) (*Provider, bool) {
	for _, p := range ps.list {
		if p.ID == id {
			return p, true
		}
	}
	return nil, false
}
