package notes

import (
	"slices"
	"strings"
)

// phrase words a unit as note text.
func (d *document) phrase(u unit) string {
	if len(u.sents) == 2 {
		// A clinician's question and a bare answer: both verbatim.
		q, a := u.sents[0], u.sents[1]
		return quote(d.speakerRef(q)+" asked", q.text) + " " + quote(d.speakerRef(a)+" stated", a.text)
	}
	return d.phraseSentence(u.sents[0])
}

// speakerRef names a sentence's speaker in the note: "Clinician",
// "Client", "Partner A", "Mom".
func (d *document) speakerRef(sn sentence) string {
	switch d.roleOf(sn) {
	case roleClinician:
		return "Clinician"
	case roleClient:
		name := d.speakers[sn.speaker].name
		l := strings.ToLower(name)
		if d.clients <= 1 && (l == "client" || l == "patient" || l == "pt" || strings.HasPrefix(l, "speaker")) {
			return "Client"
		}
		if isAcronym(name) && len(name) > 3 {
			return capitalize(strings.ToLower(name))
		}
		return name
	}
	if sn.kind == kindSummary {
		return "Clinician"
	}
	return "Speaker"
}

// addressee is who a clinician speaks to in the note: the client, or the
// partners or family together.
func (d *document) addressee() string {
	if d.clients <= 1 {
		return "client"
	}
	for _, s := range d.speakers {
		if s.role == roleClient && !strings.HasPrefix(strings.ToLower(s.name), "partner") {
			return "the family"
		}
	}
	return "the partners"
}

func (d *document) phraseSentence(sn sentence) string {
	switch d.roleOf(sn) {
	case roleClient:
		return d.phraseClient(sn)
	case roleClinician:
		return d.phraseClinician(sn)
	}
	toks := tokenize(sn.text)
	if sn.kind == kindSummary && !sn.bullet && !hasTerminalPunct(sn.text) {
		// A dictated sentence ended by the spoken "period", or a line.
		return d.phraseSentence(sentence{kind: sn.kind, text: sn.text + ".", speaker: -1, bullet: true})
	}
	if sn.kind == kindTranscript {
		if hasPronoun(toks) {
			return quote("Speaker stated", sn.text)
		}
		return sn.text
	}
	if !hasPronoun(toks) {
		return sn.text
	}
	conv, ok := convert(toks, summaryPersona)
	if !ok {
		return quote("Clinician noted", sn.text)
	}
	if t := &conv[0]; !t.quoted {
		t.word = capitalize(t.word)
	}
	return join(conv)
}

// clientPersona converts a client's own words: I becomes they.
var clientPersona = persona{iAgree: "they", repl: map[string]string{"i": "they", "me": "them", "my": "their", "mine": "theirs", "myself": "themselves"}}

// summaryPersona converts a clinician's own summary: I is the clinician,
// we the clinician and client.
var summaryPersona = persona{iAgree: "s", repl: map[string]string{"i": "Clinician", "me": "the clinician", "my": "the clinician's",
	"mine": "the clinician's", "myself": "the clinician", "we": "clinician and client", "us": "clinician and client", "our": "the"}}

func (d *document) phraseClient(sn sentence) string {
	ref := d.speakerRef(sn)
	if sn.question {
		return quote(ref+" asked", sn.text)
	}
	toks := dropLeadMarkers(tokenize(sn.text))
	if sn.risk || len(toks) < 4 || !sn.finite {
		return quote(ref+" stated", sn.text)
	}
	conv, ok := convert(toks, clientPersona)
	if !ok {
		return quote(ref+" stated", sn.text)
	}
	return ref + " reported that " + d.sentenceBody(conv)
}

