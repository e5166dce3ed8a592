package config

import (
	"reflect"
	"strings"
	"testing"
)

func TestICEServers(t *testing.T) {
	c, err := load(map[string]string{"SIDENOTE_ICE_SERVERS": `[{"urls":"stun:stun.example.org:3478"},
		{"urls":["turn:turn.example.org:3478?transport=udp","turns:turn.example.org:5349"],"username":"sidenote","credential":"s3cret"}]`})
	if err != nil {
		t.Fatal(err)
	}
	want := []ICEServer{
		{URLs: []string{"stun:stun.example.org:3478"}},
		{URLs: []string{"turn:turn.example.org:3478?transport=udp", "turns:turn.example.org:5349"}, Username: "sidenote", Credential: "s3cret"},
	}
	if !reflect.DeepEqual(c.ICEServers, want) {
		t.Fatalf("ICE servers = %+v", c.ICEServers)
	}
	if c, err := load(nil); err != nil || c.ICEServers != nil {
		t.Fatalf("default ICE servers = %+v, %v; want none", c.ICEServers, err)
	}
	for _, bad := range []string{
		`{"urls":"stun:x"}`,                     // not an array
		`[{"urls":"https://turn.example.org"}]`, // wrong scheme
		`[{"urls":[]}]`,                         // no URL
		`[{"urls":"turn:turn.example.org"}]`,    // TURN without credentials
		`[{"urls":"stun:x","password":"p"}]`,    // unknown field
		`[{"urls":7}]`,                          // wrong type
		`[] []`,                                 // trailing text
	} {
		_, err := load(map[string]string{"SIDENOTE_ICE_SERVERS": bad})
		if err == nil || !strings.HasPrefix(err.Error(), "SIDENOTE_ICE_SERVERS: ") || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error %v, want one line naming SIDENOTE_ICE_SERVERS", bad, err)
		}
	}
}
