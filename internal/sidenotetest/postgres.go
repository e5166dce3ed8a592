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
	admin := AdminURL()
	u, err := url.Parse(admin)
	if err != nil {
		return "", nil, fmt.Errorf("TEST_DATABASE_URL: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	connectCtx, cancelConnect := context.WithTimeout(ctx, 5*time.Second)
	conn, err := pgx.Connect(connectCtx, admin)
	cancelConnect()
	if err != nil {
		return "", nil, fmt.Errorf("%w at %s: %v", ErrNoPostgres, admin, err)
	}
	defer conn.Close(context.Background())
	var raw [6]byte
	rand.Read(raw[:])
	name := prefix + hex.EncodeToString(raw[:])
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
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

// PostgresURL is NewPostgresDatabase for one test: the database is dropped
// when the test ends. An unreachable PostgreSQL skips the test, or fails it
// under REQUIRE_POSTGRES=1.
func PostgresURL(t testing.TB, prefix string) string {
	t.Helper()
	databaseURL, drop, err := NewPostgresDatabase(prefix)
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
