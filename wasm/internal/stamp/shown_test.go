package stamp

import "testing"

func TestShownDatesReadBack(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"2 Mar 2026", "2026-03-02"}, {"2 March 2026", "2026-03-02"}, {" 29 feb 2028 ", "2028-02-29"},
		{"10 Mar", "2026-03-10"}, {"2026-12-31", "2026-12-31"}, {"1 Dec, 2025", "2025-12-01"},
	} {
		got, ok := ReadShownDate(c.in, 2026)
		if !ok || got != c.want {
			t.Errorf("ReadShownDate(%q) = %q, %v; want %q", c.in, got, ok, c.want)
		}
		if ShowDate(got) == got {
			t.Errorf("ShowDate(%q) unchanged", got)
		}
		if back, _ := ReadShownDate(ShowDate(got), 2000); back != got {
			t.Errorf("%q shown as %q reads back as %q", got, ShowDate(got), back)
		}
	}
	for _, bad := range []string{"", "31 Feb 2026", "Mar 2026", "2 Foo 2026", "2 Mar 26", "0 Mar 2026", "2026-02-30"} {
		if got, ok := ReadShownDate(bad, 2026); ok {
			t.Errorf("ReadShownDate(%q) = %q, accepted", bad, got)
		}
	}
	if ShowDate("2026-03-02") != "2 Mar 2026" {
		t.Errorf("ShowDate = %q", ShowDate("2026-03-02"))
	}
}
