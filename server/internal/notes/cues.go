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
	catProgress                     // homework reported done, change since last time
	numCategories
)

var categoryNames = [numCategories]string{"report", "observation", "assessment", "plan", "intervention", "response", "goal", "progress"}

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
	keep    bool   // counts in full in a subordinate clause
}

// Weights: 2 for words that name the kind of statement outright ("homework",
// "affect", "responded"); 1 for framing words that usually but not always do
// ("reports", "discussed"); in between where the word is ambiguous.
var cueGroups = []cueGroup{
	{catReport, 1, "reports|reported|reporting|report|states|stated|describes|described|describing|shared|said|says|expressed|expresses|endorses|endorsed|complains|complained|c/o|mentioned|disclosed|notes that|noted that|told me|feels|feeling|felt|i feel|i felt|i've been|i have been|i'm|hx|history of", false},
	{catReport, 1.5, "trouble|struggling|worried|worry|worse|hard|can't|couldn't|haven't|fight|argument|tired|exhausted|angry|sad|lonely|alone|scared|afraid|anxious|panic|nightmares|insomnia|low mood|stressed|overwhelmed|crying|cry", false},
	{catObservation, 2, "observed|observation|observations|appeared|presented|presented as|presents as|affect|eye contact|tearful|fidget*|psychomotor|oriented|groomed|grooming|dressed|thought process|goal directed|linear|congruent|incongruent|well kept|disheveled|dishevelled|was noted|speech was|speech|phq|gad|score|scored|arrived|on time|late to|attended|seen for|tapping|crossed|leaned|louder|voice|shoulders", false},
	{catObservation, 1.5, "seemed|seem|seems|appears|noticed|notice|i notice|i noticed|mood was|alert|restless|agitated|calm|smiled|smiling|laughed|made good|body language|sighed|guarded|cried|denied|denies|si/hi|coherent|constricted|flat|brighter|brightened|min|minutes", false},
	{catAssessment, 2, "assessed|assessment|appears to|appear to|seems to|consistent with|meets criteria|meet criteria|criteria for|diagnos*|prognosis|impression|protective factors|insight|judgment|judgement|formulation|pattern|underneath|low risk|moderate risk|high risk|acute risk|risk is|mdd|ptsd|impaired|remains impaired|is still impaired", false},
	{catAssessment, 1.5, "improv*|worsen*|regress*|clinically|symptom*|likely|indicat*|suggests|remains|stable|baseline|progress|progress toward|progressing|real drop|drop from|looks like|sounds like", false},
	{catPlan, 2, "plan to|plans to|planning to|plan is|will|we'll|she'll|he'll|they'll|you'll|homework|next session|next week|next time|next appointment|follow up|followup|f/u|referral|refer|reassess|between sessions|before our next|before next|want you to|would like you to|like you to|assign*|same time|see you next|continue|agreed to|safety plan|crisis line|keep the|lock|988", false},
	{catPlan, 1.5, "recommend*|encouraged to|monitor|daily|each day|every day|each night|every night|return|referred|try to|this week|tonight|tomorrow|i can do|can do that|i'll try|i will try|i'll do", false},
	{catIntervention, 2, "used|utilized|practiced|explored|introduced|cbt|dbt|emdr|reframing|reframe*|cognitive restructuring|mindfulness|psychoeducation|validated|validation|role play|role played|role playing|grounding|box breathing|deep breathing|breathing exercise|breathing technique|diaphragmatic breathing|thought record|socratic|motivational interviewing|reflective listening|reflected|normalized|taught|modeled|modelled|coached|challenged|exposure|behavioral activation|behavioural activation|gottman|emotionally focused|solution focused|technique*|intervention|interventions|let's|let us|processed|guided|demonstrated how|reviewed|soft start|start up|exercise|sorted|problem solving|steps for", false},
	{catIntervention, 1.5, "practice|practicing|skill|skills|coping|relaxation|discussed|identified|journal*|cognitive|empathic|empathy|summarized|i used|we used|we worked|worked on|provided|teaches|explained|the fear|your body|your brain|anxiety is", false},
	{catResponse, 2, "responded|response|receptive|engaged|engagement|was able to|were able to|found it helpful|found this helpful|tolerated|open to|willing|resistant|resisted|verbalized understanding|participated|that helped|that helps|makes sense|feel calmer|felt calmer|feel better|felt better|felt relieved|felt heard|feel heard|calmer|relief|i can hear that|exactly it|that's exactly|i didn't know", false},
	{catResponse, 1.5, "agreed|helpful|nodded|understood|struggled to|benefit|benefited|after the exercise|afterwards|i can try|i could try|i think i can|resets|i get it|i see", false},
	{catGoal, 2, "goal|goals|working on|treatment plan|focus of|objective|objectives|our goal|my goal", false},
	{catGoal, 1.5, "work on|wants to|would like to|hope to|hoping to|hopes to|aim|aims|want to be able|trying to|want to start|focus on", false},
	{catProgress, 3, "finished|completed|completing|did the|stuck to|kept to|kept up|got through|managed to|made it|helped on|down from|drop from|was maybe|by the third|the first time|times this week|brought it", true},
	{catAssessment, 2.5, "suicidal|suicide|si|si hi|denies hi|self harm|hurting yourself|hurt yourself|harming yourself|kill yourself|harm others|thoughts of|safety|risk", true},
}

