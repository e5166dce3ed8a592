package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/sidenote/sidenote/server/internal/audit"
	"github.com/sidenote/sidenote/server/internal/notes"
	"github.com/sidenote/sidenote/server/internal/store"
	"github.com/sidenote/sidenote/shared/api"
)

func (s *Server) planRoutes(r *gin.RouterGroup) {
	r.POST("/clients/:id/treatment-plan", s.clientTreatmentPlan)
	r.POST("/sessions/:id/treatment-plan", s.sessionTreatmentPlan)
}

// clientTreatmentPlan drafts a plan from the client's signed notes.
func (s *Server) clientTreatmentPlan(c *gin.Context) { s.treatmentPlan(c, c.Param("id")) }

// sessionTreatmentPlan drafts the plan of the session's client; an
// anonymous or unassigned session answers 409 session_unassigned.
func (s *Server) sessionTreatmentPlan(c *gin.Context) {
	clientID, err := s.store.ClientOfSession(c.Request.Context(), caller(c), c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	s.treatmentPlan(c, clientID)
}

// errNoSignedNotes refuses a plan that would have nothing to draw from: a
// plan is never filled with assumptions.
var errNoSignedNotes = &api.Error{
	Code:    api.CodeNoSource,
	Message: "This client has no signed notes yet. Sign at least one note first, then build the treatment plan.",
}

func (s *Server) treatmentPlan(c *gin.Context, clientID string) {
	ns, err := s.store.SignedNotesOfClient(c.Request.Context(), caller(c), clientID)
	if err == nil && len(ns) == 0 {
		err = errNoSignedNotes
	}
	if err == nil {
		err = s.recordRead(c, audit.PlanCreate, clientID)
	}
	if err != nil {
		fail(c, err)
		return
	}
	signed := make([]notes.SignedNote, 0, len(ns))
	for _, n := range ns {
		signed = append(signed, notes.SignedNote{ID: n.ID, SignedAt: *n.SignedAt, Sections: store.SectionsOf(n.Sections)})
	}
	c.JSON(http.StatusOK, notes.BuildTreatmentPlan(clientID, signed, s.store.Now()))
}
