package api

import (
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sidenote/sidenote/server/internal/store/storetest"
	"github.com/sidenote/sidenote/shared/api"
)

// TestDeleteAccountLeavesNothing deletes A's account and then looks for
// every id A's export held in every row of every table (the job queue's
// included) and in the recordings directory: none may remain. B's data is
// exactly as before.
func TestDeleteAccountLeavesNothing(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, databaseURL string) {
		ts := newTestServer(t, databaseURL)
		a := seedAccount(t, ts, "a@example.org", "alder")
		b := seedAccount(t, ts, "b@example.org", "birch")
		recordingsDir := filepath.Join(ts.cfg.DataDir, "recordings")
		if files := recordingFiles(t, recordingsDir); len(files) != 2 {
			t.Fatalf("recordings before: %v", files)
		}
		bBefore, _ := ts.export(b.token)

		// A note whose job is still queued: the workers are stopped first.
		stopCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := ts.srv.jobs.Stop(stopCtx); err != nil {
			t.Fatal(err)
		}
		var queued api.Note
		ts.do(a.token, http.MethodPost, "/api/v1/sessions/"+a.reassignedSession+"/notes", api.GenerateNoteRequest{Template: "birp"}, http.StatusAccepted, &queued)

		aDoc, aRes := ts.export(a.token)
		aIDs := slices.Compact(slices.Sorted(slices.Values(uuidPattern.FindAllString(string(aRes.Body), -1))))
		if !slices.Contains(aIDs, queued.ID) || !slices.Contains(aIDs, aDoc.Clinician.ID) {
			t.Fatal("A's export lacks A's ids")
		}
		if n := countRowsWhere(t, ts.store, "river_job", "state = ?", "available"); n != 1 {
			t.Fatalf("%d queued jobs, want the one of A's new note", n)
		}

		// No confirmation, or the wrong one: 422 naming the field, nothing deleted.
		for _, body := range []any{nil, map[string]string{}, map[string]string{"confirm": b.email}, map[string]string{"confirm": "a@example"}} {
			res := ts.raw(a.token, http.MethodDelete, "/api/v1/me", body)
			if res.Status != http.StatusUnprocessableEntity || res.Error().Field != "confirm" {
				t.Fatalf("DELETE /me with %v: %d %s", body, res.Status, res.Body)
			}
		}
		ts.do(a.token, http.MethodGet, "/api/v1/me", nil, http.StatusOK, nil)

		ts.do(a.token, http.MethodDelete, "/api/v1/me", map[string]string{"confirm": " A@Example.org "}, http.StatusNoContent, nil)

		for _, token := range []string{a.token, a.spareToken} {
			if res := ts.raw(token, http.MethodGet, "/api/v1/me", nil); res.Status != http.StatusUnauthorized {
				t.Errorf("A's token after deletion: %d", res.Status)
			}
		}
		tables, err := ts.store.DB().Migrator().GetTables()
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(tables, "river_job") {
			t.Fatalf("river_job is not among the tables %v", tables)
		}
		rows := 0
		for _, table := range tables {
			for _, row := range dumpRows(t, ts, table) {
				rows++
				for _, id := range aIDs {
					if strings.Contains(row, id) {
						t.Errorf("A's id %s remains in %s: %.200s", id, table, row)
					}
				}
				if strings.Contains(row, a.email) {
					t.Errorf("A's email remains in %s", table)
				}
			}
		}
		for _, p := range pathsUnder(t, recordingsDir) {
			for _, id := range aIDs {
				if strings.Contains(p, id) {
					t.Errorf("A's recording %s remains", p)
				}
			}
		}
		if files := recordingFiles(t, recordingsDir); len(files) != 1 || !strings.Contains(files[0], b.reassignedSession) {
			t.Errorf("recordings after: %v, want B's only", files)
		}
		t.Logf("searched %d rows in %d tables for %d ids of A's", rows, len(tables), len(aIDs))

		// B's data is untouched, to the byte (only the audit log grew).
		bAfter, _ := ts.export(b.token)
		if !jsonEqual(t, bBefore.Clients, bAfter.Clients) || !jsonEqual(t, bBefore.Sessions, bAfter.Sessions) {
			t.Error("deleting A changed B's data")
		}
		rc, err := ts.srv.files.Open(context.Background(), ts.recordingKey(b.reassignedSession))
		if err != nil {
			t.Fatalf("B's recording after A's deletion: %v", err)
		}
		audio, err := io.ReadAll(rc)
		rc.Close()
		if err != nil || string(audio) != string(b.audio) {
			t.Errorf("B's recording after A's deletion: %q, %v", audio, err)
		}

		// Signing in again with A's email starts an empty account.
		again, _ := ts.export(ts.login(a.email))
		if again.Clinician.ID == aDoc.Clinician.ID || len(again.Clients) != 0 || len(again.Sessions) != 0 {
			t.Errorf("signing in again: %s, %d clients, %d sessions", again.Clinician.ID, len(again.Clients), len(again.Sessions))
		}
	})
}

// pathsUnder lists everything under dir, directories included: their
// names may be session ids.
func pathsUnder(t *testing.T, dir string) []string {
	t.Helper()
	var paths []string
	err := filepath.WalkDir(dir, func(path string, _ fs.DirEntry, err error) error {
		if err == nil && path != dir {
			paths = append(paths, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return paths
}

// recordingFiles are the stored recordings under dir.
func recordingFiles(t *testing.T, dir string) []string {
	t.Helper()
	var files []string
	for _, p := range pathsUnder(t, dir) {
		if strings.HasPrefix(filepath.Base(p), "recording") {
			files = append(files, p)
		}
	}
	return files
}

func jsonEqual(t *testing.T, a, b any) bool {
	t.Helper()
	ja, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	jb, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return string(ja) == string(jb)
}
