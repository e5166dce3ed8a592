package app

import (
	"context"

	"github.com/sidenote/sidenote/shared/api"
)

// AudioState is the session's uploaded recording as the server holds it:
// whether it is kept once the note is signed, or when it was deleted.
type AudioState struct {
	// Rec is nil while the session has no recording.
	Rec  *api.Recording
	Busy bool
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
	rec, err := a.d.API.Recording(ctx, sessionID)
	a.update(func(s *State) {
		if s.Session.Session.ID != sessionID {
			return
		}
		switch {
		case err == nil:
			s.Session.Audio.Rec = &rec
		case isCode(err, api.CodeNotFound):
			s.Session.Audio.Rec = nil
		default:
			s.failed(err)
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
