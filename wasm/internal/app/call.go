package app

import (
	"context"
	"errors"
	"time"

	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/wasm/internal/client"
	"github.com/sidenote/sidenote/wasm/internal/wire"
)

// CallMedia is the browser's side of a telehealth call: the camera and
// microphone, and the peer connection to the guest. Local ICE candidates
// and the connection's state come back through App.CallCandidate and
// App.CallPeerState.
type CallMedia interface {
	// Open turns the camera and microphone on.
	Open(ctx context.Context, ice []client.ICEServer) error
	// Offer makes a fresh peer connection and returns its offer's SDP.
	Offer(ctx context.Context) (string, error)
	// Answer applies the guest's answer.
	Answer(ctx context.Context, sdp string) error
	// Candidate adds the guest's ICE candidate, from the candidate
	// message's JSON text.
	Candidate(message string) error
	SetMuted(muted bool)
	SetCameraOff(off bool)
	// Record starts recording the call's two sides mixed, through the
	// same recorder events as the microphone (RecordingStarted,
	// QueueChunk, RecordingStopped).
	Record(sessionID string)
	Close()
}

// CallSocket is the call's signalling WebSocket.
type CallSocket interface {
	Send(text string) error
	Close()
}

// CallPhase is where a call is.
type CallPhase string

const (
	CallIdle       CallPhase = ""
	CallConnecting CallPhase = "connecting"
	// CallWaiting: the clinician is in the call; the guest is not.
	CallWaiting CallPhase = "waiting"
	// CallJoining: the guest is there; the media is connecting.
	CallJoining   CallPhase = "joining"
	CallConnected CallPhase = "connected"
	CallEnded     CallPhase = "ended"
)

// CallState is the telehealth call of the open session.
type CallState struct {
	Phase CallPhase
	// GuestJoined is set once the guest submitted the join form, with
	// consent to be recorded (GuestConsented) at JoinedAt.
	GuestJoined    bool
	GuestConsented bool
	JoinedAt       time.Time
	// GuestLeft is true after the guest left, until they are back.
	GuestLeft bool
	Muted     bool
	CameraOff bool
	Err       string
	// NeedsPermissionPage is true when the side panel could not ask for
	// the camera and microphone itself.
	NeedsPermissionPage bool
	// JoinURL is the guest's link while the session is open.
	JoinURL  string
	LinkBusy bool
}

// callLink is the call running: its session, socket and media.
type callLink struct {
	sessionID string
	media     CallMedia
	sock      CallSocket
	// recording is true once the call's recording was started.
	recording bool
}

// CallDeps open a call's media and socket; nil where calls can't be made
// (host tests of other screens).
type CallDeps struct {
	Media func() CallMedia
	// Dial opens the signalling socket at url; messages arrive through
	// App.CallMessage and its end through App.CallClosed.
	Dial func(ctx context.Context, url string) (CallSocket, error)
	// Origin is the page's own origin, for the socket's address on /app.
	Origin string
}

// loadJoinLink shows the guest's link of an open telehealth session.
func (a *App) loadJoinLink(ctx context.Context, sess api.Session) {
	if sess.Type != api.SessionTelehealth || sess.Status != api.SessionOpen {
		return
	}
	link, err := a.d.API.TelehealthLink(ctx, sess.ID)
	a.update(func(s *State) {
		if s.Session.Session.ID != sess.ID {
			return
		}
		c := &s.Session.Call
		switch {
		case err == nil:
			c.JoinURL = link.JoinURL
			if link.GuestConsentedAt != nil && !c.GuestJoined {
				c.GuestJoined, c.GuestConsented, c.JoinedAt = true, true, *link.GuestConsentedAt
			}
		case !isCode(err, api.CodeNotFound):
			s.failed(err)
		}
	})
}

// RenewJoinLink makes a new guest link; the old one stops working.
func (a *App) RenewJoinLink(ctx context.Context) {
	var id string
	a.update(func(s *State) {
		if s.Session.Call.LinkBusy || s.Session.Session.Status != api.SessionOpen {
			return
		}
		s.Session.Call.LinkBusy = true
		id = s.Session.Session.ID
	})
	if id == "" {
		return
	}
	link, err := a.d.API.RenewTelehealthLink(ctx, id)
	a.update(func(s *State) {
		if s.Session.Session.ID != id {
			return
		}
		s.Session.Call.LinkBusy = false
		if err != nil {
			s.notify(NoticeError, s.failed(err))
			return
		}
		s.reached()
		s.Session.Call.JoinURL = link.JoinURL
		s.notify(NoticeSuccess, "A new join link was made. The old one no longer works.")
	})
}

