package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"

	"github.com/sidenote/sidenote/server/internal/config"
)

// Migrations are plain SQL, one directory per dialect, applied in version
// order at start and recorded in goose's version table.
//
//go:embed migrations
var migrations embed.FS

func (s *Store) migrations() (*goose.Provider, error) {
	dir, dialect := "migrations/postgres", goose.DialectPostgres
	if s.dialect == config.SQLite {
		dir, dialect = "migrations/sqlite", goose.DialectSQLite3
	}
	fsys, err := fs.Sub(migrations, dir)
	if err != nil {
		return nil, err
	}
	p, err := goose.NewProvider(dialect, s.sqlDB, fsys)
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
