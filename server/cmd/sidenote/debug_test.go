package main

import (
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sidenote/sidenote/internal/sidenotetest"
)

// A rebinding page (attacker.example resolving to 127.0.0.1) must not read
// the profiles: the debug listener answers loopback names only, and the API
// listener its public host and loopback names only.
func TestDebugAddressRefusesRebindingHost(t *testing.T) {
	debugAddr := sidenotetest.FreeAddr(t)
	server := sidenotetest.Start(t, map[string]string{
		"SIDENOTE_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "db.sqlite"),
		"SIDENOTE_DEBUG_ADDR":   debugAddr,
	})
	_, port, _ := strings.Cut(debugAddr, ":")
	get := func(base, host string) (int, string) {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, base, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Host = host
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		return res.StatusCode, string(body)
	}
	profiles := "http://" + debugAddr + "/debug/pprof/goroutine?debug=1"
	for _, host := range []string{"attacker.example:" + port, "attacker.example", "sidenote.example.org"} {
		if status, body := get(profiles, host); status != http.StatusMisdirectedRequest || strings.Contains(body, "goroutine") {
			t.Errorf("debug address with Host %q: %d %.80q, want 421 without a profile", host, status, body)
		}
		if status, _ := get(server.URL+"/api/v1/dev/login", host); status != http.StatusMisdirectedRequest {
			t.Errorf("API address with Host %q: %d, want 421", host, status)
		}
	}
	for _, host := range []string{debugAddr, "localhost:" + port, "[::1]:" + port} {
		if status, body := get(profiles, host); status != http.StatusOK || !strings.Contains(body, "goroutine profile") {
			t.Errorf("debug address with Host %q: %d, want the profile", host, status)
		}
	}
}
