package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/sidenote/sidenote/server/internal/config"
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

// logBuffer collects log output safely across goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
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
	st := storetest.MustOpen(t, cfg.DatabaseURL)
	logs := &logBuffer{}
	srv := New(cfg, st, slog.New(slog.NewJSONHandler(logs, nil)))
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return &testServer{t: t, cfg: cfg, store: st, srv: srv, http: hs, logs: logs}
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
	switch b := body.(type) {
	case nil:
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
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
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
