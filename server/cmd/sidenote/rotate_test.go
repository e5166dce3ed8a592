package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sidenote/sidenote/internal/sidenotetest"
)

// TestRotateKeyWhileServing rotates the key with the server running, reads
// the note text through the running server, then restarts it with the old
// key removed from the key file.
func TestRotateKeyWhileServing(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"SIDENOTE_DATABASE_URL": "sqlite:" + filepath.Join(dir, "db.sqlite"), "SIDENOTE_DATA_DIR": dir}
	keyFile := filepath.Join(dir, "encryption.key")

	server := sidenotetest.Start(t, env)
	base := server.URL
	if info, err := os.Stat(keyFile); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file on first start: %v, %v", info, err)
	}
	token := devLogin(t, base)
	var sess struct{ ID string }
	call(t, token, http.MethodPost, base+"/api/v1/sessions", `{"type":"written_summary","anonymous":"individual","consent":{"obtained":true,"method":"verbal"}}`, http.StatusCreated, &sess)
	const summary = "Fictional client Wombat-7731 practised grounding and slept better."
	body, _ := json.Marshal(map[string]string{"text": summary})
	call(t, token, http.MethodPut, base+"/api/v1/sessions/"+sess.ID+"/summary", string(body), http.StatusOK, nil)

	out, err := server.Run("rotate-key", "-new")
	if err != nil {
		t.Fatalf("rotate-key -new: %v\n%s", err, out)
	}
	for _, want := range []string{"added key", "session_sources: 1 re-encrypted", "may be removed"} {
		if !strings.Contains(out, want) {
			t.Fatalf("rotate-key output lacks %q:\n%s", want, out)
		}
	}
	var got struct{ Text string }
	call(t, token, http.MethodGet, base+"/api/v1/sessions/"+sess.ID+"/summary", "", http.StatusOK, &got)
	if got.Text != summary {
		t.Fatalf("summary through the running server after rotation: %q", got.Text)
	}
	if err := server.Stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if db, _ := os.ReadFile(filepath.Join(dir, "db.sqlite")); bytes.Contains(db, []byte("Wombat-7731")) {
		t.Fatal("summary in clear in the database file")
	}

	// Drop the retired key (the second key line) and start again.
	keys, _ := os.ReadFile(keyFile)
	var kept []string
	keyLines := 0
	for _, line := range strings.Split(string(keys), "\n") {
		if line != "" && !strings.HasPrefix(line, "#") {
			keyLines++
			if keyLines > 1 {
				continue
			}
		}
		kept = append(kept, line)
	}
	if keyLines != 2 {
		t.Fatalf("key file has %d keys after rotate-key -new, want 2", keyLines)
	}
	if err := os.WriteFile(keyFile, []byte(strings.Join(kept, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	env["SIDENOTE_ADDR"] = server.Env["SIDENOTE_ADDR"]
	server = sidenotetest.Start(t, env)
	call(t, token, http.MethodGet, base+"/api/v1/sessions/"+sess.ID+"/summary", "", http.StatusOK, &got)
	if got.Text != summary {
		t.Fatalf("summary after restart with only the new key: %q", got.Text)
	}
}

func devLogin(t *testing.T, base string) string {
	t.Helper()
	var tok struct{ Token string }
	call(t, "", http.MethodPost, base+"/api/v1/dev/login", `{"email":"rotate@example.org","name":"R"}`, http.StatusOK, &tok)
	return tok.Token
}

func call(t *testing.T, token, method, url, body string, want int, out any) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != want {
		t.Fatalf("%s %s: %d, want %d", method, url, res.StatusCode, want)
	}
	if out != nil {
		if err := json.NewDecoder(res.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
}
