package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
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
	Chunks              int        // chunks uploaded so far (recording_chunks); 0 for one upload
	Complete            bool       // false while chunks may still arrive
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

// RecordingKey is the prefix of a session's recording files. Each upload
// is stored under a key of its own (NewRecordingKey) and the row is moved
// to it in one transaction, so the row always names a complete file.
func RecordingKey(sessionID string) string { return "sessions/" + sessionID + "/recording" }

// SessionFilesKey is the folder holding all of a session's files
// (recordings, chunks, failed uploads' leftovers).
func SessionFilesKey(sessionID string) string { return "sessions/" + sessionID }

// NewRecordingKey is a fresh storage key for an upload of the session's
// recording.
func NewRecordingKey(sessionID string) string { return RecordingKey(sessionID) + "-" + randomSuffix() }

func randomSuffix() string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return hex.EncodeToString(b[:])
}

// NewRecording is a complete recording just written to storage.
type NewRecording struct {
	StorageKey  string
	ContentType string
	Size        int64
	SHA256      string
	Chunks      int // how many chunks it was assembled from; 0 for one upload
}

// RecordingPolicy is what happens to a saved recording: transcription
// (nil: the session waits for a pasted transcript), and, if the session's
// note is already signed, deletion at DeleteAt (scheduled by Purge) unless
// the clinician keeps it.
type RecordingPolicy struct {
	Transcribe Enqueue
	DeleteAt   time.Time
	Purge      Enqueue
}

// SaveRecording points the session's recording at a newly stored complete
// file, in one transaction, and returns the storage keys no longer used
// (the previous file, chunks), for the caller to delete after it. With a
// transcriber the transcription is scheduled; without one the session
// waits, visibly, for the clinician to paste a transcript. Re-uploading
// identical audio that was already transcribed schedules nothing.
func (s *Store) SaveRecording(ctx context.Context, clinicianID, sessionID string, in NewRecording, policy RecordingPolicy) (*Recording, []string, error) {
	sess, err := s.Session(ctx, clinicianID, sessionID)
	if err != nil {
		return nil, nil, err
	}
	signed, err := s.sessionHasSignedNote(ctx, clinicianID, sessionID)
	if err != nil {
		return nil, nil, err
	}
	var rec *Recording
	var obsolete []string
	err = s.Transaction(ctx, func(tx *gorm.DB) error {
		var prev Recording
		err := tx.Where("session_id = ? AND clinician_id = ?", sessionID, clinicianID).Take(&prev).Error
		if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		exists := err == nil
		if exists && prev.Complete && prev.PurgedAt == nil && prev.SHA256 == in.SHA256 && prev.TranscriptionStatus == TranscriptionDone {
			// The same audio again: no row changes, but the upload is audited.
			rec, obsolete = &prev, []string{in.StorageKey}
			return audit.RecordTx(ctx, tx, audit.RecordingWrite, sessionID)
		}
		if exists && !prev.Complete && in.Chunks > 0 && prev.Chunks != in.Chunks {
			return errChunkRace
		}
		var err2 error
		rec, obsolete, err2 = s.replaceRecording(tx, sess, prev, exists, in, policy, signed)
		if err2 != nil {
			return err2
		}
		return audit.RecordTx(ctx, tx, audit.RecordingWrite, sessionID)
	})
	if err != nil {
		return nil, nil, dbError(err, "Session")
	}
	return rec, obsolete, nil
}

// errChunkRace answers finishing a chunked recording while another chunk
// arrived.
var errChunkRace = &api.Error{Code: api.CodeConflict, Message: "A chunk arrived while the recording was being finished; finish it again."}

// replaceRecording writes the recording row for in (replacing prev), drops
// the chunk rows, and schedules what policy says, inside tx.
func (s *Store) replaceRecording(tx *gorm.DB, sess *Session, prev Recording, exists bool, in NewRecording, policy RecordingPolicy, signed bool) (*Recording, []string, error) {
	now := s.now()
	rec := &Recording{
		SessionID: sess.ID, ClinicianID: sess.ClinicianID, StorageKey: in.StorageKey,
		ContentType: in.ContentType, SizeBytes: in.Size, SHA256: in.SHA256, CreatedAt: now, UpdatedAt: now,
		TranscriptionStatus: TranscriptionNotConfigured, Chunks: in.Chunks, Complete: true,
	}
	if policy.Transcribe != nil {
		rec.TranscriptionStatus = TranscriptionPending
	}
	var obsolete []string
	if exists {
		rec.Keep, rec.CreatedAt = prev.Keep, prev.CreatedAt
		if prev.StorageKey != "" && prev.StorageKey != in.StorageKey {
			obsolete = append(obsolete, prev.StorageKey)
		}
	}
	var chunkKeys []string
	if err := tx.Model(&RecordingChunk{}).Where("session_id = ?", sess.ID).Pluck("storage_key", &chunkKeys).Error; err != nil {
		return nil, nil, err
	}
	obsolete = append(obsolete, chunkKeys...)
	if err := tx.Where("session_id = ?", sess.ID).Delete(&RecordingChunk{}).Error; err != nil {
		return nil, nil, err
	}
	err := tx.Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "session_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"storage_key", "content_type", "size_bytes", "sha256", "transcription_status",
			"transcription_error", "delete_after", "purged_at", "chunks", "complete", "updated_at"}),
	}).Create(rec).Error
	if err != nil {
		return nil, nil, err
	}
	if policy.Transcribe != nil {
		err = policy.Transcribe(tx, sess.ID)
	} else {
		err = tx.Model(&Session{}).Where("id = ?", sess.ID).
			Updates(map[string]any{"status": string(api.SessionAwaitingTranscript), "updated_at": now}).Error
	}
	if err != nil {
		return nil, nil, err
	}
	// A recording arriving after the note was signed is let go like one
	// that was there at signing, unless the clinician keeps it.
	if signed && !rec.Keep {
		if err := scheduleRecordingDeletion(tx, sess.ClinicianID, sess.ID, policy.DeleteAt, policy.Purge); err != nil {
			return nil, nil, err
		}
		rec.DeleteAfter = &policy.DeleteAt
	}
	return rec, obsolete, nil
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
		if !rec.Complete {
			// Chunks are still arriving (the note was signed mid-call):
			// the recording is finished at the session's end at the latest.
			later := now.Add(time.Hour)
			notBefore = &later
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
