package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/shared/note"
)

// sidenoteServer is the real server binary, run as a subprocess on a fresh
// PostgreSQL database for the whole test binary.
type sidenoteServer struct {
	url   string
	token string
}

var server struct {
	*sidenoteServer
	skip string
}

const adminURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// startServer builds and starts the server; it returns a stop function. An
// unreachable PostgreSQL is recorded in server.skip (a failure when
// REQUIRE_BROWSER=1, see needServer); a server that does not build is an
// error.
func startServer() (stop func(), err error) {
	root := repoRoot()
	probe, cancelProbe := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancelProbe()
	if conn, err := pgx.Connect(probe, adminURL); err != nil {
		server.skip = "PostgreSQL not reachable: " + err.Error()
		return func() {}, nil
	} else {
		conn.Close(probe)
	}

	dir, err := os.MkdirTemp("", "sidenote-ext-e2e-")
	if err != nil {
		return nil, err
	}
	bin := filepath.Join(dir, "sidenote")
	build := exec.Command("go", "build", "-o", bin, "./server/cmd/sidenote")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("build the server: %v\n%s", err, out)
	}

	suffix := make([]byte, 6)
	rand.Read(suffix)
	db := "sidenote_ext_e2e_" + hex.EncodeToString(suffix)
	if err := createDatabase(db); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("create database: %w", err)
	}
	dropDB := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if conn, err := pgx.Connect(ctx, adminURL); err == nil {
			conn.Exec(ctx, "DROP DATABASE IF EXISTS "+db+" WITH (FORCE)")
			conn.Close(ctx)
		}
	}

	addr, err := freeAddr()
	if err != nil {
		dropDB()
		return nil, err
	}
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(),
		"SIDENOTE_ADDR="+addr,
		"SIDENOTE_DATABASE_URL=postgres://postgres@127.0.0.1:5432/"+db+"?sslmode=disable",
		"SIDENOTE_DEV_LOGIN=1",
		"SIDENOTE_DATA_DIR="+filepath.Join(dir, "data"),
		"SIDENOTE_EXTENSION_IDS="+extensionID,
	)
	logs, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		dropDB()
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		dropDB()
		return nil, err
	}
	stop = func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		logs.Close()
		dropDB()
		os.RemoveAll(dir)
	}

	s := &sidenoteServer{url: "http://" + addr}
	if err := s.waitReady(); err != nil {
		stop()
		return nil, fmt.Errorf("%w (server log: %s)", err, readFile(filepath.Join(dir, "server.log")))
	}
	var tok api.TokenResponse
	if err := s.call(http.MethodPost, "/dev/login", api.DevLoginRequest{Email: "clinician@example.test", Name: "Fictional Clinician"}, &tok); err != nil {
		stop()
		return nil, fmt.Errorf("dev login: %w", err)
	}
	s.token = tok.Token
	server.sidenoteServer = s
	return stop, nil
}

func createDatabase(name string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, "CREATE DATABASE "+name)
	return err
}

func readFile(path string) string {
	b, _ := os.ReadFile(path)
	return string(b)
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func (s *sidenoteServer) waitReady() error {
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		res, err := http.Get(s.url + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return errors.New("server not ready after 20s")
}

// call sends a JSON request to /api/v1 and decodes a 2xx answer into out.
func (s *sidenoteServer) call(method, path string, body, out any) error {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.url+api.Prefix+path, r)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if s.token != "" {
		req.Header.Set("Authorization", "Bearer "+s.token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %d %s", method, path, res.StatusCode, data)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(data, out)
}

func needServer(tb testing.TB) *sidenoteServer {
	tb.Helper()
	needBrowser(tb)
	if server.sidenoteServer != nil {
		return server.sidenoteServer
	}
	if requireBrowser() {
		tb.Fatalf("server tests required but cannot run: %s", server.skip)
	}
	tb.Skip(server.skip)
	return nil
}

// sessionSummary is a fictional written summary the server's built-in
// generator turns into every section of each template.
const sessionSummary = `Session 4 of weekly individual therapy for low mood with a fictional client.
Client reports sleeping about six hours most nights and says work stress eased after talking with her manager.
She describes feeling more hopeful this week and went for two walks with a friend.
Client appeared calm and alert, with euthymic affect and good eye contact. Speech was normal in rate and tone.
We used cognitive restructuring to examine the thought that she always lets people down, and practiced paced breathing for five minutes.
She responded well to the breathing exercise and named two balanced thoughts.
Client denies suicidal ideation. PHQ-9 score today is 9, down from 14 at intake, consistent with mild depression and steady progress.
Her goal remains sleeping seven hours on work nights.
Plan: continue weekly CBT. Homework is a thought record three times this week. Next session on Thursday.`

// readyNote creates a session with the summary, generates a note of the
// template and waits until the server says it is ready.
func (s *sidenoteServer) readyNote(tb testing.TB, tmpl note.TemplateID) api.Note {
	tb.Helper()
	anon := api.AnonymousIndividual
	var sess api.Session
	if err := s.call(http.MethodPost, "/sessions", api.CreateSessionRequest{
		Type: api.SessionWrittenSummary, Anonymous: &anon,
		Consent: &api.Consent{Obtained: true, Method: api.ConsentVerbal},
	}, &sess); err != nil {
		tb.Fatal(err)
	}
	if err := s.call(http.MethodPut, "/sessions/"+sess.ID+"/summary", api.TextRequest{Text: sessionSummary}, nil); err != nil {
		tb.Fatal(err)
	}
	var n api.Note
	if err := s.call(http.MethodPost, "/sessions/"+sess.ID+"/notes", api.GenerateNoteRequest{Template: tmpl}, &n); err != nil {
		tb.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for n.Status != api.NoteReady {
		if n.Status == api.NoteFailed || time.Now().After(deadline) {
			tb.Fatalf("note %s: status %s %s", n.ID, n.Status, n.FailureReason)
		}
		time.Sleep(50 * time.Millisecond)
		if err := s.call(http.MethodGet, "/notes/"+n.ID, nil, &n); err != nil {
			tb.Fatal(err)
		}
	}
	return n
}

func (s *sidenoteServer) insertions(tb testing.TB, noteID string) []api.Insertion {
	tb.Helper()
	var page api.Page[api.Insertion]
	raw := json.RawMessage{}
	if err := s.call(http.MethodGet, "/notes/"+noteID+"/insertions", nil, &raw); err != nil {
		tb.Fatal(err)
	}
	// Accept a bare list or a page of items.
	if err := json.Unmarshal(raw, &page); err == nil && page.Items != nil {
		return page.Items
	}
	var list []api.Insertion
	if err := json.Unmarshal(raw, &list); err != nil {
		tb.Fatalf("insertions: %v: %s", err, raw)
	}
	return list
}
