package api

import (
	_ "embed" // the guest page's stylesheet
	"net/http"
	"net/netip"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/sidenote/sidenote/server/internal/hostguard"
	"github.com/sidenote/sidenote/shared/api"
)

// Security headers. Every response says nosniff (and HSTS when it travels
// over TLS); the API's JSON is health data and is never cached; the two
// HTML pages, /app and /join, get a Content-Security-Policy that allows
// their own files only and no inline script or style.

// appCSP is the sidebar's policy: its scripts and the WebAssembly they
// compile ('wasm-unsafe-eval', not 'unsafe-eval'), its stylesheet, and
// fetches to this origin's API.
const appCSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; " +
	"connect-src 'self'; img-src 'self'; object-src 'none'; base-uri 'none'; " +
	"frame-ancestors 'none'; form-action 'self'"

// joinCSP is the guest page's policy, stricter than the app's: a
// stylesheet, a form, and on the call page its own script, which talks to
// this origin only (its signalling socket; media flows peer to peer).
const joinCSP = "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; " +
	"object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"

// hstsValue asks browsers to use HTTPS only for a year. No
// includeSubDomains: Sidenote cannot know what else runs on sibling hosts.
const hstsValue = "max-age=31536000"

// secureTransport sets nosniff on every response and
// Strict-Transport-Security on those that travel over TLS: browsers ignore
// HSTS over plain HTTP, and sending it there would only mislead.
func (s *Server) secureTransport(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	if s.overTLS(c) {
		h.Set("Strict-Transport-Security", hstsValue)
	}
	c.Next()
}

// overTLS reports whether the request reached Sidenote over TLS: directly,
// or through a trusted proxy (SIDENOTE_TRUSTED_PROXIES) that says so. Anyone
// else's X-Forwarded-Proto is ignored.
func (s *Server) overTLS(c *gin.Context) bool {
	if c.Request.TLS != nil {
		return true
	}
	if c.GetHeader("X-Forwarded-Proto") != "https" {
		return false
	}
	addr, err := netip.ParseAddrPort(c.Request.RemoteAddr)
	if err != nil {
		return false
	}
	for _, p := range s.authn.trustedProxies {
		if p.Contains(addr.Addr().Unmap()) {
			return true
		}
	}
	return false
}

// noStore keeps API responses, which carry clinical data, out of every
// cache: the browser's, a proxy's, the back/forward cache.
func noStore(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.Next()
}

// pageHeaders returns the middleware of an HTML page with the policy csp:
// no framing (clickjacking), and a Referrer-Policy of same-origin. Not
// no-referrer: with it Chromium sends "Origin: null" on the join form's
// POST, which the origin check refuses; same-origin still keeps a URL's
// path (the guest's join code) from reaching any other site.
func pageHeaders(csp string) gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		c.Next()
	}
}

//go:embed templates/join.css
var joinStyle []byte

// joinStylePath is the guest page's stylesheet: a file, not an inline
// <style>, so the page's policy needs no 'unsafe-inline'.
const joinStylePath = "/join.css"

func serveJoinStyle(c *gin.Context) {
	c.Header("Cache-Control", "public, max-age=3600")
	c.Data(http.StatusOK, "text/css; charset=utf-8", joinStyle)
}

//go:embed templates/join-call.js
var joinScript []byte

// joinScriptPath is the call page's script (WebRTC and signalling).
const joinScriptPath = "/join-call.js"

func serveJoinScript(c *gin.Context) {
	c.Header("Cache-Control", "public, max-age=300")
	c.Data(http.StatusOK, "text/javascript; charset=utf-8", joinScript)
}

// checkHost refuses a request whose Host is neither the public host nor a
// loopback name (DNS rebinding, see hostguard): JSON under /api, a short
// page elsewhere. It runs before CORS, whose same-origin rule trusts Host.
func (s *Server) checkHost(c *gin.Context) {
	if s.hosts.Allows(c.Request.Host) {
		c.Next()
		return
	}
	if strings.HasPrefix(c.Request.URL.Path, "/api/") {
		fail(c, &api.Error{Code: api.CodeMisdirected, Message: hostguard.Message})
		return
	}
	hostguard.WriteRefusal(c.Writer)
	c.Abort()
}
