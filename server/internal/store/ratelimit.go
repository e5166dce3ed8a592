package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/sidenote/sidenote/server/internal/config"
)

// TakeToken takes one token from the bucket named key, which refills at
// limit.PerSecond up to limit.Burst, as of now. When the bucket is empty it
// returns false and how long until a token is there. One statement refills
// and takes, so any number of replicas on one PostgreSQL draw on the same
// bucket without lost updates. A denied request leaves the bucket as it was:
// refilling is computed from refilled_us whenever the bucket is next used.
func (s *Store) TakeToken(ctx context.Context, key string, limit config.RateLimit, now time.Time) (bool, time.Duration, error) {
	least, greatest := "LEAST", "GREATEST"
	if s.dialect == config.SQLite {
		least, greatest = "MIN", "MAX" // SQLite's multi-argument scalar forms
	}
	// A clock behind the last refill (another replica's) refills nothing
	// and never moves refilled_us back.
	const (
		burst = "CAST(@burst AS DOUBLE PRECISION)"
		rate  = "CAST(@rate AS DOUBLE PRECISION)"
		at    = "CAST(@now AS BIGINT)"
	)
	refilled := fmt.Sprintf("%s(%s, b.tokens + %s(0, %s - b.refilled_us) * %s / 1e6)", least, burst, greatest, at, rate)
	take := `INSERT INTO rate_limit_buckets AS b (bucket_key, tokens, refilled_us) VALUES (@key, ` + burst + ` - 1, ` + at + `)
		ON CONFLICT (bucket_key) DO UPDATE SET tokens = ` + refilled + ` - 1, refilled_us = ` + greatest + `(b.refilled_us, ` + at + `)
		WHERE ` + refilled + ` >= 1
		RETURNING tokens`
	args := map[string]any{"key": key, "burst": float64(limit.Burst), "now": now.UnixMicro(), "rate": limit.PerSecond}
	var left float64
	err := s.db.WithContext(ctx).Raw(take, args).Row().Scan(&left)
	if err == nil {
		return true, 0, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return false, 0, dbError(err, "Rate limit")
	}
	// Refused: say when the next token arrives. Reading after the refusal
	// may see another request's take; the wait is advice, not the limit.
	var bucket struct {
		Tokens     float64
		RefilledUs int64
	}
	if err := s.db.WithContext(ctx).Raw("SELECT tokens, refilled_us FROM rate_limit_buckets WHERE bucket_key = ?", key).Scan(&bucket).Error; err != nil {
		return false, 0, dbError(err, "Rate limit")
	}
	tokens := min(float64(limit.Burst), bucket.Tokens+float64(max(0, now.UnixMicro()-bucket.RefilledUs))*limit.PerSecond/1e6)
	wait := time.Duration((1 - tokens) / limit.PerSecond * float64(time.Second)).Round(time.Millisecond)
	return false, max(wait, time.Millisecond), nil
}

// DropFullBuckets deletes the buckets that have refilled completely by now.
// A full bucket behaves exactly like a missing one, so dropping them never
// grants anyone extra requests. The table holds the buckets of one limit.
func (s *Store) DropFullBuckets(ctx context.Context, limit config.RateLimit, now time.Time) error {
	fullAfter := time.Duration(float64(limit.Burst) / limit.PerSecond * float64(time.Second))
	err := s.db.WithContext(ctx).Exec("DELETE FROM rate_limit_buckets WHERE refilled_us < ?", now.Add(-fullAfter).UnixMicro()).Error
	return dbError(err, "Rate limit")
}
