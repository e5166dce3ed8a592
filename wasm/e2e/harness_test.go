//go:build !js

// Package e2e drives the sidebar in headless Chromium against the real
// server binary on a fresh PostgreSQL database.
package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/jackc/pgx/v5"

	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/shared/note"
)

// repoRoot is the module root, two levels above this package.
func repoRoot(t testing.TB) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

func requireBrowser(t testing.TB) string {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("REQUIRE_BROWSER") == "1" {
			t.Fatal("REQUIRE_BROWSER=1 but chromium is not on PATH")
		}
		t.Skip("chromium not on PATH")
	}
	return path
}

const adminURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// freshDatabase creates an empty PostgreSQL database for one test and drops
// it afterwards.
func freshDatabase(t testing.TB) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	admin := os.Getenv("TEST_DATABASE_URL")
	if admin == "" {
		admin = adminURL
	}
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		if os.Getenv("REQUIRE_POSTGRES") == "1" {
			t.Fatalf("REQUIRE_POSTGRES=1 but PostgreSQL is unreachable: %v", err)
		}
		t.Skipf("PostgreSQL unreachable: %v", err)
	}
	defer conn.Close(context.Background())
	name := "sidenote_wasm_e2e_" + randomHex(6)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, admin)
		if err != nil {
			return
		}
		defer c.Close(ctx)
		_, _ = c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	cfg, _ := pgx.ParseConfig(admin)
	return fmt.Sprintf("postgres://%s@%s:%d/%s?sslmode=disable", cfg.User, cfg.Host, cfg.Port, name)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

var (
	buildOnce sync.Once
	buildDir  string
	buildErr  error
)

// build compiles the server and the sidebar once per test binary: the server
// binary, and a web directory holding wasm/web's sources, and sidebar.wasm
// and wasm_exec.js from `make wasm`, so the tests load the binary as
// shipped, built with the Makefile's flags.
func build(t testing.TB) (server, web string) {
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
		for _, f := range []string{"index.html", "app.css", "boot.js", "mic.html", "mic.js"} {
			if buildErr = copyFile(filepath.Join(root, "wasm", "web", f), filepath.Join(web, f)); buildErr != nil {
				return
			}
		}
		if buildErr = goBuild(root, nil, filepath.Join(buildDir, "sidenote"), "./server/cmd/sidenote"); buildErr != nil {
			return
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
	return filepath.Join(buildDir, "sidenote"), filepath.Join(buildDir, "web")
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

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// server is the real Sidenote binary running for one test.
type server struct {
	URL  string
	t    testing.TB
	bin  string
	env  []string
	cmd  *exec.Cmd
	logs bytes.Buffer
}

// startServer runs the server on a fresh database with dev login on.
func startServer(t testing.TB, extraEnv ...string) *server {
	t.Helper()
	bin, web := build(t)
	db := freshDatabase(t)
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	s := &server{URL: "http://" + addr, t: t, bin: bin}
	s.env = append(os.Environ(),
		"SIDENOTE_ADDR="+addr,
		"SIDENOTE_DATABASE_URL="+db,
		"SIDENOTE_DEV_LOGIN=1",
		"SIDENOTE_WEB_DIR="+web,
		"SIDENOTE_DATA_DIR="+t.TempDir(),
	)
	s.env = append(s.env, extraEnv...)
	t.Cleanup(func() {
		s.stop()
		if t.Failed() {
			t.Logf("server log:\n%s", s.logs.String())
		}
	})
	s.start()
	return s
}

// start starts the server process and waits until it is ready.
func (s *server) start() {
	s.t.Helper()
	s.cmd = exec.Command(s.bin)
	s.cmd.Env = s.env
	s.cmd.Stdout, s.cmd.Stderr = &s.logs, &s.logs
	if err := s.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(s.URL + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("server did not become ready: %v\n%s", err, s.logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// stop stops the server process (SIGTERM, then kill after 10 s).
func (s *server) stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-done
	}
	s.cmd = nil
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
	var tok struct {
		Token string `json:"token"`
	}
	s.call(t, "", "POST", "/api/v1/dev/login", map[string]string{"email": email, "name": "Dr E2E"}, &tok)
	return tok.Token
}

// browserFlags are the flags that work headless as root here (NOTES.md).
func browserFlags(chromium string, extra ...chromedp.ExecAllocatorOption) []chromedp.ExecAllocatorOption {
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("headless", "new"),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(400, 800),
	}
	return append(opts, extra...)
}

// newBrowser starts Chromium with a fresh profile.
func newBrowser(t testing.TB, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	chromium := requireBrowser(t)
	opts := append(browserFlags(chromium, extra...), chromedp.UserDataDir(t.TempDir()))
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatal(err)
	}
	return ctx
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
