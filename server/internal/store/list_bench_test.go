package store_test

import (
	"context"
	"testing"

	"github.com/sidenote/sidenote/server/internal/store"
	"github.com/sidenote/sidenote/server/internal/store/storetest"
	"github.com/sidenote/sidenote/shared/api"
)

// BenchmarkListSessions reads a page of 50 sessions, two of three with a
// client, on PostgreSQL: the store's share of GET /api/v1/sessions, with
// its allocations (see sessionListRow and label).
func BenchmarkListSessions(b *testing.B) {
	s := storetest.MustOpen(b, storetest.PostgresURL(b))
	ctx := context.Background()
	c, err := s.SignIn(ctx, "dev", "bench@example.org", "bench@example.org", "Dr Bench")
	if err != nil {
		b.Fatal(err)
	}
	ctx = storetest.As(ctx, c.ID)
	client, err := s.CreateClient(ctx, c.ID, api.CreateClientRequest{DisplayName: "Client A (pseudonym)", Kind: api.ClientIndividual})
	if err != nil {
		b.Fatal(err)
	}
	anon := api.AnonymousCouple
	for i := range 50 {
		req := api.CreateSessionRequest{Type: api.SessionInPerson, Consent: &api.Consent{Obtained: true, Method: api.ConsentVerbal}}
		if i%3 == 0 {
			req.Anonymous = &anon
		} else {
			req.ClientID = &client.ID
		}
		if _, err := s.CreateSession(ctx, c.ID, req); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		page, _, err := s.ListSessions(ctx, c.ID, store.SessionFilter{Limit: 50})
		if err != nil || len(page) != 50 {
			b.Fatalf("%d sessions, %v", len(page), err)
		}
	}
}
