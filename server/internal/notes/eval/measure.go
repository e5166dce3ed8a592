package eval

import (
	"context"
	"fmt"
	"slices"
	"unicode"

	"github.com/sidenote/sidenote/server/internal/notes"
	"github.com/sidenote/sidenote/shared/note"
)

// Where a labelled sentence ended up, besides a section key.
const (
	LeftOut = "left_out" // listed in Result.LeftOut
	Dropped = "dropped"  // in no section and not listed: vanished unseen
)

// Placement is where one labelled sentence landed in one template's note.
type Placement struct {
	Case     string
	HeldOut  bool
	Template note.TemplateID
	Sentence Sentence
	Label    string
	Where    string   // the section with the most overlap, LeftOut or Dropped
	Sections []string // every section that cites part of it
}

// Correct reports whether the placement matches the label. An omit sentence
// is correct when it is in no section (left out or dropped); any other
// sentence only in its labelled section.
func (p Placement) Correct() bool {
	if p.Label == Omit {
		return p.Where == LeftOut || p.Where == Dropped
	}
	return p.Where == p.Label
}

// Tally is the figures of one template over one part of the panel.
type Tally struct {
	Cases, Sentences, Correct int
	Dropped                   int // non-omit sentences in no section and not in left_out
	Twice                     int // sentences cited by two or more sections
	OmitKept                  int // omit sentences placed in a section
	InventedWords, Words      int // content words of note text not in the cited sources, of all content words
	Fillers, Pronouns         int
	NDAgree, NDTotal          int // sections whose not_documented matches the label
	RiskAgree                 int // cases whose risk_mentioned matches
	OutOfOrder                int // narrative: non-omit sentences placed before an earlier source sentence
}

// Report holds the tallies per template and part, and every placement.
type Report struct {
	Generator  string
	Tuned      map[note.TemplateID]*Tally
	HeldOut    map[note.TemplateID]*Tally
	Placements []Placement
}

// Measure runs gen over every case and template and tallies the result.
func Measure(ctx context.Context, gen notes.Generator, cases []Case) (*Report, error) {
	r := &Report{Generator: gen.Name(), Tuned: map[note.TemplateID]*Tally{}, HeldOut: map[note.TemplateID]*Tally{}}
	for _, tmpl := range note.Templates() {
		r.Tuned[tmpl.ID], r.HeldOut[tmpl.ID] = &Tally{}, &Tally{}
	}
	for _, c := range cases {
		for _, tmpl := range note.Templates() {
			res, err := gen.Generate(ctx, tmpl, c.Source)
			if err != nil {
				return nil, fmt.Errorf("%s/%s: %w", c.Name, tmpl.ID, err)
			}
			part := r.Tuned
			if c.HeldOut {
				part = r.HeldOut
			}
			r.Placements = append(r.Placements, measureNote(part[tmpl.ID], c, tmpl, res)...)
		}
	}
	return r, nil
}

func measureNote(t *Tally, c Case, tmpl note.Template, res notes.Result) []Placement {
	t.Cases++
	if res.RiskMentioned == c.RiskMentioned {
		t.RiskAgree++
	}
	cover := newCoverage(c.Source)
	for _, sec := range res.Sections {
		cover.mark(sec.Key, sec.Sources)
		for _, sn := range sec.Sentences {
			cover.mark(sec.Key, sn.Sources)
		}
		measureText(t, c.Source, sec)
	}
	for _, lo := range res.LeftOut {
		cover.mark(LeftOut, lo.Sources)
	}
	if nd, labelled := c.NotDocumented[tmpl.ID]; labelled {
		for _, sec := range res.Sections {
			t.NDTotal++
			if sec.NotDocumented == slices.Contains(nd, sec.Key) {
				t.NDAgree++
			}
		}
	}
	narrative := len(tmpl.Sections) == 1
	var out []Placement
	lastPos := -1
	for _, s := range c.Sentences {
		label := s.Labels[tmpl.ID]
		if narrative {
			label = tmpl.Sections[0].Key
			if s.Omitted() {
				label = Omit
			}
		}
		p := Placement{Case: c.Name, HeldOut: c.HeldOut, Template: tmpl.ID, Sentence: s, Label: label}
		p.Where, p.Sections = cover.place(s.Span)
		t.Sentences++
		if p.Correct() {
			t.Correct++
		}
		if p.Where == Dropped && label != Omit {
			t.Dropped++
		}
		if len(p.Sections) > 1 {
			t.Twice++
		}
		if label == Omit && len(p.Sections) > 0 {
			t.OmitKept++
		}
		if narrative && label != Omit && len(p.Sections) > 0 {
			if pos := narrativePosition(res.Sections[0], s.Span); pos >= 0 {
				if pos < lastPos {
					t.OutOfOrder++
				}
				lastPos = max(lastPos, pos)
			}
		}
		out = append(out, p)
	}
	return out
}

