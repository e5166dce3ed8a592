package store_test

import (
	"context"
	"errors"
	"testing"

	"gorm.io/gorm"

	"github.com/sidenote/sidenote/server/internal/store"
	"github.com/sidenote/sidenote/server/internal/store/storetest"
	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/shared/note"
)

func TestTreatmentPlanSources(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, dbURL string) {
		ctx := context.Background()
		s := storetest.MustOpen(t, dbURL)
		c, err := s.SignIn(ctx, "dev", "plan", "plan@example.com", "Dr Plan")
		if err != nil {
			t.Fatal(err)
		}
		other, err := s.SignIn(ctx, "dev", "other", "other@example.com", "Dr Other")
		if err != nil {
			t.Fatal(err)
		}
		ctx = storetest.As(ctx, c.ID)
		client, err := s.CreateClient(ctx, c.ID, api.CreateClientRequest{DisplayName: "Sam (pseudonym)", Kind: api.ClientIndividual})
		if err != nil {
			t.Fatal(err)
		}
		consent := &api.Consent{Obtained: true, Method: api.ConsentVerbal}
		// A note of a session, signed or not, completed by hand: the store
		// test has no job queue.
		writeNote := func(sessionID string, sign bool) string {
			t.Helper()
			if err := s.PutSource(ctx, c.ID, sessionID, store.SourceSummary, "Client reports fewer arguments at home.", nil); err != nil {
				t.Fatal(err)
			}
			n, _, err := s.CreateNote(ctx, c.ID, sessionID, note.DAP, "", noJob)
			if err != nil {
				t.Fatal(err)
			}
			sections := []note.Section{{Key: "data", Title: "Data", Text: "Client reports fewer arguments at home."}}
			if err := s.CompleteNote(ctx, c.ID, n.ID, store.GeneratedNote{Sections: sections, Generator: "test"}); err != nil {
				t.Fatal(err)
			}
			if sign {
				if _, err := s.SignNote(ctx, c.ID, n.ID, api.SignNoteRequest{Version: 1, EndSession: &api.EndSessionRequest{}}, s.Now(), nil); err != nil {
					t.Fatal(err)
				}
			}
			return n.ID
		}
		assigned, err := s.CreateSession(ctx, c.ID, api.CreateSessionRequest{Type: api.SessionInPerson, ClientID: &client.ID, Consent: consent})
		if err != nil {
			t.Fatal(err)
		}
		signed := writeNote(assigned.ID, true)
		writeNote(assigned.ID, false)
		anon := api.AnonymousCouple
		anonymous, err := s.CreateSession(ctx, c.ID, api.CreateSessionRequest{Type: api.SessionInPerson, Anonymous: &anon, Consent: consent})
		if err != nil {
			t.Fatal(err)
		}
		writeNote(anonymous.ID, true)

		ns, err := s.SignedNotesOfClient(ctx, c.ID, client.ID)
		if err != nil || len(ns) != 1 || ns[0].ID != signed {
			t.Fatalf("signed notes of the client: %+v, %v; want only %s", ns, err, signed)
		}
		if _, err := s.SignedNotesOfClient(ctx, other.ID, client.ID); !store.IsNotFound(err) {
			t.Fatalf("another clinician read the client's notes: %v", err)
		}
		if id, err := s.ClientOfSession(ctx, c.ID, assigned.ID); err != nil || id != client.ID {
			t.Fatalf("client of the assigned session: %q, %v", id, err)
		}
		var apiErr *api.Error
		if _, err := s.ClientOfSession(ctx, c.ID, anonymous.ID); !errors.As(err, &apiErr) || apiErr.Code != api.CodeSessionUnassigned {
			t.Fatalf("anonymous session: %v, want session_unassigned", err)
		}
		if _, err := s.ClientOfSession(ctx, other.ID, assigned.ID); !store.IsNotFound(err) {
			t.Fatalf("another clinician's session: %v", err)
		}
	})
}

// noJob schedules nothing: these tests write the note's sections themselves.
func noJob(*gorm.DB, string) error { return nil }
