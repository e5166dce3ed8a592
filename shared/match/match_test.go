package match

import (
	"fmt"
	"strings"
	"testing"

	"github.com/sidenote/sidenote/shared/note"
)

// sections returns a filled note of the template with fictional text.
func sections(t testing.TB, id note.TemplateID) (note.Template, []note.Section) {
	t.Helper()
	tmpl, ok := note.Lookup(id)
	if !ok {
		t.Fatalf("no template %q", id)
	}
	out := make([]note.Section, len(tmpl.Sections))
	for i, d := range tmpl.Sections {
		out[i] = note.Section{Key: d.Key, Title: d.Title, Text: "Fictional " + d.Title + " text.\nSecond line."}
	}
	return tmpl, out
}

func textarea(id, label string) Field {
	return Field{ID: id, Label: label, Kind: KindTextarea, Multiline: true}
}

func TestMatchSectionFields(t *testing.T) {
	tests := []struct {
		name     string
		template note.TemplateID
		fields   []Field
		want     map[string]string // section → field id
		lowConf  bool
	}{
		{
			name: "SOAP titles", template: note.SOAP,
			fields: []Field{textarea("1", "Subjective"), textarea("2", "Objective"), textarea("3", "Assessment"), textarea("4", "Plan")},
			want:   map[string]string{"subjective": "1", "objective": "2", "assessment": "3", "plan": "4"},
		},
		{
			name: "SOAP letters with punctuation and required marks", template: note.SOAP,
			fields: []Field{textarea("1", "S:"), textarea("2", "O:"), textarea("3", "A: *"), textarea("4", "P -")},
			want:   map[string]string{"subjective": "1", "objective": "2", "assessment": "3", "plan": "4"},
		},
		{
			name: "SOAP in shuffled order with synonyms", template: note.SOAP,
			fields: []Field{
				textarea("p", "Treatment plan / next steps"),
				textarea("cc", "Chief complaint"),
				textarea("mse", "Mental status exam"),
				textarea("imp", "Clinical impression"),
			},
			want: map[string]string{"subjective": "cc", "objective": "mse", "assessment": "imp", "plan": "p"},
		},
		{
			name: "SOAP labelled in a heading and by name attributes", template: note.SOAP,
			fields: []Field{
				{ID: "a", Context: "S - Subjective", Name: "note[subj]", Kind: KindTinyMCE, Multiline: true},
				{ID: "b", Name: "note[objective_text]", Kind: KindCKEditor5, Multiline: true},
				{ID: "c", Name: "assessmentNote", Kind: KindQuill, Multiline: true},
				{ID: "d", Placeholder: "Plan for next session", Kind: KindLexical, Multiline: true},
			},
			want: map[string]string{"subjective": "a", "objective": "b", "assessment": "c", "plan": "d"},
		},
		{
			name: "SOAP with abbreviations", template: note.SOAP,
			fields: []Field{textarea("1", "Subj."), textarea("2", "Obj."), textarea("3", "Assess."), textarea("4", "Tx plan")},
			want:   map[string]string{"subjective": "1", "objective": "2", "assessment": "3", "plan": "4"},
		},
		{
			name: "SOAP beside unrelated fields", template: note.SOAP,
			fields: []Field{
				{ID: "q", Label: "Search clients", Kind: KindInput, InputType: "search"},
				{ID: "dx", Label: "Diagnosis (ICD-10)", Kind: KindInput},
				{ID: "cpt", Label: "CPT code", Kind: KindInput},
				{ID: "dur", Label: "Duration (minutes)", Kind: KindInput, InputType: "number"},
				{ID: "date", Label: "Date of service", Kind: KindInput},
				textarea("1", "Subjective"), textarea("2", "Objective"), textarea("3", "Assessment"), textarea("4", "Plan"),
			},
			want: map[string]string{"subjective": "1", "objective": "2", "assessment": "3", "plan": "4"},
		},
		{
			name: "DAP", template: note.DAP,
			fields: []Field{textarea("d", "Data"), textarea("a", "Assessment"), textarea("p", "Plan")},
			want:   map[string]string{"data": "d", "assessment": "a", "plan": "p"},
		},
		{
			name: "DAP with descriptive labels", template: note.DAP,
			fields: []Field{textarea("d", "Session data (subjective and objective)"), textarea("a", "Assessment of progress"), textarea("p", "Plan / homework")},
			want:   map[string]string{"data": "d", "assessment": "a", "plan": "p"},
		},
		{
			name: "BIRP", template: note.BIRP,
			fields: []Field{textarea("b", "Behavior"), textarea("i", "Intervention"), textarea("r", "Response"), textarea("p", "Plan")},
			want:   map[string]string{"behavior": "b", "intervention": "i", "response": "r", "plan": "p"},
		},
		{
			name: "BIRP British spelling and long labels", template: note.BIRP,
			fields: []Field{
				textarea("b", "Presenting behaviour"),
				textarea("i", "Interventions used by clinician"),
				textarea("r", "Client's response to intervention"),
				textarea("p", "Plan for next session"),
			},
			want: map[string]string{"behavior": "b", "intervention": "i", "response": "r", "plan": "p"},
		},
		{
			name: "GIRP letters", template: note.GIRP,
			fields: []Field{textarea("g", "G"), textarea("i", "I"), textarea("r", "R"), textarea("p", "P")},
			want:   map[string]string{"goal": "g", "intervention": "i", "response": "r", "plan": "p"},
		},
		{
			name: "narrative into a progress note field among others", template: note.Narrative,
			fields: []Field{
				{ID: "t", Label: "Note title", Kind: KindInput},
				textarea("n", "Progress note"),
				textarea("c", "Internal comments"),
			},
			want: map[string]string{"narrative": "n"},
		},
		{
			name: "exact label wins over a longer synonym", template: note.SOAP,
			fields: []Field{textarea("tp", "Treatment plan goals"), textarea("p", "Plan"), textarea("s", "Subjective"), textarea("o", "Objective"), textarea("a", "Assessment")},
			want:   map[string]string{"subjective": "s", "objective": "o", "assessment": "a", "plan": "p"},
		},
		{
			name: "SOAP with long EHR-style labels and extra fields", template: note.SOAP,
			fields: []Field{
				textarea("sym", "Symptom description and subjective report"),
				textarea("obj", "Objective content"),
				textarea("risk", "Risk assessment"),
				textarea("a", "Assessment"),
				textarea("meds", "Medications"),
				textarea("p", "Plan"),
				textarea("extra", "Additional notes"),
			},
			want: map[string]string{"subjective": "sym", "objective": "obj", "assessment": "a", "plan": "p"},
		},
		{
			name: "BIRP with presentation and therapeutic wording", template: note.BIRP,
			fields: []Field{
				textarea("b", "Client presentation"),
				textarea("i", "Therapeutic interventions"),
				textarea("r", "Client's response"),
				textarea("p", "Plan for next session"),
			},
			want: map[string]string{"behavior": "b", "intervention": "i", "response": "r", "plan": "p"},
		},
		{
			name: "GIRP with session focus", template: note.GIRP,
			fields: []Field{textarea("g", "Session focus"), textarea("i", "Interventions"), textarea("r", "Response to treatment"), textarea("p", "Follow-up")},
			want:   map[string]string{"goal": "g", "intervention": "i", "response": "r", "plan": "p"},
		},
		{
			name: "SOAP as single-line inputs named by id", template: note.SOAP,
			fields: []Field{
				{ID: "s", Name: "soap_subjective", Kind: KindInput},
				{ID: "o", Name: "soap_objective", Kind: KindInput},
				{ID: "a", Name: "soap_assessment", Kind: KindInput},
				{ID: "p", Name: "soap_plan", Kind: KindInput},
			},
			want: map[string]string{"subjective": "s", "objective": "o", "assessment": "a", "plan": "p"},
		},
		{
			name: "a page without matching fields", template: note.SOAP,
			fields:  []Field{textarea("x", "Internal comments"), textarea("y", "Billing notes")},
			want:    map[string]string{},
			lowConf: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl, secs := sections(t, tt.template)
			plan := Match(tmpl, secs, tt.fields, nil)
			if plan.SingleField {
				t.Fatalf("single-field mode on a page with %d fields: %+v", len(tt.fields), plan)
			}
			got := map[string]string{}
			for _, a := range plan.Assignments {
				got[a.Section] = a.FieldID
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("mapping = %v, want %v\nplan: %+v", got, tt.want, plan)
			}
			if plan.LowConfidence != tt.lowConf {
				t.Errorf("low confidence = %v, want %v (%+v)", plan.LowConfidence, tt.lowConf, plan.Assignments)
			}
			for _, a := range plan.Assignments {
				if a.Text == "" || a.FieldLabel == "" || a.Signature == "" {
					t.Errorf("assignment missing text, label or signature: %+v", a)
				}
			}
		})
	}
}

