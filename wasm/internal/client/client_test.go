package client

import (
	"context"
	"errors"
	"testing"

	"github.com/sidenote/sidenote/shared/api"
)

type scripted struct {
	reqs []Request
	resp []*Response
	err  error
}

func (s *scripted) Do(_ context.Context, r *Request) (*Response, error) {
	s.reqs = append(s.reqs, *r)
	if s.err != nil {
		return nil, s.err
	}
	out := s.resp[0]
	s.resp = s.resp[1:]
	return out, nil
}

func TestCSRFTokenFromResponsesIsSentWithWrites(t *testing.T) {
	tr := &scripted{resp: []*Response{
		{Status: 200, Body: []byte(`{"id":"c1"}`), CSRFToken: "csrf-1"},
		{Status: 204},
		{Status: 200, Body: []byte(`{"items":[],"next_cursor":""}`)},
	}}
	c := New(tr)
	ctx := context.Background()
	if _, err := c.Me(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.PutSummary(ctx, "s/1", "text"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Sessions(ctx, SessionQuery{Assignment: "all", From: "2026-03-01T00:00:00+01:00", Limit: 50}); err != nil {
		t.Fatal(err)
	}
	if got := tr.reqs[1].Header[api.CSRFHeader]; got != "csrf-1" {
		t.Errorf("write sent CSRF %q", got)
	}
	if _, has := tr.reqs[2].Header[api.CSRFHeader]; has {
		t.Error("a read sent the CSRF token")
	}
	if tr.reqs[1].URL != "/api/v1/sessions/s%2F1/summary" || tr.reqs[1].ContentType != "application/json" {
		t.Errorf("PUT %s (%s)", tr.reqs[1].URL, tr.reqs[1].ContentType)
	}
	if want := "/api/v1/sessions?assignment=all&from=2026-03-01T00%3A00%3A00%2B01%3A00&limit=50"; tr.reqs[2].URL != want {
		t.Errorf("GET %s\nwant %s", tr.reqs[2].URL, want)
	}
}

func TestErrorsAreClassified(t *testing.T) {
	tr := &scripted{resp: []*Response{
		{Status: 409, Body: []byte(`{"error":{"code":"version_conflict","message":"stale"}}`)},
		{Status: 502, Body: []byte(`<html>Bad gateway</html>`)},
	}}
	c := New(tr)
	ctx := context.Background()
	_, err := c.UpdateNote(ctx, "n1", api.UpdateNoteRequest{Version: 1})
	if Code(err) != api.CodeVersionConflict {
		t.Errorf("code = %q", Code(err))
	}
	_, err = c.Note(ctx, "n1")
	if Code(err) != api.CodeUnavailable {
		t.Errorf("proxy error code = %q", Code(err))
	}
	tr.err = errors.New("Failed to fetch")
	_, err = c.Note(ctx, "n1")
	if !errors.Is(err, ErrUnreachable) {
		t.Errorf("transport failure = %v", err)
	}
}
