package auth

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"time"

	"github.com/gorilla/securecookie"
)

// FlowTTL bounds how long a sign-in may take between leaving for the
// identity provider and coming back.
const FlowTTL = 10 * time.Minute

// Purpose says what a finished sign-in is for.
type Purpose string

const (
	// ForBrowser signs the /app page in with a session cookie.
	ForBrowser Purpose = "browser"
	// ForExtension hands an API token to the extension's redirect URI.
	ForExtension Purpose = "extension"
	// ForLink links another identity to the signed-in clinician.
	ForLink Purpose = "link"
)

// Flow is the state of one sign-in between its start and the provider's
// callback. It travels in a cookie, signed and encrypted (the PKCE
// verifier must stay secret), and expires after FlowTTL.
type Flow struct {
	Provider string  `json:"p"`
	State    string  `json:"s"`
	Verifier string  `json:"v,omitempty"`
	Nonce    string  `json:"n,omitempty"`
	Session  string  `json:"g"` // the goth session, as the provider marshals it
	Purpose  Purpose `json:"u"`
	// RedirectURI is the extension's allow-listed chromiumapp.org URI.
	RedirectURI string `json:"r,omitempty"`
	// ClinicianID is who asked to link another identity.
	ClinicianID string `json:"c,omitempty"`
	// Identity is, once the provider has answered a link, the identity
	// waiting for the clinician's confirmation.
	Identity *Identity `json:"i,omitempty"`
}

// StateMatches reports, in constant time, whether the state returned by
// the provider is the one this flow sent.
func (f *Flow) StateMatches(state string) bool {
	return state != "" && subtle.ConstantTimeCompare([]byte(f.State), []byte(state)) == 1
}

// FlowCodec seals and opens Flow cookies.
type FlowCodec struct{ sc *securecookie.SecureCookie }

// NewFlowCodec returns a codec with the keys' sign-in state keys.
func NewFlowCodec(k *Keys) *FlowCodec {
	sc := securecookie.New(k.flowHash, k.flowBlock).MaxAge(int(FlowTTL.Seconds()))
	sc.SetSerializer(securecookie.JSONEncoder{})
	return &FlowCodec{sc: sc}
}

// Seal encodes f for the cookie named name (the name is authenticated too).
func (c *FlowCodec) Seal(name string, f *Flow) (string, error) { return c.sc.Encode(name, f) }

// Open decodes and authenticates a cookie value; a tampered, foreign or
// expired value is an error.
func (c *FlowCodec) Open(name, value string) (*Flow, error) {
	var f Flow
	if err := c.sc.Decode(name, value, &f); err != nil {
		return nil, err
	}
	return &f, nil
}

// pkceChallenge is the S256 code challenge of a verifier (RFC 7636).
func pkceChallenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
