package seal

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const fictionalNote = "Client (fictional) reported improved sleep; practised grounding twice daily."

func TestSealOpensOnlyWithItsKeyAndPlace(t *testing.T) {
	kr := NewRandom()
	sealed := kr.Seal(fictionalNote, "notes.sections")
	if strings.Contains(sealed, "sleep") || !IsSealed(sealed) {
		t.Fatalf("sealed value leaks or lacks its prefix: %q", sealed)
	}
	if id, _ := KeyIDOf(sealed); id != kr.ActiveID() {
		t.Fatalf("key id %q, want %q", id, kr.ActiveID())
	}
	got, err := kr.Open(sealed, "notes.sections")
	if err != nil || got != fictionalNote {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if kr.Seal(fictionalNote, "notes.sections") == sealed {
		t.Fatal("two seals of the same text are equal: the nonce is not random")
	}
	if _, err := kr.Open(sealed, "note_addenda.text"); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("opened in another column: %v", err)
	}
	tampered := []byte(sealed)
	tampered[len(tampered)-3] ^= 'A' ^ 'B'
	if _, err := kr.Open(string(tampered), "notes.sections"); err == nil {
		t.Fatal("a tampered ciphertext opened")
	}
	if _, err := NewRandom().Open(sealed, "notes.sections"); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("another keyring: %v, want ErrUnknownKey", err)
	}
	for _, junk := range []string{"", "plain text", "sn1:", "sn1:abcd", "sn1:" + kr.ActiveID() + ":!!", "sn1:" + kr.ActiveID() + ":AAAA"} {
		if _, err := kr.Open(junk, "notes.sections"); err == nil {
			t.Errorf("Open(%q) succeeded", junk)
		}
	}
}

func TestKeyFileCreatedPrivateAndRotated(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", "encryption.key")
	kr, created, err := LoadOrCreate(path)
	if err != nil || !created {
		t.Fatalf("LoadOrCreate = %v, created %v", err, created)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Fatalf("key file mode %o, want 600", perm)
	}
	if dir, _ := os.Stat(filepath.Dir(path)); dir.Mode().Perm() != 0o700 {
		t.Fatalf("key directory mode %o, want 700", dir.Mode().Perm())
	}
	old := kr.Seal(fictionalNote, "x")

	again, created, err := LoadOrCreate(path)
	if err != nil || created || again.ActiveID() != kr.ActiveID() {
		t.Fatalf("second start: created %v, id %s vs %s, %v", created, again.ActiveID(), kr.ActiveID(), err)
	}

	newID, err := AddKey(path)
	if err != nil {
		t.Fatal(err)
	}
	rotated, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if rotated.ActiveID() != newID || len(rotated.IDs()) != 2 {
		t.Fatalf("after AddKey: active %s (want %s), ids %v", rotated.ActiveID(), newID, rotated.IDs())
	}
	if got, err := rotated.Open(old, "x"); err != nil || got != fictionalNote {
		t.Fatalf("old ciphertext after rotation: %q, %v", got, err)
	}
	// A running process that has not restarted still seals with its key,
	// and opens what the new key sealed by re-reading the file.
	fresh := rotated.Seal(fictionalNote, "x")
	if got, err := kr.Open(fresh, "x"); err != nil || got != fictionalNote {
		t.Fatalf("running keyring opening a new key's value: %q, %v", got, err)
	}
}

func TestKeyFileErrorsNameTheProblem(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]string{
		"empty":    "# only comments\n",
		"short":    "abcd AAAA\n",
		"not b64":  "abcd !!!\n",
		"wrong id": "00000000 " + strings.Repeat("A", 43) + "=\n",
	}
	for name, content := range cases {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "-"))
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := Load(path); err == nil {
			t.Errorf("%s: key file accepted", name)
		}
	}
	if _, err := Load(filepath.Join(dir, "missing")); err == nil {
		t.Error("missing key file accepted")
	}
}

func TestStreamRoundTripAndTamper(t *testing.T) {
	kr := NewRandom()
	plain := make([]byte, 200_000) // several 64 KiB packages
	rand.Read(plain)
	sealedReader, err := kr.EncryptReader(bytes.NewReader(plain))
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := io.ReadAll(sealedReader)
	if err != nil {
		t.Fatal(err)
	}
	if over := int64(len(sealed) - len(plain)); over <= 0 || over > StreamOverhead(int64(len(plain))) {
		t.Fatalf("overhead %d outside (0, %d]", over, StreamOverhead(int64(len(plain))))
	}
	if bytes.Contains(sealed, plain[1000:1064]) {
		t.Fatal("plaintext visible in the sealed stream")
	}
	if id, err := StreamKeyID(bytes.NewReader(sealed)); err != nil || id != kr.ActiveID() {
		t.Fatalf("StreamKeyID = %q, %v", id, err)
	}
	open := func(b []byte) ([]byte, error) {
		r, err := kr.DecryptReader(bytes.NewReader(b))
		if err != nil {
			return nil, err
		}
		return io.ReadAll(r)
	}
	got, err := open(sealed)
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("round trip: %d bytes, %v", len(got), err)
	}
	flipped := bytes.Clone(sealed)
	flipped[len(flipped)/2] ^= 1
	if _, err := open(flipped); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("flipped bit: %v, want ErrCorrupt", err)
	}
	if _, err := open(sealed[:len(sealed)-100]); err == nil {
		t.Fatal("a truncated stream decrypted without error")
	}
	if _, err := open([]byte("RIFF....WAVEfmt ")); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("plain audio: %v, want ErrCorrupt", err)
	}
}
