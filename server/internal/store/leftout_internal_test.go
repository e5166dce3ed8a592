package store

import (
	"testing"

	"github.com/sidenote/sidenote/shared/note"
)

func TestAppendToSectionContinuesWhatTheSectionIs(t *testing.T) {
	item := note.LeftOut{ID: "x", Text: "  Call the clinic if sleep worsens. ", Sources: []note.Span{{Source: note.SourceTranscript, Start: 4, End: 38}}}
	for _, tc := range []struct{ name, before, after string }{
		{"empty", "", "Call the clinic if sleep worsens."},
		{"blank", " \n", "Call the clinic if sleep worsens."},
		{"paragraph", "Continue weekly sessions.", "Continue weekly sessions.\n\nCall the clinic if sleep worsens."},
		{"paragraph ending in a newline", "Continue weekly sessions.\n", "Continue weekly sessions.\n\nCall the clinic if sleep worsens."},
		{"dashes", "- Sleep diary\n- Walk daily", "- Sleep diary\n- Walk daily\n- Call the clinic if sleep worsens."},
		{"bullets and a newline", "• Sleep diary\n", "• Sleep diary\n• Call the clinic if sleep worsens."},
		{"numbers", "Homework:\n  1. Sleep diary\n  2) Walk daily", "Homework:\n  1. Sleep diary\n  2) Walk daily\n  3) Call the clinic if sleep worsens."},
		{"list then a paragraph", "- Sleep diary\nReview next week.", "- Sleep diary\nReview next week.\n\nCall the clinic if sleep worsens."},
		{"a number that is no list", "2024 was hard.", "2024 was hard.\n\nCall the clinic if sleep worsens."},
	} {
		sec := note.Section{Key: "plan", Text: tc.before, NotDocumented: tc.before == ""}
		appendToSection(&sec, item)
		if sec.Text != tc.after {
			t.Errorf("%s: %q, want %q", tc.name, sec.Text, tc.after)
			continue
		}
		last := sec.Sentences[len(sec.Sentences)-1]
		if sec.Text[last.Start:last.End] != "Call the clinic if sleep worsens." || len(last.Sources) != 1 || sec.NotDocumented {
			t.Errorf("%s: sentence %+v of %q", tc.name, last, sec.Text)
		}
	}
}

func TestRelocateSentences(t *testing.T) {
	src := func(n int) []note.Span { return []note.Span{{Source: note.SourceSummary, Start: n, End: n + 1}} }
	at := func(start, end, source int) note.Sentence {
		return note.Sentence{Start: start, End: end, Sources: src(source)}
	}
	old := "Slept well. Slept well. Ate less."
	sentences := []note.Sentence{{Start: 0, End: 11, Sources: src(1)}, {Start: 12, End: 23, Sources: src(2)}, {Start: 24, End: 33, Sources: src(3)}}
	for _, tc := range []struct {
		name, text string
		want       []note.Sentence
	}{
		{"unchanged", old, sentences},
		{"moved", "Ate less. Slept well. Slept well.", []note.Sentence{at(0, 9, 3), at(10, 21, 1), at(22, 33, 2)}},
		{"one of a pair gone", "Slept well. Ate less!", []note.Sentence{at(0, 11, 1)}},
		{"all rewritten", "Sleep was fine.", nil},
		{"out of range", "", nil},
	} {
		got := relocateSentences(old, tc.text, sentences)
		if len(got) != len(tc.want) {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
			continue
		}
		for i := range got {
			if got[i].Start != tc.want[i].Start || got[i].End != tc.want[i].End || got[i].Sources[0] != tc.want[i].Sources[0] {
				t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
			}
		}
	}
	if got := relocateSentences("short", "short", []note.Sentence{{Start: 2, End: 40}}); len(got) != 0 {
		t.Errorf("a sentence beyond its text was kept: %+v", got)
	}
}
