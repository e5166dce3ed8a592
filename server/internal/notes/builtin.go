package notes

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/sidenote/sidenote/shared/note"
)

// Builtin is the default generator: offline, deterministic and explainable.
// It splits the summary and transcript into sentences, notes who said each
// one, cleans spoken fillers out, reads its mood (an instruction, a request,
// a question, a statement) and tense, scores it against cue lists (cues.go)
// weighted by clause, and puts it in the template section whose weights
// favour its categories. Each sentence is then worded as a note sentence in
// the third person (reword.go). What goes in no section is listed in
// Result.LeftOut with the reason.
type Builtin struct{}

// NewBuiltin returns the built-in generator.
func NewBuiltin() Builtin { return Builtin{} }

// Name implements Generator.
func (Builtin) Name() string { return "builtin" }

// Generate implements Generator.
func (b Builtin) Generate(ctx context.Context, t note.Template, src Source) (Result, error) {
	if src.empty() {
		return Result{}, ErrNoSource
	}
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	doc := analyze(src)
	res := doc.compose(t, assignByCues(t, doc))
	res.Generator = b.Name()
	return res, nil
}

// role is who spoke a sentence.
type role uint8

const (
	roleUnknown   role = iota // a summary, or a transcript without labels
	roleClinician             // "Clinician:", "Therapist:", "Dr. Lee:"
	roleClient                // any other labelled speaker
)

// sentence is one sentence of a source.
type sentence struct {
	kind       sourceKind
	start, end int    // byte range in the source text
	text       string // cleanSpan of that range
	lower      string // text in lower case
	speaker    int    // index into document.speakers, -1 when unlabelled
	labelStart int    // byte range of the speaker label "Partner A" in the transcript
	labelEnd   int
	turn       int // transcript turn number, -1 for the summary
	question   bool
	bullet     bool
	risk       bool
	future     bool // looks ahead ("this week", "will")
	past       bool // reports something done ("finished")
	score      bool // gives a measure's score ("PHQ-9 = 16")
	finite     bool // has a subject or finite verb: not a fragment
	reported   bool // the main clause reports speech: "Client reports that ..."
	mood       mood
	head       int8   // category announced by the summary heading above it, -1 for none
	ctx        string // a client sentence: the clinician's previous move ("plan", "question", ...)
	third      uint8  // which third of its source the sentence is in: 0, 1, 2
	// afterIntervention is set once the clinician has intervened earlier in
	// the transcript: the client's words are then often a response.
	afterIntervention bool
	scores            scores
}

// unit is what gets placed in a section: one sentence, or a clinician's
// question with a bare answer ("No.") that means nothing without it.
// leave, when set, is the LeftOut reason: the unit goes in no section.
type unit struct {
	sents  []sentence
	scores scores
	leave  string
	dupOf  int // 1 + index of the unit a duplicate repeats word for word, 0 for none
}

type speaker struct {
	name string
	role role
}

// document is the analysed source: units in source order (summary first,
// then transcript).
type document struct {
	src      Source
	units    []unit
	speakers []speaker
	clients  int // number of distinct client speakers
	// sentences counts the sentences of each source.
	sentences [2]int
	risk      bool
	// names are words written capitalised inside a sentence (names, places):
	// rewording keeps their capital when they start a clause.
	names map[string]bool
	// lowerSeen are words the sources write in lower case.
	lowerSeen map[string]bool
	// chatter is set while the transcript is in small talk: a short
	// sentence without clinical cues that follows it is small talk too.
	chatter bool
	// dictation is set when the summary is dictated (spoken punctuation).
	dictation bool
	// personas caches how the clinician's words and an instruction's body
	// are converted (phrase.go).
	personas [2]persona
	// phrased holds each unit's wording once composed (compose.go).
	phrased []string
	// names4 caches the model's other feature names; fw is a word buffer.
	names4 map[[4]string]string
	fw     []string
	// wordFeatures caches the model's word feature names.
	wordFeatures map[string]string
	ws           []string
	cw           []float32
}

