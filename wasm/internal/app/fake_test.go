package app

import (
	"context"
	"encoding/json"
	"errors"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/shared/match"
	"github.com/sidenote/sidenote/shared/note"
	"github.com/sidenote/sidenote/wasm/internal/client"
)

// reply is what a fake route answers: a status and a value encoded as the
// API would encode it.
type reply struct {
	status int
	body   any
}

func ok(v any) reply { return reply{200, v} }

func apiErr(status int, code, msg string) reply {
	return reply{status, api.ErrorBody{Error: api.Error{Code: code, Message: msg}}}
}

// fakeAPI is a Transport answering from per-route handlers and recording
// every request. A route is "METHOD /path" without the query string.
type fakeAPI struct {
	t        testing.TB
	mu       sync.Mutex
	routes   map[string]func(r *client.Request) reply
	requests []client.Request
	down     bool
	// before, when set, runs as a request arrives, before down is read:
	// what the clinician does while a request is on its way.
	before func(r *client.Request)
}

func newFakeAPI(t testing.TB) *fakeAPI {
	return &fakeAPI{t: t, routes: map[string]func(*client.Request) reply{}}
}

func (f *fakeAPI) on(route string, h func(r *client.Request) reply) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.routes[route] = h
}

func (f *fakeAPI) setDown(down bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.down = down
}

var errConnRefused = errors.New("connection refused")

func (f *fakeAPI) Do(ctx context.Context, r *client.Request) (*client.Response, error) {
	f.mu.Lock()
	before := f.before
	f.mu.Unlock()
	if before != nil {
		before(r)
	}
	f.mu.Lock()
	f.requests = append(f.requests, *r)
	down := f.down
	path, _, _ := strings.Cut(r.URL, "?")
	h := f.routes[r.Method+" "+path]
	if h == nil && strings.HasPrefix(path, DefaultServerURL+"/") {
		// Tests of the extension that don't care about the address
		// register routes by path alone.
		h = f.routes[r.Method+" "+strings.TrimPrefix(path, DefaultServerURL)]
	}
	f.mu.Unlock()
	if down {
		return nil, errConnRefused
	}
	if h == nil {
		f.t.Errorf("unexpected request %s %s", r.Method, r.URL)
		return &client.Response{Status: 404, Body: []byte(`{"error":{"code":"not_found","message":"Not found."}}`)}, nil
	}
	rep := h(r)
	if r.Progress != nil && r.Blob != nil {
		r.Progress(r.Blob.Size()/2, r.Blob.Size())
		r.Progress(r.Blob.Size(), r.Blob.Size())
	}
	body, err := json.Marshal(rep.body)
	if err != nil {
		f.t.Fatal(err)
	}
	return &client.Response{Status: rep.status, Body: body}, nil
}

// sent returns the recorded requests for a route, in order.
func (f *fakeAPI) sent(route string) []client.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []client.Request
	for _, r := range f.requests {
		path, _, _ := strings.Cut(strings.TrimPrefix(r.URL, DefaultServerURL), "?")
		if r.Method+" "+path == route {
			out = append(out, r)
		}
	}
	return out
}

func (f *fakeAPI) count(route string) int { return len(f.sent(route)) }

// last returns the body of the last request to route, decoded into v.
func (f *fakeAPI) last(route string, v any) client.Request {
	f.t.Helper()
	reqs := f.sent(route)
	if len(reqs) == 0 {
		f.t.Fatalf("no request to %s", route)
	}
	r := reqs[len(reqs)-1]
	if v != nil {
		if err := json.Unmarshal(r.Body, v); err != nil {
			f.t.Fatalf("body of %s: %v", route, err)
		}
	}
	return r
}

// memStore is an in-memory Storage, shared between Apps to simulate a
// reload of the panel.
type memStore struct {
	mu sync.Mutex
	m  map[string]string
}

func newMemStore() *memStore { return &memStore{m: map[string]string{}} }

func (s *memStore) Get(k string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[k]
	return v, ok
}

func (s *memStore) Set(k, v string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[k] = v
	return nil
}

func (s *memStore) Remove(k string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, k)
}

