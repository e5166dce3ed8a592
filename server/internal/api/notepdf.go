package api

import (
	"bytes"
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/sidenote/sidenote/server/internal/audit"
	"github.com/sidenote/sidenote/server/internal/notepdf"
	"github.com/sidenote/sidenote/server/internal/store"
	"github.com/sidenote/sidenote/shared/api"
)

// notePDF answers GET /notes/:id/pdf: the note as a PDF, audited as a
// read. ?tz= (an IANA zone such as Europe/Paris, default UTC) is the zone
// its times are shown in: the clinician's, which the server cannot know.
func (s *Server) notePDF(c *gin.Context) {
	ctx := c.Request.Context()
	loc, err := queryLocation(c)
	if err != nil {
		fail(c, err)
		return
	}
	n, err := s.store.Note(ctx, caller(c), c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	if n.Status == string(api.NoteGenerating) || n.Status == string(api.NoteFailed) {
		fail(c, &api.Error{Code: api.CodeConflict, Message: "This note has no content yet."})
		return
	}
	sess, err := s.store.Session(ctx, caller(c), n.SessionID)
	if err != nil {
		fail(c, err)
		return
	}
	addenda, err := s.store.Addenda(ctx, caller(c), n.ID)
	if err != nil {
		fail(c, err)
		return
	}
	name, err := s.templateName(ctx, caller(c), n.Template)
	if err != nil {
		fail(c, err)
		return
	}
	doc := pdfNote(n, toSession(sess), addenda, name)
	doc.Location = loc
	var buf bytes.Buffer
	if err := notepdf.Write(&buf, doc); err != nil {
		fail(c, err)
		return
	}
	if err := s.recordRead(c, audit.NoteRead, n.ID); err != nil {
		fail(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="progress-note-`+sess.StartedAt.In(loc).Format("2006-01-02")+`.pdf"`)
	c.Data(http.StatusOK, "application/pdf", buf.Bytes())
}

// pdfNote is what the PDF of a note shows.
func pdfNote(n *store.Note, sess api.Session, addenda []store.NoteAddendum, templateName string) notepdf.Note {
	out := notepdf.Note{
		TemplateName: templateName, ClientLabel: sess.DisplayLabel, DateOfService: sess.StartedAt,
		SignedAt: n.SignedAt, UpdatedAt: n.UpdatedAt,
	}
	if n.SignedByName != nil {
		out.SignedBy = *n.SignedByName
	}
	for _, sec := range store.SectionsOf(n.Sections) {
		out.Sections = append(out.Sections, notepdf.Section{Title: sec.Title, Text: sec.Text, NotDocumented: sec.NotDocumented})
	}
	for _, a := range addenda {
		out.Addenda = append(out.Addenda, notepdf.Addition{Text: a.Text, At: a.CreatedAt})
	}
	return out
}

// templateName is the name of a note's template as the clinician knows
// it; empty for a template since deleted.
func (s *Server) templateName(ctx context.Context, clinicianID, id string) (string, error) {
	t, err := s.store.NoteTemplate(ctx, clinicianID, id)
	if store.IsNotFound(err) {
		return "", nil
	}
	return t.Name, err
}
