package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/sidenote/sidenote/server/internal/store"
	"github.com/sidenote/sidenote/shared/api"
)

func (s *Server) sessionRoutes(r *gin.RouterGroup) {
	r.POST("/sessions", s.createSession)
	r.GET("/sessions", s.listSessions)
	r.GET("/sessions/:id", s.getSession)
	r.PATCH("/sessions/:id", s.updateSession)
	r.DELETE("/sessions/:id", s.deleteSession)
	r.POST("/sessions/:id/assign", s.assignSession)
	r.POST("/sessions/:id/end", s.endSession)
}

func (s *Server) createSession(c *gin.Context) {
	var req api.CreateSessionRequest
	if err := decode(c, s.cfg.MaxBodyBytes, &req); err != nil {
		fail(c, err)
		return
	}
	sess, err := s.store.CreateSession(c.Request.Context(), caller(c), req)
	if err != nil {
		fail(c, err)
		return
	}
	if req.Type == api.SessionTelehealth {
		s.respondTelehealthSession(c, sess)
		return
	}
	s.respondSession(c, http.StatusCreated, sess)
}

func (s *Server) listSessions(c *gin.Context) {
	f := store.SessionFilter{
		Assignment: c.Query("assignment"), ClientID: c.Query("client_id"),
		Type: api.SessionType(c.Query("type")), Cursor: c.Query("cursor"),
	}
	var err error
	if f.Limit, err = queryLimit(c); err == nil {
		if f.From, err = queryTime(c, "from"); err == nil {
			f.To, err = queryTime(c, "to")
		}
	}
	if err != nil {
		fail(c, err)
		return
	}
	ss, next, err := s.store.ListSessions(c.Request.Context(), caller(c), f)
	if err != nil {
		fail(c, err)
		return
	}
	page := api.Page[api.Session]{Items: make([]api.Session, len(ss)), NextCursor: next}
	for i := range ss {
		page.Items[i] = toSession(&ss[i])
	}
	respondSessionPage(c, &page)
}

func (s *Server) getSession(c *gin.Context) {
	sess, err := s.store.Session(c.Request.Context(), caller(c), c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	s.respondSession(c, http.StatusOK, sess)
}

// respondSession writes a single session with its assignment history.
func (s *Server) respondSession(c *gin.Context, status int, sess *store.Session) {
	hist, err := s.store.SessionHistory(c.Request.Context(), caller(c), sess.ID)
	if err != nil {
		fail(c, err)
		return
	}
	out := toSession(sess)
	out.History = toAssignments(hist)
	c.JSON(status, out)
}

func (s *Server) updateSession(c *gin.Context) {
	var req api.UpdateSessionRequest
	if err := decode(c, s.cfg.MaxBodyBytes, &req); err != nil {
		fail(c, err)
		return
	}
	sess, err := s.store.UpdateSession(c.Request.Context(), caller(c), c.Param("id"), req)
	if err != nil {
		fail(c, err)
		return
	}
	if sess.EndedAt != nil {
		s.sessionEnded(c, sess.ID)
	}
	s.respondSession(c, http.StatusOK, sess)
}

func (s *Server) deleteSession(c *gin.Context) {
	if err := s.store.DeleteSession(c.Request.Context(), caller(c), c.Param("id")); err != nil {
		fail(c, err)
		return
	}
	s.calls.End(c.Param("id"))
	c.Status(http.StatusNoContent)
}

func (s *Server) assignSession(c *gin.Context) {
	var req api.AssignRequest
	if err := decode(c, s.cfg.MaxBodyBytes, &req); err != nil {
		fail(c, err)
		return
	}
	if req.ClientID == "" {
		fail(c, &api.Error{Code: api.CodeInvalidField, Field: "client_id", Message: "Choose the client to assign this session to."})
		return
	}
	sess, err := s.store.AssignSession(c.Request.Context(), caller(c), c.Param("id"), req)
	if err != nil {
		fail(c, err)
		return
	}
	s.respondSession(c, http.StatusOK, sess)
}

func (s *Server) endSession(c *gin.Context) {
	var req api.EndSessionRequest
	if err := decode(c, s.cfg.MaxBodyBytes, &req); err != nil {
		fail(c, err)
		return
	}
	sess, err := s.store.EndSession(c.Request.Context(), caller(c), c.Param("id"), req)
	if err != nil {
		fail(c, err)
		return
	}
	s.sessionEnded(c, sess.ID)
	s.respondSession(c, http.StatusOK, sess)
}

// sessionEnded closes the session's call and finishes a recording still
// being uploaded in chunks (the recorder's tab may be gone). The session
// has ended either way: a recording that cannot be finished now can be
// with POST /sessions/:id/recording/complete.
func (s *Server) sessionEnded(c *gin.Context, sessionID string) {
	s.calls.End(sessionID)
	if _, err := s.completeChunks(c, sessionID); err != nil {
		s.log.Warn("chunked recording not completed at session end", "request_id", requestID(c), "error_type", errorType(err))
	}
}
