package store

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
	"gorm.io/gorm"

	"github.com/sidenote/sidenote/server/internal/audit"
	"github.com/sidenote/sidenote/shared/api"
)

func validSessionType(t api.SessionType) bool {
	switch t {
	case api.SessionInPerson, api.SessionTelehealth, api.SessionDictation, api.SessionUploadedRecording, api.SessionWrittenSummary:
		return true
	}
	return false
}

func validAnonymous(a api.Anonymous) bool {
	return a == api.AnonymousIndividual || a == api.AnonymousCouple
}

func validConsentMethod(m api.ConsentMethod) bool {
	return m == api.ConsentVerbal || m == api.ConsentWritten || m == api.ConsentElectronic
}

// resolveAssignment checks a client_id/anonymous pair: at most one may be
// set, and required says whether one must be. The client must be the
// clinician's and not archived.
func (s *Store) resolveAssignment(ctx context.Context, clinicianID string, clientID *string, anonymous *api.Anonymous, required bool) (*Client, *string, error) {
	switch {
	case clientID != nil && anonymous != nil:
		return nil, nil, invalid("anonymous", "Choose either a client or an anonymous session, not both.")
	case clientID == nil && anonymous == nil:
		if required {
			return nil, nil, invalid("client_id", "Choose a client, or Anonymous individual or Anonymous couple.")
		}
		return nil, nil, nil
	case anonymous != nil:
		if !validAnonymous(*anonymous) {
			return nil, nil, invalid("anonymous", "anonymous must be individual or couple.")
		}
		a := string(*anonymous)
		return nil, &a, nil
	}
	c, err := s.Client(ctx, clinicianID, *clientID)
	if err != nil {
		if e, ok := err.(*api.Error); ok {
			e.Field = "client_id"
		}
		return nil, nil, err
	}
	if c.ArchivedAt != nil {
		return nil, nil, invalid("client_id", "This client is archived; restore the profile or choose another client.")
	}
	return c, nil, nil
}

// CreateSession starts a session. Consent is required for every session,
// anonymous or not.
func (s *Store) CreateSession(ctx context.Context, clinicianID string, req api.CreateSessionRequest) (*Session, error) {
	if !validSessionType(req.Type) {
		return nil, invalid("type", "type must be in_person, telehealth, dictation, uploaded_recording or written_summary.")
	}
	if req.Consent == nil || !req.Consent.Obtained {
		return nil, &api.Error{Code: api.CodeConsentRequired, Field: "consent", Message: "Record the client's consent before starting the session."}
	}
	if !validConsentMethod(req.Consent.Method) {
		return nil, invalid("consent.method", "consent.method must be verbal, written or electronic.")
	}
	client, anonymous, err := s.resolveAssignment(ctx, clinicianID, req.ClientID, req.Anonymous, req.Type != api.SessionTelehealth)
	if err != nil {
		return nil, err
	}
	now := s.now()
	started := now
	if req.StartedAt != nil {
		if started, err = sessionTime("started_at", *req.StartedAt); err != nil {
			return nil, err
		}
	}
	sess := &Session{
		ID: NewID(), ClinicianID: clinicianID, Anonymous: anonymous, Client: client,
		Type: string(req.Type), Status: string(api.SessionOpen),
		ConsentObtained: true, ConsentMethod: string(req.Consent.Method), ConsentRecordedAt: now,
		StartedAt: started, CreatedAt: now, UpdatedAt: now,
	}
	if client != nil {
		sess.ClientID = &client.ID
	}
	err = s.Transaction(ctx, func(tx *gorm.DB) error {
		if err := tx.Omit("Client").Create(sess).Error; err != nil {
			return err
		}
		if err := s.recordAssignment(tx, sess); err != nil {
			return err
		}
		return audit.RecordTx(ctx, tx, audit.SessionCreate, sess.ID)
	})
	if err != nil {
		return nil, dbError(err, "Session")
	}
	return sess, nil
}

func (s *Store) recordAssignment(tx *gorm.DB, sess *Session) error {
	if sess.ClientID == nil && sess.Anonymous == nil {
		return nil
	}
	return tx.Create(&SessionAssignment{
		ID: NewID(), SessionID: sess.ID, ClinicianID: sess.ClinicianID,
		ClientID: sess.ClientID, Anonymous: sess.Anonymous, ChangedAt: s.now(),
	}).Error
}

// Session returns one of the clinician's sessions with its client.
func (s *Store) Session(ctx context.Context, clinicianID, id string) (*Session, error) {
	if !ValidID(id) {
		return nil, ErrNotFound("Session")
	}
	var sess Session
	err := s.db.WithContext(ctx).Joins("Client").
		Where("sessions.id = ? AND sessions.clinician_id = ?", id, clinicianID).Take(&sess).Error
	if err == nil {
		err = s.openClient(sess.Client) // joined: the plugin opens the session's columns only
	}
	if err != nil {
		return nil, dbError(err, "Session")
	}
	return &sess, nil
}

