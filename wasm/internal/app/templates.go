package app

import (
	"context"

	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/shared/note"
)

// TemplatesState is the list of note templates from the server: the
// built-in ones and the clinician's own. Until it loads (or offline), the
// built-in ones known here are offered.
type TemplatesState struct {
	Items   []api.NoteTemplate
	Loaded  bool
	Loading bool
}

// Offered lists the templates to choose from, in the server's order.
func (t *TemplatesState) Offered() []api.NoteTemplate {
	if t.Loaded && len(t.Items) > 0 {
		return t.Items
	}
	var out []api.NoteTemplate
	for _, b := range note.Templates() {
		out = append(out, api.NoteTemplate{ID: b.ID, Name: b.Name, Builtin: true})
	}
	return out
}

// Name is a template's name as the clinician gave it, or the built-in's.
func (t *TemplatesState) Name(id note.TemplateID) string {
	for _, it := range t.Offered() {
		if it.ID == id {
			return it.Name
		}
	}
	if b, ok := note.Lookup(id); ok {
		return b.Name
	}
	return "Own template"
}

// ensureTemplates loads the templates once per sign-in.
func (a *App) ensureTemplates(ctx context.Context) {
	load := false
	a.update(func(s *State) {
		if !s.Templates.Loaded && !s.Templates.Loading {
			s.Templates.Loading, load = true, true
		}
	})
	if !load {
		return
	}
	items, err := a.d.API.Templates(ctx)
	a.update(func(s *State) {
		s.Templates.Loading = false
		if err == nil {
			s.Templates.Items, s.Templates.Loaded = items, true
		}
	})
}

// customTemplate reports whether id is one of the clinician's own
// templates.
func (a *App) customTemplate(id note.TemplateID) bool {
	return read(a, func(s *State) bool {
		for _, t := range s.Templates.Items {
			if t.ID == id {
				return true
			}
		}
		return false
	})
}
