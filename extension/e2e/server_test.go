package e2e

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/sidenote/sidenote/internal/browsertest"
	"github.com/sidenote/sidenote/internal/sidenotetest"
	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/shared/note"
)

// sidenoteServer is the real server binary, run as a subprocess on a fresh
// PostgreSQL database for the whole test binary (internal/sidenotetest
// builds and starts it).
type sidenoteServer struct {
	url   string
	token string
}

var server struct {
	*sidenoteServer
	skip string
}

// startServer builds and starts the server; it returns a stop function. An
// unreachable PostgreSQL is recorded in server.skip (a failure when
// REQUIRE_BROWSER=1 or REQUIRE_POSTGRES=1, see needServer); a server that
// does not build is an error.
func startServer() (stop func(), err error) {
	db, dropDB, err := sidenotetest.NewPostgresDatabase("sidenote_ext_e2e_")
	if errors.Is(err, sidenotetest.ErrNoPostgres) {
		server.skip = err.Error()
		return func() {}, nil
	}
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "sidenote-ext-e2e-")
	if err != nil {
		dropDB()
		return nil, err
	}
	p, err := sidenotetest.Spawn(dir, map[string]string{
		"SIDENOTE_DATABASE_URL":  db,
		"SIDENOTE_EXTENSION_IDS": extensionID,
	})
	if err != nil {
		dropDB()
		os.RemoveAll(dir)
		return nil, fmt.Errorf("build or start the server: %w", err)
	}
	stop = func() {
		p.Stop()
		dropDB()
		os.RemoveAll(dir)
	}

	if err := p.WaitReady(20 * time.Second); err != nil {
		stop()
		return nil, fmt.Errorf("%w (server log: %s)", err, p.Logs())
	}
	token, err := p.DevToken("clinician@example.test", "Fictional Clinician")
	if err != nil {
		stop()
		return nil, err
	}
	server.sidenoteServer = &sidenoteServer{url: p.URL, token: token}
	return stop, nil
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
	if browsertest.Required() || sidenotetest.RequirePostgres() {
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
