package app

import (
	"context"
	"strconv"
	"strings"

	"github.com/sidenote/sidenote/shared/api"
)

// SignOutState is signing out, which must leave no note text on this
// device: drafts still waiting for the server are sent first, a recording
// still running is stopped and uploaded, and the clinician is asked before
// any draft or recording that could not be sent is deleted.
type SignOutState struct {
	// Busy is true while drafts and recordings are being sent before
	// signing out.
	Busy bool
	// Confirm is true while the clinician is asked whether to sign out
	// and delete the Unsent drafts and the recordings held in memory
	// (State.Held), or stay signed in.
	Confirm bool
	Unsent  int
}

// SignOut signs the clinician out of this device. A recording still
// running is stopped first and its upload awaited; drafts and recordings
// waiting for the server are sent; if some can't be (offline, a version
// conflict, text never saved), the clinician is asked before they are
// deleted.
func (a *App) SignOut(ctx context.Context) {
	start := false
	a.update(func(s *State) {
		if s.SignOut.Busy {
			return
		}
		s.SignOut = SignOutState{Busy: true}
		start = true
	})
	if !start {
		return
	}
	// A call ends first: its recording stops and uploads there.
	a.hangUp(ctx, true)
	// No recording starts once Busy is set (RecordingStarted), so this
	// sees every one that did.
	if idle := a.recordingsIdle(); idle != nil {
		if a.d.StopRecording != nil {
			a.d.StopRecording()
		}
		select {
		case <-idle:
		case <-ctx.Done():
			a.update(func(s *State) { s.SignOut = SignOutState{} })
			return
		}
	}
	if len(a.d.Store.Keys(keyDraftPrefix)) > 0 || a.heldCount() > 0 {
		a.RetryPending(ctx)
	}
	if n, r := a.unsentDrafts(), a.heldCount(); n+r > 0 {
		a.update(func(s *State) { s.SignOut = SignOutState{Confirm: true, Unsent: n} })
		return
	}
	a.signOut(ctx)
}

func (a *App) heldCount() int { return read(a, func(s *State) int { return len(s.Held) }) }

// ConfirmSignOut signs out although drafts or recordings have not reached
// the server: they are deleted from this device.
func (a *App) ConfirmSignOut(ctx context.Context) {
	ok := false
	a.update(func(s *State) {
		if s.SignOut.Confirm {
			s.SignOut = SignOutState{Busy: true}
			ok = true
		}
	})
	if ok {
		a.signOut(ctx)
	}
}

// StaySignedIn answers the sign-out question by keeping the drafts and
// recordings, and the sign-in with them.
func (a *App) StaySignedIn() {
	a.update(func(s *State) { s.SignOut = SignOutState{} })
}

// signOut forgets everything this device keeps for the clinician, then
// ends the sign-in on the server. Local first: the server may be slow or
// away, and the clinician may leave the device as soon as they clicked.
func (a *App) signOut(ctx context.Context) {
	a.forgetDevice()
	a.update(func(s *State) {
		a.forgetState(s)
		s.Held = nil
		s.Me = nil
		s.Screen = ScreenSignIn
	})
	if a.d.Host != nil {
		_ = a.d.Host.Connect(ctx, a.d.API.BaseURL(), "")
	}
	// Ending it on the server is best effort: offline, the token is still
	// forgotten here.
	_ = a.d.API.Logout(ctx)
	a.d.API.SetToken("")
	a.showSignIn(ctx, nil)
}

// forgetDevice removes from Storage the token, the list copy (it names
// clients) and every draft.
func (a *App) forgetDevice() {
	a.mu.Lock()
	a.signOuts++
	a.mu.Unlock()
	a.d.Store.Remove(keyToken)
	a.d.Store.Remove(keySignedIn)
	a.removeClinicianData()
	a.d.Store.Remove(keyOwner)
}

// removeClinicianData removes what this device keeps for the clinician
// whose sign-in it was: the list copy and every draft.
func (a *App) removeClinicianData() {
	a.d.Store.Remove(keyListCache)
	for _, key := range a.d.Store.Keys(keyDraftPrefix) {
		a.d.Store.Remove(key)
	}
}

// forgetState clears the state that holds what a clinician typed or was
// shown: sessions, clients, the open session and note, forms.
func (a *App) forgetState(s *State) {
	s.List = ListState{Filter: Filter{Assignment: "all"}, Gen: s.List.Gen + 1}
	s.Clients = ClientsState{}
	s.Start = StartState{}
	s.Session = SessionState{Template: s.Session.Template, OnFilled: FilledSkip}
	s.SignOut = SignOutState{}
	s.SignIn.DevEmail, s.SignIn.DevName = "", ""
	s.Notice.Text = ""
}

// unsentDrafts counts the drafts on this device that hold something the
// server doesn't have. A draft that can't be read counts: it may hold text.
func (a *App) unsentDrafts() int {
	n := 0
	for _, key := range a.d.Store.Keys(keyDraftPrefix) {
		switch {
		case strings.HasPrefix(key, keyNoteDraft):
			var d noteDraft
			if a.loadJSON(key, &d) && len(d.Sections) == 0 {
				continue
			}
		case strings.HasPrefix(key, keySummaryDraft), strings.HasPrefix(key, keyTranscriptDraft):
			var d textDraft
			if a.loadJSON(key, &d) && strings.TrimSpace(d.Text) == "" {
				continue
			}
		}
		n++
	}
	return n
}

// recountSignOut updates the number of drafts the sign-out question is
// about, after a retry may have sent some.
func (a *App) recountSignOut() {
	if !read(a, func(s *State) bool { return s.SignOut.Confirm }) {
		return
	}
	n := a.unsentDrafts()
	a.update(func(s *State) {
		if s.SignOut.Confirm {
			s.SignOut.Unsent = n
		}
	})
}

// deviceOwner returns the clinician the drafts on this device belong to:
// the one recorded at sign-in or, for drafts kept before that was
// recorded, the one the list copy was loaded for.
func (a *App) deviceOwner() (string, bool) {
	if id, ok := a.d.Store.Get(keyOwner); ok {
		return id, true
	}
	var c listCache
	if a.loadJSON(keyListCache, &c) && c.Me != nil && c.Me.ID != "" {
		return c.Me.ID, true
	}
	return "", false
}

// claimDevice records that me is signed in on this device. Drafts and the
// list copy of another clinician, or of nobody known, are deleted first,
// unseen and unsent: a draft is sent with the signed-in clinician's
// credentials, into their notes. It returns how many drafts went.
func (a *App) claimDevice(me api.Clinician) int {
	owner, known := a.deviceOwner()
	removed := 0
	if !known || owner != me.ID {
		removed = a.unsentDrafts()
		a.removeClinicianData()
	}
	_ = a.d.Store.Set(keyOwner, me.ID)
	return removed
}

// draftsMine reports whether the drafts on this device belong to the
// clinician signed in, so they may be sent.
func (a *App) draftsMine() bool {
	me := read(a, func(s *State) string {
		if s.Me == nil {
			return ""
		}
		return s.Me.ID
	})
	owner, ok := a.deviceOwner()
	return me != "" && ok && owner == me
}

func removedNotice(n int) string {
	if n == 1 {
		return "1 unsaved draft left on this device by an earlier sign-in was deleted without being sent."
	}
	return strconv.Itoa(n) + " unsaved drafts left on this device by an earlier sign-in were deleted without being sent."
}
