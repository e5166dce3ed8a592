package app

import (
	"context"
	"time"

	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/shared/note"
)

// SetTemplate chooses the template for the next note.
func (a *App) SetTemplate(id note.TemplateID) {
	if _, ok := note.Lookup(id); !ok && !a.customTemplate(id) {
		return
	}
	a.update(func(s *State) { s.Session.Template = id })
}

// Polling of a generating note: every pollEvery, for at most pollFor.
const (
	pollEvery = 700 * time.Millisecond
	pollFor   = 5 * time.Minute
)

// GenerateNote asks the server for a note from the session's sources and
// follows it until it is ready or failed.
func (a *App) GenerateNote(ctx context.Context) {
	var sessionID string
	var tmpl note.TemplateID
	ok := false
	a.update(func(s *State) {
		ss := &s.Session
		if ss.Note != nil && (ss.Note.GenerateBusy || ss.Note.Note.Status == api.NoteGenerating) {
			return
		}
		if ss.Note == nil {
			// A placeholder without a note carries the progress until the
			// server answers; a previous note stays visible meanwhile.
			ss.Note = &NoteState{Edits: map[string]string{}, Base: map[string]string{}}
		}
		ss.Note.GenerateBusy, ss.Note.GenerateErr = true, ""
		sessionID, tmpl = ss.Session.ID, ss.Template
		ok = true
	})
	if !ok {
		return
	}
	// Unsaved edits of the current note must not be lost by replacing it.
	if !a.flushBefore(ctx, "writing a new note") || !a.flushTexts(ctx) {
		a.update(func(s *State) {
			if s.Session.Note != nil {
				s.Session.Note.GenerateBusy = false
			}
		})
		return
	}
	// A failed note is tried again as it was; anything else asks for a new one.
	retry := read(a, func(s *State) string {
		if ns := s.Session.Note; ns != nil && ns.Note.Status == api.NoteFailed && ns.Note.Template == tmpl {
			return ns.Note.ID
		}
		return ""
	})
	var n api.Note
	var err error
	if retry != "" {
		n, err = a.d.API.RetryNote(ctx, retry)
	} else {
		n, err = a.d.API.GenerateNote(ctx, sessionID, tmpl, a.d.NewKey())
	}
	a.update(func(s *State) {
		if s.Session.Session.ID != sessionID {
			return
		}
		if err != nil {
			if s.Session.Note != nil {
				s.Session.Note.GenerateBusy = false
				s.Session.Note.GenerateErr = s.failed(err)
			}
			return
		}
		s.reached()
		s.Session.Note = a.openNote(n)
		s.Session.Session.NoteStatus = n.Status
		s.upsertSession(s.Session.Session)
	})
	if err == nil && n.Status == api.NoteGenerating {
		a.pollNote(ctx, n.ID)
	}
}

// pollNote follows a generating note while it is the open one.
func (a *App) pollNote(ctx context.Context, id string) {
	start := a.d.Now()
	for {
		if a.d.Now().Sub(start) > pollFor {
			a.update(func(s *State) {
				if ns := s.Session.Note; ns != nil && ns.Note.ID == id {
					ns.GenerateErr = "This note is taking much longer than usual. Come back to this session later to see it."
				}
			})
			return
		}
		if err := a.d.Sleep(ctx, pollEvery); err != nil {
			return
		}
		if !read(a, func(s *State) bool { return s.Session.Note != nil && s.Session.Note.Note.ID == id }) {
			return // the clinician moved on
		}
		n, err := a.d.API.Note(ctx, id)
		done := false
		a.update(func(s *State) {
			ns := s.Session.Note
			if ns == nil || ns.Note.ID != id {
				done = true
				return
			}
			ns.Elapsed = a.d.Now().Sub(start)
			if err != nil {
				// Keep polling through a blip; say so if it persists.
				if isUnreachable(err) {
					s.failed(err)
				} else {
					ns.GenerateErr = s.failed(err)
					done = true
				}
				return
			}
			s.reached()
			if n.Status == api.NoteGenerating {
				return
			}
			done = true
			*ns = *a.openNote(n)
			s.Session.Session.NoteStatus = n.Status
			s.upsertSession(s.Session.Session)
			if n.Status == api.NoteFailed {
				ns.GenerateErr = failureMessage(n.FailureReason)
			} else {
				s.notify(NoticeSuccess, "Note ready. Review each section before signing.")
			}
		})
		if done {
			return
		}
	}
}

func failureMessage(reason string) string {
	if reason == "" {
		return "The note could not be written. Try again, or choose another template."
	}
	return "The note could not be written: " + reason + " You can try again."
}
