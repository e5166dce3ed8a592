package processtest

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oauth2-proxy/mockoidc"

	"github.com/sidenote/sidenote/server/internal/store/storetest"
	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/shared/note"
)

// countingLLM is an OpenAI-compatible chat-completions server that counts
// the requests for each case marker found in the prompt, so the test can
// tell how many times each note's generation ran, whichever replica ran it.
// It answers with sentences every test summary contains.
type countingLLM struct {
	*httptest.Server
	mu    sync.Mutex
	calls map[string]int
}

var caseMarker = regexp.MustCompile(`Case marker (R\d+)\.`)

func newCountingLLM(t *testing.T) *countingLLM {
	f := &countingLLM{calls: map[string]int{}}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Model    string `json:"model"`
			Messages []struct{ Content string }
		}
		if r.URL.Path != "/v1/chat/completions" || json.NewDecoder(r.Body).Decode(&req) != nil {
			http.Error(w, `{"error":{"message":"bad request"}}`, http.StatusBadRequest)
			return
		}
		f.mu.Lock()
		for _, m := range req.Messages {
			for _, match := range caseMarker.FindAllStringSubmatch(m.Content, -1) {
				f.calls[match[1]]++
			}
		}
		f.mu.Unlock()
		// Slow enough that a second worker picking up the same job would
		// overlap with the first.
		time.Sleep(200 * time.Millisecond)
		content, _ := json.Marshal(map[string]any{"sections": map[string]string{
			"subjective": "Client reports that sleep improved this week.",
			"plan":       "Client will keep practising paced breathing daily.",
		}})
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"id": "chatcmpl-replicas", "object": "chat.completion", "model": req.Model,
			"choices": []map[string]any{{"index": 0, "finish_reason": "stop",
				"message": map[string]string{"role": "assistant", "content": string(content)}}},
		})
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *countingLLM) callsFor(marker string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[marker]
}

