package notes

import (
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/sidenote/sidenote/shared/note"
)

// checkResult asserts the note contract on a generated result, independently
// of the generator's own code:
//   - one section per template section, in order; a section is not
//     documented exactly when it has no text, no spans and no sentences;
//   - Sentences tile the section text (bullet markers and spaces between);
//   - every content word of a note sentence comes from its cited sources or a
//     short fixed list of reporting words, and every number of it is in them;
//   - no first- or second-person pronoun outside quotation marks;
//   - every word of the sources is in a section or in LeftOut, except
//     structure (speaker labels, timestamps, headings, cue lines);
//   - no source sentence is in two sections, or in a section and LeftOut.
func checkResult(t testing.TB, tmpl note.Template, src Source, res Result) {
	t.Helper()
	if len(res.Sections) != len(tmpl.Sections) {
		t.Fatalf("got %d sections, want %d", len(res.Sections), len(tmpl.Sections))
	}
	owners := map[string][]string{note.SourceSummary: make([]string, len(src.Summary)), note.SourceTranscript: make([]string, len(src.Transcript))}
	mark := func(owner string, spans []note.Span, exclusive bool) {
		for _, sp := range spans {
			o, ok := owners[sp.Source]
			if !ok || sp.Start < 0 || sp.End > len(o) || sp.Start >= sp.End {
				t.Fatalf("%s: span %+v outside its source", owner, sp)
			}
			for i := sp.Start; i < sp.End; i++ {
				if exclusive && o[i] != "" && o[i] != owner && !labelByte(src, sp.Source, i) {
					t.Fatalf("source %s byte %d is in %s and %s", sp.Source, i, o[i], owner)
				}
				o[i] = owner
			}
		}
	}
	for i, s := range res.Sections {
		def := tmpl.Sections[i]
		if s.Key != def.Key || s.Title != def.Title {
			t.Errorf("section %d is %q/%q, want %q/%q", i, s.Key, s.Title, def.Key, def.Title)
		}
		if s.NotDocumented != (s.Text == "") || s.NotDocumented != (len(s.Sentences) == 0) || s.NotDocumented != (len(s.Sources) == 0) {
			t.Errorf("section %s: not_documented=%v with %d bytes, %d sentences, %d spans", s.Key, s.NotDocumented, len(s.Text), len(s.Sentences), len(s.Sources))
		}
		prevEnd := 0
		for _, sn := range s.Sentences {
			if sn.Start < prevEnd || sn.End > len(s.Text) || sn.Start >= sn.End {
				t.Fatalf("section %s: sentence [%d,%d) out of order or outside %d bytes", s.Key, sn.Start, sn.End, len(s.Text))
			}
			if gap := strings.TrimSpace(strings.ReplaceAll(s.Text[prevEnd:sn.Start], "- ", "")); gap != "" {
				t.Errorf("section %s: text %q is in no sentence", s.Key, gap)
			}
			prevEnd = sn.End
			text := s.Text[sn.Start:sn.End]
			checkSupported(t, src, text, sn.Sources)
			checkNoPronoun(t, text)
			mark(s.Key, sn.Sources, true)
		}
		if strings.TrimSpace(s.Text[prevEnd:]) != "" {
			t.Errorf("section %s: trailing text in no sentence", s.Key)
		}
	}
	for _, lo := range res.LeftOut {
		if lo.ID == "" || lo.Text == "" || lo.Reason == "" {
			t.Errorf("left out %+v: id, text and reason are required", lo)
		}
		mark("left_out", lo.Sources, true)
	}
	for name, text := range map[string]string{note.SourceSummary: src.Summary, note.SourceTranscript: src.Transcript} {
		for _, m := range wordRe.FindAllStringIndex(text, -1) {
			if owners[name][m[0]] == "" && !structural(text, m[0], m[1]) {
				t.Fatalf("%s word %q at %d is in no section and not left out", name, text[m[0]:m[1]], m[0])
			}
		}
	}
}

var wordRe = regexp.MustCompile(`[\p{L}\p{N}]+`)

// structural reports whether the word at [start, end) is structure: on a
// line before its first colon (a speaker label or heading), a timestamp or
// cue line, a bracketed annotation, a list marker, a spoken dictation
// command or a filler.
func structural(text string, start, end int) bool {
	ls := strings.LastIndexByte(text[:start], '\n') + 1
	le := strings.IndexByte(text[start:], '\n')
	if le < 0 {
		le = len(text)
	} else {
		le += start
	}
	line := text[ls:le]
	w := strings.ToLower(text[start:end])
	if c := labelEnd(line); c >= 0 && start-ls < c && c < 60 {
		return true
	}
	if t := strings.TrimLeft(line, " \t"); start-ls == len(line)-len(t) && end < len(text) && (text[end] == '.' || text[end] == ')') && strings.Trim(text[start:end], "0123456789") == "" {
		return true // a numbered list marker
	}
	if strings.Contains(line, "-->") || strings.HasPrefix(strings.TrimSpace(line), "WEBVTT") || strings.HasPrefix(strings.TrimSpace(line), "NOTE") {
		return true
	}
	if strings.Trim(line, " \t\r0123456789") == "" {
		return true
	}
	switch w {
	case "um", "umm", "ummm", "uh", "uhh", "uhm", "er", "erm", "hmm", "hm", "mm", "ah", "period", "paragraph", "stop", "line", "new", "next", "full", "comma", "colon":
		return true
	}
	if strings.HasPrefix(strings.ToLower(text[end:]), " colon") {
		return true // a dictated heading: "Plan colon"
	}
	return inHeading(text, start) || inBrackets(text, start)
}

