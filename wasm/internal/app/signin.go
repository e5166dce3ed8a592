package app

import (
	"context"
	"strings"

	"github.com/sidenote/sidenote/wasm/internal/client"
)

// SignInState is the sign-in screen.
type SignInState struct {
	// ServerURL is asked for in the extension, which talks to a server of
	// the clinician's choosing; the /app page talks to its own origin.
	AskServer bool
	// FirstRun is the extension's first screen before any server answered:
	// connect to a server, nothing asked of it yet, so no error to show.
	FirstRun        bool
	ServerURL       string
	Providers       []client.Provider
	ProvidersLoaded bool
	DevEmail        string
	DevName         string
	Busy            bool
	Err             string
}

// DevLoginOffered reports whether the local sign-in form is shown: when the
// server offers no provider (a clinician's own machine) or lists "dev".
func (s *SignInState) DevLoginOffered() bool {
	if !s.ProvidersLoaded {
		return false
	}
	for _, p := range s.Providers {
		if p.ID == "dev" {
			return true
		}
	}
	return len(s.Providers) == 0
}

// DefaultServerURL is the server a local install listens on.
const DefaultServerURL = "http://127.0.0.1:8080"

// SetServerURL points the extension at another server and loads its
// sign-in options.
func (a *App) SetServerURL(ctx context.Context, u string) {
	u = strings.TrimRight(strings.TrimSpace(u), "/")
	if !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
		a.update(func(s *State) {
			s.SignIn.ServerURL = u
			s.SignIn.Err = "Enter the server address, starting with https:// (or http:// for this computer)."
		})
		return
	}
	a.d.API.SetBaseURL(u)
	_ = a.d.Store.Set(keyServerURL, u)
	a.update(func(s *State) {
		s.SignIn.FirstRun = false
		s.SignIn.ServerURL = u
		s.SignIn.Providers, s.SignIn.ProvidersLoaded = nil, false
	})
	a.showSignIn(ctx, nil)
}

// SetDevLogin keeps what is typed in the local sign-in form.
func (a *App) SetDevLogin(email, name string) {
	a.mu.Lock()
	a.st.SignIn.DevEmail, a.st.SignIn.DevName = email, name
	a.mu.Unlock()
}

// DevLogin signs in with the local single-user login.
func (a *App) DevLogin(ctx context.Context) {
	email, name := "", ""
	a.update(func(s *State) {
		email, name = strings.TrimSpace(s.SignIn.DevEmail), strings.TrimSpace(s.SignIn.DevName)
		s.SignIn.Err = ""
		if email == "" || !strings.Contains(email, "@") {
			s.SignIn.Err = "Enter your email address."
			return
		}
		s.SignIn.Busy = true
	})
	if !read(a, func(s *State) bool { return s.SignIn.Busy }) {
		return
	}
	token, err := a.d.API.DevLogin(ctx, email, name)
	if err != nil {
		a.update(func(s *State) { s.SignIn.Busy = false; s.SignIn.Err = s.failed(err) })
		return
	}
	a.signedIn(ctx, token)
}

// ProviderSignIn starts a provider's sign-in. On the /app page it returns the
// URL to navigate to (the server finishes with a session cookie); in the
// extension the host runs the flow and hands back a token.
func (a *App) ProviderSignIn(ctx context.Context, provider string) (redirect string) {
	if a.d.Host == nil {
		return "/auth/" + provider
	}
	a.update(func(s *State) { s.SignIn.Busy = true; s.SignIn.Err = "" })
	token, err := a.d.Host.SignIn(ctx, a.d.API.BaseURL(), provider)
	if err != nil {
		a.update(func(s *State) { s.SignIn.Busy = false; s.SignIn.Err = s.failed(err) })
		return ""
	}
	a.signedIn(ctx, token)
	return ""
}

func (a *App) signedIn(ctx context.Context, token string) {
	a.d.API.SetToken(token)
	if a.d.Host != nil {
		if err := a.d.Host.Connect(ctx, a.d.API.BaseURL(), token); err != nil {
			a.update(func(s *State) { s.SignIn.Busy = false; s.SignIn.Err = s.failed(err) })
			return
		}
	} else {
		_ = a.d.Store.Set(keyToken, token)
	}
	me, err := a.d.API.Me(ctx)
	if err != nil {
		a.update(func(s *State) { s.SignIn.Busy = false; s.SignIn.Err = s.failed(err) })
		return
	}
	_ = a.d.Store.Set(keySignedIn, "1")
	removed := a.claimDevice(me)
	a.update(func(s *State) {
		s.reached()
		// What is still in memory is from a sign-in that expired, perhaps
		// someone else's.
		a.forgetState(s)
		// Recordings held in memory go with the sign-in that made them.
		s.keepHeldOf(me.ID)
		if removed > 0 {
			s.notify(NoticeInfo, removedNotice(removed))
		}
		s.SignIn = SignInState{}
		s.Me = &me
		s.Screen = ScreenSessions
	})
	a.LoadSessions(ctx)
	a.RetryPending(ctx)
}