type cue struct {
	words  []string
	cat    category
	weight float32
	keep   bool // counts in full in a subordinate clause (risk words)
}

// cueMatcher finds cues in a sentence's words. Cues are indexed by their first
// word; cues whose first word is a stem ("reframe*") are tried everywhere.
type cueMatcher struct {
	cues    []cue
	byFirst map[string][]int
	stems   map[string][]int // by the stem's first three letters
}

var defaultCues = newCueMatcher(cueGroups)

func newCueMatcher(groups []cueGroup) *cueMatcher {
	m := &cueMatcher{byFirst: map[string][]int{}, stems: map[string][]int{}}
	for _, g := range groups {
		for _, p := range strings.Split(g.phrases, "|") {
			ws := splitStars(p)
			idx := len(m.cues)
			m.cues = append(m.cues, cue{words: ws, cat: g.cat, weight: g.weight, keep: g.keep})
			if strings.HasSuffix(ws[0], "*") {
				k := ws[0][:3] // every stem cue has at least three letters
				m.stems[k] = append(m.stems[k], idx)
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
func (m *cueMatcher) score(ws []string, clause []float32) scores {
	var s scores
	var counted []int
	for i := 0; i < len(ws); {
		best := -1
		for _, c := range m.byFirst[ws[i]] {
			if m.matchAt(ws, i, c) && (best < 0 || len(m.cues[c].words) > len(m.cues[best].words)) {
				best = c
			}
		}
		if len(ws[i]) >= 3 {
			for _, c := range m.stems[ws[i][:3]] {
				if m.matchAt(ws, i, c) && (best < 0 || len(m.cues[c].words) > len(m.cues[best].words)) {
					best = c
				}
			}
		}
		if best < 0 {
			i++
			continue
		}
		if !containsInt(counted, best) {
			counted = append(counted, best)
			w := m.cues[best].weight
			if clause != nil && clause[i] < 1 && !m.cues[best].keep {
				w *= clause[i]
			}
			s[m.cues[best].cat] += w
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
// sum(category score × weight). Secondary weights follow the labelling
// guide: SOAP files the clinician's in-session work and the client's
// engagement as objective; BIRP has no assessment, so impressions go to
// response; GIRP files the presenting concern as goal and progress as
// response.
var sectionWeights = map[string]scores{
	"subjective":   {catReport: 1, catProgress: 1, catGoal: 0.5},
	"objective":    {catObservation: 1, catIntervention: 0.9, catResponse: 0.9},
	"assessment":   {catAssessment: 1, catResponse: 0.3},
	"plan":         {catPlan: 1, catGoal: 0.3},
	"data":         {catReport: 1, catProgress: 1, catObservation: 1, catIntervention: 0.9, catResponse: 0.9, catGoal: 0.5},
	"behavior":     {catReport: 1, catProgress: 1, catObservation: 1, catGoal: 0.5},
	"goal":         {catGoal: 1, catReport: 0.95},
	"intervention": {catIntervention: 1},
	"response":     {catResponse: 1, catAssessment: 0.9, catProgress: 1, catObservation: 0.95},
}

// fallbackKeys lists, in preference order, the sections that take client
// content no cue classified: what the client said belongs with their report.
var fallbackKeys = []string{"subjective", "data", "behavior", "goal", "response"}

// Speaker priors: a client's words are their report unless cues say
// otherwise; a clinician's statements lean towards intervention.
const (
	clientReportPrior       = 1
	clinicianInterventPrior = 0.8
	headingPrior            = 4
	moodPrior               = 3
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
	"fine": true, "perfect": true, "cool": true, "nice": true, "gotcha": true, "hm": true, "mm-hm": true,
	"mm-hmm": true, "uh-huh": true, "mhmm": true, "please": true, "here": true,
}

// fillerOnlyWords are acknowledgement sounds without a word in them.
var fillerOnlyWords = wordSet("mm|hmm|hm|mhm|mhmm|uh|huh|um|er|erm|ah|mm-hm|mm-hmm|uh-huh")

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
