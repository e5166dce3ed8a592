// Package storetest gives each test a fresh database: a new PostgreSQL
// database on the server named by TEST_DATABASE_URL, or a new SQLite file.
// With REQUIRE_POSTGRES=1 an unreachable PostgreSQL fails the test instead of
// skipping it, so CI cannot pass without having run against PostgreSQL.
package storetest

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"

	"github.com/sidenote/sidenote/internal/sidenotetest"
	"github.com/sidenote/sidenote/server/internal/audit"
	"github.com/sidenote/sidenote/server/internal/seal"
	"github.com/sidenote/sidenote/server/internal/store"
)

// Dialect names for subtests.
const (
	Postgres = "postgres"
	SQLite   = "sqlite"
)

// EachDialect runs fn as a subtest once on a fresh PostgreSQL database and
// once on a fresh SQLite file.
func EachDialect(t *testing.T, fn func(t *testing.T, databaseURL string)) {
	t.Helper()
	t.Run(Postgres, func(t *testing.T) { fn(t, PostgresURL(t)) })
	t.Run(SQLite, func(t *testing.T) { fn(t, SQLiteURL(t)) })
}

// URL returns a fresh database URL of the named dialect.
func URL(t testing.TB, dialect string) string {
	if dialect == Postgres {
		return PostgresURL(t)
	}
	return SQLiteURL(t)
}

// SQLiteURL returns the URL of a new SQLite file removed after the test.
func SQLiteURL(t testing.TB) string {
	return "sqlite:" + filepath.Join(t.TempDir(), "sidenote.db")
}

// PostgresURL creates a new PostgreSQL database for this test, already
// migrated, and drops it afterwards. It skips the test when PostgreSQL is
// unreachable, unless REQUIRE_POSTGRES=1 (sidenotetest.PostgresURL, which
// the browser tests outside server/ use too).
func PostgresURL(t testing.TB) string {
	t.Helper()
	tmpl := migratedTemplate()
	if tmpl.err != nil && !errors.Is(tmpl.err, sidenotetest.ErrNoPostgres) {
		t.Fatal(tmpl.err)
	}
	// Unreachable: PostgresURLFrom skips or fails the test as it should.
	return sidenotetest.PostgresURLFrom(t, "sidenote_test_", tmpl.name)
}

// EmptyPostgresURL is PostgresURL without the migrated template: an empty
// database, for the tests of migrating one from scratch.
func EmptyPostgresURL(t testing.TB) string {
	t.Helper()
	return sidenotetest.PostgresURL(t, "sidenote_test_")
}

// template is the migrated template database, or why there is none.
type template struct {
	name string
	err  error
}

// migratedTemplate builds, once per test binary, the template database every
// PostgreSQL test copies: the schema of this build's migrations, with no
// encryption key recorded (each test database gets its own keys).
var migratedTemplate = sync.OnceValue(func() template {
	name := "sidenote_template_" + store.SchemaDigest()
	err := sidenotetest.Template(name, func(databaseURL string) error {
		ctx := context.Background()
		s, err := store.Open(ctx, databaseURL, seal.NewRandom())
		if err != nil {
			return err
		}
		_, err = s.SQL().ExecContext(ctx, "DELETE FROM encryption_keys")
		return errors.Join(err, s.Close())
	})
	return template{name: name, err: err}
})

// MustOpen opens and migrates the database at databaseURL, closing it when
// the test ends.
func MustOpen(t testing.TB, databaseURL string) *store.Store {
	t.Helper()
	return MustOpenWith(t, databaseURL, Keys(databaseURL))
}

// MustOpenWith is MustOpen with the given encryption keys and options.
func MustOpenWith(t testing.TB, databaseURL string, keys *seal.Keyring, opts ...store.Option) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), databaseURL, keys, opts...)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// keyrings remembers each test database's encryption keys, so that opening
// the same database twice in a test uses the keys that sealed its data.
var keyrings sync.Map // database URL -> *seal.Keyring

// Keys returns the encryption keys of the test database at databaseURL.
func Keys(databaseURL string) *seal.Keyring {
	kr, _ := keyrings.LoadOrStore(databaseURL, seal.NewRandom())
	return kr.(*seal.Keyring)
}

// As returns ctx acting as clinicianID, as the API makes it for a request
// (audit.WithActor): the store's audited writes record their events for
// that clinician, and refuse to run without an actor.
func As(ctx context.Context, clinicianID string) context.Context {
	return audit.WithActor(ctx, audit.Actor{ClinicianID: clinicianID, RequestID: "storetest", ClientIP: "127.0.0.1"})
}
