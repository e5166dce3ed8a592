package jobs_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sidenote/sidenote/server/internal/jobs"
	"github.com/sidenote/sidenote/server/internal/notes"
	"github.com/sidenote/sidenote/server/internal/recordings"
	"github.com/sidenote/sidenote/server/internal/store"
	"github.com/sidenote/sidenote/server/internal/store/storetest"
	"github.com/sidenote/sidenote/shared/note"
)

// annotatingGenerator is the built-in generator with a left-out sentence,
// the risk flag and a note of its own added to what it writes, so that a
// test sees each part of the result reach the store.
type annotatingGenerator struct {
	notes.Generator
	last *atomic.Pointer[notes.Result]
}

func (g annotatingGenerator) Generate(ctx context.Context, t note.Template, src notes.Source) (notes.Result, error) {
	res, err := g.Generator.Generate(ctx, t, src)
	res.LeftOut = append(res.LeftOut, note.LeftOut{ID: "extra", Text: "Thanks, see you next week.", Reason: note.LeftOutSmallTalk, Sources: []note.Span{}})
	res.RiskMentioned = true
	res.GeneratorNote = "Written by the built-in generator for this test."
	g.last.Store(&res)
	return res, err
}

func TestGenerationStoresTheWholeResult(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, databaseURL string) {
		st := storetest.MustOpen(t, databaseURL)
		files, err := recordings.NewDir(filepath.Join(t.TempDir(), "recordings"))
		if err != nil {
			t.Fatal(err)
		}
		var stored atomic.Pointer[notes.Result]
		deps := jobs.Deps{Store: st, Generator: annotatingGenerator{notes.NewBuiltin(), &stored}, Recordings: files, Log: slog.New(slog.DiscardHandler)}
		q, err := jobs.New(context.Background(), databaseURL, deps, jobs.Options{PollInterval: 20 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		if err := q.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		defer stop(q)
		clinician, ids := seedNotes(t, st, q, 1)
		waitReady(t, st, clinician, ids)

		last := stored.Load()
		n, err := st.Note(context.Background(), clinician, ids[0])
		if err != nil {
			t.Fatal(err)
		}
		if got := store.LeftOutOf(n.LeftOut); !reflect.DeepEqual(got, last.LeftOut) {
			t.Errorf("left out stored as %+v, generated %+v", got, last.LeftOut)
		}
		if got := store.SectionsOf(n.Sections); !reflect.DeepEqual(got, last.Sections) {
			t.Errorf("sections stored as %+v, generated %+v", got, last.Sections)
		}
		if !n.RiskMentioned || n.GeneratorNote != last.GeneratorNote || n.Generator != last.Generator || n.Generator == "" {
			t.Errorf("stored risk %v, generator %q (%q); generated %q (%q)", n.RiskMentioned, n.Generator, n.GeneratorNote, last.Generator, last.GeneratorNote)
		}
	})
}
