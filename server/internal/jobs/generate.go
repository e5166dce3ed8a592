package jobs

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/sidenote/sidenote/server/internal/notes"
	"github.com/sidenote/sidenote/server/internal/provider"
	"github.com/sidenote/sidenote/server/internal/store"
)

// GenerateNoteArgs asks for a note's sections to be generated.
type GenerateNoteArgs struct {
	ClinicianID string `json:"clinician_id"`
	NoteID      string `json:"note_id"`
}

// Kind names the job.
func (GenerateNoteArgs) Kind() string { return "generate_note" }

type generateNoteWorker struct {
	river.WorkerDefaults[GenerateNoteArgs]
	deps Deps
}

// generationTimeout bounds one generation, LLM retries included.
const generationTimeout = 5 * time.Minute

func (w *generateNoteWorker) Timeout(*river.Job[GenerateNoteArgs]) time.Duration {
	return generationTimeout
}

// Work generates the note. A failure the clinician can act on marks the note
// failed with its reason and ends the job; only an unreachable database is
// returned to River to retry.
func (w *generateNoteWorker) Work(ctx context.Context, job *river.Job[GenerateNoteArgs]) error {
	st, a := w.deps.Store, job.Args
	n, err := st.Note(ctx, a.ClinicianID, a.NoteID)
	if err != nil {
		return ignoreNotFound(err)
	}
	if n.Status != "generating" {
		return nil
	}
	tmpl, err := st.NoteTemplate(ctx, a.ClinicianID, n.Template)
	if store.IsNotFound(err) {
		return st.FailNote(ctx, a.ClinicianID, a.NoteID, "This note's template is no longer available.")
	}
	if err != nil {
		return err
	}
	summary, transcript, err := st.Sources(ctx, a.ClinicianID, n.SessionID)
	if err != nil {
		return err
	}
	res, err := notes.WithCustom(w.deps.Generator).Generate(ctx, tmpl, notes.Source{Summary: summary, Transcript: transcript})
	if err == nil {
		return st.CompleteNote(ctx, a.ClinicianID, a.NoteID, store.GeneratedNote{
			Sections: res.Sections, LeftOut: res.LeftOut, RiskMentioned: res.RiskMentioned,
			Generator: res.Generator, GeneratorNote: res.GeneratorNote,
		})
	}
	var failure *provider.Failure
	reason := "The note could not be written. Please try again."
	switch {
	case errors.Is(err, notes.ErrNoSource):
		reason = "This session has no summary or transcript to write the note from."
	case errors.As(err, &failure):
		reason = failure.Reason
	case store.IsUnavailable(err):
		return err
	}
	w.deps.Log.LogAttrs(ctx, slog.LevelWarn, "note generation failed",
		slog.String("note_id", a.NoteID), slog.String("generator", w.deps.Generator.Name()))
	return st.FailNote(ctx, a.ClinicianID, a.NoteID, reason)
}

// ignoreNotFound ends a job whose row is gone (the session was deleted).
func ignoreNotFound(err error) error {
	if store.IsNotFound(err) {
		return nil
	}
	return err
}
