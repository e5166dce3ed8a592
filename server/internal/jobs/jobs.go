// Package jobs runs Sidenote's background work (note generation,
// transcription, deleting recordings past their retention) on River, a
// durable job queue kept in the same database as the data: on PostgreSQL
// through database/sql with a pgx listener for LISTEN/NOTIFY, on SQLite
// through River's SQLite driver. A job is inserted in the transaction that
// creates the row it works on, so a restart loses no job, and River's
// locking runs each job once even with several server processes on one
// database. Job arguments carry ids only, never text.
package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"gorm.io/gorm"

	"github.com/sidenote/sidenote/server/internal/asr"
	"github.com/sidenote/sidenote/server/internal/config"
	"github.com/sidenote/sidenote/server/internal/notes"
	"github.com/sidenote/sidenote/server/internal/recordings"
	"github.com/sidenote/sidenote/server/internal/store"
)

// Deps are what the workers use.
type Deps struct {
	Store      *store.Store
	Generator  notes.Generator
	Transcribe *asr.Client        // nil when no speech-to-text provider is configured
	Recordings recordings.Storage // where uploaded recordings are kept
	Log        *slog.Logger
}

// Queue is the job queue and its workers.
type Queue struct {
	client       *river.Client[*sql.Tx]
	listenerPool *pgxpool.Pool
	log          *slog.Logger
}

// Options tune the queue; zero values take defaults.
type Options struct {
	// Workers is how many jobs run at once in this process.
	Workers int
	// PollInterval is how often to look for jobs when no notification
	// arrives (SQLite has no LISTEN/NOTIFY across processes).
	PollInterval time.Duration
}

// New migrates River's tables and builds the queue for the store's database.
// databaseURL is the store's URL (PostgreSQL needs a pgx pool for LISTEN).
func New(ctx context.Context, databaseURL string, deps Deps, opts Options) (*Queue, error) {
	if opts.Workers <= 0 {
		opts.Workers = 4
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = 50 * time.Millisecond
	}
	q := &Queue{log: deps.Log}
	var driver riverdriver.Driver[*sql.Tx]
	switch deps.Store.Dialect() {
	case config.Postgres:
		poolCfg, err := pgxpool.ParseConfig(databaseURL)
		if err != nil {
			return nil, err
		}
		poolCfg.MaxConns = 2 // River holds one connection for LISTEN
		pool, err := pgxpool.NewWithConfig(ctx, poolCfg)
		if err != nil {
			return nil, fmt.Errorf("job queue: %w", err)
		}
		q.listenerPool = pool
		driver = riverdatabasesql.NewWithPgxListener(deps.Store.SQL(), pool)
	case config.SQLite:
		driver = riversqlite.New(deps.Store.SQL())
	}
	migrator, err := rivermigrate.New(driver, &rivermigrate.Config{Logger: quiet(deps.Log)})
	if err != nil {
		q.closePool()
		return nil, fmt.Errorf("job queue migrations: %w", err)
	}
	// Replicas starting together would race on River's migrations.
	if err := deps.Store.Exclusive(ctx, "river migrations", func() error {
		_, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil)
		return err
	}); err != nil {
		q.closePool()
		return nil, fmt.Errorf("job queue migrations: %w", err)
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, &generateNoteWorker{deps: deps})
	river.AddWorker(workers, &transcribeWorker{deps: deps})
	river.AddWorker(workers, &purgeRecordingWorker{deps: deps})
	river.AddWorker(workers, &sweepRecordingsWorker{deps: deps})
	client, err := river.NewClient(driver, &river.Config{
		Queues:            map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: opts.Workers}},
		Workers:           workers,
		PeriodicJobs:      []*river.PeriodicJob{sweepRecordingsJob()},
		FetchPollInterval: opts.PollInterval,
		FetchCooldown:     10 * time.Millisecond,
		JobTimeout:        10 * time.Minute,
		// A job left "running" by a process or database that died is
		// retried after this: just above the longest job (transcription,
		// 45 min), instead of River's default of the job timeout plus an hour.
		RescueStuckJobsAfter: 50 * time.Minute,
		MaxAttempts:          5,
		Logger:               quiet(deps.Log),
	})
	if err != nil {
		q.closePool()
		return nil, fmt.Errorf("job queue: %w", err)
	}
	q.client = client
	return q, nil
}

