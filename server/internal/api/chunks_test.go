package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/sidenote/sidenote/server/internal/store/storetest"
	"github.com/sidenote/sidenote/shared/api"
)

// putChunk sends chunk index of a session's recording and checks the
// status and the X-Next-Chunk header.
func (ts *testServer) putChunk(token, sessionID string, index int, contentType string, data []byte, want, wantNext int) response {
	ts.t.Helper()
	res := ts.raw(token, http.MethodPut, "/api/v1/sessions/"+sessionID+"/recording/chunks/"+strconv.Itoa(index), rawBody{contentType: contentType, data: string(data)})
	if res.Status != want {
		ts.t.Fatalf("chunk %d: status %d, want %d; %s", index, res.Status, want, res.Body)
	}
	if wantNext >= 0 && res.Header.Get(api.NextChunkHeader) != strconv.Itoa(wantNext) {
		ts.t.Fatalf("chunk %d: X-Next-Chunk %q, want %d", index, res.Header.Get(api.NextChunkHeader), wantNext)
	}
	return res
}

// audio downloads the session's recording.
func (ts *testServer) audio(token, sessionID string) ([]byte, string) {
	ts.t.Helper()
	res := ts.raw(token, http.MethodGet, "/api/v1/sessions/"+sessionID+"/recording/audio", nil)
	if res.Status != http.StatusOK {
		ts.t.Fatalf("audio: %d %s", res.Status, res.Body)
	}
	if res.Header.Get("Content-Length") != strconv.Itoa(len(res.Body)) {
		ts.t.Fatalf("audio: Content-Length %s for %d bytes", res.Header.Get("Content-Length"), len(res.Body))
	}
	return res.Body, res.Header.Get("Content-Type")
}

