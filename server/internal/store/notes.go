package store

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/sidenote/sidenote/server/internal/audit"
	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/shared/note"
)

// Note is a progress note. Sections is the JSON of []note.Section and
// LeftOut of []note.LeftOut; both are sealed at rest.
type Note struct {
	ID             string
	ClinicianID    string
	SessionID      string
	Template       string
	Status         string
	FailureReason  string
	Version        int
	Sections       string
	LeftOut        string
	RiskMentioned  bool
	Generator      string
	GeneratorNote  string
	IdempotencyKey *string
	SignedAt       *time.Time
	SignedByID     *string
	SignedByName   *string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// NoteVersion is one saved version of a note's sections.
type NoteVersion struct {
	NoteID    string
	Version   int
	Sections  string
	CreatedAt time.Time
}

// NoteAddendum is text added to a signed note.
type NoteAddendum struct {
	ID          string
	NoteID      string
	ClinicianID string
	Text        string
	CreatedAt   time.Time
}

// TableName binds NoteAddendum to note_addenda.
func (NoteAddendum) TableName() string { return "note_addenda" }

// NoteInsertion is a receipt of where a note was inserted.
type NoteInsertion struct {
	ID          string
	NoteID      string
	ClinicianID string
	Origin      string
	NoteVersion int
	Fields      string
	CreatedAt   time.Time
}

// SectionsOf decodes a note's sections.
func SectionsOf(raw string) []note.Section { return jsonList[note.Section](raw) }

// jsonList decodes a JSON list this package wrote; empty, never nil, when
// there is none.
func jsonList[T any](raw string) []T {
	var out []T
	if raw != "" {
		_ = json.Unmarshal([]byte(raw), &out) // written only by this package
	}
	if out == nil {
		out = []T{}
	}
	return out
}

func encodeSections(ss []note.Section) string {
	b, _ := json.Marshal(ss)
	return string(b)
}

// Enqueue schedules background work inside the transaction that creates
// the row it works on, so a job exists exactly when its row does.
type Enqueue func(tx *gorm.DB, noteID string) error

var (
	errNoteSigned     = &api.Error{Code: api.CodeNoteSigned, Message: "This note is signed and can no longer be edited; add an addendum instead."}
	errNoteGenerating = &api.Error{Code: api.CodeConflict, Message: "This note is still being written; wait until it is ready."}
	errNoSource       = &api.Error{Code: api.CodeNoSource, Message: "Add a summary or a transcript to the session before generating a note."}
)

// CreateNote starts generating a note of the template for a session. With a
// non-empty idempotency key, asking again for the same session and template
// returns the note created the first time (created is false then).
func (s *Store) CreateNote(ctx context.Context, clinicianID, sessionID string, tmpl note.TemplateID, idempotencyKey string, enqueue Enqueue) (n *Note, created bool, err error) {
	if _, err := s.NoteTemplate(ctx, clinicianID, string(tmpl)); err != nil {
		if IsNotFound(err) {
			return nil, false, invalid("template", "template must be one of soap, dap, birp, girp, narrative or the id of one of your templates.")
		}
		return nil, false, err
	}
	if len(idempotencyKey) > 200 {
		return nil, false, invalid("Idempotency-Key", "The Idempotency-Key header is too long (200 characters at most).")
	}
	if _, err := s.Session(ctx, clinicianID, sessionID); err != nil {
		return nil, false, err
	}
	var key *string
	if idempotencyKey != "" {
		key = &idempotencyKey
		if existing, err := s.noteByIdempotencyKey(ctx, clinicianID, sessionID, tmpl, idempotencyKey); err == nil {
			return existing, false, nil
		}
	}
	summary, transcript, err := s.Sources(ctx, clinicianID, sessionID)
	if err != nil {
		return nil, false, err
	}
	if strings.TrimSpace(summary) == "" && strings.TrimSpace(transcript) == "" {
		return nil, false, errNoSource
	}
	now := s.now()
	n = &Note{
		ID: NewID(), ClinicianID: clinicianID, SessionID: sessionID, Template: string(tmpl),
		Status: string(api.NoteGenerating), Sections: "[]", LeftOut: "[]", IdempotencyKey: key, CreatedAt: now, UpdatedAt: now,
	}
	err = s.Transaction(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(n).Error; err != nil {
			return err
		}
		if err := setSessionNoteStatus(tx, clinicianID, sessionID, api.NoteGenerating); err != nil {
			return err
		}
		if err := enqueue(tx, n.ID); err != nil {
			return err
		}
		return audit.RecordTx(ctx, tx, audit.NoteCreate, n.ID)
	})
	if errors.Is(err, gorm.ErrDuplicatedKey) && key != nil {
		// Another request with the same key won the race.
		existing, err := s.noteByIdempotencyKey(ctx, clinicianID, sessionID, tmpl, idempotencyKey)
		return existing, false, err
	}
	if err != nil {
		return nil, false, dbError(err, "Note")
	}
	return n, true, nil
}

