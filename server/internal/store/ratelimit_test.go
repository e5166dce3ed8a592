package store_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sidenote/sidenote/server/internal/config"
	"github.com/sidenote/sidenote/server/internal/store"
	"github.com/sidenote/sidenote/server/internal/store/storetest"
)

func TestTakeTokenRefillsAtTheRateUpToTheBurst(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, dbURL string) {
		ctx := context.Background()
		s := storetest.MustOpen(t, dbURL)
		limit := config.RateLimit{PerSecond: 0.01, Burst: 3} // a token per 100 s
		t0 := time.Unix(1_800_000_000, 0)
		take := func(key string, at time.Time) (bool, time.Duration) {
			t.Helper()
			ok, wait, err := s.TakeToken(ctx, key, limit, at)
			if err != nil {
				t.Fatal(err)
			}
			return ok, wait
		}
		for i := range 3 {
			if ok, _ := take("198.51.100.7", t0); !ok {
				t.Fatalf("request %d refused within the burst", i+1)
			}
		}
		if ok, wait := take("198.51.100.7", t0); ok || wait != 100*time.Second {
			t.Fatalf("over the burst: allowed %v, wait %v (want 100s)", ok, wait)
		}
		if ok, _ := take("203.0.113.9", t0); !ok {
			t.Fatal("another key shares the bucket")
		}
		if ok, wait := take("198.51.100.7", t0.Add(40*time.Second)); ok || wait != 60*time.Second {
			t.Fatalf("40 s on: allowed %v, wait %v (want 60s)", ok, wait)
		}
		// A clock an hour behind (another replica's) refills nothing and
		// does not wind the bucket back.
		if ok, _ := take("198.51.100.7", t0.Add(-time.Hour)); ok {
			t.Fatal("a clock behind the bucket was given a token")
		}
		if ok, _ := take("198.51.100.7", t0.Add(100*time.Second)); !ok {
			t.Fatal("a token that refilled after 100 s was refused")
		}
		if ok, _ := take("198.51.100.7", t0.Add(100*time.Second)); ok {
			t.Fatal("one refilled token was taken twice")
		}

		// Buckets full again are dropped; one still refilling stays.
		if ok, _ := take("192.0.2.1", t0.Add(290*time.Second)); !ok {
			t.Fatal("fresh key refused")
		}
		if err := s.DropFullBuckets(ctx, limit, t0.Add(301*time.Second)); err != nil {
			t.Fatal(err)
		}
		var keys []string
		s.DB().Raw("SELECT bucket_key FROM rate_limit_buckets ORDER BY bucket_key").Scan(&keys)
		if len(keys) != 2 || keys[0] != "192.0.2.1" || keys[1] != "198.51.100.7" {
			t.Fatalf("buckets after the sweep: %v, want the two still refilling", keys)
		}
	})
}

// Two stores stand for two replicas, each with its own connection pool:
// however many requests race, the bucket hands out exactly its burst.
func TestTakeTokenIsAtomicAcrossProcesses(t *testing.T) {
	dbURL := storetest.PostgresURL(t)
	replicas := []*store.Store{storetest.MustOpen(t, dbURL), storetest.MustOpen(t, dbURL)}
	limit := config.RateLimit{PerSecond: 0.0001, Burst: 10}
	now := time.Now()
	var allowed atomic.Int64
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Go(func() {
			ok, _, err := replicas[i%2].TakeToken(context.Background(), "198.51.100.7", limit, now)
			if err != nil {
				t.Error(err)
			}
			if ok {
				allowed.Add(1)
			}
		})
	}
	wg.Wait()
	if n := allowed.Load(); n != int64(limit.Burst) {
		t.Fatalf("%d of 40 racing requests allowed, want the burst, %d", n, limit.Burst)
	}
}
