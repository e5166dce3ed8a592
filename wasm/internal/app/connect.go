package app

// keyServerURL is the server address last entered in the extension, kept
// on this device so the connect screen offers it again.
const keyServerURL = "sidenote.pref.server_url"

// showConnect opens the extension's connect screen, asking nothing of any
// server until the clinician presses Connect: a fresh install shows where
// it will connect, not an error about a server it has not tried. The
// address offered is the last one entered here, else the one last signed
// in to (stored), else a local install's.
func (a *App) showConnect(stored string) {
	u := stored
	if typed, ok := a.d.Store.Get(keyServerURL); ok && typed != "" {
		u = typed
	}
	if u == "" {
		u = DefaultServerURL
	}
	a.d.API.SetBaseURL(u)
	a.update(func(s *State) {
		s.Screen = ScreenSignIn
		s.Me = nil
		s.SignIn = SignInState{AskServer: true, FirstRun: true, ServerURL: u}
	})
}
