package app

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/wasm/internal/client"
)

// fakeMedia records what the view-model asks of the browser's media.
type fakeMedia struct {
	mu         sync.Mutex
	ice        []client.ICEServer
	offers     int
	answers    []string
	candidates []string
	muted      bool
	cameraOff  bool
	recorded   []string
	closed     bool
	openErr    error
}

func (m *fakeMedia) Open(_ context.Context, ice []client.ICEServer) error {
	m.ice = ice
	return m.openErr
}
func (m *fakeMedia) Offer(context.Context) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.offers++
	return "v=0 offer " + itoa(m.offers), nil
}
func (m *fakeMedia) Answer(_ context.Context, sdp string) error {
	m.answers = append(m.answers, sdp)
	return nil
}
func (m *fakeMedia) Candidate(msg string) error {
	m.candidates = append(m.candidates, msg)
	return nil
}
func (m *fakeMedia) SetMuted(v bool)         { m.muted = v }
func (m *fakeMedia) SetCameraOff(v bool)     { m.cameraOff = v }
func (m *fakeMedia) Record(sessionID string) { m.recorded = append(m.recorded, sessionID) }
func (m *fakeMedia) Close()                  { m.closed = true }

// fakeSocket keeps what the clinician's side sends.
type fakeSocket struct {
	mu     sync.Mutex
	url    string
	sent   []map[string]any
	closed bool
}

func (s *fakeSocket) Send(text string) error {
	var m map[string]any
	if err := json.Unmarshal([]byte(text), &m); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent = append(s.sent, m)
	return nil
}
func (s *fakeSocket) Close() { s.closed = true }

func (s *fakeSocket) types() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, m := range s.sent {
		out = append(out, m["type"].(string))
	}
	return out
}

// inCall opens telehealth session s1 with consent and starts its call.
func (f *fixture) inCall(t *testing.T) (*fakeMedia, *fakeSocket) {
	t.Helper()
	return f.inCallWith(t, &fakeMedia{})
}

// inCallRoutes answers for telehealth session s1, with consent recorded.
func (f *fixture) inCallRoutes() {
	s := session("s1", t0, api.AnonymousIndividual)
	s.Type, s.Status, s.Anonymous, s.DisplayLabel = api.SessionTelehealth, api.SessionOpen, nil, ""
	f.api.on("GET /api/v1/sessions/s1", func(*client.Request) reply { return ok(s) })
	f.api.on("GET /api/v1/sessions/s1/telehealth", func(*client.Request) reply {
		return ok(map[string]any{"join_url": "/join/abc123", "expires_at": t0, "guest_joined_at": nil, "guest_consented_at": nil})
	})
	f.api.on("POST /api/v1/sessions/s1/call/ticket", func(*client.Request) reply {
		return reply{201, map[string]any{"ticket": "tk-1", "expires_at": t0, "ice_servers": []any{map[string]any{"urls": []string{"stun:stun.example.test:3478"}}}}}
	})
}

func TestCallWaitsForTheGuestThenShowsTheJoinLive(t *testing.T) {
	f := newFixtureInSession(t)
	m, sock := f.inCall(t)
	if c := f.state().Session.Call; c.Phase != CallWaiting || c.Err != "" {
		t.Fatalf("call = %+v", c)
	}
	if sock.url != "ws://127.0.0.1:8080/api/v1/sessions/s1/call?ticket=tk-1" {
		t.Errorf("socket url = %q", sock.url)
	}
	if len(m.ice) != 1 || m.ice[0].URLs[0] != "stun:stun.example.test:3478" {
		t.Errorf("ice servers = %+v", m.ice)
	}
	f.app.CallMessage(bg, `{"type":"welcome","role":"clinician","ice_servers":[],"peer_present":false,"guest_consented":false}`)
	f.app.CallMessage(bg, `{"type":"guest_joined","consented":true,"at":"2026-03-10T15:01:00Z"}`)
	st := f.state()
	if c := st.Session.Call; !c.GuestJoined || !c.GuestConsented || c.JoinedAt.IsZero() {
		t.Errorf("after guest_joined: %+v", c)
	}
	if !strings.Contains(st.Notice.Text, "joined and consented") {
		t.Errorf("notice = %q", st.Notice.Text)
	}
	if m.offers != 0 {
		t.Error("an offer before the guest's browser is there")
	}
}

