// Package note defines the note templates and the shape of a note's sections.
// It is shared by the server (generation), the sidebar (display, editing) and
// the insertion matcher, so a template and its section keys exist only here.
// It must compile for GOOS=js GOARCH=wasm: standard library only.
package note

import "errors"

// TemplateID names a note template as it appears in the API.
type TemplateID string

const (
	SOAP      TemplateID = "soap"
	DAP       TemplateID = "dap"
	BIRP      TemplateID = "birp"
	GIRP      TemplateID = "girp"
	Narrative TemplateID = "narrative"
)

// SectionDef describes one section of a template. Aliases are the other names
// an EHR form may give the same field ("S", "Chief complaint", ...); the
// insertion matcher scores field labels against Title, Key and Aliases.
type SectionDef struct {
	Key     string   `json:"key"`
	Title   string   `json:"title"`
	Aliases []string `json:"aliases,omitempty"`
}

// Template is an ordered list of sections.
type Template struct {
	ID       TemplateID   `json:"id"`
	Name     string       `json:"name"`
	Sections []SectionDef `json:"sections"`
}

var (
	subjective = SectionDef{Key: "subjective", Title: "Subjective", Aliases: []string{"S", "Chief complaint", "Presenting problem", "Client report", "Patient report", "History of present illness", "HPI", "Reason for visit"}}
	objective  = SectionDef{Key: "objective", Title: "Objective", Aliases: []string{"O", "Observations", "Clinician observations", "Mental status", "Mental status exam", "MSE", "Presentation"}}
	assessment = SectionDef{Key: "assessment", Title: "Assessment", Aliases: []string{"A", "Clinical impression", "Impression", "Progress", "Progress toward goals", "Clinical assessment"}}
	plan       = SectionDef{Key: "plan", Title: "Plan", Aliases: []string{"P", "Next steps", "Treatment plan", "Homework", "Follow up", "Follow-up", "Recommendations", "Plan for next session"}}
	data       = SectionDef{Key: "data", Title: "Data", Aliases: []string{"D", "Session data", "Subjective and objective", "Session content", "Client report"}}
	behavior   = SectionDef{Key: "behavior", Title: "Behavior", Aliases: []string{"B", "Behaviour", "Presenting behavior", "Client behavior", "Observations", "Presentation", "Client presentation"}}
	goal       = SectionDef{Key: "goal", Title: "Goal", Aliases: []string{"G", "Goals", "Treatment goal", "Session goal", "Focus of session"}}
	intervent  = SectionDef{Key: "intervention", Title: "Intervention", Aliases: []string{"I", "Interventions", "Interventions used", "Clinician intervention", "Techniques", "Modalities"}}
	response   = SectionDef{Key: "response", Title: "Response", Aliases: []string{"R", "Response to intervention", "Client response", "Response to treatment"}}
	narrative  = SectionDef{Key: "narrative", Title: "Progress note", Aliases: []string{"Note", "Progress note", "Session note", "Clinical note", "Narrative", "Note text", "Session summary"}}
)

var templates = []Template{
	{ID: SOAP, Name: "SOAP", Sections: []SectionDef{subjective, objective, assessment, plan}},
	{ID: DAP, Name: "DAP", Sections: []SectionDef{data, assessment, plan}},
	{ID: BIRP, Name: "BIRP", Sections: []SectionDef{behavior, intervent, response, plan}},
	{ID: GIRP, Name: "GIRP", Sections: []SectionDef{goal, intervent, response, plan}},
	{ID: Narrative, Name: "Narrative", Sections: []SectionDef{narrative}},
}

// Templates returns every template in display order. The slice is a copy.
func Templates() []Template {
	out := make([]Template, len(templates))
	copy(out, templates)
	return out
}

// Lookup returns the template with the given id.
func Lookup(id TemplateID) (Template, bool) {
	for _, t := range templates {
		if t.ID == id {
			return t, true
		}
	}
	return Template{}, false
}

// Validate reports whether id names a template, with an error naming the
// accepted values otherwise.
func (id TemplateID) Validate() error {
	if _, ok := Lookup(id); ok {
		return nil
	}
	return errors.New("template must be one of soap, dap, birp, girp, narrative")
}

// Span locates the text a section used in one of the session's sources, as
// byte offsets [Start, End) into that source's text.
type Span struct {
	Source string `json:"source"` // "summary" or "transcript"
	Start  int    `json:"start"`
	End    int    `json:"end"`
}

// Source names for Span.Source.
const (
	SourceSummary    = "summary"
	SourceTranscript = "transcript"
)

// Section is one filled section of a note.
type Section struct {
	Key   string `json:"key"`
	Title string `json:"title"`
	Text  string `json:"text"`
	// NotDocumented is true when the session's sources held nothing for this
	// section: the text stays empty rather than being filled with boilerplate.
	NotDocumented bool   `json:"not_documented"`
	Sources       []Span `json:"sources"`
	// Sentences says where each sentence of Text came from, so the sidebar
	// can show a sentence's source. Empty for text the clinician typed.
	Sentences []Sentence `json:"sentences,omitempty"`
}

// Sentence is one sentence of a section: the byte range [Start, End) of
// Section.Text and the source spans it was written from.
type Sentence struct {
	Start   int    `json:"start"`
	End     int    `json:"end"`
	Sources []Span `json:"sources"`
}

// LeftOut is a source sentence, or a model's sentence, that is in no section
// of the note, with the reason, so nothing vanishes unseen. ID is stable
// within the note (the sidebar places an item into a section by it).
type LeftOut struct {
	ID      string `json:"id"`
	Text    string `json:"text"`
	Reason  string `json:"reason"`
	Sources []Span `json:"sources"`
}

// Reasons for LeftOut.Reason.
const (
	LeftOutSmallTalk   = "small_talk"  // greetings, scheduling chatter, thanks
	LeftOutFillerOnly  = "filler_only" // nothing left once fillers are removed
	LeftOutDuplicate   = "duplicate"   // says again what the note already holds
	LeftOutQuestion    = "question"    // a question whose answer is kept
	LeftOutUnsupported = "unsupported" // a model sentence the sources do not support: not added
	LeftOutUnplaced    = "unplaced"    // no section of this template fits it
	LeftOutDictation   = "dictation"   // a dictation's spoken preamble or sign-off
)

// Compose renders sections as one text with a heading per section, for a page
// that has a single note field or for copying the whole note. Sections that
// are not documented are left out.
func Compose(sections []Section) string {
	var out []byte
	for _, s := range sections {
		if s.Text == "" {
			continue
		}
		if len(out) > 0 {
			out = append(out, "\n\n"...)
		}
		if len(sections) > 1 {
			out = append(out, s.Title...)
			out = append(out, ":\n"...)
		}
		out = append(out, s.Text...)
	}
	return string(out)
}