func (d *document) phraseClinician(sn sentence) string {
	toks := dropLeadMarkers(tokenize(sn.text))
	if len(toks) == 0 {
		return quote("Clinician stated", sn.text)
	}
	switch sn.mood {
	case moodInstruction:
		if s, ok := d.instruction(toks); ok {
			return s
		}
	case moodRequest:
		if s, ok := d.request(toks); ok {
			return s
		}
		return quote("Clinician asked", sn.text)
	}
	if sn.question {
		return quote("Clinician asked", sn.text)
	}
	if len(toks) < 4 || !sn.finite || baseVerbs[strings.ToLower(toks[0].word)] {
		return quote("Clinician stated", sn.text)
	}
	p := d.clinicianPersona()
	conv, ok := convert(toks, p)
	if !ok || hasPronoun(conv) {
		return quote("Clinician stated", sn.text)
	}
	if strings.HasPrefix(conv[0].word, "Clinician") || strings.HasPrefix(conv[0].word, "clinician") {
		conv[0].word = capitalize(conv[0].word)
		body := d.sentenceBody(conv)
		return capitalize(body)
	}
	verb := "stated"
	if max(sn.scores[catObservation], sn.scores[catAssessment]) > sn.scores[catIntervention] {
		verb = "noted" // an observation or an impression, not something said to the client
	}
	return "Clinician " + verb + " that " + d.sentenceBody(conv)
}

func (d *document) clinicianPersona() persona {
	if d.personas[0].repl != nil {
		return d.personas[0]
	}
	p := persona{iAgree: "s", repl: map[string]string{"i": "Clinician", "me": "the clinician", "my": "the clinician's",
		"mine": "the clinician's", "myself": "the clinician"}}
	if d.clients <= 1 {
		for k, v := range map[string]string{"we": "clinician and client", "us": "clinician and client", "our": "the",
			"you": "client", "your": "client's", "yourself": "themselves"} {
			p.repl[k] = v
		}
		p.later = map[string]string{"you": "client", "your": "their"}
	}
	d.personas[0] = p
	return p
}

// bodyPersona converts an instruction's body, where "you" is whoever was
// just asked and "we" the clinician with them.
func (d *document) bodyPersona() persona {
	if d.personas[1].repl == nil {
		with := "clinician and " + d.addressee()
		d.personas[1] = persona{repl: map[string]string{"you": "they", "your": "their", "yourself": "themselves",
			"me": "the clinician", "my": "the clinician's", "we": with, "us": with, "our": "the"}}
	}
	return d.personas[1]
}

// instruction words "Before Thursday, try the bus ride on your own." as
// "Clinician asked client to try the bus ride on their own, before
// Thursday."
func (d *document) instruction(toks []token) (string, bool) {
	lw := func(i int) string { return strings.ToLower(toks[i].word) }
	var lead []token
	// An opening adverbial ended by a comma moves to the end.
	for i := 0; i < len(toks) && i < 6; i++ {
		if strings.HasSuffix(toks[i].trail, ",") && i+1 < len(toks) {
			w := words(nil, toks[i+1].word)
			if len(w) > 0 && (baseVerbs[w[0]] || w[0] == "let's" || w[0] == "i'd" || w[0] == "i") {
				h := lw(0)
				if h == "before" || h == "for" || h == "this" || h == "between" || h == "over" || h == "until" || h == "tonight" || h == "tomorrow" || h == "each" || h == "every" || h == "next" || h == "when" || h == "if" {
					lead = toks[:i+1]
					toks = toks[i+1:]
				}
			}
			break
		}
	}
	frame := "Clinician asked " + d.addressee() + " to "
	switch {
	case lw(0) == "let's":
		toks = toks[1:]
	case lw(0) == "let" && len(toks) > 1 && lw(1) == "us":
		toks = toks[2:]
	default:
		for _, p := range []string{"i'd like you both to", "i'd like both of you to", "i'd like you to", "i want you to", "i would like you to"} {
			n := len(strings.Fields(p))
			if len(toks) > n && hasPrefixWords(lowerWords(toks[:n]), p) {
				toks = toks[n:]
				break
			}
		}
	}
	if len(toks) == 0 {
		return "", false
	}
	body := d.bodyPersona()
	conv, ok := convert(slices.Clone(toks), body) // the caller may still use toks
	if !ok || hasPronoun(conv) {
		return "", false
	}
	if len(lead) > 0 {
		leadConv, ok := convert(slices.Clone(lead), body)
		if !ok || hasPronoun(leadConv) {
			return "", false
		}
		last := &conv[len(conv)-1]
		last.trail = strings.TrimRight(last.trail, ".!?…") + ","
		leadConv[len(leadConv)-1].trail = strings.TrimRight(leadConv[len(leadConv)-1].trail, ",")
		leadConv[0].word = lowerFirst(leadConv[0].word)
		conv = append(conv, leadConv...)
	}
	conv[0].word = lowerFirst(conv[0].word)
	return frame + d.sentenceBody(conv), true
}

