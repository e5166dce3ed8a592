// Package config reads Sidenote's configuration from environment variables,
// typed and validated once at start. A secret may instead be read from a file
// named by the same variable with a _FILE suffix.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config is the whole server configuration.
type Config struct {
	// Addr is the listen address (SIDENOTE_ADDR).
	Addr string
	// DatabaseURL is postgres://... or sqlite:PATH (SIDENOTE_DATABASE_URL).
	DatabaseURL string
	// DevLogin enables POST /api/v1/dev/login for a clinician running
	// Sidenote on their own machine; only allowed on a loopback address.
	DevLogin bool
	// DataDir holds recordings and other files (SIDENOTE_DATA_DIR).
	DataDir string
	// WebDir is the directory served at /app (SIDENOTE_WEB_DIR).
	WebDir string
	// PublicURL is the externally visible base URL, used in links such as
	// telehealth join URLs and OAuth callbacks (SIDENOTE_PUBLIC_URL).
	PublicURL string
	// TokenTTL is how long an API token lives without use (sliding).
	TokenTTL time.Duration
	// ShutdownTimeout bounds the drain of in-flight requests on SIGTERM.
	ShutdownTimeout time.Duration
	// MaxBodyBytes bounds JSON request bodies.
	MaxBodyBytes int64
	// MaxRecordingBytes bounds an uploaded recording.
	MaxRecordingBytes int64

	LLM Provider // SIDENOTE_LLM_URL, _MODEL, _API_KEY(_FILE)
	ASR Provider // SIDENOTE_ASR_URL, _MODEL, _API_KEY(_FILE)
}

// Provider is an optional OpenAI-compatible HTTP service.
type Provider struct {
	URL    string
	Model  string
	APIKey string
}

// Enabled reports whether the provider is configured.
func (p Provider) Enabled() bool { return p.URL != "" }

// Load reads the configuration from the process environment.
func Load() (*Config, error) { return LoadFrom(os.LookupEnv) }

// LoadFrom reads the configuration through lookup, so tests need not touch
// the process environment. The error names the offending variable.
func LoadFrom(lookup func(string) (string, bool)) (*Config, error) {
	r := reader{lookup: lookup}
	c := &Config{
		Addr:              r.str("SIDENOTE_ADDR", "127.0.0.1:8080"),
		DatabaseURL:       r.str("SIDENOTE_DATABASE_URL", "sqlite:./data/sidenote.db"),
		DevLogin:          r.boolean("SIDENOTE_DEV_LOGIN", false),
		DataDir:           r.str("SIDENOTE_DATA_DIR", "./data"),
		WebDir:            r.str("SIDENOTE_WEB_DIR", "./wasm/web"),
		PublicURL:         r.str("SIDENOTE_PUBLIC_URL", ""),
		TokenTTL:          r.duration("SIDENOTE_TOKEN_TTL", 30*24*time.Hour),
		ShutdownTimeout:   r.duration("SIDENOTE_SHUTDOWN_TIMEOUT", 15*time.Second),
		MaxBodyBytes:      r.bytes("SIDENOTE_MAX_BODY_BYTES", 1<<20),
		MaxRecordingBytes: r.bytes("SIDENOTE_MAX_RECORDING_BYTES", 500<<20),
		LLM:               r.provider("SIDENOTE_LLM"),
		ASR:               r.provider("SIDENOTE_ASR"),
	}
	if r.err != nil {
		return nil, r.err
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Config) validate() error {
	host, port, err := net.SplitHostPort(c.Addr)
	if err != nil {
		return fmt.Errorf("SIDENOTE_ADDR: %q is not host:port", c.Addr)
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return fmt.Errorf("SIDENOTE_ADDR: port %q is not a number from 0 to 65535", port)
	}
	if c.DevLogin && !isLoopback(host) {
		return fmt.Errorf("SIDENOTE_DEV_LOGIN: dev login is only allowed when SIDENOTE_ADDR is a loopback address, not %q", host)
	}
	if _, _, err := ParseDatabaseURL(c.DatabaseURL); err != nil {
		return fmt.Errorf("SIDENOTE_DATABASE_URL: %v", err)
	}
	if c.PublicURL == "" {
		c.PublicURL = "http://" + c.Addr
	}
	if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("SIDENOTE_PUBLIC_URL: %q is not an http(s) URL", c.PublicURL)
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	for name, p := range map[string]Provider{"SIDENOTE_LLM_URL": c.LLM, "SIDENOTE_ASR_URL": c.ASR} {
		if !p.Enabled() {
			continue
		}
		if u, err := url.Parse(p.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("%s: %q is not an http(s) URL", name, p.URL)
		}
	}
	return nil
}

// Dialect names a database backend.
type Dialect string

const (
	Postgres Dialect = "postgres"
	SQLite   Dialect = "sqlite"
)

// ParseDatabaseURL splits a database URL into its dialect and the DSN the
// driver takes: the URL itself for PostgreSQL, the file path for SQLite.
func ParseDatabaseURL(raw string) (Dialect, string, error) {
	switch {
	case strings.HasPrefix(raw, "postgres://"), strings.HasPrefix(raw, "postgresql://"):
		if _, err := url.Parse(raw); err != nil {
			return "", "", errors.New("not a valid postgres:// URL")
		}
		return Postgres, raw, nil
	case strings.HasPrefix(raw, "sqlite:"):
		path := strings.TrimPrefix(raw, "sqlite:")
		path = strings.TrimPrefix(path, "//")
		if path == "" {
			return "", "", errors.New("sqlite: needs a file path, as in sqlite:./data/sidenote.db")
		}
		return SQLite, path, nil
	default:
		return "", "", errors.New("must start with postgres:// or sqlite:")
	}
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// reader collects the first error so Load can report one variable at a time.
type reader struct {
	lookup func(string) (string, bool)
	err    error
}

func (r *reader) fail(name, format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf(name+": "+format, args...)
	}
}

func (r *reader) str(name, def string) string {
	if v, ok := r.lookup(name); ok && strings.TrimSpace(v) != "" {
		return strings.TrimSpace(v)
	}
	return def
}

// secret reads NAME, or the contents of the file named by NAME_FILE.
func (r *reader) secret(name string) string {
	v, hasValue := r.lookup(name)
	file, hasFile := r.lookup(name + "_FILE")
	if hasValue && v != "" && hasFile && file != "" {
		r.fail(name, "set either %s or %s_FILE, not both", name, name)
		return ""
	}
	if hasFile && file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			r.fail(name+"_FILE", "cannot read %q: %v", file, errors.Unwrap(err))
			return ""
		}
		return strings.TrimSpace(string(b))
	}
	return v
}

func (r *reader) boolean(name string, def bool) bool {
	v := r.str(name, "")
	if v == "" {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		r.fail(name, "%q is not a boolean (use 1 or 0)", v)
	}
	return b
}

func (r *reader) duration(name string, def time.Duration) time.Duration {
	v := r.str(name, "")
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		r.fail(name, "%q is not a positive duration such as 30s or 720h", v)
	}
	return d
}

func (r *reader) bytes(name string, def int64) int64 {
	v := r.str(name, "")
	if v == "" {
		return def
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		r.fail(name, "%q is not a positive number of bytes", v)
	}
	return n
}

func (r *reader) provider(prefix string) Provider {
	return Provider{
		URL:    r.str(prefix+"_URL", ""),
		Model:  r.str(prefix+"_MODEL", ""),
		APIKey: r.secret(prefix + "_API_KEY"),
	}
}
