package store

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/sidenote/sidenote/shared/api"
)

// Recording is a session's uploaded audio (the bytes live in recordings.Storage).
type Recording struct {
	SessionID           string
	ClinicianID         string
	StorageKey          string
	ContentType         string
	SizeBytes           int64
	SHA256              string `gorm:"column:sha256"`
	TranscriptionStatus string
	TranscriptionError  string
	CreatedAt           time.Time
	UpdatedAt           time.Time
}

// Transcription states of a recording.
const (
	TranscriptionPending       = "pending"
	TranscriptionDone          = "done"
	TranscriptionFailed        = "failed"
	TranscriptionNotConfigured = "not_configured"
)

// RecordingKey is where a session's recording is stored: one per session,
// so uploading again replaces it instead of duplicating it.
func RecordingKey(sessionID string) string { return "sessions/" + sessionID + "/recording" }

// SaveRecording records an uploaded recording. With a transcriber the
// transcription is scheduled; without one the session waits, visibly, for
// the clinician to paste a transcript. Re-uploading identical audio that was
// already transcribed schedules nothing.
func (s *Store) SaveRecording(ctx context.Context, clinicianID, sessionID, contentType string, size int64, sha string, enqueue Enqueue) (*Recording, error) {
	sess, err := s.Session(ctx, clinicianID, sessionID)
	if err != nil {
		return nil, err
	}
	var prev Recording
	err = s.db.WithContext(ctx).Where("session_id = ? AND clinician_id = ?", sessionID, clinicianID).Take(&prev).Error
	if err == nil && prev.SHA256 == sha && prev.TranscriptionStatus == TranscriptionDone {
		return &prev, nil
	}
	now := s.now()
	rec := &Recording{
		SessionID: sessionID, ClinicianID: clinicianID, StorageKey: RecordingKey(sessionID),
		ContentType: contentType, SizeBytes: size, SHA256: sha, CreatedAt: now, UpdatedAt: now,
		TranscriptionStatus: TranscriptionNotConfigured,
	}
	if enqueue != nil {
		rec.TranscriptionStatus = TranscriptionPending
	}
	err = s.Transaction(ctx, func(tx *gorm.DB) error {
		err := tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "session_id"}},
			DoUpdates: clause.AssignmentColumns([]string{"content_type", "size_bytes", "sha256", "transcription_status", "transcription_error", "updated_at"}),
		}).Create(rec).Error
		if err != nil {
			return err
		}
		if enqueue != nil {
			return enqueue(tx, sessionID)
		}
		return tx.Model(&Session{}).Where("id = ?", sess.ID).
			Updates(map[string]any{"status": string(api.SessionAwaitingTranscript), "updated_at": now}).Error
	})
	if err != nil {
		return nil, dbError(err, "Session")
	}
	return rec, nil
}

// Recording returns a session's recording.
func (s *Store) Recording(ctx context.Context, clinicianID, sessionID string) (*Recording, error) {
	var r Recording
	err := s.db.WithContext(ctx).Where("session_id = ? AND clinician_id = ?", sessionID, clinicianID).Take(&r).Error
	if err != nil {
		return nil, dbError(err, "Recording")
	}
	return &r, nil
}

// FinishTranscription stores the transcript made from a recording.
func (s *Store) FinishTranscription(ctx context.Context, clinicianID, sessionID, transcript string) error {
	if err := s.PutSource(ctx, clinicianID, sessionID, SourceTranscript, transcript); err != nil {
		return err
	}
	err := s.db.WithContext(ctx).Model(&Recording{}).Where("session_id = ? AND clinician_id = ?", sessionID, clinicianID).
		Updates(map[string]any{"transcription_status": TranscriptionDone, "transcription_error": "", "updated_at": s.now()}).Error
	return dbError(err, "Recording")
}

// FailTranscription records why a recording could not be transcribed and
// leaves the session awaiting a pasted transcript.
func (s *Store) FailTranscription(ctx context.Context, clinicianID, sessionID, reason string) error {
	now := s.now()
	err := s.Transaction(ctx, func(tx *gorm.DB) error {
		err := tx.Model(&Recording{}).Where("session_id = ? AND clinician_id = ?", sessionID, clinicianID).
			Updates(map[string]any{"transcription_status": TranscriptionFailed, "transcription_error": reason, "updated_at": now}).Error
		if err != nil {
			return err
		}
		return tx.Model(&Session{}).Where("id = ? AND clinician_id = ?", sessionID, clinicianID).
			Updates(map[string]any{"status": string(api.SessionAwaitingTranscript), "updated_at": now}).Error
	})
	return dbError(err, "Recording")
}

// errNothingToTranscribe answers a retry for a recording that is being or
// has been transcribed.
var errNothingToTranscribe = &api.Error{Code: api.CodeConflict, Message: "This recording is already transcribed or being transcribed."}

// RetryTranscription schedules transcribing a session's recording again
// after a failure (or once a provider has been configured).
func (s *Store) RetryTranscription(ctx context.Context, clinicianID, sessionID string, enqueue Enqueue) (*Recording, error) {
	rec, err := s.Recording(ctx, clinicianID, sessionID)
	if err != nil {
		return nil, err
	}
	if rec.TranscriptionStatus != TranscriptionFailed && rec.TranscriptionStatus != TranscriptionNotConfigured {
		return nil, errNothingToTranscribe
	}
	now := s.now()
	err = s.Transaction(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&Recording{}).
			Where("session_id = ? AND clinician_id = ? AND transcription_status = ?", sessionID, clinicianID, rec.TranscriptionStatus).
			Updates(map[string]any{"transcription_status": TranscriptionPending, "transcription_error": "", "updated_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 { // a concurrent retry won
			return errNothingToTranscribe
		}
		return enqueue(tx, sessionID)
	})
	if err != nil {
		return nil, dbError(err, "Recording")
	}
	rec.TranscriptionStatus, rec.TranscriptionError, rec.UpdatedAt = TranscriptionPending, "", now
	return rec, nil
}
