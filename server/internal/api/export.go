package api

import (
	"encoding/json"
	"io"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sidenote/sidenote/server/internal/audit"
	"github.com/sidenote/sidenote/server/internal/store"
	"github.com/sidenote/sidenote/shared/api"
)

// The export document: one JSON object holding everything Sidenote keeps
// about the clinician, in the API's own types where one exists.
//
//	{"format":"sidenote-export","format_version":1,"exported_at":"…",
//	 "clinician":{…},"clients":[…],"sessions":[…],"audit_events":[…]}
//
// Treatment plans are not stored (they are drafted on request), so there
// are none to export.
const (
	exportFormat  = "sidenote-export"
	exportVersion = 1
)

type exportHeader struct {
	Format        string        `json:"format"`
	FormatVersion int           `json:"format_version"`
	ExportedAt    time.Time     `json:"exported_at"`
	Clinician     api.Clinician `json:"clinician"`
}

// exportSession is a session with its inputs and notes. Summary and
// Transcript are what the clinician wrote or what was transcribed.
type exportSession struct {
	api.Session
	ClientID   *string             `json:"client_id"`
	DeletedAt  *time.Time          `json:"deleted_at"`
	Summary    *exportSource       `json:"summary"`
	Transcript *exportSource       `json:"transcript"`
	Recording  *api.Recording      `json:"recording"` // metadata only: the audio is not in the export
	Telehealth *api.TelehealthLink `json:"telehealth"`
	Notes      []exportNote        `json:"notes"`
}

type exportSource struct {
	Text      string    `json:"text"`
	UpdatedAt time.Time `json:"updated_at"`
}

type exportNote struct {
	api.Note
	Versions   []api.NoteVersion `json:"versions"` // oldest first
	Insertions []api.Insertion   `json:"insertions"`
}

func (s *Server) exportRoutes(r *gin.RouterGroup) {
	r.GET("/export", s.export)
}

// export streams the caller's data batch by batch, so its size never
// sits in memory. Once the first byte is sent the status cannot change: a
// failure after that aborts the connection, so a client never takes a
// truncated export for a whole one.
func (s *Server) export(c *gin.Context) {
	ctx := c.Request.Context()
	clin, err := s.store.ClinicianByID(ctx, caller(c))
	if err == nil {
		err = s.recordRead(c, audit.Export, clin.ID)
	}
	if err != nil {
		fail(c, err)
		return
	}
	now := s.store.Now()
	c.Header("Content-Type", "application/json; charset=utf-8")
	c.Header("Content-Disposition", `attachment; filename="sidenote-export-`+now.Format("2006-01-02")+`.json"`)
	c.Status(http.StatusOK)
	if err := s.writeExport(c, clin, now); err != nil {
		s.log.Error("export failed", "request_id", requestID(c), "error_type", errorType(err))
		panic(http.ErrAbortHandler)
	}
}

func (s *Server) writeExport(c *gin.Context, clin *store.Clinician, now time.Time) error {
	ctx := c.Request.Context()
	w := &exportWriter{w: c.Writer, enc: json.NewEncoder(c.Writer)}
	w.enc.SetEscapeHTML(false)
	header, _ := json.Marshal(exportHeader{
		Format: exportFormat, FormatVersion: exportVersion, ExportedAt: now,
		Clinician: api.Clinician{ID: clin.ID, Email: clin.Email, Name: clin.Name, CreatedAt: clin.CreatedAt},
	})
	w.raw(header[:len(header)-1]) // the header's fields, then the lists

	w.startList("clients")
	err := s.store.ExportClients(ctx, clin.ID, func(cs []store.Client) error {
		for i := range cs {
			w.item(toClient(&cs[i]))
		}
		return w.err
	})
	w.endList()
	if err != nil {
		return err
	}

	w.startList("sessions")
	err = s.store.ExportSessions(ctx, clin.ID, func(rs []store.SessionRecord) error {
		for i := range rs {
			w.item(toExportSession(&rs[i]))
		}
		return w.err
	})
	w.endList()
	if err != nil {
		return err
	}

	w.startList("audit_events")
	var before *audit.Event
	for {
		events, err := s.audit.List(ctx, clin.ID, store.MaxLimit, before)
		if err != nil {
			return err
		}
		for _, e := range events {
			w.item(api.AuditEvent{ID: e.ID, Action: e.Action, ResourceID: e.ResourceID, RequestID: e.RequestID, ClientIP: e.ClientIP, Detail: e.Detail, CreatedAt: e.CreatedAt})
		}
		if w.err != nil || len(events) < store.MaxLimit {
			break
		}
		before = &events[len(events)-1]
	}
	w.endList()
	w.raw([]byte("}\n"))
	return w.err
}

func toExportSession(r *store.SessionRecord) exportSession {
	out := exportSession{
		Session: toSession(&r.Session), ClientID: r.Session.ClientID, Notes: make([]exportNote, len(r.Notes)),
	}
	out.History = toAssignments(r.History)
	if r.Session.DeletedAt.Valid {
		out.DeletedAt = &r.Session.DeletedAt.Time
	}
	for _, src := range r.Sources {
		v := &exportSource{Text: src.Text, UpdatedAt: src.UpdatedAt}
		switch src.Kind {
		case store.SourceSummary:
			out.Summary = v
		case store.SourceTranscript:
			out.Transcript = v
		}
	}
	if r.Recording != nil {
		rec := toRecording(r.Recording)
		out.Recording = &rec
	}
	if r.Telehealth != nil {
		link := toTelehealthLink(r.Telehealth, "") // only a hash of the code is kept
		out.Telehealth = &link
	}
	for i, n := range r.Notes {
		en := exportNote{Note: toNote(&n.Note, n.Addenda, r.Amendments), Versions: make([]api.NoteVersion, len(n.Versions)), Insertions: make([]api.Insertion, len(n.Insertions))}
		for j, v := range n.Versions {
			en.Versions[j] = api.NoteVersion{Version: v.Version, Sections: store.SectionsOf(v.Sections), CreatedAt: v.CreatedAt}
		}
		for j := range n.Insertions {
			en.Insertions[j] = toInsertion(&n.Insertions[j])
		}
		out.Notes[i] = en
	}
	return out
}

// exportWriter writes the document's lists item by item and keeps the
// first write error, after which it writes nothing.
type exportWriter struct {
	w     io.Writer
	enc   *json.Encoder
	first bool // no item written yet in the current list
	err   error
}

func (w *exportWriter) raw(b []byte) {
	if w.err == nil {
		_, w.err = w.w.Write(b)
	}
}

func (w *exportWriter) startList(name string) {
	w.raw([]byte(`,"` + name + `":[`))
	w.first = true
}

func (w *exportWriter) item(v any) {
	if !w.first {
		w.raw([]byte(","))
	}
	w.first = false
	if w.err == nil {
		w.err = w.enc.Encode(v)
	}
}

func (w *exportWriter) endList() { w.raw([]byte("]")) }
