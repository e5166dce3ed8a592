package eval

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sidenote/sidenote/server/internal/notes"
	"github.com/sidenote/sidenote/shared/note"
)

const validCase = `title: t
summary: |
  Client reported better sleep. Plan: f/u 2 wks.
risk_mentioned: false
not_documented: {soap: [objective, assessment], dap: [assessment], birp: [intervention, response], girp: [goal, intervention]}
sentences:
  - {text: "Client reported better sleep.", soap: subjective, dap: data, birp: behavior, girp: response}
  - {text: "f/u 2 wks.", soap: plan, dap: plan, birp: plan, girp: plan}
`

func writeCase(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadCaseRejects(t *testing.T) {
	if _, err := LoadCase(writeCase(t, "01_ok.yaml", validCase)); err != nil {
		t.Fatalf("valid case: %v", err)
	}
	for name, tc := range map[string]struct{ old, new, want string }{
		"not found":     {`"f/u 2 wks."`, `"f/u 3 wks."`, "not found"},
		"ambiguous":     {"f/u 2 wks.\n", "f/u 2 wks. Client reported better sleep.\n", "set nth"},
		"unlabelled":    {"  - {text: \"f/u 2 wks.\"", "  - {text: \"f/u\"", "unlabelled text"},
		"invalid label": {"girp: response}", "girp: data}", "not one of"},
		"missing label": {", girp: response}", "}", "no girp label"},
		"partial omit":  {"soap: plan, dap: plan", "soap: omit, dap: plan", "omit in some"},
		"nd mismatch":   {"dap: [assessment]", "dap: []", "not_documented.dap"},
		"unknown field": {"risk_mentioned: false", "risk_mentioned: false\nheld_out: true", "unknown field"},
		"no risk":       {"risk_mentioned: false\n", "", "risk_mentioned missing"},
		"order":         {"  - {text: \"Client reported better sleep.\", soap: subjective, dap: data, birp: behavior, girp: response}\n  - {text: \"f/u 2 wks.\", soap: plan, dap: plan, birp: plan, girp: plan}", "  - {text: \"f/u 2 wks.\", soap: plan, dap: plan, birp: plan, girp: plan}\n  - {text: \"Client reported better sleep.\", soap: subjective, dap: data, birp: behavior, girp: response}", "out of source order"},
	} {
		body := strings.Replace(validCase, tc.old, tc.new, 1)
		if body == validCase {
			t.Fatalf("%s: replacement did not apply", name)
		}
		_, err := LoadCase(writeCase(t, "01_bad.yaml", body))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error containing %q", name, err, tc.want)
		}
	}
	if _, err := LoadCase(writeCase(t, "bad name.yaml", validCase)); err == nil {
		t.Error("a name without the NN_ prefix was accepted")
	}
}

func TestHeldOutRule(t *testing.T) {
	for name, want := range map[string]bool{"03_x.yaml": true, "04_x.yaml": false, "30_x.yaml": true, "31_x.yaml": false} {
		c, err := LoadCase(writeCase(t, name, validCase))
		if err != nil {
			t.Fatal(err)
		}
		if c.HeldOut != want {
			t.Errorf("%s: held out %v, want %v", name, c.HeldOut, want)
		}
	}
}

// TestPlace checks the mapping from spans to sections on a hand-built note:
// the section citing most of a sentence wins, a sentence cited by two
// sections is counted, left_out and dropped are told apart.
func TestPlace(t *testing.T) {
	src := notes.Source{Summary: "Slept well. Denies SI. Hello there. Walk daily."}
	cov := newCoverage(src)
	cov.mark("subjective", []note.Span{{Source: note.SourceSummary, Start: 0, End: 11}})
	cov.mark("objective", []note.Span{{Source: note.SourceSummary, Start: 12, End: 18}})
	cov.mark("assessment", []note.Span{{Source: note.SourceSummary, Start: 18, End: 22}})
	cov.mark(LeftOut, []note.Span{{Source: note.SourceSummary, Start: 23, End: 35}})
	for _, tc := range []struct {
		start, end int
		where      string
		n          int
	}{{0, 11, "subjective", 1}, {12, 22, "objective", 2}, {23, 35, LeftOut, 0}, {36, 47, Dropped, 0}} {
		where, secs := cov.place(note.Span{Source: note.SourceSummary, Start: tc.start, End: tc.end})
		if where != tc.where || len(secs) != tc.n {
			t.Errorf("%q: got %s %v, want %s in %d sections", src.Summary[tc.start:tc.end], where, secs, tc.where, tc.n)
		}
	}
}

func TestWordMeasures(t *testing.T) {
	src := []string{"I'm still having trouble falling asleep."}
	if n, _ := invented("Client reported that she is still having trouble falling asleep.", src); n != 0 {
		t.Errorf("a reported-speech rewording counted %d invented words", n)
	}
	if n, _ := invented("Client stated she had trouble falling asleep.", []string{"I have trouble falling asleep."}); n != 0 {
		t.Errorf("a tense change counted %d invented words", n)
	}
	if n, _ := invented("Client is not having trouble falling asleep.", src); n != 1 {
		t.Errorf("an added negation counted %d invented words, want 1", n)
	}
	if n, _ := invented("Client denied suicidal ideation.", src); n != 3 {
		t.Errorf("an invented denial counted %d invented words, want 3", n)
	}
	for text, want := range map[string]int{
		"Um, it was, like, fine, you know?":  3,
		"It was kind of a relief.":           1,
		"What kind of work? A sort of plan.": 0,
		"I mean it.":                         1,
		"She said she would like to walk.":   0,
		"Uh, er, hmm.":                       3,
	} {
		if got := fillers(text); got != want {
			t.Errorf("fillers(%q) = %d, want %d", text, got, want)
		}
	}
	for text, want := range map[string]int{
		`Client stated, "I'm done with my old job."`: 0,
		"I'm still having trouble.":                  1,
		"You're tapping your foot; we noticed.":      3,
	} {
		if got := pronouns(text); got != want {
			t.Errorf("pronouns(%q) = %d, want %d", text, got, want)
		}
	}
}
