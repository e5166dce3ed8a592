package storetest

import (
	"strings"

	"github.com/sidenote/sidenote/server/internal/store"
	"github.com/sidenote/sidenote/shared/note"
)

// A fictional session summary, and what a generator that cites its sources
// keeps and leaves out of it: GeneratedSOAP.
const (
	GeneratedSummary = "Client reports the bus ride to work felt easier this week. " +
		"Before Thursday, try the bus ride on your own. Thanks for coming in today."
	// GeneratedReported is the subjective section's one sentence.
	GeneratedReported = "Client reported that the bus ride to work felt easier this week."
	// GeneratedHomework ("s2") and GeneratedThanks ("s3") are left out.
	GeneratedHomework = "Before Thursday, try the bus ride on your own."
	GeneratedThanks   = "Thanks for coming in today."
)

// SummarySpan is where part is in GeneratedSummary.
func SummarySpan(part string) note.Span {
	i := strings.Index(GeneratedSummary, part)
	return note.Span{Source: note.SourceSummary, Start: i, End: i + len(part)}
}

// GeneratedSOAP is a SOAP note of GeneratedSummary with a sourced
// subjective sentence, two left-out sentences ("s2", "s3"), the risk flag
// and a generator note, as CompleteNote takes it.
func GeneratedSOAP() store.GeneratedNote {
	src := SummarySpan("Client reports the bus ride to work felt easier this week.")
	return store.GeneratedNote{
		Sections: []note.Section{
			{Key: "subjective", Title: "Subjective", Text: GeneratedReported, Sources: []note.Span{src},
				Sentences: []note.Sentence{{Start: 0, End: len(GeneratedReported), Sources: []note.Span{src}}}},
			{Key: "objective", Title: "Objective", NotDocumented: true, Sources: []note.Span{}},
			{Key: "assessment", Title: "Assessment", NotDocumented: true, Sources: []note.Span{}},
			{Key: "plan", Title: "Plan", NotDocumented: true, Sources: []note.Span{}},
		},
		LeftOut: []note.LeftOut{
			{ID: "s2", Text: GeneratedHomework, Reason: note.LeftOutUnplaced, Sources: []note.Span{SummarySpan(GeneratedHomework)}},
			{ID: "s3", Text: GeneratedThanks, Reason: note.LeftOutSmallTalk, Sources: []note.Span{SummarySpan(GeneratedThanks)}},
		},
		RiskMentioned: true,
		Generator:     "builtin",
		GeneratorNote: "The language model did not answer in time; the built-in generator wrote this note.",
	}
}
