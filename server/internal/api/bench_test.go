package api

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sidenote/sidenote/server/internal/store"
	"github.com/sidenote/sidenote/server/internal/store/storetest"
)

// BenchmarkSessionsList measures GET /api/v1/sessions?limit=50 over loopback
// HTTP with 32 connections (wrk, each request with a random clinician's
// token) on PostgreSQL seeded with 100,000 sessions across 100 clinicians,
// then the very statement the store issues for that page, prepared, through
// pgbench at the same concurrency, and prints requests/s, p50, p99 and the
// ratio API/direct. Targets (issue 3): ratio >= 0.5, p99 <= 10 ms on 2
// cores. SIDENOTE_BENCH_DURATION shortens or lengthens each phase (default
// 20s), SIDENOTE_BENCH_CONCURRENCY changes the 32 connections.
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
	devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer devNull.Close()
	ts.logs.writeTo(devNull) // one write per request, as to stderr in production
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
		if tokens[i], _, err = ts.store.CreateToken(storetest.As(ctx, c.ID), c.ID, store.TokenDev, "bench", time.Hour); err != nil {
			b.Fatal(err)
		}
	}
	seed := `
WITH c AS (SELECT id AS clinician_id, row_number() OVER (ORDER BY id) AS n FROM clinicians),
cl AS (
  INSERT INTO clients (id, clinician_id, display_name, kind, created_at, updated_at)
  SELECT gen_random_uuid()::text, c.clinician_id, 'Client ' || g, 'individual', now(), now()
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
	// Settle the freshly seeded tables before measuring: without this the
	// first phase (the API's) pays for setting hint bits on every page it
	// reads, for autovacuum and for the checkpoint of the seed, and the
	// comparison with the second phase is unfair.
	for _, stmt := range []string{"VACUUM (ANALYZE)", "CHECKPOINT"} {
		if err := ts.store.DB().Exec(stmt).Error; err != nil {
			b.Fatalf("%s: %v", stmt, err)
		}
	}

	query, args, err := store.SessionListQuery(ids[0], store.SessionFilter{Limit: 50})
	if err != nil || len(args) != 1 {
		b.Fatalf("session list query: %v %v", args, err)
	}
	// Both sides are driven by C load generators with the same number of
	// connections and threads, so neither pays for a Go client on the two
	// cores the server and PostgreSQL share.
	threads := runtime.NumCPU()
	// pgbench connects and prepares before it measures; warm the API the
	// same way (its pool connects, pgx prepares, the token cache fills).
	runWrk(b, ts.http.URL+"/api/v1/sessions?limit=50", tokens, concurrency, threads, 3*time.Second)
	serverCPU := processCPU()
	apiStats := runWrk(b, ts.http.URL+"/api/v1/sessions?limit=50", tokens, concurrency, threads, duration)
	serverCPU = processCPU() - serverCPU
	directStats := runPgbench(b, dbURL, query, ids, concurrency, threads, duration)
	ratio := apiStats.rps / directStats.rps
	b.ReportMetric(apiStats.rps, "api_req/s")
	b.ReportMetric(ms(apiStats.p50), "api_p50_ms")
	b.ReportMetric(ms(apiStats.p99), "api_p99_ms")
	b.ReportMetric(directStats.rps, "direct_q/s")
	b.ReportMetric(ratio, "api/direct")
	fmt.Printf(`sessions list, %d sessions of %d clinicians, %d connections on %d threads x %s:
  API    (wrk)     %8.0f req/s  p50 %6.2f ms  p99 %6.2f ms  %.1f KB/response, CPU/request: server %.0f µs, wrk %.0f µs
  direct (pgbench) %8.0f q/s    p50 %6.2f ms  p99 %6.2f ms  same SQL, prepared, CPU/query: pgbench %.0f µs
  ratio API/direct %.2f (target >= 0.5), API p99 target <= 10 ms
