// Package client is the sidebar's typed client of the Sidenote JSON API. It
// speaks through a Transport so the same code runs over the browser's fetch
// (in WebAssembly) and over a recording fake in host tests; it never imports
// net/http, which would triple the size of the WebAssembly binary.
package client

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/shared/note"
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
	var e *Error
	if errors.As(err, &e) {
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

func (c *Client) do(ctx context.Context, req *Request, out any) error {
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
			return ctx.Err()
		}
		return errors.Join(ErrUnreachable, err)
	}
	if resp.CSRFToken != "" {
		c.csrf = resp.CSRFToken
	}
	if resp.Status >= 400 {
		return decodeError(resp)
	}
	if out == nil || len(resp.Body) == 0 {
		return nil
	}
	if err := json.Unmarshal(resp.Body, out); err != nil {
		return &Error{Status: resp.Status, API: api.Error{Code: api.CodeInternal, Message: "The server sent a reply Sidenote could not read."}}
	}
	return nil
}

func decodeError(resp *Response) error {
	var body api.ErrorBody
	if err := json.Unmarshal(resp.Body, &body); err != nil || body.Error.Code == "" {
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
	return &Error{Status: resp.Status, API: body.Error}
}

func (c *Client) getJSON(ctx context.Context, path string, out any) error {
	return c.do(ctx, &Request{Method: "GET", URL: path}, out)
}

func (c *Client) sendJSON(ctx context.Context, method, path string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	return c.do(ctx, &Request{Method: method, URL: path, Body: body}, out)
}

// Providers lists the enabled sign-in providers.
func (c *Client) Providers(ctx context.Context) ([]Provider, error) {
	var raw json.RawMessage
	if err := c.getJSON(ctx, "/auth/providers", &raw); err != nil {
		return nil, err
	}
	// Accept both a bare list and {"providers":[...]}.
	var list []Provider
	if err := json.Unmarshal(raw, &list); err == nil {
		return list, nil
	}
	var wrapped struct {
		Providers []Provider `json:"providers"`
	}
	if err := json.Unmarshal(raw, &wrapped); err != nil {
		return nil, &Error{Status: 200, API: api.Error{Code: api.CodeInternal}}
	}
	return wrapped.Providers, nil
}

// DevLogin signs in through the local single-user dev login.
func (c *Client) DevLogin(ctx context.Context, email, name string) (string, error) {
	var out api.TokenResponse
	err := c.sendJSON(ctx, "POST", api.Prefix+"/dev/login", api.DevLoginRequest{Email: email, Name: name}, &out)
	return out.Token, err
}

// Logout ends the session or revokes the token the request carries.
func (c *Client) Logout(ctx context.Context) error {
	return c.do(ctx, &Request{Method: "POST", URL: "/auth/logout"}, nil)
}

// Me returns the signed-in clinician.
func (c *Client) Me(ctx context.Context) (api.Clinician, error) {
	var out api.Clinician
	err := c.getJSON(ctx, api.Prefix+"/me", &out)
	return out, err
}

// SessionQuery filters GET /sessions.
type SessionQuery struct {
	Assignment string // all, anonymous, assigned
	ClientID   string
	From, To   string // RFC 3339
	Limit      int
	Cursor     string
}

func (q SessionQuery) encode() string {
	limit := ""
	if q.Limit > 0 {
		limit = strconv.Itoa(q.Limit)
	}
	return query("assignment", q.Assignment, "client_id", q.ClientID, "from", q.From, "to", q.To, "limit", limit, "cursor", q.Cursor)
}

// Sessions returns one page of sessions, newest first.
func (c *Client) Sessions(ctx context.Context, q SessionQuery) (api.Page[api.Session], error) {
	var out api.Page[api.Session]
	err := c.getJSON(ctx, api.Prefix+"/sessions"+q.encode(), &out)
	return out, err
}

// Session returns one session.
func (c *Client) Session(ctx context.Context, id string) (api.Session, error) {
	var out api.Session
	err := c.getJSON(ctx, api.Prefix+"/sessions/"+escape(id), &out)
	return out, err
}

// CreateSession starts a session.
func (c *Client) CreateSession(ctx context.Context, req api.CreateSessionRequest) (api.Session, error) {
	var out api.Session
	err := c.sendJSON(ctx, "POST", api.Prefix+"/sessions", req, &out)
	return out, err
}

// EndSession ends a session, assigning it as the clinician chose.
func (c *Client) EndSession(ctx context.Context, id string, req api.EndSessionRequest) (api.Session, error) {
	var out api.Session
	err := c.sendJSON(ctx, "POST", api.Prefix+"/sessions/"+escape(id)+"/end", req, &out)
	return out, err
}

// Assign assigns a session to a client.
func (c *Client) Assign(ctx context.Context, id, clientID string) (api.Session, error) {
	var out api.Session
	err := c.sendJSON(ctx, "POST", api.Prefix+"/sessions/"+escape(id)+"/assign", api.AssignRequest{ClientID: clientID}, &out)
	return out, err
}

// Clients returns one page of the clinician's clients.
func (c *Client) Clients(ctx context.Context, limit int, cursor string) (api.Page[api.Client], error) {
	l := ""
	if limit > 0 {
		l = strconv.Itoa(limit)
	}
	var out api.Page[api.Client]
	err := c.getJSON(ctx, api.Prefix+"/clients"+query("limit", l, "cursor", cursor), &out)
	return out, err
}

// CreateClient creates a client profile (the name may be a pseudonym).
func (c *Client) CreateClient(ctx context.Context, req api.CreateClientRequest) (api.Client, error) {
	var out api.Client
	err := c.sendJSON(ctx, "POST", api.Prefix+"/clients", req, &out)
	return out, err
}

// PutSummary stores the session's written summary.
func (c *Client) PutSummary(ctx context.Context, sessionID, text string) error {
	return c.sendJSON(ctx, "PUT", api.Prefix+"/sessions/"+escape(sessionID)+"/summary", api.TextRequest{Text: text}, nil)
}

// PutTranscript stores the session's transcript.
func (c *Client) PutTranscript(ctx context.Context, sessionID, text string) error {
	return c.sendJSON(ctx, "PUT", api.Prefix+"/sessions/"+escape(sessionID)+"/transcript", api.TextRequest{Text: text}, nil)
}

// UploadRecording sends a recording as the raw request body.
func (c *Client) UploadRecording(ctx context.Context, sessionID string, b Blob, progress func(sent, total int64)) error {
	return c.do(ctx, &Request{
		Method:      "POST",
		URL:         api.Prefix + "/sessions/" + escape(sessionID) + "/recording",
		Blob:        b,
		ContentType: b.Type(),
		Progress:    progress,
	}, nil)
}

// GenerateNote asks for a note; it comes back generating. The idempotency key
// makes a retried click return the same note.
func (c *Client) GenerateNote(ctx context.Context, sessionID string, tmpl note.TemplateID, idempotencyKey string) (api.Note, error) {
	body, _ := json.Marshal(api.GenerateNoteRequest{Template: tmpl})
	var out api.Note
	req := &Request{Method: "POST", URL: api.Prefix + "/sessions/" + escape(sessionID) + "/notes", Body: body}
	if idempotencyKey != "" {
		req.Header = map[string]string{"Idempotency-Key": idempotencyKey}
	}
	err := c.do(ctx, req, &out)
	return out, err
}

// SessionNotes lists a session's notes.
func (c *Client) SessionNotes(ctx context.Context, sessionID string) ([]api.Note, error) {
	var raw json.RawMessage
	if err := c.getJSON(ctx, api.Prefix+"/sessions/"+escape(sessionID)+"/notes", &raw); err != nil {
		return nil, err
	}
	// Accept both a bare list and a page.
	var list []api.Note
	if err := json.Unmarshal(raw, &list); err == nil {
		return list, nil
	}
	var page api.Page[api.Note]
	if err := json.Unmarshal(raw, &page); err != nil {
		return nil, &Error{Status: 200, API: api.Error{Code: api.CodeInternal}}
	}
	return page.Items, nil
}

// Note returns one note.
func (c *Client) Note(ctx context.Context, id string) (api.Note, error) {
	var out api.Note
	err := c.getJSON(ctx, api.Prefix+"/notes/"+escape(id), &out)
	return out, err
}

// UpdateNote saves section edits against the version last seen.
func (c *Client) UpdateNote(ctx context.Context, id string, req api.UpdateNoteRequest) (api.Note, error) {
	var out api.Note
	err := c.sendJSON(ctx, "PATCH", api.Prefix+"/notes/"+escape(id), req, &out)
	return out, err
}

// SignNote signs a note.
func (c *Client) SignNote(ctx context.Context, id string) (api.Note, error) {
	var out api.Note
	err := c.do(ctx, &Request{Method: "POST", URL: api.Prefix + "/notes/" + escape(id) + "/sign"}, &out)
	return out, err
}
