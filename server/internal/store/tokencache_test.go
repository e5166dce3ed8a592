package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/sidenote/sidenote/server/internal/store"
	"github.com/sidenote/sidenote/server/internal/store/storetest"
	"github.com/sidenote/sidenote/shared/api"
)

// waitForTokenCache waits until s's revocation listener has started
// listening more than `after` times.
func waitForTokenCache(t *testing.T, s *store.Store, after int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		enabled, _, listens := s.TokenCacheState()
		if enabled && listens > after {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the token cache is not listening for revocations (enabled %v, listens %d)", enabled, listens)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func isUnauthenticated(err error) bool {
	var e *api.Error
	return errors.As(err, &e) && e.Code == api.CodeUnauthenticated
}

// refusedWithin polls authenticate until it refuses the token, failing
// after 5 s, and returns how long that took.
func refusedWithin(t *testing.T, what string, authenticate func() error) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		err := authenticate()
		if isUnauthenticated(err) {
			return time.Since(start)
		}
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if time.Since(start) > 5*time.Second {
			t.Fatalf("%s: the other replica still accepts the token after 5 s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// Two stores on one database stand for two replicas: a token one of them
// has cached stops working there as soon as the other revokes it, however
// the revocation is made.
func TestRevokedTokenStopsWorkingOnEveryReplica(t *testing.T) {
	url := storetest.PostgresURL(t)
	a, b := storetest.MustOpen(t, url), storetest.MustOpen(t, url)
	waitForTokenCache(t, a, 0)
	waitForTokenCache(t, b, 0)
	ctx := context.Background()

	newClinician := func(t *testing.T) string {
		c, err := b.SignIn(ctx, "dev", t.Name(), t.Name()+"@example.org", "Dr Replica")
		if err != nil {
			t.Fatal(err)
		}
		return c.ID
	}
	// cachedOnA makes a token on b and uses it twice on a: the second
	// use is answered from a's cache.
	cachedOnA := func(t *testing.T, clinicianID, kind string) (string, *store.APIToken, func() error) {
		plain, tok, err := b.CreateToken(storetest.As(ctx, clinicianID), clinicianID, kind, "test", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		authenticate := func() error {
			var err error
			if kind == store.TokenBrowser {
				_, err = a.AuthenticateBrowser(ctx, plain, time.Hour)
			} else {
				_, err = a.AuthenticateBearer(ctx, plain, time.Hour)
			}
			return err
		}
		_, before, _ := a.TokenCacheState()
		for range 2 {
			if err := authenticate(); err != nil {
				t.Fatal(err)
			}
		}
		if _, after, _ := a.TokenCacheState(); after != before+1 {
			t.Fatalf("a caches %d tokens after one was used, had %d", after, before)
		}
		return plain, tok, authenticate
	}

	t.Run("revoked by id", func(t *testing.T) {
		clin := newClinician(t)
		_, tok, authenticate := cachedOnA(t, clin, store.TokenExtension)
		if err := b.RevokeToken(storetest.As(ctx, clin), clin, tok.ID); err != nil {
			t.Fatal(err)
		}
		t.Logf("refused on the other replica after %v", refusedWithin(t, "revoked token", authenticate))
	})
	t.Run("signed out", func(t *testing.T) {
		clin := newClinician(t)
		plain, _, authenticate := cachedOnA(t, clin, store.TokenBrowser)
		if err := b.EndBrowserSession(ctx, plain); err != nil {
			t.Fatal(err)
		}
		t.Logf("refused on the other replica after %v", refusedWithin(t, "ended browser session", authenticate))
	})
	t.Run("account deleted", func(t *testing.T) {
		clin := newClinician(t)
		_, _, authenticate := cachedOnA(t, clin, store.TokenExtension)
		if _, err := b.DeleteAccount(ctx, clin, nil); err != nil {
			t.Fatal(err)
		}
		t.Logf("refused on the other replica after %v", refusedWithin(t, "token of a deleted account", authenticate))
	})
	t.Run("revoked by hand in SQL", func(t *testing.T) {
		clin := newClinician(t)
		_, tok, authenticate := cachedOnA(t, clin, store.TokenExtension)
		if err := b.DB().Exec("UPDATE api_tokens SET revoked_at = now() WHERE id = ?", tok.ID).Error; err != nil {
			t.Fatal(err)
		}
		t.Logf("refused on the other replica after %v", refusedWithin(t, "token revoked in SQL", authenticate))
	})
	t.Run("revoked on the same replica", func(t *testing.T) {
		clin := newClinician(t)
		_, tok, authenticate := cachedOnA(t, clin, store.TokenExtension)
		if err := a.RevokeToken(storetest.As(ctx, clin), clin, tok.ID); err != nil {
			t.Fatal(err)
		}
		if err := authenticate(); !isUnauthenticated(err) {
			t.Fatalf("right after revoking it here: %v, want unauthenticated", err)
		}
	})
}

// While the listener is not connected a revocation could go unheard, so
// the cache starts over empty when it listens again.
func TestTokenCacheStartsOverWhenItsListenerReconnects(t *testing.T) {
	url := storetest.PostgresURL(t)
	s := storetest.MustOpen(t, url)
	waitForTokenCache(t, s, 0)
	ctx := context.Background()
	clin, err := s.SignIn(ctx, "dev", "listener", "listener@example.org", "Dr Listener")
	if err != nil {
		t.Fatal(err)
	}
	plain, tok, err := s.CreateToken(storetest.As(ctx, clin.ID), clin.ID, store.TokenExtension, "test", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AuthenticateBearer(ctx, plain, time.Hour); err != nil {
		t.Fatal(err)
	}
	_, _, listens := s.TokenCacheState()

	// A revocation the trigger does not report (replication role skips
	// triggers), made while the listener's connection is cut.
	err = s.Transaction(ctx, func(tx *gorm.DB) error {
		if err := tx.Exec("SET LOCAL session_replication_role = replica").Error; err != nil {
			return err
		}
		if err := tx.Exec("UPDATE api_tokens SET revoked_at = now() WHERE id = ?", tok.ID).Error; err != nil {
			return err
		}
		return tx.Exec(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
			WHERE datname = current_database() AND query = 'LISTEN sidenote_token_revoked'`).Error
	})
	if err != nil {
		t.Fatal(err)
	}
	waitForTokenCache(t, s, listens)
	if _, err := s.AuthenticateBearer(ctx, plain, time.Hour); !isUnauthenticated(err) {
		t.Fatalf("after the listener reconnected: %v, want unauthenticated", err)
	}
}

// SQLite is one process: nothing to cache, nothing to listen for.
func TestSQLiteHasNoTokenCache(t *testing.T) {
	s := storetest.MustOpen(t, storetest.SQLiteURL(t))
	if enabled, _, _ := s.TokenCacheState(); enabled {
		t.Fatal("token cache enabled on SQLite")
	}
}

// An expiry brought forward in SQL (an operator signing everyone out)
// reaches the other replica's cache like a revocation.
func TestExpiryBroughtForwardReachesEveryReplica(t *testing.T) {
	url := storetest.PostgresURL(t)
	a, b := storetest.MustOpen(t, url), storetest.MustOpen(t, url)
	waitForTokenCache(t, a, 0)
	ctx := context.Background()
	clin, err := b.SignIn(ctx, "dev", "expiry", "expiry@example.org", "Dr Expiry")
	if err != nil {
		t.Fatal(err)
	}
	plain, _, err := b.CreateToken(storetest.As(ctx, clin.ID), clin.ID, store.TokenExtension, "test", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	authenticate := func() error { _, err := a.AuthenticateBearer(ctx, plain, time.Hour); return err }
	if err := authenticate(); err != nil {
		t.Fatal(err)
	}
	if err := b.DB().Exec("UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE clinician_id = ?", clin.ID).Error; err != nil {
		t.Fatal(err)
	}
	t.Logf("refused on the other replica after %v", refusedWithin(t, "expired token", authenticate))
}
