// Package auth signs clinicians in with the identity they already have:
// Google, Microsoft Entra ID or any OpenID Connect provider, through goth.
// It drives the goth providers directly (BeginAuth, Authorize, FetchUser)
// and keeps the state of a sign-in in a signed, encrypted, ten-minute
// cookie instead of goth's global session store. It also derives the keys
// for that cookie and the CSRF tokens bound to browser sessions.
package auth

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Keys are the server's secrets for sign-in state and CSRF tokens, all
// derived from one master secret.
type Keys struct {
	flowHash  []byte
	flowBlock []byte
	csrf      []byte
}

// keyFile holds the generated master secret when none is configured.
const keyFile = "session.key"

// LoadKeys derives the keys from secret or, when it is empty, from a random
// secret kept in dataDir (created on first start, readable only by the
// server's user), so that sign-ins survive a restart.
func LoadKeys(secret, dataDir string) (*Keys, error) {
	master := []byte(secret)
	if secret == "" {
		var err error
		if master, err = loadOrCreateSecret(filepath.Join(dataDir, keyFile)); err != nil {
			return nil, err
		}
	}
	return DeriveKeys(master)
}

// DeriveKeys derives independent keys from a master secret.
func DeriveKeys(master []byte) (*Keys, error) {
	derive := func(purpose string, n int) []byte {
		k, err := hkdf.Key(sha256.New, master, nil, "sidenote "+purpose, n)
		if err != nil {
			panic(err) // only for lengths over 255*32 bytes
		}
		return k
	}
	if len(master) < 32 {
		return nil, errors.New("session secret: at least 32 bytes are needed")
	}
	return &Keys{flowHash: derive("sign-in state mac", 32), flowBlock: derive("sign-in state encryption", 32), csrf: derive("csrf", 32)}, nil
}

func loadOrCreateSecret(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		secret := strings.TrimSpace(string(b))
		if len(secret) < 32 {
			return nil, fmt.Errorf("session key %s is too short: delete it to make a new one", path)
		}
		return []byte(secret), nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read session key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	var raw [32]byte
	rand.Read(raw[:])
	secret := hex.EncodeToString(raw[:])
	// O_EXCL: if two processes race, the loser reads the winner's key.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return loadOrCreateSecret(path)
	}
	if err != nil {
		return nil, fmt.Errorf("create session key: %w", err)
	}
	if _, err := f.WriteString(secret + "\n"); err != nil {
		f.Close()
		return nil, fmt.Errorf("write session key: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("write session key: %w", err)
	}
	return []byte(secret), nil
}

// CSRFToken is the token a browser session must send in X-CSRF-Token with
// every write. It is bound to the session (an HMAC of its id), so it needs
// no storage and is useless with any other session.
func (k *Keys) CSRFToken(sessionID string) string {
	m := hmac.New(sha256.New, k.csrf)
	m.Write([]byte(sessionID))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// ValidCSRFToken reports whether token is the CSRF token of the session.
func (k *Keys) ValidCSRFToken(sessionID, token string) bool {
	return token != "" && hmac.Equal([]byte(token), []byte(k.CSRFToken(sessionID)))
}

// randomString returns n random bytes, base64url-encoded.
func randomString(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
