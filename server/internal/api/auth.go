package api

import (
	"crypto/rand"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"
	"golang.org/x/oauth2"

	"github.com/sidenote/sidenote/server/internal/auth"
	"github.com/sidenote/sidenote/server/internal/config"
	"github.com/sidenote/sidenote/server/internal/store"
	"github.com/sidenote/sidenote/shared/api"
)

// authentication is the server's sign-in machinery.
type authentication struct {
	keys           *auth.Keys
	flows          *auth.FlowCodec
	providers      *auth.Providers
	trustedProxies []netip.Prefix
	signInLimiter  *sharedLimiter
	apiLimiter     *keyedLimiter
}

// newAuthentication sets up sign-in for cfg. When the session key cannot be
// kept in the data directory, sign-in still works with a key that lasts
// until restart (pending sign-ins then fail and start again).
func newAuthentication(cfg *config.Config, log *slog.Logger, client *http.Client) *authentication {
	keys, err := auth.LoadKeys(cfg.Auth.SessionSecret, cfg.DataDir)
	if err != nil {
		log.Warn("no lasting session key; using a temporary one", "error", err.Error())
		var master [32]byte
		rand.Read(master[:])
		keys, _ = auth.DeriveKeys(master[:])
	}
	a := &authentication{
		keys:          keys,
		flows:         auth.NewFlowCodec(keys),
		providers:     auth.NewProviders(cfg.Auth, cfg.PublicURL, client),
		signInLimiter: newSharedLimiter(cfg.Auth.SignInRate),
		apiLimiter:    newKeyedLimiter(cfg.Auth.APIRate),
	}
	for _, p := range cfg.Auth.TrustedProxies {
		if prefix, err := netip.ParsePrefix(p); err == nil {
			a.trustedProxies = append(a.trustedProxies, prefix)
		} else if addr, err := netip.ParseAddr(p); err == nil {
			a.trustedProxies = append(a.trustedProxies, netip.PrefixFrom(addr, addr.BitLen()))
		}
	}
	return a
}

// Cookie names. Over HTTPS they carry the __Host- prefix: the browser then
// insists on Secure, Path=/ and no Domain, so no sibling host can plant them.
const (
	sessionCookie = "sidenote_session"
	flowCookie    = "sidenote_signin"
)

func cookieName(base string, secure bool) string {
	if secure {
		return "__Host-" + base
	}
	return base
}

// secureRequest reports whether the browser reached Sidenote over HTTPS:
// directly, through the configured public URL, or through a trusted proxy
// that says so.
func (s *Server) secureRequest(c *gin.Context) bool {
	return strings.HasPrefix(s.cfg.PublicURL, "https://") || s.overTLS(c)
}

// setCookie sets an HttpOnly, SameSite=Lax cookie on /, Secure over HTTPS.
// Lax (not Strict) so that the provider's redirect back to the callback, a
// top-level navigation from another site, still carries the sign-in state.
// maxAge 0 makes a cookie that ends with the browser; negative deletes it.
func (s *Server) setCookie(c *gin.Context, base, value string, maxAge int) {
	secure := s.secureRequest(c)
	http.SetCookie(c.Writer, &http.Cookie{
		Name: cookieName(base, secure), Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode,
	})
}

func (s *Server) cookie(c *gin.Context, base string) string {
	v, _ := c.Cookie(cookieName(base, s.secureRequest(c)))
	return v
}

func (s *Server) authRoutes(r *gin.Engine) {
	g := r.Group("/auth", s.limitSignIn)
	g.GET("/providers", s.listProviders)
	g.GET("/:provider", s.beginSignIn)
	g.GET("/:provider/callback", s.finishSignIn)
	g.POST("/:provider/link", s.beginLink)
	g.POST("/:provider/link/confirm", s.confirmLink)
	g.POST("/logout", s.logout)
}

// listProviders answers the enabled sign-in providers.
func (s *Server) listProviders(c *gin.Context) {
	out := []api.AuthProvider{}
	for _, p := range s.authn.providers.List() {
		out = append(out, api.AuthProvider{ID: p.ID, Name: p.Name})
	}
	c.JSON(http.StatusOK, out)
}

// beginSignIn sends the browser to the identity provider. With
// ?redirect_uri= (an allow-listed https://<id>.chromiumapp.org/ URI) the
// sign-in ends by handing an API token to the extension. Linking another
// identity starts with a POST instead (beginLink, link.go).
func (s *Server) beginSignIn(c *gin.Context) {
	p, ok := s.authn.providers.Get(c.Param("provider"))
	if !ok {
		s.authPage(c, http.StatusNotFound, "Unknown sign-in provider", "This sign-in option is not set up on this Sidenote server.")
		return
	}
	purpose, redirectURI := auth.ForBrowser, ""
	switch {
	case c.Query("link") != "":
		s.authPage(c, http.StatusBadRequest, "Link from Sidenote",
			"To link another sign-in to your Sidenote account, open your account in Sidenote and choose Link another sign-in.")
		return
	case c.Query("redirect_uri") != "":
		redirectURI = c.Query("redirect_uri")
		if !s.extensionRedirectAllowed(redirectURI) {
			s.authPage(c, http.StatusBadRequest, "Sign-in refused",
				"This sign-in was started for an address Sidenote does not hand tokens to. Only the Sidenote extensions configured on this server (SIDENOTE_EXTENSION_IDS) can sign in this way.")
			return
		}
		purpose = auth.ForExtension
	}
	s.startFlow(c, p, purpose, redirectURI, "")
}

