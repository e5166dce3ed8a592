package app

import (
	"slices"
	"testing"

	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/wasm/internal/client"
)

func newTemplateFixture(t *testing.T) *fixture {
	f := newFixture(t)
	f.signedIn(nil, "")
	f.app.Init(bg)
	f.app.OpenTemplates(bg)
	if s := f.state(); s.Screen != ScreenTemplates || s.Path() != "/app/templates" {
		t.Fatalf("screen %q path %q", s.Screen, s.Path())
	}
	return f
}

func TestCreateTemplateSendsSectionsInOrder(t *testing.T) {
	f := newTemplateFixture(t)
	s0 := f.state()
	if own := s0.Templates.OwnTemplates(); len(own) != 1 || own[0].Name != "Couples intake" {
		t.Fatalf("own templates: %+v", own)
	}
	f.app.NewTemplate()
	f.app.SetTemplateName("  Group check-in ")
	f.app.EditTemplateSection(0, func(s *EditedSection) {
		s.Title = "Themes"
		s.Aliases = "Topics, , Discussion "
		s.SetDrawsFrom("subjective", true)
		s.SetDrawsFrom("data", true)
	})
	f.app.AddTemplateSection()
	f.app.EditTemplateSection(1, func(s *EditedSection) { s.Title = "Next steps"; s.SetDrawsFrom("plan", true) })
	f.app.AddTemplateSection()
	f.app.EditTemplateSection(2, func(s *EditedSection) { s.Title = "Risk"; s.SetDrawsFrom("assessment", true) })
	f.app.MoveTemplateSection(2, -1) // Risk before Next steps
	f.app.MoveTemplateSection(0, -1) // first cannot move up
	f.app.EditTemplateSection(0, func(s *EditedSection) { s.SetDrawsFrom("data", false) })
	f.api.on("POST /api/v1/templates", func(*client.Request) reply { return reply{201, api.NoteTemplate{ID: "t-new", Name: "Group check-in"}} })
	f.app.SaveTemplate(bg)

	var body api.TemplateRequest
	f.api.last("POST /api/v1/templates", &body)
	if body.Name == nil || *body.Name != "Group check-in" {
		t.Errorf("name sent = %v", body.Name)
	}
	var titles []string
	for _, s := range body.Sections {
		titles = append(titles, s.Title)
	}
	if !slices.Equal(titles, []string{"Themes", "Risk", "Next steps"}) {
		t.Errorf("titles sent = %q", titles)
	}
	if got := body.Sections[0]; !slices.Equal(got.Aliases, []string{"Topics", "Discussion"}) || !slices.Equal(got.DrawsFrom, []string{"subjective"}) {
		t.Errorf("first section sent = %+v", got)
	}
	s := f.state()
	if s.TemplateEditor.Open || s.Notice.Text != "Template saved." {
		t.Errorf("after save: editor %+v notice %q", s.TemplateEditor, s.Notice.Text)
	}
	if f.api.count("GET /api/v1/templates") < 2 {
		t.Error("the templates were not reloaded after saving")
	}
}

func TestEditTemplateKeepsKeysAndRemovesASection(t *testing.T) {
	f := newTemplateFixture(t)
	f.api.on("GET /api/v1/templates/0b6f2c1e-custom", func(*client.Request) reply {
		return ok(api.NoteTemplate{ID: "0b6f2c1e-custom", Name: "Couples intake", Sections: []api.TemplateSection{
			{Key: "presenting", Title: "Presenting concern", Aliases: []string{"Reason for visit"}, DrawsFrom: []string{"subjective"}},
			{Key: "dynamics", Title: "Dynamics", Aliases: []string{}, DrawsFrom: []string{"objective", "assessment"}},
			{Key: "plan", Title: "Plan", Aliases: []string{}, DrawsFrom: []string{"plan"}},
		}})
	})
	f.app.EditTemplate(bg, "0b6f2c1e-custom")
	ed := f.state().TemplateEditor
	if !ed.Open || ed.ID != "0b6f2c1e-custom" || len(ed.Sections) != 3 || ed.Sections[0].Aliases != "Reason for visit" {
		t.Fatalf("editor: %+v", ed)
	}
	f.app.RemoveTemplateSection(1)
	f.app.SetTemplateName("Couples intake (short)")
	f.api.on("PATCH /api/v1/templates/0b6f2c1e-custom", func(*client.Request) reply { return ok(api.NoteTemplate{ID: "0b6f2c1e-custom"}) })
	f.app.SaveTemplate(bg)
	var body api.TemplateRequest
	f.api.last("PATCH /api/v1/templates/0b6f2c1e-custom", &body)
	if len(body.Sections) != 2 || body.Sections[0].Key != "presenting" || body.Sections[1].Key != "plan" || *body.Name != "Couples intake (short)" {
		t.Errorf("sent %+v", body)
	}
}

func TestTemplate422IsShownAtTheFieldItNames(t *testing.T) {
	f := newTemplateFixture(t)
	f.app.NewTemplate()
	f.app.SetTemplateName("Brief")
	f.app.AddTemplateSection()
	f.app.EditTemplateSection(0, func(s *EditedSection) { s.Title = "Notes"; s.SetDrawsFrom("narrative", true) })
	f.app.EditTemplateSection(1, func(s *EditedSection) { s.Title = "Follow-up" })
	f.api.on("POST /api/v1/templates", func(*client.Request) reply {
		return reply{422, api.ErrorBody{Error: api.Error{Code: api.CodeInvalidField, Field: "sections[1].draws_from", Message: "Choose the built-in sections this one is written from."}}}
	})
	f.app.SaveTemplate(bg)
	ed := f.state().TemplateEditor
	if !ed.Open || ed.Busy || ed.Errors["sections[1].draws_from"] != "Choose the built-in sections this one is written from." || len(ed.Errors) != 1 {
		t.Errorf("editor after 422: %+v", ed)
	}
	// An alias named by its index is shown at the section's aliases field.
	f.api.on("POST /api/v1/templates", func(*client.Request) reply {
		return reply{422, api.ErrorBody{Error: api.Error{Code: api.CodeInvalidField, Field: "sections[0].aliases[3]", Message: "An alias is 1 to 80 characters."}}}
	})
	f.app.SaveTemplate(bg)
	if got := f.state().TemplateEditor.Errors; got["sections[0].aliases"] == "" || len(got) != 1 {
		t.Errorf("errors: %v", got)
	}
}

func TestDeleteTemplate(t *testing.T) {
	f := newTemplateFixture(t)
	f.api.on("DELETE /api/v1/templates/0b6f2c1e-custom", func(*client.Request) reply { return reply{204, nil} })
	f.app.DeleteTemplate(bg, "0b6f2c1e-custom")
	if f.api.count("DELETE /api/v1/templates/0b6f2c1e-custom") != 1 || f.state().Notice.Text != "Template deleted." {
		t.Errorf("notice %q", f.state().Notice.Text)
	}
	f.api.on("DELETE /api/v1/templates/gone", func(*client.Request) reply { return apiErr(404, api.CodeNotFound, "No such template.") })
	f.app.DeleteTemplate(bg, "gone")
	if n := f.state().Notice; n.Kind != NoticeError {
		t.Errorf("notice after 404: %+v", n)
	}
}

func TestTemplatesRoute(t *testing.T) {
	if r := ParseRoute("/app/templates", ""); r.Screen != ScreenTemplates {
		t.Errorf("route %+v", r)
	}
}