func TestUnrelatedFieldsAreNeverTargets(t *testing.T) {
	unrelated := []Field{
		{Label: "Search", Kind: KindInput},
		{Label: "Search clients", Kind: KindInput, InputType: "search"},
		{Placeholder: "Find a note…", Kind: KindInput},
		{Label: "Diagnosis", Kind: KindTextarea, Multiline: true},
		{Label: "Primary diagnosis (ICD-10)", Kind: KindInput},
		{Label: "Dx code", Kind: KindInput},
		{Label: "DSM-5 code", Kind: KindInput},
		{Label: "CPT code", Kind: KindInput},
		{Label: "Billing code / modifier", Kind: KindInput},
		{Label: "Billing plan", Kind: KindInput},
		{Label: "Units", Kind: KindInput},
		{Label: "Session duration", Kind: KindInput},
		{Label: "Minutes", Kind: KindInput},
		{Label: "Date of service", Kind: KindInput},
		{Label: "Follow-up date", Kind: KindInput},
		{Label: "Start time", Kind: KindInput},
		{Label: "DOB", Kind: KindInput},
		{Label: "Client name", Kind: KindInput},
		{Label: "Last name", Kind: KindInput},
		{Label: "Email", Kind: KindInput},
		{Label: "Phone", Kind: KindInput},
		{Label: "Plan", Kind: KindInput, InputType: "password"},
		{Label: "Plan", Kind: KindInput, InputType: "email"},
		{Label: "Plan", Kind: KindInput, InputType: "date"},
		{Label: "Subjective", Kind: KindInput, Autocomplete: "name"},
		{Label: "Assessment", Kind: KindInput, Autocomplete: "tel"},
		{Name: "search_query", Kind: KindInput},
		{Name: "client_email", Kind: KindInput},
		{Label: "Subjective", Kind: "select"},
		{Label: "Clinician signature", Kind: KindInput},
	}
	for i := range unrelated {
		unrelated[i].ID = fmt.Sprint("u", i)
	}
	for _, id := range []note.TemplateID{note.SOAP, note.DAP, note.BIRP, note.GIRP, note.Narrative} {
		tmpl, secs := sections(t, id)
		for _, f := range unrelated {
			if isCandidate(f, nil) {
				t.Errorf("%+v is a candidate", f)
			}
		}
		plan := Match(tmpl, secs, unrelated, nil)
		if len(plan.Assignments) != 0 || len(plan.Candidates) != 0 {
			t.Errorf("%s: unrelated fields targeted: %+v", id, plan)
		}
	}
}

