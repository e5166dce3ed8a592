package store

import "testing"

func TestLabelScansKnownUnknownAndNull(t *testing.T) {
	var got string
	l := label{dst: &got}
	for _, c := range []struct {
		name  string
		scan  func() error
		want  string
		valid bool
	}{
		{"pgx known", func() error { return l.ScanBytes([]byte("telehealth")) }, "telehealth", true},
		{"pgx unknown", func() error { return l.ScanBytes([]byte("something_new")) }, "something_new", true},
		{"pgx empty", func() error { return l.ScanBytes([]byte{}) }, "", true},
		{"pgx NULL", func() error { return l.ScanBytes(nil) }, "", false},
		{"sql string", func() error { return l.Scan("signed") }, "signed", true},
		{"sql bytes", func() error { return l.Scan([]byte("couple")) }, "couple", true},
		{"sql NULL", func() error { return l.Scan(nil) }, "", false},
	} {
		got = "stale"
		if err := c.scan(); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got != c.want || l.Valid != c.valid {
			t.Errorf("%s: got %q valid %v, want %q valid %v", c.name, got, l.Valid, c.want, c.valid)
		}
		if p := l.optional(); (p != nil) != c.valid || (p != nil && *p != c.want) {
			t.Errorf("%s: optional() = %v", c.name, p)
		}
	}
	if err := l.Scan(42); err == nil {
		t.Error("an integer scanned into a label")
	}
}

// The point of a label: a known value, arriving as wire bytes, costs no
// allocation, and an unknown one is copied (the wire buffer is reused).
func TestLabelKnownValueDoesNotAllocate(t *testing.T) {
	var got string
	l := label{dst: &got}
	wire := []byte("awaiting_transcript")
	if n := testing.AllocsPerRun(100, func() { _ = l.ScanBytes(wire) }); n != 0 {
		t.Errorf("known label: %v allocations per scan, want 0", n)
	}
	wire = []byte("unknown_status")
	_ = l.ScanBytes(wire)
	wire[0] = 'X'
	if got != "unknown_status" {
		t.Errorf("unknown label shares the wire buffer: %q", got)
	}
}
