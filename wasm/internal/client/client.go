// Package client is the sidebar's typed client of the Sidenote JSON API. It
// speaks through a Transport so the same code runs over the browser's fetch
// (in WebAssembly) and over a recording fake in host tests; it never imports
// net/http, which would triple the size of the WebAssembly binary.
package client

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/shared/note"
	"github.com/sidenote/sidenote/wasm/internal/wire"
)

// Blob is a body the browser already holds (a recording or a chosen file),
// handed to the transport without copying it into Go memory.
type Blob interface {
	Size() int64
	Type() string
	Name() string
}

// Request is one HTTP request. Exactly one of Body and Blob may be set.
type Request struct {
	Method string
	// URL is the server's base URL (empty for the page's own origin)
	// followed by the absolute path.
	URL         string
	Body        []byte
	Blob        Blob
	ContentType string
	Header      map[string]string
	// Progress, when set, is called as the body is sent.
	Progress func(sent, total int64)
}

// Response is the status, body and CSRF token of a response.
type Response struct {
	Status int
	Body   []byte
	// CSRFToken is the api.CSRFHeader the server sends on cookie-signed-in
	// responses; the client sends it back with every write.
	CSRFToken string
}

// Transport sends a request. It returns an error only when no response
// arrived (network down, server unreachable, request aborted); an HTTP error
// status is a Response.
type Transport interface {
	Do(ctx context.Context, req *Request) (*Response, error)
}

// ErrUnreachable wraps every transport failure, so callers can tell "the
// server said no" from "the server could not be reached".
var ErrUnreachable = errors.New("server unreachable")

// Error is an error response of the API.
type Error struct {
	Status int
	API    api.Error
}

func (e *Error) Error() string {
	if e.API.Message != "" {
		return e.API.Message
	}
	return "HTTP " + strconv.Itoa(e.Status) + " " + e.API.Code
}

// Code returns the API error code of err, or "" when err is not an API error.
func Code(err error) string {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.API.Code
	}
	return ""
}

// Provider is a sign-in provider listed by GET /auth/providers.
type Provider struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Client calls the API. Its zero value is not usable; use New.
type Client struct {
	t     Transport
	base  string
	token string
	csrf  string
}

// New returns a client sending through t.
func New(t Transport) *Client { return &Client{t: t} }

// SetToken sets the bearer token sent with every request; "" sends none
// (the /app page then relies on its session cookie).
func (c *Client) SetToken(token string) { c.token = token }

// SetBaseURL sets the server's origin, such as "http://127.0.0.1:8080"; ""
// addresses the page's own origin (the /app page).
func (c *Client) SetBaseURL(base string) { c.base = strings.TrimRight(base, "/") }

// BaseURL returns the server's origin in use.
func (c *Client) BaseURL() string { return c.base }

// Token returns the bearer token in use.
func (c *Client) Token() string { return c.token }

// do sends req and parses the JSON of a successful answer (null when the
// answer is empty).
func (c *Client) do(ctx context.Context, req *Request) (wire.Value, error) {
	body, status, err := c.raw(ctx, req)
	if err != nil || len(body) == 0 {
		return wire.Value{}, err
	}
	v, err := wire.Parse(body)
	if err != nil {
		return wire.Value{}, &Error{Status: status, API: api.Error{Code: api.CodeInternal, Message: "The server sent a reply Sidenote could not read."}}
	}
	return v, nil
}

// raw sends req and returns the body of a successful answer as it is.
func (c *Client) raw(ctx context.Context, req *Request) ([]byte, int, error) {
	req.URL = c.base + req.URL
	if req.Header == nil {
		req.Header = map[string]string{}
	}
	if c.token != "" {
		req.Header["Authorization"] = "Bearer " + c.token
	}
	if c.csrf != "" && req.Method != "GET" {
		req.Header[api.CSRFHeader] = c.csrf
	}
	if req.Body != nil && req.ContentType == "" {
		req.ContentType = "application/json"
	}
	resp, err := c.t.Do(ctx, req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, 0, ctx.Err()
		}
		return nil, 0, errors.Join(ErrUnreachable, err)
	}
	if resp.CSRFToken != "" {
		c.csrf = resp.CSRFToken
	}
	if resp.Status >= 400 {
		return nil, resp.Status, decodeError(resp)
	}
	return resp.Body, resp.Status, nil
}

func decodeError(resp *Response) error {
	v, err := wire.Parse(resp.Body)
	body := decodeAPIError(v)
	if err != nil || body.Code == "" {
		// A proxy or a crashed server answers with something else; classify
		// by status so the sidebar can still say something useful.
		code := api.CodeInternal
		switch {
		case resp.Status == 401:
			code = api.CodeUnauthenticated
		case resp.Status == 403:
			code = api.CodeForbidden
		case resp.Status == 404:
			code = api.CodeNotFound
		case resp.Status == 413:
			code = api.CodeBodyTooLarge
		case resp.Status == 429:
			code = api.CodeRateLimited
		case resp.Status == 502 || resp.Status == 503 || resp.Status == 504:
			code = api.CodeUnavailable
		}
		return &Error{Status: resp.Status, API: api.Error{Code: code}}
	}
	return &Error{Status: resp.Status, API: body}
}

