package api

import (
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/sidenote/sidenote/server/internal/notepdf/pdftest"
	"github.com/sidenote/sidenote/server/internal/store/storetest"
	"github.com/sidenote/sidenote/shared/api"
)

// TestCustomTemplates: a clinician defines a template, writes a note with
// it (each section filled from the built-in kinds it draws from), edits,
// inserts and prints it; the template is theirs alone.
func TestCustomTemplates(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, databaseURL string) {
		ts := newTestServer(t, databaseURL)
		a := ts.login("a@example.com")

		var list api.Page[api.NoteTemplate]
		ts.do(a, http.MethodGet, "/api/v1/templates", nil, http.StatusOK, &list)
		if len(list.Items) != 5 || list.Items[0].ID != "soap" || !list.Items[0].Builtin || list.Items[0].Sections[0].DrawsFrom[0] != "subjective" {
			t.Fatalf("built-in templates: %+v", list.Items)
		}

		name := "Intake — Zoë’s clinic"
		req := api.TemplateRequest{Name: &name, Sections: []api.TemplateSection{
			{Title: "Interventions used", Aliases: []string{"Techniques", "techniques"}, DrawsFrom: []string{"intervention", "intervention"}},
			{Title: "Risk assessment", Aliases: []string{"Safety"}, DrawsFrom: []string{"assessment"}},
			{Title: "Homework", DrawsFrom: []string{"plan"}},
			{Title: "Goals", DrawsFrom: []string{"goal"}},
		}}
		var tmpl api.NoteTemplate
		ts.do(a, http.MethodPost, "/api/v1/templates", req, http.StatusCreated, &tmpl)
		keys := []string{}
		for _, s := range tmpl.Sections {
			keys = append(keys, s.Key)
		}
		if tmpl.Builtin || tmpl.Name != name || !reflect.DeepEqual(keys, []string{"interventions_used", "risk_assessment", "homework", "goals"}) ||
			!reflect.DeepEqual(tmpl.Sections[0].Aliases, []string{"Techniques"}) || !reflect.DeepEqual(tmpl.Sections[0].DrawsFrom, []string{"intervention"}) ||
			tmpl.Sections[2].Aliases == nil {
			t.Fatalf("created: %+v", tmpl)
		}
		tmplPath := "/api/v1/templates/" + string(tmpl.ID)
		if got := auditCount(t, ts, "template.write", string(tmpl.ID)); got != 1 {
			t.Errorf("%d template.write events", got)
		}

		for _, bad := range []struct {
			req   api.TemplateRequest
			code  string
			field string
		}{
			{api.TemplateRequest{Sections: req.Sections}, api.CodeInvalidField, "name"},
			{api.TemplateRequest{Name: ptr("Other")}, api.CodeInvalidField, "sections"},
			{api.TemplateRequest{Name: &name, Sections: req.Sections}, api.CodeConflict, "name"},
			{api.TemplateRequest{Name: ptr("soap"), Sections: req.Sections}, api.CodeConflict, "name"},
			{api.TemplateRequest{Name: ptr("Other"), Sections: []api.TemplateSection{{Title: "X", DrawsFrom: []string{"diagnosis"}}}}, api.CodeInvalidField, "sections[0].draws_from[0]"},
			{api.TemplateRequest{Name: ptr("Other"), Sections: []api.TemplateSection{{Title: "X"}}}, api.CodeInvalidField, "sections[0].draws_from"},
			{api.TemplateRequest{Name: ptr("Other"), Sections: []api.TemplateSection{{Title: "X", DrawsFrom: []string{"plan"}}, {Title: "x", DrawsFrom: []string{"plan"}}}}, api.CodeInvalidField, "sections[1].title"},
			{api.TemplateRequest{Name: ptr("Other"), Sections: []api.TemplateSection{{Title: "X", Aliases: []string{"a\nb"}, DrawsFrom: []string{"plan"}}}}, api.CodeInvalidField, "sections[0].aliases[0]"},
			{api.TemplateRequest{Name: ptr("Other"), Sections: []api.TemplateSection{{Key: "Bad key", Title: "X", DrawsFrom: []string{"plan"}}}}, api.CodeInvalidField, "sections[0].key"},
		} {
			e := ts.raw(a, http.MethodPost, "/api/v1/templates", bad.req).Error()
			if e.Code != bad.code || e.Field != bad.field {
				t.Errorf("%+v: %+v, want %s on %s", bad.req, e, bad.code, bad.field)
			}
		}

		// A note written with it.
		sess := ts.createAnonymousSession(a, api.SessionInPerson, api.AnonymousIndividual)
		ts.do(a, http.MethodPut, "/api/v1/sessions/"+sess.ID+"/summary", api.TextRequest{Text: fictionalSummary}, http.StatusOK, nil)
		n := ts.generateNote(a, sess.ID, string(tmpl.ID))
		if n.Status != api.NoteReady || n.Template != tmpl.ID || len(n.Sections) != 4 {
			t.Fatalf("note: %+v", n)
		}
		by := map[string]int{}
		for i, s := range n.Sections {
			by[s.Key] = i
			if s.Key != keys[i] || s.Title != tmpl.Sections[i].Title || !slices.Equal(s.Aliases, tmpl.Sections[i].Aliases) {
				t.Errorf("section %d: %s %q %v", i, s.Key, s.Title, s.Aliases)
			}
		}
		if s := n.Sections[by["interventions_used"]]; s.NotDocumented || !strings.Contains(s.Text, "breathing exercise") {
			t.Errorf("interventions: %+v", s)
		}
		if s := n.Sections[by["homework"]]; s.NotDocumented || !strings.Contains(s.Text, "panic log") {
			t.Errorf("homework: %+v", s)
		}
		// The summary holds no assessment.
		if s := n.Sections[by["risk_assessment"]]; !s.NotDocumented || s.Text != "" {
			t.Errorf("risk assessment: %+v", s)
		}
		notePath := "/api/v1/notes/" + n.ID
		var edited api.Note
		ts.do(a, http.MethodPatch, notePath, api.UpdateNoteRequest{Version: n.Version,
			Sections: []api.SectionEdit{{Key: "goals", Text: "Fewer panic attacks by spring."}}}, http.StatusOK, &edited)
		if g := edited.Sections[by["goals"]]; g.NotDocumented || g.Aliases != nil {
			t.Errorf("edited goals: %+v", g)
		}
		ts.do(a, http.MethodPost, notePath+"/insertions", api.InsertionRequest{Origin: "https://ehr.example.com", NoteVersion: edited.Version,
			Fields: []api.InsertionField{{Section: "homework", FieldLabel: "Between-session tasks"}}}, http.StatusCreated, nil)
		ts.do(a, http.MethodPost, notePath+"/insertions", api.InsertionRequest{Origin: "https://ehr.example.com", NoteVersion: edited.Version,
			Fields: []api.InsertionField{{Section: "subjective", FieldLabel: "S"}}}, http.StatusUnprocessableEntity, nil)

		res := ts.do(a, http.MethodGet, notePath+"/pdf", nil, http.StatusOK, nil)
		text := strings.Join(strings.Fields(pdftest.Text(t, res.Body)), " ")
		for _, want := range []string{"Progress note (" + name + ")", "Interventions used", "Risk assessment", "Homework", "Goals Fewer panic attacks by spring."} {
			if !strings.Contains(text, want) {
				t.Errorf("PDF lacks %q:\n%s", want, text)
			}
		}

		// Renaming and reordering; keys sent back are kept.
		var renamed api.NoteTemplate
		ts.do(a, http.MethodPatch, tmplPath, api.TemplateRequest{Name: ptr("Intake v2"), Sections: []api.TemplateSection{
			{Key: "homework", Title: "Between-session tasks", DrawsFrom: []string{"plan"}},
			{Title: "Interventions used", DrawsFrom: []string{"intervention"}},
		}}, http.StatusOK, &renamed)
		if renamed.Name != "Intake v2" || renamed.Sections[0].Key != "homework" || renamed.Sections[1].Key != "interventions_used" || !renamed.UpdatedAt.After(*tmpl.UpdatedAt) && !renamed.UpdatedAt.Equal(*tmpl.UpdatedAt) {
			t.Errorf("renamed: %+v", renamed)
		}
		ts.do(a, http.MethodGet, "/api/v1/templates", nil, http.StatusOK, &list)
		if len(list.Items) != 6 || list.Items[5].ID != tmpl.ID || list.Items[5].Name != "Intake v2" {
			t.Errorf("list after rename: %+v", list.Items)
		}
		ts.do(a, http.MethodPatch, "/api/v1/templates/soap", api.TemplateRequest{Name: ptr("Mine")}, http.StatusConflict, nil)
		ts.do(a, http.MethodDelete, "/api/v1/templates/soap", nil, http.StatusConflict, nil)
		var soap api.NoteTemplate
		ts.do(a, http.MethodGet, "/api/v1/templates/soap", nil, http.StatusOK, &soap)
		if !soap.Builtin || soap.Name != "SOAP" {
			t.Errorf("GET soap: %+v", soap)
		}

		// Another clinician cannot use A's template, even on their own session:
		// it answers exactly as a template that does not exist.
		b := ts.login("b@example.com")
		bs := ts.createAnonymousSession(b, api.SessionInPerson, api.AnonymousCouple)
		ts.do(b, http.MethodPut, "/api/v1/sessions/"+bs.ID+"/summary", api.TextRequest{Text: fictionalSummary}, http.StatusOK, nil)
		theirs := ts.do(b, http.MethodPost, "/api/v1/sessions/"+bs.ID+"/notes", api.GenerateNoteRequest{Template: tmpl.ID}, http.StatusUnprocessableEntity, nil)
		missing := ts.do(b, http.MethodPost, "/api/v1/sessions/"+bs.ID+"/notes", api.GenerateNoteRequest{Template: "00000000-0000-0000-0000-000000000000"}, http.StatusUnprocessableEntity, nil)
		if string(theirs.Body) != string(missing.Body) || theirs.Error().Field != "template" {
			t.Errorf("A's template for B: %s; a missing one: %s", theirs.Body, missing.Body)
		}
		var bList api.Page[api.NoteTemplate]
		ts.do(b, http.MethodGet, "/api/v1/templates", nil, http.StatusOK, &bList)
		if len(bList.Items) != 5 {
			t.Errorf("B sees %d templates", len(bList.Items))
		}

		ts.do(a, http.MethodDelete, tmplPath, nil, http.StatusNoContent, nil)
		ts.do(a, http.MethodGet, tmplPath, nil, http.StatusNotFound, nil)
		if got := auditCount(t, ts, "template.delete", string(tmpl.ID)); got != 1 {
			t.Errorf("%d template.delete events", got)
		}
		var kept api.Note
		ts.do(a, http.MethodGet, notePath, nil, http.StatusOK, &kept)
		if len(kept.Sections) != 4 || kept.Sections[0].Title != "Interventions used" {
			t.Errorf("note after its template was deleted: %+v", kept.Sections)
		}
		ts.do(a, http.MethodGet, notePath+"/pdf", nil, http.StatusOK, nil)
	})
}