// StartCall turns the camera and microphone on and joins the open
// telehealth session's call, to wait for the guest.
func (a *App) StartCall(ctx context.Context) {
	var id string
	a.update(func(s *State) {
		c := &s.Session.Call
		if a.call != nil || a.d.Call.Media == nil || s.Session.Session.Type != api.SessionTelehealth || s.Session.Session.Status != api.SessionOpen {
			return
		}
		id = s.Session.Session.ID
		c.Phase, c.Err, c.GuestLeft, c.NeedsPermissionPage = CallConnecting, "", false, false
		a.call = &callLink{sessionID: id}
	})
	if id == "" {
		return
	}
	fail := func(msg string) {
		a.update(func(s *State) {
			if a.call != nil && a.call.sessionID == id {
				a.call = nil
			}
			if s.Session.Session.ID == id {
				s.Session.Call.Phase, s.Session.Call.Err = CallIdle, msg
			}
		})
	}
	ticket, err := a.d.API.CallTicket(ctx, id)
	if err != nil {
		fail(read(a, func(s *State) string { return s.failed(err) }))
		return
	}
	media := a.d.Call.Media()
	if err := media.Open(ctx, ticket.ICEServers); err != nil {
		media.Close()
		fail(a.mediaMessage(err))
		a.update(func(s *State) {
			s.Session.Call.NeedsPermissionPage = errors.Is(err, ErrMediaRefused) && a.d.Host != nil && s.Session.Session.ID == id
		})
		return
	}
	a.update(func(s *State) {
		if a.call != nil && a.call.sessionID == id {
			a.call.media = media
		}
	})
	sock, err := a.d.Call.Dial(ctx, a.d.API.CallSocketURL(a.d.Call.Origin, id, ticket.Ticket))
	if err != nil {
		media.Close()
		fail("The call could not connect to Sidenote. Check the connection and try again.")
		return
	}
	kept := false
	a.update(func(s *State) {
		if a.call == nil || a.call.sessionID != id || a.call.media != media {
			return
		}
		a.call.sock = sock
		kept = true
		if s.Session.Session.ID == id && s.Session.Call.Phase == CallConnecting {
			s.Session.Call.Phase = CallWaiting
		}
	})
	if !kept {
		// Ended while connecting.
		sock.Close()
		media.Close()
	}
}

// ErrMediaRefused is CallMedia.Open's error when the camera and
// microphone were refused.
var ErrMediaRefused = errors.New("camera and microphone refused")

// mediaMessage says why the camera or microphone could not be used.
func (a *App) mediaMessage(err error) string {
	if errors.Is(err, ErrMediaRefused) {
		if a.d.Host != nil {
			return "Sidenote needs permission to use the camera and microphone. Open the permission page, choose Allow, then start the call again."
		}
		return "The camera and microphone are blocked for this page. Allow them in the browser's site settings, then start the call again."
	}
	if h, ok := err.(*HostError); ok {
		return h.Message
	}
	return "The camera and microphone could not be used. Check that they are connected and allowed for this page, then try again."
}

// CallMessage handles a message of the signalling socket.
func (a *App) CallMessage(ctx context.Context, text string) {
	m, err := wire.Parse([]byte(text))
	if err != nil {
		return
	}
	cl := read(a, func(*State) *callLink { return a.call })
	if cl == nil || cl.media == nil {
		return
	}
	offer := false
	switch m.Get("type").Str() {
	case "welcome":
		a.callUpdate(cl, func(c *CallState) {
			if m.Get("guest_consented").Bool() {
				c.GuestJoined, c.GuestConsented = true, true
			}
			if m.Get("peer_present").Bool() {
				c.Phase, c.GuestLeft = CallJoining, false
				offer = true
			}
		})
	case "guest_joined":
		a.update(func(s *State) {
			if s.Session.Session.ID != cl.sessionID {
				return
			}
			c := &s.Session.Call
			c.GuestJoined, c.GuestConsented, c.JoinedAt = true, m.Get("consented").Bool(), m.Get("at").Time()
			if c.GuestConsented {
				s.notify(NoticeInfo, "The guest joined and consented to the recording.")
			}
		})
	case "peer_joined":
		a.callUpdate(cl, func(c *CallState) { c.Phase, c.GuestLeft = CallJoining, false })
		offer = true
	case "peer_left", "bye":
		a.callUpdate(cl, func(c *CallState) { c.Phase, c.GuestLeft = CallWaiting, true })
	case "answer":
		if err := cl.media.Answer(ctx, m.Get("sdp").Str()); err != nil {
			a.callUpdate(cl, func(c *CallState) {
				c.Err = "The guest's video could not be connected. Ask them to leave and join again."
			})
		}
	case "candidate":
		_ = cl.media.Candidate(text)
	case "ended":
		a.hangUp(ctx, false)
		a.reloadSession(ctx, cl.sessionID)
	}
	if offer {
		a.sendOffer(ctx, cl)
	}
}

func (a *App) callUpdate(cl *callLink, fn func(c *CallState)) {
	a.update(func(s *State) {
		if s.Session.Session.ID == cl.sessionID {
			fn(&s.Session.Call)
		}
	})
}

