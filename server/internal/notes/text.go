package notes

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// sourceKind says which of the session's texts a span points into. The
// cleaning rules differ slightly: transcripts carry transcription annotations
// such as "[inaudible]" or "(laughs)", summaries use parentheses for content.
type sourceKind uint8

const (
	kindSummary sourceKind = iota
	kindTranscript
)

func (k sourceKind) String() string {
	if k == kindTranscript {
		return "transcript"
	}
	return "summary"
}

// cleanSpan turns the raw text of a span into the text shown in the note. It
// only removes things (spoken fillers, repeated words, false starts,
// transcription annotations) and normalises whitespace; it never adds or
// rewrites words, except for capitalising the first letter of the sentence
// (needed once a leading filler or heading is gone). Every sentence in a generated note is cleanSpan of one
// of its source spans, which is what the property tests check.
func cleanSpan(kind sourceKind, raw string) string {
	if kind == kindTranscript {
		raw = dropAnnotations(raw)
	}
	toks := strings.Fields(raw)
	if len(toks) == 0 {
		return ""
	}
	toks = dropFillers(toks)
	toks = dropRepeats(toks)
	if len(toks) == 0 {
		return ""
	}
	toks[0] = capitalize(toks[0])
	return strings.Join(toks, " ")
}

// dropAnnotations removes bracketed transcription annotations ("[inaudible]",
// "(laughs)", "[00:12:03]"). An unmatched bracket is left alone.
func dropAnnotations(s string) string {
	if strings.IndexAny(s, "[(<") < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c == '[' || c == '(' || c == '<' {
			closer := byte(']')
			switch c {
			case '(':
				closer = ')'
			case '<':
				closer = '>'
			}
			if j := strings.IndexByte(s[i+1:], closer); j >= 0 && strings.IndexByte(s[i+1:i+1+j], c) < 0 {
				i += j + 2
				b.WriteByte(' ')
				continue
			}
		}
		b.WriteByte(c)
		i++
	}
	return b.String()
}

// Spoken fillers that carry no meaning wherever they occur.
var fillerWords = map[string]bool{
	"um": true, "umm": true, "ummm": true, "uh": true, "uhh": true, "uhm": true,
	"er": true, "erm": true, "hmm": true, "hm": true, "mm": true, "ah": true,
}

// trailingPunct splits a token into its word and trailing punctuation.
func trailingPunct(tok string) (word, punct string) {
	i := len(tok)
	for i > 0 && strings.IndexByte(",.;:!?…\"'”’)", tok[i-1]) >= 0 {
		i--
	}
	// "…" is three bytes; a partial cut would split it, so widen to a rune start.
	for i > 0 && i < len(tok) && !utf8.RuneStart(tok[i]) {
		i--
	}
	return tok[:i], tok[i:]
}

func bareLower(tok string) string {
	w, _ := trailingPunct(tok)
	w = strings.TrimLeft(w, "\"'“‘(")
	return strings.ToLower(w)
}

func hasTerminal(punct string) bool {
	return strings.ContainsAny(punct, ".!?…")
}

// dropFillers removes fillers ("um", "uh"), and "you know" / "like" when they
// are set off by commas or start the sentence ("It was, like, hard" but not
// "I like it"). Punctuation is kept tidy: "was, um, hard" becomes "was hard",
// "hard, you know." becomes "hard.".
func dropFillers(toks []string) []string {
	out := make([]string, 0, len(toks))
	for i := 0; i < len(toks); i++ {
		n := fillerLen(toks, i, len(out) == 0 || endsWithComma(out[len(out)-1]))
		if n == 0 {
			out = append(out, toks[i])
			continue
		}
		_, punct := trailingPunct(toks[i+n-1])
		i += n - 1
		if len(out) == 0 {
			continue
		}
		prev := &out[len(out)-1]
		switch {
		case hasTerminal(punct):
			// A tag such as "..., you know?" does not make a statement a
			// question: once it is gone, the sentence ends with a full stop.
			if _, p := trailingPunct(*prev); !hasTerminal(p) {
				*prev = strings.TrimRight(*prev, ",;:") + strings.ReplaceAll(terminalOf(punct), "?", ".")
			}
		case strings.HasPrefix(punct, ",") && endsWithComma(*prev):
			*prev = strings.TrimSuffix(*prev, ",")
		}
	}
	return out
}

