package app

import (
	"context"
	"slices"
	"strings"

	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/shared/note"
	"github.com/sidenote/sidenote/wasm/internal/client"
)

// ScreenTemplates lists the clinician's own templates and edits one.
const ScreenTemplates Screen = "templates"

// EditedSection is a section of the template being edited, as typed.
type EditedSection struct {
	Key       string
	Title     string
	Aliases   string // comma-separated
	DrawsFrom []string
}

// TemplateEditor is the form of a template being created (ID "") or edited.
type TemplateEditor struct {
	Open     bool
	ID       string
	Name     string
	Sections []EditedSection
	// Errors are the server's messages by field: "name", "sections",
	// "sections[1].title", "sections[1].aliases", "sections[1].draws_from".
	Errors map[string]string
	Err    string
	Busy   bool
}

// OpenTemplates shows the clinician's own templates.
func (a *App) OpenTemplates(ctx context.Context) {
	a.update(func(s *State) {
		s.Screen = ScreenTemplates
		s.TemplateEditor = TemplateEditor{}
		s.Templates.Loaded = false
	})
	a.ensureTemplates(ctx)
}

// NewTemplate opens an empty template with one section.
func (a *App) NewTemplate() {
	a.update(func(s *State) {
		s.TemplateEditor = TemplateEditor{Open: true, Sections: []EditedSection{{}}}
	})
}

// EditTemplate opens one of the clinician's own templates.
func (a *App) EditTemplate(ctx context.Context, id string) {
	t, err := a.d.API.Template(ctx, id)
	a.update(func(s *State) {
		if err != nil {
			s.notify(NoticeError, s.failed(err))
			return
		}
		ed := TemplateEditor{Open: true, ID: string(t.ID), Name: t.Name}
		for _, sec := range t.Sections {
			ed.Sections = append(ed.Sections, EditedSection{Key: sec.Key, Title: sec.Title, Aliases: strings.Join(sec.Aliases, ", "), DrawsFrom: sec.DrawsFrom})
		}
		s.TemplateEditor = ed
	})
}

// CloseTemplate leaves the form without saving.
func (a *App) CloseTemplate() {
	a.update(func(s *State) { s.TemplateEditor = TemplateEditor{} })
}

// SetTemplateName records the typed name.
func (a *App) SetTemplateName(name string) {
	a.update(func(s *State) { s.TemplateEditor.Name = name })
}

// EditTemplateSection changes section i with fn.
func (a *App) EditTemplateSection(i int, fn func(sec *EditedSection)) {
	a.update(func(s *State) {
		if i >= 0 && i < len(s.TemplateEditor.Sections) {
			fn(&s.TemplateEditor.Sections[i])
		}
	})
}

// SetDrawsFrom ticks or unticks a built-in kind of section i, keeping the
// kinds in note.Kinds order.
func (sec *EditedSection) SetDrawsFrom(kind string, on bool) {
	var out []string
	for _, k := range note.Kinds() {
		if (k == kind && on) || (k != kind && slices.Contains(sec.DrawsFrom, k)) {
			out = append(out, k)
		}
	}
	sec.DrawsFrom = out
}

// AddTemplateSection appends an empty section.
func (a *App) AddTemplateSection() {
	a.update(func(s *State) {
		if len(s.TemplateEditor.Sections) < api.MaxTemplateSections {
			s.TemplateEditor.Sections = append(s.TemplateEditor.Sections, EditedSection{})
		}
	})
}

// RemoveTemplateSection removes section i.
func (a *App) RemoveTemplateSection(i int) {
	a.update(func(s *State) {
		ed := &s.TemplateEditor
		if i >= 0 && i < len(ed.Sections) {
			ed.Sections = slices.Delete(ed.Sections, i, i+1)
			ed.Errors = nil
		}
	})
}

// MoveTemplateSection moves section i by delta places (-1 up, +1 down).
func (a *App) MoveTemplateSection(i, delta int) {
	a.update(func(s *State) {
		ed := &s.TemplateEditor
		j := i + delta
		if i >= 0 && i < len(ed.Sections) && j >= 0 && j < len(ed.Sections) {
			ed.Sections[i], ed.Sections[j] = ed.Sections[j], ed.Sections[i]
			ed.Errors = nil
		}
	})
}

// request is the body the form sends.
func (ed *TemplateEditor) request() api.TemplateRequest {
	name := strings.TrimSpace(ed.Name)
	req := api.TemplateRequest{Name: &name, Sections: []api.TemplateSection{}}
	for _, sec := range ed.Sections {
		aliases := []string{}
		for _, al := range strings.Split(sec.Aliases, ",") {
			if al = strings.TrimSpace(al); al != "" {
				aliases = append(aliases, al)
			}
		}
		req.Sections = append(req.Sections, api.TemplateSection{Key: sec.Key, Title: strings.TrimSpace(sec.Title), Aliases: aliases, DrawsFrom: append([]string{}, sec.DrawsFrom...)})
	}
	return req
}

// fieldOfItem is the field of the list an item belongs to: a 422 naming
// one alias or kind ("sections[0].aliases[3]") shows at the section's
// aliases ("sections[0].aliases").
func fieldOfItem(field string) string {
	dot := strings.LastIndexByte(field, '.')
	if i := strings.LastIndexByte(field, '['); i > dot && dot >= 0 && strings.HasSuffix(field, "]") {
		return field[:i]
	}
	return field
}

// SaveTemplate creates or updates the template; a 422 shows next to the
// field it names.
func (a *App) SaveTemplate(ctx context.Context) {
	var req api.TemplateRequest
	var id string
	a.update(func(s *State) {
		ed := &s.TemplateEditor
		ed.Busy, ed.Err, ed.Errors = true, "", nil
		req, id = ed.request(), ed.ID
	})
	var err error
	if id == "" {
		_, err = a.d.API.CreateTemplate(ctx, req)
	} else {
		_, err = a.d.API.UpdateTemplate(ctx, id, req)
	}
	a.update(func(s *State) {
		ed := &s.TemplateEditor
		ed.Busy = false
		if err == nil {
			s.TemplateEditor = TemplateEditor{}
			s.Templates.Loaded = false
			s.notify(NoticeSuccess, "Template saved.")
			return
		}
		if e, ok := err.(*client.Error); ok && e.API.Field != "" {
			ed.Errors = map[string]string{fieldOfItem(e.API.Field): e.API.Message}
			return
		}
		ed.Err = s.failed(err)
	})
	a.ensureTemplates(ctx)
}

// DeleteTemplate deletes one of the clinician's own templates.
func (a *App) DeleteTemplate(ctx context.Context, id string) {
	err := a.d.API.DeleteTemplate(ctx, id)
	a.update(func(s *State) {
		if err != nil {
			s.notify(NoticeError, s.failed(err))
			return
		}
		if s.TemplateEditor.ID == id {
			s.TemplateEditor = TemplateEditor{}
		}
		s.Templates.Loaded = false
		s.notify(NoticeSuccess, "Template deleted.")
	})
	a.ensureTemplates(ctx)
}

// OwnTemplates are the clinician's own templates, in the server's order.
func (t *TemplatesState) OwnTemplates() []api.NoteTemplate {
	var out []api.NoteTemplate
	for _, it := range t.Items {
		if !it.Builtin {
			out = append(out, it)
		}
	}
	return out
}
