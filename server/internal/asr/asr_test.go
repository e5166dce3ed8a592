package asr

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sidenote/sidenote/server/internal/provider"
)

// generatedAudio is a deterministic stream of n pseudo-random bytes. When
// gate is set, it stops after gateAt bytes until gate is closed, so a test
// can prove the server saw the start of the upload before the client had
// read the rest: a client that buffered the file first would never get past
// the gate.
type generatedAudio struct {
	n, done int64
	state   uint64
	gateAt  int64
	gate    <-chan struct{}
}

func (g *generatedAudio) Read(p []byte) (int, error) {
	if g.done >= g.n {
		return 0, io.EOF
	}
	if g.gate != nil && g.done >= g.gateAt {
		select {
		case <-g.gate:
			g.gate = nil
		case <-time.After(10 * time.Second):
			return 0, errors.New("the server never received the start of the upload: the body is not streamed")
		}
	}
	limit := g.n - g.done
	if g.gate != nil {
		limit = min(limit, g.gateAt-g.done)
	}
	p = p[:min(int64(len(p)), limit)]
	for i := range p {
		g.state = g.state*6364136223846793005 + 1442695040888963407
		p[i] = byte(g.state >> 56)
	}
	g.done += int64(len(p))
	return len(p), nil
}

func sum(r io.Reader) [32]byte {
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		panic(err)
	}
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out
}

type upload struct {
	model, format, filename, contentType string
	size                                 int64
	digest                               [32]byte
}

// fakeWhisper serves /v1/audio/transcriptions like an OpenAI-compatible
// server, reading the multipart body as a stream. onFileBytes, when set, is
// called after the first megabyte of the file part has arrived.
func fakeWhisper(t *testing.T, text string, onFirstMB func()) (*httptest.Server, *upload) {
	t.Helper()
	got := &upload{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v1/audio/transcriptions" {
			t.Errorf("request %s %s", r.Method, r.URL.Path)
		}
		if a := r.Header.Get("Authorization"); a != "Bearer key-1" {
			t.Errorf("Authorization = %q", a)
		}
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "multipart/form-data" {
			t.Errorf("Content-Type = %q", r.Header.Get("Content-Type"))
		}
		mr, err := r.MultipartReader()
		if err != nil {
			t.Errorf("multipart: %v", err)
			http.Error(w, "bad form", http.StatusBadRequest)
			return
		}
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Errorf("next part: %v", err)
				return
			}
			switch p.FormName() {
			case "model":
				b, _ := io.ReadAll(p)
				got.model = string(b)
			case "response_format":
				b, _ := io.ReadAll(p)
				got.format = string(b)
			case "file":
				got.filename, got.contentType = p.FileName(), p.Header.Get("Content-Type")
				h := sha256.New()
				if onFirstMB != nil {
					n, _ := io.CopyN(h, p, 1<<20)
					got.size += n
					onFirstMB()
				}
				n, err := io.Copy(h, p)
				if err != nil {
					t.Errorf("reading file part: %v", err)
				}
				got.size += n
				copy(got.digest[:], h.Sum(nil))
			default:
				t.Errorf("unexpected form field %q", p.FormName())
			}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"text": text})
	}))
	t.Cleanup(srv.Close)
	return srv, got
}

