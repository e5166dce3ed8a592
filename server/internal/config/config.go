// Package config reads Sidenote's configuration from environment variables,
// typed and validated once at start. A secret may instead be read from a file
// named by the same variable with a _FILE suffix.
package config

import (
	"errors"
	"fmt"
	"math"
	"net"
	"net/url"
	"os"
	"path/filepath"
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
	// DatabaseMaxConns bounds this process's PostgreSQL connections
	// (SIDENOTE_DATABASE_MAX_CONNS).
	DatabaseMaxConns int
	// DevLogin enables POST /api/v1/dev/login for a clinician running
	// Sidenote on their own machine; only allowed on a loopback address.
	DevLogin bool
	// DataDir holds recordings and other files (SIDENOTE_DATA_DIR).
	DataDir string
	// EncryptionKeyFile holds the AES-256 keys that seal note text,
	// sources and recordings at rest (SIDENOTE_ENCRYPTION_KEY_FILE; default
	// DataDir/encryption.key, created with one new key on first start).
	// Every replica needs the same file.
	EncryptionKeyFile string
	// RecordingRetention is how long a recording is kept after its
	// session's note is signed, unless the clinician chose to keep it
	// (SIDENOTE_RECORDING_RETENTION; 0 deletes it at signing).
	RecordingRetention time.Duration
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
	// ICEServers are the STUN/TURN servers of telehealth calls
	// (SIDENOTE_ICE_SERVERS, JSON); none works on loopback and a LAN.
	ICEServers []ICEServer

	LLM Provider // SIDENOTE_LLM_URL, _MODEL, _API_KEY(_FILE)
	ASR Provider // SIDENOTE_ASR_URL, _MODEL, _API_KEY(_FILE)

	Auth Auth
}

// Auth configures sign-in, browser sessions, cross-origin access and rate
// limits.
type Auth struct {
	Google    OAuthClient // SIDENOTE_GOOGLE_CLIENT_ID, _CLIENT_SECRET(_FILE)
	Microsoft OAuthClient // SIDENOTE_MICROSOFT_CLIENT_ID, _CLIENT_SECRET(_FILE), _TENANT
	OIDC      OAuthClient // SIDENOTE_OIDC_ISSUER_URL, _CLIENT_ID, _CLIENT_SECRET(_FILE), _NAME

	// ExtensionIDs are the Chrome extension ids allowed to receive API
	// tokens and to call the API cross-origin (SIDENOTE_EXTENSION_IDS).
	ExtensionIDs []string
	// AllowedOrigins are further web origins allowed to call the API
	// (SIDENOTE_ALLOWED_ORIGINS), such as https://sidenote.example.org.
	AllowedOrigins []string
	// SessionSecret signs and encrypts the short-lived sign-in state
	// cookie (SIDENOTE_SESSION_SECRET(_FILE)); empty means a key kept in
	// the data directory.
	SessionSecret string
	// SessionTTL is how long a browser session lives without use
	// (SIDENOTE_SESSION_TTL, sliding).
	SessionTTL time.Duration
	// TrustedProxies are the addresses or CIDR ranges of reverse proxies
	// whose X-Forwarded-For and X-Forwarded-Proto are believed
	// (SIDENOTE_TRUSTED_PROXIES).
	TrustedProxies []string

	// SignInRate limits /auth/* and dev login per client IP
	// (SIDENOTE_AUTH_RATE_LIMIT requests per second, SIDENOTE_AUTH_RATE_BURST).
	SignInRate RateLimit
	// APIRate limits /api/v1 per token (SIDENOTE_API_RATE_LIMIT,
	// SIDENOTE_API_RATE_BURST).
	APIRate RateLimit
}

// OAuthClient is the registration of Sidenote at one identity provider. It
// is enabled only when both the client id and the secret are set.
type OAuthClient struct {
	ClientID     string
	ClientSecret string
	// IssuerURL is the OpenID Connect issuer (generic OIDC only); its
	// discovery document is at IssuerURL/.well-known/openid-configuration.
	IssuerURL string
	// Tenant is the Microsoft Entra tenant: an id, a domain, "common" or
	// "organizations".
	Tenant string
	// Name is shown on the sign-in button (generic OIDC only).
	Name string
}

// Enabled reports whether the provider is configured.
func (o OAuthClient) Enabled() bool { return o.ClientID != "" && o.ClientSecret != "" }

// RateLimit is a token bucket: PerSecond requests a second on average, up
// to Burst at once. PerSecond 0 means no limit.
type RateLimit struct {
	PerSecond float64
	Burst     int
}

