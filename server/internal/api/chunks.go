package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/sidenote/sidenote/server/internal/audit"
	"github.com/sidenote/sidenote/server/internal/recordings"
	"github.com/sidenote/sidenote/server/internal/store"
	"github.com/sidenote/sidenote/shared/api"
)

// Chunked, resumable recording upload: the call recorder and the
// extension's tab capture send MediaRecorder's chunks as they come, so
// closing the tab loses at most the last one, and what arrived is at every
// moment a playable recording (MediaRecorder's WebM chunks concatenate into
// one file).

// maxChunkBytes bounds one chunk (a few seconds of audio weigh tens of KB).
const maxChunkBytes = 16 << 20

// maxChunkIndex bounds the index in the path.
const maxChunkIndex = 1_000_000

var errRecordingPurged = &api.Error{Code: api.CodeConflict, Message: "This recording has already been deleted."}

// putChunk stores chunk :index of the session's recording: 201 when it is
// the next one, 200 when the same bytes were already stored at that index
// (a retry), 409 otherwise; X-Next-Chunk always tells the index expected.
func (s *Server) putChunk(c *gin.Context) {
	ctx := c.Request.Context()
	index, err := strconv.Atoi(c.Param("index"))
	if err != nil || index < 0 || index > maxChunkIndex {
		fail(c, &api.Error{Code: api.CodeInvalidField, Field: "index", Message: "The chunk index is a whole number from 0."})
		return
	}
	contentType, err := s.audioUpload(c)
	if err != nil {
		fail(c, err)
		return
	}
	sessionID := c.Param("id")
	rec, stored, err := s.store.UploadState(ctx, caller(c), sessionID, index)
	if err != nil {
		fail(c, err)
		return
	}
	next := 0
	if rec != nil {
		next = rec.Chunks
		if rec.Complete {
			fail(c, store.ErrRecordingComplete)
			return
		}
	}
	c.Header(api.NextChunkHeader, strconv.Itoa(next))
	if stored != nil {
		s.repeatedChunk(c, rec, *stored)
		return
	}
	if index != next {
		fail(c, chunkOutOfOrder(index, next))
		return
	}
	key := store.ChunkKey(sessionID, index)
	size, sum, err := s.putBody(c, key, min(maxChunkBytes, s.cfg.MaxRecordingBytes))
	if err != nil {
		fail(c, err)
		return
	}
	rec, err = s.store.AppendChunk(ctx, caller(c), sessionID, contentType,
		store.RecordingChunk{ChunkIndex: index, StorageKey: key, SizeBytes: size, SHA256: sum}, s.cfg.MaxRecordingBytes)
	if err != nil {
		s.deleteFiles(c, []string{key})
		var order *store.ErrChunkOutOfOrder
		if errors.As(err, &order) {
			c.Header(api.NextChunkHeader, strconv.Itoa(order.Next))
			err = chunkOutOfOrder(index, order.Next)
		}
		fail(c, err)
		return
	}
	c.Header(api.NextChunkHeader, strconv.Itoa(rec.Chunks))
	c.JSON(http.StatusCreated, toRecording(rec))
}

func chunkOutOfOrder(index, next int) error {
	return &api.Error{Code: api.CodeConflict, Message: "Chunk " + strconv.Itoa(index) + " is out of order: the next is " + strconv.Itoa(next) + "."}
}

// repeatedChunk answers a chunk sent again: 200 if its bytes are those
// stored, 409 if they differ.
func (s *Server) repeatedChunk(c *gin.Context, rec *store.Recording, stored store.RecordingChunk) {
	h := sha256.New()
	body := &wholeBody{r: http.MaxBytesReader(c.Writer, c.Request.Body, maxChunkBytes), want: c.Request.ContentLength}
	if _, err := io.Copy(h, body); err != nil {
		fail(c, errUploadCutOff)
		return
	}
	if hex.EncodeToString(h.Sum(nil)) != stored.SHA256 {
		fail(c, &api.Error{Code: api.CodeConflict, Message: "Chunk " + strconv.Itoa(stored.ChunkIndex) + " is already stored with other bytes."})
		return
	}
	c.JSON(http.StatusOK, toRecording(rec))
}

