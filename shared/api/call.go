package api

import (
	"errors"
	"time"
)

// ICEServer is a STUN or TURN server for a call's peer connection, in the
// shape of the browser's RTCIceServer.
type ICEServer struct {
	URLs       []string `json:"urls"`
	Username   string   `json:"username,omitempty"`
	Credential string   `json:"credential,omitempty"`
}

// CallTicket answers POST /sessions/:id/call/ticket: a single-use ticket,
// valid until ExpiresAt, that opens the clinician's signalling socket at
// GET /sessions/:id/call?ticket=... (browsers cannot send Authorization on
// a WebSocket).
type CallTicket struct {
	Ticket     string      `json:"ticket"`
	ExpiresAt  time.Time   `json:"expires_at"`
	ICEServers []ICEServer `json:"ice_servers"`
}

// Call roles.
const (
	CallRoleClinician = "clinician"
	CallRoleGuest     = "guest"
)

// Call signalling message types: JSON text frames {"type": ...}.
const (
	// Server to each side on connect.
	CallWelcome = "welcome"
	// Server to the clinician the moment a guest submits the join form.
	CallGuestJoined = "guest_joined"
	// Server to the other side when a side connects or leaves.
	CallPeerJoined = "peer_joined"
	CallPeerLeft   = "peer_left"
	// Server to both when the session ends; the socket closes after it.
	CallEnded = "ended"
	// Relayed verbatim to the other side.
	CallOffer     = "offer"     // {"sdp"}
	CallAnswer    = "answer"    // {"sdp"}
	CallCandidate = "candidate" // {"candidate":{...}}
	CallRecording = "recording" // {"on":bool}, clinician to guest only
	CallBye       = "bye"
)

// CallMessage is a signalling message. Only the fields of its type are set.
type CallMessage struct {
	Type string `json:"type"`

	// welcome
	Role           string      `json:"role,omitempty"` // also peer_joined, peer_left
	ICEServers     []ICEServer `json:"ice_servers,omitempty"`
	PeerPresent    *bool       `json:"peer_present,omitempty"`
	GuestConsented *bool       `json:"guest_consented,omitempty"`
	ClinicianName  string      `json:"clinician_name,omitempty"` // to the guest only
	PracticeName   string      `json:"practice_name,omitempty"`  // to the guest only, if set

	// guest_joined
	Consented *bool      `json:"consented,omitempty"`
	At        *time.Time `json:"at,omitempty"`

	// relayed
	SDP       string  `json:"sdp,omitempty"`
	Candidate RawJSON `json:"candidate,omitempty"`
	On        *bool   `json:"on,omitempty"`
}

// Recording upload in chunks: PUT /sessions/:id/recording/chunks/:index
// answers with the index the server expects next in this header (on 201,
// 200 and 409 alike).
const NextChunkHeader = "X-Next-Chunk"

// RawJSON is a JSON value kept as it came, like encoding/json's RawMessage,
// which this package does not import: the sidebar (WebAssembly) imports
// shared/api, and encoding/json would add about 90 KB to it.
type RawJSON []byte

// MarshalJSON returns the value itself, or null.
func (r RawJSON) MarshalJSON() ([]byte, error) {
	if r == nil {
		return []byte("null"), nil
	}
	return r, nil
}

// UnmarshalJSON keeps a copy of data.
func (r *RawJSON) UnmarshalJSON(data []byte) error {
	if r == nil {
		return errors.New("api.RawJSON: UnmarshalJSON on nil pointer")
	}
	*r = append((*r)[0:0], data...)
	return nil
}
