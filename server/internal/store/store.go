// Package store keeps Sidenote's data in PostgreSQL or, as the embedded
// default, in a pure-Go SQLite file, through GORM. The schema comes from
// versioned SQL migrations embedded in the binary (see migrate.go); every
// query that touches clinical data is scoped by the calling clinician.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/glebarez/sqlite"
	"github.com/google/uuid"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/sidenote/sidenote/server/internal/config"
	"github.com/sidenote/sidenote/server/internal/seal"
	"github.com/sidenote/sidenote/shared/api"
)

// Store is the database. It is safe for concurrent use.
type Store struct {
	db      *gorm.DB
	sqlDB   *sql.DB
	dialect config.Dialect
	now     func() time.Time
	keys    *seal.Keyring

	// tokens caches live tokens on PostgreSQL while stopListening's
	// listener runs (see tokencache.go); nil on SQLite.
	tokens        *tokenCache
	stopListening func()
}

// DefaultMaxConns is how many PostgreSQL connections a server opens at most.
const DefaultMaxConns = 32

// Option tunes Open.
type Option func(*options)

type options struct {
	maxConns int
	log      *slog.Logger
}

// WithMaxConns bounds the PostgreSQL connection pool: requests beyond it
// wait for a connection. With several replicas, their sum must stay under
// the server's max_connections.
func WithMaxConns(n int) Option {
	return func(o *options) {
		if n > 0 {
			o.maxConns = n
		}
	}
}

// WithLogger is where the store reports trouble it recovers from on its
// own (a lost revocation listener); slog.Default() otherwise.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) { o.log = l }
}

// Open connects to the database named by url (postgres://... or sqlite:PATH)
// and applies pending migrations. It refuses a database migrated by a newer
// Sidenote, and one holding data sealed with a key that keys lacks. Clinical
// text is sealed with keys (see sealing.go).
func Open(ctx context.Context, url string, keys *seal.Keyring, opts ...Option) (*Store, error) {
	o := options{maxConns: DefaultMaxConns, log: slog.Default()}
	for _, opt := range opts {
		opt(&o)
	}
	if keys == nil {
		return nil, errors.New("store: no encryption keys")
	}
	dialect, dsn, err := config.ParseDatabaseURL(url)
	if err != nil {
		return nil, err
	}
	gcfg := &gorm.Config{
		Logger:                 logger.Discard, // queries carry clinical data: never log them
		SkipDefaultTransaction: true,
		TranslateError:         true,
		NowFunc:                func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) },
	}
	var dialector gorm.Dialector
	switch dialect {
	case config.Postgres:
		dialector = postgres.Open(dsn)
	case config.SQLite:
		if dir := filepath.Dir(dsn); dir != "" {
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return nil, fmt.Errorf("create database directory: %w", err)
			}
		}
		if err := createPrivate(dsn); err != nil {
			return nil, err
		}
		// WAL lets readers run beside the single writer; busy_timeout makes
		// concurrent writers wait instead of failing at once; secure_delete
		// overwrites deleted rows with zeros (see ForgetDeleted).
		dialector = sqlite.Open("file:" + dsn + "?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)&_pragma=secure_delete(1)&_txlock=immediate")
	}
	db, err := gorm.Open(dialector, gcfg)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	if dialect == config.Postgres {
		sqlDB.SetMaxOpenConns(o.maxConns)
		sqlDB.SetMaxIdleConns(o.maxConns)
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	}
	if err := db.Use(sealing{keys}); err != nil {
		sqlDB.Close()
		return nil, err
	}
	s := &Store{db: db, sqlDB: sqlDB, dialect: dialect, now: gcfg.NowFunc, keys: keys}
	if err := s.Ping(ctx); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	if err := s.migrate(ctx); err != nil {
		sqlDB.Close()
		return nil, err
	}
	if err := s.registerKey(ctx); err != nil {
		sqlDB.Close()
		return nil, err
	}
	s.stopListening = func() {}
	if dialect == config.Postgres {
		s.tokens = newTokenCache()
		listenCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		done := make(chan struct{})
		go func() {
			defer close(done)
			s.listenForRevocations(listenCtx, dsn, o.log)
		}()
		s.stopListening = func() { cancel(); <-done }
	}
	return s, nil
}

