// Package eval measures a notes.Generator against a labelled panel of
// fictional sessions (testdata/panel, conventions in LABELLING.md): where each
// sentence lands per template, what is dropped unseen, invention, fillers and
// pronouns left, not_documented and risk agreement. It is host-only tooling
// for `make notes-eval` and the panel test; nothing in the server imports it.
package eval

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"

	"github.com/sidenote/sidenote/server/internal/notes"
	"github.com/sidenote/sidenote/shared/note"
)

// Omit is the label of a sentence no section should hold.
const Omit = "omit"

// Labelled templates and their valid labels (section keys plus Omit).
var labelSets = map[note.TemplateID][]string{
	note.SOAP: {"subjective", "objective", "assessment", "plan", Omit},
	note.DAP:  {"data", "assessment", "plan", Omit},
	note.BIRP: {"behavior", "intervention", "response", "plan", Omit},
	note.GIRP: {"goal", "intervention", "response", "plan", Omit},
}

// LabelledTemplates lists the templates with per-sentence labels, in display order.
func LabelledTemplates() []note.TemplateID {
	return []note.TemplateID{note.SOAP, note.DAP, note.BIRP, note.GIRP}
}

// Case is one panel session.
type Case struct {
	Name          string // file name without extension, "07_couple_gottman"
	Number        int    // the NN prefix of the name
	HeldOut       bool   // Number is a multiple of 3 (LABELLING.md)
	Title         string
	Source        notes.Source
	RiskMentioned bool
	// NotDocumented lists, per template, the sections the note should leave empty.
	NotDocumented map[note.TemplateID][]string
	Sentences     []Sentence
}

// Sentence is a labelled source sentence and where it is.
type Sentence struct {
	Text   string
	Span   note.Span
	Labels map[note.TemplateID]string
}

// Omitted reports whether the sentence is labelled omit (the same in every template).
func (s Sentence) Omitted() bool { return s.Labels[note.SOAP] == Omit }

type caseFile struct {
	Title         string              `yaml:"title"`
	Summary       string              `yaml:"summary"`
	Transcript    string              `yaml:"transcript"`
	RiskMentioned *bool               `yaml:"risk_mentioned"`
	NotDocumented map[string][]string `yaml:"not_documented"`
	Sentences     []sentenceFile      `yaml:"sentences"`
}

type sentenceFile struct {
	Text string `yaml:"text"`
	Nth  int    `yaml:"nth"`
	SOAP string `yaml:"soap"`
	DAP  string `yaml:"dap"`
	BIRP string `yaml:"birp"`
	GIRP string `yaml:"girp"`
}

var caseName = regexp.MustCompile(`^(\d{2,3})_[a-z0-9_]+$`)

// LoadPanel reads every *.yaml case in dir, sorted by name. Any format or
// labelling error fails the whole load, naming the file.
func LoadPanel(dir string) ([]Case, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("eval: no *.yaml cases in %s", dir)
	}
	slices.Sort(paths)
	var out []Case
	var errs []error
	numbers := map[int]string{}
	for _, p := range paths {
		c, err := LoadCase(p)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if other, dup := numbers[c.Number]; dup {
			errs = append(errs, fmt.Errorf("%s: number %d already used by %s", p, c.Number, other))
		}
		numbers[c.Number] = c.Name
		out = append(out, c)
	}
	return out, errors.Join(errs...)
}

// LoadCase reads and checks one case file.
func LoadCase(path string) (Case, error) {
	name := strings.TrimSuffix(filepath.Base(path), ".yaml")
	fail := func(format string, args ...any) (Case, error) {
		return Case{}, fmt.Errorf("%s: %s", path, fmt.Sprintf(format, args...))
	}
	m := caseName.FindStringSubmatch(name)
	if m == nil {
		return fail("name must be NN_lower_snake_case")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return Case{}, err
	}
	var f caseFile
	if err := yaml.UnmarshalWithOptions(b, &f, yaml.Strict()); err != nil {
		return fail("%v", err)
	}
	n, _ := strconv.Atoi(m[1])
	c := Case{Name: name, Number: n, HeldOut: n%3 == 0, Title: f.Title,
		Source:        notes.Source{Summary: f.Summary, Transcript: f.Transcript},
		NotDocumented: map[note.TemplateID][]string{}}
	if strings.TrimSpace(f.Title) == "" {
		return fail("title missing")
	}
	if strings.TrimSpace(f.Summary) == "" && strings.TrimSpace(f.Transcript) == "" {
		return fail("neither summary nor transcript")
	}
	if f.RiskMentioned == nil {
		return fail("risk_mentioned missing")
	}
	c.RiskMentioned = *f.RiskMentioned
	if len(f.Sentences) == 0 {
		return fail("no sentences")
	}
	prevEnd := -1
	prevSource := ""
	for i, sf := range f.Sentences {
		s, err := sf.resolve(c.Source)
		if err != nil {
			return fail("sentence %d %q: %v", i+1, sf.Text, err)
		}
		if s.Span.Source == prevSource && s.Span.Start < prevEnd || prevSource == note.SourceTranscript && s.Span.Source == note.SourceSummary {
			return fail("sentence %d %q: out of source order or overlapping the previous one", i+1, sf.Text)
		}
		prevSource, prevEnd = s.Span.Source, s.Span.End
		c.Sentences = append(c.Sentences, s)
	}
	if err := checkCoverage(c); err != nil {
		return fail("%v", err)
	}
	for _, id := range LabelledTemplates() {
		nd, ok := f.NotDocumented[string(id)]
		if !ok {
			return fail("not_documented.%s missing (use [] when every section is documented)", id)
		}
		for _, key := range nd {
			if key == Omit || !slices.Contains(labelSets[id], key) {
				return fail("not_documented.%s: %q is not a section of %s", id, key, id)
			}
		}
		if want := emptySections(c, id); !sameSet(nd, want) {
			return fail("not_documented.%s is %v but the labels leave %v empty", id, nd, want)
		}
		c.NotDocumented[id] = nd
	}
	for k := range f.NotDocumented {
		if _, ok := labelSets[note.TemplateID(k)]; !ok {
			return fail("not_documented: unknown template %q", k)
		}
	}
	return c, nil
}

