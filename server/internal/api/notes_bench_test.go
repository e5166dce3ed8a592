package api

import (
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/sidenote/sidenote/server/internal/store/storetest"
	"github.com/sidenote/sidenote/shared/api"
)

// BenchmarkNoteJobLatency measures, on PostgreSQL with the built-in
// generator, the time from sending POST /api/v1/sessions/:id/notes to the
// note being ready (the server's updated_at of the ready note, so polling
// adds nothing): 200 notes one at a time, then 200 with 8 clinicians'
// requests in flight at once. Target (issue 5): p99 <= 250 ms.
func BenchmarkNoteJobLatency(b *testing.B) {
	ts := newTestServer(b, storetest.PostgresURL(b), benchEnv)
	token := ts.login("bench@example.org")
	sess := ts.createAnonymousSession(token, api.SessionWrittenSummary, api.AnonymousIndividual)
	ts.do(token, http.MethodPut, "/api/v1/sessions/"+sess.ID+"/summary", api.TextRequest{Text: fictionalSummary}, http.StatusOK, nil)
	ts.generateNote(token, sess.ID, "soap") // warm up connections and the queue

	const notes = 200
	for _, concurrency := range []int{1, 8} {
		latencies := make([]time.Duration, 0, notes)
		var mu sync.Mutex
		per := notes / concurrency
		var start time.Time
		// The first round only warms up (database connections for this
		// many requests at once); it is not measured.
		for round := range 2 {
			measured := round == 1
			if measured {
				start = time.Now()
			}
			runRound(concurrency, func() {
				count := per
				if !measured {
					count = 1
				}
				for range count {
					sent := time.Now()
					var n api.Note
					ts.do(token, http.MethodPost, "/api/v1/sessions/"+sess.ID+"/notes", api.GenerateNoteRequest{Template: "soap"}, http.StatusAccepted, &n)
					// Poll gently: the latency comes from the note's own
					// updated_at, and fast polling would only load the server.
					for n.Status == api.NoteGenerating {
						time.Sleep(100 * time.Millisecond)
						ts.do(token, http.MethodGet, "/api/v1/notes/"+n.ID, nil, http.StatusOK, &n)
					}
					if n.Status != api.NoteReady {
						b.Errorf("note %s ended %s", n.ID, n.Status)
						return
					}
					if measured {
						mu.Lock()
						latencies = append(latencies, n.UpdatedAt.Sub(sent))
						mu.Unlock()
					}
				}
			})
		}
		elapsed := time.Since(start)
		slices.Sort(latencies)
		p50, p99 := latencies[len(latencies)/2], latencies[len(latencies)*99/100]
		fmt.Printf("note job latency, PostgreSQL, built-in generator, %d notes, %d in flight: p50 %v, p99 %v, max %v, %.0f notes/s\n",
			len(latencies), concurrency, p50.Round(100*time.Microsecond), p99.Round(100*time.Microsecond),
			latencies[len(latencies)-1].Round(100*time.Microsecond), float64(len(latencies))/elapsed.Seconds())
		suffix := fmt.Sprintf("_c%d", concurrency)
		b.ReportMetric(float64(p50.Microseconds())/1000, "p50_ms"+suffix)
		b.ReportMetric(float64(p99.Microseconds())/1000, "p99_ms"+suffix)
	}
}

// runRound runs fn on concurrency goroutines and waits for them.
func runRound(concurrency int, fn func()) {
	var wg sync.WaitGroup
	for range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn()
		}()
	}
	wg.Wait()
}
