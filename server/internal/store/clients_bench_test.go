package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/sidenote/sidenote/server/internal/store"
	"github.com/sidenote/sidenote/server/internal/store/storetest"
	"github.com/sidenote/sidenote/shared/api"
)

// BenchmarkListClients measures the clients list now that names are sealed:
// the caller's clients are read, opened and filtered in memory. A caseload
// of 1000 clients (far above a private practice's) is the worst case.
func BenchmarkListClients(b *testing.B) {
	for _, dialect := range []struct {
		name string
		url  func(testing.TB) string
	}{{"sqlite", storetest.SQLiteURL}, {"postgres", storetest.PostgresURL}} {
		b.Run(dialect.name, func(b *testing.B) {
			s := storetest.MustOpen(b, dialect.url(b))
			ctx := context.Background()
			c, err := s.SignIn(ctx, "dev", "caseload@example.org", "caseload@example.org", "Dr Caseload")
			if err != nil {
				b.Fatal(err)
			}
			ctx = storetest.As(ctx, c.ID)
			for i := range 1000 {
				name := fmt.Sprintf("Client %04d (pseudonym)", i)
				if _, err := s.CreateClient(ctx, c.ID, api.CreateClientRequest{DisplayName: name, Kind: api.ClientIndividual}); err != nil {
					b.Fatal(err)
				}
			}
			for _, f := range []struct {
				name   string
				filter store.ClientFilter
			}{
				{"first page", store.ClientFilter{Limit: 50}},
				{"search", store.ClientFilter{Query: "012", Limit: 50}},
			} {
				b.Run(f.name, func(b *testing.B) {
					for b.Loop() {
						cs, _, err := s.ListClients(ctx, c.ID, f.filter)
						if err != nil || len(cs) == 0 {
							b.Fatalf("%d clients, %v", len(cs), err)
						}
					}
				})
			}
		})
	}
}