// completeRecording finishes a chunked recording: assembles the chunks into
// one sealed file, records its size and checksum and starts transcription
// as a whole upload does. Finishing a complete recording changes nothing.
func (s *Server) completeRecording(c *gin.Context) {
	rec, err := s.completeChunks(c, c.Param("id"))
	if err == nil && rec == nil {
		err = store.ErrNotFound("Recording")
	}
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toRecording(rec))
}

// completeChunks finishes the session's recording if it is an incomplete
// chunked one, and returns it (nil when the session has none).
func (s *Server) completeChunks(c *gin.Context, sessionID string) (*store.Recording, error) {
	ctx := c.Request.Context()
	rec, chunks, err := s.store.RecordingChunks(ctx, caller(c), sessionID)
	if err != nil || rec == nil || rec.Complete {
		return rec, err
	}
	if s.files == nil {
		return nil, errNoStorage
	}
	key := store.NewRecordingKey(sessionID)
	size, sum, err := s.files.Put(ctx, key, s.openChunks(ctx, chunks), s.cfg.MaxRecordingBytes)
	if err != nil {
		return nil, err
	}
	return s.saveRecording(c, sessionID, store.NewRecording{
		StorageKey: key, ContentType: rec.ContentType, Size: size, SHA256: sum, Chunks: len(chunks),
	})
}

// recordingAudio streams the session's recording: the uploaded file, or
// the chunks so far, concatenated. It is audited as a read.
func (s *Server) recordingAudio(c *gin.Context) {
	ctx := c.Request.Context()
	rec, chunks, err := s.store.RecordingChunks(ctx, caller(c), c.Param("id"))
	switch {
	case err != nil:
	case rec == nil:
		err = store.ErrNotFound("Recording")
	case rec.PurgedAt != nil:
		err = errRecordingPurged
	case s.files == nil:
		err = errNoStorage
	}
	if err == nil {
		err = s.recordRead(c, audit.RecordingRead, c.Param("id"))
	}
	var audio io.ReadCloser
	if err == nil && rec.Complete {
		audio, err = s.files.Open(ctx, rec.StorageKey)
	} else if err == nil {
		audio = s.openChunks(ctx, chunks)
	}
	if err != nil {
		fail(c, err)
		return
	}
	defer audio.Close()
	c.Header("Content-Type", rec.ContentType)
	c.Header("Content-Length", strconv.FormatInt(rec.SizeBytes, 10))
	c.Status(http.StatusOK)
	if _, err := io.Copy(c.Writer, audio); err != nil {
		s.log.Warn("recording audio not sent in full", "request_id", requestID(c), "error_type", errorType(err))
	}
}

// openChunks reads the chunks one after another, opening each when the
// previous one ends.
func (s *Server) openChunks(ctx context.Context, chunks []store.RecordingChunk) io.ReadCloser {
	keys := make([]string, len(chunks))
	for i, ch := range chunks {
		keys[i] = ch.StorageKey
	}
	return &chunkStream{ctx: ctx, files: s.files, keys: keys}
}

type chunkStream struct {
	ctx   context.Context
	files recordings.Storage
	keys  []string
	cur   io.ReadCloser
}

func (cs *chunkStream) Read(p []byte) (int, error) {
	for {
		if cs.cur == nil {
			if len(cs.keys) == 0 {
				return 0, io.EOF
			}
			rc, err := cs.files.Open(cs.ctx, cs.keys[0])
			if err != nil {
				return 0, err
			}
			cs.cur, cs.keys = rc, cs.keys[1:]
		}
		n, err := cs.cur.Read(p)
		if err == io.EOF {
			err = cs.cur.Close()
			cs.cur = nil
			if n > 0 || err != nil {
				return n, err
			}
			continue
		}
		return n, err
	}
}

func (cs *chunkStream) Close() error {
	if cs.cur == nil {
		return nil
	}
	return cs.cur.Close()
}
