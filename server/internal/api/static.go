package api

import (
	"io/fs"
	"mime"
	"net/http"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
)

// Precompressed files. `make wasm` writes beside each of the sidebar's files
// a gzip and a brotli copy (internal/cmd/precompress): sidebar.wasm.gz and
// sidebar.wasm.br beside sidebar.wasm. precompressed sends the copy the
// browser accepts instead of the file, so /app weighs about 0.66 MB over the
// wire rather than 3.6 MB, and the server compresses nothing per request.
//
// Why by hand, not lpar/gzipped or vearutop/statigz (their source read):
// neither is among the modules this project may take, and neither fits.
// Neither ignores a copy older than its file (a rebuilt sidebar.wasm beside
// last build's .br); both answer a Range request with bytes of the
// compressed copy. gzipped answers a directory (/app/) with 404; statigz
// reads the directory once at start, chooses by substring ("br;q=0" still
// gets br) and by smallest file rather than by q-value.

// precomputedEncodings are the copies looked for, by Content-Encoding, in
// the server's order of preference when the browser weighs them equally.
var precomputedEncodings = []struct{ coding, suffix string }{
	{"br", ".br"},
	{"gzip", ".gz"},
}

// precompressed is the middleware of the /app static files under root.
// For a GET or HEAD of a file with a MIME type it answers itself, from the
// one handle it opens: with the up-to-date copy in the encoding the
// request's Accept-Encoding prefers (Content-Encoding, the file's own
// Content-Type, application/wasm, which WebAssembly.instantiateStreaming
// insists on, and the copy's length), else, or for a Range request, with
// the file as it is; either way with Vary: Accept-Encoding. Everything
// else (directories, missing files, unknown types, the redirects of
// /index.html) goes on to the plain file server. The copies themselves
// are not addressable: a request for sidebar.wasm.gz is answered 404.
func precompressed(root http.FileSystem) gin.HandlerFunc {
	return func(c *gin.Context) {
		param := c.Param("filepath")
		if param == "" { // the /app redirect
			c.Next()
			return
		}
		name := path.Clean("/" + param)
		for _, e := range precomputedEncodings {
			if base, ok := strings.CutSuffix(name, e.suffix); ok && isRegular(root, base) {
				notFound(c)
				c.Abort()
				return
			}
		}
		// http.FileServer answers /index.html with a redirect to ./ and
		// the directory with its index.html: serve that one here.
		if strings.HasSuffix(name, "/index.html") {
			c.Next()
			return
		}
		if strings.HasSuffix(param, "/") {
			name = path.Join(name, "index.html")
		}
		ctype := mime.TypeByExtension(path.Ext(name))
		if ctype == "" {
			c.Next()
			return
		}
		f, err := root.Open(name)
		if err != nil {
			c.Next()
			return
		}
		info, err := f.Stat()
		if err != nil || !info.Mode().IsRegular() {
			f.Close()
			c.Next()
			return
		}
		defer f.Close()
		c.Abort() // answered here
		h := c.Writer.Header()
		h.Add("Vary", "Accept-Encoding")
		h.Set("Content-Type", ctype)
		// Ranges are of the file, never of a compressed copy.
		if c.Request.Header.Get("Range") == "" && serveCopy(c, root, name, info) {
			return
		}
		h.Set("ETag", etag(info, ""))
		http.ServeContent(c.Writer, c.Request, name, info.ModTime(), f)
	}
}

// serveCopy answers with the up-to-date copy of the file name (described
// by info) that the request's Accept-Encoding prefers, if there is one.
func serveCopy(c *gin.Context, root http.FileSystem, name string, info fs.FileInfo) bool {
	for _, coding := range acceptedEncodings(c.Request.Header.Get("Accept-Encoding")) {
		suffix := encodingSuffix(coding)
		f, err := root.Open(name + suffix)
		if err != nil {
			continue
		}
		copyInfo, err := f.Stat()
		if err != nil || !copyInfo.Mode().IsRegular() || copyInfo.ModTime().Before(info.ModTime()) {
			f.Close() // missing, or older than the file: a stale build
			continue
		}
		h := c.Writer.Header()
		h.Set("Content-Encoding", coding)
		h.Set("ETag", etag(info, suffix))
		// ServeContent leaves Content-Length out when Content-Encoding is
		// set (it expects compression on the fly); the copy's size is
		// known. It drops the header again on a 304.
		h.Set("Content-Length", strconv.FormatInt(copyInfo.Size(), 10))
		http.ServeContent(c.Writer, c.Request, name, info.ModTime(), f)
		f.Close()
		return true
	}
	return false
}

func encodingSuffix(coding string) string {
	for _, e := range precomputedEncodings {
		if e.coding == coding {
			return e.suffix
		}
	}
	return ""
}

func isRegular(root http.FileSystem, name string) bool {
	f, err := root.Open(name)
	if err != nil {
		return false
	}
	defer f.Close()
	info, err := f.Stat()
	return err == nil && info.Mode().IsRegular()
}

// etag is a strong validator of the file described by info, sent as is
// (suffix "") or in the encoding of suffix: each representation has its own.
func etag(info fs.FileInfo, suffix string) string {
	return `"` + strconv.FormatInt(info.ModTime().UnixNano(), 36) + "-" +
		strconv.FormatInt(info.Size(), 36) + strings.ReplaceAll(suffix, ".", "-") + `"`
}

// acceptedEncodings returns the precomputed encodings that an
// Accept-Encoding header value takes, best first (RFC 9110 §12.5.3): by
// q-value, br before gzip at equal q. "*" stands for any coding not named;
// q=0 refuses one. An encoding is left out when identity (named, or through
// "*") has a higher q: the client would rather have the file as it is.
// Unnamed, identity is acceptable but preferred to nothing. Entries with a
// malformed q are ignored.
func acceptedEncodings(header string) []string {
	weights := map[string]float64{}
	for part := range strings.SplitSeq(header, ",") {
		coding, params, _ := strings.Cut(part, ";")
		coding = strings.ToLower(strings.TrimSpace(coding))
		if coding == "" {
			continue
		}
		if coding == "x-gzip" {
			coding = "gzip"
		}
		q, ok := qValue(params)
		if !ok {
			continue
		}
		weights[coding] = q
	}
	weight := func(coding string) (float64, bool) {
		if q, ok := weights[coding]; ok {
			return q, true
		}
		q, ok := weights["*"]
		return q, ok
	}
	identity, _ := weight("identity")
	type candidate struct {
		coding string
		q      float64
	}
	var out []candidate
	for _, e := range precomputedEncodings {
		if q, _ := weight(e.coding); q > 0 && q >= identity {
			out = append(out, candidate{e.coding, q})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].q > out[j].q })
	codings := make([]string, len(out))
	for i, c := range out {
		codings[i] = c.coding
	}
	return codings
}

// qValue reads the q parameter of an Accept-Encoding entry's parameters
// (";q=0.5"): 1 when absent, false when malformed or out of [0, 1].
func qValue(params string) (float64, bool) {
	q := 1.0
	for p := range strings.SplitSeq(params, ";") {
		k, v, _ := strings.Cut(p, "=")
		if !strings.EqualFold(strings.TrimSpace(k), "q") {
			continue
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || !(f >= 0 && f <= 1) {
			return 0, false
		}
		q = f
	}
	return q, true
}
