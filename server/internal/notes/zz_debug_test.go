package notes

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/sidenote/sidenote/shared/note"
)

func TestZZDebug(t *testing.T) {
	b, _ := os.ReadFile(os.Getenv("F"))
	src := Source{Transcript: string(b)}
	if os.Getenv("S") != "" {
		src = Source{Summary: string(b)}
	}
	tmpl, _ := note.Lookup(note.TemplateID(os.Getenv("T")))
	res, _ := NewBuiltin().Generate(context.Background(), tmpl, src)
	for _, s := range res.Sections {
		fmt.Printf("== %s\n%s\n", s.Title, s.Text)
	}
	for _, l := range res.LeftOut {
		fmt.Printf("LO %s %s\n", l.Reason, l.Text)
	}
	fmt.Println("risk", res.RiskMentioned)
}

func TestZZScores(t *testing.T) {
	d := analyze(Source{Transcript: os.Getenv("X")})
	for _, u := range d.units {
		fmt.Printf("%q leave=%s scores=%v\n", u.sents[0].text, u.leave, u.scores)
	}
}