func terminalOf(punct string) string {
	for _, r := range punct {
		if strings.ContainsRune(".!?…", r) {
			return string(r)
		}
	}
	return "."
}

func endsWithComma(tok string) bool { return strings.HasSuffix(tok, ",") }

// fillerLen reports how many tokens starting at i form a filler, 0 if none.
// setOff says whether the previous token ends a clause (comma or start).
func fillerLen(toks []string, i int, setOff bool) int {
	w := bareLower(toks[i])
	if fillerWords[w] {
		return 1
	}
	// "kind of" / "sort of" as a hedge ("it kind of went quiet"), not as a
	// noun phrase ("a kind of test", "what sort of help").
	if (w == "kind" || w == "sort") && i+1 < len(toks) && i+2 < len(toks) {
		if _, p := trailingPunct(toks[i]); p == "" && bareLower(toks[i+1]) == "of" && (i == 0 || !hedgeDeterminers[bareLower(toks[i-1])]) {
			if _, p2 := trailingPunct(toks[i+1]); p2 == "" {
				return 2
			}
		}
	}
	if !setOff {
		return 0
	}
	if _, punct := trailingPunct(toks[i]); w == "like" && punct != "" {
		return 1
	}
	if _, punct := trailingPunct(toks[i]); (w == "right" || w == "okay" || w == "ok") && i == len(toks)-1 && i > 0 && strings.Contains(punct, "?") {
		return 1
	}
	if w == "you" && i+1 < len(toks) && bareLower(toks[i+1]) == "know" {
		_, p := trailingPunct(toks[i+1])
		if p != "" && !strings.HasPrefix(p, "?") || i+2 == len(toks) {
			return 2
		}
	}
	return 0
}

var hedgeDeterminers = map[string]bool{"a": true, "an": true, "the": true, "what": true, "this": true, "that": true,
	"any": true, "some": true, "every": true, "one": true, "same": true, "no": true, "which": true, "that's": true, "these": true, "those": true}

// Words whose doubling is grammatical ("had had", "that that").
var legitimateRepeats = map[string]bool{"had": true, "that": true}

// dropRepeats removes stuttered repeats of one to three words ("I I think",
// "the, the car", "it was it was a relief") and false starts ("I- I",
// "we- we went", "go- going").
func dropRepeats(toks []string) []string {
	bare := make([]string, len(toks))
	for i, t := range toks {
		bare[i] = bareLower(t)
	}
	out := toks[:0]
	for i := 0; i < len(toks); i++ {
		if i+1 < len(toks) && isStutter(toks[i], bare[i], bare[i+1], toks[i+1]) {
			continue
		}
		if n := repeatedPhrase(toks, bare, i); n > 0 {
			i += n - 1
			continue
		}
		out = append(out, toks[i])
	}
	return out
}

// repeatedPhrase returns n when toks[i:i+n] is immediately said again, for
// phrases of two or three words; bare holds the tokens' bareLower forms.
func repeatedPhrase(toks, bare []string, i int) int {
	for n := 3; n >= 2; n-- {
		if i+2*n > len(toks) {
			continue
		}
		same := true
		for k := 0; k < n && same; k++ {
			_, p := trailingPunct(toks[i+k])
			if k < n-1 && p != "" || p != "" && p != "," {
				same = false
				break
			}
			same = bare[i+k] == bare[i+n+k] && hasLetterOrDigit(bare[i+k])
		}
		if same {
			return n
		}
	}
	return 0
}

func isStutter(tok, bareTok, bareNext, next string) bool {
	if frag, ok := cutDash(tok); ok {
		frag = strings.ToLower(frag)
		return frag != "" && strings.HasPrefix(strings.ToLower(strings.TrimLeft(next, "\"'“‘")), frag)
	}
	if _, punct := trailingPunct(tok); punct != "" && punct != "," {
		return false
	}
	if bareTok == "" || legitimateRepeats[bareTok] || !hasLetterOrDigit(bareTok) {
		return false
	}
	return bareTok == bareNext
}

