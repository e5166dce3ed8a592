package match

import (
	"testing"

	"github.com/sidenote/sidenote/shared/note"
)

// EHR forms name the same sections in their own words; the decoys between
// them (risk assessment, client name, place of service, next appointment)
// must never receive a section, even where their label names one.
func TestEHRVocabularyAndDecoysBetweenNoteFields(t *testing.T) {
	tests := []struct {
		template note.TemplateID
		fields   []Field
		want     map[string]string // section → field id
	}{
		{note.SOAP, []Field{
			{ID: "name", Label: "Client name", Kind: KindInput},
			textarea("cc", "Chief Complaint / Presenting Problem"),
			{ID: "pos", Label: "Place of service", Kind: KindInput},
			{ID: "mse", Context: "Mental Status / Observations", Kind: KindContentEditable, Multiline: true},
			textarea("risk", "Risk assessment"),
			{ID: "imp", Context: "Clinical Impressions", Kind: KindTextarea, Multiline: true},
			{ID: "next", Label: "Next appointment", Kind: KindInput},
			{ID: "plan", Context: "Treatment Plan & Homework", Placeholder: "Homework assigned and the plan for the next session.", Kind: KindTextarea, Multiline: true},
		}, map[string]string{"subjective": "cc", "objective": "mse", "assessment": "imp", "plan": "plan"}},
		{note.BIRP, []Field{
			textarea("b", "Presenting behavior"),
			textarea("safety", "Suicide risk / safety plan"),
			textarea("i", "Interventions Used"),
			{ID: "r", Context: "Client Response", Kind: KindTrix, Multiline: true},
			textarea("next", "Next appointment / plan"),
			textarea("p", "Plan"),
		}, map[string]string{"behavior": "b", "intervention": "i", "response": "r", "plan": "p"}},
		{note.GIRP, []Field{
			{ID: "g", Label: "Goals addressed", Kind: KindSlate, Multiline: true},
			{ID: "i", Label: "Interventions Used", Kind: KindDraftJS, Multiline: true},
			{ID: "r", Label: "Client Response", Kind: KindCKEditor4, Multiline: true},
			{ID: "p", Label: "Treatment Plan & Homework", Kind: KindIframe, Multiline: true},
		}, map[string]string{"goal": "g", "intervention": "i", "response": "r", "plan": "p"}},
	}
	for _, tc := range tests {
		t.Run(string(tc.template), func(t *testing.T) {
			tmpl, secs := sections(t, tc.template)
			plan := Match(tmpl, secs, tc.fields, nil)
			got := map[string]string{}
			for _, a := range plan.Assignments {
				got[a.Section] = a.FieldID
			}
			for section, id := range tc.want {
				if got[section] != id {
					t.Errorf("%s went into %q, want %q (plan %+v)", section, got[section], id, plan)
				}
			}
			if len(got) != len(tc.want) {
				t.Errorf("assignments %v, want %v", got, tc.want)
			}
			if plan.LowConfidence {
				t.Errorf("low confidence: %+v", plan)
			}
			for _, c := range plan.Candidates {
				switch c.FieldID {
				case "name", "pos", "risk", "next", "safety":
					t.Errorf("decoy %s offered as a candidate", c.FieldID)
				}
			}
		})
	}
}
