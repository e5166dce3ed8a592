package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sidenote/sidenote/server/internal/config"
	"github.com/sidenote/sidenote/server/internal/jobs"
	"github.com/sidenote/sidenote/server/internal/recordings"
	"github.com/sidenote/sidenote/server/internal/store"
	"github.com/sidenote/sidenote/server/internal/store/storetest"
	"github.com/sidenote/sidenote/shared/api"
)

// testServer is a real Server on a fresh database behind a loopback HTTP
// server, with the log lines it wrote.
type testServer struct {
	t     testing.TB
	cfg   *config.Config
	store *store.Store
	srv   *Server
	http  *httptest.Server
	logs  *logBuffer
}

// logBuffer collects log output safely across goroutines. A benchmark
// sends it to a file instead (writeTo), as the server logs in production:
// keeping every line of a load test would measure the buffer's growth.
type logBuffer struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	file *os.File
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.file != nil {
		return l.file.Write(p)
	}
	return l.buf.Write(p)
}

// writeTo sends further log lines to f.
func (l *logBuffer) writeTo(f *os.File) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.file = f
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// testConfig is the configuration tests start from; env overrides entries.
func testConfig(t testing.TB, databaseURL string, env map[string]string) *config.Config {
	t.Helper()
	vars := map[string]string{
		"SIDENOTE_DATABASE_URL": databaseURL,
		"SIDENOTE_DEV_LOGIN":    "1",
		"SIDENOTE_DATA_DIR":     t.TempDir(),
		// Tests hammer one token and one IP; ratelimit_test.go sets limits.
		"SIDENOTE_API_RATE_LIMIT":  "0",
		"SIDENOTE_AUTH_RATE_LIMIT": "0",
	}
	for k, v := range env {
		vars[k] = v
	}
	cfg, err := config.LoadFrom(func(k string) (string, bool) { v, ok := vars[k]; return v, ok })
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	return cfg
}

// newTestServer starts a server on a fresh database at databaseURL.
func newTestServer(t testing.TB, databaseURL string, env ...map[string]string) *testServer {
	t.Helper()
	var extra map[string]string
	if len(env) > 0 {
		extra = env[0]
	}
	cfg := testConfig(t, databaseURL, extra)
	st := storetest.MustOpenWith(t, cfg.DatabaseURL, storetest.Keys(cfg.DatabaseURL), store.WithMaxConns(cfg.DatabaseMaxConns))
	logs := &logBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, nil))
	dir, err := recordings.NewDir(filepath.Join(cfg.DataDir, "recordings"))
	if err != nil {
		t.Fatal(err)
	}
	files := recordings.NewSealed(dir, storetest.Keys(cfg.DatabaseURL))
	queue := startQueue(t, cfg, st, files, log)
	srv := New(cfg, st, log, WithJobs(queue), WithRecordings(files))
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return &testServer{t: t, cfg: cfg, store: st, srv: srv, http: hs, logs: logs}
}

// startQueue runs the real job queue for the test's database.
func startQueue(t testing.TB, cfg *config.Config, st *store.Store, files recordings.Storage, log *slog.Logger) *jobs.Queue {
	t.Helper()
	deps, err := jobs.DepsFromConfig(cfg, st, files, log)
	if err != nil {
		t.Fatal(err)
	}
	q, err := jobs.New(context.Background(), cfg.DatabaseURL, deps, jobs.Options{})
	if err != nil {
		t.Fatalf("job queue: %v", err)
	}
	if err := q.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		q.Stop(ctx)
	})
	return q
}

// login signs in through dev login and returns a bearer token.
func (ts *testServer) login(email string) string {
	ts.t.Helper()
	var tok api.TokenResponse
	ts.do("", http.MethodPost, "/api/v1/dev/login", api.DevLoginRequest{Email: email, Name: "Dr " + email}, http.StatusOK, &tok)
	return tok.Token
}

// response is a finished request.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Error decodes the error body.
func (r response) Error() api.Error {
	var e api.ErrorBody
	json.Unmarshal(r.Body, &e)
	return e.Error
}

