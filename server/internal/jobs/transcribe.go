package jobs

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/sidenote/sidenote/server/internal/provider"
	"github.com/sidenote/sidenote/server/internal/store"
)

// TranscribeArgs asks for a session's recording to be transcribed.
type TranscribeArgs struct {
	ClinicianID string `json:"clinician_id"`
	SessionID   string `json:"session_id"`
}

// Kind names the job.
func (TranscribeArgs) Kind() string { return "transcribe_recording" }

type transcribeWorker struct {
	river.WorkerDefaults[TranscribeArgs]
	deps Deps
}

func (w *transcribeWorker) Timeout(*river.Job[TranscribeArgs]) time.Duration { return 45 * time.Minute }

// Work sends the recording to the speech-to-text provider and saves the
// transcript. A provider failure is recorded on the recording, and the
// session waits for a pasted transcript: never a silent failure.
func (w *transcribeWorker) Work(ctx context.Context, job *river.Job[TranscribeArgs]) error {
	st, a := w.deps.Store, job.Args
	rec, err := st.Recording(ctx, a.ClinicianID, a.SessionID)
	if err != nil {
		return ignoreNotFound(err)
	}
	if rec.TranscriptionStatus != store.TranscriptionPending {
		return nil
	}
	if w.deps.Transcribe == nil {
		return st.FailTranscription(ctx, a.ClinicianID, a.SessionID, "No speech-to-text service is configured; paste a transcript instead.")
	}
	audio, err := w.deps.Recordings.Open(ctx, rec.StorageKey)
	if err != nil {
		return st.FailTranscription(ctx, a.ClinicianID, a.SessionID, "The recording could not be read; upload it again.")
	}
	defer audio.Close()
	text, err := w.deps.Transcribe.Transcribe(ctx, "recording"+extension(rec.ContentType), rec.ContentType, audio)
	if err != nil {
		var failure *provider.Failure
		reason := "The recording could not be transcribed. Try again, or paste a transcript."
		if errors.As(err, &failure) {
			reason = failure.Reason
		}
		w.deps.Log.LogAttrs(ctx, slog.LevelWarn, "transcription failed", slog.String("session_id", a.SessionID))
		return st.FailTranscription(ctx, a.ClinicianID, a.SessionID, reason)
	}
	return st.FinishTranscription(ctx, a.ClinicianID, a.SessionID, text)
}

// extension gives the provider a file name it recognises.
func extension(contentType string) string {
	switch contentType {
	case "audio/webm":
		return ".webm"
	case "audio/ogg":
		return ".ogg"
	case "audio/mpeg":
		return ".mp3"
	case "audio/wav":
		return ".wav"
	case "audio/mp4":
		return ".m4a"
	}
	return ""
}
