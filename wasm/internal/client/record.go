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

// Template returns one template with its sections.
func (c *Client) Template(ctx context.Context, id string) (api.NoteTemplate, error) {
	v, err := c.get(ctx, api.Prefix+"/templates/"+escape(id))
	return decodeTemplate(v), err
}

// CreateTemplate saves a new template of the clinician's own.
func (c *Client) CreateTemplate(ctx context.Context, req api.TemplateRequest) (api.NoteTemplate, error) {
	v, err := c.send(ctx, "POST", api.Prefix+"/templates", encodeTemplate(req))
	return decodeTemplate(v), err
}

// UpdateTemplate replaces a template's name and sections.
func (c *Client) UpdateTemplate(ctx context.Context, id string, req api.TemplateRequest) (api.NoteTemplate, error) {
	v, err := c.send(ctx, "PATCH", api.Prefix+"/templates/"+escape(id), encodeTemplate(req))
	return decodeTemplate(v), err
}

// DeleteTemplate deletes one of the clinician's own templates.
func (c *Client) DeleteTemplate(ctx context.Context, id string) error {
	_, err := c.send(ctx, "DELETE", api.Prefix+"/templates/"+escape(id), nil)
	return err
}

func decodeTemplate(v wire.Value) api.NoteTemplate {
	t := api.NoteTemplate{ID: note.TemplateID(v.Get("id").Str()), Name: v.Get("name").Str(), Builtin: v.Get("builtin").Bool()}
	for _, s := range v.Get("sections").Items() {
		t.Sections = append(t.Sections, api.TemplateSection{Key: s.Get("key").Str(), Title: s.Get("title").Str(), Aliases: strs(s.Get("aliases")), DrawsFrom: strs(s.Get("draws_from"))})
	}
	return t
}

func strs(v wire.Value) []string {
	out := []string{}
	for _, it := range v.Items() {
		out = append(out, it.Str())
	}
	return out
}

func encodeTemplate(r api.TemplateRequest) []byte {
	o := wire.NewObj()
	if r.Name != nil {
		o.Str("name", *r.Name)
	}
	return o.Raw("sections", wire.List(len(r.Sections), func(i int) []byte {
		sec := r.Sections[i]
		return wire.NewObj().StrOmit("key", sec.Key).Str("title", sec.Title).
			Raw("aliases", strList(sec.Aliases)).Raw("draws_from", strList(sec.DrawsFrom)).Bytes()
	})).Bytes()
}

func strList(v []string) []byte {
	return wire.List(len(v), func(i int) []byte { return wire.AppendString(nil, v[i]) })
}
