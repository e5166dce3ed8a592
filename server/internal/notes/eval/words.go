package eval

import (
	"regexp"
	"strings"
	"unicode"
)

// tokens splits text into lower-case words: letters, digits and inner
// apostrophes or hyphens. Contractions are split ("don't" -> "do", "not";
// "I'm" -> "i", "'m" dropped) so person and negation are seen.
func tokens(text string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\'' && r != '’'
	}) {
		w = strings.Trim(strings.ReplaceAll(w, "’", "'"), "'")
		if w == "" {
			continue
		}
		if base, ok := strings.CutSuffix(w, "n't"); ok {
			switch base {
			case "ca":
				base = "can"
			case "wo":
				base = "will"
			}
			out = append(out, base, "not")
			continue
		}
		if i := strings.IndexByte(w, '\''); i > 0 {
			w = w[:i] // 's, 'm, 're, 've, 'll, 'd: possessive or auxiliary
		}
		out = append(out, w)
	}
	return out
}

// functionWords carry no fact of their own; a note may add or drop them when
// it changes person or tense. Negations are NOT here: an added "not" is
// invention.
var functionWords = set(`a an the and or but so if then than as of at by for from in into on onto to with
	without about over under up down out off again also just very really still too this that these those there here
	be am is are was were been being do does did done have has had having will would shall should can could may
	might must i me my mine myself we us our ours ourselves you your yours yourself yourselves he him his himself
	she her hers herself it its itself they them their theirs themselves who whom whose which what when where why
	how all any both each some such only own same other another s t`)

// reportingWords are what a note may add to report speech in the third
// person ("Client reported that ...").
var reportingWords = set(`client clients patient pt clinician therapist counselor provider report reported reports
	reporting state stated states say said says note noted notes describe described describes share shared shares
	indicate indicated indicates`)

// irregular maps irregular past forms to the present, so tense changes are
// not counted as invention.
var irregular = map[string]string{
	"said": "say", "felt": "feel", "thought": "think", "went": "go", "gone": "go", "got": "get", "made": "make",
	"told": "tell", "began": "begin", "begun": "begin", "came": "come", "knew": "know", "known": "know",
	"slept": "sleep", "woke": "wake", "took": "take", "taken": "take", "gave": "give", "given": "give",
	"left": "leave", "kept": "keep", "ate": "eat", "ran": "run", "saw": "see", "seen": "see", "found": "find",
	"brought": "bring", "bought": "buy", "spent": "spend", "sat": "sit", "stood": "stand", "wrote": "write",
	"written": "write", "heard": "hear", "meant": "mean", "lost": "lose", "paid": "pay", "sent": "send",
	"built": "build", "drove": "drive", "driven": "drive", "fell": "fall", "fought": "fight", "held": "hold",
	"met": "meet", "spoke": "speak", "spoken": "speak", "understood": "understand", "wore": "wear", "won": "win",
	"cried": "cry", "tried": "try",
}

// stem reduces a word to a crude stem so inflection does not count as a
// change: plural and verb endings, a doubled final consonant, a final e.
func stem(w string) string {
	if r, ok := irregular[w]; ok {
		w = r
	}
	switch {
	case len(w) > 4 && strings.HasSuffix(w, "ies"):
		w = w[:len(w)-3] + "y"
	case len(w) > 5 && strings.HasSuffix(w, "ing"):
		w = w[:len(w)-3]
	case len(w) > 4 && strings.HasSuffix(w, "ied"):
		w = w[:len(w)-3] + "y"
	case len(w) > 4 && strings.HasSuffix(w, "ed"):
		w = w[:len(w)-2]
	case len(w) > 4 && strings.HasSuffix(w, "es") && strings.ContainsAny(w[len(w)-3:len(w)-2], "sxzh"):
		w = w[:len(w)-2]
	case len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us"):
		w = w[:len(w)-1]
	}
	if n := len(w); n > 3 && w[n-1] == w[n-2] && !strings.ContainsRune("aeiouls", rune(w[n-1])) {
		w = w[:n-1]
	}
	if n := len(w); n > 3 && w[n-1] == 'e' {
		w = w[:n-1]
	}
	return w
}

// contentStems returns the stems of text's content words.
func contentStems(text string) []string {
	var out []string
	for _, w := range tokens(text) {
		if !functionWords[w] {
			out = append(out, stem(w))
		}
	}
	return out
}

// invented counts the content words of text whose stem is in none of the
// source texts, reporting words aside; total is the number of content words.
func invented(text string, sources []string) (count, total int) {
	have := map[string]bool{}
	for _, s := range sources {
		for _, st := range contentStems(s) {
			have[st] = true
		}
	}
	for _, w := range tokens(text) {
		if functionWords[w] || reportingWords[w] {
			continue
		}
		total++
		if !have[stem(w)] {
			count++
		}
	}
	return count, total
}

// Filler patterns counted in note text. "like" counts only next to a comma
// ("it was, like, fine"); "sort of"/"kind of" only as a hedge, not after a
// determiner ("a kind of", "what sort of").
var (
	fillerRE = regexp.MustCompile(`(?i)\b(?:u+m+|u+h+|uhm|e+r+m?|h+m+|mm-?hm+|you know|i mean)\b|` +
		`\blike,|,\s*like\b|\b(?:sort|kind) of\b`)
	determiners = set(`a an the what this that any some every one same no which`)
)

// fillers counts the spoken fillers left in text.
func fillers(text string) int {
	n := 0
	for _, m := range fillerRE.FindAllStringIndex(text, -1) {
		w := strings.ToLower(text[m[0]:m[1]])
		if strings.HasSuffix(w, " of") {
			prev := tokens(text[:m[0]])
			if len(prev) > 0 && determiners[prev[len(prev)-1]] {
				continue
			}
		}
		n++
	}
	return n
}

var (
	personalPronouns = set(`i me my mine myself we us our ours ourselves you your yours yourself yourselves`)
	quoted           = regexp.MustCompile(`"[^"]*"|“[^”]*”`)
)

// pronouns counts first- and second-person pronouns outside quotation marks.
func pronouns(text string) int {
	n := 0
	for _, w := range tokens(quoted.ReplaceAllString(text, " ")) {
		if personalPronouns[w] {
			n++
		}
	}
	return n
}

func set(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}
