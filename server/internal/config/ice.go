package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// ICEServer is one STUN or TURN server that call participants' browsers use
// to find a path to each other (SIDENOTE_ICE_SERVERS), in the shape of the
// browser's RTCIceServer.
type ICEServer struct {
	URLs       []string `json:"urls"`
	Username   string   `json:"username,omitempty"`
	Credential string   `json:"credential,omitempty"`
}

// iceServerJSON accepts "urls" as one string or a list, as browsers do.
type iceServerJSON struct {
	URLs       json.RawMessage `json:"urls"`
	Username   string          `json:"username"`
	Credential string          `json:"credential"`
}

// parseICEServers reads SIDENOTE_ICE_SERVERS: a JSON array of
// {"urls": string or [string], "username"?, "credential"?}. Every URL must
// be a stun:, stuns:, turn: or turns: URL, and a TURN server needs a
// username and a credential.
func parseICEServers(raw string) ([]ICEServer, error) {
	if strings.TrimSpace(raw) == "" {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(raw)))
	dec.DisallowUnknownFields()
	var entries []iceServerJSON
	if err := dec.Decode(&entries); err != nil {
		return nil, errors.New(`not a JSON array of {"urls": ..., "username": ..., "credential": ...}`)
	}
	if dec.More() {
		return nil, errors.New("unexpected text after the JSON array")
	}
	servers := make([]ICEServer, 0, len(entries))
	for i, e := range entries {
		urls, err := iceURLs(e.URLs)
		if err != nil {
			return nil, fmt.Errorf("entry %d: %v", i+1, err)
		}
		s := ICEServer{URLs: urls, Username: e.Username, Credential: e.Credential}
		for _, u := range urls {
			if strings.HasPrefix(u, "turn") && (s.Username == "" || s.Credential == "") {
				return nil, fmt.Errorf("entry %d: a TURN server (%s) needs a username and a credential", i+1, u)
			}
		}
		servers = append(servers, s)
	}
	return servers, nil
}

func iceURLs(raw json.RawMessage) ([]string, error) {
	var urls []string
	var one string
	if err := json.Unmarshal(raw, &one); err == nil {
		urls = []string{one}
	} else if err := json.Unmarshal(raw, &urls); err != nil {
		return nil, errors.New(`"urls" must be a string or a list of strings`)
	}
	if len(urls) == 0 {
		return nil, errors.New(`"urls" is empty`)
	}
	for _, u := range urls {
		parsed, err := url.Parse(u)
		if err != nil || parsed.Opaque == "" {
			return nil, fmt.Errorf("%q is not a stun:, stuns:, turn: or turns: URL such as turn:turn.example.org:3478", u)
		}
		switch parsed.Scheme {
		case "stun", "stuns", "turn", "turns":
		default:
			return nil, fmt.Errorf("%q is not a stun:, stuns:, turn: or turns: URL such as turn:turn.example.org:3478", u)
		}
	}
	return urls, nil
}

// iceServers reads name as ICE servers; a bad value fails the load.
func (r *reader) iceServers(name string) []ICEServer {
	v, _ := r.lookup(name)
	servers, err := parseICEServers(v)
	if err != nil {
		r.fail(name, "%v", err)
	}
	return servers
}
