package api

import (
	"bytes"
	"compress/gzip"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/andybalholm/brotli"

	"github.com/sidenote/sidenote/server/internal/store/storetest"
)

func TestAcceptedEncodings(t *testing.T) {
	for _, tc := range []struct {
		header string
		want   []string
	}{
		{"", nil},
		{"br", []string{"br"}},
		{"gzip", []string{"gzip"}},
		{"x-gzip", []string{"gzip"}},
		{"gzip, deflate, br, zstd", []string{"br", "gzip"}}, // Chromium's, over HTTPS
		{"gzip, deflate", []string{"gzip"}},                 // Chromium's, over HTTP
		{"GZIP, BR", []string{"br", "gzip"}},
		{"gzip;q=1.0, br;q=0.8", []string{"gzip", "br"}},
		{"br;q=0.5, gzip;q=0.9", []string{"gzip", "br"}},
		{"br;q=0.5,gzip;q=0.5", []string{"br", "gzip"}},
		{" br ; q=0.7 , gzip ; Q=0.3 ", []string{"br", "gzip"}},
		{"br;q=0, gzip", []string{"gzip"}},
		{"br;q=0, gzip;q=0", nil},
		{"br;q=0.000, gzip;q=0.001", []string{"gzip"}},
		{"identity", nil},
		{"deflate, zstd", nil},
		{"*", []string{"br", "gzip"}},
		{"*;q=0", nil},
		{"*;q=0.5, gzip", []string{"gzip", "br"}},
		{"*, br;q=0", []string{"gzip"}},
		{"*;q=0, br", []string{"br"}},
		{"gzip;q=0.5", []string{"gzip"}},                 // identity unnamed: acceptable, not preferred
		{"gzip;q=0.5, identity", nil},                    // identity preferred
		{"gzip;q=0.5, identity;q=0.5", []string{"gzip"}}, // a tie goes to the smaller body
		{"br;q=0.4, gzip;q=0.9, identity;q=0.5", []string{"gzip"}},
		{"br;q=2", nil}, // out of range: ignored
		{"br;q=abc, gzip", []string{"gzip"}},
		{"br;q=-1", nil},
		{"br;level=5", []string{"br"}}, // other parameters do not matter
		{",,;q=1,", nil},
	} {
		if got := acceptedEncodings(tc.header); !slices.Equal(got, tc.want) {
			t.Errorf("Accept-Encoding %q: %q, want %q", tc.header, got, tc.want)
		}
	}
}

// webDir is a sidebar build in a temporary directory, with the copies
// internal/cmd/precompress writes.
type webDir struct {
	dir      string
	wasm     []byte // sidebar.wasm
	br, gz   []byte // its copies
	modified time.Time
}

