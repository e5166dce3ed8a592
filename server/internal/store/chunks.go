package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/sidenote/sidenote/server/internal/audit"
	"github.com/sidenote/sidenote/shared/api"
)

// RecordingChunk is one piece of a recording uploaded in chunks (the call
// recorder's, the extension's tab capture). Concatenated in index order the
// chunks are the recording so far.
type RecordingChunk struct {
	SessionID   string `gorm:"primaryKey"`
	ClinicianID string
	ChunkIndex  int `gorm:"primaryKey"`
	StorageKey  string
	SizeBytes   int64
	SHA256      string `gorm:"column:sha256"`
	CreatedAt   time.Time
}

// TranscriptionUploading is the transcription state of a recording whose
// chunks are still arriving.
const TranscriptionUploading = "uploading"

// ChunkKey is a fresh storage key for a chunk: unique per attempt, so two
// racing uploads of one index never write the same file.
func ChunkKey(sessionID string, index int) string {
	return fmt.Sprintf("%s/chunks/%06d-%s", SessionFilesKey(sessionID), index, randomSuffix())
}

// ErrChunkOutOfOrder is a chunk whose index is not the next one.
type ErrChunkOutOfOrder struct{ Next int }

func (e *ErrChunkOutOfOrder) Error() string { return fmt.Sprintf("expected chunk %d", e.Next) }

// ErrRecordingComplete refuses a chunk for a recording already finished.
var ErrRecordingComplete = &api.Error{Code: api.CodeConflict, Message: "This session's recording is already complete."}

// ErrRecordingTooLarge refuses a chunk that takes the recording past the
// upload limit.
var ErrRecordingTooLarge = &api.Error{Code: api.CodeBodyTooLarge, Message: "The recording is larger than the upload limit."}

// sessionRecording returns the clinician's session's recording, nil when
// it has none (and not found when the session is not theirs).
func (s *Store) sessionRecording(ctx context.Context, clinicianID, sessionID string) (*Recording, error) {
	if _, err := s.Session(ctx, clinicianID, sessionID); err != nil {
		return nil, err
	}
	var rec Recording
	err := s.db.WithContext(ctx).Where("session_id = ? AND clinician_id = ?", sessionID, clinicianID).Take(&rec).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, dbError(err, "Recording")
	}
	return &rec, nil
}

// RecordingChunks returns a session's recording (nil when it has none) and
// its chunks in order.
func (s *Store) RecordingChunks(ctx context.Context, clinicianID, sessionID string) (*Recording, []RecordingChunk, error) {
	rec, err := s.sessionRecording(ctx, clinicianID, sessionID)
	if err != nil || rec == nil {
		return nil, nil, err
	}
	var chunks []RecordingChunk
	err = s.db.WithContext(ctx).Where("session_id = ? AND clinician_id = ?", sessionID, clinicianID).
		Order("chunk_index").Find(&chunks).Error
	return rec, chunks, dbError(err, "Recording")
}

// UploadState returns a session's recording (nil when it has none) and, if
// index names a stored chunk, that chunk (else nil): what a chunk upload
// needs to know without listing every chunk.
func (s *Store) UploadState(ctx context.Context, clinicianID, sessionID string, index int) (*Recording, *RecordingChunk, error) {
	rec, err := s.sessionRecording(ctx, clinicianID, sessionID)
	if err != nil || rec == nil || index >= rec.Chunks {
		return rec, nil, err
	}
	var chunk RecordingChunk
	err = s.db.WithContext(ctx).Where("session_id = ? AND clinician_id = ? AND chunk_index = ?", sessionID, clinicianID, index).Take(&chunk).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return rec, nil, nil
	}
	if err != nil {
		return nil, nil, dbError(err, "Recording")
	}
	return rec, &chunk, nil
}

// AppendChunk records chunk (already stored) as the next chunk of the
// session's recording, starting the recording with chunk 0. A chunk that is
// not the next, or would take the recording past maxTotal bytes, is refused
// and nothing changes.
func (s *Store) AppendChunk(ctx context.Context, clinicianID, sessionID, contentType string, chunk RecordingChunk, maxTotal int64) (*Recording, error) {
	if _, err := s.Session(ctx, clinicianID, sessionID); err != nil {
		return nil, err
	}
	now := s.now()
	chunk.SessionID, chunk.ClinicianID, chunk.CreatedAt = sessionID, clinicianID, now
	var rec Recording
	err := s.Transaction(ctx, func(tx *gorm.DB) error {
		err := tx.Where("session_id = ? AND clinician_id = ?", sessionID, clinicianID).Take(&rec).Error
		exists := err == nil
		if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		switch {
		case exists && rec.Complete:
			return ErrRecordingComplete
		case exists && chunk.ChunkIndex != rec.Chunks:
			return &ErrChunkOutOfOrder{Next: rec.Chunks}
		case !exists && chunk.ChunkIndex != 0:
			return &ErrChunkOutOfOrder{Next: 0}
		case exists && rec.ContentType != contentType:
			return &api.Error{Code: api.CodeUnsupportedMedia, Message: "Every chunk must have the recording's type, " + rec.ContentType + "."}
		case rec.SizeBytes+chunk.SizeBytes > maxTotal:
			return ErrRecordingTooLarge
		}
		if err := tx.Create(&chunk).Error; err != nil {
			return err
		}
		if !exists {
			rec = Recording{
				SessionID: sessionID, ClinicianID: clinicianID, ContentType: contentType,
				SizeBytes: chunk.SizeBytes, TranscriptionStatus: TranscriptionUploading,
				Chunks: 1, Complete: false, CreatedAt: now, UpdatedAt: now,
			}
			if err := tx.Create(&rec).Error; err != nil {
				return err
			}
		} else {
			// Only if no other chunk got in first.
			res := tx.Model(&Recording{}).Where("session_id = ? AND chunks = ? AND complete = ?", sessionID, rec.Chunks, false).
				Updates(map[string]any{"chunks": rec.Chunks + 1, "size_bytes": rec.SizeBytes + chunk.SizeBytes, "updated_at": now})
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected != 1 {
				return &ErrChunkOutOfOrder{Next: rec.Chunks + 1}
			}
			rec.Chunks, rec.SizeBytes, rec.UpdatedAt = rec.Chunks+1, rec.SizeBytes+chunk.SizeBytes, now
		}
		return audit.RecordTx(ctx, tx, audit.RecordingWrite, sessionID)
	})
	if errors.Is(err, gorm.ErrDuplicatedKey) { // a concurrent upload of the same index won
		err = &ErrChunkOutOfOrder{Next: chunk.ChunkIndex + 1}
	}
	if err != nil {
		return nil, dbError(err, "Session")
	}
	return &rec, nil
}
