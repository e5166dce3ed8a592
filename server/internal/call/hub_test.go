package call

import (
	"encoding/json"
	"testing"

	"github.com/sidenote/sidenote/shared/api"
)

func next(t *testing.T, p *Peer) api.CallMessage {
	t.Helper()
	select {
	case b := <-p.Outbox():
		var m api.CallMessage
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		return m
	default:
		t.Fatalf("no message for the %s", p.Role)
		return api.CallMessage{}
	}
}

func welcome(present bool) []byte {
	return Encode(api.CallMessage{Type: api.CallWelcome, PeerPresent: &present})
}

func TestHub(t *testing.T) {
	h := NewHub()
	clinician := h.Join("s1", api.CallRoleClinician, welcome)
	if m := next(t, clinician); m.Type != api.CallWelcome || *m.PeerPresent {
		t.Fatalf("first welcome %+v", m)
	}
	if h.Send("s2", api.CallRoleClinician, []byte(`{}`)) {
		t.Fatal("sent to a call nobody joined")
	}
	guest := h.Join("s1", api.CallRoleGuest, welcome)
	if m := next(t, guest); m.Type != api.CallWelcome || !*m.PeerPresent {
		t.Fatalf("guest's welcome %+v", m)
	}
	if m := next(t, clinician); m.Type != api.CallPeerJoined || m.Role != api.CallRoleGuest {
		t.Fatalf("clinician got %+v", m)
	}
	h.Relay(guest, []byte(`{"type":"answer","sdp":"x"}`))
	if m := next(t, clinician); m.Type != api.CallAnswer || m.SDP != "x" {
		t.Fatalf("relayed %+v", m)
	}

	// A second guest socket replaces the first, which is closed; the old
	// one leaving later tells nobody.
	guest2 := h.Join("s1", api.CallRoleGuest, welcome)
	<-guest.Done()
	if guest.Ended() {
		t.Fatal("a replaced side is not an ended session")
	}
	next(t, guest2)
	next(t, clinician) // peer_joined
	h.Leave(guest)
	select {
	case b := <-clinician.Outbox():
		t.Fatalf("the replaced side's leaving was announced: %s", b)
	default:
	}
	h.Leave(guest2)
	if m := next(t, clinician); m.Type != api.CallPeerLeft || m.Role != api.CallRoleGuest {
		t.Fatalf("clinician got %+v", m)
	}

	guest3 := h.Join("s1", api.CallRoleGuest, welcome)
	next(t, guest3)
	next(t, clinician)
	h.End("s1")
	for _, p := range []*Peer{clinician, guest3} {
		if m := next(t, p); m.Type != api.CallEnded {
			t.Fatalf("%s got %+v, want ended", p.Role, m)
		}
		<-p.Done()
		if !p.Ended() {
			t.Fatalf("%s not marked ended", p.Role)
		}
	}
	if h.Connected() != 0 {
		t.Fatalf("%d sockets left after the end", h.Connected())
	}

	// A side that stops reading is dropped, not waited for.
	slow := h.Join("s3", api.CallRoleClinician, welcome)
	for range queueSize + 1 {
		h.Send("s3", api.CallRoleClinician, []byte(`{}`))
	}
	select {
	case <-slow.Done():
	default:
		t.Fatal("a side with a full queue was kept")
	}
}
