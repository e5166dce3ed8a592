package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"testing/fstest"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/sidenote/sidenote/server/internal/config"
)

// Migrations are plain SQL written for PostgreSQL, applied in version order
// at start and recorded in goose's version table. SQLite runs the same files
// with one rewrite (see sqliteMigrations), so the schema is written once.
//
//go:embed migrations/*.sql
var migrations embed.FS

// sqliteMigrations adapts the PostgreSQL migrations to SQLite: TIMESTAMPTZ
// becomes DATETIME, the declared type under which the SQLite driver reads
// and writes time.Time. Everything else the migrations use (TEXT, BOOLEAN,
// INTEGER, BIGINT, CHECK, UNIQUE, indexes) means the same in both. A
// migration marked postgresOnly (what only replicas need, in PL/pgSQL)
// is an empty one on SQLite, so both count the same versions.
func sqliteMigrations() (fs.FS, error) {
	files, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	out := fstest.MapFS{}
	for _, name := range files {
		data, err := migrations.ReadFile(name)
		if err != nil {
			return nil, err
		}
		if bytes.Contains(data, []byte(postgresOnly)) {
			data = []byte("-- +goose Up\n" + postgresOnly + "\n")
		}
		out[name[len("migrations/"):]] = &fstest.MapFile{Data: bytes.ReplaceAll(data, []byte("TIMESTAMPTZ"), []byte("DATETIME"))}
	}
	return out, nil
}

// SchemaDigest identifies the schema the migrations build: a hash of the
// embedded migration files. Test helpers name a migrated template database
// by it, so a changed migration never reuses an old template.
func SchemaDigest() string {
	h := sha256.New()
	files, _ := fs.Glob(migrations, "migrations/*.sql") // a fixed, valid pattern
	for _, name := range files {
		data, err := migrations.ReadFile(name)
		if err != nil {
			panic(err) // embedded at build time: cannot fail
		}
		fmt.Fprintf(h, "%s %d\n", name, len(data))
		h.Write(data)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// postgresOnly marks a migration SQLite skips.
const postgresOnly = "-- sidenote: postgres only"

func (s *Store) migrations() (*goose.Provider, error) {
	var (
		fsys    fs.FS
		err     error
		dialect = goose.DialectPostgres
	)
	if s.dialect == config.SQLite {
		dialect = goose.DialectSQLite3
		fsys, err = sqliteMigrations()
	} else {
		fsys, err = fs.Sub(migrations, "migrations")
	}
	if err != nil {
		return nil, err
	}
	var opts []goose.ProviderOption
	if s.dialect == config.Postgres {
		// Replicas starting together migrate one at a time: the others
		// wait on an advisory lock (polled each second, up to 5 min),
		// then find nothing left to do.
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 300))
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(dialect, s.sqlDB, fsys, opts...)
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	return p, nil
}

// migrate applies pending migrations, refusing a schema newer than ours.
func (s *Store) migrate(ctx context.Context) error {
	p, err := s.migrations()
	if err != nil {
		return err
	}
	current, err := p.GetDBVersion(ctx)
	if err != nil {
		return fmt.Errorf("migrations: read schema version: %w", err)
	}
	sources := p.ListSources()
	if latest := sources[len(sources)-1].Version; current > latest {
		return fmt.Errorf("the database schema is at version %d, newer than this Sidenote knows (%d): upgrade Sidenote instead", current, latest)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	return nil
}

// SchemaVersion returns the applied migration version.
func (s *Store) SchemaVersion(ctx context.Context) (int64, error) {
	p, err := s.migrations()
	if err != nil {
		return 0, err
	}
	return p.GetDBVersion(ctx)
}
