package store

import (
	"context"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"
)

// AuthenticateBearer returns the token a bearer token (Authorization
// header) stands for. Browser session tokens are refused here: they are
// only good in their HttpOnly cookie, where CSRF checks apply.
func (s *Store) AuthenticateBearer(ctx context.Context, plain string, ttl time.Duration) (*APIToken, error) {
	return s.authenticateToken(ctx, plain, ttl, "kind <> ?", TokenBrowser)
}

// AuthenticateBrowser returns the browser session a session cookie stands
// for. Only browser session tokens are accepted.
func (s *Store) AuthenticateBrowser(ctx context.Context, plain string, ttl time.Duration) (*APIToken, error) {
	return s.authenticateToken(ctx, plain, ttl, "kind = ?", TokenBrowser)
}

// authenticateToken finds a live token of the kinds kindClause admits. A
// missing, revoked or expired token is unauthenticated. The expiry slides:
// a use at most every slideEvery pushes it to ttl from now.
func (s *Store) authenticateToken(ctx context.Context, plain string, ttl time.Duration, kindClause string, kind string) (*APIToken, error) {
	if !strings.HasPrefix(plain, tokenPrefix) {
		return nil, errUnauthenticated
	}
	var t APIToken
	err := s.db.WithContext(ctx).
		Where("token_hash = ? AND revoked_at IS NULL", HashToken(plain)).
		Where(kindClause, kind).
		Take(&t).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, errUnauthenticated
	}
	if err != nil {
		return nil, dbError(err, "Token")
	}
	now := s.now()
	if !now.Before(t.ExpiresAt) {
		return nil, errUnauthenticated
	}
	if now.Sub(t.LastUsedAt) >= slideEvery {
		t.LastUsedAt, t.ExpiresAt = now, now.Add(ttl)
		// The revoked_at condition keeps a concurrent revocation final.
		err := s.db.WithContext(ctx).Model(&APIToken{}).Where("id = ? AND revoked_at IS NULL", t.ID).
			Updates(map[string]any{"last_used_at": t.LastUsedAt, "expires_at": t.ExpiresAt}).Error
		if err != nil {
			return nil, dbError(err, "Token")
		}
	}
	return &t, nil
}

// EncodeTimeCursor makes an opaque keyset cursor from the sort key of the
// last row of a page, for lists kept outside this package (audit events).
func EncodeTimeCursor(t time.Time, id string) string { return encodeTimeCursor(t, id) }

// DecodeTimeCursor reads a cursor made by EncodeTimeCursor; a malformed one
// is a 422 naming the cursor field.
func DecodeTimeCursor(cursor string) (time.Time, string, error) { return decodeTimeCursor(cursor) }

// ClampLimit applies the default and maximum page size.
func ClampLimit(limit int) int { return clampLimit(limit) }