func lowerWords(toks []token) []string {
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = strings.ToLower(strings.ReplaceAll(t.word, "’", "'"))
	}
	return out
}

// request words "Would you be willing to try it?" as "Clinician asked
// if client would be willing to try it." and "Could your brother keep
// the pills?" as "Clinician asked if client's brother could keep the
// pills."
func (d *document) request(toks []token) (string, bool) {
	var lead []token
	for i := 0; i+1 < len(toks) && i < 5 && len(toks) > 0 && !modals[strings.ToLower(toks[0].word)]; i++ {
		if strings.HasSuffix(toks[i].trail, ",") && modals[strings.ToLower(toks[i+1].word)] {
			lead, toks = toks[:i+1], toks[i+1:]
			break
		}
	}
	if len(toks) < 3 || !modals[strings.ToLower(toks[0].word)] {
		return "", false
	}
	modal := strings.ToLower(toks[0].word)
	rest := toks[1:]
	var subject []string
	switch strings.ToLower(rest[0].word) {
	case "you":
		subject = []string{d.addressee()}
		rest = rest[1:]
	case "your", "the", "someone":
		det := strings.ToLower(rest[0].word)
		n := 1
		for n < len(rest) && n <= 3 && !baseVerbs[strings.ToLower(rest[n].word)] && strings.ToLower(rest[n].word) != "be" {
			n++
		}
		if n >= len(rest) || n > 3 {
			return "", false
		}
		switch det {
		case "your":
			if d.clients > 1 {
				return "", false
			}
			subject = []string{"client's"}
		default:
			subject = []string{det}
		}
		for _, t := range rest[1:n] {
			subject = append(subject, t.String())
		}
		rest = rest[n:]
	default:
		return "", false
	}
	conv, ok := convert(slices.Clone(rest), d.bodyPersona()) // the caller may still use toks
	if !ok || hasPronoun(conv) || len(conv) == 0 {
		return "", false
	}
	if len(lead) > 0 {
		leadConv, ok := convert(slices.Clone(lead), d.bodyPersona())
		if !ok || hasPronoun(leadConv) {
			return "", false
		}
		conv[len(conv)-1].trail = strings.TrimRight(conv[len(conv)-1].trail, "?.!") + ","
		leadConv[len(leadConv)-1].trail = strings.TrimRight(leadConv[len(leadConv)-1].trail, ",")
		leadConv[0].word = lowerFirst(leadConv[0].word)
		conv = append(conv, leadConv...)
	}
	last := &conv[len(conv)-1]
	last.trail = strings.TrimRight(last.trail, "?") + "."
	return "Clinician asked if " + strings.Join(subject, " ") + " " + modal + " " + d.sentenceBody(conv), true
}

func hasTerminalPunct(text string) bool {
	t := strings.TrimRight(text, `"')]”’`)
	return t == "" || strings.ContainsAny(t[len(t)-1:], ".!?:;") || strings.HasSuffix(t, "…")
}
