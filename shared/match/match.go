// Package match decides which note section goes into which field of an EHR
// page. The extension collects the page's fields (label, name, kind) and the
// matcher, compiled to WebAssembly, returns a Plan: one field per section, or
// the whole note in a single field when the page has only one note field.
//
// It is shared with GOOS=js GOARCH=wasm builds: standard library and
// shared/note only.
package match

import (
	"cmp"
	"slices"
	"strings"

	"github.com/sidenote/sidenote/shared/note"
)

// Kind is the kind of editing surface a field is.
type Kind string

const (
	KindTextarea        Kind = "textarea"
	KindInput           Kind = "input"
	KindContentEditable Kind = "contenteditable"
	KindCKEditor5       Kind = "ckeditor5"
	KindTinyMCE         Kind = "tinymce"
	KindQuill           Kind = "quill"
	KindProseMirror     Kind = "prosemirror"
	KindLexical         Kind = "lexical"
	KindSlate           Kind = "slate"
	KindDraftJS         Kind = "draftjs"
	KindTrix            Kind = "trix"
	KindCKEditor4       Kind = "ckeditor4"
	// KindIframe is an editing iframe of an editor the extension does not
	// name (a designMode document or a contenteditable body).
	KindIframe Kind = "iframe"
)

// Field is one editable field found on the page.
type Field struct {
	// ID identifies the field within one collection of the page
	// ("frame:ordinal"); it is not stable across page loads.
	ID string `json:"id"`
	// Label is the text a person reads as the field's label (label element,
	// aria-label, aria-labelledby), empty when the page gives none.
	Label string `json:"label"`
	// Context is the nearest preceding heading or table caption cell.
	Context     string `json:"context,omitempty"`
	Placeholder string `json:"placeholder,omitempty"`
	// Name is the element's name or id attribute.
	Name string `json:"name,omitempty"`
	Kind Kind   `json:"kind"`
	// InputType is the type attribute of an <input>.
	InputType    string `json:"input_type,omitempty"`
	Autocomplete string `json:"autocomplete,omitempty"`
	Multiline    bool   `json:"multiline"`
	HasText      bool   `json:"has_text"`
}

// DisplayLabel is the best human-readable name of the field, used in the
// mapping the clinician sees and in insertion receipts.
func (f Field) DisplayLabel() string {
	for _, s := range []string{f.Label, f.Context, f.Placeholder, f.Name} {
		if s = strings.TrimSpace(strings.TrimRight(strings.TrimSpace(s), ":*")); s != "" {
			return s
		}
	}
	return string(f.Kind)
}

// Signature identifies a field across loads of the same page, for
// remembering a clinician's mapping: its name or id attribute when it has
// one, otherwise its normalised label.
func (f Field) Signature() string {
	if f.Name != "" {
		return "name:" + f.Name
	}
	return "label:" + strings.Join(splitWords(f.DisplayLabel()), " ")
}

// Assignment puts one section's text into one field.
type Assignment struct {
	Section      string  `json:"section"`
	SectionTitle string  `json:"section_title"`
	FieldID      string  `json:"field_id"`
	FieldLabel   string  `json:"field_label"`
	Signature    string  `json:"signature"`
	Score        float64 `json:"score"`
	// Remembered is true when the clinician chose this field before.
	Remembered bool `json:"remembered,omitempty"`
	// Text is what goes into the field: the section's text, or the whole
	// note with headings in single-field mode.
	Text string `json:"text"`
}

// Unmatched is a section that goes nowhere, and why.
type Unmatched struct {
	Section string `json:"section"`
	Reason  string `json:"reason"`
}

// Reasons a section is left out.
const (
	ReasonNotDocumented = "not documented"
	ReasonNoField       = "no matching field"
	ReasonClinician     = "left out by clinician"
)

// Candidate is a field that may receive note text, offered to the clinician
// when they change the mapping.
type Candidate struct {
	FieldID   string `json:"field_id"`
	Label     string `json:"label"`
	Signature string `json:"signature"`
	HasText   bool   `json:"has_text"`
}

// Plan is the proposed mapping of a note onto a page.
type Plan struct {
	Assignments []Assignment `json:"assignments"`
	Unmatched   []Unmatched  `json:"unmatched"`
	// SingleField is true when the whole note goes into one field.
	SingleField bool `json:"single_field"`
	// LowConfidence asks the side panel to show the mapping before writing.
	LowConfidence bool        `json:"low_confidence"`
	Candidates    []Candidate `json:"candidates"`
}

// Score thresholds.
const (
	// minScore is the least score at which a section is put into a field.
	minScore = 0.5
	// confidentScore is the least score of a mapping written without
	// showing it to the clinician first.
	confidentScore = 0.75
)

