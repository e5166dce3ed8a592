package notes

import (
	"slices"
	"testing"
)

func sentencesOf(s string) []string {
	var out []string
	splitSentences(s, 0, len(s), func(a, b int) { out = append(out, s[a:b]) })
	return out
}

func TestSplitSentences(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
	}{
		{"plain", "She slept badly. Work is stressful! Is it?", []string{"She slept badly.", "Work is stressful!", "Is it?"}},
		{"titles", "Referred by Dr. Patel and Mrs. Ruiz. Next step.", []string{"Referred by Dr. Patel and Mrs. Ruiz.", "Next step."}},
		{"latin", "Coping skills, e.g. walking, i.e. daily. Done.", []string{"Coping skills, e.g. walking, i.e. daily.", "Done."}},
		{"time then sentence", "She woke at 5 a.m. She could not sleep again.", []string{"She woke at 5 a.m.", "She could not sleep again."}},
		{"time mid sentence", "Up at 5 a.m. most days.", []string{"Up at 5 a.m. most days."}},
		{"decimals", "Slept 5.5 hours. Score 14.", []string{"Slept 5.5 hours.", "Score 14."}},
		{"lower-case continues", "Approx. five times a week.", []string{"Approx. five times a week."}},
		{"ellipsis", "I don't know... maybe. Then I left… It was late.", []string{"I don't know... maybe.", "Then I left…", "It was late."}},
		{"quote closes", `She said "I can't." Then cried.`, []string{`She said "I can't."`, "Then cried."}},
		{"initial", "Seen with J. Smith today.", []string{"Seen with J. Smith today."}},
		{"newline capital", "Slept poorly\nWorried about work", []string{"Slept poorly", "Worried about work"}},
		{"wrapped line", "She has been sleeping\nbadly all week.", []string{"She has been sleeping\nbadly all week."}},
		{"blank line", "no period here\n\nnext paragraph", []string{"no period here", "next paragraph"}},
		{"bullets", "- slept badly\n- worried\n2) skipped dinner", []string{"slept badly", "worried", "skipped dinner"}},
		{"empty", "  \n\t ", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sentencesOf(tt.in); !slices.Equal(got, tt.want) {
				t.Errorf("split(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestCleanSpan(t *testing.T) {
	tests := []struct {
		kind    sourceKind
		in, out string
	}{
		{kindTranscript, "Um, I think so.", "I think so."},
		{kindTranscript, "It was, um, hard.", "It was hard."},
		{kindTranscript, "It was, like, really rough.", "It was really rough."},
		{kindTranscript, "I like, um, my job.", "I like my job."},
		{kindTranscript, "Like, I was so angry.", "I was so angry."},
		{kindTranscript, "It was hard, you know.", "It was hard."},
		{kindTranscript, "You know, it was hard.", "It was hard."},
		{kindTranscript, "Do you know what I mean?", "Do you know what I mean?"},
		{kindTranscript, "I I think it it helped.", "I think it helped."},
		{kindTranscript, "I- I haven't been sleeping.", "I haven't been sleeping."},
		{kindTranscript, "We- we went, go- going home.", "We went, going home."},
		{kindTranscript, "It was, um, it was a relief.", "It was a relief."},
		{kindTranscript, "I had had enough.", "I had had enough."},
		{kindTranscript, "(sighs) Yeah [inaudible] okay.", "Yeah okay."},
		{kindSummary, "PHQ-9 (today) was 14.", "PHQ-9 (today) was 14."},
		{kindSummary, "Uh.", ""},
		{kindSummary, "continue  weekly\nCBT.", "Continue weekly CBT."},
	}
	for _, tt := range tests {
		if got := cleanSpan(tt.kind, tt.in); got != tt.out {
			t.Errorf("cleanSpan(%v, %q) = %q, want %q", tt.kind, tt.in, got, tt.out)
		}
	}
}

func TestCueScores(t *testing.T) {
	tests := []struct {
		sentence string
		want     category
	}{
		{"Client reports trouble sleeping.", catReport},
		{"Client appeared tired with flat affect.", catObservation},
		{"Presentation is consistent with moderate depression.", catAssessment},
		{"Homework is a thought record.", catPlan},
		{"We practiced cognitive restructuring.", catIntervention},
		{"She responded well and was receptive.", catResponse},
		{"Her goal is to sleep seven hours.", catGoal},
		{"Thought process was linear and goal-directed.", catObservation},
		{"He appears to be making progress.", catAssessment},
	}
	for _, tt := range tests {
		s := defaultCues.score(words(nil, tt.sentence), nil)
		best := category(0)
		for c := range numCategories {
			if s[c] > s[best] {
				best = c
			}
		}
		if best != tt.want || s[best] == 0 {
			t.Errorf("%q scored %v: top category %v, want %v", tt.sentence, s, best, tt.want)
		}
	}
}