`,
		clinicians*perClinic, clinicians, concurrency, threads, duration,
		apiStats.rps, ms(apiStats.p50), ms(apiStats.p99), apiStats.bytesPerOp/1024,
		perOp(serverCPU, apiStats.ops), perOp(apiStats.loadCPU, apiStats.ops),
		directStats.rps, ms(directStats.p50), ms(directStats.p99), perOp(directStats.loadCPU, directStats.ops), ratio)
}

// benchEnv lifts the per-token rate limit out of the way of a load test.
var benchEnv = map[string]string{"SIDENOTE_API_RATE_LIMIT": "0"}

type loadStats struct {
	ops        int64
	rps        float64
	p50, p99   time.Duration
	bytesPerOp float64
	loadCPU    time.Duration // spent by the load generator itself
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// perOp is cpu per operation in microseconds.
func perOp(cpu time.Duration, ops int64) float64 { return float64(cpu.Microseconds()) / float64(ops) }

// processCPU is the CPU time this process (the server under test) has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// wholeSeconds is d as both load generators take it: whole seconds, at least one.
func wholeSeconds(d time.Duration) string {
	return strconv.Itoa(max(1, int(d.Round(time.Second).Seconds())))
}

func cpuOf(cmd *exec.Cmd) time.Duration {
	return cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
}

// lookTool finds a load generator or fails with how to install it.
func lookTool(b *testing.B, name, debianPackage string) string {
	path, err := exec.LookPath(name)
	if err != nil {
		b.Fatalf("%s is needed for this benchmark: apt-get install %s", name, debianPackage)
	}
	return path
}

// wrkScript sends each request with the token of a clinician picked at
// random and prints wrk's figures on one line for runWrk to read.
const wrkScript = `
local requests = {}
function init(args)
  for token in io.lines(args[1]) do
    requests[#requests + 1] = wrk.format("GET", nil, {Authorization = "Bearer " .. token})
  end
end
function request()
  return requests[math.random(#requests)]
end
function done(summary, latency, _)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d %d\n", summary.requests, summary.duration, summary.bytes,
    e.connect + e.read + e.write + e.status + e.timeout, latency:percentile(50), latency:percentile(99)))
end
`

// runWrk loads url with wrk and fails on any error or non-2xx answer.
func runWrk(b *testing.B, url string, tokens []string, conns, threads int, d time.Duration) loadStats {
	b.Helper()
	wrk := lookTool(b, "wrk", "wrk")
	dir := b.TempDir()
	script, tokenFile := filepath.Join(dir, "list.lua"), filepath.Join(dir, "tokens")
	if err := os.WriteFile(script, []byte(wrkScript), 0o600); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(tokenFile, []byte(strings.Join(tokens, "\n")+"\n"), 0o600); err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(wrk, "-t", strconv.Itoa(threads), "-c", strconv.Itoa(conns),
		"-d", wholeSeconds(d)+"s", "-s", script, url, "--", tokenFile)
	out, err := cmd.CombinedOutput()
	if err != nil {
		b.Fatalf("wrk: %v\n%s", err, out)
	}
	_, result, ok := strings.Cut(string(out), "RESULT ")
	var requests, durationUS, bytes, errors, p50, p99 int64
	if n, _ := fmt.Sscan(result, &requests, &durationUS, &bytes, &errors, &p50, &p99); !ok || n != 6 {
		b.Fatalf("wrk printed no result:\n%s", out)
	}
	if errors > 0 || requests == 0 {
		b.Fatalf("wrk: %d errors or non-2xx answers in %d requests:\n%s", errors, requests, out)
	}
	return loadStats{
		ops: requests, loadCPU: cpuOf(cmd),
		rps: float64(requests) / (float64(durationUS) / 1e6),
		p50: time.Duration(p50) * time.Microsecond, p99: time.Duration(p99) * time.Microsecond,
		bytesPerOp: float64(bytes) / float64(requests),
	}
}

// runPgbench issues query, whose one parameter is a clinician id, through
// pgbench as a prepared statement: one script per clinician, picked at
// random for each transaction, each binding its own -D variable.
func runPgbench(b *testing.B, dbURL, query string, clinicianIDs []string, conns, threads int, d time.Duration) loadStats {
	b.Helper()
	pgbench := lookTool(b, "pgbench", "postgresql-client")
	dir := b.TempDir()
	args := []string{"-n", "-M", "prepared", "-c", strconv.Itoa(conns), "-j", strconv.Itoa(threads),
		"-T", wholeSeconds(d), "-l", "--log-prefix", filepath.Join(dir, "tx")}
	for i, id := range clinicianIDs {
		script := filepath.Join(dir, fmt.Sprintf("clinician%d.sql", i))
		sql := strings.Replace(query, "$1", fmt.Sprintf(":c%d", i), 1) + ";\n"
		if err := os.WriteFile(script, []byte(sql), 0o600); err != nil {
			b.Fatal(err)
		}
		args = append(args, "-f", script, "-D", fmt.Sprintf("c%d=%s", i, id))
	}
	cmd := exec.Command(pgbench, append(args, dbURL)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		b.Fatalf("pgbench: %v\n%s", err, out)
	}
	var tps float64
	for line := range strings.Lines(string(out)) {
		if rest, ok := strings.CutPrefix(line, "tps = "); ok {
			fmt.Sscan(rest, &tps)
		}
		if rest, ok := strings.CutPrefix(line, "number of failed transactions: "); ok && !strings.HasPrefix(rest, "0 ") {
			b.Fatalf("pgbench: failed transactions:\n%s", out)
		}
	}
	if tps == 0 {
		b.Fatalf("pgbench printed no tps:\n%s", out)
	}
	// Per-transaction log lines: client_id transaction_no latency_us script_no epoch epoch_us.
	logs, _ := filepath.Glob(filepath.Join(dir, "tx.*"))
	var latencies []time.Duration
	for _, name := range logs {
		data, err := os.ReadFile(name)
		if err != nil {
			b.Fatal(err)
		}
		for line := range strings.Lines(string(data)) {
			var client, tx, us int64
			if n, _ := fmt.Sscan(line, &client, &tx, &us); n == 3 {
				latencies = append(latencies, time.Duration(us)*time.Microsecond)
			}
		}
	}
	if len(latencies) == 0 {
		b.Fatalf("pgbench wrote no transaction log in %s", dir)
	}
	slices.Sort(latencies)
	return loadStats{
		ops: int64(len(latencies)), rps: tps, loadCPU: cpuOf(cmd),
		p50: latencies[len(latencies)/2], p99: latencies[len(latencies)*99/100],
	}
}