func (c *Client) get(ctx context.Context, path string) (wire.Value, error) {
	return c.do(ctx, &Request{Method: "GET", URL: path})
}

func (c *Client) send(ctx context.Context, method, path string, body []byte) (wire.Value, error) {
	return c.do(ctx, &Request{Method: method, URL: path, Body: body})
}

// Providers lists the enabled sign-in providers.
func (c *Client) Providers(ctx context.Context) ([]Provider, error) {
	// Accept both a bare list and {"providers":[...]}.
	v, err := c.get(ctx, "/auth/providers")
	if err != nil {
		return nil, err
	}
	return decodeProviders(v), nil
}

// DevLogin signs in through the local single-user dev login.
func (c *Client) DevLogin(ctx context.Context, email, name string) (string, error) {
	v, err := c.send(ctx, "POST", api.Prefix+"/dev/login", wire.NewObj().Str("email", email).Str("name", name).Bytes())
	return v.Get("token").Str(), err
}

// Logout ends the session or revokes the token the request carries.
func (c *Client) Logout(ctx context.Context) error {
	_, err := c.do(ctx, &Request{Method: "POST", URL: "/auth/logout"})
	return err
}

// Me returns the signed-in clinician.
func (c *Client) Me(ctx context.Context) (api.Clinician, error) {
	v, err := c.get(ctx, api.Prefix+"/me")
	return DecodeClinician(v), err
}

// SessionQuery filters GET /sessions.
type SessionQuery struct {
	Assignment string // all, anonymous, assigned
	ClientID   string
	From, To   string // RFC 3339
	Limit      int
	Cursor     string
	// Q finds sessions by label, client name or date; TZ is the IANA zone
	// its dates are days in.
	Q, TZ string
}

func (q SessionQuery) encode() string {
	limit := ""
	if q.Limit > 0 {
		limit = strconv.Itoa(q.Limit)
	}
	return query("assignment", q.Assignment, "client_id", q.ClientID, "from", q.From, "to", q.To, "limit", limit, "cursor", q.Cursor, "q", q.Q, "tz", q.TZ)
}

// Sessions returns one page of sessions, newest first.
func (c *Client) Sessions(ctx context.Context, q SessionQuery) (api.Page[api.Session], error) {
	v, err := c.get(ctx, api.Prefix+"/sessions"+q.encode())
	return decodeSessionPage(v), err
}

// SetSessionLabel gives a session a short label ("" removes it).
func (c *Client) SetSessionLabel(ctx context.Context, id, label string) (api.Session, error) {
	v, err := c.send(ctx, "PATCH", api.Prefix+"/sessions/"+escape(id), wire.NewObj().Str("label", label).Bytes())
	return DecodeSession(v), err
}

// Session returns one session.
func (c *Client) Session(ctx context.Context, id string) (api.Session, error) {
	v, err := c.get(ctx, api.Prefix+"/sessions/"+escape(id))
	return DecodeSession(v), err
}

// CreateSession starts a session.
func (c *Client) CreateSession(ctx context.Context, req api.CreateSessionRequest) (api.Session, error) {
	v, err := c.send(ctx, "POST", api.Prefix+"/sessions", encodeCreateSession(req))
	return DecodeSession(v), err
}

// EndSession ends a session, assigning it as the clinician chose.
func (c *Client) EndSession(ctx context.Context, id string, req api.EndSessionRequest) (api.Session, error) {
	v, err := c.send(ctx, "POST", api.Prefix+"/sessions/"+escape(id)+"/end", encodeEndSession(req))
	return DecodeSession(v), err
}

// Assign assigns a session to a client.
func (c *Client) Assign(ctx context.Context, id, clientID string) (api.Session, error) {
	v, err := c.send(ctx, "POST", api.Prefix+"/sessions/"+escape(id)+"/assign", wire.NewObj().Str("client_id", clientID).Bytes())
	return DecodeSession(v), err
}

// Clients returns one page of the clinician's clients.
func (c *Client) Clients(ctx context.Context, limit int, cursor string) (api.Page[api.Client], error) {
	l := ""
	if limit > 0 {
		l = strconv.Itoa(limit)
	}
	v, err := c.get(ctx, api.Prefix+"/clients"+query("limit", l, "cursor", cursor))
	return decodeClientPage(v), err
}

// CreateClient creates a client profile (the name may be a pseudonym).
func (c *Client) CreateClient(ctx context.Context, req api.CreateClientRequest) (api.Client, error) {
	v, err := c.send(ctx, "POST", api.Prefix+"/clients", encodeCreateClient(req))
	return DecodeClient(v), err
}

