// Package seal encrypts clinical text and recordings at rest with
// AES-256-GCM. Keys live in a key file, one per line; the first key seals,
// every key opens. Each ciphertext names the key that sealed it, so a new key
// can be added at the top of the file and `sidenote rotate-key` can
// re-encrypt old data online, in batches, without downtime.
package seal

import (
	"bufio"
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// KeySize is the length of an AES-256 key.
const KeySize = 32

// prefix marks a sealed text value: "sn1:<key id>:<base64(nonce|ciphertext)>".
const prefix = "sn1:"

// ErrUnknownKey means a ciphertext names a key the key file does not hold.
var ErrUnknownKey = errors.New("seal: ciphertext sealed with a key that is not in the key file")

// ErrCorrupt means a ciphertext failed authentication: it was altered, or
// it was sealed for another column.
var ErrCorrupt = errors.New("seal: ciphertext is corrupt or belongs elsewhere")

type key struct {
	id     string
	secret []byte
	aead   cipher.AEAD
}

func newKey(secret []byte) (*key, error) {
	if len(secret) != KeySize {
		return nil, fmt.Errorf("seal: key is %d bytes, want %d", len(secret), KeySize)
	}
	block, err := aes.NewCipher(secret)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &key{id: keyID(secret), secret: secret, aead: aead}, nil
}

// keyID names a key by a short hash of it: stable, so every replica that
// reads the same file agrees, and too short to help anyone guess the key.
func keyID(secret []byte) string {
	sum := sha256.Sum256(append([]byte("sidenote key id\x00"), secret...))
	return hex.EncodeToString(sum[:4])
}

// Keyring holds the keys of one key file. It is safe for concurrent use.
type Keyring struct {
	path string // "" for an in-memory keyring

	mu     sync.RWMutex
	active *key
	byID   map[string]*key
}

// NewRandom returns an in-memory keyring with one fresh key (for tests).
func NewRandom() *Keyring {
	k, err := newKey(randomSecret())
	if err != nil {
		panic(err)
	}
	return &Keyring{active: k, byID: map[string]*key{k.id: k}}
}

func randomSecret() []byte {
	b := make([]byte, KeySize)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return b
}

// Load reads the key file at path.
func Load(path string) (*Keyring, error) {
	kr := &Keyring{path: path}
	if err := kr.reload(); err != nil {
		return nil, err
	}
	return kr, nil
}

// LoadOrCreate reads the key file at path, first creating it with one new
// key (mode 0600, directory 0700) when it does not exist.
func LoadOrCreate(path string) (kr *Keyring, created bool, err error) {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		if _, err := AddKey(path); err != nil {
			return nil, false, err
		}
		created = true
	}
	kr, err = Load(path)
	return kr, created, err
}

// AddKey generates a new key and puts it at the top of the key file
// (creating the file), so that it seals from the next start on while the
// older keys still open what they sealed. It returns the new key's id.
func AddKey(path string) (string, error) {
	k, err := newKey(randomSecret())
	if err != nil {
		return "", err
	}
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("read key file: %w", err)
	}
	old = dropHeader(old)
	var buf bytes.Buffer
	buf.WriteString(fileHeader)
	fmt.Fprintf(&buf, "%s %s\n", k.id, base64.StdEncoding.EncodeToString(k.secret))
	buf.Write(old)
	if err := writeFileAtomic(path, buf.Bytes()); err != nil {
		return "", err
	}
	return k.id, nil
}

const fileHeader = "# Sidenote encryption keys: \"<id> <base64 AES-256 key>\" per line.\n" +
	"# The first key seals new data; every key opens. Keep this file secret and backed up:\n" +
	"# without it, notes and recordings cannot be read.\n"

func dropHeader(b []byte) []byte { return bytes.TrimPrefix(b, []byte(fileHeader)) }