func sha(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func TestChunkedRecordingUpload(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, databaseURL string) {
		ts := newTestServer(t, databaseURL, map[string]string{"SIDENOTE_MAX_RECORDING_BYTES": "4096", "SIDENOTE_EXTENSION_IDS": "nkfakkladpjdkjfmfegfanikgkbddhco"})
		a, b := ts.login("a@example.com"), ts.login("b@example.com")
		sess := ts.createAnonymousSession(a, api.SessionTelehealth, api.AnonymousIndividual)
		first, second, third := bytes.Repeat([]byte("fictional audio one "), 20), bytes.Repeat([]byte("two "), 50), []byte("three")

		// A chunk after a gap: refused, and the next expected is named.
		ts.putChunk(a, sess.ID, 1, "audio/webm", second, http.StatusConflict, 0)
		ts.do(a, http.MethodGet, "/api/v1/sessions/"+sess.ID+"/recording", nil, http.StatusNotFound, nil)
		ts.putChunk(a, sess.ID, 0, "audio/webm;codecs=opus", first, http.StatusCreated, 1)
		var rec api.Recording
		ts.do(a, http.MethodGet, "/api/v1/sessions/"+sess.ID+"/recording", nil, http.StatusOK, &rec)
		if rec.Chunks != 1 || rec.Complete || rec.SizeBytes != int64(len(first)) || rec.TranscriptionStatus != "uploading" || rec.ContentType != "audio/webm" {
			t.Fatalf("after chunk 0: %+v", rec)
		}
		// The same chunk again (a retry after a lost answer): 200; other
		// bytes at a stored index: 409.
		ts.putChunk(a, sess.ID, 0, "audio/webm", first, http.StatusOK, 1)
		ts.putChunk(a, sess.ID, 0, "audio/webm", second, http.StatusConflict, 1)
		ts.putChunk(a, sess.ID, 2, "audio/webm", third, http.StatusConflict, 1)
		ts.putChunk(a, sess.ID, 1, "audio/ogg", second, http.StatusUnsupportedMediaType, 1)
		ts.putChunk(a, sess.ID, 1, "text/plain", second, http.StatusUnsupportedMediaType, -1)
		ts.putChunk(a, sess.ID, 1, "audio/webm", nil, http.StatusUnprocessableEntity, 1)
		ts.putChunk(b, sess.ID, 1, "audio/webm", second, http.StatusNotFound, -1)
		for _, bad := range []string{"-1", "x", "1e3", "99999999999"} {
			if res := ts.raw(a, http.MethodPut, "/api/v1/sessions/"+sess.ID+"/recording/chunks/"+bad, rawBody{"audio/webm", "x"}); res.Status != http.StatusUnprocessableEntity {
				t.Fatalf("chunk %q: %d", bad, res.Status)
			}
		}
		// Resume after the gap, from the extension (tab capture): it may
		// read X-Next-Chunk across origins.
		res := ts.raw(a, http.MethodPut, "/api/v1/sessions/"+sess.ID+"/recording/chunks/1", rawBody{"audio/webm", string(second)},
			"Origin", "chrome-extension://nkfakkladpjdkjfmfegfanikgkbddhco")
		if res.Status != http.StatusCreated || res.Header.Get(api.NextChunkHeader) != "2" ||
			!strings.Contains(res.Header.Get("Access-Control-Expose-Headers"), api.NextChunkHeader) {
			t.Fatalf("chunk 1 from the extension: %d, headers %v", res.Status, res.Header)
		}

		// What arrived plays now: the chunks concatenated.
		got, ctype := ts.audio(a, sess.ID)
		if !bytes.Equal(got, append(append([]byte{}, first...), second...)) || ctype != "audio/webm" {
			t.Fatalf("audio before completion: %q (%s)", got, ctype)
		}
		if res := ts.raw(b, http.MethodGet, "/api/v1/sessions/"+sess.ID+"/recording/audio", nil); res.Status != http.StatusNotFound {
			t.Fatalf("B reading A's audio: %d", res.Status)
		}
		if n := countRowsWhere(t, ts.store, "audit_events", "action = ? AND resource_id = ?", "recording.read", sess.ID); n != 1 {
			t.Fatalf("%d recording.read audit events, want 1 (A's read only)", n)
		}
		// Past the total limit: 413, nothing changes.
		ts.putChunk(a, sess.ID, 2, "audio/webm", bytes.Repeat([]byte("x"), 4096-len(first)-len(second)+1), http.StatusRequestEntityTooLarge, 2)

		ts.putChunk(a, sess.ID, 2, "audio/webm", third, http.StatusCreated, 3)
		whole := append(append(append([]byte{}, first...), second...), third...)
		ts.do(a, http.MethodPost, "/api/v1/sessions/"+sess.ID+"/recording/complete", nil, http.StatusOK, &rec)
		if !rec.Complete || rec.Chunks != 3 || rec.SizeBytes != int64(len(whole)) || rec.SHA256 != sha(whole) || rec.TranscriptionStatus != "not_configured" {
			t.Fatalf("completed: %+v", rec)
		}
		var s api.Session
		ts.do(a, http.MethodGet, "/api/v1/sessions/"+sess.ID, nil, http.StatusOK, &s)
		if s.Status != api.SessionAwaitingTranscript {
			t.Fatalf("session after completion: %s", s.Status)
		}
		if got, _ := ts.audio(a, sess.ID); !bytes.Equal(got, whole) {
			t.Fatalf("audio after completion: %q", got)
		}
		// Finishing again changes nothing; no chunk is taken any more, and
		// the chunk files are gone (one sealed file remains).
		ts.do(a, http.MethodPost, "/api/v1/sessions/"+sess.ID+"/recording/complete", nil, http.StatusOK, nil)
		ts.putChunk(a, sess.ID, 3, "audio/webm", third, http.StatusConflict, -1)
		if files := pathsUnder(t, filepath.Join(ts.cfg.DataDir, "recordings", "sessions", sess.ID)); len(files) != 1 {
			t.Fatalf("files after completion: %v", files)
		}
		onDisk, err := os.ReadFile(filepath.Join(ts.cfg.DataDir, "recordings", ts.recordingKey(sess.ID)))
		if err != nil || bytes.Contains(onDisk, []byte("fictional audio")) {
			t.Fatalf("the assembled recording is not sealed (%v)", err)
		}

		// Ending a session finishes its chunked recording; nothing to finish
		// is a 404.
		other := ts.createAnonymousSession(a, api.SessionTelehealth, api.AnonymousCouple)
		ts.do(a, http.MethodPost, "/api/v1/sessions/"+other.ID+"/recording/complete", nil, http.StatusNotFound, nil)
		ts.putChunk(a, other.ID, 0, "audio/ogg", first, http.StatusCreated, 1)
		ts.do(a, http.MethodPost, "/api/v1/sessions/"+other.ID+"/end", map[string]any{}, http.StatusOK, nil)
		ts.do(a, http.MethodGet, "/api/v1/sessions/"+other.ID+"/recording", nil, http.StatusOK, &rec)
		if !rec.Complete || rec.SHA256 != sha(first) {
			t.Fatalf("after the session ended: %+v", rec)
		}
		// A whole upload replaces a chunked one.
		third2 := ts.createAnonymousSession(a, api.SessionTelehealth, api.AnonymousIndividual)
		ts.putChunk(a, third2.ID, 0, "audio/webm", first, http.StatusCreated, 1)
		ts.upload(a, third2.ID, "audio/ogg", second, http.StatusCreated)
		if got, _ := ts.audio(a, third2.ID); !bytes.Equal(got, second) {
			t.Fatal("a whole upload did not replace the chunks")
		}
		if files := pathsUnder(t, filepath.Join(ts.cfg.DataDir, "recordings", "sessions", third2.ID)); len(files) != 1 {
			t.Fatalf("files after replacing chunks: %v", files)
		}
	})
}

