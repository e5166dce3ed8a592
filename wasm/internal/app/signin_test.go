package app

import (
	"net/url"
	"testing"

	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/wasm/internal/client"
)

func TestInitWithStoredTokenOpensSessionsList(t *testing.T) {
	f := newFixture(t)
	f.signedIn(sessions(3, "s"), "")
	f.app.Init(bg)

	st := f.state()
	if st.Screen != ScreenSessions || st.Me == nil || st.Me.Name != "Dr Rowe" {
		t.Fatalf("screen %q, me %v", st.Screen, st.Me)
	}
	if len(st.List.Items) != 3 || !st.List.Loaded {
		t.Fatalf("list: %d items, loaded %v", len(st.List.Items), st.List.Loaded)
	}
	r := f.api.last("GET /api/v1/sessions", nil)
	if got := r.Header["Authorization"]; got != "Bearer tok-1" {
		t.Errorf("Authorization = %q", got)
	}
	_, q, _ := cutQuery(r.URL)
	if q.Get("assignment") != "all" || q.Get("limit") != "50" || q.Get("cursor") != "" {
		t.Errorf("query = %v", q)
	}
}

func cutQuery(u string) (string, url.Values, error) {
	p, err := url.Parse(u)
	if err != nil {
		return "", nil, err
	}
	return p.Path, p.Query(), nil
}

func TestUnauthenticatedShowsProvidersAndDevLoginSignsIn(t *testing.T) {
	f := newFixture(t)
	f.api.on("GET /api/v1/me", func(r *client.Request) reply {
		if r.Header["Authorization"] == "Bearer dev-token" {
			return ok(clinician())
		}
		return apiErr(401, api.CodeUnauthenticated, "Sign in first.")
	})
	f.api.on("GET /auth/providers", func(*client.Request) reply { return ok([]client.Provider{}) })
	f.app.Init(bg)

	st := f.state()
	if st.Screen != ScreenSignIn {
		t.Fatalf("screen = %q, want signin", st.Screen)
	}
	if st.SignIn.Err != "" {
		t.Errorf("an expired sign-in is not an error to show: %q", st.SignIn.Err)
	}
	if !st.SignIn.DevLoginOffered() {
		t.Fatal("no providers configured: the local sign-in must be offered")
	}

	// Validation before any request.
	f.app.SetDevLogin("", "")
	f.app.DevLogin(bg)
	if f.state().SignIn.Err == "" || f.api.count("POST /api/v1/dev/login") != 0 {
		t.Fatal("an empty email must be refused locally")
	}

	f.api.on("POST /api/v1/dev/login", func(*client.Request) reply { return ok(api.TokenResponse{Token: "dev-token"}) })
	f.api.on("GET /api/v1/sessions", func(*client.Request) reply { return ok(api.Page[api.Session]{Items: []api.Session{}}) })
	f.api.on("GET /api/v1/clients", func(*client.Request) reply { return ok(api.Page[api.Client]{Items: []api.Client{}}) })
	f.app.SetDevLogin(" dr.rowe@example.test ", "Dr Rowe")
	f.app.DevLogin(bg)

	var body api.DevLoginRequest
	f.api.last("POST /api/v1/dev/login", &body)
	if body.Email != "dr.rowe@example.test" || body.Name != "Dr Rowe" {
		t.Errorf("dev login body = %+v", body)
	}
	if tok, _ := f.store.Get(keyToken); tok != "dev-token" {
		t.Errorf("stored token = %q", tok)
	}
	if st := f.state(); st.Screen != ScreenSessions || st.Me == nil {
		t.Fatalf("after sign-in: screen %q", st.Screen)
	}
}

func TestProvidersHideDevLoginUnlessListed(t *testing.T) {
	s := SignInState{ProvidersLoaded: true, Providers: []client.Provider{{ID: "google", Name: "Google"}}}
	if s.DevLoginOffered() {
		t.Error("dev login offered beside real providers")
	}
	s.Providers = append(s.Providers, client.Provider{ID: "dev", Name: "This computer"})
	if !s.DevLoginOffered() {
		t.Error("dev login listed but not offered")
	}
}

func TestProviderListWrappedInObject(t *testing.T) {
	f := newFixture(t)
	f.api.on("GET /api/v1/me", func(*client.Request) reply { return apiErr(401, api.CodeUnauthenticated, "") })
	f.api.on("GET /auth/providers", func(*client.Request) reply {
		return ok(map[string]any{"providers": []client.Provider{{ID: "google", Name: "Google"}}})
	})
	f.app.Init(bg)
	if p := f.state().SignIn.Providers; len(p) != 1 || p[0].Name != "Google" {
		t.Fatalf("providers = %+v", p)
	}
	if got := f.app.ProviderSignIn(bg, "google"); got != "/auth/google" {
		t.Errorf("web sign-in redirects to %q", got)
	}
}

