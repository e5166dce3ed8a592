package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/sidenote/sidenote/server/internal/store/storetest"
	"github.com/sidenote/sidenote/shared/api"
)

// callFixture is a clinician with an open telehealth session.
type callFixture struct {
	ts       *testServer
	token    string
	session  api.Session
	joinPath string
}

func newCallFixture(t *testing.T, ts *testServer, email string) *callFixture {
	t.Helper()
	f := &callFixture{ts: ts, token: ts.login(email)}
	ts.do(f.token, http.MethodPost, "/api/v1/sessions", api.CreateSessionRequest{
		Type: api.SessionTelehealth, Consent: &api.Consent{Obtained: true, Method: api.ConsentElectronic},
	}, http.StatusCreated, &f.session)
	f.joinPath = joinPath(t, ts, f.session.JoinURL)
	return f
}

// ticket asks for a clinician's call ticket.
func (f *callFixture) ticket(t testing.TB) api.CallTicket {
	t.Helper()
	var tk api.CallTicket
	f.ts.do(f.token, http.MethodPost, "/api/v1/sessions/"+f.session.ID+"/call/ticket", nil, http.StatusCreated, &tk)
	if len(tk.Ticket) < 22 || time.Until(tk.ExpiresAt) > 61*time.Second || time.Until(tk.ExpiresAt) < 30*time.Second {
		t.Fatalf("ticket %+v", tk)
	}
	return tk
}

// join fills the guest form and returns the guest's call ticket.
func (f *callFixture) join(t testing.TB) string {
	t.Helper()
	res := f.ts.raw("", http.MethodPost, f.joinPath, joinForm(guestEmail, "yes"), "Origin", f.ts.http.URL)
	ticket := guestTicket(string(res.Body))
	if res.Status != http.StatusOK || ticket == "" {
		t.Fatalf("join: %d %s", res.Status, res.Body)
	}
	return ticket
}

func (f *callFixture) clinicianURL(ticket string) string {
	return wsURL(f.ts, "/api/v1/sessions/"+f.session.ID+"/call?ticket="+ticket)
}

func (f *callFixture) guestURL(ticket string) string {
	return wsURL(f.ts, f.joinPath+"/call?ticket="+ticket)
}

func wsURL(ts *testServer, path string) string {
	return "ws" + strings.TrimPrefix(ts.http.URL, "http") + path
}

// dial opens a signalling socket from origin; it returns the HTTP status
// when the server refuses the upgrade.
func dial(t testing.TB, url, origin string) (*websocket.Conn, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, res, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {origin}}})
	if err != nil {
		if res == nil {
			t.Fatalf("dial %s: %v", url, err)
		}
		return nil, res.StatusCode
	}
	t.Cleanup(func() { conn.CloseNow() })
	return conn, http.StatusSwitchingProtocols
}

// read waits up to wait for the next message.
func read(t testing.TB, conn *websocket.Conn, wait time.Duration) (api.CallMessage, []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	typ, data, err := conn.Read(ctx)
	if err != nil {
		t.Fatalf("no message within %v: %v", wait, err)
	}
	if typ != websocket.MessageText {
		t.Fatalf("a %v frame, want text", typ)
	}
	var m api.CallMessage
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("message %s: %v", data, err)
	}
	return m, data
}

func expect(t testing.TB, conn *websocket.Conn, typ string) api.CallMessage {
	t.Helper()
	m, data := read(t, conn, 2*time.Second)
	if m.Type != typ {
		t.Fatalf("got %s, want a %q message", data, typ)
	}
	return m
}

func send(t testing.TB, conn *websocket.Conn, msg string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := conn.Write(ctx, websocket.MessageText, []byte(msg)); err != nil {
		t.Fatal(err)
	}
}

// closedWith waits for the server to close conn and returns the status.
func closedWith(t testing.TB, conn *websocket.Conn) websocket.StatusCode {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	for {
		if _, data, err := conn.Read(ctx); err != nil {
			if errors.Is(err, context.DeadlineExceeded) {
				t.Fatal("the socket stayed open")
			}
			if websocket.CloseStatus(err) == -1 {
				t.Logf("closed without a close frame: %v", err)
			}
			return websocket.CloseStatus(err)
		} else if !strings.Contains(string(data), `"peer_left"`) {
			t.Fatalf("got %s, want the socket closed", data)
		}
	}
}

