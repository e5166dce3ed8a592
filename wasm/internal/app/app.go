// Package app is the sidebar's view-model: every screen's state and every
// action a clinician can take, in plain Go with no dependency on the browser.
// The DOM layer (cmd/sidebar) renders State and calls the actions from
// goroutines; the actions block on the network and report changes through
// OnChange. Tests drive it with a fake Transport and Storage.
package app

import (
	"context"
	"sync"
	"time"

	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/shared/note"
	"github.com/sidenote/sidenote/wasm/internal/client"
)

// Screen is what the panel shows.
type Screen string

const (
	ScreenLoading  Screen = "loading"
	ScreenSignIn   Screen = "signin"
	ScreenSessions Screen = "sessions"
	ScreenStart    Screen = "start"
	ScreenSession  Screen = "session"
)

// NoticeKind styles a notice.
type NoticeKind string

const (
	NoticeInfo    NoticeKind = "info"
	NoticeSuccess NoticeKind = "success"
	NoticeError   NoticeKind = "error"
)

// Notice is a short message announced to the clinician. Seq grows with every
// notice so the same text said twice is announced twice.
type Notice struct {
	Kind NoticeKind
	Text string
	Seq  int
}

// State is everything the DOM layer renders.
type State struct {
	Screen Screen
	// CanInsert is true inside the extension, which can write into the EHR
	// tab; elsewhere the sidebar offers copying.
	CanInsert bool
	// CanRecordTab is true inside the extension, which can record the
	// telehealth tab beside it (chrome.tabCapture) with the microphone.
	CanRecordTab bool
	// Offline is true while the server could not be reached at the last try.
	Offline bool
	Notice  Notice
	Me      *api.Clinician

	SignIn  SignInState
	List    ListState
	Clients ClientsState
	Start   StartState
	Session SessionState
	SignOut SignOutState
	// Templates are the note templates offered, the clinician's own too.
	Templates TemplatesState
	// TemplateEditor is the form of the template screen.
	TemplateEditor TemplateEditor
	// Held are recordings whose upload failed, kept in memory only.
	Held []HeldRecording
}

// Page size of the sessions list.
const pageSize = 50

// Storage keys. Drafts are removed as soon as the server has the text.
const (
	keyToken           = "sidenote.token"
	keySignedIn        = "sidenote.signedin"
	keyListCache       = "sidenote.cache.sessions"
	keyDraftPrefix     = "sidenote.draft."
	keyNoteDraft       = keyDraftPrefix + "note."
	keySummaryDraft    = keyDraftPrefix + "summary."
	keyTranscriptDraft = keyDraftPrefix + "transcript."
	// keyOwner is the ID of the clinician the drafts and the list copy on
	// this device belong to; no other clinician may see or send them.
	keyOwner = "sidenote.owner"
)

// Deps are what the view-model needs from its surroundings.
type Deps struct {
	API   *client.Client
	Store Storage
	// Host is nil on the /app page.
	Host      Host
	Clipboard Clipboard
	// OnChange is called after every change of State, outside the lock.
	OnChange func()
	// ScheduleSave asks the DOM layer to call SaveNote after the clinician
	// pauses typing; nil in tests, which call SaveNote themselves.
	ScheduleSave func()
	// Now and Sleep are replaced in tests.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
	// NewKey returns a fresh idempotency key.
	NewKey func() string
	// StopRecording asks the DOM layer to stop the microphone's recording,
	// if one is running; what was recorded then arrives through
	// RecordingStopped. Signing out calls it.
	StopRecording func()
	// Call opens telehealth calls' media and socket.
	Call CallDeps
}

// App is the view-model. Its methods are safe for concurrent use.
type App struct {
	d  Deps
	mu sync.Mutex
	st State
	// signOuts counts sign-outs, so a save that was on its way when the
	// clinician signed out does not write its text back to this device.
	signOuts int
	// heldSeq numbers held recordings.
	heldSeq int
	// recBusy counts recordings running or uploading; recIdle is closed
	// when it comes back to 0.
	recBusy int
	recIdle chan struct{}
	// chunks is the recording running, nil when none is.
	chunks *chunkUpload
	// call is the telehealth call, nil when none is.
	call *callLink
}

