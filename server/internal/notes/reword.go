package notes

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Rewording turns a cleaned source sentence into a note sentence in the
// third person. It changes only person, the verb agreement that follows,
// a reporting frame ("Client reported that", "Clinician asked client to")
// and leading discourse markers; it never adds or drops a fact, number,
// name, negation or time. A sentence it cannot convert safely (a client's
// "we" or "you", a risk statement, a fragment) is quoted verbatim after a
// reporting frame, where the first and second person are the speaker's own.

// persona says how one speaker's first- and second-person words read in
// the third person: repl maps "i", "me", "my", "mine", "myself", "we", "us",
// "our", "you", "your", "yourself" to their replacement ("" or missing:
// cannot convert); later replaces "you"/"your" after their first mention;
// iAgree says whether the verb after "I" takes -s ("s") or they-agreement
// ("they").
type persona struct {
	repl   map[string]string
	later  map[string]string
	iAgree string
}

// convertible are the pronouns a persona may replace.
var convertible = wordSet("i|me|my|mine|myself|we|us|our|you|your|yourself|yourselves")

var pronounWords = wordSet("i|me|my|mine|myself|we|us|our|ours|ourselves|you|your|yours|yourself|yourselves|i'm|i've|i'll|i'd|we're|we've|we'll|we'd|you're|you've|you'll|you'd|let's|y'all|ya")

// contractions of a subject pronoun: the pronoun and the verb it carries.
var pronounContractions = map[string][2]string{
	"i'm": {"i", "am"}, "i've": {"i", "have"}, "i'll": {"i", "will"}, "i'd": {"i", "would"},
	"we're": {"we", "are"}, "we've": {"we", "have"}, "we'll": {"we", "will"}, "we'd": {"we", "would"},
	"you're": {"you", "are"}, "you've": {"you", "have"}, "you'll": {"you", "will"}, "you'd": {"you", "would"},
}

var adverbs = wordSet("just|really|also|still|always|never|often|sometimes|usually|actually|probably|already|even|only|kind|sort|of|both|all|really|truly|definitely|maybe|then")

var irregularPast = wordSet("was|were|did|had|went|said|felt|thought|saw|got|made|took|came|knew|told|kept|left|found|gave|heard|meant|put|ran|sat|slept|spent|stood|understood|wrote|began|brought|bought|caught|taught|lost|met|paid|let|set|cut|hit|hurt|quit|shut|became|forgot|woke|drove|ate|fell|held|led|read|won|wore|tried")

var notVerbs = wordSet("the|a|an|to|not|and|or|but|that|this|these|those|in|on|at|for|with|about|from|by|as|so|if|because|when|while|guys|two|both|all|there|here|too|again|know|either|neither|next|last|very|much|more|less|well|now|today|tomorrow|tonight|ago|always|a|each|every|some|any|no|one|first|right|okay|ok|how|what|who|why|where")

// agree3sg returns verb v as it reads after a third-person singular subject.
func agree3sg(v string) (string, bool) {
	switch v {
	case "am", "are", "'re":
		return "is", true
	case "were":
		return "was", true
	case "have":
		return "has", true
	case "do":
		return "does", true
	case "don't":
		return "doesn't", true
	case "haven't":
		return "hasn't", true
	case "aren't":
		return "isn't", true
	case "weren't":
		return "wasn't", true
	}
	if modals[v] || irregularPast[v] || notVerbs[v] || strings.HasSuffix(v, "ed") || strings.HasSuffix(v, "n't") ||
		strings.HasSuffix(v, "s") || strings.ContainsAny(v, "'’-") || !isLowerWord(v) {
		return v, false
	}
	switch {
	case strings.HasSuffix(v, "sh") || strings.HasSuffix(v, "ch") || strings.HasSuffix(v, "x") || strings.HasSuffix(v, "z") || strings.HasSuffix(v, "o"):
		return v + "es", true
	case len(v) > 2 && strings.HasSuffix(v, "y") && !strings.ContainsRune("aeiou", rune(v[len(v)-2])):
		return v[:len(v)-1] + "ies", true
	}
	return v + "s", true
}

// agreeThey returns verb v as it reads after "they" replacing "I".
func agreeThey(v string) (string, bool) {
	switch v {
	case "am", "'m":
		return "are", true
	case "was":
		return "were", true
	case "wasn't":
		return "weren't", true
	}
	return v, false
}

func isLowerWord(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < 'a' || r > 'z' {
			return false
		}
	}
	return true
}

// token is a word with the punctuation around it.
type token struct {
	lead, word, trail string
	quoted            bool // inside quotation marks in the source
}

