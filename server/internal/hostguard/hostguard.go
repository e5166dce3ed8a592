// Package hostguard refuses requests whose Host header names a host this
// server does not serve. A web page on a rebinding domain (one that first
// resolves to the attacker, then to 127.0.0.1) is same-origin with itself,
// so without this check it could reach a local Sidenote's dev login and read
// everything. Only the configured public host and the loopback names, which
// no outside page can control, are accepted.
package hostguard

import (
	"net"
	"net/http"
	"net/url"
	"strings"
)

// Policy says which Host headers a listener answers.
type Policy struct {
	public string // lowercase host name of SIDENOTE_PUBLIC_URL, "" for none
}

// Loopback accepts the loopback names only (127.0.0.1, [::1], localhost,
// with any port): the policy of the profiling listener.
func Loopback() Policy { return Policy{} }

// ForPublicURL accepts the host of publicURL and the loopback names. The
// port is not compared: a rebinding page needs a host name of its own, and a
// proxy may or may not forward the public port.
func ForPublicURL(publicURL string) Policy {
	u, err := url.Parse(publicURL)
	if err != nil {
		return Policy{}
	}
	return Policy{public: strings.ToLower(u.Hostname())}
}

// Allows reports whether a request with this Host header may be served.
func (p Policy) Allows(hostHeader string) bool {
	name, ok := hostName(hostHeader)
	if !ok {
		return false
	}
	switch name {
	case "127.0.0.1", "::1", "localhost":
		return true
	}
	return p.public != "" && name == p.public
}

// hostName takes the lowercase name out of a Host header ("name",
// "name:port", "[v6]" or "[v6]:port"); ok is false for a malformed one.
func hostName(h string) (string, bool) {
	if h == "" {
		return "", false
	}
	name := h
	if host, port, err := net.SplitHostPort(h); err == nil {
		if !digits(port) {
			return "", false
		}
		name = host
	} else if strings.HasPrefix(h, "[") && strings.HasSuffix(h, "]") {
		name = h[1 : len(h)-1]
	} else if strings.Contains(h, ":") {
		return "", false
	}
	return strings.ToLower(name), true
}

func digits(s string) bool {
	if s == "" || len(s) > 5 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// Message explains a refusal to whoever reads it.
const Message = "This server does not answer to that host name. Use the address Sidenote is configured with (SIDENOTE_PUBLIC_URL) or a loopback address."

// refusalPage is the short page shown outside the JSON API.
const refusalPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Wrong address</title></head>
<body><h1>Wrong address</h1><p>` + Message + `</p></body></html>
`

// WriteRefusal answers 421 Misdirected Request with the short page.
func WriteRefusal(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusMisdirectedRequest)
	_, _ = w.Write([]byte(refusalPage))
}

// Handler serves next only for requests p allows.
func (p Policy) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !p.Allows(r.Host) {
			WriteRefusal(w)
			return
		}
		next.ServeHTTP(w, r)
	})
}
