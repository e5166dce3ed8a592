package app

import (
	"context"
	"errors"
	"strings"

	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/shared/note"
	"github.com/sidenote/sidenote/wasm/internal/client"
)

// SessionState is the session detail screen: capture, note, assignment.
type SessionState struct {
	Session    api.Session
	Loading    bool
	Err        string
	Summary    TextDraft
	Transcript TextDraft
	Upload     UploadState
	Recording  RecordingState
	Audio      AudioState
	Call       CallState
	Assign     AssignState
	End        EndState
	// Template is the template chosen for the next note.
	Template note.TemplateID
	// OnFilled is the clinician's choice for fields that already hold text.
	OnFilled OnFilled
	Note     *NoteState
}

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

// UploadState is a recording or file being uploaded.
type UploadState struct {
	Active      bool
	Name        string
	Sent, Total int64
	Done        bool
	Err         string
}

// Percent is the upload's progress, 0 to 100.
func (u UploadState) Percent() int {
	if u.Total <= 0 {
		return 0
	}
	return int(u.Sent * 100 / u.Total)
}

// AssignState is the "assign to a client" panel of an anonymous session.
type AssignState struct {
	Open    bool
	Query   string
	NewName string
	NewKind api.ClientKind
	Busy    bool
	Err     string
}

// EndState is the "end session" panel.
type EndState struct {
	Open bool
	Busy bool
	Err  string
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

// OpenSession loads a session and its latest note.
func (a *App) OpenSession(ctx context.Context, id string) {
	a.update(func(s *State) {
		s.Screen = ScreenSession
		// Show what the list knows at once; details follow.
		for _, it := range s.List.Items {
			if it.ID == id {
				s.Session = a.freshSession(s, it)
				break
			}
		}
		if s.Session.Session.ID != id {
			s.Session = a.freshSession(s, api.Session{ID: id})
		}
		s.Session.Loading = true
	})
	sess, err := a.d.API.Session(ctx, id)
	if err != nil {
		a.update(func(s *State) { s.Session.Loading = false; s.Session.Err = s.failed(err) })
		return
	}
	notes, err := a.d.API.SessionNotes(ctx, id)
	if err != nil {
		a.update(func(s *State) { s.Session.Loading = false; s.Session.Err = s.failed(err) })
		return
	}
	// What the server already has, unless something typed here replaces it.
	for _, kind := range []string{TextSummary, TextTranscript} {
		text, err := a.d.API.Text(ctx, id, kind)
		if err != nil || text == "" {
			continue
		}
		a.update(func(s *State) {
			if d := s.Session.text(kind); s.Session.Session.ID == id && d.Text == "" {
				d.Text, d.Saved = text, true
			}
		})
	}
	a.loadAudio(ctx, id)
	a.loadJoinLink(ctx, sess)
	a.showSession(ctx, sess, notes)
	a.followTranscription(ctx, id)
}

func (a *App) freshSession(s *State, sess api.Session) SessionState {
	tmpl, onFilled := s.Session.Template, s.Session.OnFilled
	if tmpl == "" {
		tmpl = note.SOAP
	}
	if onFilled == "" {
		onFilled = FilledSkip
	}
	ss := SessionState{Session: sess, Template: tmpl, OnFilled: onFilled}
	for _, kind := range []string{TextSummary, TextTranscript} {
		var d textDraft
		if sess.ID != "" && a.loadJSON(textKey(kind, sess.ID), &d) {
			*ss.text(kind) = TextDraft{Text: d.Text, Queued: d.Queued}
		}
	}
	return ss
}

// showSession shows a loaded session with the latest of its notes.
func (a *App) showSession(ctx context.Context, sess api.Session, notes []api.Note) {
	var latest *api.Note
	for i := range notes {
		if latest == nil || notes[i].CreatedAt.After(latest.CreatedAt) {
			latest = &notes[i]
		}
	}
	a.update(func(s *State) {
		s.reached()
		s.Screen = ScreenSession
		if s.Session.Session.ID != sess.ID {
			s.Session = a.freshSession(s, sess)
		}
		s.Session.Session = sess
		s.Session.Loading = false
		s.Session.Err = ""
		s.Session.Note = nil
		if latest != nil {
			s.Session.Template = latest.Template
			s.Session.Note = a.openNote(*latest)
		}
		s.upsertSession(sess)
	})
	if latest != nil && latest.Status == api.NoteGenerating {
		a.pollNote(ctx, latest.ID)
	}
	a.kickSave()
}

// SetText keeps a summary or transcript as it is typed, on this device.
func (a *App) SetText(kind, text string) {
	a.mu.Lock()
	ss := &a.st.Session
	d := ss.text(kind)
	changed := d.Saved
	d.Text, d.Saved = text, false
	id := ss.Session.ID
	queued := d.Queued
	a.mu.Unlock()
	if id != "" {
		a.saveJSON(textKey(kind, id), textDraft{Text: text, Queued: queued})
	}
	if changed && a.d.OnChange != nil {
		a.d.OnChange()
	}
}

// SaveText sends the summary or transcript to the server. Without a
// connection it stays queued on this device and is retried.
func (a *App) SaveText(ctx context.Context, kind string) {
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
			if kind == TextTranscript {
				s.notify(NoticeSuccess, "Transcript saved.")
			} else {
				s.notify(NoticeSuccess, "Summary saved.")
			}
		case isUnreachable(err):
			s.failed(err)
			d.Queued = true
			d.Err = "Not saved yet: the server can't be reached. It is kept on this device and will be saved when the connection returns."
		default:
			d.Err = s.failed(err)
		}
	})
	if isUnreachable(err) && read(a, func(*State) int { return a.signOuts }) == signOuts {
		a.saveJSON(textKey(kind, id), textDraft{Text: text, Queued: true})
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

// Upload sends a recording or audio file to the open session, showing its
// progress. A chosen file that fails to upload stays where it was on the
// clinician's computer: it is not held.
func (a *App) Upload(ctx context.Context, b client.Blob) {
	var id string
	a.View(func(s *State) { id = s.Session.Session.ID })
	a.upload(ctx, id, b, -1)
}

// upload sends b as the recording of session id and returns the upload's
// error. Its progress shows while that session is the one open; its outcome
// is told wherever the clinician is, since a recording stopped by leaving
// its session still uploads. held says what b is: -1 a chosen file, 0 a
// recording from the microphone, which is held if it fails, or the Seq of
// a held recording sent again, dropped once it arrives.
func (a *App) upload(ctx context.Context, id string, b client.Blob, held int) error {
	busy := false
	owner := ""
	a.update(func(s *State) {
		if s.Me != nil {
			owner = s.Me.ID
		}
		if s.Session.Session.ID != id {
			return
		}
		if s.Session.Upload.Active {
			busy = true
			return
		}
		s.Session.Upload = UploadState{Active: true, Name: b.Name(), Total: b.Size()}
	})
	if busy {
		if held >= 0 {
			err := errors.New("another upload is still running")
			a.update(func(s *State) {
				a.hold(s, held, id, owner, b, err, "Another upload was still running. Try again once it has finished.")
			})
			return err
		}
		return nil
	}
	upErr := a.d.API.UploadRecording(ctx, id, b, func(sent, total int64) {
		a.update(func(s *State) {
			if s.Session.Session.ID == id {
				s.Session.Upload.Sent, s.Session.Upload.Total = sent, total
			}
		})
	})
	var sess api.Session
	err := upErr
	if err == nil {
		sess, err = a.d.API.Session(ctx, id)
	}
	if err == nil {
		a.loadAudio(ctx, id)
	}
	a.update(func(s *State) {
		shown := s.Session.Session.ID == id
		u := &s.Session.Upload
		if shown {
			u.Active = false
		}
		if upErr == nil && held > 0 {
			s.dropHeld(held)
		}
		switch {
		case upErr != nil && held >= 0:
			a.hold(s, held, id, owner, b, upErr, s.failed(upErr))
			return
		case upErr != nil:
			msg := s.failed(upErr)
			if shown {
				u.Err = msg
			} else {
				s.notify(NoticeError, "A recording could not be uploaded. "+msg)
			}
			return
		}
		if shown {
			u.Done, u.Sent = true, u.Total
		}
		if err != nil {
			// Uploaded; only the session's new state could not be read.
			s.failed(err)
			s.notify(NoticeSuccess, "Recording uploaded.")
			return
		}
		s.reached()
		if shown {
			s.Session.Session = sess
		}
		s.upsertSession(sess)
		if sess.Status == api.SessionAwaitingTranscript {
			s.notify(NoticeInfo, "Recording uploaded. It is waiting to be transcribed; you can also paste a transcript.")
		} else {
			s.notify(NoticeSuccess, "Recording uploaded.")
		}
	})
	return upErr
}

// OpenAssign shows the assign panel.
func (a *App) OpenAssign(ctx context.Context, open bool) {
	a.update(func(s *State) {
		s.Session.Assign = AssignState{Open: open, NewKind: api.ClientIndividual}
		if s.Session.Session.Anonymous != nil && *s.Session.Session.Anonymous == api.AnonymousCouple {
			s.Session.Assign.NewKind = api.ClientCouple
		}
	})
	if open {
		a.ensureClients(ctx)
	}
}

// SetAssign keeps what is typed in the assign panel.
func (a *App) SetAssign(query, newName string, newKind api.ClientKind) {
	a.update(func(s *State) {
		as := &s.Session.Assign
		as.Query, as.NewName = query, newName
		if newKind != "" {
			as.NewKind = newKind
		}
	})
}

// AssignTo assigns the open session to an existing client.
func (a *App) AssignTo(ctx context.Context, clientID string) {
	a.assign(ctx, func() (string, error) { return clientID, nil })
}

// AssignToNewClient creates a client (the name may be a pseudonym) and
// assigns the open session to it.
func (a *App) AssignToNewClient(ctx context.Context) {
	name, kind := "", api.ClientIndividual
	a.View(func(s *State) { name, kind = strings.TrimSpace(s.Session.Assign.NewName), s.Session.Assign.NewKind })
	if name == "" {
		a.update(func(s *State) { s.Session.Assign.Err = "Enter a name for the new client. A pseudonym works." })
		return
	}
	a.assign(ctx, func() (string, error) {
		c, err := a.createClient(ctx, name, kind)
		return c.ID, err
	})
}

func (a *App) assign(ctx context.Context, clientID func() (string, error)) {
	var id string
	ok := false
	a.update(func(s *State) {
		if s.Session.Assign.Busy {
			return
		}
		s.Session.Assign.Busy, s.Session.Assign.Err = true, ""
		id = s.Session.Session.ID
		ok = true
	})
	if !ok {
		return
	}
	cid, err := clientID()
	var sess api.Session
	if err == nil {
		sess, err = a.d.API.Assign(ctx, id, cid)
	}
	a.update(func(s *State) {
		s.Session.Assign.Busy = false
		if err != nil {
			s.Session.Assign.Err = s.failed(err)
			return
		}
		s.reached()
		if s.Session.Session.ID == id {
			s.Session.Session = sess
			s.Session.Assign = AssignState{}
		}
		s.upsertSession(sess)
		s.notify(NoticeSuccess, "Session assigned to "+sess.DisplayLabel+".")
	})
}

// OpenEnd shows or hides the end-session panel.
func (a *App) OpenEnd(ctx context.Context, open bool) {
	a.update(func(s *State) { s.Session.End = EndState{Open: open} })
	if open {
		a.ensureClients(ctx)
	}
}

// EndSession ends the open session. who is a client id with WhoClient, or
// one of the anonymous choices.
func (a *App) EndSession(ctx context.Context, who, clientID string) {
	req := api.EndSessionRequest{}
	switch who {
	case WhoClient:
		if clientID == "" {
			a.update(func(s *State) { s.Session.End.Err = "Choose a client, or one of the anonymous choices." })
			return
		}
		req.ClientID = &clientID
	case WhoAnonymousIndividual:
		anon := api.AnonymousIndividual
		req.Anonymous = &anon
	case WhoAnonymousCouple:
		anon := api.AnonymousCouple
		req.Anonymous = &anon
	default:
		a.update(func(s *State) { s.Session.End.Err = "Choose a client, or one of the anonymous choices." })
		return
	}
	var id string
	a.update(func(s *State) { s.Session.End.Busy, s.Session.End.Err = true, ""; id = s.Session.Session.ID })
	// The call and the recording end first, so the session keeps all of
	// the recording.
	a.hangUp(ctx, true)
	a.stopAndWait(ctx)
	sess, err := a.d.API.EndSession(ctx, id, req)
	a.update(func(s *State) {
		s.Session.End.Busy = false
		if err != nil {
			s.Session.End.Err = s.failed(err)
			return
		}
		s.reached()
		if s.Session.Session.ID == id {
			s.Session.Session = sess
			s.Session.End = EndState{}
		}
		s.upsertSession(sess)
		s.notify(NoticeSuccess, "Session ended.")
	})
}

// CopyJoinLink copies the telehealth join link.
func (a *App) CopyJoinLink(ctx context.Context, absolute string) {
	a.copy(ctx, absolute, "Join link copied.")
}

func (a *App) copy(ctx context.Context, text, done string) {
	err := a.d.Clipboard.WriteText(ctx, text)
	a.update(func(s *State) {
		if err != nil {
			s.notify(NoticeError, "Couldn't copy. Select the text and press Ctrl+C (⌘C on a Mac).")
			return
		}
		s.notify(NoticeSuccess, done)
	})
}
