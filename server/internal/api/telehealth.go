package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sidenote/sidenote/server/internal/store"
	"github.com/sidenote/sidenote/shared/api"
)

// joinLinkTTL is how long a guest can use a telehealth join link.
const joinLinkTTL = 24 * time.Hour

func (s *Server) telehealthRoutes(r *gin.RouterGroup) {
	r.GET("/sessions/:id/telehealth", s.getTelehealthLink)
	r.POST("/sessions/:id/telehealth", s.renewTelehealthLink)
}

// joinURL opens a guest link for a telehealth session and returns its URL.
func (s *Server) joinURL(c *gin.Context, sessionID string) (string, *store.TelehealthLink, error) {
	code, link, err := s.store.OpenTelehealthLink(c.Request.Context(), caller(c), sessionID, joinLinkTTL)
	if err != nil {
		return "", nil, err
	}
	return s.cfg.PublicURL + "/join/" + code, link, nil
}

// getTelehealthLink tells the clinician whether the guest joined and
// consented, and, while the session is open and the link unexpired, the
// join URL to copy again.
func (s *Server) getTelehealthLink(c *gin.Context) {
	ctx := c.Request.Context()
	sess, err := s.store.Session(ctx, caller(c), c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	link, err := s.store.TelehealthLinkOf(ctx, caller(c), sess.ID)
	if err != nil {
		fail(c, err)
		return
	}
	url := ""
	if sess.EndedAt == nil && link.JoinCode != "" && link.ExpiresAt.After(s.store.Now()) {
		url = s.cfg.PublicURL + "/join/" + link.JoinCode
	}
	c.JSON(http.StatusOK, toTelehealthLink(link, url))
}

// renewTelehealthLink replaces a telehealth session's join link (lost or
// expired); the previous code stops working.
func (s *Server) renewTelehealthLink(c *gin.Context) {
	sess, err := s.store.Session(c.Request.Context(), caller(c), c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	if sess.Type != string(api.SessionTelehealth) {
		fail(c, &api.Error{Code: api.CodeConflict, Message: "Only a telehealth session has a join link."})
		return
	}
	if sess.EndedAt != nil {
		fail(c, &api.Error{Code: api.CodeConflict, Message: "This session has ended; its join link cannot be renewed."})
		return
	}
	url, link, err := s.joinURL(c, sess.ID)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, toTelehealthLink(link, url))
}

func toTelehealthLink(l *store.TelehealthLink, joinURL string) api.TelehealthLink {
	return api.TelehealthLink{
		JoinURL: joinURL, ExpiresAt: l.ExpiresAt,
		GuestJoinedAt: l.GuestJoinedAt, GuestConsentedAt: l.GuestConsentedAt,
	}
}

// respondTelehealthSession answers a new telehealth session with the guest's
// join URL.
func (s *Server) respondTelehealthSession(c *gin.Context, sess *store.Session) {
	url, _, err := s.joinURL(c, sess.ID)
	if err != nil {
		fail(c, err)
		return
	}
	hist, err := s.store.SessionHistory(c.Request.Context(), caller(c), sess.ID)
	if err != nil {
		fail(c, err)
		return
	}
	out := toSession(sess)
	out.History = toAssignments(hist)
	out.JoinURL = url
	c.JSON(http.StatusCreated, out)
}