// raw sends body as is (string or []byte or nil) and returns the response.
func (ts *testServer) raw(token, method, path string, body any, header ...string) response {
	ts.t.Helper()
	var rd io.Reader
	contentType := "application/json"
	switch b := body.(type) {
	case nil:
	case rawBody:
		rd, contentType = strings.NewReader(b.data), b.contentType
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		enc, err := json.Marshal(b)
		if err != nil {
			ts.t.Fatal(err)
		}
		rd = bytes.NewReader(enc)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, ts.http.URL+path, rd)
	if err != nil {
		ts.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		if header[i] == "Host" { // the client sends req.Host, not a Host header
			req.Host = header[i+1]
			continue
		}
		req.Header.Set(header[i], header[i+1])
	}
	res, err := ts.http.Client().Do(req)
	if err != nil {
		ts.t.Fatal(err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		ts.t.Fatal(err)
	}
	return response{Status: res.StatusCode, Header: res.Header, Body: data}
}

// do sends body as JSON, fails the test unless the status is want, and
// decodes the response into out when out is not nil.
func (ts *testServer) do(token, method, path string, body any, want int, out any) response {
	ts.t.Helper()
	res := ts.raw(token, method, path, body)
	if res.Status != want {
		ts.t.Fatalf("%s %s: status %d, want %d; body %s", method, path, res.Status, want, res.Body)
	}
	if out != nil {
		if err := json.Unmarshal(res.Body, out); err != nil {
			ts.t.Fatalf("%s %s: decode %T: %v; body %s", method, path, out, err, res.Body)
		}
	}
	return res
}

func ptr[T any](v T) *T { return &v }

// createAnonymousSession starts an anonymous session with consent.
func (ts *testServer) createAnonymousSession(token string, typ api.SessionType, kind api.Anonymous) api.Session {
	ts.t.Helper()
	var s api.Session
	ts.do(token, http.MethodPost, "/api/v1/sessions", api.CreateSessionRequest{
		Type: typ, Anonymous: &kind, Consent: &api.Consent{Obtained: true, Method: api.ConsentVerbal},
	}, http.StatusCreated, &s)
	return s
}

// createClient adds a client profile.
func (ts *testServer) createClient(token, name string, kind api.ClientKind) api.Client {
	ts.t.Helper()
	var c api.Client
	ts.do(token, http.MethodPost, "/api/v1/clients", api.CreateClientRequest{DisplayName: name, Kind: kind}, http.StatusCreated, &c)
	return c
}

// rawBody is a request body sent as is with its own Content-Type.
type rawBody struct {
	contentType string
	data        string
}

// upload posts a recording and fails the test unless the status is want.
func (ts *testServer) upload(token, sessionID, contentType string, data []byte, want int) response {
	ts.t.Helper()
	res := ts.raw(token, http.MethodPost, "/api/v1/sessions/"+sessionID+"/recording", rawBody{contentType: contentType, data: string(data)})
	if res.Status != want {
		ts.t.Fatalf("upload: status %d, want %d; body %s", res.Status, want, res.Body)
	}
	return res
}

// generateNote asks for a note and waits until it is no longer generating.
func (ts *testServer) generateNote(token, sessionID string, template string) api.Note {
	ts.t.Helper()
	var n api.Note
	ts.do(token, http.MethodPost, "/api/v1/sessions/"+sessionID+"/notes", map[string]string{"template": template}, http.StatusAccepted, &n)
	return ts.waitNote(token, n.ID)
}

// waitNote polls a note until its generation has finished.
func (ts *testServer) waitNote(token, noteID string) api.Note {
	ts.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var n api.Note
		ts.do(token, http.MethodGet, "/api/v1/notes/"+noteID, nil, http.StatusOK, &n)
		if n.Status != api.NoteGenerating {
			return n
		}
		if time.Now().After(deadline) {
			ts.t.Fatalf("note %s still generating after 20s", noteID)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitRecording polls a session's recording until done says so.
func (ts *testServer) waitRecording(token, sessionID, what string, done func(api.Recording) bool) api.Recording {
	ts.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var rec api.Recording // fresh: decoding leaves absent fields as they were
		ts.do(token, http.MethodGet, "/api/v1/sessions/"+sessionID+"/recording", nil, http.StatusOK, &rec)
		if done(rec) {
			return rec
		}
		if time.Now().After(deadline) {
			ts.t.Fatalf("recording of %s: not %s after 30s: %+v", sessionID, what, rec)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitTranscription waits until the recording's transcription has finished.
func (ts *testServer) waitTranscription(token, sessionID string) api.Recording {
	ts.t.Helper()
	return ts.waitRecording(token, sessionID, "transcribed", func(r api.Recording) bool { return r.TranscriptionStatus != "pending" })
}

// waitRecordingDeleted waits until the recording's deletion is recorded.
func (ts *testServer) waitRecordingDeleted(token, sessionID string) api.Recording {
	ts.t.Helper()
	return ts.waitRecording(token, sessionID, "deleted", func(r api.Recording) bool { return r.DeletedAt != nil })
}

// recordingKey is where the session's recording is stored now.
func (ts *testServer) recordingKey(sessionID string) string {
	ts.t.Helper()
	var key string
	if err := ts.store.DB().Raw("SELECT storage_key FROM recordings WHERE session_id = ?", sessionID).Scan(&key).Error; err != nil || key == "" {
		ts.t.Fatalf("storage key of %s's recording: %q, %v", sessionID, key, err)
	}
	return key
}
