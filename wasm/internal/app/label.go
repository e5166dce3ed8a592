package app

import (
	"context"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/sidenote/sidenote/shared/api"
)

// LabelState is the clinician's short label of the open session being
// edited ("Tue 4 pm couple"): useful above all for anonymous sessions.
type LabelState struct {
	Open bool
	Text string
	Busy bool
	Err  string
}

// OpenLabel shows or hides the label field, filled with the current label.
func (a *App) OpenLabel(open bool) {
	a.update(func(s *State) {
		s.Session.Label = LabelState{Open: open, Text: s.Session.Session.Label}
	})
}

// SetLabelText keeps the label as it is typed.
func (a *App) SetLabelText(text string) {
	a.mu.Lock()
	a.st.Session.Label.Text = text
	a.mu.Unlock()
}

// SaveLabel gives the open session the typed label ("" removes it).
func (a *App) SaveLabel(ctx context.Context) {
	var id, label string
	ok := false
	a.update(func(s *State) {
		l := &s.Session.Label
		if l.Busy {
			return
		}
		label, l.Err = strings.TrimSpace(l.Text), ""
		if utf8.RuneCountInString(label) > api.MaxSessionLabel {
			l.Err = "Keep the label to " + strconv.Itoa(api.MaxSessionLabel) + " characters or fewer."
			return
		}
		l.Busy, id, ok = true, s.Session.Session.ID, true
	})
	if !ok {
		return
	}
	sess, err := a.d.API.SetSessionLabel(ctx, id, label)
	a.update(func(s *State) {
		if s.Session.Session.ID != id {
			return
		}
		l := &s.Session.Label
		l.Busy = false
		if err != nil {
			l.Err = s.failed(err)
			return
		}
		s.reached()
		s.Session.Session = sess
		s.Session.Label = LabelState{}
		s.upsertSession(sess)
		if label == "" {
			s.notify(NoticeSuccess, "Label removed.")
		} else {
			s.notify(NoticeSuccess, "Label saved.")
		}
	})
}

// Unassigned is the one wording for a session that belongs to no client and
// is not anonymous yet (a telehealth session decided at its end).
const Unassigned = "Not yet assigned"

// WhoLabel says who a session was with, as the list and the session show it.
func WhoLabel(s *api.Session) string {
	if s.DisplayLabel != "" {
		return s.DisplayLabel
	}
	return Unassigned
}
