package store_test

import (
	"context"
	"slices"
	"testing"

	"github.com/sidenote/sidenote/server/internal/store"
	"github.com/sidenote/sidenote/server/internal/store/storetest"
)

// TestExportReadsEverythingInBatches exports more sessions than one batch
// holds: every one arrives once, in id order, in bounded batches, with its
// source and history, and none of another clinician's.
func TestExportReadsEverythingInBatches(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, dbURL string) {
		ctx := context.Background()
		s := storetest.MustOpen(t, dbURL)
		const n = 2*100 + 1 // store.exportBatch is 100
		a, aSessions := seedClinician(t, s, "a@example.org", n)
		seedClinician(t, s, "b@example.org", 3)

		var clients []string
		var batches []int
		err := s.ExportClients(ctx, a, func(cs []store.Client) error {
			batches = append(batches, len(cs))
			for _, c := range cs {
				if c.ClinicianID != a {
					t.Fatalf("client %s of another clinician exported", c.ID)
				}
				clients = append(clients, c.ID)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(clients) != n || !slices.IsSorted(clients) || !slices.Equal(batches, []int{100, 100, 1}) {
			t.Errorf("%d clients in batches %v, want %d (the archived one included) in id order in [100 100 1]", len(clients), batches, n)
		}

		var got []string
		batches = nil
		err = s.ExportSessions(ctx, a, func(rs []store.SessionRecord) error {
			batches = append(batches, len(rs))
			for _, r := range rs {
				if r.Session.ClinicianID != a {
					t.Fatalf("session %s of another clinician exported", r.Session.ID)
				}
				if len(r.Sources) != 1 || r.Sources[0].Text == "" || len(r.History) != 1 || r.Session.Client == nil {
					t.Fatalf("session %s: %d sources, %d history entries, client %v", r.Session.ID, len(r.Sources), len(r.History), r.Session.Client)
				}
				got = append(got, r.Session.ID)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, aSessions) {
			t.Errorf("exported %d sessions, want the %d of the clinician in id order, the deleted one included", len(got), len(aSessions))
		}
		if !slices.Equal(batches, []int{100, 100, 1}) {
			t.Errorf("session batches %v, want [100 100 1]", batches)
		}
	})
}