func (a *App) sendOffer(ctx context.Context, cl *callLink) {
	sdp, err := cl.media.Offer(ctx)
	if err == nil {
		err = cl.sock.Send(string(wire.NewObj().Str("type", "offer").Str("sdp", sdp).Bytes()))
	}
	if err != nil {
		a.callUpdate(cl, func(c *CallState) { c.Err = "The call could not be set up. End the call and start it again." })
	}
}

// CallCandidate sends one of this side's ICE candidates (its JSON) to the
// guest.
func (a *App) CallCandidate(candidate string) {
	cl := read(a, func(*State) *callLink { return a.call })
	if cl == nil || cl.sock == nil {
		return
	}
	_ = cl.sock.Send(string(wire.NewObj().Str("type", "candidate").Raw("candidate", []byte(candidate)).Bytes()))
}

// CallPeerState follows the peer connection's state: once it is connected
// and both sides consented, the call is recorded.
func (a *App) CallPeerState(state string) {
	record := false
	var cl *callLink
	a.update(func(s *State) {
		cl = a.call
		if cl == nil || s.Session.Session.ID != cl.sessionID {
			return
		}
		c := &s.Session.Call
		switch state {
		case "connected":
			c.Phase, c.Err = CallConnected, ""
		case "failed":
			c.Err = "The connection to the guest was lost. Ask them to reload their page."
			fallthrough
		case "disconnected", "closed":
			if c.Phase == CallConnected {
				c.Phase = CallJoining
			}
		}
		record = c.Phase == CallConnected && c.GuestConsented && s.Session.Session.Consent.Obtained &&
			!cl.recording && a.chunks == nil
		if record {
			cl.recording = true
		}
	})
	if record {
		cl.media.Record(cl.sessionID)
	}
}

// callRecording tells the guest whether the call is being recorded.
func (a *App) callRecording(sessionID string, on bool) {
	cl := read(a, func(*State) *callLink { return a.call })
	if cl == nil || cl.sock == nil || cl.sessionID != sessionID {
		return
	}
	_ = cl.sock.Send(string(wire.NewObj().Str("type", "recording").Bool("on", on).Bytes()))
}

// CallClosed notes that the signalling socket closed.
func (a *App) CallClosed(ctx context.Context) {
	cl := read(a, func(*State) *callLink { return a.call })
	if cl == nil {
		return
	}
	a.callUpdate(cl, func(c *CallState) {
		if c.Phase != CallEnded {
			c.Err = "The call's connection to Sidenote was lost. End the call and start it again."
		}
	})
}

// SetCallMuted mutes or unmutes the clinician's microphone.
func (a *App) SetCallMuted(muted bool) {
	a.update(func(s *State) {
		if a.call != nil && a.call.media != nil {
			a.call.media.SetMuted(muted)
			s.Session.Call.Muted = muted
		}
	})
}

// SetCameraOff turns the clinician's camera off or on.
func (a *App) SetCameraOff(off bool) {
	a.update(func(s *State) {
		if a.call != nil && a.call.media != nil {
			a.call.media.SetCameraOff(off)
			s.Session.Call.CameraOff = off
		}
	})
}

// EndCall hangs up, waits for the recording's upload, and asks who the
// session was with to end it.
func (a *App) EndCall(ctx context.Context) {
	a.hangUp(ctx, true)
	a.OpenEnd(ctx, true)
}

// hangUp leaves the call: the recording stops and its upload is awaited;
// bye tells the guest.
func (a *App) hangUp(ctx context.Context, bye bool) {
	var cl *callLink
	a.update(func(s *State) {
		cl, a.call = a.call, nil
		if cl != nil && s.Session.Session.ID == cl.sessionID {
			s.Session.Call.Phase = CallEnded
		}
	})
	if cl == nil {
		return
	}
	if cl.recording {
		a.stopAndWait(ctx)
	}
	if cl.sock != nil {
		if bye {
			_ = cl.sock.Send(`{"type":"bye"}`)
		}
		cl.sock.Close()
	}
	if cl.media != nil {
		cl.media.Close()
	}
}

// stopAndWait stops a recording running and waits for its upload.
func (a *App) stopAndWait(ctx context.Context) {
	idle := a.recordingsIdle()
	if idle == nil {
		return
	}
	if a.d.StopRecording != nil {
		a.d.StopRecording()
	}
	select {
	case <-idle:
	case <-ctx.Done():
	}
}

// reloadSession shows a session's state as the server has it now.
func (a *App) reloadSession(ctx context.Context, id string) {
	sess, err := a.d.API.Session(ctx, id)
	a.update(func(s *State) {
		if err != nil {
			s.failed(err)
			return
		}
		if s.Session.Session.ID == id {
			s.Session.Session = sess
		}
		s.upsertSession(sess)
	})
}