func (s *Store) noteByIdempotencyKey(ctx context.Context, clinicianID, sessionID string, tmpl note.TemplateID, key string) (*Note, error) {
	var n Note
	err := s.db.WithContext(ctx).
		Where("clinician_id = ? AND session_id = ? AND template = ? AND idempotency_key = ?", clinicianID, sessionID, string(tmpl), key).
		Take(&n).Error
	if err != nil {
		return nil, dbError(err, "Note")
	}
	return &n, nil
}

func setSessionNoteStatus(tx *gorm.DB, clinicianID, sessionID string, status api.NoteStatus) error {
	return tx.Model(&Session{}).Where("id = ? AND clinician_id = ?", sessionID, clinicianID).
		Update("note_status", string(status)).Error
}

// Note returns one of the clinician's notes.
func (s *Store) Note(ctx context.Context, clinicianID, id string) (*Note, error) {
	return owned[Note](ctx, s, clinicianID, id, "Note")
}

// SessionNotes returns a session's notes, newest first.
func (s *Store) SessionNotes(ctx context.Context, clinicianID, sessionID string) ([]Note, error) {
	if _, err := s.Session(ctx, clinicianID, sessionID); err != nil {
		return nil, err
	}
	var ns []Note
	err := s.db.WithContext(ctx).Where("session_id = ? AND clinician_id = ?", sessionID, clinicianID).
		Order("created_at DESC, id DESC").Find(&ns).Error
	return ns, dbError(err, "Note")
}

// GeneratedNote is what a generator wrote, in the store's terms (the job
// that runs the generator converts its result), so the store does not
// depend on the generators.
type GeneratedNote struct {
	Sections      []note.Section
	LeftOut       []note.LeftOut
	RiskMentioned bool
	Generator     string
	GeneratorNote string
}

// CompleteNote stores the generated note: its sections as version 1, what
// it left out, the risk flag and which generator wrote it, and marks the
// note ready. A note that is no longer generating is left alone, so a job
// that runs twice changes nothing the second time.
func (s *Store) CompleteNote(ctx context.Context, clinicianID, id string, g GeneratedNote) error {
	err := s.Transaction(ctx, func(tx *gorm.DB) error {
		var n Note
		if err := tx.Where("id = ? AND clinician_id = ?", id, clinicianID).Take(&n).Error; err != nil {
			return err
		}
		if n.Status != string(api.NoteGenerating) {
			return nil
		}
		now := s.now()
		raw := encodeSections(g.Sections)
		version := n.Version + 1
		res := tx.Model(&Note{}).Where("id = ? AND status = ?", id, api.NoteGenerating).Updates(map[string]any{
			"status": string(api.NoteReady), "sections": raw, "version": version, "generator": g.Generator,
			"left_out": encodeLeftOut(uniqueLeftOutIDs(g.LeftOut)), "risk_mentioned": g.RiskMentioned,
			"generator_note": g.GeneratorNote, "failure_reason": "", "updated_at": now,
		})
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		if err := tx.Create(&NoteVersion{NoteID: id, Version: version, Sections: raw, CreatedAt: now}).Error; err != nil {
			return err
		}
		return setSessionNoteStatus(tx, clinicianID, n.SessionID, api.NoteReady)
	})
	return dbError(err, "Note")
}

