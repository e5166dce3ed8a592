// Package sidenotetest builds the sidenote binary once per test process and
// runs it, for black-box tests that need the real server as a process:
// signals, restarts, several replicas, subcommands, and the browser tests
// of wasm/e2e and extension/e2e. It also makes fresh PostgreSQL databases
// for them (see PostgresURL).
//
// It sits in the module's top-level internal/ rather than under
// server/internal/ so that those browser tests, outside server/, can use
// it: before, each e2e package built and started the server with a copy of
// its own, and the copies drifted (timeouts, signals, which database).
//
// The functions taking a testing.TB tie what they start to the test;
// BuildBinary, Spawn and NewPostgresDatabase return errors instead, for a
// TestMain that shares one server among the tests of a package.
package sidenotetest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var built struct {
	once sync.Once
	path string
	err  error
}

// Binary builds ./server/cmd/sidenote once for the whole test process and
// returns its path. Call RemoveBinary from TestMain when the tests end.
func Binary(t testing.TB) string {
	t.Helper()
	path, err := BuildBinary()
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// BuildBinary is Binary for a TestMain: it returns the build's error.
func BuildBinary() (string, error) {
	built.once.Do(func() {
		dir, err := os.MkdirTemp("", "sidenote-bin-")
		if err != nil {
			built.err = err
			return
		}
		built.path = filepath.Join(dir, "sidenote")
		out, err := exec.Command("go", "build", "-o", built.path, "github.com/sidenote/sidenote/server/cmd/sidenote").CombinedOutput()
		if err != nil {
			built.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	return built.path, built.err
}

// RemoveBinary deletes the binary Binary built, if any.
func RemoveBinary() {
	if built.path != "" {
		os.RemoveAll(filepath.Dir(built.path))
	}
}

// FreeAddr returns a loopback address with a port nothing listens on.
func FreeAddr(t testing.TB) string {
	t.Helper()
	addr, err := freeAddr()
	if err != nil {
		t.Fatal(err)
	}
	return addr
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// Process is one running sidenote server.
type Process struct {
	URL  string            // http://127.0.0.1:port
	Env  map[string]string // the SIDENOTE_* variables it runs with
	Dir  string            // its working and data directory
	cmd  *exec.Cmd
	logs *syncBuffer
	done chan struct{}
	err  error // the process's exit, once done is closed
}

// Launch starts the binary with dev login on a free loopback port, its
// data in a fresh directory, and env on top (env may set SIDENOTE_ADDR or
// SIDENOTE_DATA_DIR). It does not wait for the server to serve. When the
// test ends the process gets SIGTERM, then SIGKILL after 20 s; if the test
// failed, its log is printed.
func Launch(t testing.TB, env map[string]string) *Process {
	t.Helper()
	bin := Binary(t)
	p, err := spawn(bin, t.TempDir(), env)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		p.Stop()
		if t.Failed() {
			t.Logf("server %s log:\n%s", p.URL, p.Tail(60))
		}
	})
	return p
}

// Spawn is Launch for a TestMain: it builds the binary if need be and
// starts it in dir, returning any error. The caller stops the process and
// removes dir.
func Spawn(dir string, env map[string]string) (*Process, error) {
	bin, err := BuildBinary()
	if err != nil {
		return nil, err
	}
	return spawn(bin, dir, env)
}

func spawn(bin, dir string, env map[string]string) (*Process, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	p := &Process{Dir: dir, Env: map[string]string{
		"SIDENOTE_ADDR":      addr,
		"SIDENOTE_DATA_DIR":  dir,
		"SIDENOTE_DEV_LOGIN": "1",
	}, logs: &syncBuffer{}}
	for k, v := range env {
		p.Env[k] = v
	}
	p.URL = "http://" + p.Env["SIDENOTE_ADDR"]
	p.cmd = exec.Command(bin)
	p.cmd.Dir = dir
	p.cmd.Env = os.Environ()
	for k, v := range p.Env {
		p.cmd.Env = append(p.cmd.Env, k+"="+v)
	}
	return p, p.start()
}

// start runs p.cmd (or a copy of it, once it has run) and watches its exit.
func (p *Process) start() error {
	if p.cmd.Process != nil {
		cmd := exec.Command(p.cmd.Path)
		cmd.Dir, cmd.Env = p.cmd.Dir, p.cmd.Env
		p.cmd = cmd
	}
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	if err := p.cmd.Start(); err != nil {
		return err
	}
	p.done = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) { p.err = cmd.Wait(); close(done) }(p.cmd, p.done)
	return nil
}

// Start is Launch, then AwaitReady.
func Start(t testing.TB, env map[string]string) *Process {
	t.Helper()
	p := Launch(t, env)
	p.AwaitReady(t)
	return p
}

// Restart starts the stopped process again with the same address,
// environment and directory, and waits until it serves. Its log goes on
// after the previous run's.
func (p *Process) Restart(t testing.TB) {
	t.Helper()
	if err := p.Stop(); err != nil && !isSignalExit(err) {
		t.Logf("server exited with %v before the restart", err)
	}
	if err := p.start(); err != nil {
		t.Fatal(err)
	}
	p.AwaitReady(t)
}

func isSignalExit(err error) bool {
	var exit *exec.ExitError
	return errors.As(err, &exit) && !exit.Exited()
}

// AwaitReady waits until /readyz answers 200, failing the test if the
// process exits first or takes over a minute.
func (p *Process) AwaitReady(t testing.TB) {
	t.Helper()
	if err := p.WaitReady(60 * time.Second); err != nil {
		t.Fatalf("%v:\n%s", err, p.Logs())
	}
}

// WaitReady waits until /readyz answers 200; it returns an error if the
// process exits first or is not ready within timeout.
func (p *Process) WaitReady(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		res, err := http.Get(p.URL + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-p.done:
			return fmt.Errorf("server exited at start (%v)", p.err)
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("server not ready after %v", timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// DevToken signs in through dev login (SIDENOTE_DEV_LOGIN=1) as a
// clinician with this email and name and returns the API token.
func (p *Process) DevToken(email, name string) (string, error) {
	body, _ := json.Marshal(map[string]string{"email": email, "name": name})
	res, err := http.Post(p.URL+"/api/v1/dev/login", "application/json", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	var tok struct {
		Token string `json:"token"`
	}
	if res.StatusCode != http.StatusOK {
		return "", fmt.Errorf("dev login: %s", res.Status)
	}
	if err := json.NewDecoder(res.Body).Decode(&tok); err != nil || tok.Token == "" {
		return "", fmt.Errorf("dev login: no token (%v)", err)
	}
	return tok.Token, nil
}

// Signal sends sig to the process.
func (p *Process) Signal(sig os.Signal) error { return p.cmd.Process.Signal(sig) }

// Done is closed when the process has exited.
func (p *Process) Done() <-chan struct{} { return p.done }

// Stop sends SIGTERM and waits for the exit (SIGKILL after 20 s); it
// returns how the process exited. Stopping twice is harmless.
func (p *Process) Stop() error {
	select {
	case <-p.done:
		return p.err
	default:
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(20 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
		return fmt.Errorf("server did not stop within 20 s of SIGTERM")
	}
	return p.err
}

// Logs is everything the process has written so far.
func (p *Process) Logs() string { return p.logs.String() }

// Tail is the last lines of Logs.
func (p *Process) Tail(lines int) string { return tail(p.Logs(), lines) }

// Run runs the binary once with args (a subcommand) in p's environment and
// returns its combined output.
func (p *Process) Run(args ...string) (string, error) {
	cmd := exec.Command(p.cmd.Path, args...)
	cmd.Dir, cmd.Env = p.Dir, p.cmd.Env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func tail(s string, lines int) string {
	all := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return strings.Join(all, "\n")
}
