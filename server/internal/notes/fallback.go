package notes

import (
	"context"
	"errors"

	"github.com/sidenote/sidenote/server/internal/provider"
	"github.com/sidenote/sidenote/shared/note"
)

// Fallback writes the note with Primary (a language model) and, when it
// fails, times out or gives an unusable answer, with Backup (the built-in
// generator), saying so in Result.GeneratorNote so the clinician sees which
// generator wrote the note and why.
type Fallback struct {
	Primary Generator
	Backup  Generator
}

// NewFallback returns a generator that falls back from primary to backup.
func NewFallback(primary, backup Generator) Fallback {
	return Fallback{Primary: primary, Backup: backup}
}

// Name implements Generator: the configured generator's name.
func (f Fallback) Name() string { return f.Primary.Name() }

// Generate implements Generator.
func (f Fallback) Generate(ctx context.Context, t note.Template, src Source) (Result, error) {
	res, err := f.Primary.Generate(ctx, t, src)
	if err == nil || errors.Is(err, ErrNoSource) || ctx.Err() != nil {
		return res, err
	}
	res, berr := f.Backup.Generate(ctx, t, src)
	if berr != nil {
		return Result{}, berr
	}
	res.Generator = f.Backup.Name()
	res.GeneratorNote = fallbackNote(err)
	return res, nil
}

// fallbackNote says, for the clinician, why the language model did not write
// the note. It never includes the provider's own error text.
func fallbackNote(err error) string {
	const tail = " the built-in generator wrote this note."
	var f *provider.Failure
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "The language model did not answer in time;" + tail
	case errors.As(err, &f) && f.Reason == reasonTimeout:
		return "The language model did not answer in time;" + tail
	case errors.As(err, &f):
		return "The language model could not write this note (" + f.Reason + ");" + tail
	}
	return "The language model could not write this note;" + tail
}
