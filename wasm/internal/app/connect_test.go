package app

import "testing"

func TestFreshExtensionOpensOnConnectWithoutAskingAnyServer(t *testing.T) {
	f := newFixture(t)
	f.start(&fakeHost{})
	f.app.Init(bg)
	st := f.state()
	if st.Screen != ScreenSignIn || !st.SignIn.FirstRun || st.SignIn.ServerURL != DefaultServerURL {
		t.Fatalf("first screen: %q first run %v address %q", st.Screen, st.SignIn.FirstRun, st.SignIn.ServerURL)
	}
	if st.SignIn.Err != "" || st.Offline || st.Notice.Text != "" || len(f.api.requests) != 0 {
		t.Errorf("before any action: err %q offline %v notice %q, %d requests", st.SignIn.Err, st.Offline, st.Notice.Text, len(f.api.requests))
	}

	// Connecting to a server that is not there says so, now.
	f.api.setDown(true)
	f.app.SetServerURL(bg, "http://127.0.0.1:18099/")
	st = f.state()
	if st.SignIn.FirstRun || st.SignIn.Err == "" || st.SignIn.ServerURL != "http://127.0.0.1:18099" {
		t.Errorf("after Connect: first run %v err %q address %q", st.SignIn.FirstRun, st.SignIn.Err, st.SignIn.ServerURL)
	}

	// The panel reopens: the address last entered is offered.
	f.start(&fakeHost{})
	f.app.Init(bg)
	if u := f.state().SignIn.ServerURL; u != "http://127.0.0.1:18099" {
		t.Errorf("address offered again = %q", u)
	}
}

func TestExtensionOffersTheServerLastSignedIn(t *testing.T) {
	f := newFixture(t)
	f.start(&fakeHost{cfg: HostConfig{ServerURL: "https://notes.example.test"}})
	f.app.Init(bg)
	if u := f.state().SignIn.ServerURL; u != "https://notes.example.test" {
		t.Errorf("address = %q", u)
	}
}
