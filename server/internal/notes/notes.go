// Package notes turns a session's clinician summary and transcript into the
// sections of a progress note. Two generators share one rule: nothing is
// invented. Every sentence of a note is a sentence of the input (after the
// removal of spoken fillers, see cleanSpan), each section lists the source
// spans it used, and a section with nothing to say stays empty and is flagged
// not documented.
//
// The package has no database or HTTP-server dependencies so a background
// job can call it directly.
package notes

import (
	"context"
	"errors"
	"strings"

	"github.com/sidenote/sidenote/shared/note"
)

// Source is what a note is generated from. Either text may be empty.
type Source struct {
	Summary    string // the clinician's written or dictated summary
	Transcript string // the session transcript, optionally with speaker labels
}

func (s Source) empty() bool {
	return strings.TrimSpace(s.Summary) == "" && strings.TrimSpace(s.Transcript) == ""
}

// Generator fills a template's sections from a session's source.
type Generator interface {
	// Name identifies the generator in stored notes: "builtin" or "llm:<model>".
	Name() string
	// Generate returns one section per template section, in template order,
	// and what it left out. It returns ErrNoSource when both texts are blank
	// and a *provider.Failure when a provider fails.
	Generate(ctx context.Context, t note.Template, src Source) (Result, error)
}

// Result is a generated note.
type Result struct {
	Sections []note.Section
	// LeftOut holds every source sentence (or model sentence) that is in no
	// section, with the reason.
	LeftOut []note.LeftOut
	// RiskMentioned is set when the sources mention suicidal or homicidal
	// ideation, self-harm, abuse or a safety plan.
	RiskMentioned bool
	// Generator names the generator that wrote the note ("builtin",
	// "llm:<model>"); GeneratorNote says why it is not the configured one.
	Generator     string
	GeneratorNote string
}

// ErrNoSource is returned when the summary and the transcript are both blank.
var ErrNoSource = errors.New("notes: the session has neither a summary nor a transcript")