func newClient(t *testing.T, url string, timeout time.Duration) *Client {
	t.Helper()
	c, err := New(Config{URL: url + "/v1", Model: "whisper-1", APIKey: "key-1", Timeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestTranscribe(t *testing.T) {
	srv, got := fakeWhisper(t, " Client: I slept badly this week. \n", nil)
	audio := []byte("RIFF....WAVEfmt fictional audio bytes")
	text, err := newClient(t, srv.URL, 0).Transcribe(context.Background(), "Session with Jane Doe.WAV", "audio/wav", bytes.NewReader(audio))
	if err != nil {
		t.Fatal(err)
	}
	if text != "Client: I slept badly this week." {
		t.Errorf("text = %q", text)
	}
	if got.model != "whisper-1" || got.format != "json" {
		t.Errorf("fields model=%q response_format=%q", got.model, got.format)
	}
	if got.filename != "audio.wav" || got.contentType != "audio/wav" {
		t.Errorf("file part name=%q type=%q, want audio.wav (no client name) and audio/wav", got.filename, got.contentType)
	}
	if got.size != int64(len(audio)) || got.digest != sha256.Sum256(audio) {
		t.Errorf("file part: %d bytes, digest mismatch=%v", got.size, got.digest != sha256.Sum256(audio))
	}
}

// TestTranscribeStreamsLargeUpload sends 50 MB. The audio reader refuses to
// go past its first megabyte until the server has received that megabyte,
// which only a streaming client can satisfy; and the bytes allocated during
// the upload stay far below the file's size.
func TestTranscribeStreamsLargeUpload(t *testing.T) {
	const size = 50 << 20
	gate := make(chan struct{})
	var opened atomic.Bool
	srv, got := fakeWhisper(t, "done", func() {
		if opened.CompareAndSwap(false, true) {
			close(gate)
		}
	})
	c := newClient(t, srv.URL, time.Minute)

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	text, err := c.Transcribe(context.Background(), "long.mp3", "audio/mpeg", &generatedAudio{n: size, state: 1, gateAt: 1 << 20, gate: gate})
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if text != "done" {
		t.Errorf("text = %q", text)
	}
	if got.size != size || got.digest != sum(&generatedAudio{n: size, state: 1}) {
		t.Errorf("server got %d bytes (want %d) or different content", got.size, size)
	}
	// Client and fake server share the process, so this bounds both.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > size/5 {
		t.Errorf("allocated %d bytes while uploading %d: the body is being buffered", alloc, size)
	} else {
		t.Logf("allocated %d KB while uploading %d MB", alloc>>10, size>>20)
	}
}

func TestTranscribeFailures(t *testing.T) {
	status := func(code int) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			w.WriteHeader(code)
			_, _ = io.WriteString(w, `{"error":{"message":"details"}}`)
		}))
		t.Cleanup(srv.Close)
		return srv.URL
	}
	malformed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		_, _ = io.WriteString(w, `{"txt": 1`)
	}))
	t.Cleanup(malformed.Close)
	// The slow server holds each request until the client gives up or the
	// test ends: a handler that never reads the body would not see the
	// client go, and httptest's Close would wait for it forever.
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(slow.Close)
	t.Cleanup(func() { close(release) }) // runs before slow.Close
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()

	tests := []struct {
		name      string
		url       string
		audio     io.Reader
		timeout   time.Duration
		reason    string
		retryable bool
	}{
		{"unauthorized", status(401), strings.NewReader("x"), 0, "The transcription service rejected the API key.", false},
		{"bad audio", status(400), strings.NewReader("x"), 0, "The transcription service could not process this recording; check its format.", false},
		{"too large", status(413), strings.NewReader("x"), 0, "The recording is too large for the transcription service.", false},
		{"rate limited", status(429), strings.NewReader("x"), 0, "The transcription service is busy with too many requests.", true},
		{"server error", status(503), strings.NewReader("x"), 0, "The transcription service had a temporary problem.", true},
		{"malformed reply", malformed.URL, strings.NewReader("x"), 0, "The transcription service sent a reply that could not be read.", true},
		{"timeout", slow.URL, strings.NewReader("x"), 50 * time.Millisecond, "The transcription service did not finish in time.", true},
		{"unreachable", down.URL, strings.NewReader("x"), 0, "The transcription service could not be reached.", true},
		{"unreadable audio", status(200), io.MultiReader(strings.NewReader("abc"), errReader{}), 0, "The recording could not be read.", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := newClient(t, tt.url, tt.timeout).Transcribe(context.Background(), "a.wav", "audio/wav", tt.audio)
			var f *provider.Failure
			if !errors.As(err, &f) {
				t.Fatalf("err = %v, want *provider.Failure", err)
			}
			if f.Reason != tt.reason || f.Retryable != tt.retryable {
				t.Errorf("failure = %q retryable=%v, want %q retryable=%v", f.Reason, f.Retryable, tt.reason, tt.retryable)
			}
		})
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("disk read error") }

func TestNewValidates(t *testing.T) {
	for _, u := range []string{"", "localhost:8080", "ftp://host/v1"} {
		if _, err := New(Config{URL: u}); err == nil {
			t.Errorf("New(%q) accepted", u)
		}
	}
}
