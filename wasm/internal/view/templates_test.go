package view

import (
	"strings"
	"testing"

	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/wasm/internal/app"
)

func TestTemplateFormShowsTheServerMessageAtItsField(t *testing.T) {
	st := app.State{Me: &api.Clinician{ID: "c1"}, Screen: app.ScreenTemplates, TemplateEditor: app.TemplateEditor{
		Open: true, Name: "Brief",
		Sections: []app.EditedSection{{Title: "Notes", DrawsFrom: []string{"narrative"}}, {Title: "Notes"}},
		Errors:   map[string]string{"sections[1].title": "Two sections are titled “Notes”."},
	}}
	p := Render(&st, env)
	body := slot(t, p, "t-body").HTML
	for _, want := range []string{
		`id="t-title-1" type="text" maxlength="80" data-input="tmpl-title" data-arg="1" autocomplete="off" aria-invalid="true" aria-describedby="err-sections[1].title">`,
		`id="err-sections[1].title"`, "Two sections are titled “Notes”.",
		`id="t-kind-0-narrative" data-change="tmpl-kind" data-arg="0:narrative" checked>`,
		`aria-label="Move section 1 up" disabled>`, `aria-label="Move section 2 down" disabled>`,
		`<label for="t-name">Name</label>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("form lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, `aria-describedby="err-sections[0].title"`) {
		t.Error("the message is attached to the wrong section")
	}
	if p.Values["t-title-0"] != "Notes" || p.Values["t-name"] != "Brief" {
		t.Errorf("values: %v", p.Values)
	}
}
