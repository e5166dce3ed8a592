package api

import (
	"errors"
	"mime"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sidenote/sidenote/server/internal/audit"
	"github.com/sidenote/sidenote/server/internal/recordings"
	"github.com/sidenote/sidenote/server/internal/store"
	"github.com/sidenote/sidenote/shared/api"
)

func (s *Server) sourceRoutes(r *gin.RouterGroup) {
	r.PUT("/sessions/:id/summary", s.putSource(store.SourceSummary))
	r.PUT("/sessions/:id/transcript", s.putSource(store.SourceTranscript))
	r.GET("/sessions/:id/summary", s.getSource(store.SourceSummary, audit.SummaryRead))
	r.GET("/sessions/:id/transcript", s.getSource(store.SourceTranscript, audit.TranscriptRead))
	r.POST("/sessions/:id/recording", s.uploadRecording)
	r.GET("/sessions/:id/recording", s.getRecording)
	r.PATCH("/sessions/:id/recording", s.updateRecording)
	r.POST("/sessions/:id/recording/transcribe", s.retryTranscription)
}

func (s *Server) putSource(kind string) gin.HandlerFunc {
	return func(c *gin.Context) {
		var req api.SourceRequest
		if err := decode(c, s.cfg.MaxBodyBytes, &req); err != nil {
			fail(c, err)
			return
		}
		if err := s.store.PutSource(c.Request.Context(), caller(c), c.Param("id"), kind, req.Text, req.Reason); err != nil {
			fail(c, err)
			return
		}
		c.JSON(http.StatusOK, api.TextRequest{Text: req.Text})
	}
}

func (s *Server) getSource(kind string, action audit.Action) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx := c.Request.Context()
		if _, err := s.store.Session(ctx, caller(c), c.Param("id")); err != nil {
			fail(c, err)
			return
		}
		summary, transcript, err := s.store.Sources(ctx, caller(c), c.Param("id"))
		if err == nil {
			err = s.recordRead(c, action, c.Param("id"))
		}
		if err != nil {
			fail(c, err)
			return
		}
		text := summary
		if kind == store.SourceTranscript {
			text = transcript
		}
		c.JSON(http.StatusOK, api.TextRequest{Text: text})
	}
}

// audioTypes are the recording formats accepted, by media type.
var audioTypes = map[string]string{
	"audio/webm": "audio/webm", "video/webm": "audio/webm",
	"audio/ogg": "audio/ogg", "application/ogg": "audio/ogg",
	"audio/mpeg": "audio/mpeg", "audio/mp3": "audio/mpeg",
	"audio/wav": "audio/wav", "audio/x-wav": "audio/wav", "audio/wave": "audio/wav",
	"audio/mp4": "audio/mp4", "audio/x-m4a": "audio/mp4", "audio/m4a": "audio/mp4",
}

// uploadRecording streams the request body to storage (never holding it
// in memory), records its checksum and schedules transcription when a
// speech-to-text provider is configured. Uploading again replaces it.
func (s *Server) uploadRecording(c *gin.Context) {
	ctx := c.Request.Context()
	mediaType, _, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	contentType, ok := audioTypes[mediaType]
	if err != nil || !ok {
		fail(c, &api.Error{Code: api.CodeUnsupportedMedia, Message: "Upload a webm, ogg, mp3, wav or m4a recording."})
		return
	}
	limit := s.cfg.MaxRecordingBytes
	if c.Request.ContentLength > limit {
		fail(c, &api.Error{Code: api.CodeBodyTooLarge, Message: "The recording is larger than the upload limit."})
		return
	}
	if s.files == nil {
		fail(c, &api.Error{Code: api.CodeUnavailable, Message: "Recording storage is not available."})
		return
	}
	sess, err := s.store.Session(ctx, caller(c), c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	body := http.MaxBytesReader(c.Writer, c.Request.Body, limit+1)
	size, sum, err := s.files.Put(ctx, store.RecordingKey(sess.ID), body, limit)
	var tooLarge *http.MaxBytesError
	switch {
	case errors.Is(err, recordings.ErrTooLarge), errors.As(err, &tooLarge):
		fail(c, &api.Error{Code: api.CodeBodyTooLarge, Message: "The recording is larger than the upload limit."})
		return
	case err != nil:
		fail(c, err)
		return
	case size == 0:
		fail(c, &api.Error{Code: api.CodeInvalidField, Message: "The recording is empty."})
		return
	}
	var enqueue store.Enqueue
	if s.cfg.ASR.Enabled() && s.jobs != nil {
		enqueue = s.jobs.Transcribe(caller(c))
	}
	rec, err := s.store.SaveRecording(ctx, caller(c), sess.ID, contentType, size, sum, enqueue)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, toRecording(rec))
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
		Keep: r.Keep, DeleteAfter: r.DeleteAfter, DeletedAt: r.PurgedAt,
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
