package notes

import (
	"regexp"
	"strings"
	"unicode"
)

// Linguistic features of a sentence beyond its cue words: whether it looks
// ahead (future, an instruction, a request), reports something done, sits
// in a subordinate clause, or mentions risk. They let one cue ("homework",
// "schedule", "I'll") mean different things in different sentences.

// tokens lowercases s into words (as words does) and marks, per word, the
// weight of its clause: 1 in the main clause, subWeight from a subordinating
// word to the next comma, semicolon or dash.
func clauseWeights(dst []float32, s string, n int) []float32 {
	dst = dst[:0]
	w := float32(1)
	i := 0
	start := -1
	emit := func(word string) {
		if subordinators[word] && i > 0 {
			w = subWeight
		}
		dst = append(dst, w)
		i++
	}
	for j, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '\'' || r == '’' {
			if start < 0 {
				start = j
			}
			continue
		}
		if start >= 0 {
			emit(strings.ToLower(strings.Trim(s[start:j], "'’")))
			start = -1
		}
		if r == ',' || r == ';' || r == '—' || r == ':' {
			w = 1
		}
	}
	if start >= 0 {
		emit(strings.ToLower(strings.Trim(s[start:], "'’")))
	}
	for len(dst) < n {
		dst = append(dst, 1)
	}
	return dst[:n]
}

// Cues in a subordinate clause ("because she arrived late", "that she
// practised") count for less than those of the main clause.
const subWeight = 0.25

var subordinators = map[string]bool{
	"because": true, "when": true, "whenever": true, "after": true, "since": true,
	"while": true, "if": true, "although": true, "though": true, "unless": true, "until": true,
	"that": true, "which": true, "who": true, "where": true, "whether": true,
}

// baseVerbs start an instruction ("Try the bus ride", "Use the sheet").
var baseVerbs = wordSet("try|use|keep|take|call|write|practice|practise|continue|bring|notice|schedule|plan|have|make|go|do|add|start|stop|pick|set|put|give|ask|tell|talk|let|reach|remove|lock|store|hold|read|fill|complete|track|log|record|list|review|spend|get|stay|come|sit|walk|breathe|think|remember|see|check|text|email|download|print|find|share|say|reflect|begin|slow|look|listen|imagine|close|name|rate|repeat|consider|avoid|limit|eat|drink|sleep|wake|bring|attend|join|contact|follow|return|send|aim|allow|plant|finish|agree|decide|choose|turn|write|leave|move|join|invite|notice|pay|switch|cut|drop|swap|trade|wait|pause|go|bring|stay|hold|open|shut|let|ask|tell|check|keep|mark|circle|track|rate|sort|map|draw|reach|send|celebrate|reward|protect|remind|prepare|pack|hide|give")

// modals open a request phrased as a question ("Would you be willing...").
var modals = wordSet("would|could|can|will|might|may|should")

// riskUpper finds the abbreviations SI, HI, SH, NSSI: a sentence stating
// or asking about risk is never left out.
var riskUpper = regexp.MustCompile(`\b(SI|HI|S\.I\.|SH|NSSI)\b`)

// smallTalkRe marks greetings, goodbyes, thanks and connection chatter.
var smallTalkRe = regexp.MustCompile(`^(hi|hello|hey|morning|afternoon|evening|good (morning|afternoon|evening|to see you)|welcome( back)?|come on in|nice to see|thanks|thank you|bye|goodbye|take care|have a (good|nice|great)|how are you|how's it going|can you hear me|you froze|you're frozen|you're on mute|i can hear you|i can see you|let me (share|turn|fix)|sorry,? (my|the) (connection|internet|video|audio)|stay (warm|safe|dry|cool)|drive safe|you too|same to you|enjoy (the|your))\b`)

// seeYouRe marks the next meeting said in parting: a plan, not chatter.
var seeYouRe = regexp.MustCompile(`\b(see you|same time|until next)\b`)

