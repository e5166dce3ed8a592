package api

import "testing"

func TestEscapesNUL(t *testing.T) {
	for body, want := range map[string]bool{
		`{"text":"a\u0000b"}`:     true,
		`{"text":"\\\u0000"}`:     true,  // escaped backslash, then the escape
		`{"text":"\\u0000"}`:      false, // escaped backslash, then plain text
		`{"text":"\\\\u0000"}`:    false,
		`{"text":"u0000"}`:        false,
		`{"text":"\u00001"}`:      true,
		`{"text":"\u0001"}`:       false,
		`{"a":"\\","b":"\u0000"}`: true,
	} {
		if got := escapesNUL([]byte(body)); got != want {
			t.Errorf("escapesNUL(%s) = %v, want %v", body, got, want)
		}
	}
}
