// Package audit records every read and write of clinical data: who, what
// action, which resource, when, from which request and address. Events
// carry ids only, never note text or names, and cannot be changed through
// the API.
//
// A write records its event in the transaction that writes (RecordTx), so
// a change is never committed without its event; a read records after it
// has read (Log.Record), and fails if the event cannot be written. Either
// way the event is for the Actor the request's context carries.
package audit

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Action names what was done.
type Action string

const (
	SignIn         Action = "sign_in"
	IdentityLink   Action = "identity.link"
	IdentityUnlink Action = "identity.unlink"
	// ProfileRefresh is a sign-in that brought a new email or name from
	// the identity provider; Detail names the fields, not their values.
	ProfileRefresh Action = "clinician.refresh"
	NoteRead       Action = "note.read"
	SummaryRead    Action = "summary.read"
	NoteCreate     Action = "note.create"
	NoteWrite      Action = "note.write"
	NoteSign       Action = "note.sign"
	NoteInsert     Action = "note.insert"
	TranscriptRead Action = "transcript.read"
	SummaryWrite   Action = "summary.write"
	TranscriptSave Action = "transcript.write"
	RecordingWrite Action = "recording.write"
	RecordingRead  Action = "recording.read"
	SessionAssign  Action = "session.assign"
	SessionCreate  Action = "session.create"
	SessionUpdate  Action = "session.update"
	SessionEnd     Action = "session.end"
	SessionDelete  Action = "session.delete"
	// SessionAmend is a reasoned change under a signed note; its Detail
	// names the field and, for ids, times and types, the old and new values.
	SessionAmend  Action = "session.amend"
	ClientCreate  Action = "client.create"
	ClientUpdate  Action = "client.update"
	ClientArchive Action = "client.archive"
	PlanCreate    Action = "treatment_plan.create"
	Export        Action = "export"
	TokenRevoke   Action = "token.revoke"
)

// Event is one audit record.
type Event struct {
	ID          string
	ClinicianID string
	Action      string
	ResourceID  string
	RequestID   string
	ClientIP    string
	// Detail is structured JSON for events that need more than an id
	// (amendments); never clinical text.
	Detail    string
	CreatedAt time.Time
}

// TableName binds Event to the audit_events table.
func (Event) TableName() string { return "audit_events" }

// Actor is who makes a request: the clinician, the request's id and the
// client's address. The API puts it in the request's context (WithActor);
// the events of the request are recorded for it.
type Actor struct {
	ClinicianID string
	RequestID   string
	ClientIP    string
}

type actorKey struct{}

// WithActor returns a copy of ctx carrying a.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// WithClinician returns a copy of ctx whose actor is clinicianID, keeping
// the request id and address ctx's actor has (a sign-in learns who acts
// only once it has found the clinician).
func WithClinician(ctx context.Context, clinicianID string) context.Context {
	a, _ := ctx.Value(actorKey{}).(Actor)
	a.ClinicianID = clinicianID
	return WithActor(ctx, a)
}

// ActorFrom returns the actor ctx carries.
func ActorFrom(ctx context.Context) (Actor, bool) {
	a, ok := ctx.Value(actorKey{}).(Actor)
	return a, ok && a.ClinicianID != ""
}

// ErrNoActor refuses to record an event for nobody: a write of clinical
// data without an actor in its context is a programming error, and fails.
var ErrNoActor = errors.New("audit: no actor in the context")

// RecordTx appends an event for ctx's actor using tx. Writes call it with
// the transaction they write with, so the change and its event commit
// together or not at all.
func RecordTx(ctx context.Context, tx *gorm.DB, action Action, resourceID string) error {
	return RecordDetailTx(ctx, tx, action, resourceID, "")
}

// RecordDetailTx is RecordTx with a structured detail (JSON, no clinical
// text).
func RecordDetailTx(ctx context.Context, tx *gorm.DB, action Action, resourceID, detail string) error {
	a, ok := ActorFrom(ctx)
	if !ok {
		return ErrNoActor
	}
	return tx.Create(&Event{
		ID: uuid.Must(uuid.NewV7()).String(), ClinicianID: a.ClinicianID, Action: string(action),
		ResourceID: resourceID, RequestID: a.RequestID, ClientIP: a.ClientIP, Detail: detail, CreatedAt: tx.NowFunc(),
	}).Error
}

// Log records reads and lists audit events.
type Log struct{ db *gorm.DB }

// New returns an audit log over db.
func New(db *gorm.DB) *Log { return &Log{db: db} }

// Record appends an event for ctx's actor after a read (writes use
// RecordTx). Callers treat a failure as a failure of the request: clinical
// data must not be read unaudited.
func (l *Log) Record(ctx context.Context, action Action, resourceID string) error {
	return RecordTx(ctx, l.db.WithContext(ctx), action, resourceID)
}

// List returns a clinician's events newest first, limit at a time, before
// the (created_at, id) of the last event of the previous page.
func (l *Log) List(ctx context.Context, clinicianID string, limit int, before *Event) ([]Event, error) {
	q := l.db.WithContext(ctx).Where("clinician_id = ?", clinicianID)
	if before != nil {
		q = q.Where("(created_at, id) < (?, ?)", before.CreatedAt, before.ID)
	}
	var es []Event
	err := q.Order("created_at DESC, id DESC").Limit(limit).Find(&es).Error
	return es, err
}