// smallTalkFirst are the first words smallTalkRe can match: the regular
// expression runs only on sentences starting with one.
var smallTalkFirst = wordSet("hi|hello|hey|morning|afternoon|evening|good|welcome|come|nice|thanks|thank|bye|goodbye|take|have|how|how's|can|you|you're|i|let|sorry|stay|drive|same|enjoy")

// connectionHints are the words connectionRe can match.
var connectionHints = wordSet("choppy|froze|frozen|screen|laptop|wifi|wi|fi|connection|internet|mute|unmute|lagging|breaking|hear|see")

// connectionRe marks telehealth connection chatter anywhere in a sentence.
var connectionRe = regexp.MustCompile(`\b(choppy|froze|frozen|your screen|my screen|laptop|wi-?fi|connection|internet|on mute|unmute|lagging|you're breaking up|hear me|can you see me)\b`)

// genericQuestionRe marks a clinician's open question whose answer carries
// the content: it is left out, the answer kept.
var genericQuestionRe = regexp.MustCompile(`^(so,? |and,? |okay,? )?(how (did|was|is|are|have|has)\b|how's\b|what's new|what brings|where do you want|where would you like|what would you like to (focus|talk|start)|can you tell me more|tell me more|tell me about|what happened|anything else|what else|how about (the|your) week|how (many|much|often|long)\b|what did you|when did you|can you tell me|could you tell me|is it okay to)`)

// clinicalQuestionRe marks a question that is itself an intervention: a
// scaling, evidence or perspective question, a risk screen.
var clinicalQuestionRe = regexp.MustCompile(`\b(scale|evidence|notice|why|ready|confident|important|rate|a friend|what if|safe|willing|instead|the worst|the best|part of you|would it mean|what would (it|you)|what do you (make|think|need))\b`)

// smallTalkTopic marks a question about the trip, the weather or the like,
// whose answer is chatter too.
var smallTalkTopic = regexp.MustCompile(`\b(drive|traffic|parking|weather|rain|snow|trip (here|over)|find the (place|office)|coffee|holiday|long weekend)\b`)

// discourse markers said before a sentence's content.
var leadMarkers = []string{"so", "and", "but", "well", "i mean", "yeah", "yes", "okay", "ok", "oh", "honestly", "anyway", "like i said", "right", "great", "good", "perfect", "alright", "now", "please"}

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Split(s, "|") {
		m[w] = true
	}
	return m
}

// mood is what a sentence does.
type mood uint8

const (
	moodStatement   mood = iota
	moodInstruction      // "Before Thursday, try ...", "Let's slow down"
	moodRequest          // "Would you be willing to ...?", "Could your brother ...?"
	moodQuestion         // any other question
)

// firstContent returns the index of the first word after leading discourse
// markers and an opening adverbial ended by a comma ("Before Thursday, try").
func firstContent(ws []string, text string) int {
	i := 0
	for i < len(ws) {
		switch ws[i] {
		case "so", "okay", "ok", "please", "now", "alright", "and", "then", "great", "good", "perfect", "well":
			i++
			continue
		}
		break
	}
	if c := strings.IndexByte(text, ','); c > 0 && c < len(text)/2+10 {
		head := words(nil, text[:c])
		if len(head) > 0 && len(head) <= 5 && len(head) < len(ws) && (head[0] == "before" || head[0] == "for" || head[0] == "this" || head[0] == "between" || head[0] == "over" || head[0] == "until" || head[0] == "tonight" || head[0] == "tomorrow" || head[0] == "each" || head[0] == "every" || head[0] == "next" || head[0] == "when" || head[0] == "if") {
			return len(head)
		}
	}
	return i
}