func (d *document) text(kind sourceKind) string {
	if kind == kindTranscript {
		return d.src.Transcript
	}
	return d.src.Summary
}

func analyze(src Source) *document {
	d := &document{src: src, names: map[string]bool{}, lowerSeen: map[string]bool{}}
	d.analyzeSummary()
	d.analyzeTranscript()
	d.markDuplicates()
	for i := range d.units {
		for _, sn := range d.units[i].sents {
			d.sentences[sn.kind]++
		}
	}
	for i := range d.units {
		for k := range d.units[i].sents {
			sn := &d.units[i].sents[k]
			if n := len(d.text(sn.kind)); n > 0 {
				sn.third = uint8(min(2, 3*sn.start/n))
			}
		}
	}
	return d
}

// headingAt matches a known heading ("Plan:", "Check-in:", "O:") at the
// start of a line or after the end of a sentence; group 1 is the heading.
var headingAt = regexp.MustCompile(`(?m)(?:^|[.!?]\s+)[ \t]*([A-Za-z][A-Za-z /-]{0,40}?)[ \t]*:(?:[ \t]|$)`)

// headingCats maps a heading a clinician typed to the category it announces.
var headingCats = func() map[string]category {
	m := map[string]category{}
	byKey := map[string]category{
		"subjective": catReport, "data": catReport, "behavior": catObservation,
		"objective": catObservation, "assessment": catAssessment, "plan": catPlan,
		"goal": catGoal, "intervention": catIntervention, "response": catResponse,
	}
	for _, t := range note.Templates() {
		for _, s := range t.Sections {
			c, ok := byKey[s.Key]
			if !ok {
				continue
			}
			for _, name := range append([]string{s.Key, s.Title}, s.Aliases...) {
				m[strings.ToLower(name)] = c
			}
		}
	}
	for name, c := range map[string]category{
		"check-in": catReport, "check in": catReport, "checkin": catReport, "update": catReport, "history": catReport,
		"risk": catAssessment, "risk assessment": catAssessment, "safety": catAssessment, "safety plan": catPlan,
		"homework": catPlan, "next steps": catPlan, "next session": catPlan, "observations": catObservation,
		"presentation": catObservation, "mse": catObservation, "mental status": catObservation, "scores": catObservation,
		"measures": catObservation, "interventions": catIntervention, "techniques": catIntervention,
		"focus": catGoal, "session focus": catGoal, "goals": catGoal, "progress": catProgress, "impression": catAssessment,
		"s": catReport, "o": catObservation, "a": catAssessment, "p": catPlan, "d": catReport,
	} {
		m[name] = c
	}
	return m
}()

// dictationCmd is a spoken dictation command that ends a sentence.
var dictationCmd = regexp.MustCompile(`(?i)[ ,]*\b(period|full stop|new paragraph|next paragraph|new line)\b[.,]?`)

// dictationPreamble is a dictation's spoken preamble or sign-off.
var dictationPreamble = regexp.MustCompile(`(?i)^((okay|ok|so|alright)[, ]+)?(this is (dr\.? |doctor )?\w+ dictating|this is (the|a) (note|dictation|progress note)|dictation (for|of)|dictating (a|the) (note|progress)|end (of )?(the )?dictation|that's (the )?end of (the )?(note|dictation)|start(ing)? (the )?(dictation|note|progress note)|(that's it,? )?end (of )?(the )?(note|dictation))`)

// spokenHeading is a heading said in a dictation: "Plan colon, ...".
var spokenHeading = regexp.MustCompile(`(?i)(?:^|[.!?]\s+|\b(?:period|paragraph)\s+)([A-Za-z][A-Za-z /-]{0,40}?)\s+colon\b[,.]?`)

