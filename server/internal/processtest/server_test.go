package processtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/sidenote/sidenote/internal/sidenotetest"
	"github.com/sidenote/sidenote/shared/api"
)

func TestMain(m *testing.M) {
	code := m.Run()
	sidenotetest.RemoveBinary()
	os.Exit(code)
}

func freeAddr(t *testing.T) string { return sidenotetest.FreeAddr(t) }

// serverProcess is one running sidenote binary with its profiling listener.
type serverProcess struct {
	*sidenotetest.Process
	debugURL string // SIDENOTE_DEBUG_ADDR
}

// startServer runs the binary on databaseURL (see sidenotetest.Launch),
// extra environment on top, and waits until it serves.
func startServer(t *testing.T, databaseURL string, extra map[string]string) *serverProcess {
	t.Helper()
	p := launchServer(t, databaseURL, extra)
	p.AwaitReady(t)
	return p
}

// launchServer starts the process without waiting for it to serve.
func launchServer(t *testing.T, databaseURL string, extra map[string]string) *serverProcess {
	t.Helper()
	debugAddr := freeAddr(t)
	env := map[string]string{"SIDENOTE_DEBUG_ADDR": debugAddr, "SIDENOTE_DATABASE_URL": databaseURL}
	for k, v := range extra {
		env[k] = v
	}
	return &serverProcess{Process: sidenotetest.Launch(t, env), debugURL: "http://" + debugAddr}
}

var goroutineTotal = regexp.MustCompile(`goroutine profile: total (\d+)`)

// goroutines reads the server's goroutine count from its profiling listener.
func (p *serverProcess) goroutines(t *testing.T) int {
	t.Helper()
	m := goroutineTotal.FindStringSubmatch(p.goroutineProfile(t))
	if m == nil {
		t.Fatal("no total in the goroutine profile")
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// settledGoroutines waits until the goroutine count holds still for a
// second (at most 20 s) and returns it.
func (p *serverProcess) settledGoroutines(t *testing.T) int {
	t.Helper()
	last, same := -1, 0
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline) && same < 4; time.Sleep(250 * time.Millisecond) {
		n := p.goroutines(t)
		if n == last {
			same++
		} else {
			last, same = n, 0
		}
	}
	return last
}

// goroutineProfile is the server's goroutines grouped by stack.
func (p *serverProcess) goroutineProfile(t *testing.T) string {
	t.Helper()
	res, err := http.Get(p.debugURL + "/debug/pprof/goroutine?debug=1")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// apiClient calls one server as one clinician.
type apiClient struct {
	base  string
	token string
	http  *http.Client
}

// reply is one HTTP answer; err is a transport failure (no answer at all).
type reply struct {
	status int
	body   []byte
	header http.Header
	err    error
}

// apiError is the error body of a non-2xx reply.
func (r reply) apiError() api.Error {
	var e api.ErrorBody
	json.Unmarshal(r.body, &e)
	return e.Error
}

func (r reply) ok() bool { return r.err == nil && r.status >= 200 && r.status < 300 }

func (r reply) String() string {
	if r.err != nil {
		return "transport error: " + r.err.Error()
	}
	return fmt.Sprintf("%d %s", r.status, bytes.TrimSpace(r.body))
}

// into decodes the body into out.
func (r reply) into(out any) error { return json.Unmarshal(r.body, out) }

// decode decodes a body the test cannot go on without.
func (r reply) decode(t testing.TB, out any) {
	t.Helper()
	if err := r.into(out); err != nil {
		t.Fatalf("decode %s: %v", r, err)
	}
}

// call sends body (JSON unless nil) with the client's token and headers
// given as name, value pairs.
func (c *apiClient) call(method, path string, body any, headers ...string) reply {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return reply{err: err}
		}
		rd = bytes.NewReader(b)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return reply{err: err}
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := c.http.Do(req)
	if err != nil {
		return reply{err: err}
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return reply{status: res.StatusCode, body: b, header: res.Header, err: err}
}

// devLogin signs in by email on base and returns a client holding the token.
func devLogin(t testing.TB, base string, hc *http.Client, email string) *apiClient {
	t.Helper()
	c := &apiClient{base: base, http: hc}
	r := c.call(http.MethodPost, "/api/v1/dev/login", api.DevLoginRequest{Email: email, Name: "Soak Clinician"})
	if !r.ok() {
		t.Fatalf("dev login %s: %s", email, r)
	}
	var tok api.TokenResponse
	r.decode(t, &tok)
	c.token = tok.Token
	return c
}

// newAnonymousSession is the body of a session that needs no client profile.
func newAnonymousSession() api.CreateSessionRequest {
	anon := api.AnonymousIndividual
	return api.CreateSessionRequest{Type: api.SessionWrittenSummary, Anonymous: &anon, Consent: &api.Consent{Obtained: true, Method: api.ConsentVerbal}}
}

// waitReady waits until base's /readyz answers 200.
func waitReady(t *testing.T, base string, hc *http.Client, patience time.Duration) {
	t.Helper()
	deadline := time.Now().Add(patience)
	for {
		res, err := hc.Get(base + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz not 200 after %s (last: %v %v)", patience, res, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// readinessWatch polls /readyz and counts its statuses.
type readinessWatch struct {
	done   chan struct{}
	result chan map[int]int
}

func watchReadiness(base string, hc *http.Client) *readinessWatch {
	w := &readinessWatch{done: make(chan struct{}), result: make(chan map[int]int, 1)}
	go func() {
		seen := map[int]int{}
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-w.done:
				w.result <- seen
				return
			case <-tick.C:
			}
			res, err := hc.Get(base + "/readyz")
			if err != nil {
				seen[0]++
				continue
			}
			res.Body.Close()
			seen[res.StatusCode]++
		}
	}()
	return w
}

// stop ends the watch and returns how often each status was seen (0: no
// answer at all).
func (w *readinessWatch) stop() map[int]int {
	close(w.done)
	return <-w.result
}
