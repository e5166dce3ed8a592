package api

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sidenote/sidenote/server/internal/config"
	"github.com/sidenote/sidenote/server/internal/store/storetest"
	"github.com/sidenote/sidenote/shared/api"
)

// TestClinicalTextIsEncryptedAtRest writes a unique marker into every kind
// of clinical text (summary, transcript, generated note, edited note,
// addendum, recording) and checks that a raw dump of the database and
// every file under the data directory never contain it, while the API
// returns it.
func TestClinicalTextIsEncryptedAtRest(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, databaseURL string) {
		var raw [8]byte
		rand.Read(raw[:])
		marker := "Quokka" + hex.EncodeToString(raw[:])
		audio := bytes.Repeat([]byte("OggS fictional audio "+marker+" "), 200)
		spoken := "Clinician: What did you notice this week?\nClient: I noticed " + marker + " when I practised breathing."
		ts, _ := newTestServerWithTranscriber(t, databaseURL, audio, spoken)
		a := ts.login("a@example.com")

		written := ts.createAnonymousSession(a, api.SessionWrittenSummary, api.AnonymousIndividual)
		base := "/api/v1/sessions/" + written.ID
		summary := "Client reports that " + marker + " panic attacks dropped this week. Plan to keep the log as homework."
		ts.do(a, http.MethodPut, base+"/summary", api.TextRequest{Text: summary}, http.StatusOK, nil)
		n := ts.generateNote(a, written.ID, "soap")
		if !strings.Contains(noteText(n), marker) {
			t.Fatalf("generated note lacks the marker: %+v", n)
		}
		edit := api.UpdateNoteRequest{Version: n.Version, Sections: []api.SectionEdit{{Key: "plan", Text: "Continue weekly; review " + marker + "."}}}
		ts.do(a, http.MethodPatch, "/api/v1/notes/"+n.ID, edit, http.StatusOK, &n)
		ts.do(a, http.MethodPost, "/api/v1/notes/"+n.ID+"/sign", signAndEnd(n.Version), http.StatusOK, &n)
		ts.do(a, http.MethodPost, "/api/v1/notes/"+n.ID+"/addenda", api.TextRequest{Text: "Late entry: " + marker}, http.StatusCreated, nil)

		recorded := ts.createAnonymousSession(a, api.SessionUploadedRecording, api.AnonymousCouple)
		ts.upload(a, recorded.ID, "audio/ogg", audio, http.StatusCreated)
		if got := waitTranscript(t, ts, a, recorded.ID); got != spoken {
			t.Fatalf("transcript from the sealed recording: %q", got)
		}

		// Through the API, everything reads back in clear.
		var got api.Note
		ts.do(a, http.MethodGet, "/api/v1/notes/"+n.ID, nil, http.StatusOK, &got)
		if !strings.Contains(noteText(got), "Continue weekly; review "+marker) {
			t.Fatalf("note through the API: %+v", got)
		}
		if len(got.Addenda) != 1 || got.Addenda[0].Text != "Late entry: "+marker {
			t.Fatalf("addenda through the API: %+v", got.Addenda)
		}
		var text api.TextRequest
		ts.do(a, http.MethodGet, base+"/summary", nil, http.StatusOK, &text)
		if text.Text != summary {
			t.Fatalf("summary through the API: %q", text.Text)
		}

		// At rest, it is nowhere.
		dump := rawDatabaseDump(t, ts.cfg)
		if len(dump) < 1000 {
			t.Fatalf("the dump is suspiciously small (%d bytes)", len(dump))
		}
		if !bytes.Contains(dump, []byte(written.ID)) {
			t.Fatal("the dump lacks the session id: it is not a dump of this database")
		}
		if bytes.Contains(dump, []byte(marker)) {
			t.Fatal("the marker is in the raw database dump")
		}
		files := 0
		filepath.WalkDir(ts.cfg.DataDir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			files++
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(b, []byte(marker)) {
				t.Errorf("the marker is in %s", path)
			}
			return nil
		})
		if files == 0 {
			t.Fatal("no file in the data directory: the recording was not stored there")
		}
	})
}

func noteText(n api.Note) string {
	var b strings.Builder
	for _, s := range n.Sections {
		b.WriteString(s.Text)
		b.WriteByte('\n')
	}
	return b.String()
}

// rawDatabaseDump returns everything the database holds, as stored: pg_dump
// for PostgreSQL, the database file and its write-ahead log for SQLite.
func rawDatabaseDump(t *testing.T, cfg *config.Config) []byte {
	t.Helper()
	dialect, dsn, err := config.ParseDatabaseURL(cfg.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	if dialect == config.SQLite {
		var all []byte
		for _, suffix := range []string{"", "-wal"} {
			b, err := os.ReadFile(dsn + suffix)
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			all = append(all, b...)
		}
		return all
	}
	pgDump, err := exec.LookPath("pg_dump")
	if err != nil {
		t.Fatalf("pg_dump is needed to dump the PostgreSQL test database: %v", err)
	}
	u, err := url.Parse(cfg.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(pgDump, "--no-owner", "--data-only", "--dbname="+u.String()).Output()
	if err != nil {
		t.Fatalf("pg_dump: %v", err)
	}
	return out
}
