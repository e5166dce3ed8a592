package store_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sidenote/sidenote/server/internal/seal"
	"github.com/sidenote/sidenote/server/internal/store"
	"github.com/sidenote/sidenote/server/internal/store/storetest"
	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/shared/note"
)

// TestRotateKeyReencryptsEverythingAndRetiresTheOldKey follows an operator
// through a rotation: add a key, restart, run rotate-key (twice, as after an
// interruption), then drop the old key from the file.
func TestRotateKeyReencryptsEverythingAndRetiresTheOldKey(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, dbURL string) {
		ctx := context.Background()
		keyFile := filepath.Join(t.TempDir(), "encryption.key")
		oldKeys, _, err := seal.LoadOrCreate(keyFile)
		if err != nil {
			t.Fatal(err)
		}
		s, err := store.Open(ctx, dbURL, oldKeys)
		if err != nil {
			t.Fatal(err)
		}
		c, err := s.SignIn(ctx, "dev", "rot", "rot@example.com", "Dr Rotate")
		if err != nil {
			t.Fatal(err)
		}
		ctx = storetest.As(ctx, c.ID)
		anon := api.AnonymousIndividual
		sess, err := s.CreateSession(ctx, c.ID, api.CreateSessionRequest{Type: api.SessionWrittenSummary, Anonymous: &anon, Consent: &api.Consent{Obtained: true, Method: api.ConsentVerbal}})
		if err != nil {
			t.Fatal(err)
		}
		const summary = "Fictional client practised grounding; sleep improved."
		if err := s.PutSource(ctx, c.ID, sess.ID, store.SourceSummary, summary, nil); err != nil {
			t.Fatal(err)
		}
		n, _, err := s.CreateNote(ctx, c.ID, sess.ID, note.DAP, "", noJob)
		if err != nil {
			t.Fatal(err)
		}
		sections := []note.Section{{Key: "data", Title: "Data", Text: summary, Sources: []note.Span{}}}
		if err := s.CompleteNote(ctx, c.ID, n.ID, store.GeneratedNote{Sections: sections, Generator: "test"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SignNote(ctx, c.ID, n.ID, api.SignNoteRequest{Version: 1, EndSession: &api.EndSessionRequest{}}, s.Now(), nil); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddAddendum(ctx, c.ID, n.ID, "Fictional late entry."); err != nil {
			t.Fatal(err)
		}
		// A transcript stored before encryption existed: rotate-key seals it.
		const legacy = "Clinician: (fictional) How was the week?"
		if err := s.DB().Exec("INSERT INTO session_sources (session_id, clinician_id, kind, text, updated_at) VALUES (?, ?, 'transcript', ?, ?)", sess.ID, c.ID, legacy, s.Now()).Error; err != nil {
			t.Fatal(err)
		}
		s.Close()

		oldID := oldKeys.ActiveID()
		newID, err := seal.AddKey(keyFile)
		if err != nil {
			t.Fatal(err)
		}
		keys, err := seal.Load(keyFile)
		if err != nil {
			t.Fatal(err)
		}
		s = storetest.MustOpenWith(t, dbURL, keys)
		got, err := s.Rotate(ctx, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		// notes (sections and left_out), one note version, one addendum,
		// summary and transcript.
		if got.Resealed != 6 || len(got.Retired) != 1 || got.Retired[0] != oldID {
			t.Fatalf("Rotate = %+v, want 6 resealed and %s retired", got, oldID)
		}
		for _, col := range []struct{ table, column string }{{"notes", "sections"}, {"notes", "left_out"}, {"note_versions", "sections"}, {"note_addenda", "text"}, {"session_sources", "text"}} {
			var values []string
			if err := s.DB().Raw("SELECT " + col.column + " FROM " + col.table).Scan(&values).Error; err != nil {
				t.Fatal(err)
			}
			for _, v := range values {
				if id, ok := seal.KeyIDOf(v); !ok || id != newID {
					t.Errorf("%s.%s holds a value not sealed with the new key: %.20q", col.table, col.column, v)
				}
			}
		}
		again, err := s.Rotate(ctx, nil, nil)
		if err != nil || again.Resealed != 0 {
			t.Fatalf("second Rotate = %+v, %v; want nothing left to do", again, err)
		}
		gotSummary, gotTranscript, err := s.Sources(ctx, c.ID, sess.ID)
		if err != nil || gotSummary != summary || gotTranscript != legacy {
			t.Fatalf("sources after rotation: %q, %q, %v", gotSummary, gotTranscript, err)
		}
		reread, err := s.Note(ctx, c.ID, n.ID)
		if err != nil || !strings.Contains(reread.Sections, summary) {
			t.Fatalf("note after rotation: %v", err)
		}
		s.Close()

		// The old key is retired: a key file without it opens the database;
		// a key file with only the old key, or a stranger's, is refused.
		onlyNew := rewriteKeyFile(t, keyFile, newID)
		storetest.MustOpenWith(t, dbURL, onlyNew).Close()
		for name, wrong := range map[string]*seal.Keyring{"old key only": oldKeys, "unrelated key": seal.NewRandom()} {
			if _, err := store.Open(ctx, dbURL, wrong); err == nil || !strings.Contains(err.Error(), newID) {
				t.Errorf("%s: Open = %v, want a refusal naming key %s", name, err, newID)
			}
		}
	})
}

// rewriteKeyFile keeps only the key line with id in the key file.
func rewriteKeyFile(t *testing.T, path, id string) *seal.Keyring {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var kept []string
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, id+" ") {
			kept = append(kept, line)
		}
	}
	if err := os.WriteFile(path, []byte(strings.Join(kept, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	kr, err := seal.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return kr
}
