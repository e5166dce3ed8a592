package app

import (
	"strings"
	"testing"

	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/shared/match"
	"github.com/sidenote/sidenote/wasm/internal/client"
)

// A page whose fields the matcher was unsure of: only Plan matched; the
// others have labels of their own.
func uncertainPlan() match.Plan {
	return match.Plan{
		LowConfidence: true,
		Assignments:   []match.Assignment{{Section: "plan", SectionTitle: "Plan", FieldID: "0:4", FieldLabel: "Plan", Signature: "name:plan", Score: 0.9}},
		Unmatched: []match.Unmatched{
			{Section: "subjective", Reason: match.ReasonNoField},
			{Section: "objective", Reason: match.ReasonNotDocumented},
			{Section: "assessment", Reason: match.ReasonNoField},
		},
		Candidates: []match.Candidate{
			{FieldID: "0:1", Label: "Client's subjective report", Signature: "name:subj"},
			{FieldID: "0:2", Label: "Billing code", Signature: "name:billing"},
			{FieldID: "0:3", Label: "Clinician assessment", Signature: "name:assess"},
			{FieldID: "0:4", Label: "Plan", Signature: "name:plan"},
		},
	}
}

func TestCheckPanelProposesTheBestFieldInNoteOrder(t *testing.T) {
	f := newFixture(t)
	host := &fakeHost{plan: uncertainPlan(), result: InsertResult{OK: true, Filled: []FilledField{{Section: "plan", Field: "Plan"}}}}
	f.start(host)
	f.readyNote()
	f.app.Insert(bg)
	ns := f.state().Session.Note
	if !ns.Insert.Confirm {
		t.Fatal("the check panel did not open")
	}
	var got []string
	for _, r := range MappingRows(ns) {
		got = append(got, r.Section+"="+r.FieldID)
	}
	// Objective has nothing documented: it is not offered.
	if strings.Join(got, " ") != "subjective=0:1 assessment=0:3 plan=0:4" {
		t.Errorf("rows = %v", got)
	}
	f.app.ConfirmInsert(bg)
	m := host.inserted[0]
	if m["subjective"] != "name:subj" || m["assessment"] != "name:assess" || m["plan"] != "name:plan" {
		t.Errorf("one click inserted %v", m)
	}
	if n := f.state().Notice.Text; !strings.Contains(n, "draft") {
		t.Errorf("inserting a draft did not say so: %q", n)
	}
}

func TestCheckPanelLeavesOutOnlyWhenNoFieldIsPlausible(t *testing.T) {
	f := newFixture(t)
	plan := uncertainPlan()
	plan.Candidates = []match.Candidate{{FieldID: "0:2", Label: "Billing code", Signature: "name:billing"}, {FieldID: "0:4", Label: "Plan", Signature: "name:plan"}}
	host := &fakeHost{plan: plan}
	f.start(host)
	f.readyNote()
	f.app.Insert(bg)
	for _, r := range MappingRows(f.state().Session.Note) {
		if r.Section != "plan" && r.FieldID != "" {
			t.Errorf("%s proposed for %s", r.FieldID, r.Section)
		}
	}
}

func TestAFieldGoesToTheSectionItFitsBest(t *testing.T) {
	f := newFixture(t)
	plan := uncertainPlan()
	// Objective is documented here and listed first; "Clinician
	// assessment" fits it a little, Assessment much better.
	plan.Unmatched = []match.Unmatched{{Section: "objective", Reason: match.ReasonNoField}, {Section: "assessment", Reason: match.ReasonNoField}}
	plan.Candidates = []match.Candidate{{FieldID: "0:3", Label: "Clinician assessment", Signature: "name:assess"}, {FieldID: "0:4", Label: "Plan", Signature: "name:plan"}}
	host := &fakeHost{plan: plan}
	f.start(host)
	f.readyNote()
	f.app.EditSection("objective", "Client appeared calm.")
	f.api.on("PATCH /api/v1/notes/n1", func(*client.Request) reply {
		n := soapNote("n1", 2, api.NoteReady)
		n.Sections[1].Text, n.Sections[1].NotDocumented = "Client appeared calm.", false
		return ok(n)
	})
	f.app.Insert(bg)
	got := map[string]string{}
	for _, r := range MappingRows(f.state().Session.Note) {
		got[r.Section] = r.FieldID
	}
	if got["assessment"] != "0:3" || got["objective"] != "" {
		t.Errorf("proposals = %v", got)
	}
}