// PutSummary stores the session's written summary.
func (c *Client) PutSummary(ctx context.Context, sessionID, text string) error {
	_, err := c.send(ctx, "PUT", api.Prefix+"/sessions/"+escape(sessionID)+"/summary", wire.NewObj().Str("text", text).Bytes())
	return err
}

// PutTranscript stores the session's transcript.
func (c *Client) PutTranscript(ctx context.Context, sessionID, text string) error {
	_, err := c.send(ctx, "PUT", api.Prefix+"/sessions/"+escape(sessionID)+"/transcript", wire.NewObj().Str("text", text).Bytes())
	return err
}

// Text returns the session's saved summary or transcript (kind "summary" or
// "transcript"), "" when there is none.
func (c *Client) Text(ctx context.Context, sessionID, kind string) (string, error) {
	v, err := c.get(ctx, api.Prefix+"/sessions/"+escape(sessionID)+"/"+escape(kind))
	return v.Get("text").Str(), err
}

// RetryNote generates a failed note again.
func (c *Client) RetryNote(ctx context.Context, id string) (api.Note, error) {
	v, err := c.do(ctx, &Request{Method: "POST", URL: api.Prefix + "/notes/" + escape(id) + "/retry"})
	return DecodeNote(v), err
}

// UploadRecording sends a recording as the raw request body.
func (c *Client) UploadRecording(ctx context.Context, sessionID string, b Blob, progress func(sent, total int64)) error {
	_, err := c.do(ctx, &Request{
		Method:      "POST",
		URL:         api.Prefix + "/sessions/" + escape(sessionID) + "/recording",
		Blob:        b,
		ContentType: b.Type(),
		Progress:    progress,
	})
	return err
}

// Recording returns what the server holds of the session's recording; an
// error with code not_found when the session has none.
func (c *Client) Recording(ctx context.Context, sessionID string) (api.Recording, error) {
	v, err := c.get(ctx, api.Prefix+"/sessions/"+escape(sessionID)+"/recording")
	return DecodeRecording(v), err
}

// KeepRecording says whether the recording is kept once the note is signed
// (otherwise it is deleted); an error with code conflict when it already is.
func (c *Client) KeepRecording(ctx context.Context, sessionID string, keep bool) (api.Recording, error) {
	v, err := c.send(ctx, "PATCH", api.Prefix+"/sessions/"+escape(sessionID)+"/recording", encodeRecordingSettings(keep))
	return DecodeRecording(v), err
}

// GenerateNote asks for a note; it comes back generating. The idempotency key
// makes a retried click return the same note.
func (c *Client) GenerateNote(ctx context.Context, sessionID string, tmpl note.TemplateID, idempotencyKey string) (api.Note, error) {
	body := wire.NewObj().Str("template", string(tmpl)).Bytes()
	req := &Request{Method: "POST", URL: api.Prefix + "/sessions/" + escape(sessionID) + "/notes", Body: body}
	if idempotencyKey != "" {
		req.Header = map[string]string{"Idempotency-Key": idempotencyKey}
	}
	v, err := c.do(ctx, req)
	return DecodeNote(v), err
}

// SessionNotes lists a session's notes.
func (c *Client) SessionNotes(ctx context.Context, sessionID string) ([]api.Note, error) {
	// Accept both a bare list and a page.
	v, err := c.get(ctx, api.Prefix+"/sessions/"+escape(sessionID)+"/notes")
	if err != nil {
		return nil, err
	}
	return decodeNotes(v), nil
}

// Note returns one note.
func (c *Client) Note(ctx context.Context, id string) (api.Note, error) {
	v, err := c.get(ctx, api.Prefix+"/notes/"+escape(id))
	return DecodeNote(v), err
}

// UpdateNote saves section edits against the version last seen.
func (c *Client) UpdateNote(ctx context.Context, id string, req api.UpdateNoteRequest) (api.Note, error) {
	v, err := c.send(ctx, "PATCH", api.Prefix+"/notes/"+escape(id), encodeUpdateNote(req))
	return DecodeNote(v), err
}

// PlaceLeftOut puts a sentence the note left out at the end of a section,
// against the version last seen; the note comes back with a new version.
func (c *Client) PlaceLeftOut(ctx context.Context, id, itemID string, req api.PlaceLeftOutRequest) (api.Note, error) {
	path := api.Prefix + "/notes/" + escape(id) + "/left-out/" + escape(itemID) + "/place"
	v, err := c.send(ctx, "POST", path, encodePlaceLeftOut(req))
	return DecodeNote(v), err
}

// SignNote signs a note at the version the clinician saw, ending its
// session in the same step when req.EndSession is set.
func (c *Client) SignNote(ctx context.Context, id string, req api.SignNoteRequest) (api.Note, error) {
	v, err := c.send(ctx, "POST", api.Prefix+"/notes/"+escape(id)+"/sign", encodeSignNote(req))
	return DecodeNote(v), err
}
