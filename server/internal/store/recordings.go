package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/sidenote/sidenote/server/internal/audit"
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
	Keep                bool       // the clinician keeps it after signing
	DeleteAfter         *time.Time // set when the session's note is signed
	PurgedAt            *time.Time // the audio has been deleted
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
		// The same audio again: no row changes, but the upload is audited.
		if err := audit.RecordTx(ctx, s.db.WithContext(ctx), audit.RecordingWrite, sessionID); err != nil {
			return nil, dbError(err, "Session")
		}
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
			DoUpdates: clause.AssignmentColumns([]string{"content_type", "size_bytes", "sha256", "transcription_status", "transcription_error", "delete_after", "purged_at", "updated_at"}),
		}).Create(rec).Error
		if err != nil {
			return err
		}
		if enqueue != nil {
			err = enqueue(tx, sessionID)
		} else {
			err = tx.Model(&Session{}).Where("id = ?", sess.ID).
				Updates(map[string]any{"status": string(api.SessionAwaitingTranscript), "updated_at": now}).Error
		}
		if err != nil {
			return err
		}
		return audit.RecordTx(ctx, tx, audit.RecordingWrite, sessionID)
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

// FinishTranscription stores the transcript made from a recording. It is
// background work, with no request to audit.
// A transcript that arrives after the note was signed replaces nothing: the
// clinician may paste it as a reasoned amendment.
func (s *Store) FinishTranscription(ctx context.Context, clinicianID, sessionID, transcript string) error {
	err := s.putSource(ctx, clinicianID, sessionID, SourceTranscript, transcript, nil, func(tx *gorm.DB) error {
		return tx.Model(&Recording{}).Where("session_id = ? AND clinician_id = ?", sessionID, clinicianID).
			Updates(map[string]any{"transcription_status": TranscriptionDone, "transcription_error": "", "updated_at": s.now()}).Error
	})
	if errors.Is(err, errSignedSession) {
		err = s.db.WithContext(ctx).Model(&Recording{}).Where("session_id = ? AND clinician_id = ?", sessionID, clinicianID).
			Updates(map[string]any{"transcription_status": TranscriptionFailed, "updated_at": s.now(),
				"transcription_error": "The note was signed before the transcript was ready; it was not added."}).Error
		return dbError(err, "Recording")
	}
	return err
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
		if err := enqueue(tx, sessionID); err != nil {
			return err
		}
		return audit.RecordTx(ctx, tx, audit.RecordingWrite, sessionID)
	})
	if err != nil {
		return nil, dbError(err, "Recording")
	}
	rec.TranscriptionStatus, rec.TranscriptionError, rec.UpdatedAt = TranscriptionPending, "", now
	return rec, nil
}

// RecordingStorageKeys lists the storage keys of every clinician's
// recordings after the given one, in order, up to limit: for maintenance
// (rotate-key) that walks all of them in batches.
func (s *Store) RecordingStorageKeys(ctx context.Context, after string, limit int) ([]string, error) {
	var keys []string
	err := s.db.WithContext(ctx).Model(&Recording{}).Where("storage_key > ?", after).
		Order("storage_key").Limit(limit).Pluck("storage_key", &keys).Error
	return keys, err
}

var errRecordingDeleted = &api.Error{Code: api.CodeConflict, Message: "This recording has already been deleted."}

// SetRecordingKeep records the clinician's choice to keep a session's
// recording after its note is signed, or to let it go: then, if the note is
// already signed, it is deleted at deleteAt (purge schedules that).
func (s *Store) SetRecordingKeep(ctx context.Context, clinicianID, sessionID string, keep bool, deleteAt time.Time, purge Enqueue) (*Recording, error) {
	rec, err := s.Recording(ctx, clinicianID, sessionID)
	if err != nil {
		return nil, err
	}
	if rec.PurgedAt != nil {
		return nil, errRecordingDeleted
	}
	signed, err := s.sessionHasSignedNote(ctx, clinicianID, sessionID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	err = s.Transaction(ctx, func(tx *gorm.DB) error {
		err := tx.Model(&Recording{}).Where("session_id = ? AND clinician_id = ? AND purged_at IS NULL", sessionID, clinicianID).
			Updates(map[string]any{"keep": keep, "delete_after": nil, "updated_at": now}).Error
		if err == nil && !keep && signed {
			err = scheduleRecordingDeletion(tx, clinicianID, sessionID, deleteAt, purge)
		}
		if err != nil {
			return err
		}
		return audit.RecordTx(ctx, tx, audit.RecordingWrite, sessionID)
	})
	if err != nil {
		return nil, dbError(err, "Recording")
	}
	return s.Recording(ctx, clinicianID, sessionID)
}

func (s *Store) sessionHasSignedNote(ctx context.Context, clinicianID, sessionID string) (bool, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&Note{}).
		Where("session_id = ? AND clinician_id = ? AND signed_at IS NOT NULL", sessionID, clinicianID).Count(&n).Error
	return n > 0, dbError(err, "Session")
}

// scheduleRecordingDeletion marks a session's recording for deletion at
// deleteAfter unless the clinician keeps it, and schedules the deletion.
func scheduleRecordingDeletion(tx *gorm.DB, clinicianID, sessionID string, deleteAfter time.Time, purge Enqueue) error {
	res := tx.Model(&Recording{}).
		Where("session_id = ? AND clinician_id = ? AND keep = ? AND purged_at IS NULL", sessionID, clinicianID, false).
		Update("delete_after", deleteAfter)
	if res.Error != nil || res.RowsAffected == 0 || purge == nil {
		return res.Error
	}
	return purge(tx, sessionID)
}

// RecordingsDue lists up to limit recordings whose deletion time has come.
func (s *Store) RecordingsDue(ctx context.Context, limit int) ([]Recording, error) {
	var recs []Recording
	err := s.db.WithContext(ctx).Where("delete_after <= ? AND purged_at IS NULL AND keep = ?", s.now(), false).
		Order("delete_after").Limit(limit).Find(&recs).Error
	return recs, dbError(err, "Recording")
}

// PurgeRecording deletes a recording's audio (through remove) if its time
// has come, and records that it is gone. The row stays locked while the
// audio is deleted, so a clinician's "keep" waits for the outcome; if the
// deletion fails, nothing is recorded and a later run tries again. It
// reports when the recording is due instead, if not yet.
func (s *Store) PurgeRecording(ctx context.Context, clinicianID, sessionID string, remove func(storageKey string) error) (notBefore *time.Time, err error) {
	err = s.Transaction(ctx, func(tx *gorm.DB) error {
		var rec Recording
		err := tx.Where("session_id = ? AND clinician_id = ?", sessionID, clinicianID).Take(&rec).Error
		if err != nil {
			return err
		}
		if rec.Keep || rec.PurgedAt != nil || rec.DeleteAfter == nil {
			return nil
		}
		now := s.now()
		if rec.DeleteAfter.After(now) {
			notBefore = rec.DeleteAfter
			return nil
		}
		res := tx.Model(&Recording{}).Where("session_id = ? AND purged_at IS NULL AND keep = ?", sessionID, false).
			Updates(map[string]any{"purged_at": now, "updated_at": now})
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		return remove(rec.StorageKey)
	})
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil // the session and its recording were deleted
	}
	return notBefore, dbError(err, "Recording")
}
