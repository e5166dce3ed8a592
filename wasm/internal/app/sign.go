package app

import (
	"context"
	"strconv"

	"github.com/sidenote/sidenote/shared/api"
)

// RequestSign asks the clinician to confirm signing.
func (a *App) RequestSign(confirm bool) {
	a.update(func(s *State) {
		if ns := s.Session.Note; ns != nil {
			ns.SignConfirm, ns.SignErr = confirm, ""
		}
	})
}

// SignNote saves any pending edit, then signs the note.
func (a *App) SignNote(ctx context.Context) {
	var id string
	ok := false
	a.update(func(s *State) {
		ns := s.Session.Note
		if ns == nil || ns.SignBusy || ns.Note.Status != api.NoteReady {
			return
		}
		ns.SignBusy, ns.SignErr = true, ""
		id = ns.Note.ID
		ok = true
	})
	if !ok {
		return
	}
	if !a.flushBefore(ctx, "signing") {
		a.update(func(s *State) {
			if ns := s.Session.Note; ns != nil {
				ns.SignBusy = false
			}
		})
		return
	}
	// Sign the version on screen (after the flush above), so an edit made
	// elsewhere and not seen here is never signed; a session still open
	// ends in the same step, keeping its assignment.
	var req api.SignNoteRequest
	a.View(func(s *State) {
		if ns := s.Session.Note; ns != nil && ns.Note.ID == id {
			req.Version = ns.Note.Version
		}
		if s.Session.Session.Status != api.SessionEnded {
			req.EndSession = &api.EndSessionRequest{}
		}
	})
	n, err := a.d.API.SignNote(ctx, id, req)
	if isCode(err, api.CodeVersionConflict) {
		a.showNewerVersion(ctx, id)
		return
	}
	var sess api.Session
	var sessErr error
	if err == nil && req.EndSession != nil {
		sess, sessErr = a.d.API.Session(ctx, n.SessionID)
	}
	a.update(func(s *State) {
		ns := signAnswer(s, id, err)
		if ns == nil {
			return
		}
		ns.Note, ns.SignConfirm = n, false
		switch {
		case sessErr == nil && sess.ID == s.Session.Session.ID:
			s.Session.Session = sess
		case req.EndSession != nil:
			// Signed, and the server ended the session with it; only
			// reading it back failed.
			s.Session.Session.Status = api.SessionEnded
		}
		s.Session.Session.NoteStatus = n.Status
		s.upsertSession(s.Session.Session)
		s.notify(NoticeSuccess, "Note signed.")
	})
	if err == nil {
		// Signing starts the recording's retention: show when it goes.
		a.loadAudio(ctx, n.SessionID)
	}
}

// showNewerVersion shows the version of a note that was saved elsewhere
// after the one the clinician asked to sign: nothing was signed, and the
// clinician reads the newer text before signing again.
func (a *App) showNewerVersion(ctx context.Context, id string) {
	n, err := a.d.API.Note(ctx, id)
	a.update(func(s *State) {
		ns := signAnswer(s, id, err)
		if ns == nil {
			return
		}
		seen := ns.Note.Version
		ns.Note = n
		if n.Status == api.NoteSigned {
			ns.SignConfirm = false
			s.Session.Session.NoteStatus = n.Status
			s.notify(NoticeInfo, "This note was signed elsewhere meanwhile; the signed version is shown.")
			return
		}
		ns.SignErr = "Not signed: the note was changed elsewhere after version " + strconv.Itoa(seen) +
			". Version " + strconv.Itoa(n.Version) + " is shown now; read it, then sign again."
	})
}

// signAnswer applies what every answer to signing shares: the note must
// still be the one open, it is no longer busy, an error is shown. It
// returns the note to go on with, nil when there is nothing more to do.
func signAnswer(s *State, id string, err error) *NoteState {
	ns := s.Session.Note
	if ns == nil || ns.Note.ID != id {
		return nil
	}
	ns.SignBusy = false
	if err != nil {
		ns.SignErr = s.failed(err)
		return nil
	}
	s.reached()
	return ns
}
