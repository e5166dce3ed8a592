package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/sidenote/sidenote/server/internal/store"
	"github.com/sidenote/sidenote/server/internal/store/storetest"
	"github.com/sidenote/sidenote/shared/api"
)

// seedClinician signs a clinician in and gives them clients
// (one archived) and their sessions (one deleted) with summaries, a token and
// a browser session. It returns the clinician's id and session ids.
func seedClinician(t *testing.T, s *store.Store, email string, sessions int) (string, []string) {
	t.Helper()
	ctx := context.Background()
	c, err := s.SignIn(ctx, "dev", email, email, "Dr "+email)
	if err != nil {
		t.Fatal(err)
	}
	ctx = storetest.As(ctx, c.ID)
	if err := s.LinkIdentity(ctx, c.ID, "oidc", "subject-of-"+email, ""); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CreateToken(ctx, c.ID, store.TokenExtension, "Extension", time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CreateBrowserSession(ctx, c.ID, time.Hour); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for i := range sessions {
		client, err := s.CreateClient(ctx, c.ID, api.CreateClientRequest{DisplayName: fmt.Sprintf("Client %d (pseudonym)", i), Kind: api.ClientIndividual})
		if err != nil {
			t.Fatal(err)
		}
		sess, err := s.CreateSession(ctx, c.ID, api.CreateSessionRequest{
			Type: api.SessionWrittenSummary, ClientID: &client.ID, Consent: &api.Consent{Obtained: true, Method: api.ConsentVerbal},
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.PutSource(ctx, c.ID, sess.ID, store.SourceSummary, fmt.Sprintf("Client %d reports sleeping better.", i), nil); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, sess.ID)
		if i == 0 {
			if err := s.DeleteSession(ctx, c.ID, sess.ID); err != nil {
				t.Fatal(err)
			}
			if err := s.ArchiveClient(ctx, c.ID, client.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	slices.Sort(ids)
	return c.ID, ids
}

// rowsByTable counts clinicianID's rows in every table with a
// clinician_id column, found in the database's own catalogue so a table
// added later is counted too.
func rowsByTable(t *testing.T, s *store.Store, clinicianID string) map[string]int64 {
	t.Helper()
	tables, err := s.DB().Migrator().GetTables()
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int64{}
	for _, table := range tables {
		if !s.DB().Migrator().HasColumn(table, "clinician_id") {
			continue
		}
		var n int64
		if err := s.DB().Table(table).Where("clinician_id = ?", clinicianID).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		counts[table] = n
	}
	var n int64
	if err := s.DB().Table("clinicians").Where("id = ?", clinicianID).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	counts["clinicians"] = n
	return counts
}

func TestDeleteAccountDeletesEveryRowOfTheClinicianOnly(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, dbURL string) {
		ctx := context.Background()
		s := storetest.MustOpen(t, dbURL)
		a, aSessions := seedClinician(t, s, "a@example.org", 3)
		b, _ := seedClinician(t, s, "b@example.org", 2)
		bBefore := rowsByTable(t, s, b)
		for _, table := range []string{"clinicians", "identities", "api_tokens", "clients", "sessions", "session_assignments", "session_sources"} {
			if rowsByTable(t, s, a)[table] == 0 {
				t.Fatalf("the fixture wrote no %s row", table)
			}
		}

		deleted, err := s.DeleteAccount(ctx, a, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(deleted, aSessions) {
			t.Errorf("DeleteAccount reported sessions %v, want %v (the deleted one included)", deleted, aSessions)
		}
		for table, n := range rowsByTable(t, s, a) {
			if n != 0 {
				t.Errorf("%d rows of the deleted clinician remain in %s", n, table)
			}
		}
		if bAfter := rowsByTable(t, s, b); fmt.Sprint(bAfter) != fmt.Sprint(bBefore) {
			t.Errorf("the other clinician's rows changed: %v, then %v", bBefore, bAfter)
		}
		if _, err := s.DeleteAccount(ctx, a, nil); !store.IsNotFound(err) {
			t.Errorf("deleting again: %v, want not found", err)
		}
	})
}
