package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"

	"github.com/sidenote/sidenote/server/internal/call"
	"github.com/sidenote/sidenote/server/internal/store"
	"github.com/sidenote/sidenote/shared/api"
)

// Telehealth call signalling: the clinician's page and the guest's page each
// open a WebSocket with a single-use ticket (browsers cannot send
// Authorization on a WebSocket), and the hub relays the WebRTC offer, answer
// and candidates between them. Audio and video go peer to peer.

const (
	// callTicketTTL is how long the clinician's ticket opens the socket.
	callTicketTTL = 60 * time.Second
	// guestTicketTTL gives a slow phone time to load the call page.
	guestTicketTTL = 2 * time.Minute
	// maxCallMessage bounds one signalling message (an SDP with video and
	// many candidates weighs a few KB).
	maxCallMessage = 64 << 10
	// callWriteTimeout drops a socket that cannot take a message.
	callWriteTimeout = 10 * time.Second
	// callCheckInterval is how often a socket pings its browser and checks
	// that its session is still open (an end made on another replica).
	callCheckInterval = 15 * time.Second
)

// callMessageRate bounds what one socket may send: trickled candidates
// arrive in bursts, nothing needs more.
var callMessageRate = rate.Limit(20)

const callMessageBurst = 100

// relayedFrom are the message types each side may send, relayed verbatim.
var relayedFrom = map[string]map[string]bool{
	api.CallRoleClinician: {api.CallOffer: true, api.CallAnswer: true, api.CallCandidate: true, api.CallRecording: true, api.CallBye: true},
	api.CallRoleGuest:     {api.CallOffer: true, api.CallAnswer: true, api.CallCandidate: true, api.CallBye: true},
}

var errNoCall = &api.Error{Code: api.CodeNotFound, Message: "This call ticket is not valid (used, expired or for another call); ask for a new one."}

func (s *Server) callRoutes(v1, authed *gin.RouterGroup) {
	authed.POST("/sessions/:id/call/ticket", s.issueCallTicket)
	v1.GET("/sessions/:id/call", s.clinicianCall)
}

func (s *Server) iceServers() []api.ICEServer {
	out := make([]api.ICEServer, len(s.cfg.ICEServers))
	for i, ice := range s.cfg.ICEServers {
		out[i] = api.ICEServer{URLs: ice.URLs, Username: ice.Username, Credential: ice.Credential}
	}
	return out
}

// issueCallTicket gives the clinician a ticket for their call's socket.
func (s *Server) issueCallTicket(c *gin.Context) {
	ticket, expires, err := s.store.IssueCallTicket(c.Request.Context(), caller(c), c.Param("id"), api.CallRoleClinician, callTicketTTL)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, api.CallTicket{Ticket: ticket, ExpiresAt: expires, ICEServers: s.iceServers()})
}

// callOriginAllowed reports whether a signalling socket may be opened from
// origin: Sidenote's own pages, and for the clinician the configured
// extensions' side panels.
func (s *Server) callOriginAllowed(c *gin.Context, origin string, extensions bool) bool {
	if origin == "" {
		return false
	}
	if sameOrigin(c, origin) || strings.EqualFold(origin, publicOrigin(s.cfg.PublicURL)) {
		return true
	}
	if extensions {
		for _, id := range s.cfg.Auth.ExtensionIDs {
			if origin == "chrome-extension://"+id {
				return true
			}
		}
	}
	return false
}

var errCallOrigin = &api.Error{Code: api.CodeForbidden, Message: "Calls cannot be opened from this origin."}

// clinicianCall opens the clinician's side of the call.
func (s *Server) clinicianCall(c *gin.Context) {
	ctx := c.Request.Context()
	// The ticket first: without one, any session id answers the same 404.
	ticket, err := s.store.UseCallTicket(ctx, c.Query("ticket"), c.Param("id"), api.CallRoleClinician)
	if errors.Is(err, store.ErrCallTicketInvalid) {
		err = errNoCall
	}
	if err == nil && !s.callOriginAllowed(c, c.GetHeader("Origin"), true) {
		err = errCallOrigin
	}
	if err != nil {
		fail(c, err)
		return
	}
	consented := false
	if link, err := s.store.TelehealthLinkOf(ctx, ticket.ClinicianID, ticket.SessionID); err == nil {
		consented = link.GuestConsentedAt != nil
	} else if !store.IsNotFound(err) {
		fail(c, err)
		return
	}
	welcome := api.CallMessage{Type: api.CallWelcome, Role: api.CallRoleClinician, ICEServers: s.iceServers(), GuestConsented: &consented}
	s.serveCall(c, ticket.SessionID, api.CallRoleClinician, welcome)
}

