package client

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/wasm/internal/wire"
)

// Capturing a session while it runs: a recording uploaded in chunks, and the
// telehealth call's join link and signalling ticket.

// PutRecordingChunk sends chunk index (from 0) of the session's recording
// being made. The server answers 201 for a new chunk and 200 for the same
// bytes sent again; a wrong index is an error with code conflict (ask
// RecordingProgress where to go on).
func (c *Client) PutRecordingChunk(ctx context.Context, sessionID string, index int, b Blob) error {
	_, err := c.do(ctx, &Request{
		Method:      "PUT",
		URL:         api.Prefix + "/sessions/" + escape(sessionID) + "/recording/chunks/" + strconv.Itoa(index),
		Blob:        b,
		ContentType: b.Type(),
	})
	return err
}

// RecordingProgress is what the server holds of a recording being uploaded
// in chunks.
type RecordingProgress struct {
	// Chunks is how many chunks arrived: the index of the next one.
	Chunks int
	// Complete is true once the recording was finished.
	Complete bool
	Rec      api.Recording
}

// RecordingProgress returns how far the session's chunked recording got;
// an error with code not_found when there is none.
func (c *Client) RecordingProgress(ctx context.Context, sessionID string) (RecordingProgress, error) {
	v, err := c.get(ctx, api.Prefix+"/sessions/"+escape(sessionID)+"/recording")
	rec := DecodeRecording(v)
	return RecordingProgress{Chunks: rec.Chunks, Complete: rec.Complete, Rec: rec}, err
}

// CompleteRecording finishes a chunked recording: the server assembles it and
// transcribes it when speech-to-text is configured.
func (c *Client) CompleteRecording(ctx context.Context, sessionID string) error {
	_, err := c.do(ctx, &Request{Method: "POST", URL: api.Prefix + "/sessions/" + escape(sessionID) + "/recording/complete"})
	return err
}

// RecordingAudioURL is where the session's recording is downloaded from.
func (c *Client) RecordingAudioURL(sessionID string) string {
	return c.base + api.Prefix + "/sessions/" + escape(sessionID) + "/recording/audio"
}

// AuthHeader returns the headers that authenticate a request made outside
// the client (a download), empty on /app where the cookie does.
func (c *Client) AuthHeader() map[string]string {
	h := map[string]string{}
	if c.token != "" {
		h["Authorization"] = "Bearer " + c.token
	}
	return h
}

// TelehealthLink returns the session's guest link; JoinURL is set while the
// session is open.
func (c *Client) TelehealthLink(ctx context.Context, sessionID string) (api.TelehealthLink, error) {
	v, err := c.get(ctx, api.Prefix+"/sessions/"+escape(sessionID)+"/telehealth")
	return decodeTelehealthLink(v), err
}

// RenewTelehealthLink makes a new guest link; the old one stops working.
func (c *Client) RenewTelehealthLink(ctx context.Context, sessionID string) (api.TelehealthLink, error) {
	v, err := c.do(ctx, &Request{Method: "POST", URL: api.Prefix + "/sessions/" + escape(sessionID) + "/telehealth"})
	return decodeTelehealthLink(v), err
}

func decodeTelehealthLink(v wire.Value) api.TelehealthLink {
	return api.TelehealthLink{JoinURL: v.Get("join_url").Str(), ExpiresAt: v.Get("expires_at").Time(),
		GuestJoinedAt: v.Get("guest_joined_at").TimePtr(), GuestConsentedAt: v.Get("guest_consented_at").TimePtr()}
}

// ICEServer is a STUN or TURN server for the call's peer connection.
type ICEServer struct {
	URLs       []string
	Username   string
	Credential string
}

// DecodeICEServers reads the ice_servers list of a ticket or welcome message.
func DecodeICEServers(v wire.Value) []ICEServer {
	var out []ICEServer
	for _, s := range v.Items() {
		srv := ICEServer{Username: s.Get("username").Str(), Credential: s.Get("credential").Str()}
		if u := s.Get("urls"); u.Kind() == wire.String {
			srv.URLs = []string{u.Str()}
		} else {
			for _, x := range u.Items() {
				srv.URLs = append(srv.URLs, x.Str())
			}
		}
		out = append(out, srv)
	}
	return out
}

// EncodeICEServers writes servers as RTCPeerConnection's iceServers.
func EncodeICEServers(servers []ICEServer) []byte {
	return wire.List(len(servers), func(i int) []byte {
		s := servers[i]
		urls := wire.List(len(s.URLs), func(j int) []byte { return wire.AppendString(nil, s.URLs[j]) })
		return wire.NewObj().Raw("urls", urls).StrOmit("username", s.Username).StrOmit("credential", s.Credential).Bytes()
	})
}

// CallTicket admits the clinician to a call's signalling socket once, for
// about a minute.
type CallTicket struct {
	Ticket     string
	ExpiresAt  time.Time
	ICEServers []ICEServer
}

// CallTicket asks for a ticket to the session's call.
func (c *Client) CallTicket(ctx context.Context, sessionID string) (CallTicket, error) {
	v, err := c.do(ctx, &Request{Method: "POST", URL: api.Prefix + "/sessions/" + escape(sessionID) + "/call/ticket"})
	return CallTicket{Ticket: v.Get("ticket").Str(), ExpiresAt: v.Get("expires_at").Time(), ICEServers: DecodeICEServers(v.Get("ice_servers"))}, err
}

// CallSocketURL is the call's signalling WebSocket address for a ticket.
// origin is the page's own origin, used when the client talks to it (/app).
func (c *Client) CallSocketURL(origin, sessionID, ticket string) string {
	base := c.base
	if base == "" {
		base = origin
	}
	switch {
	case strings.HasPrefix(base, "https://"):
		base = "wss://" + base[len("https://"):]
	case strings.HasPrefix(base, "http://"):
		base = "ws://" + base[len("http://"):]
	}
	return base + api.Prefix + "/sessions/" + escape(sessionID) + "/call" + query("ticket", ticket)
}