// cutDash returns the fragment before a trailing dash ("I-", "we—").
func cutDash(tok string) (string, bool) {
	for _, d := range []string{"--", "-", "—", "–"} {
		if strings.HasSuffix(tok, d) && len(tok) > len(d) {
			return strings.TrimLeft(strings.TrimSuffix(tok, d), "\"'“‘"), true
		}
	}
	return "", false
}

func capitalize(tok string) string {
	r, n := utf8.DecodeRuneInString(tok)
	if r == utf8.RuneError || !unicode.IsLower(r) {
		return tok
	}
	return string(unicode.ToUpper(r)) + tok[n:]
}

func hasLetterOrDigit(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return true
		}
	}
	return false
}

// words lowercases s and splits it into words of letters, digits and inner
// apostrophes ("I'll" stays one word, "follow-up" becomes "follow", "up"),
// appending to dst.
func words(dst []string, s string) []string {
	start := -1
	flush := func(end int) {
		if start >= 0 {
			w := strings.Trim(s[start:end], "'")
			if w != "" {
				dst = append(dst, strings.ToLower(strings.ReplaceAll(w, "’", "'")))
			}
			start = -1
		}
	}
	for i, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '\'' || r == '’' {
			if start < 0 {
				start = i
			}
			continue
		}
		flush(i)
	}
	flush(len(s))
	return dst
}

// Abbreviations after which a period does not end a sentence.
var neverFinal = map[string]bool{
	"dr": true, "mr": true, "mrs": true, "ms": true, "mx": true, "prof": true,
	"st": true, "sr": true, "jr": true, "vs": true, "e.g": true, "i.e": true,
	"approx": true, "cf": true,
}

// Abbreviations that may end a sentence when a capitalised word follows.
var maybeFinal = map[string]bool{"a.m": true, "p.m": true, "etc": true}