// Unlimited reports whether the limit is switched off.
func (r RateLimit) Unlimited() bool { return r.PerSecond == 0 }

// Provider is an optional OpenAI-compatible HTTP service.
type Provider struct {
	URL    string
	Model  string
	APIKey string
	// Timeout bounds one request (SIDENOTE_LLM_TIMEOUT, SIDENOTE_ASR_TIMEOUT);
	// zero keeps the client's default.
	Timeout time.Duration
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
		Addr:               r.str("SIDENOTE_ADDR", "127.0.0.1:8080"),
		DatabaseURL:        r.str("SIDENOTE_DATABASE_URL", "sqlite:./data/sidenote.db"),
		DevLogin:           r.boolean("SIDENOTE_DEV_LOGIN", false),
		DataDir:            r.str("SIDENOTE_DATA_DIR", "./data"),
		WebDir:             r.str("SIDENOTE_WEB_DIR", "./wasm/web"),
		RecordingRetention: r.duration("SIDENOTE_RECORDING_RETENTION", 0),
		PublicURL:          r.str("SIDENOTE_PUBLIC_URL", ""),
		TokenTTL:           r.duration("SIDENOTE_TOKEN_TTL", 30*24*time.Hour),
		ShutdownTimeout:    r.duration("SIDENOTE_SHUTDOWN_TIMEOUT", 15*time.Second),
		MaxBodyBytes:       r.bytes("SIDENOTE_MAX_BODY_BYTES", 1<<20),
		DatabaseMaxConns:   int(r.positive("SIDENOTE_DATABASE_MAX_CONNS", 32, "connections")),
		MaxRecordingBytes:  r.bytes("SIDENOTE_MAX_RECORDING_BYTES", 500<<20),
		ICEServers:         r.iceServers("SIDENOTE_ICE_SERVERS"),
		LLM:                r.provider("SIDENOTE_LLM"),
		ASR:                r.provider("SIDENOTE_ASR"),
		Auth: Auth{
			Google:         r.oauthClient("SIDENOTE_GOOGLE"),
			Microsoft:      r.oauthClient("SIDENOTE_MICROSOFT"),
			OIDC:           r.oauthClient("SIDENOTE_OIDC"),
			ExtensionIDs:   r.list("SIDENOTE_EXTENSION_IDS"),
			AllowedOrigins: r.list("SIDENOTE_ALLOWED_ORIGINS"),
			SessionSecret:  r.secret("SIDENOTE_SESSION_SECRET"),
			SessionTTL:     r.duration("SIDENOTE_SESSION_TTL", 12*time.Hour),
			TrustedProxies: r.list("SIDENOTE_TRUSTED_PROXIES"),
			SignInRate:     r.rateLimit("SIDENOTE_AUTH_RATE", 2, 20),
			APIRate:        r.rateLimit("SIDENOTE_API_RATE", 50, 200),
		},
	}
	c.EncryptionKeyFile = r.str("SIDENOTE_ENCRYPTION_KEY_FILE", filepath.Join(c.DataDir, "encryption.key"))
	c.Auth.Microsoft.Tenant = r.str("SIDENOTE_MICROSOFT_TENANT", "common")
	c.Auth.OIDC.IssuerURL = strings.TrimRight(r.str("SIDENOTE_OIDC_ISSUER_URL", ""), "/")
	c.Auth.OIDC.Name = r.str("SIDENOTE_OIDC_NAME", "Single sign-on")
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
	if err := c.checkDevLogin(); err != nil {
		return err
	}
	if err := c.Auth.validate(); err != nil {
		return err
	}
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

// checkDevLogin refuses dev login (sign-in by email alone) anywhere but on
// a clinician's own machine: the public URL must be loopback too, and no
// proxy may stand in front, or a request from elsewhere could reach it.
func (c *Config) checkDevLogin() error {
	if !c.DevLogin {
		return nil
	}
	u, err := url.Parse(c.PublicURL)
	if err != nil || !isLoopback(u.Hostname()) {
		return fmt.Errorf("SIDENOTE_DEV_LOGIN: dev login is only allowed when SIDENOTE_PUBLIC_URL is a loopback address, not %q", c.PublicURL)
	}
	if len(c.Auth.TrustedProxies) > 0 {
		return errors.New("SIDENOTE_DEV_LOGIN: dev login is not allowed behind a proxy (SIDENOTE_TRUSTED_PROXIES is set)")
	}
	return nil
}