// Weights of a field's label sources: its own label names it best, a
// heading above it or its placeholder a little less, its name attribute
// least (developers' words, not clinicians').
const (
	weightLabel       = 1.0
	weightContext     = 0.92
	weightPlaceholder = 0.9
	weightName        = 0.85
)

// Match maps the note's sections onto fields. remembered maps a section key
// to the Signature of the field the clinician chose for it on this page
// pattern before; an empty signature means the clinician left it out.
func Match(tmpl note.Template, sections []note.Section, fields []Field, remembered map[string]string) Plan {
	plan := Plan{Assignments: []Assignment{}, Unmatched: []Unmatched{}, Candidates: []Candidate{}}

	var candidates []Field
	claimed := claimedDecoys(sections)
	for _, f := range fields {
		if isCandidate(f, claimed) {
			candidates = append(candidates, f)
			plan.Candidates = append(plan.Candidates, Candidate{FieldID: f.ID, Label: f.DisplayLabel(), Signature: f.Signature(), HasText: f.HasText})
		}
	}

	var documented []note.Section
	for _, s := range sections {
		if s.NotDocumented || strings.TrimSpace(s.Text) == "" {
			plan.Unmatched = append(plan.Unmatched, Unmatched{Section: s.Key, Reason: ReasonNotDocumented})
			continue
		}
		documented = append(documented, s)
	}
	if len(documented) == 0 {
		return plan
	}

	defs := make(map[string]note.SectionDef, len(tmpl.Sections))
	for _, d := range tmpl.Sections {
		defs[d.Key] = d
	}
	sectionDef := func(s note.Section) note.SectionDef {
		if d, ok := defs[s.Key]; ok {
			return d
		}
		// A section of the clinician's own template carries its names.
		return note.SectionDef{Key: s.Key, Title: s.Title, Aliases: s.Aliases}
	}

	usedField := map[string]bool{}
	placed := map[string]bool{}
	assign := func(s note.Section, f Field, score float64, remembered bool) {
		plan.Assignments = append(plan.Assignments, Assignment{
			Section: s.Key, SectionTitle: s.Title, FieldID: f.ID, FieldLabel: f.DisplayLabel(),
			Signature: f.Signature(), Score: round(score), Remembered: remembered, Text: s.Text,
		})
		usedField[f.ID] = true
		placed[s.Key] = true
	}

	// The clinician's earlier choices come first.
	for _, s := range documented {
		sig, ok := remembered[s.Key]
		if !ok {
			continue
		}
		if sig == "" {
			placed[s.Key] = true
			plan.Unmatched = append(plan.Unmatched, Unmatched{Section: s.Key, Reason: ReasonClinician})
			continue
		}
		for _, f := range candidates {
			if !usedField[f.ID] && f.Signature() == sig {
				assign(s, f, 1, true)
				break
			}
		}
	}
	if len(plan.Assignments) == 0 {
		var wanted []note.Section // documented and not left out by the clinician
		for _, s := range documented {
			if !placed[s.Key] {
				wanted = append(wanted, s)
			}
		}
		if f, ok := singleNoteField(candidates); ok && len(wanted) > 0 {
			if whole, ok := wholeNote(tmpl, wanted, f, sectionDef); ok {
				if rememberedWhole(remembered, f) {
					whole.Score, whole.Remembered = 1, true
				}
				plan.SingleField = true
				plan.Assignments = append(plan.Assignments, whole)
				plan.LowConfidence = whole.Score < confidentScore
				return plan
			}
		}
	}

	// Greedy assignment over every (section, field) pair, best first: a
	// field labelled exactly "Plan" goes to the plan even when "Treatment
	// plan" would also have matched it.
	type pair struct {
		section int
		field   int
		score   float64
	}
	var pairs []pair
	for si, s := range documented {
		if placed[s.Key] {
			continue
		}
		def := sectionDef(s)
		for fi, f := range candidates {
			if usedField[f.ID] {
				continue
			}
			if sc := fieldScore(def, f); sc >= minScore {
				pairs = append(pairs, pair{si, fi, sc})
			}
		}
	}
	slices.SortStableFunc(pairs, func(a, b pair) int {
		if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		if c := cmp.Compare(a.section, b.section); c != 0 {
			return c
		}
		return cmp.Compare(a.field, b.field)
	})
	for _, p := range pairs {
		s, f := documented[p.section], candidates[p.field]
		if placed[s.Key] || usedField[f.ID] {
			continue
		}
		assign(s, f, p.score, false)
	}

	freeFields := 0
	for _, f := range candidates {
		if !usedField[f.ID] && f.Multiline {
			freeFields++
		}
	}
	for _, s := range documented {
		if !placed[s.Key] {
			plan.Unmatched = append(plan.Unmatched, Unmatched{Section: s.Key, Reason: ReasonNoField})
			if freeFields > 0 {
				// A section is left over while note fields remain empty:
				// the clinician should see where things go.
				plan.LowConfidence = true
			}
		}
	}
	for _, a := range plan.Assignments {
		if !a.Remembered && a.Score < confidentScore {
			plan.LowConfidence = true
		}
	}
	// Keep the assignments in the note's order, which is also the order the
	// clinician reads them in the reply.
	order := map[string]int{}
	for i, s := range sections {
		order[s.Key] = i
	}
	slices.SortStableFunc(plan.Assignments, func(a, b Assignment) int { return cmp.Compare(order[a.Section], order[b.Section]) })
	return plan
}

