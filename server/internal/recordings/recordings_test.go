package recordings

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"testing"
)

func readAll(t *testing.T, d Storage, key string) []byte {
	t.Helper()
	rc, err := d.Open(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDirPutReplacesOnlyWhenComplete(t *testing.T) {
	ctx := context.Background()
	d, err := NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	const key = "sessions/s1/recording"
	first := bytes.Repeat([]byte("a"), 100)
	size, sum, err := d.Put(ctx, key, bytes.NewReader(first), 100)
	want := sha256.Sum256(first)
	if err != nil || size != 100 || sum != hex.EncodeToString(want[:]) {
		t.Fatalf("put exactly at the limit: %d %s %v", size, sum, err)
	}

	// Over the limit: refused, and the stored recording is untouched.
	if _, _, err := d.Put(ctx, key, bytes.NewReader(bytes.Repeat([]byte("b"), 101)), 100); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("over the limit: %v", err)
	}
	// A stream that breaks midway leaves the previous recording too.
	broken := io.MultiReader(bytes.NewReader([]byte("cc")), errReader{})
	if _, _, err := d.Put(ctx, key, broken, 100); err == nil {
		t.Fatal("a broken stream was stored")
	}
	if got := readAll(t, d, key); !bytes.Equal(got, first) {
		t.Fatalf("a failed upload changed the recording to %q", got)
	}
	entries, _ := os.ReadDir(d.root + "/sessions/s1")
	if len(entries) != 1 {
		t.Fatalf("temporary files left behind: %v", entries)
	}

	// A complete re-upload replaces it.
	second := []byte("second take")
	if _, _, err := d.Put(ctx, key, bytes.NewReader(second), 100); err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, d, key); !bytes.Equal(got, second) {
		t.Fatalf("re-upload stored %q", got)
	}
	if err := d.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	if err := d.Delete(ctx, key); err != nil {
		t.Fatalf("deleting a missing recording: %v", err)
	}
}

func TestDirRefusesKeysOutsideItsRoot(t *testing.T) {
	d, err := NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"", "../escape", "/etc/passwd", "sessions/../../x"} {
		if _, _, err := d.Put(context.Background(), key, bytes.NewReader([]byte("x")), 10); err == nil {
			t.Errorf("key %q accepted", key)
		}
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }
