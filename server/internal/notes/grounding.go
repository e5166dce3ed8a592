package notes

import (
	"regexp"
	"strings"
	"unicode"
)

// Grounding decides whether a note sentence is supported by the source
// sentences it cites: every content word, after normalising person, tense
// and inflection, must come from the cited sources or from a short list of
// reporting words; numbers must match exactly, a negation must be in the
// sources when the sentence has one (and kept when every source has one),
// a capitalised name must be spelt as in the sources, and quoted words must
// be the sources' own words.

// reportingWords may appear in a note sentence without a source: who said
// it and how it was said.
var reportingWords = wordSet("client|clients|client's|clinician|clinician's|therapist|partner|partners|family|patient|pt|speaker|" +
	"report|reported|reports|reporting|state|stated|states|say|said|says|note|noted|notes|describe|described|describes|" +
	"ask|asked|asks|answer|answered|explain|explained|observe|observed|observes|share|shared|express|expressed|" +
	"indicate|indicated|add|added|invite|invited|whether|session|during|also")

// stopWords carry no content of their own.
var stopWords = wordSet("a|an|the|and|or|but|so|if|then|than|that|this|these|those|it|its|it's|is|are|was|were|be|been|being|am|" +
	"i|me|my|mine|myself|we|us|our|ours|you|your|yours|yourself|he|him|his|himself|she|her|hers|herself|they|them|their|theirs|themselves|" +
	"to|of|in|on|at|by|for|with|about|from|as|into|onto|over|up|down|out|off|again|just|very|really|still|also|too|" +
	"do|does|did|have|has|had|having|will|would|can|could|should|may|might|must|shall|'s|s|what|which|who|whom|when|where|" +
	"how|there|here|some|any|all|both|each|one|own|same|such|more|most|other|there's|that's|i'm|i've|i'll|i'd|you're|" +
	"they're|they've|they'll|they'd|he's|she's|let's|well|like|kind|sort|okay|ok|yeah|yes|oh|um|uh|actually|maybe|while|because")

// negations change a sentence's meaning when added or dropped.
var negations = wordSet("no|not|never|none|nothing|nobody|neither|nor|without|deny|denies|denied|denying|don't|doesn't|didn't|isn't|" +
	"aren't|wasn't|weren't|haven't|hasn't|hadn't|won't|wouldn't|can't|cannot|couldn't|shouldn't|n't|nope|nah")

var numberWords = map[string]string{
	"zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
	"eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "fifteen": "15", "twenty": "20",
	"thirty": "30", "forty": "40", "fifty": "50", "hundred": "100", "once": "1x", "twice": "2x", "half": "1/2",
}

var irregularStems = map[string]string{
	"felt": "feel", "slept": "sleep", "said": "say", "says": "say", "went": "go", "gone": "go", "goes": "go",
	"was": "be", "were": "be", "is": "be", "are": "be", "am": "be", "been": "be", "has": "have", "had": "have",
	"did": "do", "does": "do", "done": "do", "thought": "think", "told": "tell", "kept": "keep", "left": "leave",
	"made": "make", "took": "take", "taken": "take", "came": "come", "knew": "know", "known": "know", "saw": "see",
	"seen": "see", "got": "get", "gave": "give", "given": "give", "heard": "hear", "brought": "bring", "began": "begin",
	"woke": "wake", "ate": "eat", "drank": "drink", "ran": "run", "sat": "sit", "stood": "stand", "wrote": "write",
	"written": "write", "lost": "lose", "met": "meet", "spent": "spend", "fell": "fall", "held": "hold", "taught": "teach",
	"found": "find", "meant": "mean", "children": "child", "women": "woman", "men": "man", "worse": "bad", "better": "good",
}

// stem reduces a lower-case word to a crude stem shared by its inflections.
func stem(w string) string {
	w = strings.TrimSuffix(strings.ReplaceAll(w, "’", "'"), "'s")
	if s, ok := irregularStems[w]; ok {
		return s
	}
	for _, suf := range []string{"ingly", "edly", "ing", "ied", "ies", "ed", "es", "ly", "s"} {
		if len(w) > len(suf)+2 && strings.HasSuffix(w, suf) {
			base := strings.TrimSuffix(w, suf)
			if suf == "ied" || suf == "ies" {
				base += "y"
			}
			if n := len(base); n > 2 && base[n-1] == base[n-2] && !strings.ContainsRune("aeiouls", rune(base[n-1])) {
				base = base[:n-1] // "stopped" → "stop"
			}
			return strings.TrimSuffix(base, "e")
		}
	}
	return strings.TrimSuffix(w, "e")
}

// sameStem accepts inflections and close derivations ("suicide",
// "suicidal"; "anxious", "anxiety" do not match and need not).
func sameStem(a, b string) bool {
	if a == b {
		return true
	}
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n >= 6 && (n+3 >= len(a) && n+3 >= len(b))
}

// numberRe finds a number as written: "5.5", "8:30", "1/2", "3".
var numberRe = regexp.MustCompile(`\d+(?:[.,:/]\d+)*`)

// evidence is what the cited sources say, prepared for checks.
type evidence struct {
	stems    []string
	numbers  map[string]bool
	names    map[string]bool
	negated  int // cited sources with a negation
	sources  int
	lowered  string // the sources' text, lower case, for quoted words
	allWords map[string]bool
}

// newEvidence prepares the cited sentences' texts and their speakers'
// labels (which name, but state nothing).
func newEvidence(texts, labels []string) *evidence {
	e := &evidence{numbers: map[string]bool{}, names: map[string]bool{}, allWords: map[string]bool{}}
	for _, l := range labels {
		for _, w := range words(nil, l) {
			e.allWords[w] = true
			e.stems = append(e.stems, stem(w))
		}
		for _, f := range strings.Fields(l) {
			e.names[f] = true
		}
	}
	for _, t := range texts {
		e.sources++
		for _, n := range numberRe.FindAllString(t, -1) {
			e.numbers[n] = true
		}
		ws := words(nil, t)
		neg := false
		for _, w := range ws {
			e.allWords[w] = true
			if negations[w] || strings.HasSuffix(w, "n't") {
				neg = true
			}
			if v, ok := numberWords[w]; ok {
				e.numbers[v] = true
			}
			e.stems = append(e.stems, stem(w))
		}
		if neg {
			e.negated++
		}
		for _, tok := range strings.Fields(t) {
			if w := strings.Trim(tok, `.,;:!?"'“”‘’()`); w != "" {
				e.names[w] = true
			}
		}
		e.lowered += " " + strings.Join(ws, " ")
	}
	return e
}

func (e *evidence) hasStem(w string) bool {
	s := stem(w)
	for _, x := range e.stems {
		if sameStem(s, x) {
			return true
		}
	}
	return false
}

// supports reports whether the evidence supports sentence text, and if not,
// the first word that is not supported.
func (e *evidence) supports(text string) (bool, string) {
	toks := tokenize(text)
	if hasPronoun(toks) {
		return false, "first or second person outside quotation marks"
	}
	for _, n := range numberRe.FindAllString(text, -1) {
		if !e.numbers[n] {
			return false, n
		}
	}
	neg := false
	for i, t := range toks {
		for _, w := range words(nil, t.word) {
			if negations[w] || strings.HasSuffix(w, "n't") {
				neg = true
			}
			if v, ok := numberWords[w]; ok {
				if !e.numbers[v] {
					return false, w
				}
				continue
			}
			if unicode.IsDigit([]rune(w)[0]) {
				continue // checked whole above ("5.5", "8:30")
			}
			if stopWords[w] || reportingWords[w] || negations[w] {
				continue
			}
			if !e.hasStem(w) {
				return false, w
			}
		}
		if i > 0 && !t.quoted && t.word != "" && unicode.IsUpper([]rune(t.word)[0]) {
			name := strings.Trim(t.word, `.,;:!?"'“”‘’()`)
			if !e.names[name] && !reportingWords[strings.ToLower(name)] && !isAcronym(name) && !e.allWords[strings.ToLower(name)] {
				return false, name
			}
		}
	}
	if neg && e.negated == 0 {
		return false, "a negation the sources do not make"
	}
	if !neg && e.sources > 0 && e.negated == e.sources {
		return false, "a dropped negation"
	}
	for _, q := range quotedParts(text) {
		qw := strings.Join(words(nil, q), " ")
		if qw != "" && !strings.Contains(e.lowered+" ", " "+qw+" ") {
			return false, "a quotation that is not the sources' words"
		}
	}
	return true, ""
}

// quotedParts returns the text between double quotation marks.
func quotedParts(s string) []string {
	s = strings.NewReplacer("“", `"`, "”", `"`).Replace(s)
	parts := strings.Split(s, `"`)
	var out []string
	for i := 1; i < len(parts); i += 2 {
		out = append(out, parts[i])
	}
	return out
}
