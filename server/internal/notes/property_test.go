package notes

import (
	"context"
	"errors"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/sidenote/sidenote/shared/note"
)

// Pieces random sessions are built from: speaker labels, fillers, stutters,
// abbreviations, annotations, list markers, odd punctuation and whitespace.
var (
	genLabels = []string{"Client: ", "Therapist: ", "Partner A: ", "Partner B: ", "[00:01:02] Clinician: ", "Dr. Lee: ", "Speaker 1: ", ""}
	genWords  = []string{
		"um,", "uh", "you know,", "like,", "I- I", "I", "I", "we we", "the", "it", "was", "reports", "appeared",
		"affect", "progress", "will", "homework", "practiced", "CBT", "responded", "goal", "working on",
		"Dr.", "e.g.", "a.m.", "5.5", "sleep", "anxious", "fight", "(laughs)", "[inaudible]", "risk",
		"next session", "No.", "Yeah.", "okay?", "…", "...", "\"quoted\"", "—", "-", "had had", "Mm-hmm.",
		"self-harm", "thoughts of", "hurting yourself?", "Émile", "naïve", "日本", ";", ":", ",",
	}
	genEnds = []string{". ", "? ", "! ", "\n", "\n\n", "\n- ", "\n1. ", " ", ".\n"}
)

func randomText(r *rand.Rand, labelled bool) string {
	var b strings.Builder
	for range r.IntN(12) {
		if labelled && r.IntN(3) > 0 {
			b.WriteString(genLabels[r.IntN(len(genLabels))])
		}
		for range 1 + r.IntN(14) {
			b.WriteString(genWords[r.IntN(len(genWords))])
			b.WriteByte(' ')
		}
		b.WriteString(genEnds[r.IntN(len(genEnds))])
	}
	return b.String()
}

// TestBuiltinProperties generates many sessions and checks, for every
// template, the note contract (checkResult) and determinism.
func TestBuiltinProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 400 {
		src := Source{Summary: randomText(r, false), Transcript: randomText(r, true)}
		if i%3 == 0 {
			src.Summary = ""
		}
		checkBuiltin(t, src)
	}
}

func checkBuiltin(t *testing.T, src Source) {
	t.Helper()
	g := NewBuiltin()
	for _, tmpl := range note.Templates() {
		res, err := g.Generate(context.Background(), tmpl, src)
		if src.empty() {
			if !errors.Is(err, ErrNoSource) {
				t.Fatalf("blank source: err = %v, want ErrNoSource", err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tmpl.ID, err)
		}
		checkResult(t, tmpl, src, res)
		again, _ := g.Generate(context.Background(), tmpl, src)
		if !reflect.DeepEqual(res, again) {
			t.Fatalf("%s: two runs on the same input differ", tmpl.ID)
		}
		if t.Failed() {
			t.Fatalf("template %s, input %q", tmpl.ID, src)
		}
	}
}

func FuzzBuiltin(f *testing.F) {
	for _, fx := range loadFixtures(f) {
		f.Add(fx.src.Summary, fx.src.Transcript)
	}
	f.Fuzz(func(t *testing.T, summary, transcript string) {
		checkBuiltin(t, Source{Summary: summary, Transcript: transcript})
	})
}

func TestBuiltinNoSource(t *testing.T) {
	tmpl, _ := note.Lookup(note.SOAP)
	_, err := NewBuiltin().Generate(context.Background(), tmpl, Source{Summary: " \n\t", Transcript: ""})
	if !errors.Is(err, ErrNoSource) {
		t.Fatalf("err = %v, want ErrNoSource", err)
	}
}

func TestBuiltinHonoursCancellation(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	tmpl, _ := note.Lookup(note.DAP)
	if _, err := NewBuiltin().Generate(ctx, tmpl, Source{Summary: "Client reports stress."}); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestBuiltinSparseLeavesSectionsUndocumented(t *testing.T) {
	tmpl, _ := note.Lookup(note.SOAP)
	res, err := NewBuiltin().Generate(context.Background(), tmpl, Source{Summary: "Client reports stress at work."})
	got := res.Sections
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range got[1:] {
		if !s.NotDocumented || s.Text != "" {
			t.Errorf("section %s = %q, want not documented (no assumed-normal boilerplate)", s.Key, s.Text)
		}
	}
	if got[0].Text != "Client reports stress at work." {
		t.Errorf("subjective = %q", got[0].Text)
	}
}
