package notes_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/sidenote/sidenote/server/internal/notes"
	"github.com/sidenote/sidenote/server/internal/notes/eval"
	"github.com/sidenote/sidenote/shared/note"
)

const panelDir = "eval/testdata/panel"

// TestPanelGolden keeps the built-in note of every panel case, tuned and
// held-out, for every template, in testdata/panel-golden: a golden is the
// generator's output to review, not a label, and nothing is tuned on it.
func TestPanelGolden(t *testing.T) {
	cases, err := eval.LoadPanel(panelDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			out := map[note.TemplateID]notes.Result{}
			for _, tmpl := range note.Templates() {
				res, err := notes.NewBuiltin().Generate(context.Background(), tmpl, c.Source)
				if err != nil {
					t.Fatal(err)
				}
				notes.CheckResult(t, tmpl, c.Source, res)
				if res.RiskMentioned != c.RiskMentioned {
					t.Errorf("%s: risk_mentioned = %v, the panel says %v", tmpl.ID, res.RiskMentioned, c.RiskMentioned)
				}
				out[tmpl.ID] = res
			}
			got, err := json.MarshalIndent(out, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			notes.CompareGolden(t, filepath.Join("testdata", "panel-golden", c.Name+".json"), append(got, '\n'))
		})
	}
}

// Placement the built-in generator must keep on the panel: at least 95 % on
// the tuned part for every labelled template (issue 12), and on the held-out
// part the floor it honestly reached when this test was written (measured
// with `make notes-eval`, never tuned on), so a change that generalises worse
// fails here.
var heldOutFloor = map[note.TemplateID]float64{note.SOAP: 0.75, note.DAP: 0.86, note.BIRP: 0.75, note.GIRP: 0.68}

func TestPanelPlacement(t *testing.T) {
	cases, err := eval.LoadPanel(panelDir)
	if err != nil {
		t.Fatal(err)
	}
	report, err := eval.Measure(context.Background(), notes.NewBuiltin(), cases)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range eval.LabelledTemplates() {
		for part, tally := range map[string]*eval.Tally{"tuned": report.Tuned[id], "held-out": report.HeldOut[id]} {
			got := float64(tally.Correct) / float64(tally.Sentences)
			want := 0.95
			if part == "held-out" {
				want = heldOutFloor[id]
			}
			if got < want {
				t.Errorf("%s %s placement %.1f%%, want at least %.0f%%", id, part, 100*got, 100*want)
			}
			if tally.Dropped != 0 || tally.Twice != 0 {
				t.Errorf("%s %s: %d sentences dropped unseen, %d in two sections", id, part, tally.Dropped, tally.Twice)
			}
			if tally.RiskAgree != tally.Cases {
				t.Errorf("%s %s: risk_mentioned agrees in %d of %d cases", id, part, tally.RiskAgree, tally.Cases)
			}
			if tally.Pronouns != 0 {
				t.Errorf("%s %s: %d first- or second-person pronouns outside quotation marks", id, part, tally.Pronouns)
			}
		}
	}
}
