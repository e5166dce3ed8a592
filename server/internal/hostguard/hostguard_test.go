package hostguard

import "testing"

func TestAllows(t *testing.T) {
	p := ForPublicURL("https://Sidenote.Example.org:8443/base")
	for host, want := range map[string]bool{
		"127.0.0.1":                  true,
		"127.0.0.1:8080":             true,
		"localhost":                  true,
		"LocalHost:1":                true,
		"[::1]":                      true,
		"[::1]:8080":                 true,
		"sidenote.example.org":       true,
		"sidenote.example.org:443":   true,
		"":                           false,
		"::1":                        false, // an IPv6 Host needs brackets
		"127.0.0.2":                  false,
		"127.0.0.1:":                 false,
		"localhost:http":             false,
		"localhost.":                 false,
		"attacker.example":           false,
		"sidenote.example.org.evil":  false,
		"evil.sidenote.example.org":  false,
		"sidenote.example.org:8443x": false,
		"[::1]:80:80":                false,
	} {
		if got := p.Allows(host); got != want {
			t.Errorf("Allows(%q) = %v, want %v", host, got, want)
		}
	}
	if Loopback().Allows("sidenote.example.org") || !Loopback().Allows("localhost:6060") {
		t.Error("the loopback policy answers a public name, or not localhost")
	}
}
