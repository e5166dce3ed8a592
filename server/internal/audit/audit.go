// Package audit records every read and write of clinical data: who, what
// action, which resource, when, from which request and address. Events
// carry ids only, never note text or names, and cannot be changed through
// the API.
package audit

import (
	"context"
	"time"

	"gorm.io/gorm"
)

// Action names what was done.
type Action string

const (
	SignIn         Action = "sign_in"
	NoteRead       Action = "note.read"
	NoteCreate     Action = "note.create"
	NoteWrite      Action = "note.write"
	NoteSign       Action = "note.sign"
	NoteInsert     Action = "note.insert"
	TranscriptRead Action = "transcript.read"
	SummaryWrite   Action = "summary.write"
	TranscriptSave Action = "transcript.write"
	RecordingWrite Action = "recording.write"
	SessionAssign  Action = "session.assign"
	PlanCreate     Action = "treatment_plan.create"
	Export         Action = "export"
	TokenRevoke    Action = "token.revoke"
)

// Event is one audit record.
type Event struct {
	ID          string
	ClinicianID string
	Action      string
	ResourceID  string
	RequestID   string
	ClientIP    string
	CreatedAt   time.Time
}

// TableName binds Event to the audit_events table.
func (Event) TableName() string { return "audit_events" }

// Log writes and lists audit events.
type Log struct {
	db    *gorm.DB
	newID func() string
	now   func() time.Time
}

// New returns an audit log over db; newID and now are the store's.
func New(db *gorm.DB, newID func() string, now func() time.Time) *Log {
	return &Log{db: db, newID: newID, now: now}
}

// Record appends an event. Callers treat a failure as a failure of the
// request: clinical data must not be read or written unaudited.
func (l *Log) Record(ctx context.Context, e Event) error {
	e.ID, e.CreatedAt = l.newID(), l.now()
	return l.db.WithContext(ctx).Create(&e).Error
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
