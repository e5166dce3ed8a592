package api

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sidenote/sidenote/shared/api"
)

// healthz answers while the process is up.
func (s *Server) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

// readyz answers 200 only while the database is reachable.
func (s *Server) readyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		fail(c, &api.Error{Code: api.CodeUnavailable, Message: "The database is unreachable."})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready"})
}

// appRoutes serves the sidebar web app at /app/ from the configured
// directory (built by make wasm), each file as its gzip or brotli copy when
// the browser takes one (static.go). No directory listings.
func (s *Server) appRoutes(r *gin.Engine) {
	files := appFiles{dir: s.cfg.WebDir}
	app := r.Group("/app", pageHeaders(appCSP), precompressed(files))
	app.GET("", func(c *gin.Context) { c.Redirect(http.StatusMovedPermanently, "/app/") })
	app.StaticFS("/", files)
}
