package app

import (
	"context"
	"strings"
)

// TextDraft is a summary or transcript being typed. Text stays on this
// device until the server has it.
type TextDraft struct {
	Text   string
	Saving bool
	Saved  bool
	// Queued is true when a save failed for want of a connection; it is
	// retried when the server is reachable again.
	Queued bool
	Err    string
}

type textDraft struct {
	Text   string `json:"text"`
	Queued bool   `json:"queued,omitempty"`
}

// Kinds of text a session takes.
const (
	TextSummary    = "summary"
	TextTranscript = "transcript"
)

func textKey(kind, sessionID string) string {
	if kind == TextTranscript {
		return keyTranscriptDraft + sessionID
	}
	return keySummaryDraft + sessionID
}

func (ss *SessionState) text(kind string) *TextDraft {
	if kind == TextTranscript {
		return &ss.Transcript
	}
	return &ss.Summary
}

// SetText keeps a summary or transcript as it is typed: on this device at
// once, on the server after the clinician pauses (autosave), as note
// sections are.
func (a *App) SetText(kind, text string) {
	a.mu.Lock()
	ss := &a.st.Session
	d := ss.text(kind)
	changed := d.Saved || d.Err != ""
	d.Text, d.Saved, d.Err = text, false, ""
	id := ss.Session.ID
	queued := d.Queued
	a.mu.Unlock()
	if id != "" {
		a.saveJSON(textKey(kind, id), textDraft{Text: text, Queued: queued})
	}
	if changed && a.d.OnChange != nil {
		a.d.OnChange()
	}
	if id != "" && a.d.ScheduleSave != nil {
		a.d.ScheduleSave()
	}
}

// Autosave saves what waited for a pause in typing: the open note's edits
// and a summary or transcript typed since it was last saved.
func (a *App) Autosave(ctx context.Context) {
	a.SaveNote(ctx)
	for _, kind := range []string{TextSummary, TextTranscript} {
		if a.textUnsaved(kind) {
			a.saveText(ctx, kind, false)
		}
	}
}

// textUnsaved reports whether typed text of kind waits to be saved.
func (a *App) textUnsaved(kind string) bool {
	return read(a, func(s *State) bool {
		d := s.Session.text(kind)
		return s.Session.Session.ID != "" && strings.TrimSpace(d.Text) != "" && !d.Saved && !d.Saving
	})
}

// flushTexts saves typed summary and transcript before writing a note from
// them, and says why the note can't be written otherwise.
func (a *App) flushTexts(ctx context.Context) bool {
	for _, kind := range []string{TextSummary, TextTranscript} {
		if !a.textUnsaved(kind) {
			continue
		}
		a.saveText(ctx, kind, false)
		if a.textUnsaved(kind) {
			what := "summary"
			if kind == TextTranscript {
				what = "transcript"
			}
			a.update(func(s *State) {
				s.notify(NoticeError, "The "+what+" isn't saved yet, so the note can't be written from it. It is kept on this device; try again when the server can be reached.")
			})
			return false
		}
	}
	return true
}

// SaveText sends the summary or transcript to the server now. Without a
// connection it stays queued on this device and is retried.
func (a *App) SaveText(ctx context.Context, kind string) { a.saveText(ctx, kind, true) }

// saveText sends the text; announce says so in a notice, which an autosave
// does not (its status shows beside the field).
func (a *App) saveText(ctx context.Context, kind string, announce bool) {
	var id, text string
	ok := false
	a.update(func(s *State) {
		d := s.Session.text(kind)
		id, text = s.Session.Session.ID, d.Text
		d.Err = ""
		if strings.TrimSpace(text) == "" {
			if kind == TextTranscript {
				d.Err = "The transcript is empty. Paste or type it first."
			} else {
				d.Err = "The summary is empty. Paste or type it first."
			}
			return
		}
		if d.Saving {
			return
		}
		d.Saving = true
		ok = true
	})
	if !ok {
		return
	}
	signOuts := read(a, func(*State) int { return a.signOuts })
	err := a.putText(ctx, kind, id, text)
	again := false
	a.update(func(s *State) {
		if s.Session.Session.ID != id {
			return
		}
		d := s.Session.text(kind)
		d.Saving = false
		switch {
		case err == nil:
			s.reached()
			d.Queued = false
			d.Saved = d.Text == text
			// Typed more while saving: that waits for its own save.
			again = !d.Saved
			if !announce {
				return
			}
			if kind == TextTranscript {
				s.notify(NoticeSuccess, "Transcript saved.")
			} else {
				s.notify(NoticeSuccess, "Summary saved.")
			}
		case isUnreachable(err):
			s.failed(err)
			d.Queued = true
		default:
			d.Err = s.failed(err)
		}
	})
	if isUnreachable(err) && read(a, func(*State) int { return a.signOuts }) == signOuts {
		a.saveJSON(textKey(kind, id), textDraft{Text: text, Queued: true})
	}
	if again && a.d.ScheduleSave != nil {
		a.d.ScheduleSave()
	}
}

// putText saves text and drops its draft if nothing was typed meanwhile.
func (a *App) putText(ctx context.Context, kind, sessionID, text string) error {
	var err error
	if kind == TextTranscript {
		err = a.d.API.PutTranscript(ctx, sessionID, text)
	} else {
		err = a.d.API.PutSummary(ctx, sessionID, text)
	}
	if err == nil {
		var d textDraft
		if a.loadJSON(textKey(kind, sessionID), &d) && d.Text == text {
			a.d.Store.Remove(textKey(kind, sessionID))
		}
	}
	return err
}

// kickSave asks for an autosave when the open note has pending edits or a
// summary or transcript typed here (before a reload, say) is not saved.
func (a *App) kickSave() {
	pending := read(a, func(s *State) bool { return s.Session.Note != nil && s.Session.Note.Save == SavePending })
	if (pending || a.textUnsaved(TextSummary) || a.textUnsaved(TextTranscript)) && a.d.ScheduleSave != nil {
		a.d.ScheduleSave()
	}
}
