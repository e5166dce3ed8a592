// Package recordings keeps uploaded session audio. Storage is an interface
// so an object store (or encryption at rest) can replace the directory
// implementation without touching callers.
package recordings

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// ErrTooLarge is returned by Put when the stream exceeds the limit.
var ErrTooLarge = errors.New("recording too large")

// ErrEmpty is returned by Put for a stream with no bytes: nothing is stored.
var ErrEmpty = errors.New("recording empty")

// Storage keeps recordings by key.
type Storage interface {
	// Put streams r to key, replacing any previous object only once the new
	// one is complete; it never buffers the whole stream in memory. It
	// returns the size and the hex SHA-256 of what was stored.
	Put(ctx context.Context, key string, r io.Reader, limit int64) (size int64, sha string, err error)
	// Open reads an object.
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	// Delete removes an object; a missing one is not an error.
	Delete(ctx context.Context, key string) error
	// DeleteTree removes every object whose key starts with prefix + "/".
	DeleteTree(ctx context.Context, prefix string) error
}

// Dir stores recordings as files under a directory (0700, files 0600).
type Dir struct{ root string }

// NewDir returns storage under root, creating it.
func NewDir(root string) (*Dir, error) {
	if err := os.MkdirAll(root, 0o700); err != nil {
		return nil, fmt.Errorf("recordings directory: %w", err)
	}
	return &Dir{root: root}, nil
}

func (d *Dir) path(key string) (string, error) {
	if key == "" || strings.Contains(key, "..") || strings.HasPrefix(key, "/") {
		return "", fmt.Errorf("recordings: invalid key %q", key)
	}
	return filepath.Join(d.root, filepath.FromSlash(key)), nil
}

// Put writes to a temporary file in the same directory, syncs it and
// renames it over the key, so a restarted upload never leaves a half file.
func (d *Dir) Put(ctx context.Context, key string, r io.Reader, limit int64) (int64, string, error) {
	path, err := d.path(key)
	if err != nil {
		return 0, "", err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return 0, "", err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".upload-*")
	if err != nil {
		return 0, "", err
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	hash := sha256.New()
	// Read one byte past the limit to tell "exactly at" from "over".
	n, err := io.Copy(io.MultiWriter(tmp, hash), io.LimitReader(ctxReader{ctx, r}, limit+1))
	switch {
	case err != nil:
	case n > limit:
		err = ErrTooLarge
	case n == 0:
		err = ErrEmpty
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, "", err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return 0, "", err
	}
	return n, hex.EncodeToString(hash.Sum(nil)), nil
}

// Open opens a stored recording.
func (d *Dir) Open(_ context.Context, key string) (io.ReadCloser, error) {
	path, err := d.path(key)
	if err != nil {
		return nil, err
	}
	return os.Open(path)
}

// Delete removes a stored recording, and the directories that leaves
// empty: a deleted session's id does not live on as a directory name.
func (d *Dir) Delete(_ context.Context, key string) error {
	path, err := d.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	root := filepath.Clean(d.root)
	for dir := filepath.Dir(path); dir != root && strings.HasPrefix(dir, root+string(filepath.Separator)); dir = filepath.Dir(dir) {
		if os.Remove(dir) != nil { // not empty, or already gone
			break
		}
	}
	return nil
}

// DeleteTree removes the folder prefix and everything in it.
func (d *Dir) DeleteTree(ctx context.Context, prefix string) error {
	path, err := d.path(prefix)
	if err != nil {
		return err
	}
	if err := os.RemoveAll(path); err != nil {
		return err
	}
	return d.Delete(ctx, prefix) // and the folders that leaves empty
}

// ctxReader stops a copy when the request is cancelled.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
