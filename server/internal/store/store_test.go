package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/sidenote/sidenote/server/internal/store"
	"github.com/sidenote/sidenote/server/internal/store/storetest"
)

func TestMigrationsApplyOnceAndRefuseNewerSchema(t *testing.T) {
	// From an empty database: every other PostgreSQL test starts from the
	// migrated template.
	for dialect, newURL := range map[string]func(testing.TB) string{
		storetest.Postgres: storetest.EmptyPostgresURL, storetest.SQLite: storetest.SQLiteURL,
	} {
		t.Run(dialect, func(t *testing.T) { migrateFromScratch(t, newURL(t)) })
	}
}

func migrateFromScratch(t *testing.T, dbURL string) {
	ctx := context.Background()
	s := storetest.MustOpen(t, dbURL)
	v, err := s.SchemaVersion(ctx)
	if err != nil || v < 2 {
		t.Fatalf("schema version %d, %v", v, err)
	}
	// Opening again applies nothing new and works.
	again := storetest.MustOpen(t, dbURL)
	if v2, _ := again.SchemaVersion(ctx); v2 != v {
		t.Fatalf("version changed on reopen: %d -> %d", v, v2)
	}
	// A database migrated by a newer Sidenote is refused.
	if err := s.DB().Exec("INSERT INTO goose_db_version (version_id, is_applied) VALUES (?, ?)", 99999, true).Error; err != nil {
		t.Fatal(err)
	}
	_, err = store.Open(ctx, dbURL, storetest.Keys(dbURL))
	if err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("open newer schema: %v", err)
	}
}

func TestTokensAreHashedAndExpire(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, dbURL string) {
		ctx := context.Background()
		s := storetest.MustOpen(t, dbURL)
		c, err := s.SignIn(ctx, "dev", "a@example.org", "a@example.org", "A")
		if err != nil {
			t.Fatal(err)
		}
		ctx = storetest.As(ctx, c.ID)
		plain, tok, err := s.CreateToken(ctx, c.ID, store.TokenDev, "test", 1)
		if err != nil {
			t.Fatal(err)
		}
		var stored int64
		s.DB().Raw("SELECT count(*) FROM api_tokens WHERE token_hash = ?", plain).Scan(&stored)
		if stored != 0 || tok.TokenHash != store.HashToken(plain) {
			t.Fatal("token stored in plain text")
		}
		// A 1ns TTL has expired by the time it is used.
		if _, err := s.AuthenticateBearer(ctx, plain, 1); err == nil {
			t.Fatal("expired token accepted")
		}
		plain2, tok2, _ := s.CreateToken(ctx, c.ID, store.TokenDev, "test", 3600e9)
		if _, err := s.AuthenticateBearer(ctx, plain2, 3600e9); err != nil {
			t.Fatal(err)
		}
		if err := s.RevokeToken(ctx, c.ID, tok2.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AuthenticateBearer(ctx, plain2, 3600e9); err == nil {
			t.Fatal("revoked token accepted")
		}
	})
}