// rememberedWhole reports whether the clinician chose this field for a
// whole note before: a whole-note assignment's section is the section keys
// joined by "+", and that is the key its mapping is remembered under.
func rememberedWhole(remembered map[string]string, f Field) bool {
	for key, sig := range remembered {
		if strings.Contains(key, "+") && sig == f.Signature() {
			return true
		}
	}
	return false
}

// singleNoteField returns the page's only multi-line candidate, when there
// is exactly one and no single-line field competes with it.
func singleNoteField(candidates []Field) (Field, bool) {
	var only Field
	n := 0
	for _, f := range candidates {
		if f.Multiline {
			only = f
			n++
		}
	}
	return only, n == 1
}

// wholeNote puts the whole note, with headings, into the page's one note
// field, unless that field is clearly one specific section of a
// several-section note (a form that only asks for "Plan").
func wholeNote(tmpl note.Template, documented []note.Section, f Field, def func(note.Section) note.SectionDef) (Assignment, bool) {
	noteScore := fieldScore(note.SectionDef{Key: "narrative", Title: "Progress note", Aliases: narrativeAliases()}, f)
	if len(documented) > 1 {
		for _, s := range documented {
			if d := def(s); d.Key != "narrative" && fieldScore(d, f) >= confidentScore && fieldScore(d, f) > noteScore {
				return Assignment{}, false
			}
		}
	}
	text := note.Compose(documented)
	keys := make([]string, len(documented))
	for i, s := range documented {
		keys[i] = s.Key
	}
	section := strings.Join(keys, "+")
	title := tmpl.Name + " note"
	if len(documented) == 1 {
		section, title = documented[0].Key, documented[0].Title
	}
	// A field that reads as a note field is a confident target; any other
	// lone field (say "Comments") is a guess the clinician should confirm.
	score := max(noteScore, 0.6)
	return Assignment{
		Section: section, SectionTitle: title, FieldID: f.ID, FieldLabel: f.DisplayLabel(),
		Signature: f.Signature(), Score: round(score), Text: text,
	}, true
}

func narrativeAliases() []string {
	t, _ := note.Lookup(note.Narrative)
	aliases := append([]string{}, t.Sections[0].Aliases...)
	return append(aliases, "Notes", "Documentation", "Clinical documentation", "Progress notes", "Session notes")
}

// fieldScore is how well a field's label sources name a section, in [0, 1].
func fieldScore(def note.SectionDef, f Field) float64 {
	phrases := make([][]string, 0, 2+len(def.Aliases))
	phrases = append(phrases, tokens(def.Title), tokens(def.Key))
	for _, a := range def.Aliases {
		phrases = append(phrases, tokens(a))
	}
	best := 0.0
	for _, src := range []struct {
		text   string
		weight float64
	}{
		{f.Label, weightLabel},
		{f.Context, weightContext},
		{f.Placeholder, weightPlaceholder},
		{f.Name, weightName},
	} {
		if src.text == "" {
			continue
		}
		words := tokens(src.text)
		if src.weight == weightName {
			words = dropNameNoise(words)
		}
		for _, p := range phrases {
			best = max(best, src.weight*phraseScore(words, p))
		}
	}
	return best
}

func round(f float64) float64 {
	return float64(int(f*1000+0.5)) / 1000
}

// nameNoise are words developers add to field names that say nothing about
// the section ("note[objective_text]", "assessmentNote").
var nameNoise = map[string]bool{
	"note": true, "text": true, "txt": true, "field": true, "input": true, "value": true,
	"content": true, "editor": true, "form": true, "section": true, "area": true, "textarea": true,
	"soap": true, "dap": true, "birp": true, "girp": true,
}

func dropNameNoise(words []string) []string {
	kept := make([]string, 0, len(words))
	for _, w := range words {
		if !nameNoise[w] {
			kept = append(kept, w)
		}
	}
	if len(kept) == 0 {
		return words
	}
	return kept
}

// LabelScore is how well a field labelled label fits the section def, from
// 0 to 1, as Match scores a field's own label. The side panel uses it to
// propose a field for a section Match left without one.
func LabelScore(def note.SectionDef, label string) float64 {
	return fieldScore(def, Field{Label: label})
}
