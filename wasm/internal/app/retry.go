package app

import (
	"context"
	"strings"

	"github.com/sidenote/sidenote/shared/api"
)

// HasPending reports whether anything typed or recorded here still waits
// for the server.
func (a *App) HasPending() bool {
	if read(a, func(s *State) bool {
		for i := range s.Held {
			// Offline or not: a request since may have found the
			// connection back without sending it.
			if s.Held[i].Auto {
				return true
			}
		}
		return false
	}) {
		return true
	}
	return len(a.d.Store.Keys(keyDraftPrefix)) > 0 && read(a, func(s *State) bool {
		return s.Offline || (s.Session.Note != nil && (s.Session.Note.Save == SaveQueued || s.Session.Note.Save == SaveFailed)) ||
			s.Session.Summary.Queued || s.Session.Transcript.Queued
	})
}

// RetryPending sends what was kept on this device while the server was
// unreachable: queued summaries and transcripts, and every note's unsaved
// edits. It also reloads a list shown from the offline copy. Edits that
// now conflict stay on this device until their note is opened. Drafts are
// sent only once the clinician signed in is known to be the one who typed
// them. Recordings held for want of a connection or a sign-in are sent
// again, to their own sessions, once the clinician who recorded them is
// signed in.
func (a *App) RetryPending(ctx context.Context) {
	defer a.recountSignOut()
	openNote := ""
	a.View(func(s *State) {
		if s.Session.Note != nil && s.Screen == ScreenSession {
			openNote = s.Session.Note.Note.ID
		}
	})
	reachable := true
	var keys []string
	if a.draftsMine() {
		keys = a.d.Store.Keys(keyDraftPrefix)
	}
	for _, key := range keys {
		if !reachable {
			break
		}
		var err error
		switch {
		case strings.HasPrefix(key, keySummaryDraft), strings.HasPrefix(key, keyTranscriptDraft):
			err = a.retryText(ctx, key)
		case strings.HasPrefix(key, keyNoteDraft):
			id := strings.TrimPrefix(key, keyNoteDraft)
			if id == openNote {
				a.SaveNote(ctx)
				continue
			}
			err = a.retryNote(ctx, id)
		}
		reachable = !isUnreachable(err)
	}
	if reachable {
		reachable = a.retryHeld(ctx)
	}
	if !reachable {
		a.update(func(s *State) { s.Offline = true })
		return
	}
	if read(a, func(s *State) bool { return s.List.Cached && s.Screen == ScreenSessions }) {
		a.LoadSessions(ctx)
	}
}

func (a *App) retryText(ctx context.Context, key string) error {
	var d textDraft
	if !a.loadJSON(key, &d) || !d.Queued {
		return nil
	}
	kind, id := TextSummary, strings.TrimPrefix(key, keySummaryDraft)
	if strings.HasPrefix(key, keyTranscriptDraft) {
		kind, id = TextTranscript, strings.TrimPrefix(key, keyTranscriptDraft)
	}
	err := a.putText(ctx, kind, id, d.Text)
	if err == nil {
		a.update(func(s *State) {
			s.reached()
			if s.Session.Session.ID == id {
				t := s.Session.text(kind)
				t.Queued, t.Err = false, ""
				t.Saved = t.Text == d.Text
			}
		})
	}
	return err
}

// retryNote saves a note's kept edits if nothing changed on the server since.
func (a *App) retryNote(ctx context.Context, id string) error {
	var d noteDraft
	if !a.loadJSON(keyNoteDraft+id, &d) || len(d.Sections) == 0 || d.Conflict {
		return nil
	}
	req := api.UpdateNoteRequest{Version: d.Version}
	for k, v := range d.Sections {
		req.Sections = append(req.Sections, api.SectionEdit{Key: k, Text: v})
	}
	_, err := a.d.API.UpdateNote(ctx, id, req)
	if err == nil {
		a.d.Store.Remove(keyNoteDraft + id)
	}
	return err
}