// spokenComma is a comma said in a dictation.
var spokenComma = regexp.MustCompile(`(?i)\s+comma\b,?`)

// analyzeSummary splits the summary into sentences. A known heading gives
// the sentences up to the next heading a strong prior for its category; the
// heading itself is structure, not copied.
func (d *document) analyzeSummary() {
	s := d.src.Summary
	type region struct {
		from, to int
		prior    scores
		head     int8
	}
	var regions []region
	cur := region{from: 0, head: -1}
	dictation := len(dictationCmd.FindAllStringIndex(s, 3)) >= 2
	headings := headingAt.FindAllStringSubmatchIndex(s, -1)
	if dictation {
		headings = append(headings, spokenHeading.FindAllStringSubmatchIndex(s, -1)...)
		slices.SortFunc(headings, func(a, b []int) int { return a[0] - b[0] })
	}
	d.dictation = dictation
	for _, m := range headings {
		c, ok := headingCats[strings.ToLower(strings.TrimSpace(s[m[2]:m[3]]))]
		if !ok {
			continue
		}
		cur.to = m[2]
		regions = append(regions, cur)
		cur = region{from: m[1], head: int8(c)}
		cur.prior[c] = headingPrior
	}
	cur.to = len(s)
	regions = append(regions, cur)
	for _, r := range regions {
		for _, part := range d.dictationParts(s, r.from, r.to, dictation) {
			splitSentences(s, part[0], part[1], func(start, end int) {
				sn := sentence{kind: kindSummary, start: start, end: end, speaker: -1, turn: -1, labelStart: -1, labelEnd: -1, bullet: bulletAt(s, start), head: r.head}
				u := d.fill(&sn, roleUnknown)
				sn.scores.add(r.prior)
				if u.leave == "" && len(d.units) == 0 && dictationPreamble.MatchString(sn.text) || dictationPreamble.MatchString(sn.text) && strings.Contains(strings.ToLower(sn.text), "end") {
					u.leave = note.LeftOutDictation
				}
				u.sents, u.scores = []sentence{sn}, sn.scores
				d.units = append(d.units, u)
			})
		}
	}
}

// dictationParts cuts [from, to) at spoken commands ("period", "new
// paragraph") when the summary is a dictation; the commands are left out of
// every sentence.
func (d *document) dictationParts(s string, from, to int, dictation bool) [][2]int {
	if !dictation {
		return [][2]int{{from, to}}
	}
	var out [][2]int
	at := from
	for _, m := range dictationCmd.FindAllStringIndex(s[from:to], -1) {
		ms, me := from+m[0], from+m[1]
		prev := words(nil, s[max(from, ms-12):ms])
		if len(prev) > 0 && notCommandBefore[prev[len(prev)-1]] {
			continue
		}
		out = append(out, [2]int{at, ms})
		at = me
	}
	return append(out, [2]int{at, to})
}

var notCommandBefore = wordSet("a|the|this|that|each|every|per|menstrual|waiting|grace|trial|long|short|same|whole")