// SessionHistory returns a session's assignments, oldest first.
func (s *Store) SessionHistory(ctx context.Context, clinicianID, sessionID string) ([]SessionAssignment, error) {
	var hs []SessionAssignment
	err := s.db.WithContext(ctx).Where("session_id = ? AND clinician_id = ?", sessionID, clinicianID).
		Order("changed_at, id").Find(&hs).Error
	return hs, dbError(err, "Session")
}

// Assignment filters for ListSessions.
const (
	AssignmentAll       = "all"
	AssignmentAnonymous = "anonymous"
	AssignmentAssigned  = "assigned"
)

// SessionFilter selects a page of sessions, newest first.
type SessionFilter struct {
	Assignment string
	ClientID   string
	Type       api.SessionType
	From, To   *time.Time // started_at in [From, To)
	Limit      int
	Cursor     string
}

// sessionListColumns are the columns ListSessions reads: the session and,
// after it, its client (NULLs for an anonymous session). The clinician is
// the caller, known before the query.
const sessionListColumns = `sessions.id, sessions.client_id, sessions.anonymous, sessions.type,
sessions.status, sessions.note_status, sessions.consent_obtained, sessions.consent_method, sessions.consent_recorded_at,
sessions.started_at, sessions.ended_at, sessions.created_at, sessions.updated_at,
c.display_name, c.kind, c.external_ref, c.archived_at, c.created_at, c.updated_at`

// sessionListRow reads rows of sessionListColumns by hand: the sidebar's
// list is the hottest query, and GORM's reflective scan was half its cost
// (see BenchmarkSessionsList). One sessionListRow serves every row of a
// page, so its destinations are allocated once, not per row. Nullable
// columns scan into pgtype values, which pgx fills without reflection and
// database/sql (SQLite) through their Scan methods; enum-like columns scan
// into labels, which do not allocate.
type sessionListRow struct {
	s                                   Session
	anonymousValue, kindValue           string
	anonymous, kind                     label
	clientID, name, ref                 pgtype.Text
	ended, archived, cCreated, cUpdated pgtype.Timestamptz
	dest                                []any
}

func newSessionListRow(clinicianID string) *sessionListRow {
	r := &sessionListRow{s: Session{ClinicianID: clinicianID}}
	r.anonymous.dst, r.kind.dst = &r.anonymousValue, &r.kindValue
	r.dest = []any{&r.s.ID, &r.clientID, &r.anonymous, &label{dst: &r.s.Type},
		&label{dst: &r.s.Status}, &label{dst: &r.s.NoteStatus}, &r.s.ConsentObtained, &label{dst: &r.s.ConsentMethod}, &r.s.ConsentRecordedAt,
		&r.s.StartedAt, &r.ended, &r.s.CreatedAt, &r.s.UpdatedAt,
		&r.name, &r.kind, &r.ref, &r.archived, &r.cCreated, &r.cUpdated}
	return r
}

func (r *sessionListRow) scan(row rowScanner) (Session, error) {
	if err := row.Scan(r.dest...); err != nil {
		return Session{}, err
	}
	s := r.s
	s.ClientID, s.Anonymous, s.EndedAt = optionalText(r.clientID), r.anonymous.optional(), optionalTime(r.ended)
	if s.ClientID != nil {
		s.Client = &Client{
			ID: *s.ClientID, ClinicianID: s.ClinicianID, DisplayName: r.name.String, Kind: r.kindValue,
			ExternalRef: optionalText(r.ref), ArchivedAt: optionalTime(r.archived), CreatedAt: r.cCreated.Time, UpdatedAt: r.cUpdated.Time,
		}
	}
	return s, nil
}

func optionalText(v pgtype.Text) *string {
	if !v.Valid {
		return nil
	}
	return &v.String
}

func optionalTime(v pgtype.Timestamptz) *time.Time {
	if !v.Valid {
		return nil
	}
	t := v.Time.UTC()
	return &t
}

// ListSessions returns the clinician's sessions newest first, paginated by
// keyset on (started_at, id) so pages stay stable under inserts.
func (s *Store) ListSessions(ctx context.Context, clinicianID string, f SessionFilter) ([]Session, string, error) {
	query, args, err := SessionListQuery(clinicianID, f)
	if err != nil {
		return nil, "", err
	}
	limit := clampLimit(f.Limit)
	ss := make([]Session, 0, limit+1)
	r := newSessionListRow(clinicianID)
	err = s.queryRows(ctx, query, args, func(row rowScanner) error {
		sess, err := r.scan(row)
		if err == nil {
			err = s.openClient(sess.Client) // scanned by hand: no plugin
		}
		ss = append(ss, sess)
		return err
	})
	if err != nil {
		return nil, "", dbError(err, "Session")
	}
	ss, next := TrimPage(ss, limit, func(last Session) string { return encodeTimeCursor(last.StartedAt, last.ID) })
	return ss, next, nil
}

