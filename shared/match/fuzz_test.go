package match

import (
	"strings"
	"testing"

	"github.com/sidenote/sidenote/shared/note"
)

// FuzzMatch checks the matcher's invariants on arbitrary labels and text: no
// panic, each field and each section used at most once, only candidate
// fields targeted, scores in [0, 1], every documented section either placed
// or reported.
func FuzzMatch(f *testing.F) {
	seeds := []struct {
		label, context, name, text string
		kind, template             uint8
	}{
		{"Subjective", "", "note[s]", "Client reports better sleep.", 0, 0},
		{"S:", "SOAP note", "", "Line one\nLine two", 3, 0},
		{"Search", "", "q", "x", 1, 1},
		{"Diagnosis / assessment", "", "dx", "Some text", 0, 0},
		{"Progress note", "", "", "Whole note\n\nparagraph", 4, 4},
		{"Client's response to intervention", "Section R", "resp", "Engaged", 5, 2},
		{"", "", "", "", 0, 3},
		{"A", "B", "C", "\x00\uFFFD", 6, 2},
		{"Assessment (ICD-10 codes)", "", "assessmentText", "text", 1, 0},
		{"fU/ 42 ŞÜBJ", "ÖBJ", "camelCaseNAME99", "t", 7, 1},
	}
	for _, s := range seeds {
		f.Add(s.label, s.context, s.name, s.text, s.kind, s.template)
	}
	kinds := []Kind{KindTextarea, KindInput, KindContentEditable, KindCKEditor5, KindTinyMCE, KindQuill, KindProseMirror, KindLexical, "select"}
	templates := note.Templates()

	f.Fuzz(func(t *testing.T, label, context, name, text string, kind, template uint8) {
		tmpl := templates[int(template)%len(templates)]
		secs := make([]note.Section, len(tmpl.Sections))
		for i, d := range tmpl.Sections {
			secs[i] = note.Section{Key: d.Key, Title: d.Title, Text: text}
		}
		k := kinds[int(kind)%len(kinds)]
		fields := []Field{
			{ID: "f0", Label: label, Context: context, Name: name, Kind: k, Multiline: k != KindInput},
			{ID: "f1", Label: context, Placeholder: label, Kind: KindTextarea, Multiline: true},
			{ID: "f2", Label: name, Kind: KindInput},
			{ID: "f3", Label: "Search " + label, Kind: KindInput, InputType: "search"},
		}
		remembered := map[string]string{tmpl.Sections[0].Key: fields[int(kind)%len(fields)].Signature()}

		for _, rem := range []map[string]string{nil, remembered} {
			plan := Match(tmpl, secs, fields, rem)
			candidate := map[string]bool{}
			for _, c := range plan.Candidates {
				candidate[c.FieldID] = true
			}
			if candidate["f3"] {
				t.Fatal("a search input became a candidate")
			}
			usedField, usedSection := map[string]bool{}, map[string]bool{}
			for _, a := range plan.Assignments {
				if !candidate[a.FieldID] {
					t.Fatalf("assignment to a non-candidate field: %+v", a)
				}
				if usedField[a.FieldID] {
					t.Fatalf("field %s used twice", a.FieldID)
				}
				usedField[a.FieldID] = true
				for _, key := range strings.Split(a.Section, "+") {
					if usedSection[key] {
						t.Fatalf("section %s placed twice", key)
					}
					usedSection[key] = true
				}
				if a.Score < 0 || a.Score > 1 {
					t.Fatalf("score %v out of range", a.Score)
				}
				if strings.TrimSpace(a.Text) == "" {
					t.Fatalf("empty text assigned: %+v", a)
				}
			}
			for _, u := range plan.Unmatched {
				if usedSection[u.Section] {
					t.Fatalf("section %s both placed and unmatched", u.Section)
				}
				usedSection[u.Section] = true
			}
			if len(usedSection) != len(secs) {
				t.Fatalf("sections accounted for: %v of %d", usedSection, len(secs))
			}
		}
		PathPattern(label + "/" + name)
	})
}