// splitSentences calls emit with the byte range of each sentence in
// s[from:to]. Ranges exclude surrounding whitespace and list markers
// ("- ", "* ", "1. "). A sentence ends at ., ! or ? followed by space (not
// after abbreviations such as "Dr." or "e.g.", nor before a lower-case word),
// at a blank line, before a list item, or at a line break followed by a
// capitalised line.
func splitSentences(s string, from, to int, emit func(start, end int)) {
	i := from
	for i < to {
		i = skipSpaceAndMarkers(s, i, to)
		if i >= to {
			return
		}
		start := i
		end := to
		for j := i; j < to; {
			c := s[j]
			if c == '\n' {
				if lineBreakEnds(s, j, to) {
					end = j
					break
				}
				j++
				continue
			}
			if c == '.' || c == '!' || c == '?' || strings.HasPrefix(s[j:to], "…") {
				k := j
				for k < to {
					r, n := utf8.DecodeRuneInString(s[k:to])
					if !strings.ContainsRune(".!?…\"')]”’", r) {
						break
					}
					k += n
				}
				if k == to || isSpace(s[k]) {
					if punctEnds(s, start, j, k, to) {
						end = k
						break
					}
				}
				j = k
				continue
			}
			j++
		}
		e := end
		for e > start && isSpace(s[e-1]) {
			e--
		}
		if e > start {
			emit(start, e)
		}
		i = end
	}
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

// punctEnds decides whether terminal punctuation s[j:k] ends the sentence
// begun at start.
func punctEnds(s string, start, j, k, to int) bool {
	next := nextWordStart(s, k, to)
	if next >= to {
		return true
	}
	r, _ := utf8.DecodeRuneInString(s[next:to])
	if s[j] == '!' || s[j] == '?' {
		return true
	}
	ellipsis := strings.HasPrefix(s[j:k], "…") || strings.HasPrefix(s[j:k], "..")
	if unicode.IsLower(r) {
		// "approx. five", "I don't know... maybe": a lower-case word continues.
		return false
	}
	if ellipsis || s[j] != '.' {
		return true
	}
	// Find the word before the period.
	w := j
	for w > start && !isSpace(s[w-1]) && s[w-1] != '(' && s[w-1] != '"' {
		w--
	}
	word := strings.ToLower(s[w:j])
	if neverFinal[word] {
		return false
	}
	if maybeFinal[word] {
		return unicode.IsUpper(r)
	}
	// A single capital letter is an initial ("J. Smith").
	if len(word) == 1 && s[w] >= 'A' && s[w] <= 'Z' {
		return false
	}
	return true
}

func nextWordStart(s string, i, to int) int {
	for i < to && isSpace(s[i]) {
		i++
	}
	// An annotation between sentences ("... herself. (pause) I suppose")
	// does not decide whether the sentence ended: the word after it does.
	for i < to && (s[i] == '(' || s[i] == '[') {
		closer := byte(')')
		if s[i] == '[' {
			closer = ']'
		}
		j := strings.IndexByte(s[i:to], closer)
		if j < 0 || strings.IndexByte(s[i:i+j], '\n') >= 0 {
			break
		}
		k := i + j + 1
		for k < to && isSpace(s[k]) {
			k++
		}
		if k >= to || s[k] == '(' || s[k] == '[' {
			break
		}
		i = k
	}
	for i < to && strings.IndexByte("\"'([", s[i]) >= 0 {
		i++
	}
	if strings.HasPrefix(s[i:to], "“") || strings.HasPrefix(s[i:to], "‘") {
		i += 3
	}
	return i
}

// lineBreakEnds decides whether the newline at s[j] ends a sentence.
func lineBreakEnds(s string, j, to int) bool {
	k := j + 1
	for k < to && (s[k] == ' ' || s[k] == '\t' || s[k] == '\r') {
		k++
	}
	if k >= to || s[k] == '\n' {
		return true // blank line or end
	}
	if markerLen(s, k, to) > 0 {
		return true
	}
	p := j
	for p > 0 && (s[p-1] == ' ' || s[p-1] == '\t' || s[p-1] == '\r') {
		p--
	}
	if p > 0 && strings.IndexByte(",;(-", s[p-1]) >= 0 {
		return false
	}
	r, _ := utf8.DecodeRuneInString(s[k:to])
	return unicode.IsUpper(r) || unicode.IsDigit(r)
}

// markerLen returns the length of a list marker at s[i] ("- ", "• ", "2. ",
// "3) "), including the space after it, or 0.
func markerLen(s string, i, to int) int {
	rest := s[i:to]
	for _, m := range []string{"- ", "* ", "• ", "– ", "-\t", "*\t", "•\t"} {
		if strings.HasPrefix(rest, m) {
			return len(m)
		}
	}
	d := 0
	for d < len(rest) && d < 3 && rest[d] >= '0' && rest[d] <= '9' {
		d++
	}
	if d > 0 && d+1 < len(rest) && (rest[d] == '.' || rest[d] == ')') && (rest[d+1] == ' ' || rest[d+1] == '\t') {
		return d + 2
	}
	return 0
}

// skipSpaceAndMarkers skips whitespace and, at the start of a line, a list
// marker.
func skipSpaceAndMarkers(s string, i, to int) int {
	for i < to {
		if isSpace(s[i]) {
			i++
			continue
		}
		if atLineStart(s, i) {
			if n := markerLen(s, i, to); n > 0 {
				i += n
				continue
			}
		}
		return i
	}
	return i
}

func atLineStart(s string, i int) bool {
	for i > 0 {
		c := s[i-1]
		if c == '\n' {
			return true
		}
		if c != ' ' && c != '\t' && c != '\r' {
			return false
		}
		i--
	}
	return true
}

// bulletAt reports whether the text at start follows a list marker ("- ",
// "• ", "2. ") at the start of its line.
func bulletAt(s string, start int) bool {
	ls := strings.LastIndexByte(s[:start], '\n') + 1
	i := ls
	for i < start && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	n := markerLen(s, i, len(s))
	return n > 0 && i+n <= start && strings.TrimSpace(s[i+n:start]) == ""
}
