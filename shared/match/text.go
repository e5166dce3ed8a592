package match

import (
	"strings"
	"unicode"
)

// abbreviations expands the shorthand EHR forms use in labels and field
// names to the word the section vocabulary uses.
var abbreviations = map[string]string{
	"subj":       "subjective",
	"obj":        "objective",
	"obs":        "observation",
	"assess":     "assessment",
	"asmt":       "assessment",
	"assmt":      "assessment",
	"impr":       "impression",
	"interv":     "intervention",
	"intv":       "intervention",
	"resp":       "response",
	"beh":        "behavior",
	"behav":      "behavior",
	"behaviour":  "behavior",
	"behaviours": "behavior",
	"hx":         "history",
	"pt":         "patient",
	"cl":         "client",
	"tx":         "treatment",
	"txplan":     "treatment plan",
	"fu":         "follow up",
	"followup":   "follow up",
	"hpi":        "hpi",
	"cc":         "chief complaint",
	"prog":       "progress",
	"narr":       "narrative",
	"sess":       "session",
	"dx":         "diagnosis",
	"mins":       "minutes",
	"min":        "minutes",
	"hrs":        "hours",
	"tel":        "phone",
	"dob":        "birth",
	"ph":         "phone",
}

// stopwords carry no meaning in a label. They are only dropped from labels of
// several words, so a lone "A" still reads as the Assessment abbreviation.
var stopwords = map[string]bool{
	"the": true, "of": true, "and": true, "for": true, "to": true, "a": true,
	"an": true, "in": true, "on": true, "s": true, "or": true, "with": true,
	"enter": true, "here": true, "required": true, "optional": true,
	"field": true, "please": true, "your": true, "this": true, "type": true,
}

// splitWords lowers s and splits it into alphanumeric words, also at
// camelCase humps and letter/digit boundaries ("noteSubjective2" → note
// subjective 2), which is how field names and ids are written.
func splitWords(s string) []string {
	var words []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			words = append(words, string(cur))
			cur = cur[:0]
		}
	}
	runes := []rune(s)
	for i, r := range runes {
		switch {
		case unicode.IsLetter(r):
			if len(cur) > 0 {
				prev := runes[i-1]
				if unicode.IsDigit(prev) || (unicode.IsUpper(r) && unicode.IsLower(prev)) {
					flush()
				}
			}
			cur = append(cur, unicode.ToLower(r))
		case unicode.IsDigit(r):
			if len(cur) > 0 && !unicode.IsDigit(runes[i-1]) {
				flush()
			}
			cur = append(cur, r)
		case r == '/' && i > 0 && i+1 < len(runes) && runes[i-1] == 'f' && (runes[i+1] == 'u' || runes[i+1] == 'U'):
			// "f/u" is follow-up; keep it one word so it can be expanded.
		default:
			flush()
		}
	}
	flush()
	return words
}

// tokens normalises a label into comparable words: lower case, abbreviations
// expanded, plurals folded, stopwords dropped when other words remain.
func tokens(s string) []string {
	words := splitWords(s)
	var out []string
	for _, w := range words {
		if exp, ok := abbreviations[w]; ok {
			out = append(out, strings.Fields(exp)...)
			continue
		}
		out = append(out, w)
	}
	for i, w := range out {
		out[i] = stem(w)
	}
	if len(out) > 1 {
		kept := out[:0:0]
		for _, w := range out {
			if !stopwords[w] {
				kept = append(kept, w)
			}
		}
		if len(kept) > 0 {
			out = kept
		}
	}
	return out
}

// stem folds the inflections that separate otherwise identical labels
// ("Interventions" / "Intervention", "Goals" / "Goal").
func stem(w string) string {
	if len(w) > 4 && strings.HasSuffix(w, "ies") {
		return w[:len(w)-3] + "y"
	}
	if len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "is") && !strings.HasSuffix(w, "us") {
		return w[:len(w)-1]
	}
	return w
}

// wordSimilarity is 1 for the same word, 0.8 when one is a prefix of the other
// of at least four letters ("assess" / "assessment"), 0 otherwise.
func wordSimilarity(a, b string) float64 {
	if a == b {
		return 1
	}
	short, long := a, b
	if len(short) > len(long) {
		short, long = long, short
	}
	if len(short) >= 4 && strings.HasPrefix(long, short) {
		return 0.8
	}
	return 0
}

// phraseScore scores how well a label (as tokens) names a phrase (as tokens),
// in [0, 1]: 1 for the same words, about 0.8–0.95 when the label contains the
// whole phrase among other words, and a scaled word overlap otherwise.
func phraseScore(label, phrase []string) float64 {
	if len(label) == 0 || len(phrase) == 0 {
		return 0
	}
	// Single letters (S, O, A, P, D, B, I, R, G) only count as a whole label:
	// inside a longer label "a" is an article, not "Assessment".
	if len(phrase) == 1 && len(phrase[0]) == 1 {
		if len(label) == 1 && label[0] == phrase[0] {
			return 1
		}
		return 0
	}
	covered := 0.0 // how much of the phrase the label covers
	for _, p := range phrase {
		best := 0.0
		for _, l := range label {
			best = max(best, wordSimilarity(l, p))
		}
		covered += best
	}
	labelUsed := 0.0 // how much of the label the phrase explains
	for _, l := range label {
		best := 0.0
		for _, p := range phrase {
			best = max(best, wordSimilarity(l, p))
		}
		labelUsed += best
	}
	pc := covered / float64(len(phrase))
	lc := labelUsed / float64(len(label))
	switch {
	case pc == 1 && lc == 1:
		return 1
	case pc >= 0.8:
		// The label names the whole phrase plus other words:
		// "Subjective (client report)", "Client's response to intervention".
		return pc * (0.78 + 0.17*lc)
	default:
		// Partial overlap, weighted by both sides (Dice), kept below the
		// containment band so a full match always wins.
		return 0.7 * 2 * pc * lc / (pc + lc + 1e-9)
	}
}
