package store

import (
	"context"
	"fmt"
	"hash/fnv"

	"github.com/sidenote/sidenote/server/internal/config"
)

// Exclusive runs fn while holding a PostgreSQL advisory lock named name, so
// that replicas starting together do one-time work (such as the job
// queue's migrations) one after the other instead of colliding. The lock
// belongs to one connection and goes with it if the process dies. On SQLite,
// served by one process, fn simply runs.
func (s *Store) Exclusive(ctx context.Context, name string, fn func() error) error {
	if s.dialect != config.Postgres {
		return fn()
	}
	h := fnv.New64a()
	h.Write([]byte("sidenote:" + name))
	key := int64(h.Sum64())
	conn, err := s.sqlDB.Conn(ctx)
	if err != nil {
		return fmt.Errorf("lock %s: %w", name, err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", key); err != nil {
		return fmt.Errorf("lock %s: %w", name, err)
	}
	// Unlock even if ctx has ended. If the connection broke instead, the
	// server released the lock with the session.
	defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", key)
	return fn()
}
