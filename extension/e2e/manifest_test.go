package e2e

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

type manifest struct {
	ManifestVersion int    `json:"manifest_version"`
	Key             string `json:"key"`
	Background      struct {
		ServiceWorker string `json:"service_worker"`
		Type          string `json:"type"`
	} `json:"background"`
	Permissions             []string          `json:"permissions"`
	OptionalHostPermissions []string          `json:"optional_host_permissions"`
	HostPermissions         []string          `json:"host_permissions"`
	CSP                     map[string]string `json:"content_security_policy"`
	SidePanel               struct {
		DefaultPath string `json:"default_path"`
	} `json:"side_panel"`
}

func readManifest(t *testing.T) manifest {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(), "extension", "src", "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m manifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// The dev extension ID is derived from the manifest key as Chrome does:
// the first 32 hex digits of SHA-256 of the DER public key, 0–f → a–p.
func TestManifestKeyGivesTheDocumentedID(t *testing.T) {
	m := readManifest(t)
	der, err := base64.StdEncoding.DecodeString(m.Key)
	if err != nil {
		t.Fatalf("key is not base64: %v", err)
	}
	if _, err := x509.ParsePKIXPublicKey(der); err != nil {
		t.Fatalf("key is not a DER public key: %v", err)
	}
	sum := sha256.Sum256(der)
	id := []byte(hex.EncodeToString(sum[:16]))
	for i, c := range id {
		if c <= '9' {
			id[i] = 'a' + (c - '0')
		} else {
			id[i] = 'a' + 10 + (c - 'a')
		}
	}
	if string(id) != extensionID {
		t.Errorf("ID from key = %s, documented %s", id, extensionID)
	}
	readme, err := os.ReadFile(filepath.Join(repoRoot(), "extension", "README.md"))
	if err != nil || !strings.Contains(string(readme), extensionID) {
		t.Errorf("extension/README.md must state the dev ID %s (err %v)", extensionID, err)
	}
}

func TestManifestPolicy(t *testing.T) {
	m := readManifest(t)
	if m.ManifestVersion != 3 || m.Background.Type != "module" || m.SidePanel.DefaultPath != "sidepanel.html" {
		t.Errorf("manifest basics: %+v", m)
	}
	for _, p := range []string{"sidePanel", "storage", "scripting", "activeTab", "identity", "tabCapture", "offscreen"} {
		if !slices.Contains(m.Permissions, p) {
			t.Errorf("permission %s missing", p)
		}
	}
	if !slices.Equal(m.HostPermissions, []string{"http://127.0.0.1/*", "http://localhost/*"}) {
		t.Errorf("host_permissions = %v: EHR sites must be optional, requested per origin", m.HostPermissions)
	}
	if len(m.OptionalHostPermissions) == 0 {
		t.Error("no optional_host_permissions for EHR sites")
	}
	csp := m.CSP["extension_pages"]
	if !strings.Contains(csp, "script-src 'self' 'wasm-unsafe-eval'") || strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "http") {
		t.Errorf("extension_pages CSP = %q", csp)
	}
}

// No private key may sit in the extension's sources.
func TestNoPrivateKeyCommitted(t *testing.T) {
	root := filepath.Join(repoRoot(), "extension")
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == "dist") {
			return filepath.SkipDir
		}
		if d.IsDir() || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.Contains(string(b), "PRIVATE KEY") || strings.HasSuffix(path, ".pem") {
			t.Errorf("%s holds a private key", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