// fill cleans and scores a sentence of speaker role r and returns its unit
// with a leave reason when it carries nothing to document.
func (d *document) fill(sn *sentence, r role) unit {
	raw := d.text(sn.kind)[sn.start:sn.end]
	sn.text = cleanSpan(sn.kind, raw)
	if d.dictation && sn.kind == kindSummary {
		sn.text = spokenComma.ReplaceAllString(sn.text, ",")
	}
	if sn.text == "" {
		return unit{leave: note.LeftOutFillerOnly}
	}
	d.ws = words(d.ws[:0], sn.text)
	if len(d.ws) == 0 {
		return unit{leave: note.LeftOutFillerOnly}
	}
	d.collectNames(sn.text)
	d.cw = clauseWeights(d.cw, sn.text, len(d.ws))
	sn.scores = defaultCues.score(d.ws, d.cw)
	sn.question = strings.HasSuffix(strings.TrimRight(sn.text, `"')”’`), "?")
	sn.mood = moodOf(d.ws, sn.text, sn.question)
	sn.lower = strings.ToLower(sn.text)
	sn.risk = mentionsRisk(sn.text, sn.lower, d.ws)
	sn.future, sn.past, sn.finite = lookingAhead(d.ws), reportsDone(d.ws), hasFinite(d.ws)
	sn.reported = reportFrame(d.ws)
	sn.score = strings.ContainsAny(sn.text, "0123456789") && scoreRe.MatchString(sn.text)
	if sn.risk {
		d.risk = true
	}
	cueTotal := sn.scores.total()
	d.adjust(sn, r)
	switch {
	case sn.risk:
		return unit{}
	case isAcknowledgement(d.ws):
		if allIn(d.ws, fillerOnlyWords) {
			return unit{leave: note.LeftOutFillerOnly}
		}
		return unit{leave: note.LeftOutSmallTalk}
	case smallTalkFirst[d.ws[0]] && (len(d.ws) <= 8 || cueTotal < 2) && smallTalkRe.MatchString(strings.TrimLeft(sn.lower, `"'“`)):
		return unit{leave: note.LeftOutSmallTalk}
	case sn.kind == kindTranscript && cueTotal < 2 && anyIn(d.ws, connectionHints) && connectionRe.MatchString(sn.lower):
		return unit{leave: note.LeftOutSmallTalk}
	case sn.kind == kindTranscript && d.chatter && len(d.ws) <= 8 && cueTotal < 1.5 && !seeYouRe.MatchString(sn.lower):
		return unit{leave: note.LeftOutSmallTalk}
	}
	return unit{}
}

// adjust applies what the speaker, mood and tense say about a sentence.
func (d *document) adjust(sn *sentence, r role) {
	if sn.reported && r != roleClinician {
		// "Client reports that she arrived late": what the client said,
		// not what the clinician saw or did in the room.
		sn.scores[catObservation] *= 0.2
		sn.scores[catIntervention] *= 0.2
	}
	future := sn.future
	switch {
	case sn.mood == moodInstruction && r != roleClient:
		if future || r == roleUnknown || sn.scores[catIntervention] == 0 && !strings.HasPrefix(d.ws[0], "let") {
			sn.scores[catPlan] += moodPrior
		} else {
			sn.scores[catIntervention] += moodPrior
		}
	case sn.mood == moodRequest && r != roleClient:
		if future || sn.risk || sn.scores[catPlan] > 0 {
			sn.scores[catPlan] += moodPrior
		} else {
			sn.scores[catIntervention] += moodPrior
		}
	case r == roleClient && !future:
		// A client's "I'll see his coat and fall apart" or "we'll see" is
		// not a plan: a client's plan names a time or an agreement.
		sn.scores[catPlan] *= 0.3
	case r == roleUnknown && !future && sn.past:
		sn.scores[catPlan] *= 0.3
	}
	switch r {
	case roleClinician:
		sn.scores[catIntervention] += clinicianInterventPrior
	case roleClient:
		sn.scores[catReport] += clientReportPrior
	}
}

func anyIn(ws []string, set map[string]bool) bool {
	for _, w := range ws {
		if set[w] {
			return true
		}
	}
	return false
}

func allIn(ws []string, set map[string]bool) bool {
	for _, w := range ws {
		if !set[w] {
			return false
		}
	}
	return true
}

