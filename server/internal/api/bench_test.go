package api

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sidenote/sidenote/server/internal/store"
	"github.com/sidenote/sidenote/server/internal/store/storetest"
)

// BenchmarkSessionsList measures GET /api/v1/sessions?limit=50 over loopback
// HTTP with 32 concurrent clients on PostgreSQL seeded with 100,000 sessions
// across 100 clinicians, then the same SQL issued directly through pgx at
// the same concurrency, and prints requests/s, p50, p99 and the ratio
// API/direct. Targets (issue 3): ratio >= 0.5, p99 <= 10 ms on 2 cores.
// SIDENOTE_BENCH_DURATION shortens or lengthens each phase (default 20s).
func BenchmarkSessionsList(b *testing.B) {
	const (
		clinicians = 100
		perClinic  = 1000
	)
	concurrency := 32
	if n, err := strconv.Atoi(os.Getenv("SIDENOTE_BENCH_CONCURRENCY")); err == nil && n > 0 {
		concurrency = n
	}
	duration := 20 * time.Second
	if d, err := time.ParseDuration(os.Getenv("SIDENOTE_BENCH_DURATION")); err == nil {
		duration = d
	}
	dbURL := storetest.PostgresURL(b)
	ts := newTestServer(b, dbURL, benchEnv)
	ctx := context.Background()

	tokens := make([]string, clinicians)
	ids := make([]string, clinicians)
	for i := range clinicians {
		email := fmt.Sprintf("clinician%03d@example.org", i)
		c, err := ts.store.SignIn(ctx, "dev", email, email, "Clinician")
		if err != nil {
			b.Fatal(err)
		}
		ids[i] = c.ID
		if tokens[i], _, err = ts.store.CreateToken(ctx, c.ID, store.TokenDev, "bench", time.Hour); err != nil {
			b.Fatal(err)
		}
	}
	seed := `
WITH c AS (SELECT id AS clinician_id, row_number() OVER (ORDER BY id) AS n FROM clinicians),
cl AS (
  INSERT INTO clients (id, clinician_id, display_name, sort_name, kind, created_at, updated_at)
  SELECT gen_random_uuid()::text, c.clinician_id, 'Client ' || g, 'client ' || g, 'individual', now(), now()
  FROM c, generate_series(1, 10) g RETURNING id, clinician_id)
INSERT INTO sessions (id, clinician_id, client_id, anonymous, type, status, consent_obtained, consent_method,
                      consent_recorded_at, started_at, created_at, updated_at)
SELECT gen_random_uuid()::text, c.clinician_id,
       CASE WHEN g % 3 = 0 THEN NULL ELSE (SELECT id FROM cl WHERE cl.clinician_id = c.clinician_id ORDER BY id OFFSET (g % 10) LIMIT 1) END,
       CASE WHEN g % 3 = 0 THEN 'couple' ELSE NULL END,
       'in_person', 'ended', true, 'verbal', now(), now() - (g || ' hours')::interval, now(), now()
FROM c, generate_series(1, $1::int) g`
	if err := ts.store.DB().Exec(seed, perClinic).Error; err != nil {
		b.Fatal(err)
	}
	ts.store.DB().Exec("ANALYZE")

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: concurrency * 2}}
	apiStats := runLoad(b, concurrency, duration, func(r *rand.Rand) error {
		req, _ := http.NewRequest(http.MethodGet, ts.http.URL+"/api/v1/sessions?limit=50", nil)
		req.Header.Set("Authorization", "Bearer "+tokens[r.IntN(clinicians)])
		res, err := client.Do(req)
		if err != nil {
			return err
		}
		_, err = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			return fmt.Errorf("status %d", res.StatusCode)
		}
		return err
	})

	pool, err := pgxpool.New(ctx, fmt.Sprintf("%s&pool_max_conns=%d", dbURL, concurrency))
	if err != nil {
		b.Fatal(err)
	}
	defer pool.Close()
	// The same statement the store issues for the first page.
	const direct = `SELECT sessions.*, "Client".id, "Client".display_name, "Client".kind, "Client".external_ref, "Client".archived_at
FROM sessions LEFT JOIN clients "Client" ON sessions.client_id = "Client".id
WHERE sessions.clinician_id = $1 AND sessions.deleted_at IS NULL
ORDER BY sessions.started_at DESC, sessions.id DESC LIMIT 51`
	directStats := runLoad(b, concurrency, duration, func(r *rand.Rand) error {
		rows, err := pool.Query(ctx, direct, ids[r.IntN(clinicians)])
		if err != nil {
			return err
		}
		for rows.Next() {
			if _, err := rows.Values(); err != nil {
				return err
			}
		}
		rows.Close()
		return rows.Err()
	})
	ratio := apiStats.rps / directStats.rps
	b.ReportMetric(apiStats.rps, "api_req/s")
	b.ReportMetric(float64(apiStats.p50.Microseconds())/1000, "api_p50_ms")
	b.ReportMetric(float64(apiStats.p99.Microseconds())/1000, "api_p99_ms")
	b.ReportMetric(directStats.rps, "direct_q/s")
	b.ReportMetric(ratio, "api/direct")
	fmt.Printf("sessions list, %d sessions, %d clients x %s:\n  API    %8.0f req/s  p50 %6.2f ms  p99 %6.2f ms  errors %d\n  direct %8.0f q/s    p50 %6.2f ms  p99 %6.2f ms\n  ratio API/direct %.2f (target >= 0.5), API p99 target <= 10 ms\n",
		clinicians*perClinic, concurrency, duration,
		apiStats.rps, ms(apiStats.p50), ms(apiStats.p99), apiStats.errors,
		directStats.rps, ms(directStats.p50), ms(directStats.p99), ratio)
}

// benchEnv lifts the per-token rate limit out of the way of a load test.
var benchEnv = map[string]string{"SIDENOTE_API_RATE_LIMIT": "0"}

type loadStats struct {
	rps      float64
	p50, p99 time.Duration
	errors   int
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// runLoad calls op from n goroutines for d and summarises the latencies.
func runLoad(b *testing.B, n int, d time.Duration, op func(*rand.Rand) error) loadStats {
	b.Helper()
	var (
		mu        sync.Mutex
		latencies []time.Duration
		errs      int
		firstErr  error
		wg        sync.WaitGroup
	)
	deadline := time.Now().Add(d)
	start := time.Now()
	for g := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(g), 42))
			var local []time.Duration
			localErrs := 0
			for time.Now().Before(deadline) {
				t0 := time.Now()
				if err := op(r); err != nil {
					localErrs++
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					continue
				}
				local = append(local, time.Since(t0))
			}
			mu.Lock()
			latencies = append(latencies, local...)
			errs += localErrs
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if firstErr != nil {
		b.Logf("%d errors, first: %v", errs, firstErr)
	}
	if len(latencies) == 0 {
		b.Fatal("no successful operation")
	}
	slices.Sort(latencies)
	return loadStats{
		rps:    float64(len(latencies)) / elapsed.Seconds(),
		p50:    latencies[len(latencies)/2],
		p99:    latencies[len(latencies)*99/100],
		errors: errs,
	}
}
