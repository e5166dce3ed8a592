package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sidenote/sidenote/internal/sidenotetest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	sidenotetest.RemoveBinary()
	os.Exit(code)
}

func TestBadConfigurationStopsWithOneLine(t *testing.T) {
	bin := sidenotetest.Binary(t)
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "SIDENOTE_DEV_LOGIN=1", "SIDENOTE_ADDR=0.0.0.0:8080")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	if err == nil {
		t.Fatal("started with dev login on a public address")
	}
	msg := strings.TrimSpace(stderr.String())
	if strings.Count(msg, "\n") != 0 || !strings.Contains(msg, "SIDENOTE_DEV_LOGIN") {
		t.Fatalf("stderr = %q", msg)
	}
}

// SIGTERM lets a request that is still arriving finish, then exits cleanly.
func TestSIGTERMDrainsInFlightRequests(t *testing.T) {
	dir := t.TempDir()
	server := sidenotetest.Start(t, map[string]string{"SIDENOTE_DATABASE_URL": "sqlite:" + filepath.Join(dir, "db.sqlite")})
	base, addr := server.URL, server.Env["SIDENOTE_ADDR"]

	res, err := http.Post(base+"/api/v1/dev/login", "application/json", strings.NewReader(`{"email":"a@example.org","name":"A"}`))
	if err != nil {
		t.Fatal(err)
	}
	var tok struct{ Token string }
	json.NewDecoder(res.Body).Decode(&tok)
	res.Body.Close()

	// Send the headers and half the body, signal, then the rest.
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := `{"display_name":"Robin","kind":"individual"}`
	fmt.Fprintf(conn, "POST /api/v1/clients HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", addr, tok.Token, len(body), body[:10])
	time.Sleep(200 * time.Millisecond)
	if err := server.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	io.WriteString(conn, body[10:])
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("in-flight request lost: %v", err)
	}
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("in-flight request: %d", resp.StatusCode)
	}
	select {
	case <-server.Done():
		if err := server.Stop(); err != nil {
			t.Fatalf("exit: %v\n%s", err, server.Logs())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("server did not exit after SIGTERM")
	}
	if strings.Contains(server.Logs(), "Robin") {
		t.Fatal("a client name reached the logs")
	}
}

// A person starting Sidenote is told, in one plain line on stdout, where
// it answers: the real address, also when SIDENOTE_ADDR names port 0 or
// every interface; Ctrl-C (SIGINT) then stops it with exit status 0.
func TestReadyLineThenCtrlCExitsZero(t *testing.T) {
	for _, c := range []struct {
		addr     string
		devLogin string
	}{
		{"127.0.0.1:0", "1"},
		{":0", "0"}, // every interface: reached on loopback
	} {
		t.Run(c.addr, func(t *testing.T) {
			dir := t.TempDir()
			cmd := exec.Command(sidenotetest.Binary(t))
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "SIDENOTE_ADDR="+c.addr, "SIDENOTE_DEV_LOGIN="+c.devLogin,
				"SIDENOTE_DATA_DIR="+dir, "SIDENOTE_DATABASE_URL=sqlite:"+filepath.Join(dir, "db.sqlite"))
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			lines := make(chan string, 8)
			go func() {
				sc := bufio.NewScanner(stdout)
				for sc.Scan() {
					lines <- sc.Text()
				}
				close(lines)
				done <- cmd.Wait()
			}()
			var line string
			select {
			case line = <-lines:
			case <-time.After(60 * time.Second):
				cmd.Process.Kill()
				t.Fatalf("no ready line after 60 s:\n%s", stderr.String())
			}
			const prefix = "Sidenote is ready: http://"
			if !strings.HasPrefix(line, prefix) || !strings.HasSuffix(line, "/app/") {
				t.Fatalf("first stdout line %q", line)
			}
			hostPort := strings.TrimSuffix(strings.TrimPrefix(line, prefix), "/app/")
			host, port, err := net.SplitHostPort(hostPort)
			if err != nil || host != "127.0.0.1" || port == "0" || port == "8080" {
				t.Fatalf("address %q in %q", hostPort, line)
			}
			res, err := http.Get("http://" + hostPort + "/healthz")
			if err != nil || res.StatusCode != http.StatusOK {
				t.Fatalf("the announced address does not answer: %v %v", res, err)
			}
			res.Body.Close()

			if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
				t.Fatal(err)
			}
			for extra := range lines {
				t.Errorf("more on stdout: %q", extra)
			}
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("exit after SIGINT: %v\n%s", err, stderr.String())
				}
			case <-time.After(30 * time.Second):
				cmd.Process.Kill()
				t.Fatal("still running 30 s after SIGINT")
			}
			if !strings.Contains(stderr.String(), `"msg":"shutting down"`) {
				t.Errorf("stderr is not the JSON log of a graceful stop:\n%s", stderr.String())
			}
		})
	}
}