// New returns an App in the loading screen.
func New(d Deps) *App {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Sleep == nil {
		d.Sleep = func(ctx context.Context, dur time.Duration) error {
			t := time.NewTimer(dur)
			defer t.Stop()
			select {
			case <-t.C:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	if d.NewKey == nil {
		d.NewKey = func() string { return time.Now().UTC().Format("20060102150405.000000000") }
	}
	a := &App{d: d}
	a.st.Screen = ScreenLoading
	a.st.CanInsert = d.Host != nil
	a.st.CanRecordTab = d.Host != nil
	a.st.List.Filter.Assignment = "all"
	a.st.Session.Template = note.SOAP
	a.st.Session.OnFilled = FilledSkip
	return a
}

// View calls fn with the current state under the lock. fn must not keep
// references to slices it reads past its return, nor call back into App.
func (a *App) View(fn func(s *State)) {
	a.mu.Lock()
	defer a.mu.Unlock()
	fn(&a.st)
}

// update changes the state under the lock and reports the change.
func (a *App) update(fn func(s *State)) {
	a.mu.Lock()
	fn(&a.st)
	a.mu.Unlock()
	if a.d.OnChange != nil {
		a.d.OnChange()
	}
}

// read returns a value computed from the state under the lock.
func read[T any](a *App, fn func(s *State) T) T {
	a.mu.Lock()
	defer a.mu.Unlock()
	return fn(&a.st)
}

func (s *State) notify(kind NoticeKind, text string) {
	s.Notice = Notice{Kind: kind, Text: text, Seq: s.Notice.Seq + 1}
}

// failed records err's consequence on the connection state and returns the
// sentence to show. A 401 sends the clinician to sign in again.
func (s *State) failed(err error) string {
	if isUnreachable(err) {
		s.Offline = true
	}
	if isCode(err, api.CodeUnauthenticated) {
		s.Screen = ScreenSignIn
		s.Me = nil
	}
	return Message(err)
}

// reached records that the server answered.
func (s *State) reached() { s.Offline = false }

// DismissNotice clears the notice.
func (a *App) DismissNotice() {
	a.update(func(s *State) { s.Notice.Text = "" })
}

// ExpireNotice clears the notice numbered seq if it is still the one shown;
// errors stay until dismissed.
func (a *App) ExpireNotice(seq int) {
	if read(a, func(s *State) bool { return s.Notice.Seq == seq && s.Notice.Kind != NoticeError && s.Notice.Text != "" }) {
		a.update(func(s *State) {
			if s.Notice.Seq == seq {
				s.Notice.Text = ""
			}
		})
	}
}

// Init finds out who is signed in and opens the first screen.
func (a *App) Init(ctx context.Context) {
	if a.d.Host != nil {
		cfg, err := a.d.Host.Config(ctx)
		if err != nil || cfg.ServerURL == "" {
			cfg = HostConfig{ServerURL: DefaultServerURL}
		}
		a.d.API.SetBaseURL(cfg.ServerURL)
		a.d.API.SetToken(cfg.Token)
		if cfg.Token == "" {
			a.showConnect(cfg.ServerURL)
			return
		}
	} else if tok, ok := a.d.Store.Get(keyToken); ok {
		a.d.API.SetToken(tok)
	}
	// When this device was signed in last time, ask for the first page of
	// sessions together with /me: the list is what the clinician waits for.
	type pageResult struct {
		page api.Page[api.Session]
		err  error
	}
	var first chan pageResult
	f := read(a, func(s *State) Filter { return s.List.Filter })
	if _, was := a.d.Store.Get(keySignedIn); was || a.d.API.Token() != "" {
		first = make(chan pageResult, 1)
		go func() {
			p, err := a.d.API.Sessions(ctx, a.sessionQuery(f, ""))
			first <- pageResult{p, err}
		}()
	}
	me, err := a.d.API.Me(ctx)
	switch {
	case err == nil:
		_ = a.d.Store.Set(keySignedIn, "1")
		removed := a.claimDevice(me)
		a.update(func(s *State) {
			s.reached()
			if removed > 0 {
				s.notify(NoticeInfo, removedNotice(removed))
			}
			s.Me = &me
			s.Screen = ScreenSessions
			s.List.Loading = true
		})
		if first != nil {
			r := <-first
			a.showFirstPage(ctx, f, r.page, r.err)
		} else {
			a.LoadSessions(ctx)
		}
		a.RetryPending(ctx)
		return
	case isUnreachable(err) && a.loadCachedList():
		// Show what was last loaded, read-only.
	default:
		a.d.Store.Remove(keySignedIn)
		a.showSignIn(ctx, err)
	}
	if first != nil {
		<-first
	}
}

func (a *App) showSignIn(ctx context.Context, cause error) {
	a.update(func(s *State) {
		s.Screen = ScreenSignIn
		s.SignIn.AskServer = a.d.Host != nil
		if s.SignIn.ServerURL == "" {
			s.SignIn.ServerURL = a.d.API.BaseURL()
		}
		s.Me = nil
		s.SignIn.Err = ""
		if cause != nil && !isCode(cause, api.CodeUnauthenticated) {
			s.SignIn.Err = s.failed(cause)
		}
	})
	providers, err := a.d.API.Providers(ctx)
	a.update(func(s *State) {
		s.SignIn.ProvidersLoaded = true
		switch {
		case err == nil:
			s.reached()
			s.SignIn.Providers = providers
		case isCode(err, api.CodeNotFound):
			s.SignIn.Providers = nil
		default:
			s.SignIn.Err = s.failed(err)
		}
	})
}

// Back returns to the sessions list. A list of one page is refreshed, to
// show sessions started elsewhere; a longer one stays as scrolled.
func (a *App) Back(ctx context.Context) {
	refresh := false
	a.update(func(s *State) {
		s.Screen = ScreenSessions
		s.Session.Assign = AssignState{}
		s.Session.End = EndState{}
		refresh = len(s.List.Items) <= pageSize && !s.List.Loading
	})
	a.hangUp(ctx, true)
	if refresh {
		a.LoadSessions(ctx)
	}
}