func TestMultilineSectionFieldThatAlsoNamesADiagnosisIsACandidate(t *testing.T) {
	tmpl, secs := sections(t, note.SOAP)
	fields := []Field{textarea("s", "Subjective"), textarea("o", "Objective"), textarea("a", "Assessment / diagnosis"), textarea("p", "Plan")}
	plan := Match(tmpl, secs, fields, nil)
	for _, a := range plan.Assignments {
		if a.Section == "assessment" && a.FieldID == "a" {
			return
		}
	}
	t.Fatalf("assessment not placed in the assessment/diagnosis field: %+v", plan.Assignments)
}

func TestSingleNoteField(t *testing.T) {
	tmpl, secs := sections(t, note.SOAP)
	secs[1].Text, secs[1].NotDocumented = "", true

	t.Run("progress note field gets the whole note with headings", func(t *testing.T) {
		fields := []Field{
			{ID: "q", Label: "Search", Kind: KindInput, InputType: "search"},
			{ID: "n", Label: "Progress note", Kind: KindCKEditor5, Multiline: true},
		}
		plan := Match(tmpl, secs, fields, nil)
		if !plan.SingleField || len(plan.Assignments) != 1 {
			t.Fatalf("plan = %+v, want one whole-note assignment", plan)
		}
		a := plan.Assignments[0]
		if a.FieldID != "n" || a.Text != note.Compose(secs) {
			t.Errorf("assignment = %+v", a)
		}
		if !strings.Contains(a.Text, "Subjective:\n") || strings.Contains(a.Text, "Objective:") {
			t.Errorf("whole note lacks headings or includes the undocumented section:\n%s", a.Text)
		}
		if plan.LowConfidence {
			t.Error("a field labelled Progress note is a confident target")
		}
		if len(plan.Unmatched) != 1 || plan.Unmatched[0] != (Unmatched{Section: "objective", Reason: ReasonNotDocumented}) {
			t.Errorf("unmatched = %+v", plan.Unmatched)
		}
	})
	t.Run("an unnamed lone field is a guess", func(t *testing.T) {
		plan := Match(tmpl, secs, []Field{textarea("c", "Comments")}, nil)
		if !plan.SingleField || !plan.LowConfidence {
			t.Errorf("plan = %+v, want single field with low confidence", plan)
		}
	})
	t.Run("a lone field the clinician chose for the whole note is confident", func(t *testing.T) {
		f := textarea("c", "Comments")
		plan := Match(tmpl, secs, []Field{f}, map[string]string{"subjective+objective+assessment+plan": f.Signature()})
		if !plan.SingleField || plan.LowConfidence || !plan.Assignments[0].Remembered {
			t.Errorf("plan = %+v, want a remembered whole-note assignment", plan)
		}
	})
	t.Run("a lone field for one section gets only that section", func(t *testing.T) {
		plan := Match(tmpl, secs, []Field{textarea("p", "Plan")}, nil)
		if plan.SingleField || len(plan.Assignments) != 1 || plan.Assignments[0].Section != "plan" {
			t.Errorf("plan = %+v, want the plan section only", plan)
		}
	})
	t.Run("a lone single-line field never takes the whole note", func(t *testing.T) {
		plan := Match(tmpl, secs, []Field{{ID: "t", Label: "Comments", Kind: KindInput}}, nil)
		if plan.SingleField || len(plan.Assignments) != 0 {
			t.Errorf("plan = %+v", plan)
		}
	})
	t.Run("sections the clinician left out stay out of the whole note", func(t *testing.T) {
		plan := Match(tmpl, secs, []Field{textarea("n", "Progress note")}, map[string]string{"plan": ""})
		if !plan.SingleField || strings.Contains(plan.Assignments[0].Text, "Plan:") || plan.Assignments[0].Section != "subjective+assessment" {
			t.Errorf("plan = %+v", plan)
		}
	})
	t.Run("narrative note into its field", func(t *testing.T) {
		tmpl, secs := sections(t, note.Narrative)
		plan := Match(tmpl, secs, []Field{textarea("n", "Session note")}, nil)
		if !plan.SingleField || plan.Assignments[0].Text != secs[0].Text || plan.Assignments[0].Section != "narrative" {
			t.Errorf("plan = %+v", plan)
		}
	})
}

