package store

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// Every authenticated request looks its token up. On PostgreSQL the store
// remembers live tokens for a short while, so that a request costs one
// database round trip instead of two (BenchmarkSessionsList: +16 %
// requests/s). A revoked token must stop working on every replica at once,
// so the cache is only used while this process is LISTENing for
// revocations: a trigger (migration 00008) notifies tokenRevokedChannel
// with the token's hash whenever a token is revoked or deleted, whichever
// code path or cascade did it. When the listening connection drops, the
// cache is emptied and bypassed until it listens again. Entries also expire
// after tokenCacheTTL, which bounds the damage of a connection that hangs
// without failing. SQLite (one process by design) does not cache: its
// lookups are in-process anyway.

const (
	tokenRevokedChannel = "sidenote_token_revoked"
	tokenCacheTTL       = 30 * time.Second
	tokenCacheMax       = 10000
	// listenCheckEvery is how long the listener waits for a notification
	// before checking that its connection still answers.
	listenCheckEvery = 15 * time.Second
)

// tokenCache holds live tokens by hash. gen counts invalidations: a lookup
// notes gen before it reads the database and may only cache what it read if
// nothing was invalidated meanwhile, or a revocation that landed between the
// read and the insertion would be undone.
type tokenCache struct {
	mu      sync.Mutex
	enabled bool
	gen     uint64
	entries map[string]cachedToken
	listens int // times the listener started listening, for tests
}

type cachedToken struct {
	token APIToken
	until time.Time
}

func newTokenCache() *tokenCache { return &tokenCache{entries: map[string]cachedToken{}} }

// get returns the cached token for hash, if any, and the generation a
// database read started now must present to put.
func (c *tokenCache) get(hash string, now time.Time) (APIToken, uint64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[hash]
	if ok && !now.Before(e.until) {
		delete(c.entries, hash)
		ok = false
	}
	return e.token, c.gen, ok && c.enabled
}

// put caches t, read from the database at generation gen.
func (c *tokenCache) put(t APIToken, gen uint64, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.enabled || gen != c.gen {
		return
	}
	if len(c.entries) >= tokenCacheMax {
		clear(c.entries)
	}
	c.entries[t.TokenHash] = cachedToken{token: t, until: now.Add(tokenCacheTTL)}
}

// update replaces a cached token's fields (its slid expiry) without
// extending how long it stays cached.
func (c *tokenCache) update(t APIToken) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[t.TokenHash]; ok {
		e.token = t
		c.entries[t.TokenHash] = e
	}
}

// evict forgets the tokens match selects.
func (c *tokenCache) evict(match func(*APIToken) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for h, e := range c.entries {
		if match(&e.token) {
			delete(c.entries, h)
		}
	}
}

func (c *tokenCache) evictHash(hash string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	delete(c.entries, hash)
}

// setEnabled turns the cache on or off; either way it starts empty.
func (c *tokenCache) setEnabled(on bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.enabled = on
	clear(c.entries)
	if on {
		c.listens++
	}
}

func (c *tokenCache) isEnabled() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.enabled
}

// ForgetCachedTokens empties this process's token cache. Revocations need
// not call it (the trigger reaches every replica); it is for tools and
// tests that change api_tokens behind the store's back and must see the
// change at once here.
func (s *Store) ForgetCachedTokens() {
	s.evictTokens(func(*APIToken) bool { return true })
}

// listenForRevocations keeps a connection LISTENing on
// tokenRevokedChannel until ctx ends, evicting each token named, and keeps
// the cache enabled exactly while it listens.
func (s *Store) listenForRevocations(ctx context.Context, dsn string, log *slog.Logger) {
	backoff := 100 * time.Millisecond
	for {
		err := s.listenOnce(ctx, dsn)
		s.tokens.setEnabled(false)
		if ctx.Err() != nil {
			return
		}
		log.Warn("token revocation listener disconnected; token cache off until it reconnects", "err", err, "retry_in", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 10*time.Second)
	}
}

// listenOnce connects, LISTENs and evicts notified tokens until the
// connection fails or ctx ends.
func (s *Store) listenOnce(ctx context.Context, dsn string) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+tokenRevokedChannel); err != nil {
		return err
	}
	// Revocations committed from here on are delivered to this
	// connection; anything cached before was dropped when the cache went
	// off (or never existed).
	s.tokens.setEnabled(true)
	for {
		wait, cancel := context.WithTimeout(ctx, listenCheckEvery)
		n, err := conn.WaitForNotification(wait)
		cancel()
		switch {
		case err == nil:
			s.tokens.evictHash(n.Payload)
		case ctx.Err() != nil:
			return ctx.Err()
		case wait.Err() != nil:
			// Quiet for a while: make sure the connection still answers.
			check, cancel := context.WithTimeout(ctx, 5*time.Second)
			err := conn.Ping(check)
			cancel()
			if err != nil {
				return err
			}
		default:
			return err
		}
	}
}
