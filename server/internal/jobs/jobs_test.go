package jobs_test

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sidenote/sidenote/server/internal/jobs"
	"github.com/sidenote/sidenote/server/internal/notes"
	"github.com/sidenote/sidenote/server/internal/recordings"
	"github.com/sidenote/sidenote/server/internal/store"
	"github.com/sidenote/sidenote/server/internal/store/storetest"
	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/shared/note"
)

// countingGenerator is the built-in generator, counting its runs (shared by
// every queue of a test, as if it were the outside world they all reach).
type countingGenerator struct {
	notes.Generator
	runs, mine *atomic.Int64 // all processes' runs, this process's runs
}

func (g countingGenerator) Generate(ctx context.Context, t note.Template, src notes.Source) (notes.Result, error) {
	g.runs.Add(1)
	g.mine.Add(1)
	return g.Generator.Generate(ctx, t, src)
}

// process is one server process's view of the database: its own store
// connections and its own queue.
func process(t *testing.T, databaseURL string, runs *atomic.Int64) (*store.Store, *jobs.Queue, *atomic.Int64) {
	t.Helper()
	st := storetest.MustOpen(t, databaseURL)
	files, err := recordings.NewDir(filepath.Join(t.TempDir(), "recordings"))
	if err != nil {
		t.Fatal(err)
	}
	mine := new(atomic.Int64)
	deps := jobs.Deps{Store: st, Generator: countingGenerator{notes.NewBuiltin(), runs, mine}, Recordings: files, Log: slog.New(slog.DiscardHandler)}
	q, err := jobs.New(context.Background(), databaseURL, deps, jobs.Options{PollInterval: 20 * time.Millisecond})
	if err != nil {
		t.Fatalf("job queue: %v", err)
	}
	return st, q, mine
}

func stop(q *jobs.Queue) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	q.Stop(ctx)
}

// seedNotes creates a clinician, a session with a summary and n notes whose
// generation jobs are inserted through q (which need not be running).
func seedNotes(t *testing.T, st *store.Store, q *jobs.Queue, n int) (clinicianID string, noteIDs []string) {
	t.Helper()
	ctx := context.Background()
	c, err := st.SignIn(ctx, "dev", "jobs-test", "jobs@example.com", "Dr Jobs")
	if err != nil {
		t.Fatal(err)
	}
	ctx = storetest.As(ctx, c.ID)
	anon := api.AnonymousIndividual
	sess, err := st.CreateSession(ctx, c.ID, api.CreateSessionRequest{
		Type: api.SessionWrittenSummary, Anonymous: &anon, Consent: &api.Consent{Obtained: true, Method: api.ConsentVerbal},
	})
	if err != nil {
		t.Fatal(err)
	}
	summary := "Client reports sleeping six hours most nights. Plan to keep the sleep diary until next session."
	if err := st.PutSource(ctx, c.ID, sess.ID, store.SourceSummary, summary, nil); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		nt, _, err := st.CreateNote(ctx, c.ID, sess.ID, note.SOAP, fmt.Sprintf("key-%d", i), q.GenerateNote(c.ID))
		if err != nil {
			t.Fatal(err)
		}
		noteIDs = append(noteIDs, nt.ID)
	}
	return c.ID, noteIDs
}

func waitReady(t *testing.T, st *store.Store, clinicianID string, ids []string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for _, id := range ids {
		for {
			n, err := st.Note(context.Background(), clinicianID, id)
			if err != nil {
				t.Fatal(err)
			}
			if n.Status == string(api.NoteReady) {
				break
			}
			if n.Status != string(api.NoteGenerating) {
				t.Fatalf("note %s is %s (%s)", id, n.Status, n.FailureReason)
			}
			if time.Now().After(deadline) {
				t.Fatalf("note %s still generating after 30s", id)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// TestJobSurvivesRestart inserts a job with a server that stops before
// working it; a server started later on the same database works it.
func TestJobSurvivesRestart(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, databaseURL string) {
		var runs atomic.Int64
		first, q1, _ := process(t, databaseURL, &runs)
		clinicianID, ids := seedNotes(t, first, q1, 3) // q1 never started
		stop(q1)
		first.Close()
		time.Sleep(100 * time.Millisecond)
		if runs.Load() != 0 {
			t.Fatalf("a stopped queue ran %d jobs", runs.Load())
		}

		second, q2, _ := process(t, databaseURL, &runs)
		n, err := second.Note(context.Background(), clinicianID, ids[0])
		if err != nil || n.Status != string(api.NoteGenerating) {
			t.Fatalf("before the restart the note is %+v, %v", n, err)
		}
		if err := q2.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		defer stop(q2)
		waitReady(t, second, clinicianID, ids)
		if runs.Load() != 3 {
			t.Fatalf("generator ran %d times for 3 jobs", runs.Load())
		}
	})
}

// TestJobRunsOnceAcrossProcesses starts two queues (two processes) on one
// PostgreSQL database: every job is worked exactly once.
func TestJobRunsOnceAcrossProcesses(t *testing.T) {
	databaseURL := storetest.PostgresURL(t)
	var runs atomic.Int64
	st1, q1, ran1 := process(t, databaseURL, &runs)
	_, q2, ran2 := process(t, databaseURL, &runs)
	const jobsWanted = 60
	clinicianID, ids := seedNotes(t, st1, q1, jobsWanted)
	ctx := context.Background()
	if err := q1.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer stop(q1)
	if err := q2.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer stop(q2)
	waitReady(t, st1, clinicianID, ids)
	time.Sleep(200 * time.Millisecond) // a duplicate run would land now
	if got := runs.Load(); got != jobsWanted {
		t.Fatalf("generator ran %d times for %d jobs", got, jobsWanted)
	}
	t.Logf("process 1 worked %d jobs, process 2 worked %d", ran1.Load(), ran2.Load())
	var attempts []int
	if err := st1.DB().Raw("SELECT attempt FROM river_job WHERE kind = ?", jobs.GenerateNoteArgs{}.Kind()).Scan(&attempts).Error; err != nil {
		t.Fatal(err)
	}
	if len(attempts) != jobsWanted {
		t.Fatalf("%d jobs in river_job, want %d", len(attempts), jobsWanted)
	}
	for _, a := range attempts {
		if a != 1 {
			t.Fatalf("a job was attempted %d times", a)
		}
	}
}
