package store

import (
	"context"
	"strings"
	"time"
)

// AuthenticateBearer returns the token a bearer token (Authorization
// header) stands for. Browser session tokens are refused here: they are
// only good in their HttpOnly cookie, where CSRF checks apply.
func (s *Store) AuthenticateBearer(ctx context.Context, plain string, ttl time.Duration) (*APIToken, error) {
	return s.authenticateToken(ctx, plain, ttl, func(kind string) bool { return kind != TokenBrowser })
}

// AuthenticateBrowser returns the browser session a session cookie stands
// for. Only browser session tokens are accepted.
func (s *Store) AuthenticateBrowser(ctx context.Context, plain string, ttl time.Duration) (*APIToken, error) {
	return s.authenticateToken(ctx, plain, ttl, func(kind string) bool { return kind == TokenBrowser })
}

// Every authenticated request runs tokenByHash, so it is written by hand:
// one statement (prepared once per connection by the driver), scanned
// without GORM's reflection. $N placeholders suit both PostgreSQL and SQLite.
const (
	tokenByHash = `SELECT id, clinician_id, token_hash, kind, label, created_at, last_used_at, expires_at
FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL`
	// The revoked_at condition keeps a concurrent revocation final.
	slideToken = `UPDATE api_tokens SET last_used_at = $1, expires_at = $2 WHERE id = $3 AND revoked_at IS NULL`
)

// authenticateToken finds a live token of a kind admitKind accepts. A
// missing, revoked or expired token is unauthenticated. The expiry slides:
// a use at most every slideEvery pushes it to ttl from now.
func (s *Store) authenticateToken(ctx context.Context, plain string, ttl time.Duration, admitKind func(string) bool) (*APIToken, error) {
	if !strings.HasPrefix(plain, tokenPrefix) {
		return nil, errUnauthenticated
	}
	hash := HashToken(plain)
	now := s.now()
	t, gen, cached := s.cachedToken(hash, now)
	if !cached {
		found := false
		err := s.queryRows(ctx, tokenByHash, []any{hash}, func(row rowScanner) error {
			found = true
			return row.Scan(&t.ID, &t.ClinicianID, &t.TokenHash, &t.Kind, &t.Label, &t.CreatedAt, &t.LastUsedAt, &t.ExpiresAt)
		})
		if err != nil {
			return nil, dbError(err, "Token")
		}
		if !found {
			return nil, errUnauthenticated
		}
		if s.tokens != nil {
			s.tokens.put(t, gen, now)
		}
	}
	if !admitKind(t.Kind) || !now.Before(t.ExpiresAt) {
		return nil, errUnauthenticated
	}
	if now.Sub(t.LastUsedAt) >= slideEvery {
		t.LastUsedAt, t.ExpiresAt = now, now.Add(ttl)
		res, err := s.sqlDB.ExecContext(ctx, slideToken, t.LastUsedAt, t.ExpiresAt, t.ID)
		if err != nil {
			return nil, dbError(err, "Token")
		}
		if n, err := res.RowsAffected(); err == nil && n == 0 {
			// Revoked meanwhile (or deleted with its clinician).
			s.evictTokens(func(c *APIToken) bool { return c.ID == t.ID })
			return nil, errUnauthenticated
		}
		if s.tokens != nil {
			s.tokens.update(t)
		}
	}
	return &t, nil
}

// cachedToken looks hash up in the token cache, if there is one; gen is
// what a database read started now presents to the cache.
func (s *Store) cachedToken(hash string, now time.Time) (t APIToken, gen uint64, ok bool) {
	if s.tokens == nil {
		return APIToken{}, 0, false
	}
	return s.tokens.get(hash, now)
}

// evictTokens drops the cached tokens match selects, after a revocation
// this process committed: the trigger's notification will do the same on
// every replica, this one included, but only a moment later.
func (s *Store) evictTokens(match func(*APIToken) bool) {
	if s.tokens != nil {
		s.tokens.evict(match)
	}
}

// EncodeTimeCursor makes an opaque keyset cursor from the sort key of the
// last row of a page, for lists kept outside this package (audit events).
func EncodeTimeCursor(t time.Time, id string) string { return encodeTimeCursor(t, id) }

// DecodeTimeCursor reads a cursor made by EncodeTimeCursor; a malformed one
// is a 422 naming the cursor field.
func DecodeTimeCursor(cursor string) (time.Time, string, error) { return decodeTimeCursor(cursor) }

// ClampLimit applies the default and maximum page size.
func ClampLimit(limit int) int { return clampLimit(limit) }