func TestCallTickets(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, databaseURL string) {
		ts := newTestServer(t, databaseURL, map[string]string{
			"SIDENOTE_ICE_SERVERS":   `[{"urls":"stun:stun.example.org:3478"}]`,
			"SIDENOTE_EXTENSION_IDS": "nkfakkladpjdkjfmfegfanikgkbddhco",
		})
		f := newCallFixture(t, ts, "a@example.com")
		other := newCallFixture(t, ts, "b@example.com")

		tk := f.ticket(t)
		if len(tk.ICEServers) != 1 || tk.ICEServers[0].URLs[0] != "stun:stun.example.org:3478" {
			t.Fatalf("ticket ICE servers %+v", tk.ICEServers)
		}
		// A foreign Origin is refused before the upgrade; so is none.
		for _, origin := range []string{"https://evil.example", "chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", ""} {
			if _, status := dial(t, f.clinicianURL(f.ticket(t).Ticket), origin); status != http.StatusForbidden {
				t.Errorf("Origin %q: %d, want 403", origin, status)
			}
		}
		// Another session's ticket, or a guest's, opens nothing, and is not
		// spent by the attempt.
		otherTicket := other.ticket(t)
		if _, status := dial(t, f.clinicianURL(otherTicket.Ticket), ts.http.URL); status != http.StatusNotFound {
			t.Fatalf("B's ticket on A's session: %d, want 404", status)
		}
		guest := f.join(t)
		if _, status := dial(t, f.clinicianURL(guest), ts.http.URL); status != http.StatusNotFound {
			t.Fatalf("a guest ticket on the clinician's socket: %d, want 404", status)
		}
		if conn, status := dial(t, other.clinicianURL(otherTicket.Ticket), ts.http.URL); status != http.StatusSwitchingProtocols {
			t.Fatalf("B's ticket on B's session after the refused attempt: %d", status)
		} else {
			conn.CloseNow()
		}
		// Single use: the extension's origin opens it once.
		if conn, status := dial(t, f.clinicianURL(tk.Ticket), "chrome-extension://nkfakkladpjdkjfmfegfanikgkbddhco"); status != http.StatusSwitchingProtocols {
			t.Fatalf("first use from the extension: %d", status)
		} else {
			expect(t, conn, api.CallWelcome)
			conn.CloseNow()
		}
		if _, status := dial(t, f.clinicianURL(tk.Ticket), ts.http.URL); status != http.StatusNotFound {
			t.Fatalf("second use: %d, want 404", status)
		}
		// Expired.
		late := f.ticket(t)
		if err := ts.store.DB().Exec("UPDATE call_tickets SET expires_at = ?", time.Now().Add(-time.Second)).Error; err != nil {
			t.Fatal(err)
		}
		if _, status := dial(t, f.clinicianURL(late.Ticket), ts.http.URL); status != http.StatusNotFound {
			t.Fatalf("expired ticket: %d, want 404", status)
		}
		// A guest ticket of session B does not open session A's guest side
		// (with A's join code), and A's guest ticket does not open B's.
		otherGuest := other.join(t)
		if _, status := dial(t, f.guestURL(otherGuest), ts.http.URL); status != http.StatusNotFound {
			t.Fatalf("B's guest ticket with A's code: %d, want 404", status)
		}
		if _, status := dial(t, other.guestURL(guest), ts.http.URL); status != http.StatusNotFound {
			t.Fatalf("A's guest ticket with B's code: %d, want 404", status)
		}
		// The guest socket takes the server's own origin only.
		if _, status := dial(t, f.guestURL(f.join(t)), "chrome-extension://nkfakkladpjdkjfmfegfanikgkbddhco"); status != http.StatusForbidden {
			t.Fatalf("guest socket from the extension's origin: %d, want 403", status)
		}

		// Only an open telehealth session holds a call.
		inPerson := ts.createAnonymousSession(f.token, api.SessionInPerson, api.AnonymousIndividual)
		ts.do(f.token, http.MethodPost, "/api/v1/sessions/"+inPerson.ID+"/call/ticket", nil, http.StatusConflict, nil)
		ts.do(other.token, http.MethodPost, "/api/v1/sessions/"+f.session.ID+"/call/ticket", nil, http.StatusNotFound, nil)
		unused := f.ticket(t)
		anon := api.AnonymousIndividual
		ts.do(f.token, http.MethodPost, "/api/v1/sessions/"+f.session.ID+"/end", api.EndSessionRequest{Anonymous: &anon}, http.StatusOK, nil)
		ts.do(f.token, http.MethodPost, "/api/v1/sessions/"+f.session.ID+"/call/ticket", nil, http.StatusConflict, nil)
		if _, status := dial(t, f.clinicianURL(unused.Ticket), ts.http.URL); status != http.StatusNotFound {
			t.Fatalf("a ticket of an ended session: %d, want 404", status)
		}
	})
}