// TestTwoReplicasShareOneDatabase runs two server processes on one
// PostgreSQL database with the same session secret and key file, as behind
// a load balancer without sticky sessions: a token from one works on the
// other and its revocation too, a browser sign-in started on one finishes on
// the other and its cookie and CSRF token work on both, notes written through either are generated
// exactly once and read on both, and the sign-in limit holds across them.
func TestTwoReplicasShareOneDatabase(t *testing.T) {
	dbURL := storetest.PostgresURL(t)
	llm := newCountingLLM(t)
	oidc, err := mockoidc.Run()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { oidc.Shutdown() })
	const burst = 10
	// Both replicas stand behind one public address: here, A's.
	addrA := freeAddr(t)
	env := map[string]string{
		"SIDENOTE_PUBLIC_URL":          "http://" + addrA,
		"SIDENOTE_OIDC_ISSUER_URL":     oidc.Issuer(),
		"SIDENOTE_OIDC_CLIENT_ID":      oidc.Config().ClientID,
		"SIDENOTE_OIDC_CLIENT_SECRET":  oidc.Config().ClientSecret,
		"SIDENOTE_SESSION_SECRET":      "replicas-test-session-secret-0123456789",
		"SIDENOTE_ENCRYPTION_KEY_FILE": filepath.Join(t.TempDir(), "encryption.key"),
		"SIDENOTE_LLM_URL":             llm.URL + "/v1",
		"SIDENOTE_LLM_MODEL":           "test-model",
		"SIDENOTE_AUTH_RATE_LIMIT":     "0.01", // no refill within the test
		"SIDENOTE_AUTH_RATE_BURST":     fmt.Sprint(burst),
	}
	// A creates the key file on first start; B then opens the same one.
	replicas := []*serverProcess{startServer(t, dbURL, with(env, "SIDENOTE_ADDR", addrA))}
	replicas = append(replicas, startServer(t, dbURL, env))
	hc := &http.Client{}
	on := func(c *apiClient, replica int) *apiClient {
		return &apiClient{base: replicas[replica].URL, token: c.token, http: hc}
	}

	t.Run("a token from one replica works on the other, and so does its revocation", func(t *testing.T) {
		signedIn := devLogin(t, replicas[0].URL, hc, "token@example.org")
		var me api.Clinician
		if r := on(signedIn, 1).call(http.MethodGet, "/api/v1/me", nil); !r.ok() {
			t.Fatalf("A's token on B: %s", r)
		} else {
			r.decode(t, &me)
		}
		var tokens api.Page[api.Token]
		on(signedIn, 1).call(http.MethodGet, "/api/v1/tokens", nil).decode(t, &tokens)
		for _, tok := range tokens.Items {
			if tok.Current {
				if r := on(signedIn, 1).call(http.MethodDelete, "/api/v1/tokens/"+tok.ID, nil); !r.ok() {
					t.Fatalf("revoke on B: %s", r)
				}
			}
		}
		if r := on(signedIn, 0).call(http.MethodGet, "/api/v1/me", nil); r.status != http.StatusUnauthorized {
			t.Fatalf("token revoked on B still works on A: %s", r)
		}
	})

	t.Run("a browser session started on one replica works on the other", func(t *testing.T) {
		jar, _ := cookiejar.New(nil) // cookies are per host, not per port: both replicas get them
		browser := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		visit := func(method, rawURL string, body any, header ...string) reply {
			u, _ := url.Parse(rawURL)
			return (&apiClient{base: u.Scheme + "://" + u.Host, http: browser}).call(method, u.RequestURI(), body, header...)
		}
		oidc.QueueUser(&mockoidc.MockUser{Subject: "browser-sub", Email: "browser@example.org", EmailVerified: true})
		r := visit(http.MethodGet, replicas[0].URL+"/auth/oidc", nil)
		if r.status != http.StatusFound {
			t.Fatalf("start sign-in on A: %s", r)
		}
		if r = visit(http.MethodGet, r.header.Get("Location"), nil); r.status != http.StatusFound {
			t.Fatalf("provider: %s", r)
		}
		// The load balancer sends the provider's redirect to B.
		callback, err := url.Parse(r.header.Get("Location"))
		if err != nil || callback.Path != "/auth/oidc/callback" {
			t.Fatalf("provider redirected to %q", r.header.Get("Location"))
		}
		callback.Host = strings.TrimPrefix(replicas[1].URL, "http://")
		if r = visit(http.MethodGet, callback.String(), nil); r.status != http.StatusSeeOther {
			t.Fatalf("callback on B: %s", r)
		}
		r = visit(http.MethodGet, replicas[0].URL+"/api/v1/me", nil)
		var me api.Clinician
		if !r.ok() || r.into(&me) != nil || me.Email != "browser@example.org" || r.header.Get(api.CSRFHeader) == "" {
			t.Fatalf("session cookie from B on A: %s", r)
		}
		if r := visit(http.MethodPost, replicas[1].URL+"/api/v1/sessions", newAnonymousSession(),
			api.CSRFHeader, r.header.Get(api.CSRFHeader), "Origin", "http://"+addrA); r.status != http.StatusCreated {
			t.Fatalf("write on B with the CSRF token A gave: %s", r)
		}
	})

	t.Run("each note is generated exactly once and reads the same on both", func(t *testing.T) {
		clinician := devLogin(t, replicas[1].URL, hc, "notes@example.org")
		const notes = 8
		ids := map[string]string{} // marker -> note id
		for i := range notes {
			marker := fmt.Sprintf("R%02d", i)
			write, other := on(clinician, i%2), on(clinician, (i+1)%2)
			var sess api.Session
			if r := write.call(http.MethodPost, "/api/v1/sessions", newAnonymousSession()); !r.ok() {
				t.Fatalf("create session: %s", r)
			} else {
				r.decode(t, &sess)
			}
			summary := "Case marker " + marker + ". Client reports that sleep improved this week. Client will keep practising paced breathing daily."
			if r := other.call(http.MethodPut, "/api/v1/sessions/"+sess.ID+"/summary", api.TextRequest{Text: summary}); !r.ok() {
				t.Fatalf("summary on the other replica: %s", r)
			}
			var n api.Note
			if r := write.call(http.MethodPost, "/api/v1/sessions/"+sess.ID+"/notes", api.GenerateNoteRequest{Template: note.SOAP}); !r.ok() {
				t.Fatalf("generate: %s", r)
			} else {
				r.decode(t, &n)
			}
			ids[marker] = n.ID
		}
		for marker, id := range ids {
			for replica := range replicas {
				n := waitNote(t, on(clinician, replica), id)
				if n.Status != api.NoteStatus("ready") || n.Generator != "llm:test-model" || sectionText(n.Sections, subjective) != "Client reports that sleep improved this week." {
					t.Fatalf("note %s on replica %d: %s by %q, subjective %q", marker, replica, n.Status, n.Generator, sectionText(n.Sections, subjective))
				}
			}
		}
		// Give a duplicate run, if any, time to reach the fake LLM.
		time.Sleep(time.Second)
		for marker := range ids {
			if n := llm.callsFor(marker); n != 1 {
				t.Errorf("note %s was generated %d times, want exactly once", marker, n)
			}
		}
		db, err := sql.Open("pgx", dbURL)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var jobs, once, workers int
		err = db.QueryRowContext(context.Background(), `SELECT count(*), count(*) FILTER (WHERE state = 'completed' AND attempt = 1),
			count(DISTINCT attempted_by[1]) FROM river_job WHERE kind = 'generate_note'`).Scan(&jobs, &once, &workers)
		if err != nil {
			t.Fatal(err)
		}
		if jobs != notes || once != notes {
			t.Errorf("%d generate_note jobs, %d completed at the first attempt; want %d and %d", jobs, once, notes, notes)
		}
		t.Logf("%d note jobs worked by %d of the 2 replicas", jobs, workers)
	})

	t.Run("the sign-in limit is one budget across replicas", func(t *testing.T) {
		// One client address of its own (dev login is refused behind a
		// proxy, so no X-Forwarded-For): any address of 127.0.0.0/8 is ours.
		dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 7)}}
		transport := &http.Transport{DialContext: dialer.DialContext}
		defer transport.CloseIdleConnections()
		hammer := &http.Client{Transport: transport}
		allowed := 0
		for i := range 4 * burst {
			c := &apiClient{base: replicas[i%2].URL, http: hammer}
			r := c.call(http.MethodPost, "/api/v1/dev/login", api.DevLoginRequest{Email: "hammer@example.org"})
			switch {
			case r.ok():
				allowed++
			case r.status == http.StatusTooManyRequests && r.apiError().Code == api.CodeRateLimited && r.header.Get("Retry-After") != "":
			default:
				t.Fatalf("sign-in %d: %s", i, r)
			}
		}
		if allowed != burst {
			t.Fatalf("%d of %d sign-ins from one address through two replicas allowed, want the burst of %d", allowed, 4*burst, burst)
		}
	})
}