// guestCall opens the guest's side of the call: the join code names the
// session, and the ticket the join form gave proves the form was filled.
func (s *Server) guestCall(c *gin.Context) {
	ctx := c.Request.Context()
	if !s.callOriginAllowed(c, c.GetHeader("Origin"), false) {
		fail(c, errCallOrigin)
		return
	}
	link, err := s.store.TelehealthLinkByCode(ctx, c.Param("code"))
	if err != nil {
		fail(c, callErr(err))
		return
	}
	ticket, err := s.store.UseCallTicket(ctx, c.Query("ticket"), link.SessionID, api.CallRoleGuest)
	if err != nil {
		fail(c, callErr(err))
		return
	}
	clinician, err := s.store.ClinicianByID(ctx, ticket.ClinicianID)
	if err != nil {
		fail(c, err)
		return
	}
	consented := true
	welcome := api.CallMessage{Type: api.CallWelcome, Role: api.CallRoleGuest, ICEServers: s.iceServers(),
		GuestConsented: &consented, ClinicianName: clinician.Name}
	s.serveCall(c, ticket.SessionID, api.CallRoleGuest, welcome)
}

func callErr(err error) error {
	if errors.Is(err, store.ErrCallTicketInvalid) || errors.Is(err, store.ErrJoinLinkInvalid) {
		return errNoCall
	}
	return err
}

// serveCall upgrades the request and relays between this side and the
// other until either closes or the session ends.
func (s *Server) serveCall(c *gin.Context, sessionID, role string, welcome api.CallMessage) {
	// The Origin was checked above, against a list coder/websocket's
	// patterns cannot express (chrome-extension:// origins).
	conn, err := websocket.Accept(c.Writer, c.Request, &websocket.AcceptOptions{InsecureSkipVerify: true})
	if err != nil {
		return // Accept has answered the request
	}
	defer conn.CloseNow()
	conn.SetReadLimit(maxCallMessage)
	// The request's context ends with the handler; the socket outlives it.
	ctx := context.WithoutCancel(c.Request.Context())
	peer := s.calls.Join(sessionID, role, func(present bool) []byte {
		welcome.PeerPresent = &present
		return call.Encode(welcome)
	})
	defer s.calls.Leave(peer)
	// The writer is stopped by a channel, not by cancelling a context:
	// coder/websocket closes the connection when the context of a write
	// ends, which would cut the close frame that follows.
	quit, writing := make(chan struct{}), make(chan struct{})
	var stopWriting sync.Once
	stop := func() { stopWriting.Do(func() { close(quit) }) }
	defer stop()
	go func() {
		defer close(writing)
		s.writeCall(ctx, quit, conn, peer)
	}()
	// refuse drops this side for breaking the protocol: the writer stops
	// first (so its close does not race this one), and the other side is
	// told at once, not after the closing handshake, which waits for a
	// client that may not be reading.
	refuse := func(status websocket.StatusCode, reason string) {
		stop()
		<-writing
		s.calls.Leave(peer)
		if err := conn.Close(status, reason); err != nil {
			_ = conn.CloseNow() // the browser is gone: nothing more to tell it
		}
	}
	limiter := rate.NewLimiter(callMessageRate, callMessageBurst)
	for {
		typ, data, err := conn.Read(ctx)
		if err != nil {
			return
		}
		var m struct {
			Type string `json:"type"`
		}
		switch {
		case typ != websocket.MessageText || json.Unmarshal(data, &m) != nil:
			refuse(websocket.StatusUnsupportedData, "messages are JSON text")
			return
		case !limiter.Allow():
			refuse(websocket.StatusPolicyViolation, "too many messages")
			return
		case !relayedFrom[role][m.Type]:
			refuse(websocket.StatusPolicyViolation, "unknown message type")
			return
		}
		s.calls.Relay(peer, data)
	}
}

// writeCall writes the peer's messages to its socket, pings it, and closes
// it when the hub says so or its session has ended.
func (s *Server) writeCall(ctx context.Context, quit <-chan struct{}, conn *websocket.Conn, peer *call.Peer) {
	check := time.NewTicker(callCheckInterval)
	defer check.Stop()
	write := func(msg []byte) bool {
		wctx, cancel := context.WithTimeout(ctx, callWriteTimeout)
		defer cancel()
		return conn.Write(wctx, websocket.MessageText, msg) == nil
	}
	for {
		select {
		case <-quit:
			return
		case msg := <-peer.Outbox():
			if !write(msg) {
				return
			}
		case <-peer.Done():
			for len(peer.Outbox()) > 0 {
				if !write(<-peer.Outbox()) {
					return
				}
			}
			reason := "replaced by another connection"
			if peer.Ended() {
				reason = "the session has ended"
			}
			if err := conn.Close(websocket.StatusNormalClosure, reason); err != nil {
				_ = conn.CloseNow() // the browser is gone: nothing more to tell it
			}
			return
		case <-check.C:
			pctx, cancel := context.WithTimeout(ctx, callWriteTimeout)
			err := conn.Ping(pctx)
			cancel()
			if err != nil {
				return
			}
			if open, err := s.store.SessionOpen(ctx, peer.Session); err == nil && !open {
				s.calls.End(peer.Session)
			}
		}
	}
}