func (a *Auth) validate() error {
	for prefix, o := range map[string]OAuthClient{"SIDENOTE_GOOGLE": a.Google, "SIDENOTE_MICROSOFT": a.Microsoft, "SIDENOTE_OIDC": a.OIDC} {
		switch {
		case o.ClientID != "" && o.ClientSecret == "":
			return fmt.Errorf("%s_CLIENT_SECRET: required when %s_CLIENT_ID is set", prefix, prefix)
		case o.ClientID == "" && o.ClientSecret != "":
			return fmt.Errorf("%s_CLIENT_ID: required when %s_CLIENT_SECRET is set", prefix, prefix)
		}
	}
	if a.OIDC.IssuerURL != "" && !a.OIDC.Enabled() {
		return errors.New("SIDENOTE_OIDC_CLIENT_ID: required when SIDENOTE_OIDC_ISSUER_URL is set")
	}
	if a.OIDC.Enabled() {
		u, err := url.Parse(a.OIDC.IssuerURL)
		switch {
		case a.OIDC.IssuerURL == "":
			return errors.New("SIDENOTE_OIDC_ISSUER_URL: required when SIDENOTE_OIDC_CLIENT_ID is set")
		case err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "":
			return fmt.Errorf("SIDENOTE_OIDC_ISSUER_URL: %q is not an issuer URL", a.OIDC.IssuerURL)
		case u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname())):
			return fmt.Errorf("SIDENOTE_OIDC_ISSUER_URL: %q must use https", a.OIDC.IssuerURL)
		}
	}
	for _, id := range a.ExtensionIDs {
		if !ValidExtensionID(id) {
			return fmt.Errorf("SIDENOTE_EXTENSION_IDS: %q is not a Chrome extension id (32 letters a to p)", id)
		}
	}
	for i, o := range a.AllowedOrigins {
		origin, err := normalizeOrigin(o)
		if err != nil {
			return fmt.Errorf("SIDENOTE_ALLOWED_ORIGINS: %q is not an origin such as https://ehr.example.org", o)
		}
		a.AllowedOrigins[i] = origin
	}
	if a.SessionSecret != "" && len(a.SessionSecret) < 32 {
		return errors.New("SIDENOTE_SESSION_SECRET: use at least 32 random characters")
	}
	for _, p := range a.TrustedProxies {
		if _, _, err := net.ParseCIDR(p); err != nil && net.ParseIP(p) == nil {
			return fmt.Errorf("SIDENOTE_TRUSTED_PROXIES: %q is neither an IP address nor a CIDR range", p)
		}
	}
	return nil
}

// ValidExtensionID reports whether id has the form of a Chrome extension
// id: 32 letters from a to p.
func ValidExtensionID(id string) bool {
	if len(id) != 32 {
		return false
	}
	for _, r := range id {
		if r < 'a' || r > 'p' {
			return false
		}
	}
	return true
}

// normalizeOrigin checks that raw is scheme://host[:port] and lowercases it.
func normalizeOrigin(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", errors.New("not an origin")
	}
	return strings.ToLower(u.Scheme + "://" + u.Host), nil
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
	return r.positive(name, def, "bytes")
}

// positive reads a positive whole number of unit.
func (r *reader) positive(name string, def int64, unit string) int64 {
	v := r.str(name, "")
	if v == "" {
		return def
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		r.fail(name, "%q is not a positive number of %s", v, unit)
	}
	return n
}

// list reads a comma-separated list, dropping empty entries.
func (r *reader) list(name string) []string {
	var out []string
	for _, v := range strings.Split(r.str(name, ""), ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// rateLimit reads PREFIX_LIMIT (requests per second, 0 for none) and
// PREFIX_BURST.
func (r *reader) rateLimit(prefix string, perSecond float64, burst int) RateLimit {
	limit := RateLimit{PerSecond: perSecond, Burst: burst}
	if v := r.str(prefix+"_LIMIT", ""); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) {
			r.fail(prefix+"_LIMIT", "%q is not a number of requests per second (0 for no limit)", v)
		}
		limit.PerSecond = f
	}
	if v := r.str(prefix+"_BURST", ""); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			r.fail(prefix+"_BURST", "%q is not a positive whole number", v)
		}
		limit.Burst = n
	}
	return limit
}

func (r *reader) oauthClient(prefix string) OAuthClient {
	return OAuthClient{
		ClientID:     r.str(prefix+"_CLIENT_ID", ""),
		ClientSecret: r.secret(prefix + "_CLIENT_SECRET"),
	}
}

func (r *reader) provider(prefix string) Provider {
	return Provider{
		URL:     r.str(prefix+"_URL", ""),
		Model:   r.str(prefix+"_MODEL", ""),
		APIKey:  r.secret(prefix + "_API_KEY"),
		Timeout: r.duration(prefix+"_TIMEOUT", 0),
	}
}
