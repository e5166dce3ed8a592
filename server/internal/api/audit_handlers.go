package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/sidenote/sidenote/server/internal/audit"
	"github.com/sidenote/sidenote/server/internal/store"
	"github.com/sidenote/sidenote/shared/api"
)

// auditRoutes exposes the caller's audit log, read-only: no route creates,
// changes or deletes audit events except by doing what they record.
func (s *Server) auditRoutes(r *gin.RouterGroup) {
	r.GET("/audit", s.listAudit)
}

// listAudit answers the caller's own events, newest first, keyset-paginated.
func (s *Server) listAudit(c *gin.Context) {
	limit, err := queryLimit(c)
	if err != nil {
		fail(c, err)
		return
	}
	limit = store.ClampLimit(limit)
	var before *audit.Event
	if cursor := c.Query("cursor"); cursor != "" {
		at, id, err := store.DecodeTimeCursor(cursor)
		if err != nil {
			fail(c, err)
			return
		}
		before = &audit.Event{CreatedAt: at, ID: id}
	}
	// One more than asked tells whether another page follows.
	events, err := s.audit.List(c.Request.Context(), caller(c), limit+1, before)
	if err != nil {
		fail(c, err)
		return
	}
	events, next := store.TrimPage(events, limit, func(last audit.Event) string { return store.EncodeTimeCursor(last.CreatedAt, last.ID) })
	page := api.Page[api.AuditEvent]{Items: []api.AuditEvent{}, NextCursor: next}
	for _, e := range events {
		page.Items = append(page.Items, api.AuditEvent{
			ID: e.ID, Action: e.Action, ResourceID: e.ResourceID, RequestID: e.RequestID,
			ClientIP: e.ClientIP, Detail: e.Detail, CreatedAt: e.CreatedAt,
		})
	}
	c.JSON(http.StatusOK, page)
}