func tokenize(text string) []token {
	out := make([]token, 0, strings.Count(text, " ")+1)
	inQuote := false
	lastOpen := 0
	for rest := text; rest != ""; {
		var f string
		rest = strings.TrimLeft(rest, " \t\n\r")
		if rest == "" {
			break
		}
		if i := strings.IndexAny(rest, " \t\n\r"); i >= 0 {
			f, rest = rest[:i], rest[i:]
		} else {
			f, rest = rest, ""
		}
		lead := ""
		for len(f) > 0 && strings.ContainsAny(f[:1], `"'(“‘[`) {
			if strings.HasPrefix(f, "“") || strings.HasPrefix(f, "‘") {
				lead += f[:3]
				f = f[3:]
				continue
			}
			lead += f[:1]
			f = f[1:]
		}
		w, trail := trailingPunct(f)
		t := token{lead: lead, word: w, trail: trail}
		opens := strings.Contains(lead, `"`) || strings.Contains(lead, "“")
		if opens && !inQuote {
			inQuote = true
			lastOpen = len(out)
		}
		t.quoted = inQuote
		if strings.Contains(trail, `"`) || strings.Contains(trail, "”") {
			inQuote = false
		}
		out = append(out, t)
	}
	if inQuote {
		// A quotation mark that is never closed quotes nothing.
		for i := lastOpen; i < len(out); i++ {
			out[i].quoted = false
		}
	}
	return out
}

func (t token) String() string { return t.lead + t.word + t.trail }

func join(toks []token) string {
	parts := make([]string, 0, len(toks))
	for _, t := range toks {
		if s := t.String(); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, " ")
}

// convert rewrites the first and second person of toks for persona p, in
// place (toks is spent). It reports false when a pronoun is left that p
// cannot convert.
func convert(toks []token, p persona) ([]token, bool) {
	// In place: a token is read before its slot is written again.
	out := toks[:0]
	agree := ""      // "s" or "they": the next verb must agree
	youSeen := false // "you" was already named once
	for _, t := range toks {
		lw := lowerWord(t.word)
		if t.quoted || lw == "" {
			out = append(out, t)
			continue
		}
		if agree != "" && pronounWords[lw] {
			agree = ""
		}
		if agree != "" {
			if adverbs[lw] {
				out = append(out, t)
				continue
			}
			var v string
			var changed bool
			if agree == "s" {
				v, changed = agree3sg(lw)
			} else {
				v, changed = agreeThey(lw)
			}
			agree = ""
			if changed {
				t.word = matchCase(t.word, v)
			}
			out = append(out, t)
			continue
		}
		subject, verb := lw, ""
		if c, ok := pronounContractions[lw]; ok {
			subject, verb = c[0], c[1]
		}
		if !convertible[subject] {
			if pronounWords[lw] {
				return nil, false
			}
			out = append(out, t)
			continue
		}
		key := subject
		if key == "yourselves" {
			key = "yourself"
		}
		repl := p.repl[key]
		switch key {
		case "i":
			agree = p.iAgree
		case "you", "your":
			if l := p.later[key]; youSeen && l != "" {
				repl = l
			}
			youSeen = true
			if key == "you" {
				agree = "s"
				if repl == "they" || repl == "them" || strings.Contains(repl, " and ") || strings.HasPrefix(repl, "the partners") {
					agree = ""
				}
			}
		}
		if repl == "" {
			return nil, false
		}
		if verb != "" {
			if agree == "s" {
				verb, _ = agree3sg(verb)
			} else if agree == "they" {
				verb, _ = agreeThey(verb)
			}
			agree = ""
			t.word = repl + " " + verb
		} else {
			t.word = repl
		}
		out = append(out, t)
	}
	if hasPronoun(out) {
		return nil, false // a pronoun run together with other characters
	}
	return out, true
}

// matchCase gives repl the capitalisation of orig's first letter.
func matchCase(orig, repl string) string {
	if orig != "" && orig[0] >= 'A' && orig[0] <= 'Z' {
		return capitalize(repl)
	}
	return repl
}

// dropLeadMarkers removes discourse markers before the content ("So,",
// "Yeah,", "And", "I mean,") but never "no".
func dropLeadMarkers(toks []token) []token {
	for len(toks) > 1 {
		if !leadMarkerFirst[lowerWord(toks[0].word)] {
			return toks
		}
		n := 0
		for mi, mw := range leadMarkerWords {
			if len(toks) <= len(mw) {
				continue
			}
			ok := true
			for k, w := range mw {
				if strings.ToLower(toks[k].word) != w || toks[k].quoted {
					ok = false
					break
				}
			}
			// "Good," is a marker; "Good processing" is content.
			if ok && mi >= bareMarkers && !strings.HasPrefix(toks[len(mw)-1].trail, ",") {
				ok = false
			}
			if ok && (len(mw) > n) {
				n = len(mw)
			}
		}
		if n == 0 {
			return toks
		}
		toks = toks[n:]
		toks[0].lead = strings.TrimLeft(toks[0].lead, " ")
	}
	return toks
}