// moodOf classifies a sentence of speaker role r.
func moodOf(ws []string, text string, question bool) mood {
	if len(ws) == 0 {
		return moodStatement
	}
	i := firstContent(ws, text)
	if i >= len(ws) {
		i = 0
	}
	if question {
		if modals[ws[i]] && i+1 < len(ws) && (ws[i+1] == "you" || ws[i+1] == "your" || ws[i+1] == "we" || ws[i+1] == "the" || ws[i+1] == "someone") {
			return moodRequest
		}
		if ws[i] == "how" && i+2 < len(ws) && ws[i+1] == "about" {
			return moodRequest
		}
		return moodQuestion
	}
	if ws[i] == "let's" || (ws[i] == "let" && i+1 < len(ws) && ws[i+1] == "us") {
		return moodInstruction
	}
	if baseVerbs[ws[i]] && !(i+1 < len(ws) && (ws[i+1] == "been" || ws[i+1] == "to" || ws[i] == "see" && ws[i+1] == "you")) {
		return moodInstruction
	}
	if hasPrefixWords(ws[i:], "i'd like you to") || hasPrefixWords(ws[i:], "i want you to") || hasPrefixWords(ws[i:], "i would like you to") ||
		hasPrefixWords(ws[i:], "i'd like you both to") || hasPrefixWords(ws[i:], "i'd like both of you to") {
		return moodInstruction
	}
	return moodStatement
}

func hasPrefixWords(ws []string, phrase string) bool {
	if len(ws) == 0 || !strings.HasPrefix(phrase, ws[0]) {
		return false
	}
	p := strings.Fields(phrase)
	if len(ws) < len(p) {
		return false
	}
	for i := range p {
		if ws[i] != p[i] {
			return false
		}
	}
	return true
}

// finiteWords are subjects and finite verbs: a sentence without one (or a
// past tense) is a fragment ("The same thing, really.") and is quoted, not
// reported.
var finiteWords = wordSet("i|he|she|it|they|we|you|there|this|that|is|are|was|were|am|have|has|had|do|does|did|will|would|can|could|should|might|must")

func hasFinite(ws []string) bool {
	for _, w := range ws {
		if finiteWords[w] || len(w) >= 5 && strings.HasSuffix(w, "ed") || strings.Contains(w, "'") {
			return true
		}
	}
	return false
}

var (
	futureWords     = wordSet("will|gonna|tonight|tomorrow|daily|nightly")
	futurePairs     = wordSet("going to|plan to|plans to|next session|next week|next time|next appointment|next monday|next tuesday|next wednesday|next thursday|next friday|next saturday|next sunday|this week|this weekend|this evening|before thursday|before monday|before tuesday|before wednesday|before friday|before saturday|before sunday|before next|before our|before the|between sessions|each night|each day|each morning|each evening|every night|every day|every morning|every evening|f u|follow up|same time")
	futurePairFirst = wordSet("going|plan|plans|next|this|before|between|each|every|f|follow|same")
	pastDoneWords   = wordSet("finished|completed|completing|did|done|tried|practiced|practised|used|kept|stuck|brought|filled|went|managed|followed|helped|worked")
)

// lookingAhead reports whether words ws look ahead: a future, a time to
// come, a routine to keep.
func lookingAhead(ws []string) bool {
	for i, w := range ws {
		if futureWords[w] || strings.HasSuffix(w, "'ll") {
			return true
		}
		if i+1 < len(ws) && futurePairFirst[w] && futurePairs[w+" "+ws[i+1]] {
			return true
		}
	}
	return false
}

// reportsDone reports whether ws report something done ("finished", "made it").
func reportsDone(ws []string) bool {
	for i, w := range ws {
		if pastDoneWords[w] || i+1 < len(ws) && (w == "made" && ws[i+1] == "it" || w == "got" && ws[i+1] == "through") {
			return true
		}
	}
	return false
}

