package api

import (
	"context"
	"errors"
	"io"
	"mime"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sidenote/sidenote/server/internal/recordings"
	"github.com/sidenote/sidenote/server/internal/seal"
	"github.com/sidenote/sidenote/server/internal/store"
	"github.com/sidenote/sidenote/shared/api"
)

func (s *Server) recordingRoutes(r *gin.RouterGroup) {
	r.POST("/sessions/:id/recording", s.uploadRecording)
	r.GET("/sessions/:id/recording", s.getRecording)
	r.PATCH("/sessions/:id/recording", s.updateRecording)
	r.POST("/sessions/:id/recording/transcribe", s.retryTranscription)
	r.PUT("/sessions/:id/recording/chunks/:index", s.putChunk)
	r.POST("/sessions/:id/recording/complete", s.completeRecording)
	r.GET("/sessions/:id/recording/audio", s.recordingAudio)
}

// audioTypes are the recording formats accepted, by media type.
var audioTypes = map[string]string{
	"audio/webm": "audio/webm", "video/webm": "audio/webm",
	"audio/ogg": "audio/ogg", "application/ogg": "audio/ogg",
	"audio/mpeg": "audio/mpeg", "audio/mp3": "audio/mpeg",
	"audio/wav": "audio/wav", "audio/x-wav": "audio/wav", "audio/wave": "audio/wav",
	"audio/mp4": "audio/mp4", "audio/x-m4a": "audio/mp4", "audio/m4a": "audio/mp4",
}

var (
	errUnsupportedAudio = &api.Error{Code: api.CodeUnsupportedMedia, Message: "Upload a webm, ogg, mp3, wav or m4a recording."}
	errRecordingTooBig  = &api.Error{Code: api.CodeBodyTooLarge, Message: "The recording is larger than the upload limit."}
	errRecordingEmpty   = &api.Error{Code: api.CodeInvalidField, Message: "The recording is empty."}
	errUploadCutOff     = &api.Error{Code: api.CodeBadRequest, Message: "The upload ended before all of it arrived; nothing was changed. Please upload it again."}
	errNoStorage        = &api.Error{Code: api.CodeUnavailable, Message: "Recording storage is not available."}
)

// audioUpload returns the recording format of the request's Content-Type,
// once it is one and there is storage to put it in.
func (s *Server) audioUpload(c *gin.Context) (string, error) {
	mediaType, _, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	contentType, ok := audioTypes[mediaType]
	if err != nil || !ok {
		return "", errUnsupportedAudio
	}
	if s.files == nil {
		return "", errNoStorage
	}
	return contentType, nil
}

// errBodyCutOff ends a body that stopped short of its Content-Length.
var errBodyCutOff = errors.New("request body shorter than its Content-Length")

// wholeBody reads a request body and fails at its end unless it had all
// the bytes its Content-Length declared. (A chunked body cut off before its
// terminator already ends in io.ErrUnexpectedEOF.)
type wholeBody struct {
	r         io.Reader
	want, got int64 // want -1: no Content-Length
}

func (b *wholeBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.got += int64(n)
	if err == io.EOF && b.want >= 0 && b.got != b.want {
		err = errBodyCutOff
	}
	return n, err
}

// putBody streams the request body, sealed, to a new storage key, up to
// limit bytes. Nothing is left in storage unless it succeeds: a body that
// is cut off, empty or too large answers an API error.
func (s *Server) putBody(c *gin.Context, key string, limit int64) (size int64, sha string, err error) {
	if c.Request.ContentLength > limit {
		return 0, "", errRecordingTooBig
	}
	body := &wholeBody{r: http.MaxBytesReader(c.Writer, c.Request.Body, limit+1), want: c.Request.ContentLength}
	size, sha, err = s.files.Put(c.Request.Context(), key, body, limit)
	var tooLarge *http.MaxBytesError
	switch {
	case err == nil:
		return size, sha, nil
	case errors.Is(err, recordings.ErrTooLarge), errors.As(err, &tooLarge):
		return 0, "", errRecordingTooBig
	case errors.Is(err, recordings.ErrEmpty):
		return 0, "", errRecordingEmpty
	case errors.Is(err, seal.ErrSourceTruncated), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, errBodyCutOff),
		errors.Is(err, context.Canceled):
		s.log.Info("recording upload cut off", "request_id", requestID(c), "route", c.FullPath(), "received_bytes", body.got)
		return 0, "", errUploadCutOff
	}
	return 0, "", err
}

