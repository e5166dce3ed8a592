package api

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sidenote/sidenote/server/internal/store/storetest"
)

// /app serves the sidebar's files and nothing else: no dotfile a deployment
// left in the directory, no symbolic link out of it.
func TestAppServesNoDotfilesNorLinksOut(t *testing.T) {
	web := newWebDir(t)
	outside := t.TempDir()
	const secret = "SIDENOTE_SESSION_SECRET=fictional-secret-0123456789"
	for name, data := range map[string]string{".env": secret, ".git/config": secret, "sub/.hidden.js": secret} {
		p := filepath.Join(web.dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(outside, "secret.js"), []byte(secret), 0o644); err != nil {
		t.Fatal(err)
	}
	for link, target := range map[string]string{
		"escape.js":   filepath.Join(outside, "secret.js"),
		"outside":     outside,
		"relative.js": "../" + filepath.Base(outside) + "/secret.js",
		"inside.css":  "app.css", // a link within the directory is fine
	} {
		if err := os.Symlink(target, filepath.Join(web.dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	ts := newTestServer(t, storetest.SQLiteURL(t), map[string]string{"SIDENOTE_WEB_DIR": web.dir})
	for _, p := range []string{"/app/.env", "/app/.git/config", "/app/.git/", "/app/sub/.hidden.js", "/app/escape.js",
		"/app/outside/secret.js", "/app/relative.js", "/app/sub/../.env", "/app/%2egit/config"} {
		res := ts.raw("", http.MethodGet, p, nil)
		if res.Status == http.StatusOK || strings.Contains(string(res.Body), "fictional-secret") {
			t.Errorf("GET %s: %d %.80q, want no file", p, res.Status, res.Body)
		}
	}
	for _, p := range []string{"/app/", "/app/app.css", "/app/inside.css", "/app/sidebar.wasm"} {
		if res := ts.raw("", http.MethodGet, p, nil); res.Status != http.StatusOK {
			t.Errorf("GET %s: %d, want 200", p, res.Status)
		}
	}
}
