package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestAuthDefaults(t *testing.T) {
	c, err := load(nil)
	if err != nil {
		t.Fatal(err)
	}
	a := c.Auth
	if a.Google.Enabled() || a.Microsoft.Enabled() || a.OIDC.Enabled() {
		t.Fatal("a provider is on without configuration")
	}
	if a.SessionTTL != 12*time.Hour || a.Microsoft.Tenant != "common" || a.OIDC.Name == "" {
		t.Fatalf("defaults = %+v", a)
	}
	if a.SignInRate.Unlimited() || a.APIRate.Unlimited() || a.APIRate.PerSecond < 20 || a.APIRate.Burst < 100 {
		t.Fatalf("rate limits = %+v / %+v", a.SignInRate, a.APIRate)
	}
}

func TestAuthConfiguration(t *testing.T) {
	secretFile := filepath.Join(t.TempDir(), "google-secret")
	os.WriteFile(secretFile, []byte("from-a-file\n"), 0o600)
	c, err := load(map[string]string{
		"SIDENOTE_GOOGLE_CLIENT_ID":          "g-id",
		"SIDENOTE_GOOGLE_CLIENT_SECRET_FILE": secretFile,
		"SIDENOTE_MICROSOFT_CLIENT_ID":       "m-id",
		"SIDENOTE_MICROSOFT_CLIENT_SECRET":   "m-secret",
		"SIDENOTE_MICROSOFT_TENANT":          "organizations",
		"SIDENOTE_OIDC_ISSUER_URL":           "https://sso.example.org/realms/clinic/",
		"SIDENOTE_OIDC_CLIENT_ID":            "o-id",
		"SIDENOTE_OIDC_CLIENT_SECRET":        "o-secret",
		"SIDENOTE_OIDC_NAME":                 "Clinic SSO",
		"SIDENOTE_EXTENSION_IDS":             "abcdefghijklmnopabcdefghijklmnop, ponmlkjihgfedcbaponmlkjihgfedcba",
		"SIDENOTE_ALLOWED_ORIGINS":           "https://Sidenote.Example.org/",
		"SIDENOTE_TRUSTED_PROXIES":           "10.0.0.0/8,127.0.0.1",
		"SIDENOTE_API_RATE_LIMIT":            "0",
		"SIDENOTE_AUTH_RATE_BURST":           "5",
	})
	if err != nil {
		t.Fatal(err)
	}
	a := c.Auth
	if !a.Google.Enabled() || a.Google.ClientSecret != "from-a-file" || !a.Microsoft.Enabled() || a.Microsoft.Tenant != "organizations" {
		t.Fatalf("google/microsoft = %+v %+v", a.Google, a.Microsoft)
	}
	if !a.OIDC.Enabled() || a.OIDC.IssuerURL != "https://sso.example.org/realms/clinic" || a.OIDC.Name != "Clinic SSO" {
		t.Fatalf("oidc = %+v", a.OIDC)
	}
	if len(a.ExtensionIDs) != 2 || a.AllowedOrigins[0] != "https://sidenote.example.org" || len(a.TrustedProxies) != 2 {
		t.Fatalf("lists = %q %q %q", a.ExtensionIDs, a.AllowedOrigins, a.TrustedProxies)
	}
	if !a.APIRate.Unlimited() || a.SignInRate.Burst != 5 {
		t.Fatalf("rates = %+v %+v", a.APIRate, a.SignInRate)
	}
}

func TestAuthConfigurationErrors(t *testing.T) {
	for _, tc := range []struct {
		env      map[string]string
		variable string
	}{
		{map[string]string{"SIDENOTE_GOOGLE_CLIENT_ID": "g"}, "SIDENOTE_GOOGLE_CLIENT_SECRET"},
		{map[string]string{"SIDENOTE_MICROSOFT_CLIENT_SECRET": "s"}, "SIDENOTE_MICROSOFT_CLIENT_ID"},
		{map[string]string{"SIDENOTE_OIDC_CLIENT_ID": "o", "SIDENOTE_OIDC_CLIENT_SECRET": "s"}, "SIDENOTE_OIDC_ISSUER_URL"},
		{map[string]string{"SIDENOTE_OIDC_ISSUER_URL": "https://sso.example.org"}, "SIDENOTE_OIDC_CLIENT_ID"},
		{map[string]string{"SIDENOTE_OIDC_ISSUER_URL": "http://sso.example.org", "SIDENOTE_OIDC_CLIENT_ID": "o", "SIDENOTE_OIDC_CLIENT_SECRET": "s"}, "SIDENOTE_OIDC_ISSUER_URL"},
		{map[string]string{"SIDENOTE_EXTENSION_IDS": "not-an-extension"}, "SIDENOTE_EXTENSION_IDS"},
		{map[string]string{"SIDENOTE_EXTENSION_IDS": "ABCDEFGHIJKLMNOPABCDEFGHIJKLMNOP"}, "SIDENOTE_EXTENSION_IDS"},
		{map[string]string{"SIDENOTE_ALLOWED_ORIGINS": "*"}, "SIDENOTE_ALLOWED_ORIGINS"},
		{map[string]string{"SIDENOTE_ALLOWED_ORIGINS": "https://a.example/app"}, "SIDENOTE_ALLOWED_ORIGINS"},
		{map[string]string{"SIDENOTE_SESSION_SECRET": "too-short"}, "SIDENOTE_SESSION_SECRET"},
		{map[string]string{"SIDENOTE_TRUSTED_PROXIES": "proxy.example"}, "SIDENOTE_TRUSTED_PROXIES"},
		{map[string]string{"SIDENOTE_API_RATE_LIMIT": "-1"}, "SIDENOTE_API_RATE_LIMIT"},
		{map[string]string{"SIDENOTE_AUTH_RATE_BURST": "0"}, "SIDENOTE_AUTH_RATE_BURST"},
		{map[string]string{"SIDENOTE_SESSION_TTL": "forever"}, "SIDENOTE_SESSION_TTL"},
	} {
		_, err := load(tc.env)
		if err == nil || !strings.HasPrefix(err.Error(), tc.variable+":") {
			t.Errorf("%v: error %v, want one naming %s", tc.env, err, tc.variable)
		}
	}
}
