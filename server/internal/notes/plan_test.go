package notes

import (
	"strings"
	"testing"
	"time"

	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/shared/note"
)

func TestBuildTreatmentPlan(t *testing.T) {
	notes := []SignedNote{
		{ID: "n1", Sections: []note.Section{
			{Key: "subjective", Text: "Client reports trouble falling asleep most nights. She enjoyed a visit from her sister."},
			{Key: "assessment", Text: "Symptoms are consistent with ongoing work stress. Progress is slow but steady."},
			{Key: "plan", Text: "Client will keep a sleep diary every night for two weeks. We will talk again soon."},
			{Key: "objective", NotDocumented: true},
		}},
		{ID: "n2", Sections: []note.Section{
			{Key: "goal", Text: "Reduce evening worry."},
			{Key: "intervention", Text: "Practised paced breathing. Introduced a worry-postponement exercise."},
			{Key: "response", Text: "Client said her goal is to sleep through the night."},
			{Key: "plan", Text: "Client will keep a sleep diary every night for two weeks."},
		}},
	}
	plan := BuildTreatmentPlan("c1", notes, time.Unix(0, 0))
	got := map[string][]string{}
	for name, items := range map[string][]string{
		"problems":      itemsText(plan.Problems),
		"goals":         itemsText(plan.Goals),
		"objectives":    itemsText(plan.Objectives),
		"interventions": itemsText(plan.Interventions),
	} {
		got[name] = items
	}
	want := map[string][]string{
		"problems":      {"Client reports trouble falling asleep most nights.", "Symptoms are consistent with ongoing work stress.", "Progress is slow but steady."},
		"goals":         {"Reduce evening worry.", "Client said her goal is to sleep through the night."},
		"objectives":    {"Client will keep a sleep diary every night for two weeks."},
		"interventions": {"Practised paced breathing.", "Introduced a worry-postponement exercise."},
	}
	for name, w := range want {
		if strings.Join(got[name], "|") != strings.Join(w, "|") {
			t.Errorf("%s = %q, want %q", name, got[name], w)
		}
	}
	// The repeated objective carries both notes as its sources.
	if srcs := plan.Objectives[0].Sources; len(srcs) != 2 || srcs[0].NoteID != "n1" || srcs[1].NoteID != "n2" || srcs[0].SectionKey != "plan" {
		t.Errorf("objective sources = %+v", srcs)
	}
	// No invention: every item occurs verbatim in a section it names.
	for _, items := range [][]string{got["problems"], got["goals"], got["objectives"], got["interventions"]} {
		for _, text := range items {
			found := false
			for _, n := range notes {
				for _, s := range n.Sections {
					found = found || strings.Contains(s.Text, text)
				}
			}
			if !found {
				t.Errorf("%q is not in any note", text)
			}
		}
	}
	if plan.NotesUsed != 2 || plan.ClientID != "c1" {
		t.Errorf("plan = %+v", plan)
	}
}

func TestBuildTreatmentPlanEmpty(t *testing.T) {
	plan := BuildTreatmentPlan("c1", nil, time.Unix(0, 0))
	if plan.Problems == nil || len(plan.Goals)+len(plan.Objectives)+len(plan.Interventions)+len(plan.Problems) != 0 {
		t.Fatalf("empty plan = %+v", plan)
	}
}

func itemsText(items []api.PlanItem) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.Text)
	}
	return out
}
