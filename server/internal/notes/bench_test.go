package notes

import (
	"context"
	"strings"
	"testing"

	"github.com/sidenote/sidenote/shared/note"
)

// longTranscript builds a transcript of at least n words by cycling through
// the turns of the fixture transcripts, so the text has the fixtures' mix of
// speakers, fillers and cues.
func longTranscript(tb testing.TB, n int) string {
	tb.Helper()
	var turns []string
	for _, f := range loadFixtures(tb) {
		for _, line := range strings.Split(f.src.Transcript, "\n") {
			if strings.TrimSpace(line) != "" {
				turns = append(turns, line)
			}
		}
	}
	if len(turns) == 0 {
		tb.Fatal("no transcript fixtures")
	}
	var b strings.Builder
	words := 0
	for i := 0; words < n; i++ {
		line := turns[i%len(turns)]
		words += len(strings.Fields(line))
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return b.String()
}

func BenchmarkBuiltin9000Words(b *testing.B) {
	src := Source{Transcript: longTranscript(b, 9000)}
	tmpl, _ := note.Lookup(note.SOAP)
	g := NewBuiltin()
	b.SetBytes(int64(len(src.Transcript)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := g.Generate(context.Background(), tmpl, src); err != nil {
			b.Fatal(err)
		}
	}
}
