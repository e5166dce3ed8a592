// Package sidenotetest builds the sidenote binary once per test process and
// runs it, for black-box tests that need the real server as a process:
// signals, restarts, several replicas, subcommands.
package sidenotetest

import (
	"bytes"
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
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.path
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
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
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
	dir := t.TempDir()
	p := &Process{Dir: dir, Env: map[string]string{
		"SIDENOTE_ADDR":      FreeAddr(t),
		"SIDENOTE_DATA_DIR":  dir,
		"SIDENOTE_DEV_LOGIN": "1",
	}, logs: &syncBuffer{}, done: make(chan struct{})}
	for k, v := range env {
		p.Env[k] = v
	}
	p.URL = "http://" + p.Env["SIDENOTE_ADDR"]
	p.cmd = exec.Command(Binary(t))
	p.cmd.Dir = dir
	p.cmd.Env = os.Environ()
	for k, v := range p.Env {
		p.cmd.Env = append(p.cmd.Env, k+"="+v)
	}
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		p.Stop()
		if t.Failed() {
			t.Logf("server %s log:\n%s", p.URL, tail(p.Logs(), 60))
		}
	})
	return p
}

// Start is Launch, then AwaitReady.
func Start(t testing.TB, env map[string]string) *Process {
	t.Helper()
	p := Launch(t, env)
	p.AwaitReady(t)
	return p
}

// AwaitReady waits until /readyz answers 200, failing the test if the
// process exits first or takes over a minute.
func (p *Process) AwaitReady(t testing.TB) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		res, err := http.Get(p.URL + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-p.done:
			t.Fatalf("server exited at start (%v):\n%s", p.err, p.Logs())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("server not ready after 60 s:\n%s", p.Logs())
		}
		time.Sleep(50 * time.Millisecond)
	}
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
