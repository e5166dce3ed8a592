package store

import (
	"context"
	"time"
)

// A browser session is the sign-in of the /app page: an api_tokens row of
// kind TokenBrowser, kept hashed like every token, whose plain value lives
// only in an HttpOnly cookie. Its expiry slides with use (SessionTTL) and
// signing out revokes the row, so a copied cookie stops working at once.

// CreateBrowserSession starts a browser session for a clinician and
// returns the plain session token for the cookie.
func (s *Store) CreateBrowserSession(ctx context.Context, clinicianID string, ttl time.Duration) (string, *APIToken, error) {
	return s.CreateToken(ctx, clinicianID, TokenBrowser, "Browser", ttl)
}

// EndBrowserSession revokes a browser session by its plain token, if it is
// still live; ending an unknown or ended session is not an error.
func (s *Store) EndBrowserSession(ctx context.Context, plain string) error {
	hash := HashToken(plain)
	err := s.db.WithContext(ctx).Model(&APIToken{}).
		Where("token_hash = ? AND kind = ? AND revoked_at IS NULL", hash, TokenBrowser).
		Update("revoked_at", s.now()).Error
	s.evictTokens(func(t *APIToken) bool { return t.TokenHash == hash })
	return dbError(err, "Session")
}
