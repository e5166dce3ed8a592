package sidenotetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// DefaultAdminURL is the local PostgreSQL of a development machine or CI,
// used when TEST_DATABASE_URL is not set.
const DefaultAdminURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// ErrNoPostgres is wrapped by the error of NewPostgresDatabase when the
// PostgreSQL server cannot be reached at all.
var ErrNoPostgres = errors.New("PostgreSQL unreachable")

// AdminURL is the PostgreSQL server new databases are made on:
// TEST_DATABASE_URL, or DefaultAdminURL.
func AdminURL() string {
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultAdminURL
}

// RequirePostgres reports whether REQUIRE_POSTGRES=1 (as CI sets): a test
// that cannot reach PostgreSQL must then fail instead of skipping.
func RequirePostgres() bool { return os.Getenv("REQUIRE_POSTGRES") == "1" }

// NewPostgresDatabase creates an empty database, named prefix and random
// hex digits, on the server of AdminURL. It returns the database's URL and
// a function dropping it. When the server cannot be reached the error wraps
// ErrNoPostgres.
func NewPostgresDatabase(prefix string) (databaseURL string, drop func() error, err error) {
	return NewPostgresDatabaseFrom(prefix, "")
}

// NewPostgresDatabaseFrom is NewPostgresDatabase copying the database named
// template (see Template) instead of starting empty, when template is set.
func NewPostgresDatabaseFrom(prefix, template string) (databaseURL string, drop func() error, err error) {
	admin := AdminURL()
	u, err := url.Parse(admin)
	if err != nil {
		return "", nil, fmt.Errorf("TEST_DATABASE_URL: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := connectAdmin(ctx, admin)
	if err != nil {
		return "", nil, err
	}
	defer conn.Close(context.Background())
	var raw [6]byte
	rand.Read(raw[:])
	name := prefix + hex.EncodeToString(raw[:])
	create := "CREATE DATABASE " + name
	if template != "" {
		create += " TEMPLATE " + pgx.Identifier{template}.Sanitize()
	}
	if _, err := conn.Exec(ctx, create); err != nil {
		return "", nil, fmt.Errorf("create database %s: %w", name, err)
	}
	drop = func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, admin)
		if err != nil {
			return fmt.Errorf("drop database %s: %w", name, err)
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			return fmt.Errorf("drop database %s: %w", name, err)
		}
		return nil
	}
	u.Path = "/" + name
	return u.String(), drop, nil
}

func connectAdmin(ctx context.Context, admin string) (*pgx.Conn, error) {
	connectCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(connectCtx, admin)
	if err != nil {
		return nil, fmt.Errorf("%w at %s: %v", ErrNoPostgres, admin, err)
	}
	return conn, nil
}

// Template returns the name of a database made once by build and then
// copied by every test that asks for the same name (CREATE DATABASE ...
// TEMPLATE is a file copy, far cheaper than migrating each test's database
// from scratch). Test binaries of several packages run at once: an advisory
// lock makes one of them build it, under a temporary name renamed when
// complete, so no one copies a half-built template. build gets the
// temporary database's URL and must leave no connection to it open.
// Templates of older schemas stay behind, unused; their names say which.
func Template(name string, build func(databaseURL string) error) error {
	admin := AdminURL()
	u, err := url.Parse(admin)
	if err != nil {
		return fmt.Errorf("TEST_DATABASE_URL: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	conn, err := connectAdmin(ctx, admin)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background()) // which releases the advisory lock
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock(hashtext($1))", name); err != nil {
		return fmt.Errorf("lock template %s: %w", name, err)
	}
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return fmt.Errorf("look up template %s: %w", name, err)
	}
	if exists {
		return nil
	}
	building := pgx.Identifier{name + "_building"}.Sanitize()
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+building+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("template %s: %w", name, err)
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+building); err != nil {
		return fmt.Errorf("template %s: %w", name, err)
	}
	u.Path = "/" + name + "_building"
	if err := build(u.String()); err != nil {
		return fmt.Errorf("build template %s: %w", name, err)
	}
	if _, err := conn.Exec(ctx, "ALTER DATABASE "+building+" RENAME TO "+pgx.Identifier{name}.Sanitize()); err != nil {
		return fmt.Errorf("template %s: %w", name, err)
	}
	return nil
}

// PostgresURL is NewPostgresDatabase for one test: the database is dropped
// when the test ends. An unreachable PostgreSQL skips the test, or fails it
// under REQUIRE_POSTGRES=1.
func PostgresURL(t testing.TB, prefix string) string {
	t.Helper()
	return PostgresURLFrom(t, prefix, "")
}

// PostgresURLFrom is PostgresURL copying the database named template.
func PostgresURLFrom(t testing.TB, prefix, template string) string {
	t.Helper()
	databaseURL, drop, err := NewPostgresDatabaseFrom(prefix, template)
	switch {
	case errors.Is(err, ErrNoPostgres) && RequirePostgres():
		t.Fatalf("REQUIRE_POSTGRES=1 but %v", err)
	case errors.Is(err, ErrNoPostgres):
		t.Skipf("%v (set REQUIRE_POSTGRES=1 to fail instead)", err)
	case err != nil:
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := drop(); err != nil {
			t.Log(err)
		}
	})
	return databaseURL
}