// startFlow sends the browser to p with a new sign-in flow in its cookie.
func (s *Server) startFlow(c *gin.Context, p *auth.Provider, purpose auth.Purpose, redirectURI, clinicianID string) {
	authURL, flow, err := p.Begin()
	if err != nil {
		s.providerFailed(c, p.ID, err)
		return
	}
	flow.Purpose, flow.RedirectURI, flow.ClinicianID = purpose, redirectURI, clinicianID
	sealed, err := s.authn.flows.Seal(cookieName(flowCookie, s.secureRequest(c)), flow)
	if err != nil {
		fail(c, err)
		return
	}
	s.setCookie(c, flowCookie, sealed, int(auth.FlowTTL.Seconds()))
	c.Header("Cache-Control", "no-store")
	c.Redirect(http.StatusFound, authURL)
}

// extensionRedirectAllowed reports whether raw is
// https://<id>.chromiumapp.org/<path> for a configured extension id: the
// only place chrome.identity.launchWebAuthFlow lets an extension receive
// its result.
func (s *Server) extensionRedirectAllowed(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" || u.User != nil || u.Port() != "" || u.Fragment != "" || u.Opaque != "" {
		return false
	}
	id, ok := strings.CutSuffix(u.Host, ".chromiumapp.org")
	if !ok {
		return false
	}
	for _, allowed := range s.cfg.Auth.ExtensionIDs {
		if id == allowed {
			return true
		}
	}
	return false
}

// finishSignIn is the provider's redirect back: it checks the state,
// finds or creates the clinician, and signs the browser or the extension in.
func (s *Server) finishSignIn(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	p, ok := s.authn.providers.Get(c.Param("provider"))
	if !ok {
		s.authPage(c, http.StatusNotFound, "Unknown sign-in provider", "This sign-in option is not set up on this Sidenote server.")
		return
	}
	name := cookieName(flowCookie, s.secureRequest(c))
	sealed := s.cookie(c, flowCookie)
	s.setCookie(c, flowCookie, "", -1) // one use only
	flow, err := s.authn.flows.Open(name, sealed)
	var ident *auth.Identity
	if err == nil {
		ident, err = p.Finish(flow, c.Request.URL.Query())
	} else {
		err = auth.ErrState
	}
	switch {
	case errors.Is(err, auth.ErrState):
		s.authPage(c, http.StatusBadRequest, "Please start again",
			"This sign-in could not be matched to one started in this browser in the last ten minutes. Close this page and sign in again.")
		return
	case errors.Is(err, auth.ErrDenied):
		s.authPage(c, http.StatusBadRequest, "Sign-in cancelled", "The sign-in was cancelled or refused. Close this page and try again.")
		return
	case err != nil:
		s.providerFailed(c, p.ID, err)
		return
	}

	if flow.Purpose == auth.ForLink {
		s.offerLink(c, p, flow, ident)
		return
	}

	actAs(c, "") // the request's id and address, for the profile refresh's event
	clin, err := s.store.SignIn(c.Request.Context(), ident.Provider, ident.Subject, ident.Email, ident.Name)
	if err != nil {
		fail(c, err)
		return
	}
	actAs(c, clin.ID)
	ctx := c.Request.Context()
	if flow.Purpose == auth.ForExtension {
		token, _, err := s.store.CreateToken(ctx, clin.ID, store.TokenExtension, "Chrome extension", s.cfg.TokenTTL)
		if err != nil {
			fail(c, err)
			return
		}
		// The token travels in the fragment: never sent to any server,
		// never in a log; launchWebAuthFlow hands the whole URL over.
		c.Redirect(http.StatusFound, flow.RedirectURI+"#token="+url.QueryEscape(token))
		return
	}
	// A new sign-in in this browser replaces any earlier session.
	if old := s.cookie(c, sessionCookie); old != "" {
		if err := s.store.EndBrowserSession(ctx, old); err != nil {
			fail(c, err)
			return
		}
	}
	token, _, err := s.store.CreateBrowserSession(ctx, clin.ID, s.cfg.Auth.SessionTTL)
	if err != nil {
		fail(c, err)
		return
	}
	s.setCookie(c, sessionCookie, token, 0)
	c.Redirect(http.StatusSeeOther, "/app/")
}

