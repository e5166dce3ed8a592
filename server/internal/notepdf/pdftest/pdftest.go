// Package pdftest reads PDFs back in tests.
package pdftest

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Text extracts a PDF's text with poppler's pdftotext, in reading
// order, so tests check what a reader sees.
func Text(t testing.TB, pdf []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Fatal("pdftotext is missing: apt-get install poppler-utils")
	}
	path := filepath.Join(t.TempDir(), "note.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}
