package e2e

import (
	"html"
	"slices"
	"strings"
	"testing"

	"github.com/sidenote/sidenote/shared/note"
)

// fixtureCases lists each fixture page, the template whose note goes into
// it, and which model key holds which section.
var fixtureCases = []struct {
	page     string
	template note.TemplateID
	fields   map[string]string // model key → section key
}{
	{"plain", note.SOAP, map[string]string{"subjective": "subjective", "objective": "objective", "assessment": "assessment", "plan": "plan"}},
	{"react", note.DAP, map[string]string{"data": "data", "assessment": "assessment", "plan": "plan"}},
	{"vue", note.BIRP, map[string]string{"behavior": "behavior", "intervention": "intervention", "response": "response", "plan": "plan"}},
	{"ckeditor", note.SOAP, map[string]string{"subjective": "subjective", "objective": "objective", "assessment": "assessment", "plan": "plan"}},
	{"tinymce", note.SOAP, map[string]string{"subjective": "subjective", "objective": "objective", "assessment": "assessment", "plan": "plan"}},
	{"quill", note.DAP, map[string]string{"data": "data", "assessment": "assessment", "plan": "plan"}},
	{"tiptap", note.BIRP, map[string]string{"behavior": "behavior", "intervention": "intervention", "response": "response", "plan": "plan"}},
	{"contenteditable", note.DAP, map[string]string{"data": "data", "assessment": "assessment", "plan": "plan"}},
	{"lexical", note.GIRP, map[string]string{"goal": "goal", "intervention": "intervention", "response": "response", "plan": "plan"}},
	{"iframe", note.SOAP, map[string]string{"subjective": "subjective", "objective": "objective", "assessment": "assessment", "plan": "plan"}},
	{"shadow", note.DAP, map[string]string{"data": "data", "assessment": "assessment", "plan": "plan"}},
	{"single", note.Narrative, map[string]string{"note": "narrative"}},
	{"draftjs", note.SOAP, soapFields},
	{"slate", note.DAP, map[string]string{"data": "data", "assessment": "assessment", "plan": "plan"}},
	{"prosemirror", note.BIRP, map[string]string{"behavior": "behavior", "intervention": "intervention", "response": "response", "plan": "plan"}},
	{"trix", note.GIRP, map[string]string{"goal": "goal", "intervention": "intervention", "response": "response", "plan": "plan"}},
	{"ckeditor4", note.SOAP, soapFields},
	{"summernote", note.DAP, map[string]string{"data": "data", "assessment": "assessment", "plan": "plan"}},
	{"knockout", note.SOAP, soapFields},
	{"alpine", note.BIRP, map[string]string{"behavior": "behavior", "intervention": "intervention", "response": "response", "plan": "plan"}},
	// EHR vocabulary through a custom element's <label for>, <dt>, a column
	// header and a caption div, with decoys between the note fields.
	{"labels", note.SOAP, soapFields},
	// The form is in a frame from another origin.
	{"crossorigin", note.DAP, map[string]string{"data": "data", "assessment": "assessment", "plan": "plan"}},
	// Fields showing placeholders (attribute, ::before, a node inside the
	// editable area) are empty.
	{"placeholders", note.SOAP, soapFields},
}

var soapFields = map[string]string{"subjective": "subjective", "objective": "objective", "assessment": "assessment", "plan": "plan"}

func TestEngineFillsEachFixtureAndUndoes(t *testing.T) {
	needBrowser(t)
	for _, tc := range fixtureCases {
		t.Run(tc.page, func(t *testing.T) {
			p := openFixture(t, tc.page)
			n := engineNote(t, tc.template)
			before := p.model(t)

			res := insertEngine(t, p, n, "skip")
			if !res.OK {
				t.Fatalf("insert failed: %+v", res)
			}
			wantSections := slices.Sorted(mapValues(tc.fields))
			if got := slices.Sorted(slices.Values(res.filledSections())); !slices.Equal(got, wantSections) {
				t.Fatalf("filled %v, want %v (result %+v)", got, wantSections, res)
			}
			after := p.model(t)
			for key, section := range tc.fields {
				want := sectionText(n.Sections, section)
				if got := plainText(after[key]); got != want {
					t.Errorf("model[%s] = %q\nwant %q", key, got, want)
				}
			}
			for key, v := range before {
				if _, note := tc.fields[key]; !note && after[key] != v {
					t.Errorf("unrelated field %s changed from %q to %q", key, v, after[key])
				}
			}
			// Quill's getSemanticHTML writes spaces as &nbsp;.
			saved := strings.ReplaceAll(html.UnescapeString(p.save(t)), "\u00a0", " ")
			for _, s := range n.Sections {
				if !slices.Contains(wantSections, s.Key) {
					continue
				}
				if first, _, _ := strings.Cut(s.Text, "\n"); !strings.Contains(saved, first) {
					t.Errorf("saved payload lacks %q: %s", first, saved)
				}
			}

			undo := undoEngine(t, p)
			if !undo.OK || undo.Restored != len(tc.fields) {
				t.Errorf("undo = %+v, want %d restored", undo, len(tc.fields))
			}
			if restored := p.model(t); !mapsEqual(restored, before) {
				t.Errorf("after undo the model is\n%q\nwant\n%q", restored, before)
			}
		})
	}
}

func sectionText(sections []note.Section, key string) string {
	for _, s := range sections {
		if s.Key == key {
			return s.Text
		}
	}
	return ""
}

func mapValues(m map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for _, v := range m {
			if !yield(v) {
				return
			}
		}
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}
