package app

import (
	"context"
	"time"

	"github.com/sidenote/sidenote/shared/api"
)

// AudioState is the session's uploaded recording as the server holds it:
// whether it is kept once the note is signed, or when it was deleted.
type AudioState struct {
	// Rec is nil while the session has no recording.
	Rec  *api.Recording
	Busy bool
	// Chunks counts the chunks of a recording uploaded while it ran.
	Chunks int
	// Interrupted is true when such a recording stopped before it was
	// finished (the panel was closed or reloaded): its chunks wait for
	// FinishInterrupted.
	Interrupted bool
	// Transcribing is how long the transcription has been followed, while
	// it runs.
	Transcribing time.Duration
}

// Transcription statuses of a recording.
const (
	TranscriptionPending       = "pending"
	TranscriptionDone          = "done"
	TranscriptionFailed        = "failed"
	TranscriptionNotConfigured = "not_configured"
)

// NeedsText reports that the recording will not become a transcript by
// itself: speech-to-text is not configured or failed, so the clinician
// pastes a transcript, writes a summary or downloads the audio.
func (ss *SessionState) NeedsText() bool {
	r := ss.Audio.Rec
	if r == nil || ss.Audio.Interrupted || ss.Transcript.Saved || ss.Summary.Saved {
		return false
	}
	return r.TranscriptionStatus == TranscriptionNotConfigured || r.TranscriptionStatus == TranscriptionFailed
}

// AudioFate is what becomes of a recording's audio under the retention
// policy.
type AudioFate int

const (
	// AudioNone: the session has no recording.
	AudioNone AudioFate = iota
	// AudioDeletedAtSigning: deleted once the note is signed.
	AudioDeletedAtSigning
	// AudioKept: kept after signing, as the clinician chose.
	AudioKept
	// AudioDeleting: the note is signed and the audio is due for deletion.
	AudioDeleting
	// AudioDeleted: the audio is gone.
	AudioDeleted
)

// Fate says what becomes of the audio.
func (as AudioState) Fate() AudioFate {
	switch r := as.Rec; {
	case r == nil:
		return AudioNone
	case r.DeletedAt != nil:
		return AudioDeleted
	case r.Keep:
		return AudioKept
	case r.DeleteAfter != nil:
		return AudioDeleting
	}
	return AudioDeletedAtSigning
}

// loadAudio fetches the session's recording, if it has one. A failure
// leaves what is shown as it was: the recording is secondary to the
// session, whose own loading reports connection trouble.
func (a *App) loadAudio(ctx context.Context, sessionID string) {
	p, err := a.d.API.RecordingProgress(ctx, sessionID)
	a.update(func(s *State) {
		if s.Session.Session.ID != sessionID {
			return
		}
		au := &s.Session.Audio
		switch {
		case err == nil:
			running := a.chunks != nil && a.chunks.sessionID == sessionID
			au.Chunks = p.Chunks
			au.Interrupted = p.Chunks > 0 && !p.Complete && !running && !a.heldChunks(s, sessionID)
			au.Rec = &p.Rec
			if au.Interrupted {
				au.Rec = nil
			}
		case isCode(err, api.CodeNotFound):
			au.Rec, au.Chunks, au.Interrupted = nil, 0, false
		default:
			s.failed(err)
		}
	})
}

// heldChunks reports whether this panel holds the rest of a chunked
// recording of the session. The caller holds the lock.
func (a *App) heldChunks(s *State, sessionID string) bool {
	for i := range s.Held {
		if s.Held[i].SessionID == sessionID && s.Held[i].chunks != nil {
			return true
		}
	}
	return false
}

// transcribeFor is how long a transcription is followed before the
// clinician is told to come back later.
const transcribeFor = 30 * time.Minute

// followTranscription polls a recording being transcribed while its
// session stays open, then shows the transcript.
func (a *App) followTranscription(ctx context.Context, id string) {
	pending := func(s *State) bool {
		r := s.Session.Audio.Rec
		return s.Screen == ScreenSession && s.Session.Session.ID == id && r != nil && r.TranscriptionStatus == TranscriptionPending
	}
	start := a.d.Now()
	for read(a, pending) && a.d.Now().Sub(start) < transcribeFor {
		if err := a.d.Sleep(ctx, pollEvery); err != nil {
			return
		}
		a.update(func(s *State) {
			if pending(s) {
				s.Session.Audio.Transcribing = a.d.Now().Sub(start)
			}
		})
		a.loadAudio(ctx, id)
	}
	done := read(a, func(s *State) bool {
		r := s.Session.Audio.Rec
		return s.Session.Session.ID == id && r != nil && r.TranscriptionStatus == TranscriptionDone
	})
	if !done {
		return
	}
	text, err := a.d.API.Text(ctx, id, TextTranscript)
	sess, serr := a.d.API.Session(ctx, id)
	a.update(func(s *State) {
		if s.Session.Session.ID != id {
			return
		}
		if err == nil && text != "" && s.Session.Transcript.Text == "" {
			s.Session.Transcript = TextDraft{Text: text, Saved: true}
			s.notify(NoticeSuccess, "The transcript is ready.")
		}
		if serr == nil {
			s.Session.Session = sess
			s.upsertSession(sess)
		}
	})
}

// KeepRecording keeps the open session's recording after the note is
// signed, or lets it be deleted then.
func (a *App) KeepRecording(ctx context.Context, keep bool) {
	var id string
	ok := false
	a.update(func(s *State) {
		au := &s.Session.Audio
		if au.Rec == nil || au.Busy || au.Rec.Keep == keep {
			return
		}
		au.Busy = true
		id = s.Session.Session.ID
		ok = true
	})
	if !ok {
		return
	}
	rec, err := a.d.API.KeepRecording(ctx, id, keep)
	a.update(func(s *State) {
		if s.Session.Session.ID != id {
			return
		}
		au := &s.Session.Audio
		au.Busy = false
		switch {
		case err == nil:
			s.reached()
			au.Rec = &rec
			if keep {
				s.notify(NoticeSuccess, "The recording will be kept after the note is signed.")
			} else {
				s.notify(NoticeSuccess, "The recording will be deleted once the note is signed.")
			}
		case isCode(err, api.CodeConflict):
			s.notify(NoticeError, "The recording was already deleted, so it can't be kept.")
		default:
			s.notify(NoticeError, s.failed(err))
		}
	})
	if isCode(err, api.CodeConflict) {
		a.loadAudio(ctx, id)
	}
}

// DownloadFailed says the recording could not be downloaded.
func (a *App) DownloadFailed() {
	a.update(func(s *State) {
		s.notify(NoticeError, "The recording could not be downloaded. Check the connection and try again.")
	})
}