// logout ends the caller's sign-in for real: a browser session (cookie, with
// its CSRF token) or the bearer token of the request is revoked, so a copy
// of it stops working at once.
func (s *Server) logout(c *gin.Context) {
	ctx := c.Request.Context()
	if bearer, ok := bearerToken(c); ok {
		t, err := s.store.AuthenticateBearer(ctx, bearer, s.cfg.TokenTTL)
		if err == nil {
			actAs(c, t.ClinicianID)
			err = s.store.RevokeToken(c.Request.Context(), t.ClinicianID, t.ID)
		}
		if err != nil {
			fail(c, err)
			return
		}
		c.Status(http.StatusNoContent)
		return
	}
	plain := s.cookie(c, sessionCookie)
	if plain == "" {
		c.Status(http.StatusNoContent)
		return
	}
	t, err := s.store.AuthenticateBrowser(ctx, plain, s.cfg.Auth.SessionTTL)
	switch {
	case err == nil:
		if err = s.checkCSRF(c, t.ID); err == nil {
			err = s.store.EndBrowserSession(ctx, plain)
		}
	case hasCode(err, api.CodeUnauthenticated):
		err = nil // already over: just clear the cookie
	}
	if err != nil {
		fail(c, err)
		return
	}
	s.setCookie(c, sessionCookie, "", -1)
	c.Status(http.StatusNoContent)
}

// providerFailed answers a failure of the identity provider. The log says
// which provider and what kind of failure, never tokens or identities.
func (s *Server) providerFailed(c *gin.Context, provider string, err error) {
	cause := err
	if inner := errors.Unwrap(err); inner != nil {
		cause = inner
	}
	attrs := []any{"request_id", requestID(c), "provider", provider, "error_type", errorType(cause)}
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		attrs = append(attrs, "oauth_error", re.ErrorCode)
	}
	s.log.Warn("sign-in failed at the identity provider", attrs...)
	s.authPage(c, http.StatusBadGateway, "Sign-in failed", "The identity provider could not confirm your sign-in. Please try again in a moment.")
}

var authPageTemplate = template.Must(template.New("auth").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{{.Title}} · Sidenote</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:34rem;margin:4rem auto;padding:0 1rem;color:#222}h1{font-size:1.4rem}</style>
</head><body><h1>{{.Title}}</h1><p>{{.Message}}</p></body></html>
`))

// authPage answers a sign-in route with a short HTML page: these routes are
// opened by people in a browser window, not by API clients.
func (s *Server) authPage(c *gin.Context, status int, title, message string) {
	c.Header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	c.Header("Cache-Control", "no-store")
	c.Status(status)
	c.Header("Content-Type", "text/html; charset=utf-8")
	if err := authPageTemplate.Execute(c.Writer, struct{ Title, Message string }{title, message}); err != nil {
		s.log.Error("render sign-in page", "error_type", errorType(err))
	}
	c.Abort()
}

// bearerToken returns the token of an Authorization: Bearer header.
func bearerToken(c *gin.Context) (string, bool) {
	token, ok := strings.CutPrefix(c.GetHeader("Authorization"), "Bearer ")
	token = strings.TrimSpace(token)
	return token, ok && token != ""
}

// checkCSRF guards a cookie-authenticated write: the request must come
// from Sidenote's own pages (Origin, else Sec-Fetch-Site) and carry the
// session's CSRF token.
func (s *Server) checkCSRF(c *gin.Context, sessionID string) error {
	return s.checkCSRFToken(c, sessionID, c.GetHeader(api.CSRFHeader))
}

// checkCSRFToken is checkCSRF with the token given.
func (s *Server) checkCSRFToken(c *gin.Context, sessionID, token string) error {
	refused := &api.Error{Code: api.CodeForbidden, Message: "This request was refused as a possible cross-site request; reload the page and try again."}
	if origin := c.GetHeader("Origin"); origin != "" {
		if !sameOrigin(c, origin) && !strings.EqualFold(origin, publicOrigin(s.cfg.PublicURL)) {
			return refused
		}
	} else if site := c.GetHeader("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		return refused
	}
	if !s.authn.keys.ValidCSRFToken(sessionID, token) {
		return refused
	}
	return nil
}

// csrfFormField carries the CSRF token in the link forms (a top-level form
// POST cannot set a header).
const csrfFormField = "csrf_token"

func publicOrigin(publicURL string) string {
	u, err := url.Parse(publicURL)
	if err != nil {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// safeMethod reports whether a request cannot change anything.
func safeMethod(method string) bool {
	return method == http.MethodGet || method == http.MethodHead || method == http.MethodOptions
}

// hasCode reports whether err is an API error with the given code.
func hasCode(err error, code string) bool {
	var e *api.Error
	return errors.As(err, &e) && e.Code == code
}