// sentenceBody returns toks as a clause to follow "that" or "to": the first
// word lowercased unless it is a name or an acronym, the end punctuation
// a full stop.
func (d *document) sentenceBody(toks []token) string {
	if len(toks) == 0 {
		return ""
	}
	first := toks[0].word
	name := first
	if i := strings.IndexAny(name, "'’-"); i > 0 {
		name = name[:i]
	}
	lname := strings.ToLower(name)
	// A capitalised first word that the sources never write in lower case
	// and that is no common word is taken for a name ("Marta asked ...").
	likelyName := !stopWords[lname] && !d.lowerSeen[lname] && !baseVerbs[lname] && !adverbs[lname] && !leadMarkerSet[lname] &&
		!commonStarters[lname] && !hasAnySuffix(lname, "ly", "wards", "ward", "ing", "ed", "ness", "ment", "tion", "s")
	if !d.names[name] && !likelyName && !isAcronym(first) && !strings.HasPrefix(first, "Clinician") && first != "I" {
		toks[0].word = lowerFirst(first)
	}
	last := &toks[len(toks)-1]
	if !last.quoted || !strings.ContainsAny(last.trail, `"”`) {
		last.trail = strings.TrimRight(last.trail, ".!?…,;:") + "."
		if strings.HasSuffix(last.trail, "..") {
			last.trail = strings.TrimSuffix(last.trail, ".")
		}
	}
	return join(toks)
}

func isAcronym(w string) bool {
	letters := 0
	for _, r := range w {
		if r >= 'a' && r <= 'z' {
			return false
		}
		if r >= 'A' && r <= 'Z' {
			letters++
		}
	}
	return letters >= 2
}

// quote renders frame + ", " + the sentence in double quotation marks, its
// own double quotes turned into single ones.
func quote(frame, text string) string {
	text = innerQuotes.Replace(text)
	if !strings.ContainsAny(text[len(text)-1:], ".!?…") && !strings.HasSuffix(text, "…") {
		text += "."
	}
	return frame + `, "` + text + `"`
}

// commonStarters are words that often start a sentence and are no name.
var commonStarters = wordSet("afterward|yesterday|today|tonight|tomorrow|later|sometimes|mostly|most|every|each|last|next|since|once|even|maybe|probably|honestly|actually|basically|everything|nothing|something|everyone|everybody|nobody|someone|people|work|school|home|sleep|mom|dad|mum|not|no|yes|never|nowhere|somehow|anyway|again|first|second|third|then|now|lately|recently|overall|apparently|luckily|unfortunately|thankfully|besides|instead|otherwise|meanwhile|sorry|sure|fine|pretty|one|two|three|four|five|six|seven|eight|nine|ten|half|both|either|neither|thank|please|hopefully|definitely|totally|literally|kinda|like|just|only|much|more|less|few|several|many|some|any|all")

func hasAnySuffix(w string, suffixes ...string) bool {
	for _, s := range suffixes {
		if strings.HasSuffix(w, s) {
			return true
		}
	}
	return false
}

var leadMarkerSet = wordSet(strings.Join(leadMarkers, "|"))

// leadMarkerFirst are the first words of leadMarkers.
var leadMarkerFirst = func() map[string]bool {
	m := map[string]bool{}
	for _, mw := range leadMarkerWords {
		m[mw[0]] = true
	}
	return m
}()

// lowerWord lowercases w, with a typographic apostrophe made straight.
func lowerWord(w string) string {
	if strings.Contains(w, "’") {
		w = strings.ReplaceAll(w, "’", "'")
	}
	for i := 0; i < len(w); i++ {
		if c := w[i]; c >= 'A' && c <= 'Z' || c >= 0x80 {
			return strings.ToLower(w)
		}
	}
	return w
}

var innerQuotes = strings.NewReplacer(`"`, "'", "“", "‘", "”", "’")

// bareMarkers: leadMarkers from this index on are markers only when a comma
// follows them.
var bareMarkers = 5

var leadMarkerWords = func() [][]string {
	out := make([][]string, len(leadMarkers))
	for i, m := range leadMarkers {
		out[i] = strings.Fields(m)
	}
	return out
}()

// hasPronoun reports whether a first- or second-person word is left
// outside quotation marks.
func hasPronoun(toks []token) bool {
	for _, t := range toks {
		if t.quoted {
			continue
		}
		w := lowerWord(t.word)
		if pronounWords[w] {
			return true
		}
		if isLowerWord(strings.ReplaceAll(w, "'", "")) {
			continue
		}
		// "0We", "I/we": a pronoun run together with digits or symbols.
		for _, part := range strings.FieldsFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' }) {
			if pronounWords[part] || pronounWords[strings.Trim(part, "'")] {
				return true
			}
		}
	}
	return false
}

// lowerFirst lowercases the first letter of w.
func lowerFirst(w string) string {
	r, n := utf8.DecodeRuneInString(w)
	if r == utf8.RuneError || !unicode.IsUpper(r) {
		return w
	}
	return string(unicode.ToLower(r)) + w[n:]
}