func inBrackets(text string, i int) bool {
	o := strings.LastIndexAny(text[:i], "[(<")
	c := strings.LastIndexAny(text[:i], "])>")
	return o > c
}

// inHeading reports whether the word at i is a "Heading:" after a sentence end.
func inHeading(text string, i int) bool {
	j := i
	for j < len(text) && (unicode.IsLetter(rune(text[j])) || text[j] == ' ' || text[j] == '-' || text[j] == '/') && j-i < 40 {
		j++
	}
	return j < len(text) && text[j] == ':'
}

// labelByte: a speaker label is cited by every sentence of its turn.
func labelByte(src Source, source string, i int) bool {
	if source != note.SourceTranscript {
		return false
	}
	ls := strings.LastIndexByte(src.Transcript[:i], '\n') + 1
	le := strings.IndexByte(src.Transcript[ls:], '\n')
	if le < 0 {
		le = len(src.Transcript) - ls
	}
	c := labelEnd(src.Transcript[ls : ls+le])
	return c >= 0 && i < ls+c
}

// labelEnd is the index of the colon ending a line's label or heading: the
// first colon followed by a space or the line end, -1 if none.
func labelEnd(line string) int {
	for i := 0; i < len(line); i++ {
		if line[i] == ':' && (i+1 == len(line) || line[i+1] == ' ' || line[i+1] == '\t' || line[i+1] == '\r') {
			return i
		}
	}
	return -1
}

// testReporting is the fixed list of words a note sentence may add.
var testReporting = regexp.MustCompile(`^(client|client's|clinician|clinician's|partners|family|speaker|reported|stated|noted|observed|asked|answered|invited|whether|that|they|them|their|theirs|themselves|is|was|has|does|doesn|isn|wasn|hasn|aren|weren|are|were|and|the|to|if)$`)

// testFunction words carry no content.
var testFunction = regexp.MustCompile(`^(a|an|the|and|or|but|so|of|in|on|at|to|for|with|be|is|are|was|were|am|do|does|did|have|has|had|will|would|can|could|it|i|you|we|he|she|they|s|t|not|no)$`)

func checkSupported(t testing.TB, src Source, text string, spans []note.Span) {
	t.Helper()
	var cited strings.Builder
	for _, sp := range spans {
		s := src.Summary
		if sp.Source == note.SourceTranscript {
			s = src.Transcript
		}
		cited.WriteString(strings.ToLower(s[sp.Start:sp.End]))
		cited.WriteByte(' ')
	}
	have := map[string]bool{}
	for _, w := range wordRe.FindAllString(cited.String(), -1) {
		have[w] = true
	}
	for _, w := range wordRe.FindAllString(strings.ToLower(text), -1) {
		if have[w] || testReporting.MatchString(w) || testFunction.MatchString(w) {
			continue
		}
		if unicode.IsDigit([]rune(w)[0]) {
			t.Fatalf("note sentence %q: number %q is not in its sources %q", text, w, cited.String())
		}
		if !inflectionOf(w, have) {
			t.Fatalf("note sentence %q: word %q is not in its sources %q", text, w, cited.String())
		}
	}
}

// inflectionOf accepts an agreement change ("feel" → "feels", "try" →
// "tries") of a cited word.
func inflectionOf(w string, have map[string]bool) bool {
	for _, suf := range []string{"s", "es"} {
		if b, ok := strings.CutSuffix(w, suf); ok && have[b] {
			return true
		}
	}
	if b, ok := strings.CutSuffix(w, "ies"); ok && have[b+"y"] {
		return true
	}
	return false
}

var firstSecond = regexp.MustCompile(`(?i)^(i|me|my|mine|myself|we|us|our|ours|ourselves|you|your|yours|yourself|yourselves)$`)

var (
	quotedOrAbbrev = regexp.MustCompile(`"[^"]*"|“[^”]*”|\b[ie]\.[eg]\.`)
	letterRun      = regexp.MustCompile(`[\p{L}']+`)
)

func checkNoPronoun(t testing.TB, text string) {
	t.Helper()
	outside := quotedOrAbbrev.ReplaceAllString(text, " ")
	for _, w := range letterRun.FindAllString(outside, -1) {
		base, _, _ := strings.Cut(strings.ReplaceAll(w, "’", "'"), "'")
		if firstSecond.MatchString(base) {
			t.Fatalf("note sentence %q has %q outside quotation marks", text, w)
		}
	}
}
