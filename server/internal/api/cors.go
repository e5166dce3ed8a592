package api

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-contrib/cors"
	"github.com/gin-gonic/gin"

	"github.com/sidenote/sidenote/shared/api"
)

// allowedOrigins are the origins that may call the API from a browser: the
// configured extensions, SIDENOTE_ALLOWED_ORIGINS and Sidenote's own public
// origin (for a reverse proxy that changes the Host header).
func (s *Server) allowedOrigins() map[string]bool {
	origins := map[string]bool{}
	for _, id := range s.cfg.Auth.ExtensionIDs {
		origins["chrome-extension://"+id] = true
	}
	for _, o := range s.cfg.Auth.AllowedOrigins {
		origins[o] = true
	}
	if u, err := url.Parse(s.cfg.PublicURL); err == nil {
		origins[strings.ToLower(u.Scheme+"://"+u.Host)] = true
	}
	return origins
}

// cors answers preflights and adds CORS headers for allowed origins only.
// Credentials (cookies) are never allowed cross-origin: the extension and
// other origins use bearer tokens, so no origin can ride on a browser
// session. A request from any other origin is refused with 403 and no
// Access-Control-Allow-Origin.
func (s *Server) cors() gin.HandlerFunc {
	origins := s.allowedOrigins()
	allowed := func(origin string) bool { return origins[origin] }
	handler := cors.New(cors.Config{
		AllowOriginFunc:  allowed,
		AllowMethods:     []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete},
		AllowHeaders:     []string{"Authorization", "Content-Type", "X-Request-ID"},
		ExposeHeaders:    []string{"X-Request-ID", "Retry-After", api.NextChunkHeader},
		AllowCredentials: false,
		MaxAge:           2 * time.Hour,
	})
	return func(c *gin.Context) {
		origin := c.GetHeader("Origin")
		if origin != "" && c.Request.Method != http.MethodOptions && !allowed(origin) && !sameOrigin(c, origin) {
			fail(c, &api.Error{Code: api.CodeForbidden, Message: "Requests from this origin are not allowed."})
			return
		}
		handler(c)
	}
}

// sameOrigin reports whether origin is the origin the request was sent to,
// which browsers also send on same-origin fetches.
func sameOrigin(c *gin.Context, origin string) bool {
	return origin == "http://"+c.Request.Host || origin == "https://"+c.Request.Host
}