// TestChunkedWebMPlays splits a real WebM/Opus file (made by ffmpeg) at
// arbitrary bytes, uploads the pieces as chunks and decodes what the
// server streams back, before and after completion.
func TestChunkedWebMPlays(t *testing.T) {
	ffmpeg, err := exec.LookPath("ffmpeg")
	if err != nil {
		if os.Getenv("REQUIRE_BROWSER") == "1" {
			t.Fatal("ffmpeg is required (REQUIRE_BROWSER=1; .ci/run installs it)")
		}
		t.Skip("ffmpeg is not on PATH")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "tone.webm")
	out, err := exec.Command(ffmpeg, "-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=3", "-c:a", "libopus", src).CombinedOutput()
	if err != nil {
		t.Fatalf("ffmpeg: %v %s", err, out)
	}
	webm, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	storetest.EachDialect(t, func(t *testing.T, databaseURL string) {
		ts := newTestServer(t, databaseURL)
		a := ts.login("a@example.com")
		sess := ts.createAnonymousSession(a, api.SessionTelehealth, api.AnonymousIndividual)
		cuts := []int{0, 777, len(webm) / 2, len(webm) - 100, len(webm)}
		for i := 0; i+1 < len(cuts); i++ {
			ts.putChunk(a, sess.ID, i, "audio/webm", webm[cuts[i]:cuts[i+1]], http.StatusCreated, i+1)
		}
		decode := func(when string) {
			got, _ := ts.audio(a, sess.ID)
			path := filepath.Join(t.TempDir(), "got.webm")
			if err := os.WriteFile(path, got, 0o600); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(ffmpeg, "-v", "error", "-i", path, "-f", "null", "-").CombinedOutput()
			if err != nil || len(bytes.TrimSpace(out)) != 0 {
				t.Fatalf("%s: the streamed recording does not decode: %v %s", when, err, out)
			}
		}
		decode("before completion")
		ts.do(a, http.MethodPost, "/api/v1/sessions/"+sess.ID+"/recording/complete", nil, http.StatusOK, nil)
		decode("after completion")
	})
}
