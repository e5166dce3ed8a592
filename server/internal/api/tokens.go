package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/sidenote/sidenote/shared/api"
)

func (s *Server) tokenRoutes(r *gin.RouterGroup) {
	r.GET("/tokens", s.listTokens)
	r.DELETE("/tokens/:id", s.revokeToken)
}

// listTokens lists the caller's live tokens and browser sessions, never
// their secrets.
func (s *Server) listTokens(c *gin.Context) {
	ts, err := s.store.ListTokens(c.Request.Context(), caller(c))
	if err != nil {
		fail(c, err)
		return
	}
	page := api.Page[api.Token]{Items: make([]api.Token, len(ts))}
	for i, t := range ts {
		page.Items[i] = api.Token{
			ID: t.ID, Kind: t.Kind, Label: t.Label, Current: t.ID == c.GetString(ctxTokenID),
			CreatedAt: t.CreatedAt, LastUsedAt: t.LastUsedAt, ExpiresAt: t.ExpiresAt,
		}
	}
	c.JSON(http.StatusOK, page)
}

// revokeToken revokes one of the caller's tokens, the current one
// included: its next use answers 401.
func (s *Server) revokeToken(c *gin.Context) {
	id := c.Param("id")
	if err := s.store.RevokeToken(c.Request.Context(), caller(c), id); err != nil {
		fail(c, err)
		return
	}
	if id == c.GetString(ctxTokenID) && s.cookie(c, sessionCookie) != "" && c.GetHeader("Authorization") == "" {
		s.setCookie(c, sessionCookie, "", -1)
	}
	c.Status(http.StatusNoContent)
}