// quiet keeps River's own logging to warnings and errors: its debug lines
// would add nothing and its messages never hold clinical text.
func quiet(log *slog.Logger) *slog.Logger {
	if log == nil {
		log = slog.Default()
	}
	return slog.New(levelFilter{log.Handler(), slog.LevelWarn})
}

type levelFilter struct {
	slog.Handler
	min slog.Level
}

func (f levelFilter) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= f.min && f.Handler.Enabled(ctx, l)
}

// Start starts working jobs until Stop.
func (q *Queue) Start(ctx context.Context) error { return q.client.Start(ctx) }

// Stop lets running jobs finish (until ctx ends) and releases the queue.
func (q *Queue) Stop(ctx context.Context) error {
	err := q.client.Stop(ctx)
	q.closePool()
	return err
}

func (q *Queue) closePool() {
	if q.listenerPool != nil {
		q.listenerPool.Close()
		q.listenerPool = nil
	}
}

// insertTx inserts a job in the GORM transaction tx.
func (q *Queue) insertTx(tx *gorm.DB, args river.JobArgs) error { return q.insertTxOpts(tx, args, nil) }

func (q *Queue) insertTxOpts(tx *gorm.DB, args river.JobArgs, opts *river.InsertOpts) error {
	sqlTx, ok := tx.Statement.ConnPool.(*sql.Tx)
	if !ok {
		return errors.New("jobs: enqueue needs a database transaction")
	}
	_, err := q.client.InsertTx(tx.Statement.Context, sqlTx, args, opts)
	return err
}

// GenerateNote returns the store.Enqueue that schedules generating a note.
func (q *Queue) GenerateNote(clinicianID string) store.Enqueue {
	return func(tx *gorm.DB, noteID string) error {
		return q.insertTx(tx, GenerateNoteArgs{ClinicianID: clinicianID, NoteID: noteID})
	}
}

// Transcribe returns the store.Enqueue that schedules transcribing a
// session's recording.
func (q *Queue) Transcribe(clinicianID string) store.Enqueue {
	return func(tx *gorm.DB, sessionID string) error {
		return q.insertTx(tx, TranscribeArgs{ClinicianID: clinicianID, SessionID: sessionID})
	}
}

// DepsFromConfig chooses the note generator (the configured LLM, else the
// built-in one) and the speech-to-text client (if configured).
func DepsFromConfig(cfg *config.Config, st *store.Store, files recordings.Storage, log *slog.Logger) (Deps, error) {
	deps := Deps{Store: st, Generator: notes.NewBuiltin(), Recordings: files, Log: log}
	if cfg.LLM.Enabled() {
		llm, err := notes.NewLLM(notes.LLMConfig{URL: cfg.LLM.URL, Model: cfg.LLM.Model, APIKey: cfg.LLM.APIKey, Timeout: cfg.LLM.Timeout})
		if err != nil {
			return Deps{}, fmt.Errorf("SIDENOTE_LLM_URL: %w", err)
		}
		// A model that fails, times out or answers with nothing usable
		// leaves the note to the built-in generator, which says so.
		deps.Generator = notes.NewFallback(llm, notes.NewBuiltin())
	}
	if cfg.ASR.Enabled() {
		c, err := asr.New(asr.Config{URL: cfg.ASR.URL, Model: cfg.ASR.Model, APIKey: cfg.ASR.APIKey, Timeout: cfg.ASR.Timeout})
		if err != nil {
			return Deps{}, fmt.Errorf("SIDENOTE_ASR_URL: %w", err)
		}
		deps.Transcribe = c
	}
	return deps, nil
}