// with is env with one more variable.
func with(env map[string]string, key, value string) map[string]string {
	out := maps.Clone(env)
	out[key] = value
	return out
}

// Replicas started at the same moment on a new database, as an orchestrator
// does after an upgrade, take turns with the migrations instead of failing
// on each other's half-created tables.
func TestReplicasStartingTogetherMigrateInTurn(t *testing.T) {
	dbURL := storetest.PostgresURL(t)
	// The key file is provisioned before the replicas start, as the README
	// asks; one start on SQLite creates it.
	keyFile := filepath.Join(t.TempDir(), "encryption.key")
	first := launchServer(t, storetest.SQLiteURL(t), map[string]string{"SIDENOTE_ENCRYPTION_KEY_FILE": keyFile})
	first.AwaitReady(t)
	replicas := make([]*serverProcess, 3)
	for i := range replicas {
		replicas[i] = launchServer(t, dbURL, map[string]string{"SIDENOTE_ENCRYPTION_KEY_FILE": keyFile})
	}
	for _, p := range replicas {
		p.AwaitReady(t)
	}
}

// waitNote polls a note until its generation has finished (10 s at most).
func waitNote(t *testing.T, c *apiClient, id string) api.Note {
	t.Helper()
	var n api.Note
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		r := c.call(http.MethodGet, "/api/v1/notes/"+id, nil)
		if !r.ok() {
			t.Fatalf("note %s: %s", id, r)
		}
		r.decode(t, &n)
		if n.Status != api.NoteStatus("generating") || time.Now().After(deadline) {
			return n
		}
	}
}
