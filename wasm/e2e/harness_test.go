//go:build !js

// Package e2e drives the sidebar in headless Chromium against the real
// server binary on a fresh PostgreSQL database. Starting Chromium and the
// server is shared with extension/e2e (internal/browsertest,
// internal/sidenotetest); what is here builds the sidebar and talks to the
// API.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sidenote/sidenote/internal/browsertest"
	"github.com/sidenote/sidenote/internal/sidenotetest"
	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/shared/note"
)

// repoRoot is the module root, two levels above this package.
func repoRoot(t testing.TB) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// TestMain removes the server binary and the sidebar build the tests made.
func TestMain(m *testing.M) {
	code := m.Run()
	sidenotetest.RemoveBinary()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

var (
	buildOnce sync.Once
	buildDir  string
	buildErr  error
)

// build assembles the sidebar once per test binary: a web directory holding
// wasm/web's sources, and sidebar.wasm and wasm_exec.js from `make wasm`, so
// the tests load the sidebar as shipped, built with the Makefile's flags.
// It returns the directory.
func build(t testing.TB) (web string) {
	t.Helper()
	buildOnce.Do(func() {
		root := repoRoot(t)
		buildDir, buildErr = os.MkdirTemp("", "sidenote-wasm-e2e-")
		if buildErr != nil {
			return
		}
		web := filepath.Join(buildDir, "web")
		if buildErr = os.MkdirAll(web, 0o755); buildErr != nil {
			return
		}
		for _, f := range []string{"index.html", "app.css", "boot.js", "media.js", "mic.html", "mic.js"} {
			if buildErr = copyFile(filepath.Join(root, "wasm", "web", f), filepath.Join(web, f)); buildErr != nil {
				return
			}
		}
		mk := exec.Command("make", "-s", "wasm", "WEB_DIR="+web)
		mk.Dir = root
		if b, err := mk.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("make wasm: %v\n%s", err, b)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return filepath.Join(buildDir, "web")
}

func goBuild(root string, env []string, out string, args ...string) error {
	cmd := exec.Command("go", append([]string{"build", "-o", out}, args...)...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), env...)
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %v: %v\n%s", args, err, b)
	}
	return nil
}

func copyFile(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, b, 0o644)
}

// server is the real Sidenote binary running for one test (see
// sidenotetest.Launch: it is stopped, and its log printed on failure, when
// the test ends).
type server struct {
	*sidenotetest.Process
	t testing.TB
}

// startServer runs the server on a fresh database with dev login on and
// this build's sidebar at /app/; extraEnv holds more NAME=value variables.
// It skips without PostgreSQL, unless REQUIRE_POSTGRES=1.
func startServer(t testing.TB, extraEnv ...string) *server {
	t.Helper()
	env := map[string]string{
		"SIDENOTE_WEB_DIR":      build(t),
		"SIDENOTE_DATABASE_URL": sidenotetest.PostgresURL(t, "sidenote_wasm_e2e_"),
	}
	for _, kv := range extraEnv {
		name, value, _ := strings.Cut(kv, "=")
		env[name] = value
	}
	return &server{Process: sidenotetest.Start(t, env), t: t}
}

// stop stops the server process, keeping its address, database and data
// for start.
func (s *server) stop() { s.Stop() }

// start starts the stopped server again and waits until it is ready.
func (s *server) start() {
	s.t.Helper()
	s.Restart(s.t)
}

// call makes an API request with a bearer token and decodes the answer.
func (s *server) call(t testing.TB, token, method, path string, in, out any) int {
	t.Helper()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, raw)
		}
	}
	if resp.StatusCode >= 300 && out != nil {
		t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, raw)
	}
	return resp.StatusCode
}

// devToken signs in through dev login and returns the token.
func (s *server) devToken(t testing.TB, email string) string {
	t.Helper()
	token, err := s.DevToken(email, "Dr E2E")
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// newBrowser starts Chromium with a fresh profile and a 400×800 window (the
// side panel's size), closed when the test ends.
func newBrowser(t testing.TB, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	return browsertest.New(t, append([]chromedp.ExecAllocatorOption{chromedp.WindowSize(400, 800)}, extra...)...)
}

// artifactsDir is where screenshots go (gitignored).
func artifactsDir(t testing.TB) string {
	dir := filepath.Join(repoRoot(t), "artifacts")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// readyNote starts an anonymous session with consent and a summary, asks
// for a note of the template and waits until it is no longer generating.
func (s *server) readyNote(t testing.TB, token string, kind api.Anonymous, method api.ConsentMethod, template note.TemplateID) api.Note {
	t.Helper()
	var sess api.Session
	s.call(t, token, "POST", "/api/v1/sessions", api.CreateSessionRequest{Type: api.SessionInPerson, Anonymous: &kind,
		Consent: &api.Consent{Obtained: true, Method: method}}, &sess)
	s.call(t, token, "PUT", "/api/v1/sessions/"+sess.ID+"/summary", api.TextRequest{Text: summary}, &api.TextRequest{})
	var n api.Note
	s.call(t, token, "POST", "/api/v1/sessions/"+sess.ID+"/notes", api.GenerateNoteRequest{Template: template}, &n)
	for deadline := time.Now().Add(15 * time.Second); n.Status == api.NoteGenerating; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("note still generating")
		}
		s.call(t, token, "GET", "/api/v1/notes/"+n.ID, nil, &n)
	}
	return n
}
