package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
)

func TestPrecompressDir(t *testing.T) {
	dir := t.TempDir()
	mod := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	write := func(name string, data []byte) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, mod, mod); err != nil {
			t.Fatal(err)
		}
	}
	css := []byte(strings.Repeat(".s-list li { padding: 4px 8px; }\n", 200))
	noise := make([]byte, 4096) // does not compress
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range noise {
		noise[i] = byte(rng.Uint32())
	}
	write("app.css", css)
	write("nested/boot.js", css)
	write("noise.js", noise)
	write("noise.js.br", []byte("a copy from an earlier build"))
	write("logo.png", css) // not a compressible type

	if err := precompressDir(dir); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"app.css", "nested/boot.js"} {
		p := filepath.Join(dir, name)
		for suffix, open := range map[string]func(io.Reader) (io.Reader, error){
			".gz": func(r io.Reader) (io.Reader, error) { return gzip.NewReader(r) },
			".br": func(r io.Reader) (io.Reader, error) { return brotli.NewReader(r), nil },
		} {
			data, err := os.ReadFile(p + suffix)
			if err != nil {
				t.Fatal(err)
			}
			r, err := open(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(r)
			if err != nil || !bytes.Equal(got, css) {
				t.Errorf("%s%s does not decode to the file (%v)", name, suffix, err)
			}
			if len(data) >= len(css)/4 {
				t.Errorf("%s%s: %d bytes of %d", name, suffix, len(data), len(css))
			}
			info, err := os.Stat(p + suffix)
			if err != nil {
				t.Fatal(err)
			}
			if !info.ModTime().Equal(mod) {
				t.Errorf("%s%s: modified %v, want the file's %v", name, suffix, info.ModTime(), mod)
			}
		}
	}
	for _, name := range []string{"noise.js.gz", "noise.js.br", "logo.png.gz", "logo.png.br"} {
		if _, err := os.Stat(filepath.Join(dir, name)); !os.IsNotExist(err) {
			t.Errorf("%s exists (%v): not worth writing", name, err)
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}

	// Up to date: a second run leaves the copies alone.
	if err := os.WriteFile(filepath.Join(dir, "app.css.br"), []byte("marker"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(filepath.Join(dir, "app.css.br"), mod, mod); err != nil {
		t.Fatal(err)
	}
	if err := precompressDir(dir); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "app.css.br")); string(b) != "marker" {
		t.Error("an up-to-date copy was written again")
	}
	// A rebuilt file gets new copies with its new time.
	later := mod.Add(time.Hour)
	if err := os.Chtimes(filepath.Join(dir, "app.css"), later, later); err != nil {
		t.Fatal(err)
	}
	if err := precompressDir(dir); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(filepath.Join(dir, "app.css.br"))
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "app.css.br")); string(b) == "marker" || !info.ModTime().Equal(later) {
		t.Errorf("after a rebuild: copy %q..., modified %v", b[:min(len(b), 8)], info.ModTime())
	}
}
