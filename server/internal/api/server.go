// Package api is Sidenote's HTTP layer: a Gin engine with the JSON API under
// /api/v1, the sidebar at /app and health checks. Handlers are thin: they
// decode, call the store, and encode; every error goes through one
// middleware (errors.go) that writes {"error":{...}} with its status.
package api

import (
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/sidenote/sidenote/server/internal/audit"
	"github.com/sidenote/sidenote/server/internal/call"
	"github.com/sidenote/sidenote/server/internal/config"
	"github.com/sidenote/sidenote/server/internal/hostguard"
	"github.com/sidenote/sidenote/server/internal/jobs"
	"github.com/sidenote/sidenote/server/internal/recordings"
	"github.com/sidenote/sidenote/server/internal/store"
)

// Server is the HTTP API.
type Server struct {
	cfg    *config.Config
	store  *store.Store
	audit  *audit.Log
	log    *slog.Logger
	engine *gin.Engine
	authn  *authentication
	jobs   *jobs.Queue
	files  recordings.Storage
	calls  *call.Hub
	hosts  hostguard.Policy
}

// Option configures optional parts of the Server.
type Option func(*Server)

// WithJobs connects the background job queue (note generation,
// transcription). Without it, generating a note answers 503.
func WithJobs(q *jobs.Queue) Option { return func(s *Server) { s.jobs = q } }

// WithRecordings sets where uploaded recordings are stored.
func WithRecordings(r recordings.Storage) Option { return func(s *Server) { s.files = r } }

// New builds the HTTP handler for cfg and st.
func New(cfg *config.Config, st *store.Store, log *slog.Logger, opts ...Option) *Server {
	gin.SetMode(gin.ReleaseMode)
	s := &Server{cfg: cfg, store: st, log: log, engine: gin.New(), calls: call.NewHub(), hosts: hostguard.ForPublicURL(cfg.PublicURL)}
	for _, o := range opts {
		o(s)
	}
	s.audit = audit.New(st.DB())
	s.authn = newAuthentication(cfg, log, nil)
	// Client IPs come from the connection unless proxies are configured
	// (SIDENOTE_TRUSTED_PROXIES, validated with the configuration).
	_ = s.engine.SetTrustedProxies(cfg.Auth.TrustedProxies)
	s.engine.HandleMethodNotAllowed = false
	s.engine.ContextWithFallback = true
	s.routes()
	return s
}

// ServeHTTP makes Server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.engine.ServeHTTP(w, r) }

// Routes lists the registered routes (the IDOR test walks them all).
func (s *Server) Routes() gin.RoutesInfo { return s.engine.Routes() }

func (s *Server) routes() {
	r := s.engine
	r.Use(withRequestID, s.secureTransport, s.logRequests, s.recoverPanics, renderErrors(s.log), s.checkHost, s.cors())
	r.NoRoute(notFound)

	r.GET("/healthz", s.healthz)
	r.GET("/readyz", s.readyz)
	s.appRoutes(r)
	s.authRoutes(r)
	s.joinRoutes(r)

	v1 := r.Group("/api/v1", noStore)
	if s.cfg.DevLogin {
		v1.POST("/dev/login", s.limitSignIn, s.devLogin)
	}
	authed := v1.Group("", s.authenticate, s.limitPerToken)
	authed.GET("/me", s.me)
	s.clientRoutes(authed)
	s.sessionRoutes(authed)
	s.sourceRoutes(authed)
	s.recordingRoutes(authed)
	s.noteRoutes(authed)
	s.telehealthRoutes(authed)
	s.callRoutes(v1, authed)
	s.planRoutes(authed)
	s.tokenRoutes(authed)
	s.auditRoutes(authed)
	s.exportRoutes(authed)
	s.accountRoutes(authed)
	s.identityRoutes(authed)
}

// recordRead audits a read of clinical data, after it. Writes are audited
// by the store, in their own transaction (audit.RecordTx).
func (s *Server) recordRead(c *gin.Context, action audit.Action, resourceID string) error {
	return s.audit.Record(c.Request.Context(), action, resourceID)
}

// caller is the clinician making an authenticated request.
func caller(c *gin.Context) string { return c.GetString(ctxClinicianID) }