func TestExtensionHostSuppliesServerAndReceivesToken(t *testing.T) {
	f := newFixture(t)
	host := &fakeHost{cfg: HostConfig{ServerURL: "http://127.0.0.1:8080/"}, signInTok: "ext-token"}
	f.start(host)
	f.api.on("GET http://127.0.0.1:8080/api/v1/me", func(r *client.Request) reply {
		if r.Header["Authorization"] == "Bearer ext-token" {
			return ok(clinician())
		}
		return apiErr(401, api.CodeUnauthenticated, "")
	})
	f.api.on("GET http://127.0.0.1:8080/auth/providers", func(*client.Request) reply {
		return ok([]client.Provider{{ID: "google", Name: "Google"}})
	})
	f.api.on("GET http://127.0.0.1:8080/api/v1/sessions", func(*client.Request) reply { return ok(api.Page[api.Session]{Items: []api.Session{}}) })
	f.api.on("GET http://127.0.0.1:8080/api/v1/clients", func(*client.Request) reply { return ok(api.Page[api.Client]{Items: []api.Client{}}) })
	f.app.Init(bg)
	if !f.state().CanInsert {
		t.Error("inside the extension Insert must be offered")
	}
	if redirect := f.app.ProviderSignIn(bg, "google"); redirect != "" {
		t.Errorf("extension sign-in must not navigate, got %q", redirect)
	}
	if host.signInWith != "google" {
		t.Errorf("host signed in with %q", host.signInWith)
	}
	if len(host.connected) != 1 || host.connected[0] != (HostConfig{ServerURL: "http://127.0.0.1:8080", Token: "ext-token"}) {
		t.Errorf("host.connect calls = %+v", host.connected)
	}
	if _, stored := f.store.Get(keyToken); stored {
		t.Error("the extension keeps its token in the host, not in page storage")
	}
	if f.state().Screen != ScreenSessions {
		t.Errorf("screen = %q", f.state().Screen)
	}
}

func TestExpiredSignInMidSessionReturnsToSignIn(t *testing.T) {
	f := newFixture(t)
	f.signedIn(sessions(1, "s"), "")
	f.app.Init(bg)
	f.api.on("GET /api/v1/sessions/s0", func(*client.Request) reply { return apiErr(401, api.CodeUnauthenticated, "Token expired.") })
	f.app.OpenSession(bg, "s0")
	if st := f.state(); st.Screen != ScreenSignIn || st.Me != nil {
		t.Fatalf("screen = %q", st.Screen)
	}
}

func TestConfirmationsExpireErrorsStay(t *testing.T) {
	f := newFixture(t)
	f.app.update(func(s *State) { s.notify(NoticeSuccess, "Saved.") })
	seq := f.state().Notice.Seq
	f.app.update(func(s *State) { s.notify(NoticeSuccess, "Copied.") })
	f.app.ExpireNotice(seq) // an older notice's timer
	if f.state().Notice.Text != "Copied." {
		t.Fatal("an old timer cleared a newer notice")
	}
	f.app.ExpireNotice(f.state().Notice.Seq)
	if f.state().Notice.Text != "" {
		t.Error("confirmation did not expire")
	}
	f.app.update(func(s *State) { s.notify(NoticeError, "Couldn't copy.") })
	f.app.ExpireNotice(f.state().Notice.Seq)
	if f.state().Notice.Text == "" {
		t.Error("an error expired before the clinician read it")
	}
}

func TestSignOutForgetsTokenAndListCopy(t *testing.T) {
	f := newFixture(t)
	f.signedIn(sessions(2, "s"), "")
	f.app.Init(bg)
	f.api.on("GET /auth/providers", func(*client.Request) reply { return ok([]client.Provider{}) })
	f.api.on("POST /auth/logout", func(*client.Request) reply { return reply{204, nil} })
	f.app.SignOut(bg)
	if r := f.api.last("POST /auth/logout", nil); r.Header["Authorization"] != "Bearer tok-1" {
		t.Error("sign-out did not revoke the token on the server")
	}
	if _, ok := f.store.Get(keyToken); ok {
		t.Error("token kept after sign-out")
	}
	if _, ok := f.store.Get(keyListCache); ok {
		t.Error("list copy (client names) kept after sign-out")
	}
	if st := f.state(); st.Screen != ScreenSignIn || len(st.List.Items) != 0 {
		t.Errorf("screen %q with %d items", st.Screen, len(st.List.Items))
	}
}

func TestExtensionAsksForServerAddress(t *testing.T) {
	f := newFixture(t)
	host := &fakeHost{} // nothing stored yet
	f.start(host)
	f.api.on("GET "+DefaultServerURL+"/api/v1/me", func(*client.Request) reply { return apiErr(401, api.CodeUnauthenticated, "") })
	f.api.on("GET "+DefaultServerURL+"/auth/providers", func(*client.Request) reply { return ok([]client.Provider{}) })
	f.app.Init(bg)
	st := f.state()
	if !st.SignIn.AskServer || st.SignIn.ServerURL != DefaultServerURL {
		t.Fatalf("sign-in = %+v", st.SignIn)
	}
	f.app.SetServerURL(bg, "notes.example.test")
	if f.state().SignIn.Err == "" {
		t.Error("an address without a scheme was accepted")
	}
	f.api.on("GET https://notes.example.test/auth/providers", func(*client.Request) reply {
		return ok([]client.Provider{{ID: "google", Name: "Google"}})
	})
	f.app.SetServerURL(bg, " https://notes.example.test/ ")
	if st := f.state(); len(st.SignIn.Providers) != 1 || st.SignIn.Err != "" || st.SignIn.ServerURL != "https://notes.example.test" {
		t.Errorf("after connect: %+v", st.SignIn)
	}
}