func (sf sentenceFile) resolve(src notes.Source) (Sentence, error) {
	s := Sentence{Text: sf.Text, Labels: map[note.TemplateID]string{
		note.SOAP: sf.SOAP, note.DAP: sf.DAP, note.BIRP: sf.BIRP, note.GIRP: sf.GIRP}}
	if strings.TrimSpace(sf.Text) != sf.Text || sf.Text == "" {
		return s, errors.New("text empty or with surrounding space")
	}
	omitted := 0
	for id, l := range s.Labels {
		if l == "" {
			return s, fmt.Errorf("no %s label", id)
		}
		if !slices.Contains(labelSets[id], l) {
			return s, fmt.Errorf("%s label %q is not one of %v", id, l, labelSets[id])
		}
		if l == Omit {
			omitted++
		}
	}
	if omitted != 0 && omitted != len(s.Labels) {
		return s, errors.New("omit in some templates but not all")
	}
	type hit struct {
		source string
		start  int
	}
	var hits []hit
	for _, t := range []struct{ name, text string }{{note.SourceSummary, src.Summary}, {note.SourceTranscript, src.Transcript}} {
		for from := 0; ; {
			i := strings.Index(t.text[from:], sf.Text)
			if i < 0 {
				break
			}
			hits = append(hits, hit{t.name, from + i})
			from += i + 1
		}
	}
	switch {
	case len(hits) == 0:
		return s, errors.New("not found in the summary or transcript")
	case sf.Nth == 0 && len(hits) > 1:
		return s, fmt.Errorf("found %d times: set nth", len(hits))
	case sf.Nth > len(hits) || sf.Nth < 0:
		return s, fmt.Errorf("nth %d but found %d times", sf.Nth, len(hits))
	}
	h := hits[max(sf.Nth, 1)-1]
	s.Span = note.Span{Source: h.source, Start: h.start, End: h.start + len(sf.Text)}
	return s, nil
}

// structure matches what may stay unlabelled on a line: speaker labels with
// optional timestamps, WebVTT/SRT cue lines and sequence numbers, headings,
// bullets and transcription annotations ("(pause)", "[inaudible]").
var structure = regexp.MustCompile(`^(?:WEBVTT|\d+|\([\p{Ll} ]+\)|\[[\p{Ll} ]+\]|[\d:.,\[\]() ]+-->[\d:.,\[\]() ]+|` +
	`(?:[-*•]|\d+[.)])?\s*(?:[\[(]?\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?[\])]?\s*)?` +
	`(?:[\p{Lu}][\p{L}'.\-]*(?:\s+[\p{L}\p{N}][\p{L}\p{N}'.\-]*){0,3}\s*(?:\([\d:.,]+\))?\s*:)?\s*(?:[-*•]|\d+[.)]|\([\p{Ll} ]+\)|\[[\p{Ll} ]+\])?)$`)

// checkCoverage fails when a source has text outside every labelled sentence
// that is more than structure: an unlabelled sentence.
func checkCoverage(c Case) error {
	for _, t := range []struct{ name, text string }{{note.SourceSummary, c.Source.Summary}, {note.SourceTranscript, c.Source.Transcript}} {
		covered := make([]bool, len(t.text))
		for _, s := range c.Sentences {
			if s.Span.Source == t.name {
				for i := s.Span.Start; i < s.Span.End; i++ {
					covered[i] = true
				}
			}
		}
		var line strings.Builder
		check := func() error {
			for _, frag := range strings.Split(line.String(), "\x00") {
				frag = strings.TrimSpace(frag)
				if frag != "" && !structure.MatchString(frag) {
					return fmt.Errorf("%s: unlabelled text %q", t.name, frag)
				}
			}
			line.Reset()
			return nil
		}
		for i := 0; i < len(t.text); i++ {
			switch {
			case t.text[i] == '\n':
				if err := check(); err != nil {
					return err
				}
			case covered[i]:
				line.WriteByte(0)
			default:
				line.WriteByte(t.text[i])
			}
		}
		if err := check(); err != nil {
			return err
		}
	}
	return nil
}

// emptySections lists the sections of a template no sentence is labelled for.
func emptySections(c Case, id note.TemplateID) []string {
	var out []string
	for _, key := range labelSets[id] {
		if key == Omit {
			continue
		}
		used := false
		for _, s := range c.Sentences {
			used = used || s.Labels[id] == key
		}
		if !used {
			out = append(out, key)
		}
	}
	return out
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b)) && len(a) == len(b)
}