// FailNote marks a generating note failed with a reason the clinician can
// read; generating again is possible.
func (s *Store) FailNote(ctx context.Context, clinicianID, id, reason string) error {
	err := s.Transaction(ctx, func(tx *gorm.DB) error {
		var n Note
		if err := tx.Where("id = ? AND clinician_id = ?", id, clinicianID).Take(&n).Error; err != nil {
			return err
		}
		if n.Status != string(api.NoteGenerating) {
			return nil
		}
		err := tx.Model(&Note{}).Where("id = ?", id).Updates(map[string]any{
			"status": string(api.NoteFailed), "failure_reason": reason, "updated_at": s.now(),
		}).Error
		if err != nil {
			return err
		}
		return setSessionNoteStatus(tx, clinicianID, n.SessionID, api.NoteFailed)
	})
	return dbError(err, "Note")
}

// RetryNote generates a failed note again.
func (s *Store) RetryNote(ctx context.Context, clinicianID, id string, enqueue Enqueue) (*Note, error) {
	n, err := s.Note(ctx, clinicianID, id)
	if err != nil {
		return nil, err
	}
	if n.Status != string(api.NoteFailed) {
		return nil, &api.Error{Code: api.CodeConflict, Message: "Only a note whose generation failed can be retried."}
	}
	summary, transcript, err := s.Sources(ctx, clinicianID, n.SessionID)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(summary) == "" && strings.TrimSpace(transcript) == "" {
		return nil, errNoSource
	}
	err = s.Transaction(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&Note{}).Where("id = ? AND status = ?", id, api.NoteFailed).
			Updates(map[string]any{"status": string(api.NoteGenerating), "failure_reason": "", "updated_at": s.now()})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return &api.Error{Code: api.CodeConflict, Message: "This note is already being generated again."}
		}
		if err := setSessionNoteStatus(tx, clinicianID, n.SessionID, api.NoteGenerating); err != nil {
			return err
		}
		if err := enqueue(tx, id); err != nil {
			return err
		}
		return audit.RecordTx(ctx, tx, audit.NoteCreate, id)
	})
	if err != nil {
		return nil, dbError(err, "Note")
	}
	return s.Note(ctx, clinicianID, id)
}

// checkEditable refuses changes to a signed note or one still being written.
func checkEditable(n *Note) error {
	switch api.NoteStatus(n.Status) {
	case api.NoteSigned:
		return errNoteSigned
	case api.NoteGenerating:
		return errNoteGenerating
	}
	return nil
}

var errVersionConflict = &api.Error{Code: api.CodeVersionConflict, Message: "This note was changed elsewhere since you opened it. Both versions are kept: reload to compare."}

// UpdateNote saves edited sections as a new version. expected is the
// version the clinician last saw: a stale one is a conflict and nothing is
// overwritten.
func (s *Store) UpdateNote(ctx context.Context, clinicianID, id string, req api.UpdateNoteRequest) (*Note, error) {
	n, err := s.editableNote(ctx, clinicianID, id, req.Version)
	if err != nil {
		return nil, err
	}
	if len(req.Sections) == 0 {
		return nil, invalid("sections", "Send at least one section to save.")
	}
	sections := sectionsOrTemplate(n)
	for i, e := range req.Sections {
		idx := sectionIndex(sections, e.Key)
		if idx < 0 {
			return nil, invalid("sections["+itoa(i)+"].key", "This note has no section "+quote(e.Key)+".")
		}
		if !utf8.ValidString(e.Text) {
			return nil, &api.Error{Code: api.CodeInvalidUTF8, Message: "The text is not valid UTF-8."}
		}
		if sections[idx].Text != e.Text {
			editSection(&sections[idx], e.Text)
		}
	}
	return s.saveVersion(ctx, n, req.Version, sections, nil)
}