func TestCallRelaysBetweenClinicianAndGuest(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, databaseURL string) {
		ts := newTestServer(t, databaseURL)
		f := newCallFixture(t, ts, "a@example.com")

		clinician, _ := dial(t, f.clinicianURL(f.ticket(t).Ticket), ts.http.URL)
		welcome := expect(t, clinician, api.CallWelcome)
		if welcome.Role != api.CallRoleClinician || welcome.PeerPresent == nil || *welcome.PeerPresent ||
			welcome.GuestConsented == nil || *welcome.GuestConsented || welcome.ClinicianName != "" {
			t.Fatalf("clinician's welcome %+v", welcome)
		}

		// The guest's form reaches the open clinician socket at once.
		submitted := time.Now()
		firstTicket := f.join(t)
		m, data := read(t, clinician, time.Second)
		if m.Type != api.CallGuestJoined || m.Consented == nil || !*m.Consented || m.At == nil {
			t.Fatalf("after the form: %s, want guest_joined", data)
		}
		t.Logf("guest_joined %v after the form was sent", time.Since(submitted))

		guest, _ := dial(t, f.guestURL(firstTicket), ts.http.URL)
		gw := expect(t, guest, api.CallWelcome)
		if gw.Role != api.CallRoleGuest || gw.PeerPresent == nil || !*gw.PeerPresent || gw.ClinicianName != "Dr a@example.com" ||
			gw.GuestConsented == nil || !*gw.GuestConsented || gw.ICEServers != nil {
			t.Fatalf("guest's welcome %+v", gw)
		}
		if j := expect(t, clinician, api.CallPeerJoined); j.Role != api.CallRoleGuest {
			t.Fatalf("peer_joined %+v", j)
		}

		// Offer, answer, candidates and the recording indicator pass
		// verbatim.
		offer := `{"type":"offer","sdp":"v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n"}`
		send(t, clinician, offer)
		if _, got := read(t, guest, 2*time.Second); string(got) != offer {
			t.Fatalf("guest got %s, want %s", got, offer)
		}
		answer := `{"type":"answer","sdp":"v=0\r\n"}`
		send(t, guest, answer)
		if _, got := read(t, clinician, 2*time.Second); string(got) != answer {
			t.Fatalf("clinician got %s", got)
		}
		candidate := `{"type":"candidate","candidate":{"candidate":"candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host","sdpMid":"0","sdpMLineIndex":0}}`
		send(t, guest, candidate)
		if _, got := read(t, clinician, 2*time.Second); string(got) != candidate {
			t.Fatalf("clinician got %s", got)
		}
		send(t, clinician, `{"type":"recording","on":true}`)
		if r := expect(t, guest, api.CallRecording); r.On == nil || !*r.On {
			t.Fatalf("recording %+v", r)
		}

		// The guest reloads: the new socket replaces the old one.
		guest2, _ := dial(t, f.guestURL(f.join(t)), ts.http.URL)
		expect(t, clinician, api.CallGuestJoined)
		expect(t, guest2, api.CallWelcome)
		expect(t, clinician, api.CallPeerJoined)
		if status := closedWith(t, guest); status != websocket.StatusNormalClosure {
			t.Fatalf("replaced socket closed with %v", status)
		}

		// Only the clinician turns the recording indicator on and off.
		send(t, guest2, `{"type":"recording","on":false}`)
		if status := closedWith(t, guest2); status != websocket.StatusPolicyViolation {
			t.Fatalf("a guest's recording message: closed with %v, want policy violation", status)
		}
		if l := expect(t, clinician, api.CallPeerLeft); l.Role != api.CallRoleGuest {
			t.Fatalf("peer_left %+v", l)
		}

		// Oversized and flooding messages close the socket.
		guest3, _ := dial(t, f.guestURL(f.join(t)), ts.http.URL)
		expect(t, clinician, api.CallGuestJoined)
		expect(t, guest3, api.CallWelcome)
		expect(t, clinician, api.CallPeerJoined)
		send(t, guest3, `{"type":"candidate","candidate":"`+strings.Repeat("x", maxCallMessage)+`"}`)
		if status := closedWith(t, guest3); status != websocket.StatusMessageTooBig {
			t.Fatalf("an oversized message: closed with %v", status)
		}
		expect(t, clinician, api.CallPeerLeft)
		guest4, _ := dial(t, f.guestURL(f.join(t)), ts.http.URL)
		expect(t, clinician, api.CallGuestJoined)
		expect(t, guest4, api.CallWelcome)
		expect(t, clinician, api.CallPeerJoined)
		flood := func() {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			for i := 0; i < 3*callMessageBurst; i++ {
				if guest4.Write(ctx, websocket.MessageText, []byte(`{"type":"bye"}`)) != nil {
					return
				}
			}
		}
		flood()
		for {
			m, data := read(t, clinician, 2*time.Second)
			if m.Type == api.CallPeerLeft {
				break
			}
			if m.Type != api.CallBye {
				t.Fatalf("during the flood: %s", data)
			}
		}
		// The server closes with unread messages of the flood in its
		// buffer, so the client may see the TCP reset before the close frame.
		if status := closedWith(t, guest4); status != websocket.StatusPolicyViolation && status != -1 {
			t.Fatalf("a flood: closed with %v", status)
		}

		// Ending the session tells both sides and closes them; the link and
		// tickets stop working.
		guest5, _ := dial(t, f.guestURL(f.join(t)), ts.http.URL)
		expect(t, clinician, api.CallGuestJoined)
		expect(t, guest5, api.CallWelcome)
		expect(t, clinician, api.CallPeerJoined)
		lateGuestTicket := f.join(t)
		expect(t, clinician, api.CallGuestJoined)
		anon := api.AnonymousIndividual
		ts.do(f.token, http.MethodPost, "/api/v1/sessions/"+f.session.ID+"/end", api.EndSessionRequest{Anonymous: &anon}, http.StatusOK, nil)
		for name, conn := range map[string]*websocket.Conn{"clinician": clinician, "guest": guest5} {
			expect(t, conn, api.CallEnded)
			if status := closedWith(t, conn); status != websocket.StatusNormalClosure {
				t.Fatalf("%s's socket after the end: %v", name, status)
			}
		}
		if res := ts.raw("", http.MethodPost, f.joinPath, joinForm(guestEmail, "yes")); res.Status != http.StatusNotFound || guestTicket(string(res.Body)) != "" {
			t.Fatalf("joining an ended session: %d", res.Status)
		}
		if res := ts.raw("", http.MethodGet, f.joinPath, nil); res.Status != http.StatusNotFound {
			t.Fatalf("the join page of an ended session: %d", res.Status)
		}
		if _, status := dial(t, f.guestURL(lateGuestTicket), ts.http.URL); status != http.StatusNotFound {
			t.Fatalf("a guest ticket after the end: %d, want 404", status)
		}
		var link api.TelehealthLink
		ts.do(f.token, http.MethodGet, "/api/v1/sessions/"+f.session.ID+"/telehealth", nil, http.StatusOK, &link)
		if link.JoinURL != "" {
			t.Fatalf("an ended session's link is still shown: %+v", link)
		}
		waitFor(t, "the hub to let go of the sockets", func() bool { return ts.srv.calls.Connected() == 0 })
		assertNowhere(t, ts, guestEmail)
	})
}

// waitFor polls cond for up to 5 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited 5s for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
