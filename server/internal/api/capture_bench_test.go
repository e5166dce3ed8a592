package api

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/sidenote/sidenote/server/internal/store/storetest"
	"github.com/sidenote/sidenote/shared/api"
)

// BenchmarkChunkUpload measures the chunked recording upload over loopback
// HTTP on PostgreSQL, one chunk after another as a recorder sends them:
// MediaRecorder's 1 s chunks of a call (16 KiB) and larger ones (1 MiB),
// each sealed to disk with its row and audit event. It prints bytes/s and
// chunks/s.
func BenchmarkChunkUpload(b *testing.B) {
	for _, size := range []int{16 << 10, 1 << 20} {
		b.Run(fmt.Sprintf("chunk=%dKiB", size>>10), func(b *testing.B) {
			ts := newTestServer(b, storetest.PostgresURL(b), benchEnv)
			devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
			if err != nil {
				b.Fatal(err)
			}
			defer devNull.Close()
			ts.logs.writeTo(devNull)
			token := ts.login("bench@example.org")
			chunk := make([]byte, size)
			if _, err := rand.Read(chunk); err != nil {
				b.Fatal(err)
			}
			chunks := max(20, (16<<20)/size) // 16 MiB or 20 chunks per round
			client := ts.http.Client()
			b.ResetTimer()
			var elapsed time.Duration
			for range b.N {
				b.StopTimer()
				sess := ts.createAnonymousSession(token, api.SessionTelehealth, api.AnonymousIndividual)
				b.StartTimer()
				start := time.Now()
				for i := range chunks {
					req, err := http.NewRequest(http.MethodPut, ts.http.URL+"/api/v1/sessions/"+sess.ID+"/recording/chunks/"+strconv.Itoa(i), bytes.NewReader(chunk))
					if err != nil {
						b.Fatal(err)
					}
					req.Header.Set("Authorization", "Bearer "+token)
					req.Header.Set("Content-Type", "audio/webm")
					res, err := client.Do(req)
					if err != nil {
						b.Fatal(err)
					}
					res.Body.Close()
					if res.StatusCode != http.StatusCreated {
						b.Fatalf("chunk %d: %d", i, res.StatusCode)
					}
				}
				elapsed += time.Since(start)
			}
			total := float64(b.N * chunks * size)
			b.ReportMetric(total/elapsed.Seconds()/(1<<20), "MiB/s")
			b.ReportMetric(float64(b.N*chunks)/elapsed.Seconds(), "chunks/s")
		})
	}
}

// BenchmarkGuestJoinedLatency measures the time from a guest's join form
// POST to the guest_joined message on the clinician's open call socket
// (issue 13: "Guest form submit to joined on the clinician's screen", the
// server's part of it), on PostgreSQL over loopback; it prints p50 and p99.
func BenchmarkGuestJoinedLatency(b *testing.B) {
	ts := newTestServer(b, storetest.PostgresURL(b), benchEnv)
	f := &callFixture{ts: ts, token: ts.login("bench@example.org")}
	ts.do(f.token, http.MethodPost, "/api/v1/sessions", api.CreateSessionRequest{
		Type: api.SessionTelehealth, Consent: &api.Consent{Obtained: true, Method: api.ConsentElectronic},
	}, http.StatusCreated, &f.session)
	f.joinPath = f.session.JoinURL[len(ts.cfg.PublicURL):]
	clinician, status := dial(b, f.clinicianURL(f.ticket(b).Ticket), ts.http.URL)
	if status != http.StatusSwitchingProtocols {
		b.Fatalf("clinician socket: %d", status)
	}
	expect(b, clinician, api.CallWelcome)
	const joins = 200
	var latencies []time.Duration
	b.ResetTimer()
	for range b.N {
		for range joins {
			start := time.Now()
			res := ts.raw("", http.MethodPost, f.joinPath, joinForm(guestEmail, "yes"), "Origin", ts.http.URL)
			if res.Status != http.StatusOK {
				b.Fatalf("join: %d", res.Status)
			}
			expect(b, clinician, api.CallGuestJoined)
			latencies = append(latencies, time.Since(start))
		}
	}
	slices.Sort(latencies)
	b.ReportMetric(float64(latencies[len(latencies)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(latencies[len(latencies)*99/100].Microseconds())/1000, "p99-ms")
}