// uploadRecording streams the request body to storage (never holding it in
// memory) under a new key, and only once it is complete and checked points
// the session's recording at it, in one transaction; then schedules
// transcription when a speech-to-text provider is configured. Uploading
// again replaces it; a failed upload changes nothing.
func (s *Server) uploadRecording(c *gin.Context) {
	ctx := c.Request.Context()
	contentType, err := s.audioUpload(c)
	if err != nil {
		fail(c, err)
		return
	}
	sess, err := s.store.Session(ctx, caller(c), c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	key := store.NewRecordingKey(sess.ID)
	size, sum, err := s.putBody(c, key, s.cfg.MaxRecordingBytes)
	if err != nil {
		fail(c, err)
		return
	}
	rec, err := s.saveRecording(c, sess.ID, store.NewRecording{StorageKey: key, ContentType: contentType, Size: size, SHA256: sum})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, toRecording(rec))
}

// saveRecording points the session's recording at a stored file and
// deletes what that leaves unused (or the file, if it cannot).
func (s *Server) saveRecording(c *gin.Context, sessionID string, in store.NewRecording) (*store.Recording, error) {
	ctx := c.Request.Context()
	policy := store.RecordingPolicy{DeleteAt: s.recordingDeleteAt()}
	policy.Purge = s.purgeRecording(caller(c), policy.DeleteAt)
	if s.cfg.ASR.Enabled() && s.jobs != nil {
		policy.Transcribe = s.jobs.Transcribe(caller(c))
	}
	rec, obsolete, err := s.store.SaveRecording(ctx, caller(c), sessionID, in, policy)
	if err != nil {
		obsolete = []string{in.StorageKey}
	}
	s.deleteFiles(c, obsolete)
	return rec, err
}

// deleteFiles removes stored objects nothing refers to any more. A failure
// leaves a sealed orphan under the session's folder, removed with it.
func (s *Server) deleteFiles(c *gin.Context, keys []string) {
	for _, key := range keys {
		if err := s.files.Delete(context.WithoutCancel(c.Request.Context()), key); err != nil {
			s.log.Warn("unused recording file not deleted", "request_id", requestID(c), "error_type", errorType(err))
		}
	}
}

func (s *Server) getRecording(c *gin.Context) {
	if _, err := s.store.Session(c.Request.Context(), caller(c), c.Param("id")); err != nil {
		fail(c, err)
		return
	}
	rec, err := s.store.Recording(c.Request.Context(), caller(c), c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toRecording(rec))
}

func toRecording(r *store.Recording) api.Recording {
	return api.Recording{
		ContentType: r.ContentType, SizeBytes: r.SizeBytes, SHA256: r.SHA256,
		TranscriptionStatus: r.TranscriptionStatus, TranscriptionError: r.TranscriptionError, UploadedAt: r.UpdatedAt,
		Keep: r.Keep, DeleteAfter: r.DeleteAfter, DeletedAt: r.PurgedAt, Chunks: r.Chunks, Complete: r.Complete,
	}
}

// updateRecording records whether the clinician keeps the recording after
// the note is signed (SIDENOTE_RECORDING_RETENTION applies otherwise).
func (s *Server) updateRecording(c *gin.Context) {
	var req api.RecordingSettingsRequest
	if err := decode(c, s.cfg.MaxBodyBytes, &req); err != nil {
		fail(c, err)
		return
	}
	if req.Keep == nil {
		fail(c, &api.Error{Code: api.CodeInvalidField, Field: "keep", Message: "Say whether to keep the recording (true or false)."})
		return
	}
	deleteAt := s.recordingDeleteAt()
	rec, err := s.store.SetRecordingKeep(c.Request.Context(), caller(c), c.Param("id"), *req.Keep, deleteAt, s.purgeRecording(caller(c), deleteAt))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toRecording(rec))
}

// recordingDeleteAt is when a recording let go now is to be deleted.
func (s *Server) recordingDeleteAt() time.Time { return s.store.Now().Add(s.cfg.RecordingRetention) }

// purgeRecording schedules deleting a session's recording at at; without a
// job queue, nothing is scheduled (and nothing would run it).
func (s *Server) purgeRecording(clinicianID string, at time.Time) store.Enqueue {
	if s.jobs == nil {
		return nil
	}
	return s.jobs.PurgeRecording(clinicianID, at)
}

// retryTranscription sends a recording to the speech-to-text provider again
// after a failure.
func (s *Server) retryTranscription(c *gin.Context) {
	if _, err := s.store.Recording(c.Request.Context(), caller(c), c.Param("id")); err != nil {
		fail(c, err)
		return
	}
	if !s.cfg.ASR.Enabled() || s.jobs == nil {
		fail(c, &api.Error{Code: api.CodeUnavailable, Message: "No speech-to-text service is configured; paste a transcript instead."})
		return
	}
	rec, err := s.store.RetryTranscription(c.Request.Context(), caller(c), c.Param("id"), s.jobs.Transcribe(caller(c)))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusAccepted, toRecording(rec))
}