// riskByWord maps a word to the risk statements it may be part of, as a
// small expression on the lower-case sentence: each sentence runs only the
// expressions of its own words.
var riskByWord = func() map[string]*regexp.Regexp {
	m := map[string]*regexp.Regexp{}
	for words, expr := range map[string]string{
		"cut":          `\bcut (my|him|her|them)sel`,
		"kill|killing": `\bkill(ing)? ((my|him|her|them)sel\w*|him|her|them|someone)\b`,
		"hurt|hurting": `\bhurt(ing)? ((my|your|him|her|them)sel\w*|him|her|them|someone|anyone)\b`,
		"harm|harming": `\bharm(ing)? ((my|your|him|her|them)sel\w*|others|someone)\b`,
		"life":         `\b(end(ing)?|tak(e|ing)) (your|my|his|her|their) (own )?life\b`,
		"die":          `\bwant(ed)? to die\b`,
		"end":          `\bend it all\b`,
		"anymore":      `\b(not|wasn't|weren't) (want to )?(be )?(here|around|alive) anymore\b`,
		"alive":        `\b(don't|didn't) want to be alive\b`,
		"wasn't":       `\b(i|she|he) wasn't here\b`,
		"off":          `\bbetter off (dead|if (i|me)|without (i|me))\b`,
		"here":         `\bnot (want to )?be here\b`,
		"live":         `\b((don't|didn't) want to|no reason to) live\b`,
		"wake":         `\b(don't|didn't) want to wake up\b`,
		"on":           `\bcan't go on\b`,
		"crisis":       `\bcrisis (line|text|team)\b`,
		"thoughts":     `\bthoughts of (dying|death|hurting|harming|killing|suicide|ending|taking|not waking)\b`,
		"restriction":  `\bmeans restriction\b`,
		"safety":       `\bsafety plan`,
		"hi":           `\bsi/hi\b|\bdenie[sd] hi\b`,
		"pills|meds|medication|medications|prescription|prescriptions": `\b(spare|extra|leftover|old) (pills|meds|medications?|prescriptions?)\b|\block(ed)? (up |away )?(the |his |her |my |your )?(pills|meds|medications?)\b`,
	} {
		re := regexp.MustCompile(expr)
		for _, w := range strings.Split(words, "|") {
			m[w] = re
		}
	}
	return m
}()

// riskAlone are words that state risk on their own.
var riskAlone = wordSet("si|nssi|988|cutting|gun|guns")

// mentionsRisk reports whether a sentence (its text, its lower case, its
// words) states or asks about suicide, homicide, self-harm, abuse, means or
// a safety plan.
func mentionsRisk(text, lower string, ws []string) bool {
	if (strings.Contains(text, "SI") || strings.Contains(text, "HI") || strings.Contains(text, "SH") || strings.Contains(text, "S.I.")) && riskUpper.MatchString(text) {
		return true
	}
	for i, w := range ws {
		if riskAlone[w] || strings.HasPrefix(w, "suicid") || strings.HasPrefix(w, "homicid") || strings.HasPrefix(w, "overdos") ||
			strings.HasPrefix(w, "abus") || strings.HasPrefix(w, "stockpil") || strings.HasPrefix(w, "firearm") ||
			w == "self" && i+1 < len(ws) && strings.HasPrefix(ws[i+1], "harm") {
			return true
		}
		if re := riskByWord[w]; re != nil && re.MatchString(lower) {
			return true
		}
	}
	return false
}

// reportVerbs frame reported speech in a main clause.
var reportVerbs = wordSet("reports|reported|states|stated|says|said|describes|described|shares|shared|endorses|endorsed|complains|complained|c|notes|noted|expresses|expressed|admits|admitted|explains|explained|mentions|mentioned|tells|told")

// reportFrame reports whether one of the first words of ws is a reporting
// verb: the main clause is "X reports (that) ...", whatever the clause
// after it is about.
func reportFrame(ws []string) bool {
	for i := 0; i < len(ws) && i < 4; i++ {
		if reportVerbs[ws[i]] {
			return true
		}
	}
	return false
}
