package notes

import "strings"

// The built-in generator classifies each sentence by what kind of clinical
// statement it is (a category), then maps categories onto a template's
// sections. Keeping the two apart lets one set of cue lists serve every
// template: "homework" is a plan cue whether the note is SOAP or BIRP.
type category uint8

const (
	catReport       category = iota // what the client says about their life
	catObservation                  // what the clinician saw
	catAssessment                   // clinical judgement, progress, risk
	catPlan                         // what happens next
	catIntervention                 // what the clinician did in session
	catResponse                     // how the client took it
	catGoal                         // what the work is aiming at
	numCategories
)

var categoryNames = [numCategories]string{"report", "observation", "assessment", "plan", "intervention", "response", "goal"}

func (c category) String() string { return categoryNames[c] }

// scores holds one weight per category.
type scores [numCategories]float32

func (s *scores) add(o scores) {
	for i := range s {
		s[i] += o[i]
	}
}

func (s scores) dot(w scores) float32 {
	var t float32
	for i := range s {
		t += s[i] * w[i]
	}
	return t
}

func (s scores) total() float32 {
	var t float32
	for _, v := range s {
		t += v
	}
	return t
}

// cueGroup is a list of phrases that point to one category with one weight.
// Phrases are matched on whole lower-case words; a word ending in "*" matches
// any word it prefixes ("reframe*" matches "reframed", "reframing"). Where
// phrases overlap the longest wins, so "appears to" (assessment) overrides
// "appears" (observation) and "goal directed" (observation) overrides "goal".
type cueGroup struct {
	cat     category
	weight  float32
	phrases string // separated by "|"
}

// Weights: 2 for words that name the kind of statement outright ("homework",
// "affect", "responded"); 1 for framing words that usually but not always do
// ("reports", "discussed"); in between where the word is ambiguous.
var cueGroups = []cueGroup{
	{catReport, 1, "reports|reported|reporting|report|states|stated|describes|described|describing|shared|said|says|expressed|expresses|endorses|endorsed|complains|complained|mentioned|disclosed|notes that|noted that|told me|feels|feeling|felt"},
	{catObservation, 2, "observed|observation|observations|appeared|presented|presented as|presents as|affect|eye contact|tearful|cried|crying|fidget*|psychomotor|oriented|groomed|grooming|dressed|thought process|goal directed|linear|congruent|incongruent|well kept|disheveled|dishevelled|was noted|speech was"},
	{catObservation, 1.5, "seemed|appears|noticed|mood was|speech|alert|restless|agitated|calm|smiled|smiling|laughed|arrived|on time|made good|body language|sighed|guarded"},
	{catAssessment, 2, "assessed|assessment|appears to|appear to|seems to|progress|consistent with|risk|suicidal|suicide|si|self harm|hurting yourself|hurt yourself|harming yourself|kill yourself|harm others|thoughts of|safety|meets criteria|diagnos*|phq|gad|prognosis|impression|protective factors|insight|judgment|judgement"},
	{catAssessment, 1.5, "denies|denied|improv*|worsen*|regress*|safe|clinically|symptom*|likely|indicat*|suggests|remains|stable|baseline|score|scored"},
	{catPlan, 2, "plan to|plans to|planning to|plan is|will|i'll|we'll|she'll|he'll|they'll|you'll|homework|next session|next week|next time|next appointment|follow up|followup|referral|refer|reassess|schedule*|between sessions|before our next|want you to|would like you to|like you to|assign*"},
	{catPlan, 1.5, "continue|continue to|recommend*|encouraged to|agreed to|monitor|daily|each day|every day|return|referred|try to"},
	{catIntervention, 2, "used|utilized|practiced|explored|introduced|cbt|dbt|emdr|reframing|reframe*|cognitive restructuring|mindfulness|psychoeducation|validated|validation|role play|role played|role playing|grounding|box breathing|deep breathing|breathing exercise|breathing technique|diaphragmatic breathing|thought record|socratic|motivational interviewing|reflective listening|reflected|normalized|taught|modeled|modelled|coached|challenged|exposure|behavioral activation|behavioural activation|gottman|emotionally focused|solution focused|worksheet|technique*|intervention|interventions|let's|let us|processed|guided|demonstrated how"},
	{catIntervention, 1.5, "sounds like|it sounds|practice|practicing|exercise|skill|skills|coping|relaxation|discussed|reviewed|identified|journal*|cognitive|reframe|empathic|empathy|summarized|i used|we used|we worked|worked on|provided"},
	{catResponse, 2, "responded|response|receptive|engaged|engagement|was able to|were able to|found it helpful|found this helpful|tolerated|open to|willing|resistant|resisted|verbalized understanding|participated|demonstrated|that helped|that helps|makes sense|feel calmer|felt calmer|feel better|felt better|felt relieved|felt heard|feel heard|calmer|relief"},
	{catResponse, 1.5, "agreed|helpful|nodded|understood|struggled to|benefit|benefited|after the exercise|afterwards|i can try|i could try|i think i can"},
	{catGoal, 2, "goal|goals|working on|treatment plan|focus of|objective|objectives"},
	{catGoal, 1.5, "work on|wants to|would like to|hope to|hoping to|hopes to|aim|aims|want to be able|trying to"},
}

type cue struct {
	words  []string
	cat    category
	weight float32
}

// cueMatcher finds cues in a sentence's words. Cues are indexed by their first
// word; cues whose first word is a stem ("reframe*") are tried everywhere.
type cueMatcher struct {
	cues    []cue
	byFirst map[string][]int
	stems   []int
}