// editableNote returns the note the clinician means to change, refusing a
// signed note, one still being written, or a stale version.
func (s *Store) editableNote(ctx context.Context, clinicianID, id string, version int) (*Note, error) {
	n, err := s.Note(ctx, clinicianID, id)
	if err != nil {
		return nil, err
	}
	if err := checkEditable(n); err != nil {
		return nil, err
	}
	// Checked here as well as in the update, so that a version no note can
	// have (beyond PostgreSQL's integer) is a conflict, not a database error.
	if version != n.Version {
		return nil, errVersionConflict
	}
	return n, nil
}

// sectionsOrTemplate returns the note's sections; a failed note has none
// yet, so it starts from the template's, empty.
func sectionsOrTemplate(n *Note) []note.Section {
	sections := SectionsOf(n.Sections)
	if len(sections) == 0 {
		tmpl, _ := note.Lookup(note.TemplateID(n.Template))
		for _, d := range tmpl.Sections {
			sections = append(sections, note.Section{Key: d.Key, Title: d.Title, Aliases: d.Aliases, NotDocumented: true, Sources: []note.Span{}})
		}
	}
	return sections
}

func sectionIndex(sections []note.Section, key string) int {
	for i := range sections {
		if sections[i].Key == key {
			return i
		}
	}
	return -1
}

// saveVersion stores sections (and leftOut, unless nil) as the version
// after expected, in one audited transaction; another save since expected
// is a conflict.
func (s *Store) saveVersion(ctx context.Context, n *Note, expected int, sections []note.Section, leftOut []note.LeftOut) (*Note, error) {
	raw := encodeSections(sections)
	version := expected + 1
	now := s.now()
	updates := map[string]any{"sections": raw, "version": version, "status": string(api.NoteReady), "failure_reason": "", "updated_at": now}
	rawLeftOut := n.LeftOut
	if leftOut != nil {
		rawLeftOut = encodeLeftOut(leftOut)
		updates["left_out"] = rawLeftOut
	}
	err := s.Transaction(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&Note{}).
			Where("id = ? AND clinician_id = ? AND version = ? AND status IN ?", n.ID, n.ClinicianID, expected, []string{string(api.NoteReady), string(api.NoteFailed)}).
			Updates(updates)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return errVersionConflict
		}
		if err := tx.Create(&NoteVersion{NoteID: n.ID, Version: version, Sections: raw, CreatedAt: now}).Error; err != nil {
			return err
		}
		if err := setSessionNoteStatus(tx, n.ClinicianID, n.SessionID, api.NoteReady); err != nil {
			return err
		}
		return audit.RecordTx(ctx, tx, audit.NoteWrite, n.ID)
	})
	if err != nil {
		return nil, dbError(err, "Note")
	}
	n.Sections, n.LeftOut, n.Version, n.Status, n.FailureReason, n.UpdatedAt = raw, rawLeftOut, version, string(api.NoteReady), "", now
	return n, nil
}

// NoteVersions returns every saved version of a note, newest first.
func (s *Store) NoteVersions(ctx context.Context, clinicianID, id string) ([]NoteVersion, error) {
	if _, err := s.Note(ctx, clinicianID, id); err != nil {
		return nil, err
	}
	var vs []NoteVersion
	err := s.db.WithContext(ctx).Where("note_id = ?", id).Order("version DESC").Find(&vs).Error
	return vs, dbError(err, "Note")
}

