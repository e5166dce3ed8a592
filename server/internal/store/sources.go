package store

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/sidenote/sidenote/server/internal/audit"
	"github.com/sidenote/sidenote/shared/api"
)

// Source kinds.
const (
	SourceSummary    = "summary"
	SourceTranscript = "transcript"
)

// SessionSource is a session's written summary or transcript.
type SessionSource struct {
	SessionID   string
	ClinicianID string
	Kind        string
	Text        string
	UpdatedAt   time.Time
}

// maxSourceRunes bounds a summary or transcript (a long session's
// transcript is well under this).
const maxSourceRunes = 500_000

// sourceWrites are the audit actions of saving each kind of source.
var sourceWrites = map[string]audit.Action{SourceSummary: audit.SummaryWrite, SourceTranscript: audit.TranscriptSave}

// PutSource saves a session's summary or transcript, replacing the previous
// one. Saving a transcript ends the wait of a session awaiting one.
// Under a signed note the change must be an amendment with a reason (see
// amendIfSigned): the note's source spans point into this text.
func (s *Store) PutSource(ctx context.Context, clinicianID, sessionID, kind, text string, reason *string) error {
	return s.putSource(ctx, clinicianID, sessionID, kind, text, reason, func(tx *gorm.DB) error {
		return audit.RecordTx(ctx, tx, sourceWrites[kind], sessionID)
	})
}

// putSource saves a source and runs also in the same transaction.
func (s *Store) putSource(ctx context.Context, clinicianID, sessionID, kind, text string, reason *string, also func(tx *gorm.DB) error) error {
	sess, err := s.Session(ctx, clinicianID, sessionID)
	if err != nil {
		return err
	}
	if strings.TrimSpace(text) == "" {
		return invalid("text", "The "+kind+" is empty.")
	}
	if utf8.RuneCountInString(text) > maxSourceRunes {
		return invalid("text", "The "+kind+" is too long.")
	}
	now := s.now()
	err = s.Transaction(ctx, func(tx *gorm.DB) error {
		var previous []SessionSource
		if err := tx.Where("session_id = ? AND clinician_id = ? AND kind = ?", sessionID, clinicianID, kind).Find(&previous).Error; err != nil {
			return err
		}
		old := ""
		if len(previous) > 0 {
			old = previous[0].Text
		}
		if err := s.amendIfSigned(ctx, tx, clinicianID, sessionID, reason, changed(nil, kind, old, text)); err != nil {
			return err
		}
		err := tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "session_id"}, {Name: "kind"}},
			DoUpdates: clause.AssignmentColumns([]string{"text", "updated_at"}),
		}).Create(&SessionSource{SessionID: sessionID, ClinicianID: clinicianID, Kind: kind, Text: text, UpdatedAt: now}).Error
		if err != nil {
			return err
		}
		if kind == SourceTranscript && sess.Status == string(api.SessionAwaitingTranscript) {
			err := tx.Model(&Session{}).Where("id = ?", sessionID).
				Updates(map[string]any{"status": settledStatus(sess), "updated_at": now}).Error
			if err != nil {
				return err
			}
		}
		return also(tx)
	})
	return dbError(err, "Session")
}

// settledStatus is a session's status once it waits for nothing.
func settledStatus(sess *Session) string {
	if sess.EndedAt != nil {
		return string(api.SessionEnded)
	}
	return string(api.SessionOpen)
}

// Sources returns a session's summary and transcript ("" when absent).
func (s *Store) Sources(ctx context.Context, clinicianID, sessionID string) (summary, transcript string, err error) {
	var rows []SessionSource
	err = s.db.WithContext(ctx).Where("session_id = ? AND clinician_id = ?", sessionID, clinicianID).Find(&rows).Error
	if err != nil {
		return "", "", dbError(err, "Session")
	}
	for _, r := range rows {
		switch r.Kind {
		case SourceSummary:
			summary = r.Text
		case SourceTranscript:
			transcript = r.Text
		}
	}
	return summary, transcript, nil
}

func itoa(i int) string { return strconv.Itoa(i) }

func quote(s string) string { return strconv.Quote(s) }
