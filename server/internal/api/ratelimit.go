package api

import (
	"context"
	"math"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"

	"github.com/sidenote/sidenote/server/internal/config"
	"github.com/sidenote/sidenote/server/internal/store"
	"github.com/sidenote/sidenote/shared/api"
)

// keyedLimiter keeps one token bucket (golang.org/x/time/rate) per key in
// this process's memory; it limits the API per token. With several replicas
// each keeps its own buckets, so a token may reach the limit once per
// replica: the limit is a guard against a runaway client, approximate by
// nature, and a database write on every API request would cost more than it
// protects. Sign-in, where a shared budget matters, uses sharedLimiter.
// Buckets that have refilled completely are dropped on the next sweep: a
// full bucket behaves exactly like a new one, so eviction never gives anyone
// extra requests.
type keyedLimiter struct {
	limit config.RateLimit
	now   func() time.Time

	mu        sync.Mutex
	buckets   map[string]*rate.Limiter
	lastSweep time.Time
}

// sweepEvery is how often idle buckets are dropped.
const sweepEvery = time.Minute

func newKeyedLimiter(limit config.RateLimit) *keyedLimiter {
	return &keyedLimiter{limit: limit, now: time.Now, buckets: map[string]*rate.Limiter{}}
}

// allow takes one request from key's bucket. When the bucket is empty it
// returns false and how long until a request would be allowed.
func (l *keyedLimiter) allow(key string) (bool, time.Duration) {
	if l.limit.Unlimited() {
		return true, 0
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.lastSweep) >= sweepEvery {
		l.sweep(now)
	}
	b, ok := l.buckets[key]
	if !ok {
		b = rate.NewLimiter(rate.Limit(l.limit.PerSecond), l.limit.Burst)
		l.buckets[key] = b
	}
	r := b.ReserveN(now, 1)
	if delay := r.DelayFrom(now); delay > 0 {
		r.CancelAt(now)
		return false, delay
	}
	return true, 0
}

func (l *keyedLimiter) sweep(now time.Time) {
	for key, b := range l.buckets {
		if b.TokensAt(now) >= float64(l.limit.Burst) {
			delete(l.buckets, key)
		}
	}
	l.lastSweep = now
}

// size is the number of live buckets (for tests).
func (l *keyedLimiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}

// sharedLimiter keeps its token buckets in the database (see
// store.TakeToken), so every replica draws on one budget per key: however a
// load balancer spreads an address's sign-in attempts, the limit holds.
type sharedLimiter struct {
	limit config.RateLimit
	now   func() time.Time

	mu        sync.Mutex
	lastSweep time.Time
}

func newSharedLimiter(limit config.RateLimit) *sharedLimiter {
	return &sharedLimiter{limit: limit, now: time.Now}
}

// allow takes one request from key's bucket in st, first dropping full
// buckets if this process has not done so for sweepEvery.
func (l *sharedLimiter) allow(ctx context.Context, st *store.Store, key string) (bool, time.Duration, error) {
	if l.limit.Unlimited() {
		return true, 0, nil
	}
	now := l.now()
	if l.sweepDue(now) {
		if err := st.DropFullBuckets(ctx, l.limit, now); err != nil {
			return false, 0, err
		}
	}
	return st.TakeToken(ctx, key, l.limit, now)
}

func (l *sharedLimiter) sweepDue(now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.lastSweep) < sweepEvery {
		return false
	}
	l.lastSweep = now
	return true
}

// rateLimited answers 429 with Retry-After in whole seconds.
func rateLimited(c *gin.Context, retryAfter time.Duration) {
	c.Header("Retry-After", strconv.Itoa(int(math.Ceil(retryAfter.Seconds()))))
	fail(c, &api.Error{Code: api.CodeRateLimited, Message: "Too many requests. Please wait a moment and try again."})
}

// limitSignIn limits sign-in routes per client IP, across all replicas.
func (s *Server) limitSignIn(c *gin.Context) {
	ok, wait, err := s.authn.signInLimiter.allow(c.Request.Context(), s.store, ipKey(c.ClientIP()))
	switch {
	case err != nil:
		fail(c, err)
		return
	case !ok:
		rateLimited(c, wait)
		return
	}
	c.Next()
}

// limitPerToken limits the API per token (or browser session); it runs
// after authenticate.
func (s *Server) limitPerToken(c *gin.Context) {
	if ok, wait := s.authn.apiLimiter.allow(c.GetString(ctxTokenID)); !ok {
		rateLimited(c, wait)
		return
	}
	c.Next()
}

// ipKey is the rate-limit key of a client address: the address itself for
// IPv4, its /64 for IPv6, since one host commonly holds a whole /64.
func ipKey(ip string) string {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	addr = addr.Unmap()
	if addr.Is6() {
		p, _ := addr.Prefix(64)
		return p.String()
	}
	return addr.String()
}
