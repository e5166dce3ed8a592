package notes

import (
	"testing"
)

// TestGroundingAcceptsBuiltinWording: every sentence the built-in generator
// writes is supported by its own sources under the LLM's grounding check,
// so the two generators hold the same standard of "no invention".
func TestGroundingAcceptsBuiltinWording(t *testing.T) {
	for _, f := range loadFixtures(t) {
		d := analyze(f.src)
		ids := d.numbered()
		k := 0
		for _, u := range d.units {
			var cites []int
			for range u.sents {
				k++
				cites = append(cites, k)
			}
			if u.leave != "" {
				continue
			}
			text := d.phrase(u)
			if reason, _ := d.checkModelSentence(text, cites, ids, make([]int, len(ids)), 0); reason != "" {
				t.Errorf("%s: %q (from %q) is %s", f.name, text, u.sents[0].text, reason)
			}
		}
	}
}

func TestGroundingRejects(t *testing.T) {
	sources := []string{"Client reports sleeping 5.5 hours a night.", "She does not drink.", "Sam went to the gym with Priya."}
	for _, tc := range []struct {
		text  string
		cites []int
		want  bool
	}{
		{"Client reported sleeping 5.5 hours a night.", []int{0}, true},
		{"Client reported that she sleeps 5.5 hours a night.", []int{0}, true},
		{"Client reports sleeping 6 hours a night.", []int{0}, false}, // a changed number
		{"Client reports sleeping five hours a night.", []int{0}, false},
		{"She drinks.", []int{1}, false},           // a dropped negation
		{"She does not sleep.", []int{0, 1}, true}, // a negation the sources make
		{"Client does not sleep 5.5 hours a night.", []int{0}, false},
		{"Client denies suicidal ideation.", []int{0, 1}, false}, // an invented denial
		{"Mental status exam within normal limits.", []int{0, 1, 2}, false},
		{"Sam went to the gym with Maria.", []int{2}, false},     // a changed name
		{`Client stated, "I sleep 5.5 hours."`, []int{0}, false}, // not the source's words
		{"I sleep 5.5 hours a night.", []int{0}, false},          // first person outside quotation marks
		{"Client reported that Sam went to the gym with Priya.", []int{2}, true},
	} {
		var cited []string
		for _, i := range tc.cites {
			cited = append(cited, sources[i])
		}
		if got, why := newEvidence(cited, nil).supports(tc.text); got != tc.want {
			t.Errorf("supports(%q) = %v (%s), want %v; sources %q", tc.text, got, why, tc.want, cited)
		}
	}
}
