package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/sidenote/sidenote/server/internal/audit"
	"github.com/sidenote/sidenote/server/internal/store"
	"github.com/sidenote/sidenote/shared/api"
)

func (s *Server) sourceRoutes(r *gin.RouterGroup) {
	r.PUT("/sessions/:id/summary", s.putSource(store.SourceSummary))
	r.PUT("/sessions/:id/transcript", s.putSource(store.SourceTranscript))
	r.GET("/sessions/:id/summary", s.getSource(store.SourceSummary, audit.SummaryRead))
	r.GET("/sessions/:id/transcript", s.getSource(store.SourceTranscript, audit.TranscriptRead))
}

func (s *Server) putSource(kind string) gin.HandlerFunc {
	return func(c *gin.Context) {
		var req api.SourceRequest
		if err := decode(c, s.cfg.MaxBodyBytes, &req); err != nil {
			fail(c, err)
			return
		}
		if err := s.store.PutSource(c.Request.Context(), caller(c), c.Param("id"), kind, req.Text, req.Reason); err != nil {
			fail(c, err)
			return
		}
		c.JSON(http.StatusOK, api.TextRequest{Text: req.Text})
	}
}

func (s *Server) getSource(kind string, action audit.Action) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx := c.Request.Context()
		if _, err := s.store.Session(ctx, caller(c), c.Param("id")); err != nil {
			fail(c, err)
			return
		}
		summary, transcript, err := s.store.Sources(ctx, caller(c), c.Param("id"))
		if err == nil {
			err = s.recordRead(c, action, c.Param("id"))
		}
		if err != nil {
			fail(c, err)
			return
		}
		text := summary
		if kind == store.SourceTranscript {
			text = transcript
		}
		c.JSON(http.StatusOK, api.TextRequest{Text: text})
	}
}