// measureText tallies invention, fillers and pronouns of one section: per
// sentence against its own sources when the section lists sentences, else the
// whole text against the section's sources.
func measureText(t *Tally, src notes.Source, sec note.Section) {
	t.Fillers += fillers(sec.Text)
	t.Pronouns += pronouns(sec.Text)
	units := sec.Sentences
	if len(units) == 0 && sec.Text != "" {
		units = []note.Sentence{{Start: 0, End: len(sec.Text), Sources: sec.Sources}}
	}
	for _, u := range units {
		if u.Start < 0 || u.End > len(sec.Text) || u.Start > u.End {
			continue
		}
		var cited []string
		for _, sp := range u.Sources {
			if text := sourceText(src, sp.Source); sp.Start >= 0 && sp.End <= len(text) && sp.Start <= sp.End {
				cited = append(cited, text[sp.Start:sp.End])
			}
		}
		n, total := invented(sec.Text[u.Start:u.End], cited)
		t.InventedWords += n
		t.Words += total
	}
}

// narrativePosition is the index of the first source span of the narrative
// section that overlaps span, or -1.
func narrativePosition(sec note.Section, span note.Span) int {
	for i, sp := range sec.Sources {
		if sp.Source == span.Source && sp.Start < span.End && span.Start < sp.End {
			return i
		}
	}
	return -1
}

func sourceText(src notes.Source, name string) string {
	if name == note.SourceTranscript {
		return src.Transcript
	}
	return src.Summary
}

// coverage records, per byte of each source, which sections (or left_out)
// cite it.
type coverage struct {
	src   notes.Source
	marks map[string][]map[string]bool // source name -> byte -> owners
}

func newCoverage(src notes.Source) *coverage {
	return &coverage{src: src, marks: map[string][]map[string]bool{
		note.SourceSummary:    make([]map[string]bool, len(src.Summary)),
		note.SourceTranscript: make([]map[string]bool, len(src.Transcript)),
	}}
}

func (c *coverage) mark(owner string, spans []note.Span) {
	for _, sp := range spans {
		m := c.marks[sp.Source]
		for i := max(sp.Start, 0); i < min(sp.End, len(m)); i++ {
			if m[i] == nil {
				m[i] = map[string]bool{}
			}
			m[i][owner] = true
		}
	}
}

// place returns the section citing most letters and digits of span (LeftOut
// when only left_out lists it, Dropped when nothing does) and every section
// citing part of it, in order of overlap.
func (c *coverage) place(span note.Span) (string, []string) {
	text := sourceText(c.src, span.Source)
	overlap := map[string]int{}
	for i := span.Start; i < span.End; i++ {
		if r := rune(text[i]); r < 0x80 && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			continue
		}
		for owner := range c.marks[span.Source][i] {
			overlap[owner]++
		}
	}
	var sections []string
	for owner := range overlap {
		if owner != LeftOut {
			sections = append(sections, owner)
		}
	}
	slices.SortFunc(sections, func(a, b string) int {
		if overlap[a] != overlap[b] {
			return overlap[b] - overlap[a]
		}
		if a < b {
			return -1
		}
		return 1
	})
	switch {
	case len(sections) > 0:
		return sections[0], sections
	case overlap[LeftOut] > 0:
		return LeftOut, nil
	}
	return Dropped, nil
}
