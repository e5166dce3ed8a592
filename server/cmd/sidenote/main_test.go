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
