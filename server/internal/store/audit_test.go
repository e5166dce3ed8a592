package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sidenote/sidenote/server/internal/audit"
	"github.com/sidenote/sidenote/server/internal/store"
	"github.com/sidenote/sidenote/server/internal/store/storetest"
	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/shared/note"
)

// auditedTables are the tables an audited write can change.
var auditedTables = []string{
	"clinicians", "identities", "api_tokens", "sessions", "session_assignments", "session_sources", "recordings",
	"notes", "note_versions", "note_addenda", "note_insertions", "custom_templates", "audit_events",
}

// dumpTables returns every row of auditedTables, byte for byte.
func dumpTables(t *testing.T, s *store.Store) string {
	t.Helper()
	var b strings.Builder
	for _, table := range auditedTables {
		rows, err := s.SQL().Query("SELECT * FROM " + table + " ORDER BY 1")
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		vals := make([]sql.RawBytes, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		fmt.Fprintf(&b, "%s:\n", table)
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for _, v := range vals {
				fmt.Fprintf(&b, "%q ", v)
			}
			b.WriteByte('\n')
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}

func eventIDs(t *testing.T, s *store.Store) []string {
	t.Helper()
	var ids []string
	if err := s.DB().Model(&audit.Event{}).Order("id").Pluck("id", &ids).Error; err != nil {
		t.Fatal(err)
	}
	return ids
}

// TestAuditedWritesCommitWithTheirEvent runs each audited write of the
// store three times: with no actor, and with an actor whose event cannot be
// inserted (it names no clinician: a foreign key violation, after the write
// itself), both of which must leave every table as it was; then for real,
// which must add exactly one event naming the action and the resource.
func TestAuditedWritesCommitWithTheirEvent(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, dbURL string) {
		s := storetest.MustOpen(t, dbURL)
		c, err := s.SignIn(context.Background(), "dev", "audit", "audit@example.org", "Dr Audit")
		if err != nil {
			t.Fatal(err)
		}
		ctx := storetest.As(context.Background(), c.ID)
		client, err := s.CreateClient(ctx, c.ID, api.CreateClientRequest{DisplayName: "Robin (pseudonym)", Kind: api.ClientIndividual})
		if err != nil {
			t.Fatal(err)
		}
		anon := api.AnonymousIndividual
		sess, err := s.CreateSession(ctx, c.ID, api.CreateSessionRequest{Type: api.SessionWrittenSummary, Anonymous: &anon, Consent: &api.Consent{Obtained: true, Method: api.ConsentVerbal}})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.PutSource(ctx, c.ID, sess.ID, store.SourceSummary, "Fictional client slept better this week.", nil); err != nil {
			t.Fatal(err)
		}
		ready, _, err := s.CreateNote(ctx, c.ID, sess.ID, note.DAP, "", noJob)
		if err != nil {
			t.Fatal(err)
		}
		sections := []note.Section{{Key: "data", Title: "Data", Text: "Fictional client slept better this week.", Sources: []note.Span{}}}
		if err := s.CompleteNote(ctx, c.ID, ready.ID, store.GeneratedNote{Sections: sections, Generator: "test"}); err != nil {
			t.Fatal(err)
		}
		failed, _, err := s.CreateNote(ctx, c.ID, sess.ID, note.SOAP, "", noJob)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.FailNote(ctx, c.ID, failed.ID, "fictional failure"); err != nil {
			t.Fatal(err)
		}
		_, tok, err := s.CreateToken(ctx, c.ID, store.TokenExtension, "test", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		other, err := s.CreateSession(ctx, c.ID, api.CreateSessionRequest{Type: api.SessionTelehealth, Consent: &api.Consent{Obtained: true, Method: api.ConsentVerbal}})
		if err != nil {
			t.Fatal(err)
		}
		edit := api.UpdateNoteRequest{Version: 1, Sections: []api.SectionEdit{{Key: "data", Text: "Fictional client slept seven hours."}}}
		receipt := api.InsertionRequest{Origin: "https://ehr.example.com", NoteVersion: 2, Fields: []api.InsertionField{{Section: "data", FieldLabel: "Data"}}}

		tmplName, tmplID := "Fictional intake", ""
		tmplSections := []api.TemplateSection{{Title: "Homework", DrawsFrom: []string{"plan"}}}

		// In order: each write leaves what the next one needs.
		for _, w := range []struct {
			name     string
			action   audit.Action
			resource string // "" for the id the write returns
			write    func(ctx context.Context) (string, error)
		}{
			{"create client", audit.ClientCreate, "", func(ctx context.Context) (string, error) {
				cl, err := s.CreateClient(ctx, c.ID, api.CreateClientRequest{DisplayName: "Ash (pseudonym)", Kind: api.ClientCouple})
				if err != nil {
					return "", err
				}
				return cl.ID, nil
			}},
			{"update client", audit.ClientUpdate, client.ID, func(ctx context.Context) (string, error) {
				name := "Robin B. (pseudonym)"
				_, err := s.UpdateClient(ctx, c.ID, client.ID, api.UpdateClientRequest{DisplayName: &name})
				return "", err
			}},
			{"create session", audit.SessionCreate, "", func(ctx context.Context) (string, error) {
				created, err := s.CreateSession(ctx, c.ID, api.CreateSessionRequest{Type: api.SessionDictation, ClientID: &client.ID, Consent: &api.Consent{Obtained: true, Method: api.ConsentWritten}})
				if err != nil {
					return "", err
				}
				return created.ID, nil
			}},
			{"update session", audit.SessionUpdate, other.ID, func(ctx context.Context) (string, error) {
				typ := api.SessionInPerson
				_, err := s.UpdateSession(ctx, c.ID, other.ID, api.UpdateSessionRequest{Type: &typ})
				return "", err
			}},
			{"end session", audit.SessionEnd, other.ID, func(ctx context.Context) (string, error) {
				_, err := s.EndSession(ctx, c.ID, other.ID, api.EndSessionRequest{ClientID: &client.ID})
				return "", err
			}},
			{"delete session", audit.SessionDelete, other.ID, func(ctx context.Context) (string, error) {
				return "", s.DeleteSession(ctx, c.ID, other.ID)
			}},
			{"summary", audit.SummaryWrite, sess.ID, func(ctx context.Context) (string, error) {
				return "", s.PutSource(ctx, c.ID, sess.ID, store.SourceSummary, "Fictional client kept the sleep diary.", nil)
			}},
			{"transcript", audit.TranscriptSave, sess.ID, func(ctx context.Context) (string, error) {
				return "", s.PutSource(ctx, c.ID, sess.ID, store.SourceTranscript, "Clinician: (fictional) How was the week?", nil)
			}},
			{"assign", audit.SessionAssign, sess.ID, func(ctx context.Context) (string, error) {
				_, err := s.AssignSession(ctx, c.ID, sess.ID, api.AssignRequest{ClientID: client.ID})
				return "", err
			}},
			{"create note", audit.NoteCreate, "", func(ctx context.Context) (string, error) {
				n, _, err := s.CreateNote(ctx, c.ID, sess.ID, note.BIRP, "", noJob)
				if err != nil {
					return "", err
				}
				return n.ID, nil
			}},
			{"retry note", audit.NoteCreate, failed.ID, func(ctx context.Context) (string, error) {
				_, err := s.RetryNote(ctx, c.ID, failed.ID, noJob)
				return "", err
			}},
			{"edit note", audit.NoteWrite, ready.ID, func(ctx context.Context) (string, error) {
				_, err := s.UpdateNote(ctx, c.ID, ready.ID, edit)
				return "", err
			}},
			{"insertion", audit.NoteInsert, ready.ID, func(ctx context.Context) (string, error) {
				_, err := s.RecordInsertion(ctx, c.ID, ready.ID, receipt)
				return "", err
			}},
			{"end the note's session", audit.SessionEnd, sess.ID, func(ctx context.Context) (string, error) {
				_, err := s.EndSession(ctx, c.ID, sess.ID, api.EndSessionRequest{})
				return "", err
			}},
			{"sign", audit.NoteSign, ready.ID, func(ctx context.Context) (string, error) {
				_, err := s.SignNote(ctx, c.ID, ready.ID, api.SignNoteRequest{Version: 2}, s.Now(), noJob)
				return "", err
			}},
			{"addendum", audit.NoteWrite, ready.ID, func(ctx context.Context) (string, error) {
				_, err := s.AddAddendum(ctx, c.ID, ready.ID, "Fictional late entry.")
				return "", err
			}},
			{"recording", audit.RecordingWrite, sess.ID, func(ctx context.Context) (string, error) {
				_, _, err := s.SaveRecording(ctx, c.ID, sess.ID, store.NewRecording{
					StorageKey: store.NewRecordingKey(sess.ID), ContentType: "audio/ogg", Size: 1000, SHA256: strings.Repeat("ab", 32),
				}, store.RecordingPolicy{DeleteAt: s.Now()})
				return "", err
			}},
			{"keep recording", audit.RecordingWrite, sess.ID, func(ctx context.Context) (string, error) {
				_, err := s.SetRecordingKeep(ctx, c.ID, sess.ID, true, s.Now(), noJob)
				return "", err
			}},
			{"retry transcription", audit.RecordingWrite, sess.ID, func(ctx context.Context) (string, error) {
				_, err := s.RetryTranscription(ctx, c.ID, sess.ID, noJob)
				return "", err
			}},
			{"sign in", audit.SignIn, "", func(ctx context.Context) (string, error) {
				_, t, err := s.CreateToken(ctx, c.ID, store.TokenDev, "test", time.Hour)
				if err != nil {
					return "", err
				}
				return t.ID, nil
			}},
			{"archive client", audit.ClientArchive, client.ID, func(ctx context.Context) (string, error) {
				return "", s.ArchiveClient(ctx, c.ID, client.ID)
			}},
			{"revoke token", audit.TokenRevoke, tok.ID, func(ctx context.Context) (string, error) {
				return "", s.RevokeToken(ctx, c.ID, tok.ID)
			}},
			{"create template", audit.TemplateWrite, "", func(ctx context.Context) (string, error) {
				t, err := s.CreateTemplate(ctx, c.ID, api.TemplateRequest{Name: &tmplName, Sections: tmplSections})
				if err != nil {
					return "", err
				}
				tmplID = t.ID
				return t.ID, nil
			}},
			{"update template", audit.TemplateWrite, "", func(ctx context.Context) (string, error) {
				_, err := s.UpdateTemplate(ctx, c.ID, tmplID, api.TemplateRequest{Name: new("Renamed")})
				return tmplID, err
			}},
			{"delete template", audit.TemplateDelete, "", func(ctx context.Context) (string, error) {
				return tmplID, s.DeleteTemplate(ctx, c.ID, tmplID)
			}},
			{"link identity", audit.IdentityLink, c.ID, func(ctx context.Context) (string, error) {
				return "", s.LinkIdentity(ctx, c.ID, "oidc", "subject-audit", "")
			}},
		} {
			before := dumpTables(t, s)
			if _, err := w.write(context.Background()); !errors.Is(err, audit.ErrNoActor) {
				t.Fatalf("%s without an actor: %v, want audit.ErrNoActor", w.name, err)
			}
			if dumpTables(t, s) != before {
				t.Fatalf("%s without an actor changed the database", w.name)
			}
			if _, err := w.write(storetest.As(context.Background(), store.NewID())); err == nil {
				t.Fatalf("%s: the audit event could not be written, yet the write succeeded", w.name)
			}
			if after := dumpTables(t, s); after != before {
				t.Fatalf("%s: the audit event failed, yet the write was kept:\nbefore %s\nafter %s", w.name, before, after)
			}

			events := eventIDs(t, s)
			id, err := w.write(ctx)
			if err != nil {
				t.Fatalf("%s: %v", w.name, err)
			}
			if w.resource == "" {
				w.resource = id
			}
			var added []audit.Event
			for _, e := range eventIDs(t, s) {
				if !slices.Contains(events, e) {
					var ev audit.Event
					s.DB().Where("id = ?", e).Take(&ev)
					added = append(added, ev)
				}
			}
			if len(added) != 1 {
				t.Fatalf("%s: %d events, want 1: %+v", w.name, len(added), added)
			}
			e := added[0]
			if e.Action != string(w.action) || e.ResourceID != w.resource || e.ClinicianID != c.ID || e.RequestID != "storetest" || e.ClientIP != "127.0.0.1" {
				t.Fatalf("%s: event %+v, want %s of %s", w.name, e, w.action, w.resource)
			}
		}
	})
}
