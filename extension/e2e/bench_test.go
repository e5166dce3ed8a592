package e2e

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/serviceworker"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/shared/note"
)

// BenchmarkInsert times sidenote.insert per fixture page, from sending the
// message to the reply (note fetched from the real server, fields filled
// and read back, receipt recorded), and reports the median of 20, warm and
// from a stopped service worker; the targets for a four-field page are
// ≤ 50 ms warm and ≤ 200 ms cold. Each round inserts then undoes,
// so every round writes into empty fields. Without a server it times the
// same insertion code with the note handed over directly.
func BenchmarkInsert(b *testing.B) {
	needBrowser(b)
	notes := map[note.TemplateID]api.Note{}
	for _, tc := range fixtureCases {
		b.Run(tc.page, func(b *testing.B) {
			p := openFixture(b, tc.page)
			n, ok := notes[tc.template]
			insert := func() insertResult { return insertEngine(b, p, n, "skip") }
			undo := func() undoResult { return undoEngine(b, p) }
			if server.sidenoteServer != nil {
				if !ok {
					n = server.readyNote(b, tc.template)
					notes[tc.template] = n
				}
				insert = func() insertResult { return insertMessage(b, p, n.ID, "skip") }
				undo = func() undoResult { return undoMessage(b, p) }
			} else {
				n = engineNote(b, tc.template)
			}
			insert() // warm up: engine injected, matcher loaded
			undo()
			mode := "engine"
			if server.sidenoteServer != nil {
				mode = "sidenote.insert"
			}
			for b.Loop() {
				report(b, mode+" warm", tc.page, len(tc.fields), rounds(b, insert, undo, nil))
				if server.sidenoteServer != nil {
					// As Chrome does after 30 s idle: the worker is stopped
					// before each insert, which wakes it.
					report(b, mode+" cold", tc.page, len(tc.fields), rounds(b, insert, undo, stopServiceWorker))
				}
			}
			b.ReportMetric(0, "ns/op")
		})
	}
}

// sample is one insert's time as the side panel sees it and, inside the
// service worker, its own timings.
type sample struct {
	total         time.Duration
	work, receipt float64
}

// rounds inserts and undoes 20 times, calling before (if set) ahead of each
// insert, outside the timed part.
func rounds(b *testing.B, insert func() insertResult, undo func() undoResult, before func(testing.TB)) []sample {
	var out []sample
	for range 20 {
		if before != nil {
			before(b)
		}
		start := time.Now()
		res := insert()
		out = append(out, sample{time.Since(start), res.Timings.InsertMS, res.Timings.ReceiptMS})
		if !res.OK || len(res.Filled) == 0 {
			b.Fatalf("insert %+v", res)
		}
		if u := undo(); !u.OK {
			b.Fatalf("undo %+v", u)
		}
	}
	return out
}

func report(b *testing.B, mode, page string, fields int, samples []sample) {
	times := make([]float64, len(samples))
	work := make([]float64, len(samples))
	queue := make([]float64, len(samples))
	for i, s := range samples {
		times[i], work[i], queue[i] = float64(s.total.Microseconds())/1000, s.work, s.receipt
	}
	slices.Sort(times)
	median := times[len(times)/2]
	b.ReportMetric(median, "ms/"+strings.ReplaceAll(mode, " ", "-")+"-median")
	fmt.Printf("%-20s %-15s %d fields: median %6.1f ms (min %.1f, max %.1f)", mode, page, fields, median, times[0], times[len(times)-1])
	if server.sidenoteServer != nil {
		fmt.Printf("; in the service worker: fetch+collect+match+fill %.1f, queue receipt %.1f ms", medianOf(work), medianOf(queue))
	}
	fmt.Println()
}

// stopServiceWorker stops the extension's service worker through the
// DevTools protocol and waits until its target is gone.
func stopServiceWorker(tb testing.TB) {
	tb.Helper()
	if err := chromedp.Do(suite.ext, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := cdp.Call(ctx, t, serviceworker.Enable, cdp.Empty{}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, t, serviceworker.StopAllWorkers, cdp.Empty{})
		return err
	})); err != nil {
		tb.Fatalf("stop the service worker: %v", err)
	}
	worker := "chrome-extension://" + extensionID + "/background.js"
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		targets, err := chromedp.Targets(suite.browser)
		if err != nil {
			tb.Fatal(err)
		}
		running := slices.ContainsFunc(targets, func(t *target.Info) bool { return t.Type == "service_worker" && t.URL == worker })
		if !running {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatal("the service worker is still running after StopAllWorkers")
		}
	}
}

func medianOf(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}