// SessionListQuery is the statement ListSessions issues for f: one row
// more than the page, to know whether another page follows. It is built by
// hand rather than through GORM because the sidebar's list is the hottest
// query; it is exported so the benchmark can issue the very same SQL
// directly. $N placeholders suit both PostgreSQL and SQLite.
func SessionListQuery(clinicianID string, f SessionFilter) (query string, args []any, err error) {
	var q strings.Builder
	q.WriteString("SELECT " + sessionListColumns + `
FROM sessions LEFT JOIN clients c ON c.id = sessions.client_id
WHERE sessions.clinician_id = $1 AND sessions.deleted_at IS NULL`)
	args = append(args, clinicianID)
	where := func(cond string, values ...any) {
		for _, v := range values {
			args = append(args, v)
			cond = strings.Replace(cond, "?", "$"+strconv.Itoa(len(args)), 1)
		}
		q.WriteString(" AND " + cond)
	}
	switch f.Assignment {
	case "", AssignmentAll:
	case AssignmentAnonymous:
		where("sessions.client_id IS NULL")
	case AssignmentAssigned:
		where("sessions.client_id IS NOT NULL")
	default:
		return "", nil, invalid("assignment", "assignment must be all, anonymous or assigned.")
	}
	if f.ClientID != "" {
		if !ValidID(f.ClientID) {
			return "", nil, invalid("client_id", "client_id is not a valid id.")
		}
		where("sessions.client_id = ?", f.ClientID)
	}
	if f.Type != "" {
		if !validSessionType(f.Type) {
			return "", nil, invalid("type", "type must be in_person, telehealth, dictation, uploaded_recording or written_summary.")
		}
		where("sessions.type = ?", string(f.Type))
	}
	if f.From != nil {
		where("sessions.started_at >= ?", f.From.UTC())
	}
	if f.To != nil {
		where("sessions.started_at < ?", f.To.UTC())
	}
	if f.Cursor != "" {
		t, id, err := decodeTimeCursor(f.Cursor)
		if err != nil {
			return "", nil, err
		}
		where("(sessions.started_at, sessions.id) < (?, ?)", t, id)
	}
	// The limit is a clamped integer written as a literal: a parameter
	// would let a generic plan guess the row count.
	q.WriteString("\nORDER BY sessions.started_at DESC, sessions.id DESC LIMIT " + strconv.Itoa(clampLimit(f.Limit)+1))
	return q.String(), args, nil
}

// sessionTime is a requested time as stored: UTC, to the microsecond. Its
// UTC year must be 1 to 9999: RFC 3339 allows an offset that carries
// 9999-12-31 into year 10000, which could be stored but never answered.
func sessionTime(field string, t time.Time) (time.Time, error) {
	t = t.UTC().Truncate(time.Microsecond)
	if y := t.Year(); y < 1 || y > 9999 {
		return time.Time{}, invalid(field, field+" must be a date between the years 1 and 9999.")
	}
	return t, nil
}

// UpdateSession changes the fields present in req. Under a signed note
// each change is an amendment and needs req.Reason (amendIfSigned).
func (s *Store) UpdateSession(ctx context.Context, clinicianID, id string, req api.UpdateSessionRequest) (*Session, error) {
	sess, err := s.Session(ctx, clinicianID, id)
	if err != nil {
		return nil, err
	}
	oldType, oldStarted, oldEnded := sess.Type, sess.StartedAt, sess.EndedAt
	if req.Type != nil {
		if !validSessionType(*req.Type) {
			return nil, invalid("type", "type must be in_person, telehealth, dictation, uploaded_recording or written_summary.")
		}
		sess.Type = string(*req.Type)
	}
	if req.StartedAt != nil {
		if sess.StartedAt, err = sessionTime("started_at", *req.StartedAt); err != nil {
			return nil, err
		}
	}
	if req.EndedAt != nil {
		t, err := sessionTime("ended_at", *req.EndedAt)
		if err != nil {
			return nil, err
		}
		sess.EndedAt = &t
	}
	if sess.EndedAt != nil && sess.EndedAt.Before(sess.StartedAt) {
		return nil, invalid("ended_at", "A session cannot end before it starts.")
	}
	sess.UpdatedAt = s.now()
	changes := changed(nil, FieldType, oldType, sess.Type)
	changes = changed(changes, FieldStartedAt, timeValue(&oldStarted), timeValue(&sess.StartedAt))
	changes = changed(changes, FieldEndedAt, timeValue(oldEnded), timeValue(sess.EndedAt))
	err = s.Transaction(ctx, func(tx *gorm.DB) error {
		if err := s.amendIfSigned(ctx, tx, clinicianID, id, req.Reason, changes); err != nil {
			return err
		}
		err := tx.Model(&Session{}).Where("id = ? AND clinician_id = ?", id, clinicianID).
			Updates(map[string]any{"type": sess.Type, "started_at": sess.StartedAt, "ended_at": sess.EndedAt, "updated_at": sess.UpdatedAt}).Error
		if err != nil {
			return err
		}
		return audit.RecordTx(ctx, tx, audit.SessionUpdate, id)
	})
	if err != nil {
		return nil, dbError(err, "Session")
	}
	return sess, nil
}

