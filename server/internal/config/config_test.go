package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func load(env map[string]string) (*Config, error) {
	return LoadFrom(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
}

func TestDefaults(t *testing.T) {
	c, err := load(nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:8080" || c.DatabaseURL != "sqlite:./data/sidenote.db" || c.DevLogin || c.TokenTTL != 30*24*time.Hour || c.MaxBodyBytes != 1<<20 || c.MaxRecordingBytes != 500<<20 {
		t.Fatalf("defaults = %+v", c)
	}
	if c.PublicURL != "http://127.0.0.1:8080" {
		t.Fatalf("public URL = %q", c.PublicURL)
	}
}

// A bad value stops the server with one line naming the variable.
func TestBadValuesNameTheVariable(t *testing.T) {
	cases := []struct {
		env     map[string]string
		varName string
	}{
		{map[string]string{"SIDENOTE_ADDR": "nonsense"}, "SIDENOTE_ADDR"},
		{map[string]string{"SIDENOTE_ADDR": "127.0.0.1:99999"}, "SIDENOTE_ADDR"},
		{map[string]string{"SIDENOTE_DATABASE_URL": "mysql://x"}, "SIDENOTE_DATABASE_URL"},
		{map[string]string{"SIDENOTE_DATABASE_URL": "sqlite:"}, "SIDENOTE_DATABASE_URL"},
		{map[string]string{"SIDENOTE_DEV_LOGIN": "perhaps"}, "SIDENOTE_DEV_LOGIN"},
		{map[string]string{"SIDENOTE_DEV_LOGIN": "1", "SIDENOTE_ADDR": "0.0.0.0:8080"}, "SIDENOTE_DEV_LOGIN"},
		{map[string]string{"SIDENOTE_DEV_LOGIN": "1", "SIDENOTE_ADDR": "192.0.2.10:8080"}, "SIDENOTE_DEV_LOGIN"},
		// A loopback listener behind a public name or a proxy is reachable
		// from elsewhere: no sign-in by email alone there.
		{map[string]string{"SIDENOTE_DEV_LOGIN": "1", "SIDENOTE_PUBLIC_URL": "https://sidenote.example.org"}, "SIDENOTE_DEV_LOGIN"},
		{map[string]string{"SIDENOTE_DEV_LOGIN": "1", "SIDENOTE_TRUSTED_PROXIES": "127.0.0.1"}, "SIDENOTE_DEV_LOGIN"},
		{map[string]string{"SIDENOTE_TOKEN_TTL": "forever"}, "SIDENOTE_TOKEN_TTL"},
		{map[string]string{"SIDENOTE_MAX_BODY_BYTES": "-1"}, "SIDENOTE_MAX_BODY_BYTES"},
		{map[string]string{"SIDENOTE_LLM_URL": "ftp://x"}, "SIDENOTE_LLM_URL"},
		{map[string]string{"SIDENOTE_LLM_API_KEY_FILE": "/nonexistent/key"}, "SIDENOTE_LLM_API_KEY_FILE"},
		{map[string]string{"SIDENOTE_LLM_API_KEY": "a", "SIDENOTE_LLM_API_KEY_FILE": "/x"}, "SIDENOTE_LLM_API_KEY"},
		{map[string]string{"SIDENOTE_PUBLIC_URL": "not a url"}, "SIDENOTE_PUBLIC_URL"},
	}
	for _, tc := range cases {
		_, err := load(tc.env)
		if err == nil {
			t.Errorf("%v: accepted", tc.env)
			continue
		}
		if msg := err.Error(); !strings.HasPrefix(msg, tc.varName+":") || strings.Contains(msg, "\n") {
			t.Errorf("%v: error %q does not start with %s: on one line", tc.env, msg, tc.varName)
		}
	}
}

func TestDevLoginOnLoopback(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:8080", "localhost:9000", "[::1]:8080"} {
		if _, err := load(map[string]string{"SIDENOTE_DEV_LOGIN": "1", "SIDENOTE_ADDR": addr}); err != nil {
			t.Errorf("%s: %v", addr, err)
		}
		if _, err := load(map[string]string{"SIDENOTE_DEV_LOGIN": "1", "SIDENOTE_PUBLIC_URL": "http://" + addr}); err != nil {
			t.Errorf("public URL http://%s: %v", addr, err)
		}
	}
}

func TestSecretFromFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "key")
	if err := os.WriteFile(path, []byte("sk-test-from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := load(map[string]string{"SIDENOTE_LLM_URL": "http://127.0.0.1:9/v1", "SIDENOTE_LLM_API_KEY_FILE": path})
	if err != nil {
		t.Fatal(err)
	}
	if c.LLM.APIKey != "sk-test-from-file" || !c.LLM.Enabled() || c.ASR.Enabled() {
		t.Fatalf("providers = %+v %+v", c.LLM, c.ASR)
	}
}

func TestParseDatabaseURL(t *testing.T) {
	for raw, want := range map[string]Dialect{
		"postgres://postgres@127.0.0.1:5432/test": Postgres,
		"postgresql://u@h/db":                     Postgres,
		"sqlite:./data/sidenote.db":               SQLite,
		"sqlite:///var/lib/sidenote.db":           SQLite,
	} {
		d, _, err := ParseDatabaseURL(raw)
		if err != nil || d != want {
			t.Errorf("%s: %s %v", raw, d, err)
		}
	}
}