func TestRememberedMapping(t *testing.T) {
	tmpl, secs := sections(t, note.SOAP)
	fields := []Field{
		{ID: "1", Label: "Box 1", Name: "box1", Kind: KindTextarea, Multiline: true},
		{ID: "2", Label: "Box 2", Name: "box2", Kind: KindTextarea, Multiline: true},
		textarea("3", "Assessment"),
		textarea("4", "Plan"),
	}
	remembered := map[string]string{"subjective": "name:box2", "objective": "name:box1", "plan": ""}
	plan := Match(tmpl, secs, fields, remembered)
	got := map[string]string{}
	for _, a := range plan.Assignments {
		got[a.Section] = a.FieldID
		if (a.Section == "subjective" || a.Section == "objective") && !a.Remembered {
			t.Errorf("%s not marked remembered", a.Section)
		}
	}
	want := map[string]string{"subjective": "2", "objective": "1", "assessment": "3"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("mapping = %v, want %v", got, want)
	}
	if !slicesContain(plan.Unmatched, Unmatched{Section: "plan", Reason: ReasonClinician}) {
		t.Errorf("plan section not left out as chosen: %+v", plan.Unmatched)
	}
	if plan.LowConfidence {
		t.Errorf("remembered mapping should be confident: %+v", plan)
	}
}

func TestRememberedFieldMissingFallsBackToScoring(t *testing.T) {
	tmpl, secs := sections(t, note.SOAP)
	fields := []Field{textarea("1", "Subjective"), textarea("2", "Objective"), textarea("3", "Assessment"), textarea("4", "Plan")}
	plan := Match(tmpl, secs, fields, map[string]string{"subjective": "name:gone"})
	if len(plan.Assignments) != 4 || plan.Assignments[0].FieldID != "1" {
		t.Errorf("plan = %+v", plan)
	}
}