func newWebDir(t *testing.T) *webDir {
	t.Helper()
	w := &webDir{dir: t.TempDir(), modified: time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)}
	// Compressible like a program: words from a small vocabulary.
	rng := rand.New(rand.NewPCG(1, 2))
	words := []string{"local.get", "i32.add", "call $runtime.", "br_if", "memory.grow", "\x00\x01\x02", "syscall/js.Value"}
	var b bytes.Buffer
	b.WriteString("\x00asm\x01\x00\x00\x00")
	for b.Len() < 200_000 {
		b.WriteString(words[rng.IntN(len(words))])
		b.WriteByte(byte(rng.IntN(256)))
	}
	w.wasm = b.Bytes()
	w.gz, w.br = gzipBytes(t, w.wasm), brotliBytes(t, w.wasm)
	w.write(t, "sidebar.wasm", w.wasm)
	w.write(t, "sidebar.wasm.gz", w.gz)
	w.write(t, "sidebar.wasm.br", w.br)
	index := []byte("<!doctype html><title>Sidenote</title><script src=\"boot.js\"></script>" + strings.Repeat("<!-- padding -->", 20))
	w.write(t, "index.html", index)
	w.write(t, "index.html.br", brotliBytes(t, index))
	w.write(t, "app.css", []byte(strings.Repeat("main { display: grid; }\n", 100))) // no copies
	if err := os.Mkdir(filepath.Join(w.dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	w.write(t, "sub/secret-listing.js", []byte("1"))
	return w
}

func (w *webDir) write(t *testing.T, name string, data []byte) {
	t.Helper()
	p := filepath.Join(w.dir, filepath.FromSlash(name))
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	w.touch(t, name, w.modified)
}

func (w *webDir) touch(t *testing.T, name string, when time.Time) {
	t.Helper()
	if err := os.Chtimes(filepath.Join(w.dir, filepath.FromSlash(name)), when, when); err != nil {
		t.Fatal(err)
	}
}

func gzipBytes(t *testing.T, data []byte) []byte {
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func brotliBytes(t *testing.T, data []byte) []byte {
	var b bytes.Buffer
	bw := brotli.NewWriterLevel(&b, brotli.BestCompression)
	if _, err := bw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := bw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// fetch sends a request with exactly the headers given (header, value, ...):
// the transport neither adds Accept-Encoding nor decompresses.
func fetch(t *testing.T, ts *testServer, method, path string, header ...string) response {
	t.Helper()
	req, err := http.NewRequest(method, ts.http.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	client := &http.Client{
		Transport:     &http.Transport{DisableCompression: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{Status: res.StatusCode, Header: res.Header, Body: body}
}

// decoded is the body of res with its Content-Encoding undone.
func decoded(t *testing.T, res response) []byte {
	t.Helper()
	var r io.Reader
	switch enc := res.Header.Get("Content-Encoding"); enc {
	case "":
		return res.Body
	case "br":
		r = brotli.NewReader(bytes.NewReader(res.Body))
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(res.Body))
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	default:
		t.Fatalf("Content-Encoding %q", enc)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("decoding %s: %v", res.Header.Get("Content-Encoding"), err)
	}
	return b
}

func varies(res response) bool {
	for _, v := range res.Header.Values("Vary") {
		for f := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(f), "Accept-Encoding") {
				return true
			}
		}
	}
	return false
}

func TestAppServesPrecompressedFiles(t *testing.T) {
	web := newWebDir(t)
	ts := newTestServer(t, storetest.SQLiteURL(t), map[string]string{"SIDENOTE_WEB_DIR": web.dir})

	for _, tc := range []struct {
		accept   string // "-" for no Accept-Encoding at all
		encoding string
		body     []byte
	}{
		{"-", "", web.wasm},
		{"gzip, deflate, br, zstd", "br", web.br},
		{"gzip, deflate", "gzip", web.gz},
		{"br;q=0.5, gzip", "gzip", web.gz},
		{"br, gzip;q=0", "br", web.br},
		{"br;q=0, gzip;q=0", "", web.wasm},
		{"identity", "", web.wasm},
		{"deflate", "", web.wasm},
		{"*", "br", web.br},
		{"*;q=0, identity", "", web.wasm},
	} {
		t.Run(tc.accept, func(t *testing.T) {
			var h []string
			if tc.accept != "-" {
				h = []string{"Accept-Encoding", tc.accept}
			}
			res := fetch(t, ts, http.MethodGet, "/app/sidebar.wasm", h...)
			if res.Status != http.StatusOK {
				t.Fatalf("%d %s", res.Status, res.Body)
			}
			if got := res.Header.Get("Content-Encoding"); got != tc.encoding {
				t.Errorf("Content-Encoding %q, want %q", got, tc.encoding)
			}
			if got := res.Header.Get("Content-Type"); got != "application/wasm" {
				t.Errorf("Content-Type %q, want application/wasm", got)
			}
			if got := res.Header.Get("Content-Length"); got != strconv.Itoa(len(tc.body)) {
				t.Errorf("Content-Length %s, want %d", got, len(tc.body))
			}
			if !varies(res) {
				t.Errorf("Vary %q lacks Accept-Encoding", res.Header.Values("Vary"))
			}
			if !bytes.Equal(res.Body, tc.body) {
				t.Errorf("body of %d bytes is not the expected %d", len(res.Body), len(tc.body))
			}
			if !bytes.Equal(decoded(t, res), web.wasm) {
				t.Error("the body does not decode to sidebar.wasm")
			}
			checkPageHeaders(t, "/app/sidebar.wasm", res)
		})
	}

	t.Run("HEAD", func(t *testing.T) {
		res := fetch(t, ts, http.MethodHead, "/app/sidebar.wasm", "Accept-Encoding", "gzip, br")
		if res.Status != http.StatusOK || res.Header.Get("Content-Encoding") != "br" || len(res.Body) != 0 ||
			res.Header.Get("Content-Length") != strconv.Itoa(len(web.br)) || res.Header.Get("Content-Type") != "application/wasm" {
			t.Errorf("HEAD: %d, %q, %s bytes said, %d sent, %q", res.Status, res.Header.Get("Content-Encoding"),
				res.Header.Get("Content-Length"), len(res.Body), res.Header.Get("Content-Type"))
		}
		raw := fetch(t, ts, http.MethodHead, "/app/sidebar.wasm")
		if raw.Status != http.StatusOK || raw.Header.Get("Content-Encoding") != "" || raw.Header.Get("Content-Length") != strconv.Itoa(len(web.wasm)) {
			t.Errorf("HEAD without Accept-Encoding: %d, %q, %s bytes", raw.Status, raw.Header.Get("Content-Encoding"), raw.Header.Get("Content-Length"))
		}
	})

	t.Run("Range is of the file", func(t *testing.T) {
		res := fetch(t, ts, http.MethodGet, "/app/sidebar.wasm", "Accept-Encoding", "br, gzip", "Range", "bytes=4-11")
		if res.Status != http.StatusPartialContent || res.Header.Get("Content-Encoding") != "" || !bytes.Equal(res.Body, web.wasm[4:12]) {
			t.Errorf("Range: %d, Content-Encoding %q, body %q, want %q", res.Status, res.Header.Get("Content-Encoding"), res.Body, web.wasm[4:12])
		}
	})

	t.Run("validators", func(t *testing.T) {
		br := fetch(t, ts, http.MethodGet, "/app/sidebar.wasm", "Accept-Encoding", "br")
		gz := fetch(t, ts, http.MethodGet, "/app/sidebar.wasm", "Accept-Encoding", "gzip")
		raw := fetch(t, ts, http.MethodGet, "/app/sidebar.wasm")
		tags := []string{br.Header.Get("ETag"), gz.Header.Get("ETag"), raw.Header.Get("ETag")}
		if tags[0] == "" || tags[0] == tags[1] || tags[1] == tags[2] || tags[0] == tags[2] || strings.HasPrefix(tags[0], "W/") {
			t.Fatalf("ETags of br, gzip, raw: %q: want three distinct strong tags", tags)
		}
		if lm := br.Header.Get("Last-Modified"); lm != web.modified.Format(http.TimeFormat) || raw.Header.Get("Last-Modified") != lm {
			t.Errorf("Last-Modified br %q, raw %q, want the file's %s", lm, raw.Header.Get("Last-Modified"), web.modified.Format(http.TimeFormat))
		}
		same := fetch(t, ts, http.MethodGet, "/app/sidebar.wasm", "Accept-Encoding", "br", "If-None-Match", tags[0])
		if same.Status != http.StatusNotModified || len(same.Body) != 0 || !varies(same) || same.Header.Get("ETag") != tags[0] {
			t.Errorf("If-None-Match of the br copy: %d, %d bytes, Vary %q, ETag %q", same.Status, len(same.Body), same.Header.Values("Vary"), same.Header.Get("ETag"))
		}
		// The br tag does not validate the gzip or the plain body.
		for _, ae := range []string{"gzip", "identity"} {
			other := fetch(t, ts, http.MethodGet, "/app/sidebar.wasm", "Accept-Encoding", ae, "If-None-Match", tags[0])
			if other.Status != http.StatusOK || !bytes.Equal(decoded(t, other), web.wasm) {
				t.Errorf("If-None-Match of the br copy, Accept-Encoding %s: %d", ae, other.Status)
			}
		}
		rawSame := fetch(t, ts, http.MethodGet, "/app/sidebar.wasm", "If-None-Match", tags[2])
		if rawSame.Status != http.StatusNotModified {
			t.Errorf("If-None-Match of the file: %d", rawSame.Status)
		}
		since := fetch(t, ts, http.MethodGet, "/app/sidebar.wasm", "Accept-Encoding", "gzip", "If-Modified-Since", br.Header.Get("Last-Modified"))
		if since.Status != http.StatusNotModified {
			t.Errorf("If-Modified-Since: %d", since.Status)
		}
	})

	t.Run("index.html", func(t *testing.T) {
		res := fetch(t, ts, http.MethodGet, "/app/", "Accept-Encoding", "gzip, br")
		if res.Status != http.StatusOK || res.Header.Get("Content-Encoding") != "br" || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") ||
			!strings.Contains(string(decoded(t, res)), "<title>Sidenote</title>") {
			t.Errorf("/app/: %d, %q, %q", res.Status, res.Header.Get("Content-Encoding"), res.Header.Get("Content-Type"))
		}
		checkPageHeaders(t, "/app/ in br", res)
		// No gzip copy of index.html: the file as it is.
		gz := fetch(t, ts, http.MethodGet, "/app/", "Accept-Encoding", "gzip")
		if gz.Status != http.StatusOK || gz.Header.Get("Content-Encoding") != "" || !strings.Contains(string(gz.Body), "<title>Sidenote</title>") {
			t.Errorf("/app/ with gzip only: %d, %q", gz.Status, gz.Header.Get("Content-Encoding"))
		}
		redirect := fetch(t, ts, http.MethodGet, "/app", "Accept-Encoding", "br")
		if redirect.Status != http.StatusMovedPermanently || redirect.Header.Get("Location") != "/app/" {
			t.Errorf("/app: %d to %q", redirect.Status, redirect.Header.Get("Location"))
		}
		direct := fetch(t, ts, http.MethodGet, "/app/index.html", "Accept-Encoding", "br")
		if direct.Status != http.StatusMovedPermanently || direct.Header.Get("Content-Encoding") != "" {
			t.Errorf("/app/index.html: %d, %q (http.FileServer redirects it to ./)", direct.Status, direct.Header.Get("Content-Encoding"))
		}
	})

	t.Run("no copy", func(t *testing.T) {
		res := fetch(t, ts, http.MethodGet, "/app/app.css", "Accept-Encoding", "br, gzip")
		if res.Status != http.StatusOK || res.Header.Get("Content-Encoding") != "" || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/css") ||
			!strings.HasPrefix(string(res.Body), "main {") {
			t.Errorf("app.css: %d, %q, %q", res.Status, res.Header.Get("Content-Encoding"), res.Header.Get("Content-Type"))
		}
	})

	t.Run("the copies are not addressable", func(t *testing.T) {
		for _, p := range []string{"/app/sidebar.wasm.br", "/app/sidebar.wasm.gz", "/app/index.html.br"} {
			if res := fetch(t, ts, http.MethodGet, p, "Accept-Encoding", "br, gzip"); res.Status != http.StatusNotFound {
				t.Errorf("%s: %d, want 404", p, res.Status)
			}
		}
		if res := fetch(t, ts, http.MethodGet, "/app/missing.wasm", "Accept-Encoding", "br, gzip"); res.Status != http.StatusNotFound {
			t.Errorf("a missing file: %d", res.Status)
		}
	})

	t.Run("no directory listing", func(t *testing.T) {
		res := fetch(t, ts, http.MethodGet, "/app/sub/", "Accept-Encoding", "br, gzip")
		if strings.Contains(string(decoded(t, res)), "secret-listing") {
			t.Errorf("/app/sub/ lists its files: %d %s", res.Status, res.Body)
		}
		if res := fetch(t, ts, http.MethodGet, "/app/sub/secret-listing.js", "Accept-Encoding", "br"); res.Status != http.StatusOK || string(res.Body) != "1" {
			t.Errorf("a file in a subdirectory: %d %q", res.Status, res.Body)
		}
	})

	// Last: a rebuilt sidebar.wasm, newer than its copies (a build that
	// did not precompress). Each stale copy is passed over.
	t.Run("stale copies", func(t *testing.T) {
		web.touch(t, "sidebar.wasm.br", web.modified.Add(-time.Minute))
		res := fetch(t, ts, http.MethodGet, "/app/sidebar.wasm", "Accept-Encoding", "br, gzip")
		if res.Header.Get("Content-Encoding") != "gzip" || !bytes.Equal(decoded(t, res), web.wasm) {
			t.Errorf("stale br, fresh gzip: Content-Encoding %q", res.Header.Get("Content-Encoding"))
		}
		web.touch(t, "sidebar.wasm.gz", web.modified.Add(-time.Second))
		res = fetch(t, ts, http.MethodGet, "/app/sidebar.wasm", "Accept-Encoding", "br, gzip")
		if res.Status != http.StatusOK || res.Header.Get("Content-Encoding") != "" || !bytes.Equal(res.Body, web.wasm) || !varies(res) {
			t.Errorf("both stale: %d, Content-Encoding %q, %d bytes", res.Status, res.Header.Get("Content-Encoding"), len(res.Body))
		}
		// A copy newer than its file is up to date.
		web.touch(t, "sidebar.wasm.br", web.modified.Add(time.Minute))
		if res := fetch(t, ts, http.MethodGet, "/app/sidebar.wasm", "Accept-Encoding", "br, gzip"); res.Header.Get("Content-Encoding") != "br" {
			t.Errorf("a newer br copy: Content-Encoding %q", res.Header.Get("Content-Encoding"))
		}
		// A missing copy: the next acceptable one, else the file.
		if err := os.Remove(filepath.Join(web.dir, "sidebar.wasm.br")); err != nil {
			t.Fatal(err)
		}
		if res := fetch(t, ts, http.MethodGet, "/app/sidebar.wasm", "Accept-Encoding", "br"); res.Header.Get("Content-Encoding") != "" || !bytes.Equal(res.Body, web.wasm) {
			t.Errorf("no br copy: Content-Encoding %q", res.Header.Get("Content-Encoding"))
		}
	})
}
