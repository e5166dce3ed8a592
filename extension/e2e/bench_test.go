package e2e

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/shared/note"
)

// BenchmarkInsert times sidenote.insert per fixture page, from sending the
// message to the reply (note fetched from the real server, fields filled
// and read back, receipt recorded), and reports the median of 20; the
// target is ≤ 50 ms for a four-field page. Each round inserts then undoes,
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
			var times []time.Duration
			var work, queue []float64
			for b.Loop() {
				times = times[:0]
				for range 20 {
					start := time.Now()
					res := insert()
					times = append(times, time.Since(start))
					work, queue = append(work, res.Timings.InsertMS), append(queue, res.Timings.ReceiptMS)
					if !res.OK || len(res.Filled) == 0 {
						b.Fatalf("insert %+v", res)
					}
					if u := undo(); !u.OK {
						b.Fatalf("undo %+v", u)
					}
				}
			}
			slices.Sort(times)
			median := times[len(times)/2]
			b.ReportMetric(float64(median.Microseconds())/1000, "ms/insert-median")
			b.ReportMetric(0, "ns/op")
			mode := "engine"
			if server.sidenoteServer != nil {
				mode = "sidenote.insert"
			}
			fmt.Printf("%s %-15s %d fields: median %6.1f ms (min %.1f, max %.1f)", mode, tc.page, len(tc.fields),
				float64(median.Microseconds())/1000, float64(times[0].Microseconds())/1000, float64(times[len(times)-1].Microseconds())/1000)
			if server.sidenoteServer != nil {
				fmt.Printf("; in the service worker: fetch+collect+match+fill %.1f, queue receipt %.1f ms", medianOf(work), medianOf(queue))
			}
			fmt.Println()
		})
	}
}

func medianOf(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}