// collectNames remembers capitalised words that do not start the sentence
// (names) and words written in lower case.
func (d *document) collectNames(text string) {
	for i := 1; i < len(text); i++ {
		if text[i-1] != ' ' && text[i-1] != '"' && text[i-1] != '(' {
			continue
		}
		if text[i] >= 'a' && text[i] <= 'z' {
			j := i
			for j < len(text) && text[j] >= 'a' && text[j] <= 'z' {
				j++
			}
			d.lowerSeen[text[i:j]] = true
			i = j
			continue
		}
		if text[i] < 'A' || text[i] > 'Z' {
			continue
		}
		j := i
		for j < len(text) && (text[j] >= 'A' && text[j] <= 'Z' || text[j] >= 'a' && text[j] <= 'z' || text[j] == '-' || text[j] >= 0x80) {
			j++
		}
		if w := text[i:j]; w != "I" {
			d.names[w] = true
		}
		i = j
	}
}

func (d *document) roleOf(sn sentence) role {
	if sn.speaker < 0 {
		return roleUnknown
	}
	return d.speakers[sn.speaker].role
}

// analyzeTranscript splits the transcript into speaker turns and sentences.
// A clinician's question is left out (its answer carries the content)
// unless it is a request, a risk screen or otherwise clinical; a bare
// answer ("No.") to a kept question goes with it.
func (d *document) analyzeTranscript() {
	s := d.src.Transcript
	if strings.TrimSpace(s) == "" {
		return
	}
	turns := d.parseTurns(s)
	lastQuestion := -1  // index in d.units of a kept clinician question awaiting its answer
	lastLeft := -1      // index in d.units of a left-out clinician question awaiting its answer
	chatter := false    // the last clinician question was small talk
	clinicianMove := "" // what the clinician last did, for the client's reply
	intervened := false
	for ti, t := range turns {
		r := roleUnknown
		if t.speaker >= 0 {
			r = d.speakers[t.speaker].role
		}
		firstInTurn := true
		var prev scores
		for _, sg := range t.segs {
			splitSentences(s, sg[0], sg[1], func(start, end int) {
				sn := sentence{kind: kindTranscript, start: start, end: end, speaker: t.speaker, turn: ti, labelStart: t.labelStart, labelEnd: t.labelE, head: -1, bullet: bulletAt(s, start)}
				if r == roleClient {
					sn.ctx = clinicianMove
				}
				sn.afterIntervention = intervened
				u := d.fill(&sn, r)
				answering := firstInTurn && r == roleClient
				firstInTurn = false
				if u.leave == "" && sn.scores.total() < 2 && r == roleClient {
					// Little to go on: a sentence continues its turn's topic.
					var carry scores
					carry.add(prev)
					for i := range carry {
						carry[i] *= 0.5
					}
					sn.scores.add(carry)
				}
				prev = sn.scores
				switch {
				case answering && lastQuestion >= 0 && (u.leave == note.LeftOutSmallTalk || u.leave == note.LeftOutFillerOnly ||
					!sn.risk && (len(d.ws) <= 2 || d.units[lastQuestion].sents[0].risk && len(d.ws) <= 8)):
					// The answer to a risk question stays with the question.
					q := &d.units[lastQuestion]
					q.sents = append(q.sents, sn)
					lastQuestion = -1
					return
				case answering && lastLeft >= 0 && isYesNo(d.ws):
					// "Did you drink this week?" "No.": the answer means
					// nothing without its question, so both are kept.
					q := &d.units[lastLeft]
					q.leave = ""
					q.sents = append(q.sents, sn)
					lastLeft = -1
					return
				case answering && chatter && u.leave == "" && !sn.risk && sn.scores.total() <= clientReportPrior+0.5:
					u.leave = note.LeftOutSmallTalk
				case u.leave != "":
				case sn.question && r == roleClinician:
					switch {
					case sn.risk:
					case genericQuestionRe.MatchString(sn.lower):
						u.leave = note.LeftOutQuestion
					case sn.mood == moodRequest || sn.scores[catPlan] > 0 && sn.mood != moodQuestion:
					case smallTalkTopic.MatchString(sn.lower):
						u.leave = note.LeftOutSmallTalk
						chatter = true
					case clinicalQuestionRe.MatchString(sn.lower) || len(d.ws) >= 10:
					default:
						u.leave = note.LeftOutQuestion
					}
				}
				switch {
				case isAcknowledgement(d.ws):
				case u.leave == note.LeftOutSmallTalk:
					d.chatter = !sn.question || chatter || d.chatter || smallTalkTopic.MatchString(sn.lower)
				default:
					d.chatter = false
				}
				if r == roleClinician {
					clinicianMove = moveOf(sn, u.leave)
					intervened = intervened || clinicianMove == "intervention" || clinicianMove == "observation" || clinicianMove == "assessment"
					chatter = chatter && u.leave == note.LeftOutSmallTalk
					lastQuestion, lastLeft = -1, -1
					if u.leave == "" && sn.question {
						lastQuestion = len(d.units)
					}
					if u.leave == note.LeftOutQuestion {
						lastLeft = len(d.units)
					}
				} else if r == roleClient {
					chatter = false
				}
				u.sents, u.scores = []sentence{sn}, sn.scores
				d.units = append(d.units, u)
			})
		}
	}
	for i := range d.units {
		u := &d.units[i]
		if len(u.sents) > 1 {
			u.scores = scores{}
			for _, sn := range u.sents {
				u.scores.add(sn.scores)
			}
		}
	}
}