func (s *memStore) Keys(prefix string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for k := range s.m {
		if strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

type fakeClipboard struct {
	text string
	err  error
}

func (c *fakeClipboard) WriteText(_ context.Context, text string) error {
	if c.err != nil {
		return c.err
	}
	c.text = text
	return nil
}

// fakeHost stands in for the extension's side panel host.
type fakeHost struct {
	cfg        HostConfig
	connected  []HostConfig
	plan       match.Plan
	planErr    error
	inserted   []map[string]string
	onFilled   []OnFilled
	result     InsertResult
	undos      int
	waits      []time.Duration
	signInTok  string
	signInWith string
}

func (h *fakeHost) Config(context.Context) (HostConfig, error) { return h.cfg, nil }
func (h *fakeHost) Connect(_ context.Context, u, tok string) error {
	h.connected = append(h.connected, HostConfig{ServerURL: u, Token: tok})
	return nil
}
func (h *fakeHost) SignIn(_ context.Context, _, p string) (string, error) {
	h.signInWith = p
	return h.signInTok, nil
}
func (h *fakeHost) Plan(context.Context, string) (match.Plan, error) { return h.plan, h.planErr }
func (h *fakeHost) Insert(_ context.Context, _ string, m OnFilled, p map[string]string) (InsertResult, error) {
	h.inserted = append(h.inserted, p)
	h.onFilled = append(h.onFilled, m)
	return h.result, nil
}
func (h *fakeHost) InsertWhenReady(_ context.Context, _ string, m OnFilled, wait time.Duration) (InsertResult, error) {
	h.waits = append(h.waits, wait)
	h.onFilled = append(h.onFilled, m)
	return h.result, nil
}
func (h *fakeHost) Undo(context.Context) error { h.undos++; return nil }

// fixture is an App wired to fakes.
type fixture struct {
	t     *testing.T
	api   *fakeAPI
	store *memStore
	clip  *fakeClipboard
	host  *fakeHost
	app   *App
	now   time.Time
	saves int
	// saved is the summary and transcript the server holds for s1.
	saved map[string]string
	// rec is the recording the server holds for s1, nil for none.
	rec *api.Recording
}

var t0 = time.Date(2026, 3, 10, 15, 0, 0, 0, time.UTC)

func newFixture(t *testing.T) *fixture {
	f := &fixture{t: t, api: newFakeAPI(t), store: newMemStore(), clip: &fakeClipboard{}, now: t0}
	f.start(nil)
	return f
}

// start builds a fresh App over the fixture's fakes, as a reload of the
// panel would.
func (f *fixture) start(host *fakeHost) {
	f.host = host
	d := Deps{
		API:          client.New(f.api),
		Store:        f.store,
		Clipboard:    f.clip,
		ScheduleSave: func() { f.saves++ },
		Now:          func() time.Time { return f.now },
		Sleep: func(context.Context, time.Duration) error {
			f.now = f.now.Add(pollEvery)
			return nil
		},
		NewKey: func() string { return "key-1" },
	}
	if host != nil {
		d.Host = host
	}
	f.app = New(d)
}

func (f *fixture) state() State {
	var out State
	f.app.View(func(s *State) { out = *s })
	return out
}

var bg = context.Background()

// Fixture data: fictional.

func clinician() api.Clinician {
	return api.Clinician{ID: "c1", Email: "dr.rowe@example.test", Name: "Dr Rowe", CreatedAt: t0}
}

func anonPtr(a api.Anonymous) *api.Anonymous { return &a }

func session(id string, started time.Time, anon api.Anonymous) api.Session {
	return api.Session{ID: id, Type: api.SessionInPerson, Status: api.SessionEnded, Anonymous: anonPtr(anon),
		DisplayLabel: anon.Label(), Consent: api.Consent{Obtained: true, Method: api.ConsentVerbal},
		StartedAt: started, CreatedAt: started, UpdatedAt: started}
}

func sessions(n int, prefix string) []api.Session {
	out := make([]api.Session, n)
	for i := range out {
		out[i] = session(prefix+itoa(i), t0.Add(-time.Duration(i)*time.Hour), api.AnonymousIndividual)
	}
	return out
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

func soapNote(id string, version int, status api.NoteStatus) api.Note {
	tmpl, _ := note.Lookup(note.SOAP)
	n := api.Note{ID: id, SessionID: "s1", Template: note.SOAP, Status: status, Version: version, Generator: "builtin", CreatedAt: t0, UpdatedAt: t0}
	if status == api.NoteGenerating {
		return n
	}
	texts := map[string]string{
		"subjective": "Client reports sleeping better since the last session.",
		"assessment": "Mood appears improved.",
		"plan":       "Plan to continue the sleep diary; next session in two weeks.",
	}
	for _, d := range tmpl.Sections {
		n.Sections = append(n.Sections, note.Section{Key: d.Key, Title: d.Title, Text: texts[d.Key], NotDocumented: texts[d.Key] == "", Sources: []note.Span{}})
	}
	return n
}

// signedIn routes /me and an empty first page of sessions.
func (f *fixture) signedIn(items []api.Session, next string) {
	f.api.on("GET /api/v1/me", func(*client.Request) reply { return ok(clinician()) })
	f.api.on("GET /api/v1/sessions", func(*client.Request) reply {
		return ok(api.Page[api.Session]{Items: items, NextCursor: next})
	})
	f.api.on("GET /api/v1/clients", func(*client.Request) reply {
		return ok(api.Page[api.Client]{Items: []api.Client{}})
	})
	_ = f.store.Set(keyToken, "tok-1")
}