func TestCallOffersWhenTheGuestArrivesAndRecordsOnceConnectedWithConsent(t *testing.T) {
	f := newFixtureInSession(t)
	m, sock := f.inCall(t)
	f.app.CallMessage(bg, `{"type":"guest_joined","consented":true,"at":"2026-03-10T15:01:00Z"}`)
	f.app.CallMessage(bg, `{"type":"peer_joined","role":"guest"}`)
	if m.offers != 1 || sock.types()[0] != "offer" || sock.sent[0]["sdp"] != "v=0 offer 1" {
		t.Fatalf("offers %d, sent %v", m.offers, sock.sent)
	}
	f.app.CallMessage(bg, `{"type":"answer","sdp":"v=0 answer"}`)
	f.app.CallMessage(bg, `{"type":"candidate","candidate":{"candidate":"candidate:1 1 udp 1 127.0.0.1 5000 typ host","sdpMid":"0"}}`)
	f.app.CallCandidate(`{"candidate":"candidate:2 1 udp 1 127.0.0.1 5001 typ host","sdpMid":"0"}`)
	if len(m.answers) != 1 || len(m.candidates) != 1 {
		t.Errorf("answers %v candidates %v", m.answers, m.candidates)
	}
	if got := sock.sent[len(sock.sent)-1]; got["type"] != "candidate" || got["candidate"].(map[string]any)["sdpMid"] != "0" {
		t.Errorf("candidate sent = %v", got)
	}
	f.app.CallPeerState("connected")
	if c := f.state().Session.Call; c.Phase != CallConnected {
		t.Fatalf("call = %+v", c)
	}
	if len(m.recorded) != 1 || m.recorded[0] != "s1" {
		t.Fatalf("recordings started = %v", m.recorded)
	}
	// The DOM layer's recorder then starts, and the guest is told.
	if !f.app.RecordingStarted("s1") {
		t.Fatal("recording refused")
	}
	if last := sock.sent[len(sock.sent)-1]; last["type"] != "recording" || last["on"] != true {
		t.Errorf("last sent = %v", last)
	}
	// A reconnection does not start a second recorder.
	f.app.CallPeerState("disconnected")
	f.app.CallPeerState("connected")
	if len(m.recorded) != 1 {
		t.Errorf("recordings started = %v", m.recorded)
	}
}

func TestCallIsNotRecordedWithoutTheGuestsConsent(t *testing.T) {
	f := newFixtureInSession(t)
	m, _ := f.inCall(t)
	f.app.CallMessage(bg, `{"type":"welcome","role":"clinician","ice_servers":[],"peer_present":true,"guest_consented":false}`)
	if m.offers != 1 {
		t.Fatalf("welcome with the guest present: %d offers", m.offers)
	}
	f.app.CallPeerState("connected")
	if len(m.recorded) != 0 {
		t.Errorf("recorded without the guest's consent: %v", m.recorded)
	}
}

func TestGuestWhoLeavesAndComesBackGetsAFreshOffer(t *testing.T) {
	f := newFixtureInSession(t)
	m, _ := f.inCall(t)
	f.app.CallMessage(bg, `{"type":"peer_joined","role":"guest"}`)
	f.app.CallPeerState("connected")
	f.app.CallMessage(bg, `{"type":"peer_left","role":"guest"}`)
	if c := f.state().Session.Call; c.Phase != CallWaiting || !c.GuestLeft {
		t.Fatalf("after peer_left: %+v", c)
	}
	f.app.CallMessage(bg, `{"type":"peer_joined","role":"guest"}`)
	if m.offers != 2 {
		t.Errorf("offers = %d", m.offers)
	}
}

