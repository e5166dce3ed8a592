// Package call relays a telehealth call's signalling between its two sides,
// the clinician and the guest, each connected over a WebSocket. The hub is
// in memory: both sockets of a session must reach the same process (see
// README, Running several replicas).
package call

import (
	"encoding/json"
	"sync"

	"github.com/sidenote/sidenote/shared/api"
)

// queueSize is how many messages may wait for a slow socket; a side that
// falls further behind is dropped (it reconnects with a new ticket).
const queueSize = 256

// Hub holds the connected sides of every call in this process.
type Hub struct {
	mu    sync.Mutex
	calls map[string]map[string]*Peer // session id -> role -> peer
}

// NewHub returns an empty hub.
func NewHub() *Hub { return &Hub{calls: map[string]map[string]*Peer{}} }

// Peer is one connected side of a call. Its socket writes what arrives on
// Outbox until Done is closed, then what is left, then closes.
type Peer struct {
	Session, Role string
	outbox        chan []byte
	done          chan struct{}
	once          sync.Once
	// Ended tells, once Done is closed, whether the session ended (rather
	// than the side being replaced or dropped).
	ended bool
}

// Outbox carries the messages to write to this side's socket.
func (p *Peer) Outbox() <-chan []byte { return p.outbox }

// Done is closed when this side must close its socket.
func (p *Peer) Done() <-chan struct{} { return p.done }

// Ended reports whether the side was closed because the session ended.
func (p *Peer) Ended() bool {
	select {
	case <-p.done:
		return p.ended
	default:
		return false
	}
}

func (p *Peer) close(ended bool) {
	p.once.Do(func() {
		p.ended = ended
		close(p.done)
	})
}

// send queues msg without blocking; a full queue drops the side.
func (p *Peer) send(msg []byte) {
	select {
	case <-p.done:
	case p.outbox <- msg:
	default:
		p.close(false)
	}
}

// Other returns the role of the other side.
func Other(role string) string {
	if role == api.CallRoleClinician {
		return api.CallRoleGuest
	}
	return api.CallRoleClinician
}

// Encode marshals a server message. Its types cannot fail to marshal.
func Encode(m api.CallMessage) []byte {
	b, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	return b
}

// Join connects a side of session's call, replacing (and closing) an
// earlier socket of the same role: a reload, a second device. Its first
// message is welcome(peerPresent); the other side, if present, is told
// peer_joined.
func (h *Hub) Join(session, role string, welcome func(peerPresent bool) []byte) *Peer {
	p := &Peer{Session: session, Role: role, outbox: make(chan []byte, queueSize), done: make(chan struct{})}
	h.mu.Lock()
	defer h.mu.Unlock()
	sides := h.calls[session]
	if sides == nil {
		sides = map[string]*Peer{}
		h.calls[session] = sides
	}
	if old := sides[role]; old != nil {
		old.close(false)
	}
	sides[role] = p
	other := sides[Other(role)]
	p.send(welcome(other != nil))
	if other != nil {
		other.send(Encode(api.CallMessage{Type: api.CallPeerJoined, Role: role}))
	}
	return p
}

// Leave disconnects p; if it was still its session's side, the other side
// is told peer_left.
func (h *Hub) Leave(p *Peer) {
	p.close(false)
	h.mu.Lock()
	defer h.mu.Unlock()
	sides := h.calls[p.Session]
	if sides[p.Role] != p {
		return
	}
	delete(sides, p.Role)
	if other := sides[Other(p.Role)]; other != nil {
		other.send(Encode(api.CallMessage{Type: api.CallPeerLeft, Role: p.Role}))
	} else {
		delete(h.calls, p.Session)
	}
}

// Relay passes msg from p to the other side, if connected.
func (h *Hub) Relay(p *Peer, msg []byte) {
	h.Send(p.Session, Other(p.Role), msg)
}

// Send queues msg for the side role of session's call; it reports whether
// that side is connected to this process.
func (h *Hub) Send(session, role string, msg []byte) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	p := h.calls[session][role]
	if p == nil {
		return false
	}
	p.send(msg)
	return true
}

// End tells both sides of session's call that the session ended, and
// closes them.
func (h *Hub) End(session string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	ended := Encode(api.CallMessage{Type: api.CallEnded})
	for _, p := range h.calls[session] {
		p.send(ended)
		p.close(true)
	}
	delete(h.calls, session)
}

// Connected counts the sockets connected to this process (for tests and
// the soak test's leak check).
func (h *Hub) Connected() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, sides := range h.calls {
		n += len(sides)
	}
	return n
}