// errSignedDelete refuses to delete a session whose note is signed: the note
// is part of the clinical record.
var errSignedDelete = &api.Error{Code: api.CodeNoteSigned,
	Message: "This session's note is signed and is part of the record: it cannot be deleted. Archive the client instead, or add an addendum to the note."}

// DeleteSession removes a session from every list; the row is kept
// (soft-deleted) so its notes and audit trail stay intact. A session with
// a signed note is never deleted.
func (s *Store) DeleteSession(ctx context.Context, clinicianID, id string) error {
	if !ValidID(id) {
		return ErrNotFound("Session")
	}
	err := s.Transaction(ctx, func(tx *gorm.DB) error {
		res := tx.Where("id = ? AND clinician_id = ?", id, clinicianID).Delete(&Session{})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrNotFound("Session")
		}
		if signed, err := hasSignedNote(tx, clinicianID, id); err != nil || signed {
			if err == nil {
				err = errSignedDelete
			}
			return err
		}
		return audit.RecordTx(ctx, tx, audit.SessionDelete, id)
	})
	return dbError(err, "Session")
}

// AssignSession assigns a session to one of the clinician's clients (or
// moves it to another); the previous assignment stays in its history.
// Under a signed note a change of client is an amendment and needs reason.
func (s *Store) AssignSession(ctx context.Context, clinicianID, id string, req api.AssignRequest) (*Session, error) {
	return s.reassign(ctx, clinicianID, id, &req.ClientID, nil, req.Reason, false, audit.SessionAssign)
}

// EndSession ends a session, optionally choosing its client or anonymous
// kind (telehealth sessions are assigned when they end). Under a signed
// note a change of client is an amendment and needs req.Reason.
func (s *Store) EndSession(ctx context.Context, clinicianID, id string, req api.EndSessionRequest) (*Session, error) {
	return s.reassign(ctx, clinicianID, id, req.ClientID, req.Anonymous, req.Reason, true, audit.SessionEnd)
}

// reassign changes a session's assignment and, if end, ends it, audited as
// action in the same transaction.
func (s *Store) reassign(ctx context.Context, clinicianID, id string, clientID *string, anonymous *api.Anonymous, reason *string, end bool, action audit.Action) (*Session, error) {
	sess, err := s.Session(ctx, clinicianID, id)
	if err != nil {
		return nil, err
	}
	oldAssignment := assignmentValue(sess.ClientID, sess.Anonymous)
	required := !end || (sess.ClientID == nil && sess.Anonymous == nil)
	client, anon, err := s.resolveAssignment(ctx, clinicianID, clientID, anonymous, required)
	if err != nil {
		return nil, err
	}
	now := s.now()
	reassigned := client != nil || anon != nil
	if client != nil {
		sess.Client, sess.ClientID, sess.Anonymous = client, &client.ID, nil
	} else if anon != nil {
		sess.Client, sess.ClientID, sess.Anonymous = nil, nil, anon
	}
	updates := map[string]any{"client_id": sess.ClientID, "anonymous": sess.Anonymous, "updated_at": now}
	if end {
		if sess.EndedAt == nil {
			sess.EndedAt = &now
		}
		sess.Status = string(api.SessionEnded)
		updates["ended_at"], updates["status"] = sess.EndedAt, sess.Status
	}
	sess.UpdatedAt = now
	changes := assignmentChange(nil, oldAssignment, assignmentValue(sess.ClientID, sess.Anonymous))
	err = s.Transaction(ctx, func(tx *gorm.DB) error {
		if err := s.amendIfSigned(ctx, tx, clinicianID, id, reason, changes); err != nil {
			return err
		}
		if err := tx.Model(&Session{}).Where("id = ? AND clinician_id = ?", id, clinicianID).Updates(updates).Error; err != nil {
			return err
		}
		if reassigned {
			if err := s.recordAssignment(tx, sess); err != nil {
				return err
			}
		}
		return audit.RecordTx(ctx, tx, action, id)
	})
	if err != nil {
		return nil, dbError(err, "Session")
	}
	return sess, nil
}