// createPrivate creates the SQLite file readable by its owner only (its
// -wal and -shm files take the same mode), and takes read access away from
// others on an existing one.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("create database file: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("create database file: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		return fmt.Errorf("database file mode: %w", err)
	}
	return nil
}

// ForgetDeleted makes deleted rows unrecoverable from the SQLite files:
// secure_delete has zeroed them in the database pages, and a TRUNCATE
// checkpoint copies the write-ahead log into the file and empties it,
// dropping the log's older copies of those pages. A reader still in the
// log holds the checkpoint back; it is retried for a few seconds. On
// PostgreSQL deleted rows stay in the data files until VACUUM reuses their
// space (see the README), so there is nothing to do here.
func (s *Store) ForgetDeleted(ctx context.Context) error {
	if s.dialect != config.SQLite {
		return nil
	}
	for attempt := 0; ; attempt++ {
		var busy, logFrames, checkpointed int
		err := s.sqlDB.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logFrames, &checkpointed)
		if err != nil {
			return fmt.Errorf("checkpoint: %w", err)
		}
		if busy == 0 {
			return nil
		}
		if attempt == 50 {
			return errors.New("checkpoint: the write-ahead log stayed busy")
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Close stops the revocation listener and closes the database connections.
func (s *Store) Close() error {
	s.stopListening()
	return s.sqlDB.Close()
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.sqlDB.PingContext(ctx) }

// Dialect reports which database backs the store.
func (s *Store) Dialect() config.Dialect { return s.dialect }

// DB is the underlying GORM handle, for packages that extend the schema
// (notes, jobs). They must scope every query by clinician themselves.
func (s *Store) DB() *gorm.DB { return s.db }

// SQL is the underlying database/sql handle (for the job queue driver).
func (s *Store) SQL() *sql.DB { return s.sqlDB }

// Now is the store's clock: UTC, truncated to what both databases keep.
func (s *Store) Now() time.Time { return s.now() }

// NewID returns a new random, time-ordered identifier (UUID v7).
func NewID() string { return uuid.Must(uuid.NewV7()).String() }

// ValidID reports whether id is a well-formed UUID; a malformed id is
// answered exactly like a missing one.
func ValidID(id string) bool {
	_, err := uuid.Parse(id)
	return err == nil && len(id) == 36
}

// owned reads the row of type T with this id that belongs to the clinician;
// a malformed id, a missing row and another clinician's row are all
// ErrNotFound(what).
func owned[T any](ctx context.Context, s *Store, clinicianID, id, what string) (*T, error) {
	if !ValidID(id) {
		return nil, ErrNotFound(what)
	}
	var row T
	if err := s.db.WithContext(ctx).Where("id = ? AND clinician_id = ?", id, clinicianID).Take(&row).Error; err != nil {
		return nil, dbError(err, what)
	}
	return &row, nil
}

// ErrNotFound answers a missing row, and equally a row of another clinician.
func ErrNotFound(what string) error {
	return &api.Error{Code: api.CodeNotFound, Message: what + " not found."}
}

// dbError turns a GORM or driver error into an API error where one applies.
func dbError(err error, what string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, gorm.ErrRecordNotFound):
		return ErrNotFound(what)
	case IsUnavailable(err):
		return &api.Error{Code: api.CodeUnavailable, Message: "The database is unavailable. Please try again shortly."}
	}
	return err
}

// Transaction runs fn in a transaction.
func (s *Store) Transaction(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return s.db.WithContext(ctx).Transaction(fn)
}

// IsNotFound reports whether err is the not-found error.
func IsNotFound(err error) bool {
	var e *api.Error
	return errors.As(err, &e) && e.Code == api.CodeNotFound
}