// isYesNo reports whether ws is a bare yes or no ("No.", "Yeah, sometimes.").
func isYesNo(ws []string) bool {
	if len(ws) == 0 || len(ws) > 2 {
		return false
	}
	for _, w := range ws {
		if !yesNoWords[w] {
			return false
		}
	}
	return true
}

var yesNoWords = wordSet("yes|yeah|yep|yup|no|nope|nah|sometimes|never|not|really|once|twice|a|little|bit|lot|some|kind|of|maybe")

// moveOf names a clinician sentence's move: its reason to be left out, or
// its strongest category.
func moveOf(sn sentence, leave string) string {
	if leave != "" {
		return leave
	}
	best := category(0)
	for c := range numCategories {
		if sn.scores[c] > sn.scores[best] {
			best = c
		}
	}
	return best.String()
}

// markDuplicates leaves out a sentence that repeats an earlier kept one.
func (d *document) markDuplicates() {
	seen := map[string]int{} // lower-case text and speaker -> first unit
	for i := range d.units {
		u := &d.units[i]
		sn := u.sents[0]
		if u.leave != "" || len(u.sents) != 1 || len(sn.lower) < 12 || strings.Count(sn.lower, " ") < 3 {
			continue
		}
		k := sn.lower + "\x00" + strconv.Itoa(sn.speaker)
		if first, ok := seen[k]; ok && !sn.risk {
			u.leave = note.LeftOutDuplicate
			u.dupOf = first + 1
			continue
		}
		seen[k] = i
	}
}

// assignByCues returns, for each unit, the index of the template section it
// goes to, or -1 when it is left out.
func assignByCues(t note.Template, d *document) []int {
	out := make([]int, len(d.units))
	weights := make([]scores, len(t.Sections))
	fallback := -1
	for i, s := range t.Sections {
		weights[i] = sectionWeights[s.Key]
	}
	for _, k := range fallbackKeys {
		for i, s := range t.Sections {
			if s.Key == k && fallback < 0 {
				fallback = i
			}
		}
	}
	if fallback < 0 {
		fallback = 0
	}
	var fs []feature
	for ui, u := range d.units {
		if u.leave != "" || len(t.Sections) == 0 {
			out[ui] = -1
			continue
		}
		if len(t.Sections) > 1 {
			fs = d.unitFeatures(u, fs[:0])
			if si := sectionModel.classify(t, fs); si >= 0 {
				out[ui] = si
				continue
			}
		}
		best, bestScore := fallback, float32(0)
		for i, w := range weights {
			if sc := u.scores.dot(w); sc > bestScore {
				best, bestScore = i, sc
			}
		}
		out[ui] = best
	}
	return out
}