var defaultCues = newCueMatcher(cueGroups)

func newCueMatcher(groups []cueGroup) *cueMatcher {
	m := &cueMatcher{byFirst: map[string][]int{}}
	for _, g := range groups {
		for _, p := range strings.Split(g.phrases, "|") {
			ws := splitStars(p)
			idx := len(m.cues)
			m.cues = append(m.cues, cue{words: ws, cat: g.cat, weight: g.weight})
			if strings.HasSuffix(ws[0], "*") {
				m.stems = append(m.stems, idx)
			} else {
				m.byFirst[ws[0]] = append(m.byFirst[ws[0]], idx)
			}
		}
	}
	return m
}

// splitStars splits a cue phrase into words, keeping a trailing "*".
func splitStars(p string) []string {
	var out []string
	for _, f := range strings.Fields(strings.ToLower(p)) {
		star := strings.HasSuffix(f, "*")
		for _, w := range words(nil, f) {
			out = append(out, w)
		}
		if star {
			out[len(out)-1] += "*"
		}
	}
	return out
}

func wordMatches(pattern, w string) bool {
	if p, ok := strings.CutSuffix(pattern, "*"); ok {
		return strings.HasPrefix(w, p)
	}
	return pattern == w
}

func (m *cueMatcher) matchAt(ws []string, i, c int) bool {
	cw := m.cues[c].words
	if i+len(cw) > len(ws) {
		return false
	}
	for k, p := range cw {
		if !wordMatches(p, ws[i+k]) {
			return false
		}
	}
	return true
}

// score sums the weights of the cues found in ws. At each word the longest
// matching cue wins and its words are consumed; a cue counts once per
// sentence however often it occurs.
func (m *cueMatcher) score(ws []string) scores {
	var s scores
	var counted []int
	for i := 0; i < len(ws); {
		best := -1
		for _, c := range m.byFirst[ws[i]] {
			if m.matchAt(ws, i, c) && (best < 0 || len(m.cues[c].words) > len(m.cues[best].words)) {
				best = c
			}
		}
		for _, c := range m.stems {
			if m.matchAt(ws, i, c) && (best < 0 || len(m.cues[c].words) > len(m.cues[best].words)) {
				best = c
			}
		}
		if best < 0 {
			i++
			continue
		}
		if !containsInt(counted, best) {
			counted = append(counted, best)
			s[m.cues[best].cat] += m.cues[best].weight
		}
		i += len(m.cues[best].words)
	}
	return s
}

func containsInt(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// sectionWeights says how strongly each section accepts each category. A
// sentence goes to the section of its template with the highest
// sum(category score × weight). Secondary weights place categories a template
// has no section for: SOAP has no intervention section, so interventions go
// to Objective (what happened in the room) and responses to Assessment.
var sectionWeights = map[string]scores{
	"subjective":   {catReport: 1, catGoal: 0.3},
	"objective":    {catObservation: 1, catIntervention: 0.6},
	"assessment":   {catAssessment: 1, catResponse: 0.8},
	"plan":         {catPlan: 1, catGoal: 1},
	"data":         {catReport: 1, catObservation: 1, catIntervention: 0.8, catGoal: 0.3},
	"behavior":     {catReport: 1, catObservation: 1},
	"goal":         {catGoal: 1},
	"intervention": {catIntervention: 1},
	"response":     {catResponse: 1, catAssessment: 0.7, catReport: 0.4, catObservation: 0.4},
}

// fallbackKeys lists, in preference order, the sections that take client
// content no cue classified: what the client said belongs with their report.
var fallbackKeys = []string{"subjective", "data", "behavior", "response"}

// headingCategory maps a section heading a clinician typed in a summary
// ("Plan:", "O:") to the category it announces.
var headingCategory = map[string]category{
	"subjective": catReport, "data": catReport, "behavior": catObservation,
	"objective": catObservation, "assessment": catAssessment, "plan": catPlan,
	"goal": catGoal, "intervention": catIntervention, "response": catResponse,
}

// Speaker priors: a client's words are their report unless cues say
// otherwise; a clinician's statements lean towards intervention.
const (
	clientReportPrior       = 1
	clinicianInterventPrior = 0.5
	headingPrior            = 3
)

// ackWords are words that, on their own, make a turn a bare acknowledgement
// ("Yeah.", "Okay, sure.", "Mm-hmm."): nothing to document without the
// question it answered.
var ackWords = map[string]bool{
	"yes": true, "yeah": true, "yep": true, "yup": true, "no": true, "nope": true, "nah": true,
	"okay": true, "ok": true, "right": true, "sure": true, "mm": true, "hmm": true, "mhm": true,
	"uh": true, "huh": true, "alright": true, "all": true, "thanks": true, "thank": true, "you": true,
	"i": true, "see": true, "got": true, "it": true, "guess": true, "maybe": true, "so": true,
	"well": true, "oh": true, "exactly": true, "totally": true, "true": true, "definitely": true,
	"absolutely": true, "good": true, "great": true, "hi": true, "hello": true, "bye": true,
}

func isAcknowledgement(ws []string) bool {
	if len(ws) == 0 || len(ws) > 4 {
		return false
	}
	for _, w := range ws {
		if !ackWords[w] {
			return false
		}
	}
	return true
}

// clinicalContent reports whether a clinician's question carries something
// worth documenting: an intervention ("Would you try a thought record this
// week?"), a risk screen, a plan or a goal. Other questions are dropped.
func clinicalContent(s scores) bool {
	return s[catIntervention] > 0 || s[catAssessment] > 0 || s[catPlan] > 0 || s[catGoal] > 0
}