func TestMuteCameraAndEndCall(t *testing.T) {
	f := newFixtureInSession(t)
	m, sock := f.inCall(t)
	f.app.SetCallMuted(true)
	f.app.SetCameraOff(true)
	if c := f.state().Session.Call; !m.muted || !m.cameraOff || !c.Muted || !c.CameraOff {
		t.Errorf("media muted %v camera off %v; state %+v", m.muted, m.cameraOff, c)
	}
	f.api.on("GET /api/v1/clients", func(*client.Request) reply { return ok(api.Page[api.Client]{Items: []api.Client{}}) })
	f.app.EndCall(bg)
	st := f.state()
	if !m.closed || !sock.closed || st.Session.Call.Phase != CallEnded || !st.Session.End.Open {
		t.Errorf("after End call: media closed %v socket closed %v, %+v end %+v", m.closed, sock.closed, st.Session.Call, st.Session.End)
	}
	if types := sock.types(); types[len(types)-1] != "bye" {
		t.Errorf("sent %v", types)
	}
}

func TestCameraRefusedIsExplained(t *testing.T) {
	f := newFixtureInSession(t)
	m := &fakeMedia{openErr: &HostError{Message: "The camera and microphone are blocked for this page."}}
	_, _ = f.inCallWith(t, m)
	if c := f.state().Session.Call; c.Phase != CallIdle || !strings.Contains(c.Err, "blocked") || !m.closed {
		t.Errorf("call = %+v", c)
	}
}

func (f *fixture) inCallWith(t *testing.T, m *fakeMedia) (*fakeMedia, *fakeSocket) {
	t.Helper()
	sock := &fakeSocket{}
	f.app.d.Call = CallDeps{
		Media: func() CallMedia { return m },
		Dial: func(_ context.Context, url string) (CallSocket, error) {
			sock.url = url
			return sock, nil
		},
		Origin: "http://127.0.0.1:8080",
	}
	f.inCallRoutes()
	f.app.OpenSession(bg, "s1")
	if c := f.state().Session.Call; c.JoinURL != "/join/abc123" || c.Phase != CallIdle {
		t.Fatalf("before the call: %+v", c)
	}
	f.app.StartCall(bg)
	return m, sock
}

func TestRenewJoinLink(t *testing.T) {
	f := newFixtureInSession(t)
	f.inCall(t)
	f.api.on("POST /api/v1/sessions/s1/telehealth", func(*client.Request) reply {
		return reply{201, map[string]any{"join_url": "/join/new456", "expires_at": t0}}
	})
	f.app.RenewJoinLink(bg)
	if c := f.state().Session.Call; c.JoinURL != "/join/new456" || c.LinkBusy {
		t.Errorf("call = %+v", c)
	}
}

func TestRefusedCameraInTheSidePanelOffersThePermissionPage(t *testing.T) {
	f := newFixture(t)
	f.start(&fakeHost{cfg: HostConfig{ServerURL: DefaultServerURL, Token: "tok-1"}})
	f.signedIn(nil, "")
	f.app.Init(bg)
	f.openSession()
	m := &fakeMedia{openErr: ErrMediaRefused}
	f.inCallWith(t, m)
	if c := f.state().Session.Call; !c.NeedsPermissionPage || !strings.Contains(c.Err, "permission page") {
		t.Errorf("call = %+v", c)
	}
}

func TestSigningOutHangsUp(t *testing.T) {
	f := newFixtureInSession(t)
	m, sock := f.inCall(t)
	f.api.on("POST /auth/logout", func(*client.Request) reply { return reply{204, nil} })
	f.api.on("GET /auth/providers", func(*client.Request) reply { return ok([]client.Provider{}) })
	f.app.SignOut(bg)
	if !m.closed || !sock.closed || f.state().Screen != ScreenSignIn {
		t.Errorf("after signing out: media closed %v, socket closed %v, screen %q", m.closed, sock.closed, f.state().Screen)
	}
}