func TestSignatureIsStableAcrossLoads(t *testing.T) {
	a := Field{ID: "0:1", Label: "  Subjective: ", Kind: KindTextarea}
	b := Field{ID: "2:7", Label: "Subjective", Kind: KindQuill}
	if a.Signature() != b.Signature() || a.Signature() != "label:subjective" {
		t.Errorf("signatures %q, %q", a.Signature(), b.Signature())
	}
	if got := (Field{Name: "note_s", Label: "S"}).Signature(); got != "name:note_s" {
		t.Errorf("signature = %q", got)
	}
}

func TestRunRejectsAMissingTemplate(t *testing.T) {
	if _, err := Run(Request{}); err == nil {
		t.Fatal("want an error")
	}
	plan, err := Run(Request{Template: note.DAP, Sections: []note.Section{{Key: "data", Title: "Data", Text: "x"}}, Fields: []Field{textarea("d", "Data"), textarea("p", "Plan")}})
	if err != nil || len(plan.Assignments) != 1 {
		t.Fatalf("plan = %+v, err = %v", plan, err)
	}
}

// A clinician's own template is not built in: its sections carry their
// titles and aliases, and the matcher places them by those.
func TestCustomSectionsMatchByTheirAliases(t *testing.T) {
	plan, err := Run(Request{
		Template: "01a24222-06db-7e08-a8b3-126222f9eece",
		Sections: []note.Section{
			{Key: "homework", Title: "Homework", Aliases: []string{"Between-session tasks"}, Text: "Keep the panic log."},
			{Key: "interventions_used", Title: "Interventions used", Aliases: []string{"Skills practised"}, Text: "Reviewed the breathing exercise."},
		},
		Fields: []Field{textarea("f1", "Skills practised"), textarea("f2", "Between-session tasks")},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, a := range plan.Assignments {
		got[a.Section] = a.FieldID
	}
	if got["homework"] != "f2" || got["interventions_used"] != "f1" {
		t.Fatalf("assignments %+v (unmatched %+v)", plan.Assignments, plan.Unmatched)
	}
}

// A risk field is a decoy for a SOAP note, but the place for a section the
// clinician's own template calls "Risk assessment".
func TestRiskFieldTakesOnlyARiskSection(t *testing.T) {
	fields := []Field{textarea("f1", "Risk assessment"), textarea("f2", "Plan")}
	soap, err := Run(Request{Template: "soap", Sections: []note.Section{
		{Key: "plan", Title: "Plan", Text: "Continue weekly sessions."},
		{Key: "assessment", Title: "Assessment", Text: "Mood improved."},
	}, Fields: fields})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range soap.Assignments {
		if a.FieldID == "f1" {
			t.Fatalf("a SOAP section went into the risk field: %+v", soap.Assignments)
		}
	}
	custom, err := Run(Request{Template: "01a24222-06db-7e08-a8b3-126222f9eece", Sections: []note.Section{
		{Key: "risk", Title: "Risk assessment", Aliases: []string{"Safety screening"}, Text: "Client denied suicidal ideation."},
		{Key: "plan", Title: "Plan", Text: "Continue weekly sessions."},
	}, Fields: fields})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, a := range custom.Assignments {
		got[a.Section] = a.FieldID
	}
	if got["risk"] != "f1" || got["plan"] != "f2" {
		t.Fatalf("assignments %+v (unmatched %+v)", custom.Assignments, custom.Unmatched)
	}
}

func TestPathPattern(t *testing.T) {
	tests := map[string]string{
		"":                             "/",
		"/":                            "/",
		"/clients/812/notes/5531/edit": "/clients/*/notes/*/edit",
		"/notes/3f2b8c1e-9d4a-4c6b-8a2f-1e2d3c4b5a69": "/notes/*",
		"/appointments/5f8e2a9b7c/progress-note":      "/appointments/*/progress-note",
		"/chart/a8Fk29dLq0Zx/soap?tab=2#top":          "/chart/*/soap",
		"/v2/encounters/new":                          "/v2/encounters/new",
		"/notes/soap-note":                            "/notes/soap-note",
		"/record/deadbeef":                            "/record/deadbeef",
		"relative/42":                                 "/relative/*",
	}
	for in, want := range tests {
		if got := PathPattern(in); got != want {
			t.Errorf("PathPattern(%q) = %q, want %q", in, got, want)
		}
	}
}

func slicesContain[T comparable](s []T, v T) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
