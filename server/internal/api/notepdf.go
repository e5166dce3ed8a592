package api

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"time"

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
	var amendments []store.SessionAmendment
	if err == nil && n.SignedAt != nil {
		amendments, err = s.store.SessionAmendments(ctx, caller(c), n.SessionID)
	}
	if err != nil {
		fail(c, err)
		return
	}
	name, err := s.templateName(ctx, caller(c), n.Template)
	if err != nil {
		fail(c, err)
		return
	}
	doc := pdfNote(toNote(n, addenda, amendments), toSession(sess), name, loc)
	doc.UpdatedAt = n.UpdatedAt
	for _, a := range toNote(n, nil, amendments).Amendments {
		text, err := s.amendmentText(ctx, caller(c), a, loc)
		if err != nil {
			fail(c, err)
			return
		}
		doc.Amendments = append(doc.Amendments, notepdf.Addition{Text: text, At: a.At})
	}
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

// pdfNote is what the PDF of a note shows, amendments aside.
func pdfNote(n api.Note, sess api.Session, templateName string, loc *time.Location) notepdf.Note {
	out := notepdf.Note{
		TemplateName: templateName, ClientLabel: sess.DisplayLabel, DateOfService: sess.StartedAt,
		SignedAt: n.SignedAt, Location: loc,
	}
	if n.SignedBy != nil {
		out.SignedBy = n.SignedBy.Name
	}
	for _, sec := range n.Sections {
		out.Sections = append(out.Sections, notepdf.Section{Title: sec.Title, Text: sec.Text, NotDocumented: sec.NotDocumented})
	}
	for _, a := range n.Addenda {
		out.Addenda = append(out.Addenda, notepdf.Addition{Text: a.Text, At: a.CreatedAt})
	}
	return out
}

// amendmentFields name an amendment's field as the record reads.
var amendmentFields = map[string]string{
	"client": "Client", "type": "Session type", "started_at": "Start", "ended_at": "End",
	"summary": "Summary", "transcript": "Transcript",
}

// amendmentText says what an amendment changed and why: values as the
// clinician knows them (a client's name, a time in loc), a source's
// texts only as "replaced".
func (s *Server) amendmentText(ctx context.Context, clinicianID string, a api.Amendment, loc *time.Location) (string, error) {
	field := amendmentFields[a.Field]
	if field == "" {
		field = a.Field
	}
	value := func(v string) (string, error) {
		switch {
		case v == "":
			return "none", nil
		case a.Field == "client":
			kind, id, _ := strings.Cut(v, ":")
			if kind == "anonymous" {
				return api.Anonymous(id).Label(), nil
			}
			cl, err := s.store.Client(ctx, clinicianID, id)
			if store.IsNotFound(err) {
				return "a deleted client", nil
			}
			if err != nil {
				return "", err
			}
			return cl.DisplayName, nil
		case a.Field == "started_at" || a.Field == "ended_at":
			if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
				return notepdf.When(t, loc), nil
			}
		}
		return v, nil
	}
	text := field + " replaced"
	if a.Field != "summary" && a.Field != "transcript" {
		old, err := value(a.Old)
		if err != nil {
			return "", err
		}
		now, err := value(a.New)
		if err != nil {
			return "", err
		}
		text = field + ": " + old + " → " + now
	}
	return text + ". Reason: " + a.Reason, nil
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
