package store

import (
	"context"
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/sidenote/sidenote/server/internal/audit"
	"github.com/sidenote/sidenote/shared/api"
)

// SessionAmendment is a reasoned change to a session whose note is signed:
// which field, its old and new value, and why. Values and reason are
// sealed (they may be a summary's text or name a person).
type SessionAmendment struct {
	ID          string
	SessionID   string
	ClinicianID string
	Field       string
	OldValue    string
	NewValue    string
	Reason      string
	CreatedAt   time.Time
}

// Amended fields. Assignment values are "client:<id>", "anonymous:<kind>"
// or "" (unassigned); times are RFC 3339 in UTC.
const (
	FieldClient    = "client"
	FieldType      = "type"
	FieldStartedAt = "started_at"
	FieldEndedAt   = "ended_at"
)

// change is one field a write would change. A free change needs no
// reason under a signed note (it is still kept as an amendment): naming
// the client of a session signed as anonymous or unassigned completes the
// record rather than changing it (the sidebar assigns after signing).
type change struct {
	field, old, new string
	free            bool
}

const maxReasonRunes = 1000

var errSignedSession = &api.Error{Code: api.CodeNoteSigned, Field: "reason",
	Message: "This session's note is signed: say why in \"reason\" to amend it; the change is kept in the note's history."}

// hasSignedNote reports whether the session has a signed note.
func hasSignedNote(tx *gorm.DB, clinicianID, sessionID string) (bool, error) {
	var n int64
	err := tx.Model(&Note{}).Where("session_id = ? AND clinician_id = ? AND status = ?", sessionID, clinicianID, string(api.NoteSigned)).
		Limit(1).Count(&n).Error
	return n > 0, err
}

// amendIfSigned runs in a write's transaction. On a session without a
// signed note it does nothing. On one with a signed note, changes are
// refused with note_signed unless reason is given; then each is kept as an
// amendment and audited with its old and new value (no text: a source's
// values are only in the sealed amendment row).
func (s *Store) amendIfSigned(ctx context.Context, tx *gorm.DB, clinicianID, sessionID string, reason *string, changes []change) error {
	if len(changes) == 0 {
		return nil
	}
	signed, err := hasSignedNote(tx, clinicianID, sessionID)
	if err != nil || !signed {
		return err
	}
	why, err := cleanReason(reason)
	if err != nil && !(err == errSignedSession && allFree(changes)) {
		return err
	}
	now := s.now()
	for _, c := range changes {
		a := &SessionAmendment{ID: NewID(), SessionID: sessionID, ClinicianID: clinicianID,
			Field: c.field, OldValue: c.old, NewValue: c.new, Reason: why, CreatedAt: now}
		if err := tx.Create(a).Error; err != nil {
			return err
		}
		detail := map[string]string{"amendment_id": a.ID, "field": c.field}
		if c.field != SourceSummary && c.field != SourceTranscript {
			detail["old"], detail["new"] = c.old, c.new
		}
		raw, err := json.Marshal(detail)
		if err != nil {
			return err
		}
		if err := audit.RecordDetailTx(ctx, tx, audit.SessionAmend, sessionID, string(raw)); err != nil {
			return err
		}
	}
	return nil
}

func allFree(changes []change) bool {
	for _, c := range changes {
		if !c.free {
			return false
		}
	}
	return true
}

func cleanReason(reason *string) (string, error) {
	if reason == nil || strings.TrimSpace(*reason) == "" {
		return "", errSignedSession
	}
	why := strings.TrimSpace(*reason)
	if utf8.RuneCountInString(why) > maxReasonRunes {
		return "", invalid("reason", "The reason is too long (1000 characters at most).")
	}
	return why, nil
}

// SessionAmendments returns a session's amendments, oldest first.
func (s *Store) SessionAmendments(ctx context.Context, clinicianID, sessionID string) ([]SessionAmendment, error) {
	var as []SessionAmendment
	err := s.db.WithContext(ctx).Where("session_id = ? AND clinician_id = ?", sessionID, clinicianID).
		Order("created_at, id").Find(&as).Error
	return as, dbError(err, "Session")
}

func assignmentValue(clientID, anonymous *string) string {
	switch {
	case clientID != nil:
		return "client:" + *clientID
	case anonymous != nil:
		return "anonymous:" + *anonymous
	}
	return ""
}

func timeValue(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// assignmentChange is the change of a session's assignment from old to new
// (assignmentValue), free from none or anonymous to a client.
func assignmentChange(cs []change, old, new string) []change {
	cs = changed(cs, FieldClient, old, new)
	if len(cs) > 0 && cs[len(cs)-1].field == FieldClient {
		cs[len(cs)-1].free = (old == "" || strings.HasPrefix(old, "anonymous:")) && strings.HasPrefix(new, "client:")
	}
	return cs
}

// changed appends a change of field when old and new differ.
func changed(cs []change, field, old, new string) []change {
	if old == new {
		return cs
	}
	return append(cs, change{field: field, old: old, new: new})
}
