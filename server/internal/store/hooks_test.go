package store

// Test hooks for the external store_test package.

// TokenCacheState reports whether the token cache is in use, how many
// tokens it holds, and how many times its listener has started listening.
func (s *Store) TokenCacheState() (enabled bool, cached, listens int) {
	if s.tokens == nil {
		return false, 0, 0
	}
	s.tokens.mu.Lock()
	defer s.tokens.mu.Unlock()
	return s.tokens.enabled, len(s.tokens.entries), s.tokens.listens
}