// writeFileAtomic replaces path with data (0600) so that a reader never sees
// half a key file.
func writeFileAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("key file directory: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".keys-*")
	if err != nil {
		return fmt.Errorf("write key file: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	err = tmp.Chmod(0o600)
	if err == nil {
		_, err = tmp.Write(data)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("write key file: %w", err)
	}
	return nil
}

// reload reads the key file again.
func (kr *Keyring) reload() error {
	keys, err := parseKeyFile(kr.path)
	if err != nil {
		return err
	}
	byID := make(map[string]*key, len(keys))
	for _, k := range keys {
		byID[k.id] = k
	}
	kr.mu.Lock()
	kr.active, kr.byID = keys[0], byID
	kr.mu.Unlock()
	return nil
}

func parseKeyFile(path string) ([]*key, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read key file: %w", err)
	}
	defer f.Close()
	var keys []*key
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id, encoded, ok := strings.Cut(line, " ")
		secret, err := base64.StdEncoding.DecodeString(strings.TrimSpace(encoded))
		if !ok || err != nil {
			return nil, fmt.Errorf("key file line %d: want \"<id> <base64 key>\"", n)
		}
		k, err := newKey(secret)
		if err != nil {
			return nil, fmt.Errorf("key file line %d: %w", n, err)
		}
		if k.id != id {
			return nil, fmt.Errorf("key file line %d: id %q does not match its key (want %s)", n, id, k.id)
		}
		keys = append(keys, k)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read key file: %w", err)
	}
	if len(keys) == 0 {
		return nil, errors.New("key file holds no key")
	}
	return keys, nil
}

// ActiveID is the id of the key that seals.
func (kr *Keyring) ActiveID() string {
	kr.mu.RLock()
	defer kr.mu.RUnlock()
	return kr.active.id
}

// IDs lists the ids of every key held, the active one first.
func (kr *Keyring) IDs() []string {
	kr.mu.RLock()
	defer kr.mu.RUnlock()
	ids := []string{kr.active.id}
	for id := range kr.byID {
		if id != kr.active.id {
			ids = append(ids, id)
		}
	}
	return ids
}

// lookup finds a key by id. A miss re-reads the key file once: another
// process (rotate-key, or a replica's operator) may have added a key that
// already sealed data.
func (kr *Keyring) lookup(id string) (*key, error) {
	kr.mu.RLock()
	k := kr.byID[id]
	kr.mu.RUnlock()
	if k != nil {
		return k, nil
	}
	if kr.path != "" && kr.reload() == nil {
		kr.mu.RLock()
		k = kr.byID[id]
		kr.mu.RUnlock()
		if k != nil {
			return k, nil
		}
	}
	return nil, fmt.Errorf("%w (key %s)", ErrUnknownKey, id)
}

func (kr *Keyring) activeKey() *key {
	kr.mu.RLock()
	defer kr.mu.RUnlock()
	return kr.active
}

// Seal encrypts text with the active key. aad names where the value lives
// (say "notes.sections"), so a ciphertext moved to another column fails to
// open.
func (kr *Keyring) Seal(text, aad string) string {
	k := kr.activeKey()
	nonce := make([]byte, k.aead.NonceSize(), k.aead.NonceSize()+len(text)+k.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		panic(err)
	}
	out := k.aead.Seal(nonce, nonce, []byte(text), []byte(aad))
	return prefix + k.id + ":" + base64.RawStdEncoding.EncodeToString(out)
}

// IsSealed reports whether v looks like a value sealed by Seal.
func IsSealed(v string) bool { return strings.HasPrefix(v, prefix) }

// KeyIDOf returns the id of the key that sealed v.
func KeyIDOf(v string) (string, bool) {
	rest, ok := strings.CutPrefix(v, prefix)
	if !ok {
		return "", false
	}
	id, _, ok := strings.Cut(rest, ":")
	return id, ok
}

// Open decrypts a value sealed by Seal with the same aad.
func (kr *Keyring) Open(v, aad string) (string, error) {
	rest, ok := strings.CutPrefix(v, prefix)
	id, encoded, ok2 := strings.Cut(rest, ":")
	if !ok || !ok2 {
		return "", ErrCorrupt
	}
	k, err := kr.lookup(id)
	if err != nil {
		return "", err
	}
	raw, err := base64.RawStdEncoding.DecodeString(encoded)
	if err != nil || len(raw) < k.aead.NonceSize()+k.aead.Overhead() {
		return "", ErrCorrupt
	}
	nonce, ct := raw[:k.aead.NonceSize()], raw[k.aead.NonceSize():]
	plain, err := k.aead.Open(ct[:0:0], nonce, ct, []byte(aad))
	if err != nil {
		return "", ErrCorrupt
	}
	return string(plain), nil
}

// deriveKey derives a per-object key from k and a random salt (HKDF-SHA256),
// so that no two recordings are encrypted under the same AES key.
func deriveKey(k *key, salt []byte, info string) ([]byte, error) {
	return hkdf.Key(sha256.New, k.secret, salt, info, KeySize)
}
