// Command precompress writes, beside each compressible file under the given
// directories, a gzip (best compression) and a brotli (quality 11) copy:
// sidebar.wasm.gz and sidebar.wasm.br next to sidebar.wasm. The server
// sends one of them to a browser that accepts that encoding (see
// server/internal/api/static.go), so /app costs what the compressed
// sidebar weighs, not 3.6 MB, and nothing is compressed per request.
//
// Each copy gets its file's modification time: the server ignores a copy
// older than its file (a stale build), and a later run skips a file whose
// copies already carry its time. A copy that would save under 5 % is not
// written (and an earlier one is removed), so the server sends the file.
//
//	go run ./internal/cmd/precompress wasm/web
package main

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/andybalholm/brotli"
)

// compressible are the extensions worth compressing; images and fonts
// are compressed already.
var compressible = map[string]bool{
	".wasm": true, ".js": true, ".mjs": true, ".css": true, ".html": true,
	".json": true, ".svg": true, ".txt": true, ".map": true,
}

// encodings are the copies written, by file suffix.
var encodings = []struct {
	suffix   string
	compress func(w io.Writer, data []byte) error
}{
	{".gz", func(w io.Writer, data []byte) error {
		zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
		if err != nil {
			return err
		}
		if _, err := zw.Write(data); err != nil {
			return err
		}
		return zw.Close()
	}},
	{".br", func(w io.Writer, data []byte) error {
		// A 16 MB window (the largest browsers decode) lets matches
		// reach across the whole sidebar.wasm.
		bw := brotli.NewWriterOptions(w, brotli.WriterOptions{Quality: brotli.BestCompression, LGWin: 24})
		if _, err := bw.Write(data); err != nil {
			return err
		}
		return bw.Close()
	}},
}

// worthIt is the largest compressed size, as a fraction of the file's, that
// is kept.
const worthIt = 0.95

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: precompress DIR...")
		os.Exit(2)
	}
	for _, dir := range os.Args[1:] {
		if err := precompressDir(dir); err != nil {
			fmt.Fprintln(os.Stderr, "precompress:", err)
			os.Exit(1)
		}
	}
}

func precompressDir(dir string) error {
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !d.Type().IsRegular() {
			return err
		}
		if !compressible[strings.ToLower(filepath.Ext(path))] {
			return nil
		}
		return precompressFile(path)
	})
}

// precompressFile writes path's copies, unless they are up to date.
func precompressFile(path string) error {
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	if upToDate(path, info.ModTime()) {
		return nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	sizes := []string{fmt.Sprintf("%d raw", len(data))}
	for _, e := range encodings {
		var buf bytes.Buffer
		if err := e.compress(&buf, data); err != nil {
			return fmt.Errorf("%s%s: %w", path, e.suffix, err)
		}
		if float64(buf.Len()) > worthIt*float64(len(data)) {
			if err := os.Remove(path + e.suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
			sizes = append(sizes, e.suffix[1:]+" not worth it")
			continue
		}
		if err := writeCopy(path+e.suffix, buf.Bytes(), info.ModTime()); err != nil {
			return err
		}
		sizes = append(sizes, fmt.Sprintf("%d %s", buf.Len(), e.suffix[1:]))
	}
	fmt.Printf("precompress: %s: %s\n", path, strings.Join(sizes, ", "))
	return nil
}

// upToDate reports whether every copy of path exists with path's time. A
// file whose copies were not worth writing is compressed again each run;
// they are small.
func upToDate(path string, mod time.Time) bool {
	for _, e := range encodings {
		info, err := os.Stat(path + e.suffix)
		if err != nil || !info.ModTime().Equal(mod) {
			return false
		}
	}
	return true
}

// writeCopy writes data to name through a temporary file, so a server never
// sends half a copy, and gives it the time mod.
func writeCopy(name string, data []byte, mod time.Time) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after the rename, there is nothing to remove
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	if err := os.Chtimes(tmp.Name(), mod, mod); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}
