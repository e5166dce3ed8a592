package api

import (
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sidenote/sidenote/server/internal/config"
	"github.com/sidenote/sidenote/server/internal/store/storetest"
	"github.com/sidenote/sidenote/shared/api"
)

// The buckets live in the database, on PostgreSQL shared by replicas (see
// the processtest package for two processes on one database). Two client
// addresses are two loopback addresses: dev login is refused behind a proxy,
// so X-Forwarded-For cannot stand in for them.
func TestSignInRateLimitPerIP(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, dbURL string) {
		ts := newTestServer(t, dbURL, map[string]string{
			"SIDENOTE_AUTH_RATE_LIMIT": "0.01", "SIDENOTE_AUTH_RATE_BURST": "3",
		})
		send := func(ip, method, path, body string) response {
			t.Helper()
			return sendFrom(t, ip, method, ts.http.URL+path, body)
		}
		login := func(ip string) response {
			return send(ip, http.MethodPost, "/api/v1/dev/login", `{"email":"r@example.org","name":"R"}`)
		}
		for i := range 3 {
			if res := login("127.0.0.7"); res.Status != http.StatusOK {
				t.Fatalf("login %d: %d %s", i, res.Status, res.Body)
			}
		}
		res := login("127.0.0.7")
		if res.Status != http.StatusTooManyRequests || res.Error().Code != api.CodeRateLimited {
			t.Fatalf("4th login: %d %s", res.Status, res.Body)
		}
		if secs, err := strconv.Atoi(res.Header.Get("Retry-After")); err != nil || secs < 1 || secs > 100 {
			t.Fatalf("Retry-After %q, want the seconds until the next request (about 100)", res.Header.Get("Retry-After"))
		}
		// The sign-in routes share the budget; another address has its own.
		if res := send("127.0.0.7", http.MethodGet, "/auth/providers", ""); res.Status != http.StatusTooManyRequests {
			t.Fatalf("/auth/providers from the limited address: %d", res.Status)
		}
		if res := login("127.0.0.9"); res.Status != http.StatusOK {
			t.Fatalf("login from another address: %d %s", res.Status, res.Body)
		}
	})
}

// sendFrom sends a request from the local address ip (any address of
// 127.0.0.0/8 is this machine's) and returns the response.
func sendFrom(t testing.TB, ip, method, rawURL, body string) response {
	t.Helper()
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	transport := &http.Transport{DialContext: dialer.DialContext}
	defer transport.CloseIdleConnections()
	req, err := http.NewRequest(method, rawURL, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := (&http.Client{Transport: transport}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{Status: res.StatusCode, Header: res.Header, Body: data}
}

func TestAPIRateLimitPerToken(t *testing.T) {
	ts := newTestServer(t, storetest.SQLiteURL(t), map[string]string{
		"SIDENOTE_API_RATE_LIMIT": "0.01", "SIDENOTE_API_RATE_BURST": "2",
	})
	a, b := ts.login("a@example.org"), ts.login("b@example.org")
	ts.do(a, http.MethodGet, "/api/v1/me", nil, http.StatusOK, nil)
	ts.do(a, http.MethodGet, "/api/v1/clients", nil, http.StatusOK, nil)
	res := ts.raw(a, http.MethodPost, "/api/v1/clients", `{"display_name":"Q","kind":"individual"}`)
	if res.Status != http.StatusTooManyRequests || res.Error().Code != api.CodeRateLimited || res.Header.Get("Retry-After") == "" {
		t.Fatalf("3rd request: %d %s %v", res.Status, res.Body, res.Header)
	}
	if n := countRows(t, ts.store, "clients"); n != 0 {
		t.Fatal("a rate-limited write went through")
	}
	ts.do(b, http.MethodGet, "/api/v1/me", nil, http.StatusOK, nil)
}

func TestKeyedLimiterEvictsOnlyFullBuckets(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	l := newKeyedLimiter(config.RateLimit{PerSecond: 0.01, Burst: 2}) // a request per 100 s
	l.now = func() time.Time { return now }
	for _, key := range []string{"a", "a", "b"} {
		if ok, _ := l.allow(key); !ok {
			t.Fatalf("%s refused within its burst", key)
		}
	}
	if ok, wait := l.allow("a"); ok || wait != 100*time.Second {
		t.Fatalf("a over its burst: allowed %v, wait %v", ok, wait)
	}
	// A minute on, a and b are still refilling: the sweep keeps them, so
	// a is still limited.
	now = now.Add(sweepEvery)
	l.allow("c")
	if n := l.size(); n != 3 {
		t.Fatalf("%d buckets after the first sweep, want 3", n)
	}
	if ok, wait := l.allow("a"); ok || wait != 40*time.Second {
		t.Fatalf("a after a minute: allowed %v, wait %v", ok, wait)
	}
	// Once full again they are dropped: a dropped bucket is exactly a
	// fresh one, so eviction never grants extra requests.
	now = now.Add(400 * time.Second)
	l.allow("d")
	if n := l.size(); n != 1 {
		t.Fatalf("%d buckets after the second sweep, want 1 (d)", n)
	}
}

func TestIPKeyGroupsIPv6By64(t *testing.T) {
	for ip, want := range map[string]string{
		"198.51.100.7":         "198.51.100.7",
		"::ffff:198.51.100.7":  "198.51.100.7",
		"2001:db8:1:2:3:4:5:6": "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff::1": "2001:db8:1:2::/64",
		"2001:db8:1:3::1":      "2001:db8:1:3::/64",
		"not an address":       "not an address",
	} {
		if got := ipKey(ip); got != want {
			t.Errorf("ipKey(%q) = %q, want %q", ip, got, want)
		}
	}
}
