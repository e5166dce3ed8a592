package api

import (
	"html/template"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/sidenote/sidenote/server/internal/auth"
	"github.com/sidenote/sidenote/shared/api"
)

// Linking another sign-in to an account takes intent twice: it starts with
// a POST carrying the CSRF token of the signed-in browser session (never a
// plain link a page could navigate to), and after the provider it shows
// what will be linked and links only when the clinician confirms, again by
// a POST with the token. Between the two, the identity waits in a sealed
// cookie.

// linkCookie holds the identity waiting for confirmation.
const linkCookie = "sidenote_link"

// browserSession is the clinician signed in on this browser, with the
// session's CSRF check passed on a form POST (Origin and the form's token).
func (s *Server) browserSession(c *gin.Context) (clinicianID string, ok bool) {
	t, err := s.store.AuthenticateBrowser(c.Request.Context(), s.cookie(c, sessionCookie), s.cfg.Auth.SessionTTL)
	if err != nil {
		s.authPage(c, http.StatusUnauthorized, "Sign in first",
			"To link another sign-in to your Sidenote account, sign in to Sidenote first, then link it from your account.")
		return "", false
	}
	token := c.PostForm(csrfFormField)
	if token == "" {
		token = c.GetHeader(api.CSRFHeader)
	}
	if err := s.checkCSRFToken(c, t.ID, token); err != nil {
		s.authPage(c, http.StatusForbidden, "Link refused",
			"This request did not come from your Sidenote page. Open your account in Sidenote and link from there.")
		return "", false
	}
	return t.ClinicianID, true
}

// beginLink (POST /auth/:provider/link) sends a signed-in browser to the
// provider to fetch the identity to link.
func (s *Server) beginLink(c *gin.Context) {
	p, ok := s.authn.providers.Get(c.Param("provider"))
	if !ok {
		s.authPage(c, http.StatusNotFound, "Unknown sign-in provider", "This sign-in option is not set up on this Sidenote server.")
		return
	}
	clinicianID, ok := s.browserSession(c)
	if !ok {
		return
	}
	s.startFlow(c, p, auth.ForLink, "", clinicianID)
}

var linkPageTemplate = template.Must(template.New("link").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Link this sign-in? · Sidenote</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:34rem;margin:4rem auto;padding:0 1rem;color:#222}h1{font-size:1.4rem}button{font:inherit;padding:.4rem 1rem}</style>
</head><body><h1>Link this sign-in?</h1>
<p>From now on, signing in with <strong>{{.Provider}}</strong> as <strong>{{.Email}}</strong> will open your Sidenote account <strong>{{.Account}}</strong>.</p>
<form method="post" action="/auth/{{.ProviderID}}/link/confirm">
<input type="hidden" name="csrf_token" value="{{.CSRF}}">
<button type="submit">Link this sign-in</button> <a href="/app/">Cancel</a>
</form></body></html>
`))

// offerLink ends the provider's part of a link: the identity is kept in a
// sealed cookie and the clinician is asked to confirm.
func (s *Server) offerLink(c *gin.Context, p *auth.Provider, flow *auth.Flow, ident *auth.Identity) {
	t, err := s.store.AuthenticateBrowser(c.Request.Context(), s.cookie(c, sessionCookie), s.cfg.Auth.SessionTTL)
	if err != nil || t.ClinicianID != flow.ClinicianID {
		s.authPage(c, http.StatusUnauthorized, "Sign in first", "Your Sidenote session ended before the sign-in could be linked. Sign in and try again.")
		return
	}
	clin, err := s.store.ClinicianByID(c.Request.Context(), t.ClinicianID)
	if err != nil {
		fail(c, err)
		return
	}
	pending := &auth.Flow{Provider: p.ID, Purpose: auth.ForLink, ClinicianID: t.ClinicianID, Identity: ident}
	sealed, err := s.authn.flows.Seal(cookieName(linkCookie, s.secureRequest(c)), pending)
	if err != nil {
		fail(c, err)
		return
	}
	s.setCookie(c, linkCookie, sealed, int(auth.FlowTTL.Seconds()))
	c.Header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
	c.Header("X-Frame-Options", "DENY")
	c.Header("Content-Type", "text/html; charset=utf-8")
	c.Status(http.StatusOK)
	page := struct{ Provider, ProviderID, Email, Account, CSRF string }{
		p.Name, p.ID, ident.Email, clin.Email, s.authn.keys.CSRFToken(t.ID),
	}
	if err := linkPageTemplate.Execute(c.Writer, page); err != nil {
		s.log.Error("render link page", "error_type", errorType(err))
	}
}

// confirmLink (POST /auth/:provider/link/confirm) links the identity the
// clinician has just seen, audited (identity.link).
func (s *Server) confirmLink(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	clinicianID, ok := s.browserSession(c)
	if !ok {
		return
	}
	sealed := s.cookie(c, linkCookie)
	s.setCookie(c, linkCookie, "", -1) // one use only
	pending, err := s.authn.flows.Open(cookieName(linkCookie, s.secureRequest(c)), sealed)
	if err != nil || pending.Purpose != auth.ForLink || pending.Identity == nil ||
		pending.ClinicianID != clinicianID || pending.Provider != c.Param("provider") {
		s.authPage(c, http.StatusBadRequest, "Please start again",
			"This link could not be matched to one started in this browser in the last ten minutes. Link again from your account in Sidenote.")
		return
	}
	actAs(c, clinicianID)
	ident := pending.Identity
	if err := s.store.LinkIdentity(c.Request.Context(), clinicianID, ident.Provider, ident.Subject, ident.Email); err != nil {
		if hasCode(err, api.CodeConflict) {
			s.authPage(c, http.StatusConflict, "Already linked", "This sign-in is already linked to another Sidenote account.")
			return
		}
		fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/app/")
}
