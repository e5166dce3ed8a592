package app

import (
	"strings"
	"testing"
)

func join(parts []DiffPart, skip DiffOp) string {
	var b strings.Builder
	for _, p := range parts {
		if p.Op != skip {
			b.WriteString(p.Text)
		}
	}
	return b.String()
}

func TestWordDiffMarksChangedWords(t *testing.T) {
	older := "Client reports sleeping better since the last session."
	newer := "Client reports sleeping much better since the session in March."
	parts := WordDiff(older, newer)
	var got []string
	for _, p := range parts {
		switch p.Op {
		case DiffAdded:
			got = append(got, "+["+p.Text+"]")
		case DiffRemoved:
			got = append(got, "-["+p.Text+"]")
		default:
			got = append(got, p.Text)
		}
	}
	want := "Client reports sleeping |+[much ]|better since the |-[last session.]|+[session in March.]"
	if g := strings.Join(got, "|"); g != want {
		t.Errorf("diff\n got %s\nwant %s", g, want)
	}
}

func TestWordDiffRebuildsBothVersions(t *testing.T) {
	cases := [][2]string{
		{"", "New text."},
		{"Old text.", ""},
		{"Same.", "Same."},
		{"a b c d e", "e d c b a"},
		{"Plan: continue the diary.\nNext session in two weeks.", "Plan: continue the sleep diary.\nNext session in three weeks.\nCall if worse."},
		{"Mood  low,\tsleep poor.", "Mood low, sleep poor."},
	}
	for _, c := range cases {
		parts := WordDiff(c[0], c[1])
		if got := join(parts, DiffAdded); got != c[0] && strings.Join(strings.Fields(got), " ") != strings.Join(strings.Fields(c[0]), " ") {
			t.Errorf("older from diff of %q → %q: %q", c[0], c[1], got)
		}
		if got := join(parts, DiffRemoved); got != c[1] {
			t.Errorf("newer from diff of %q → %q: %q", c[0], c[1], got)
		}
		if Changed(parts) != (c[0] != c[1]) && strings.Join(strings.Fields(c[0]), " ") != strings.Join(strings.Fields(c[1]), " ") {
			t.Errorf("Changed(%q, %q) = %v", c[0], c[1], Changed(parts))
		}
	}
}

func TestWordDiffKeepsAChangeInOnePiece(t *testing.T) {
	parts := WordDiff("Plan to continue the diary; next session in two weeks.", "Plan changed in another window.")
	if len(parts) != 3 || parts[0].Text != "Plan " || parts[1].Op != DiffRemoved || parts[2].Text != "changed in another window." {
		t.Errorf("diff = %+v", parts)
	}
}
