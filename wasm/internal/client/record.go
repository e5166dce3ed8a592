package client

import (
	"context"

	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/shared/note"
	"github.com/sidenote/sidenote/wasm/internal/wire"
)

// A note's record: its addenda, its versions and its PDF.

// AddAddendum adds text to a signed note.
func (c *Client) AddAddendum(ctx context.Context, noteID, text string) (api.Addendum, error) {
	v, err := c.send(ctx, "POST", api.Prefix+"/notes/"+escape(noteID)+"/addenda", wire.NewObj().Str("text", text).Bytes())
	return decodeAddendum(v), err
}

func decodeAddendum(a wire.Value) api.Addendum {
	return api.Addendum{ID: a.Get("id").Str(), Text: a.Get("text").Str(), CreatedAt: a.Get("created_at").Time()}
}

// NoteVersions lists a note's saved versions, oldest first.
func (c *Client) NoteVersions(ctx context.Context, noteID string) ([]api.NoteVersion, error) {
	v, err := c.get(ctx, api.Prefix+"/notes/"+escape(noteID)+"/versions")
	if err != nil {
		return nil, err
	}
	if v.Kind() == wire.Object {
		v = v.Get("items")
	}
	out := []api.NoteVersion{}
	for _, it := range v.Items() {
		nv := api.NoteVersion{Version: it.Get("version").Int(), CreatedAt: it.Get("created_at").Time()}
		for _, s := range it.Get("sections").Items() {
			nv.Sections = append(nv.Sections, decodeSection(s))
		}
		out = append(out, nv)
	}
	return out, nil
}

// NotePDF returns the note as a PDF document.
func (c *Client) NotePDF(ctx context.Context, noteID string) ([]byte, error) {
	body, _, err := c.raw(ctx, &Request{Method: "GET", URL: api.Prefix + "/notes/" + escape(noteID) + "/pdf"})
	return body, err
}

// Templates lists the note templates the clinician can write with: the
// built-in ones and their own (names and ids; sections are the server's).
func (c *Client) Templates(ctx context.Context) ([]api.NoteTemplate, error) {
	v, err := c.get(ctx, api.Prefix+"/templates")
	if err != nil {
		return nil, err
	}
	if v.Kind() == wire.Object {
		v = v.Get("items")
	}
	var out []api.NoteTemplate
	for _, it := range v.Items() {
		out = append(out, api.NoteTemplate{ID: note.TemplateID(it.Get("id").Str()), Name: it.Get("name").Str(), Builtin: it.Get("builtin").Bool()})
	}
	return out, nil
}
