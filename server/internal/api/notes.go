package api

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/sidenote/sidenote/server/internal/audit"
	"github.com/sidenote/sidenote/server/internal/store"
	"github.com/sidenote/sidenote/shared/api"
)

func (s *Server) noteRoutes(r *gin.RouterGroup) {
	r.POST("/sessions/:id/notes", s.generateNote)
	r.GET("/sessions/:id/notes", s.listSessionNotes)
	r.GET("/notes/:id", s.getNote)
	r.PATCH("/notes/:id", s.updateNote)
	r.GET("/notes/:id/versions", s.noteVersions)
	r.GET("/notes/:id/pdf", s.notePDF)
	r.POST("/notes/:id/sign", s.signNote)
	r.POST("/notes/:id/retry", s.retryNote)
	r.POST("/notes/:id/left-out/:item/place", s.placeLeftOut)
	r.POST("/notes/:id/addenda", s.addAddendum)
	r.POST("/notes/:id/insertions", s.recordInsertion)
	r.GET("/notes/:id/insertions", s.listInsertions)
}

var errNoJobs = &api.Error{Code: api.CodeUnavailable, Message: "Background work is not running; notes cannot be generated right now."}

// generateNote answers 202 with the note in state generating; a job writes
// it. The same Idempotency-Key returns the first note again.
func (s *Server) generateNote(c *gin.Context) {
	var req api.GenerateNoteRequest
	if err := decode(c, s.cfg.MaxBodyBytes, &req); err != nil {
		fail(c, err)
		return
	}
	if s.jobs == nil {
		fail(c, errNoJobs)
		return
	}
	key := strings.TrimSpace(c.GetHeader("Idempotency-Key"))
	n, created, err := s.store.CreateNote(c.Request.Context(), caller(c), c.Param("id"), req.Template, key, s.jobs.GenerateNote(caller(c)))
	if err == nil && !created {
		// The same Idempotency-Key again: the note created the first time
		// (and audited then) is read back.
		err = s.recordRead(c, audit.NoteRead, n.ID)
	}
	s.respondNote(c, http.StatusAccepted, n, err)
}

// respondNote finishes a handler that read or changed one note: unless
// err, it writes the note with its addenda and status. The handler has
// audited a read; the store audits writes.
func (s *Server) respondNote(c *gin.Context, status int, n *store.Note, err error) {
	if err != nil {
		fail(c, err)
		return
	}
	addenda, err := s.store.Addenda(c.Request.Context(), caller(c), n.ID)
	var amendments []store.SessionAmendment
	if err == nil && n.SignedAt != nil {
		amendments, err = s.store.SessionAmendments(c.Request.Context(), caller(c), n.SessionID)
	}
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(status, toNote(n, addenda, amendments))
}

func (s *Server) listSessionNotes(c *gin.Context) {
	ns, err := s.store.SessionNotes(c.Request.Context(), caller(c), c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	out := make([]api.Note, len(ns))
	for i := range ns {
		out[i] = toNote(&ns[i], nil, nil)
		if err := s.recordRead(c, audit.NoteRead, ns[i].ID); err != nil {
			fail(c, err)
			return
		}
	}
	c.JSON(http.StatusOK, api.Page[api.Note]{Items: out})
}

func (s *Server) getNote(c *gin.Context) {
	n, err := s.store.Note(c.Request.Context(), caller(c), c.Param("id"))
	if err == nil {
		err = s.recordRead(c, audit.NoteRead, n.ID)
	}
	s.respondNote(c, http.StatusOK, n, err)
}

func (s *Server) updateNote(c *gin.Context) {
	var req api.UpdateNoteRequest
	if err := decode(c, s.cfg.MaxBodyBytes, &req); err != nil {
		fail(c, err)
		return
	}
	n, err := s.store.UpdateNote(c.Request.Context(), caller(c), c.Param("id"), req)
	s.respondNote(c, http.StatusOK, n, err)
}

// placeLeftOut puts a left-out item into a section the clinician chose.
func (s *Server) placeLeftOut(c *gin.Context) {
	var req api.PlaceLeftOutRequest
	if err := decode(c, s.cfg.MaxBodyBytes, &req); err != nil {
		fail(c, err)
		return
	}
	n, err := s.store.PlaceLeftOut(c.Request.Context(), caller(c), c.Param("id"), c.Param("item"), req)
	s.respondNote(c, http.StatusOK, n, err)
}

func (s *Server) noteVersions(c *gin.Context) {
	vs, err := s.store.NoteVersions(c.Request.Context(), caller(c), c.Param("id"))
	if err == nil {
		err = s.recordRead(c, audit.NoteRead, c.Param("id"))
	}
	if err != nil {
		fail(c, err)
		return
	}
	out := make([]api.NoteVersion, len(vs))
	for i, v := range vs {
		out[i] = api.NoteVersion{Version: v.Version, Sections: store.SectionsOf(v.Sections), CreatedAt: v.CreatedAt}
	}
	c.JSON(http.StatusOK, api.Page[api.NoteVersion]{Items: out})
}

func (s *Server) signNote(c *gin.Context) {
	var req api.SignNoteRequest
	if err := decode(c, s.cfg.MaxBodyBytes, &req); err != nil {
		fail(c, err)
		return
	}
	deleteAt := s.recordingDeleteAt()
	n, err := s.store.SignNote(c.Request.Context(), caller(c), c.Param("id"), req, deleteAt, s.purgeRecording(caller(c), deleteAt))
	s.respondNote(c, http.StatusOK, n, err)
}

func (s *Server) retryNote(c *gin.Context) {
	if s.jobs == nil {
		fail(c, errNoJobs)
		return
	}
	n, err := s.store.RetryNote(c.Request.Context(), caller(c), c.Param("id"), s.jobs.GenerateNote(caller(c)))
	s.respondNote(c, http.StatusAccepted, n, err)
}

func (s *Server) addAddendum(c *gin.Context) {
	var req api.TextRequest
	if err := decode(c, s.cfg.MaxBodyBytes, &req); err != nil {
		fail(c, err)
		return
	}
	a, err := s.store.AddAddendum(c.Request.Context(), caller(c), c.Param("id"), req.Text)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, api.Addendum{ID: a.ID, Text: a.Text, CreatedAt: a.CreatedAt})
}

func (s *Server) recordInsertion(c *gin.Context) {
	var req api.InsertionRequest
	if err := decode(c, s.cfg.MaxBodyBytes, &req); err != nil {
		fail(c, err)
		return
	}
	ins, err := s.store.RecordInsertion(c.Request.Context(), caller(c), c.Param("id"), req)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, toInsertion(ins))
}

func (s *Server) listInsertions(c *gin.Context) {
	is, err := s.store.Insertions(c.Request.Context(), caller(c), c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	out := make([]api.Insertion, len(is))
	for i := range is {
		out[i] = toInsertion(&is[i])
	}
	c.JSON(http.StatusOK, api.Page[api.Insertion]{Items: out})
}
