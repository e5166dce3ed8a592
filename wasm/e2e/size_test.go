//go:build !js

package e2e

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestSidebarLeavesOutHeavyPackages keeps out of the sidebar the standard
// packages that would each cost from tens to hundreds of KB of the
// compressed binary (the budget is 0.9 MB gzip; make bench prints the size).
// The sidebar has its own small replacements: wire for JSON, stamp for time
// parsing, the browser's fetch for HTTP.
func TestSidebarLeavesOutHeavyPackages(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", "./wasm/cmd/sidebar")
	cmd.Dir = repoRoot(t)
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	deps := strings.Fields(string(out))
	for _, heavy := range []string{"fmt", "reflect", "encoding/json", "net/http", "net/url", "regexp", "math/big", "time/tzdata"} {
		if slices.Contains(deps, heavy) {
			t.Errorf("the sidebar links %s; find what imports it with: GOOS=js GOARCH=wasm go list -deps -f '{{.ImportPath}}: {{.Imports}}' ./wasm/cmd/sidebar", heavy)
		}
	}
}
