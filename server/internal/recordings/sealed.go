package recordings

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"io"

	"github.com/sidenote/sidenote/server/internal/seal"
)

// Sealed keeps recordings encrypted at rest in another Storage: Put seals
// the stream on its way in, Open unseals it on its way out, and nothing in
// between (the directory, an object store, a backup of either) holds audio
// anyone can play.
type Sealed struct {
	inner Storage
	keys  *seal.Keyring
}

// NewSealed seals recordings kept in inner with keys.
func NewSealed(inner Storage, keys *seal.Keyring) *Sealed { return &Sealed{inner: inner, keys: keys} }

// Put seals r into key. Size and SHA-256 are those of the recording itself,
// not of its ciphertext.
func (s *Sealed) Put(ctx context.Context, key string, r io.Reader, limit int64) (int64, string, error) {
	plain := &measuringReader{r: r, limit: limit, hash: sha256.New()}
	sealed, err := s.keys.EncryptReader(plain)
	if err != nil {
		return 0, "", err
	}
	if _, _, err := s.inner.Put(ctx, key, sealed, limit+seal.StreamOverhead(limit)); err != nil {
		return 0, "", err
	}
	return plain.n, hex.EncodeToString(plain.hash.Sum(nil)), nil
}

// measuringReader counts and hashes what passes through it and fails with
// ErrTooLarge past limit, or ErrEmpty at the end of an empty stream, so the
// inner Put aborts before storing anything.
type measuringReader struct {
	r     io.Reader
	limit int64
	n     int64
	hash  hash.Hash
}

func (m *measuringReader) Read(p []byte) (int, error) {
	n, err := m.r.Read(p)
	m.n += int64(n)
	m.hash.Write(p[:n])
	switch {
	case m.n > m.limit:
		return n, ErrTooLarge
	case err == io.EOF && m.n == 0:
		return n, ErrEmpty
	}
	return n, err
}

// Open returns the recording's plaintext. Reading ends in an error if the
// stored object was altered or cut short.
func (s *Sealed) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	rc, err := s.inner.Open(ctx, key)
	if err != nil {
		return nil, err
	}
	br := bufio.NewReader(rc)
	if !isSealedStream(br) {
		// Stored before encryption at rest: `sidenote rotate-key` seals it.
		return readCloser{br, rc}, nil
	}
	plain, err := s.keys.DecryptReader(br)
	if err != nil {
		rc.Close()
		return nil, err
	}
	return readCloser{plain, rc}, nil
}

func isSealedStream(br *bufio.Reader) bool {
	head, _ := br.Peek(seal.StreamHeaderMin)
	return seal.HasStreamHeader(head)
}

type readCloser struct {
	io.Reader
	io.Closer
}

// maxResealBytes bounds a recording being re-sealed: far above any upload
// limit, far below where sizes overflow.
const maxResealBytes = 1 << 40

// Delete removes a recording.
func (s *Sealed) Delete(ctx context.Context, key string) error { return s.inner.Delete(ctx, key) }

// DeleteTree removes every recording under prefix.
func (s *Sealed) DeleteTree(ctx context.Context, prefix string) error {
	return s.inner.DeleteTree(ctx, prefix)
}

// Reseal re-encrypts the recording at key with the active key unless it is
// already sealed with it, and seals one stored before encryption. It
// returns whether it rewrote the object.
func (s *Sealed) Reseal(ctx context.Context, key string) (bool, error) {
	raw, err := s.inner.Open(ctx, key)
	if err != nil {
		return false, err
	}
	id, err := seal.StreamKeyID(raw)
	raw.Close()
	if err == nil && id == s.keys.ActiveID() {
		return false, nil
	}
	if err != nil && !errors.Is(err, seal.ErrCorrupt) {
		return false, err
	}
	plain, err := s.Open(ctx, key)
	if err != nil {
		return false, err
	}
	defer plain.Close()
	// Put writes a new object and renames it over the old one only once it
	// is complete, so the old one stays readable until then.
	if _, _, err := s.Put(ctx, key, plain, maxResealBytes); err != nil {
		return false, err
	}
	return true, nil
}

// ActiveKeyID is the id of the key new recordings are sealed with.
func (s *Sealed) ActiveKeyID() string { return s.keys.ActiveID() }
