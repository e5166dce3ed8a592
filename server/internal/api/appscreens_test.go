package api

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/sidenote/sidenote/server/internal/store/storetest"
)

func TestAppScreenAddressesServeThePage(t *testing.T) {
	web := newWebDir(t)
	ts := newTestServer(t, storetest.SQLiteURL(t), map[string]string{"SIDENOTE_WEB_DIR": web.dir})
	index := fetch(t, ts, http.MethodGet, "/app/", "Accept-Encoding", "identity")
	for _, p := range []string{"/app/start", "/app/templates", "/app/sessions/0b6f2c1e-1d1d-4d4d-9e9e-123456789abc", "/app/notes/n-1"} {
		res := fetch(t, ts, http.MethodGet, p, "Accept-Encoding", "identity")
		if res.Status != http.StatusOK || !bytes.Equal(res.Body, index.Body) || res.Header.Get("Content-Type") != "text/html; charset=utf-8" {
			t.Errorf("%s: %d %q", p, res.Status, res.Header.Get("Content-Type"))
		}
		checkPageHeaders(t, p, res)
	}
	for _, p := range []string{"/app/sessions/", "/app/sessions/a/b", "/app/missing.js", "/app/starts"} {
		if res := fetch(t, ts, http.MethodGet, p); res.Status != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", p, res.Status)
		}
	}
}
