package recordings

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/sidenote/sidenote/server/internal/seal"
)

func TestSealedStoresNoPlaintextAndReadsBack(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	dir, err := NewDir(root)
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(t.TempDir(), "keys")
	keys, _, err := seal.LoadOrCreate(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	s := NewSealed(dir, keys)
	audio := make([]byte, 150_000)
	rand.Read(audio)
	copy(audio, "RIFF-fictional-session-audio")
	size, sha, err := s.Put(ctx, "sessions/a/recording", bytes.NewReader(audio), 1<<20)
	want := sha256.Sum256(audio)
	if err != nil || size != int64(len(audio)) || sha != hex.EncodeToString(want[:]) {
		t.Fatalf("Put = %d, %s, %v", size, sha, err)
	}
	onDisk, err := os.ReadFile(filepath.Join(root, "sessions/a/recording"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(onDisk, []byte("fictional-session")) || bytes.Contains(onDisk, audio[5000:5064]) {
		t.Fatal("the stored file holds plaintext audio")
	}
	if got := readAll(t, s, "sessions/a/recording"); !bytes.Equal(got, audio) {
		t.Fatalf("read back %d bytes, differ", len(got))
	}

	// Over the limit: refused, and nothing is stored under the key.
	if _, _, err := s.Put(ctx, "sessions/b/recording", bytes.NewReader(audio), 1000); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("over limit: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "sessions/b/recording")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a refused upload left a file: %v", err)
	}

	// Rotation: a new key seals from now on; Reseal rewrites the old
	// recording under it, and it still reads back the same.
	oldID := keys.ActiveID()
	if rewrote, err := s.Reseal(ctx, "sessions/a/recording"); err != nil || rewrote {
		t.Fatalf("Reseal under the active key = %v, %v; want no rewrite", rewrote, err)
	}
	newID, err := seal.AddKey(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	rotated, err := seal.Load(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	s = NewSealed(dir, rotated)
	if rewrote, err := s.Reseal(ctx, "sessions/a/recording"); err != nil || !rewrote {
		t.Fatalf("Reseal after rotation = %v, %v", rewrote, err)
	}
	f, err := os.Open(filepath.Join(root, "sessions/a/recording"))
	if err != nil {
		t.Fatal(err)
	}
	id, err := seal.StreamKeyID(f)
	f.Close()
	if err != nil || id != newID || id == oldID {
		t.Fatalf("resealed with %q (%v), want %s", id, err, newID)
	}
	if got := readAll(t, s, "sessions/a/recording"); !bytes.Equal(got, audio) {
		t.Fatal("resealed recording reads back different")
	}

	// A recording stored before encryption reads as it is, and Reseal
	// seals it.
	if _, _, err := dir.Put(ctx, "sessions/c/recording", bytes.NewReader(audio), 1<<20); err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, s, "sessions/c/recording"); !bytes.Equal(got, audio) {
		t.Fatal("legacy recording unreadable")
	}
	if rewrote, err := s.Reseal(ctx, "sessions/c/recording"); err != nil || !rewrote {
		t.Fatalf("Reseal legacy = %v, %v", rewrote, err)
	}
	if raw := readAll(t, dir, "sessions/c/recording"); bytes.Contains(raw, []byte("fictional-session")) {
		t.Fatal("legacy recording still plaintext after Reseal")
	}
	if got := readAll(t, s, "sessions/c/recording"); !bytes.Equal(got, audio) {
		t.Fatal("sealed legacy recording reads back different")
	}
}

func TestSealedOpenFailsOnTamperedFile(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	dir, _ := NewDir(root)
	s := NewSealed(dir, seal.NewRandom())
	audio := bytes.Repeat([]byte("fictional audio "), 10_000)
	if _, _, err := s.Put(ctx, "k", bytes.NewReader(audio), 1<<20); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(root, "k")
	raw, _ := os.ReadFile(path)
	raw[len(raw)/2] ^= 1
	os.WriteFile(path, raw, 0o600)
	rc, err := s.Open(ctx, "k")
	if err == nil {
		_, err = io.ReadAll(rc)
		rc.Close()
	}
	if !errors.Is(err, seal.ErrCorrupt) {
		t.Fatalf("tampered recording: %v, want ErrCorrupt", err)
	}
}

// A source that ends in io.ErrUnexpectedEOF (a request body cut off before
// its Content-Length or its chunked terminator) is an error, never the end
// of a shorter recording; an empty source stores nothing either.
func TestSealedPutRefusesCutOffAndEmptySources(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	dir, err := NewDir(root)
	if err != nil {
		t.Fatal(err)
	}
	s := NewSealed(dir, seal.NewRandom())
	audio := bytes.Repeat([]byte("fictional audio "), 20_000) // several sealed packages
	cutOff := io.MultiReader(bytes.NewReader(audio[:len(audio)/2]), unexpectedEOF{})
	if _, _, err := s.Put(ctx, "cut", cutOff, 1<<22); !errors.Is(err, seal.ErrSourceTruncated) {
		t.Fatalf("cut-off source: %v, want ErrSourceTruncated", err)
	}
	if _, _, err := s.Put(ctx, "empty", bytes.NewReader(nil), 1<<22); !errors.Is(err, ErrEmpty) {
		t.Fatalf("empty source: %v, want ErrEmpty", err)
	}
	if entries, err := os.ReadDir(root); err != nil || len(entries) != 0 {
		t.Fatalf("refused uploads left %v (%v)", entries, err)
	}
}

type unexpectedEOF struct{}

func (unexpectedEOF) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }
