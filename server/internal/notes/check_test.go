package notes

import (
	"slices"
	"strings"
	"testing"

	"github.com/sidenote/sidenote/shared/note"
)

// checkSections asserts the no-invention contract on generated sections:
// one section per template section in order; a section is not documented
// exactly when it has no text and no spans; every span is inside its source;
// and the section's words are exactly the words of its spans after cleaning,
// in span order, so nothing was added, reworded or reordered.
func checkSections(t testing.TB, tmpl note.Template, src Source, sections []note.Section) {
	t.Helper()
	if len(sections) != len(tmpl.Sections) {
		t.Fatalf("got %d sections, want %d", len(sections), len(tmpl.Sections))
	}
	for i, s := range sections {
		def := tmpl.Sections[i]
		if s.Key != def.Key || s.Title != def.Title {
			t.Errorf("section %d is %q/%q, want %q/%q", i, s.Key, s.Title, def.Key, def.Title)
		}
		if s.NotDocumented != (s.Text == "") || s.NotDocumented != (len(s.Sources) == 0) {
			t.Errorf("section %s: not_documented=%v with %d bytes of text and %d spans", s.Key, s.NotDocumented, len(s.Text), len(s.Sources))
		}
		var fromSpans []string
		for _, sp := range s.Sources {
			text, kind := src.Summary, kindSummary
			switch sp.Source {
			case note.SourceSummary:
			case note.SourceTranscript:
				text, kind = src.Transcript, kindTranscript
			default:
				t.Fatalf("section %s: span source %q", s.Key, sp.Source)
			}
			if sp.Start < 0 || sp.End > len(text) || sp.Start >= sp.End {
				t.Fatalf("section %s: span [%d,%d) outside %s of %d bytes", s.Key, sp.Start, sp.End, sp.Source, len(text))
			}
			cleaned := cleanSpan(kind, text[sp.Start:sp.End])
			if cleaned == "" {
				t.Errorf("section %s: span [%d,%d) cleans to nothing", s.Key, sp.Start, sp.End)
			}
			fromSpans = append(fromSpans, strings.Fields(cleaned)...)
		}
		if got := strings.Fields(s.Text); !slices.Equal(got, fromSpans) {
			t.Errorf("section %s text is not the cleaned text of its spans:\ntext:  %q\nspans: %q", s.Key, s.Text, strings.Join(fromSpans, " "))
		}
	}
}