// AddAddendum adds text to a signed note.
func (s *Store) AddAddendum(ctx context.Context, clinicianID, id, text string) (*NoteAddendum, error) {
	n, err := s.Note(ctx, clinicianID, id)
	if err != nil {
		return nil, err
	}
	if n.Status != string(api.NoteSigned) {
		return nil, &api.Error{Code: api.CodeConflict, Message: "Addenda are for signed notes; edit the note itself until it is signed."}
	}
	if strings.TrimSpace(text) == "" {
		return nil, invalid("text", "Write the addendum first.")
	}
	a := &NoteAddendum{ID: NewID(), NoteID: id, ClinicianID: clinicianID, Text: text, CreatedAt: s.now()}
	err = s.Transaction(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(a).Error; err != nil {
			return err
		}
		return audit.RecordTx(ctx, tx, audit.NoteWrite, id)
	})
	if err != nil {
		return nil, dbError(err, "Note")
	}
	return a, nil
}

// Addenda returns a note's addenda, oldest first.
func (s *Store) Addenda(ctx context.Context, clinicianID, noteID string) ([]NoteAddendum, error) {
	var as []NoteAddendum
	err := s.db.WithContext(ctx).Where("note_id = ? AND clinician_id = ?", noteID, clinicianID).
		Order("created_at, id").Find(&as).Error
	return as, dbError(err, "Note")
}

// RecordInsertion keeps a receipt of where a note version was inserted:
// the page's origin and field labels, never page content.
func (s *Store) RecordInsertion(ctx context.Context, clinicianID, id string, req api.InsertionRequest) (*NoteInsertion, error) {
	n, err := s.Note(ctx, clinicianID, id)
	if err != nil {
		return nil, err
	}
	u, perr := url.Parse(req.Origin)
	if perr != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, invalid("origin", "origin must be a web origin such as https://ehr.example.com.")
	}
	if req.NoteVersion < 1 || req.NoteVersion > n.Version {
		return nil, invalid("note_version", "note_version must be a version this note has.")
	}
	if len(req.Fields) == 0 {
		return nil, invalid("fields", "List at least one field the note went into.")
	}
	tmpl, err := s.NoteTemplate(ctx, clinicianID, n.Template)
	if err != nil && !IsNotFound(err) {
		return nil, err
	}
	for i, f := range req.Fields {
		if !hasSection(tmpl, f.Section) && f.Section != "note" {
			return nil, invalid("fields["+itoa(i)+"].section", "This note has no section "+quote(f.Section)+".")
		}
		if strings.TrimSpace(f.FieldLabel) == "" || utf8.RuneCountInString(f.FieldLabel) > maxNameLen {
			return nil, invalid("fields["+itoa(i)+"].field_label", "field_label must be 1 to 200 characters.")
		}
	}
	fields, _ := json.Marshal(req.Fields)
	ins := &NoteInsertion{
		ID: NewID(), NoteID: id, ClinicianID: clinicianID, Origin: strings.TrimSuffix(req.Origin, "/"),
		NoteVersion: req.NoteVersion, Fields: string(fields), CreatedAt: s.now(),
	}
	err = s.Transaction(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(ins).Error; err != nil {
			return err
		}
		return audit.RecordTx(ctx, tx, audit.NoteInsert, id)
	})
	if err != nil {
		return nil, dbError(err, "Note")
	}
	return ins, nil
}

func hasSection(t note.Template, key string) bool {
	for _, d := range t.Sections {
		if d.Key == key {
			return true
		}
	}
	return false
}

// Insertions returns a note's insertion receipts, newest first.
func (s *Store) Insertions(ctx context.Context, clinicianID, id string) ([]NoteInsertion, error) {
	if _, err := s.Note(ctx, clinicianID, id); err != nil {
		return nil, err
	}
	var is []NoteInsertion
	err := s.db.WithContext(ctx).Where("note_id = ? AND clinician_id = ?", id, clinicianID).
		Order("created_at DESC, id DESC").Find(&is).Error
	return is, dbError(err, "Note")
}
