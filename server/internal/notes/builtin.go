package notes

import (
	"context"
	"regexp"
	"strings"

	"github.com/sidenote/sidenote/shared/note"
)

// Builtin is the default generator: offline, deterministic and explainable.
// It splits the summary and transcript into sentences, cleans spoken fillers
// out of them, scores each sentence against cue lists (see cues.go) plus a
// prior for who said it, and puts it in the template section whose weights
// favour its categories. Sentences no cue classifies go to the template's
// fallback section when they are the client's words, and are dropped when
// they are the clinician's small talk or questions.
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
	doc := analyze(src, false)
	return Result{Sections: doc.render(t, assignByCues(t, doc)), Generator: b.Name()}, nil
}

// role is who spoke a sentence.
type role uint8

const (
	roleUnknown   role = iota // a summary, or a transcript without labels
	roleClinician             // "Clinician:", "Therapist:", "Dr. Lee:"
	roleClient                // any other labelled speaker
)

// sentence is one usable sentence of a source.
type sentence struct {
	kind       sourceKind
	start, end int    // byte range in the source text
	text       string // cleanSpan of that range
	speaker    int    // index into document.speakers, -1 when unlabelled
	labelStart int    // byte range of the speaker label "Partner A:" in the transcript
	labelEnd   int
	turn       int // transcript turn number, -1 for the summary
	question   bool
	scores     scores
}

// unit is what gets placed in a section: one sentence, or a clinician's
// question together with the first sentence of the answer to it.
type unit struct {
	sents  []sentence
	scores scores
}

type speaker struct {
	name string
	role role
}

// document is the analysed source: usable units in source order (summary
// first, then transcript).
type document struct {
	src      Source
	units    []unit
	speakers []speaker
	clients  int // number of distinct client speakers
	// keepAll makes every non-empty sentence its own unit, without dropping
	// acknowledgements or questions and without pairing answers: the LLM
	// generator matches a provider's choice against every sentence.
	keepAll bool
}

func (d *document) text(kind sourceKind) string {
	if kind == kindTranscript {
		return d.src.Transcript
	}
	return d.src.Summary
}

func analyze(src Source, keepAll bool) *document {
	d := &document{src: src, keepAll: keepAll}
	var ws []string
	d.analyzeSummary(&ws)
	d.analyzeTranscript(&ws)
	return d
}

// headingLine matches a section heading at the start of a summary line, such
// as "Plan:" or "O:"; group 1 is the heading.
var headingLine = regexp.MustCompile(`(?m)^[ \t]*([A-Za-z][A-Za-z /-]{0,40}?)[ \t]*:`)

var headingKeys = func() map[string]string {
	m := map[string]string{}
	for _, t := range note.Templates() {
		for _, s := range t.Sections {
			for _, name := range append([]string{s.Key, s.Title}, s.Aliases...) {
				m[strings.ToLower(name)] = s.Key
			}
		}
	}
	return m
}()

// analyzeSummary splits the summary into sentences. A line starting with a
// section heading ("Plan: ...") gives the sentences up to the next heading a
// strong prior for that heading's category.
func (d *document) analyzeSummary(ws *[]string) {
	s := d.src.Summary
	type region struct {
		from, to int
		prior    scores
	}
	var regions []region
	cur := region{from: 0}
	for _, m := range headingLine.FindAllStringSubmatchIndex(s, -1) {
		key, ok := headingKeys[strings.ToLower(s[m[2]:m[3]])]
		if !ok {
			continue
		}
		cur.to = m[0]
		regions = append(regions, cur)
		cur = region{from: m[1]}
		if c, ok := headingCategory[key]; ok {
			cur.prior[c] = headingPrior
		}
	}
	cur.to = len(s)
	regions = append(regions, cur)
	for _, r := range regions {
		splitSentences(s, r.from, r.to, func(start, end int) {
			sn := sentence{kind: kindSummary, start: start, end: end, speaker: -1, turn: -1, labelStart: -1, labelEnd: -1}
			if !d.fill(&sn, ws) {
				return
			}
			sn.scores.add(r.prior)
			d.units = append(d.units, unit{sents: []sentence{sn}, scores: sn.scores})
		})
	}
}

// fill cleans and scores a sentence; it reports false when nothing is left.
func (d *document) fill(sn *sentence, ws *[]string) bool {
	raw := d.text(sn.kind)[sn.start:sn.end]
	sn.text = cleanSpan(sn.kind, raw)
	if sn.text == "" {
		return false
	}
	*ws = words((*ws)[:0], sn.text)
	if len(*ws) == 0 {
		return false
	}
	sn.scores = defaultCues.score(*ws)
	sn.question = strings.HasSuffix(strings.TrimRight(sn.text, `"')”’`), "?")
	return true
}

// speakerLine matches a speaker label at the start of a transcript line,
// optionally after a timestamp: "Client:", "Partner A:", "Dr. Lee:",
// "[00:03:12] Therapist:". A label is one to three capitalised words, so
// "Here's the thing: ..." is not one.
var speakerLine = regexp.MustCompile(`(?m)^[ \t]*(?:[\[(]?\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?[\])]?[ \t]+)?(\p{Lu}[\p{L}\p{N}'.\-]*(?:[ \t]+[\p{Lu}\p{N}][\p{L}\p{N}'.\-]*){0,2}:)`)

var clinicianNames = map[string]bool{
	"clinician": true, "therapist": true, "counselor": true, "counsellor": true,
	"provider": true, "psychologist": true, "psychiatrist": true, "social worker": true,
	"interviewer": true, "doctor": true, "lcsw": true, "lpc": true, "mft": true,
}

func roleOf(name string) role {
	n := strings.ToLower(name)
	if clinicianNames[n] || strings.HasPrefix(n, "dr.") || strings.HasPrefix(n, "dr ") ||
		strings.HasPrefix(n, "therapist") || strings.HasPrefix(n, "clinician") || strings.HasPrefix(n, "counselor") {
		return roleClinician
	}
	return roleClient
}

func (d *document) speakerIndex(name string) int {
	for i, s := range d.speakers {
		if strings.EqualFold(s.name, name) {
			return i
		}
	}
	r := roleOf(name)
	if r == roleClient {
		d.clients++
	}
	d.speakers = append(d.speakers, speaker{name: name, role: r})
	return len(d.speakers) - 1
}

func (d *document) roleOf(sn sentence) role {
	if sn.speaker < 0 {
		return roleUnknown
	}
	return d.speakers[sn.speaker].role
}

// analyzeTranscript splits the transcript into speaker turns and sentences,
// drops what carries nothing to document, and pairs a clinician's clinically
// relevant question with the first sentence of the answer.
func (d *document) analyzeTranscript(ws *[]string) {
	s := d.src.Transcript
	if strings.TrimSpace(s) == "" {
		return
	}
	type turn struct {
		speaker            int
		labelStart, labelE int
		from, to           int
	}
	var turns []turn
	cur := turn{speaker: -1, labelStart: -1, labelE: -1}
	for _, m := range speakerLine.FindAllStringSubmatchIndex(s, -1) {
		cur.to = m[0]
		turns = append(turns, cur)
		name := strings.TrimSuffix(s[m[2]:m[3]], ":")
		cur = turn{speaker: d.speakerIndex(name), labelStart: m[2], labelE: m[3], from: m[1]}
	}
	cur.to = len(s)
	turns = append(turns, cur)

	// pending is a kept clinician question waiting for its answer.
	var pending *unit
	flush := func() {
		if pending != nil {
			d.units = append(d.units, *pending)
			pending = nil
		}
	}
	for ti, t := range turns {
		answerOpen := pending != nil
		splitSentences(s, t.from, t.to, func(start, end int) {
			sn := sentence{kind: kindTranscript, start: start, end: end, speaker: t.speaker, turn: ti, labelStart: t.labelStart, labelEnd: t.labelE}
			if !d.fill(&sn, ws) {
				return
			}
			if d.keepAll {
				d.units = append(d.units, unit{sents: []sentence{sn}, scores: sn.scores})
				return
			}
			r := d.roleOf(sn)
			ack := isAcknowledgement(*ws)
			answering := answerOpen && pending != nil && r != roleClinician && pending.sents[0].turn != ti
			if answering {
				// The answer goes with its question, even a bare "No.": up to
				// and including its first sentence with content.
				if r == roleClient {
					sn.scores[catReport] += clientReportPrior
				}
				pending.sents = append(pending.sents, sn)
				pending.scores.add(sn.scores)
				if !ack {
					answerOpen = false
					flush()
				}
				return
			}
			answerOpen = false
			flush()
			switch {
			case ack:
				return
			case sn.question && r != roleClient:
				if clinicalContent(sn.scores) {
					pending = &unit{sents: []sentence{sn}, scores: sn.scores}
				}
				return
			case r == roleClinician:
				if sn.scores.total() == 0 {
					return // small talk, reflections without content
				}
				sn.scores[catIntervention] += clinicianInterventPrior
			case r == roleClient:
				sn.scores[catReport] += clientReportPrior
			}
			d.units = append(d.units, unit{sents: []sentence{sn}, scores: sn.scores})
		})
	}
	flush()
}

// assignByCues returns, for each unit, the index of the template section it
// goes to, or -1 when it is left out.
func assignByCues(t note.Template, d *document) []int {
	out := make([]int, len(d.units))
	if len(t.Sections) == 0 {
		for i := range out {
			out[i] = -1
		}
		return out
	}
	if len(t.Sections) == 1 {
		return out // narrative: everything, in source order
	}
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
	for ui, u := range d.units {
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

// render builds the sections from the units' placement. Sentences keep
// source order within a section. Where a section quotes more than one speaker
// of a transcript (or the session is a couple's), each new turn is marked
// with the speaker's label from the transcript, so whose words they are stays
// clear without rewriting them.
func (d *document) render(t note.Template, placement []int) []note.Section {
	out := make([]note.Section, len(t.Sections))
	per := make([][]sentence, len(t.Sections))
	for ui, si := range placement {
		if si >= 0 {
			per[si] = append(per[si], d.units[ui].sents...)
		}
	}
	for i, def := range t.Sections {
		out[i] = d.renderSection(def, per[i])
	}
	return out
}

func (d *document) renderSection(def note.SectionDef, sents []sentence) note.Section {
	sec := note.Section{Key: def.Key, Title: def.Title, Sources: []note.Span{}}
	if len(sents) == 0 {
		sec.NotDocumented = true
		return sec
	}
	labelled := d.clients > 1
	if !labelled {
		first := -2
		for _, sn := range sents {
			if sn.kind != kindTranscript || sn.speaker < 0 {
				continue
			}
			if first == -2 {
				first = sn.speaker
			} else if sn.speaker != first {
				labelled = true
				break
			}
		}
	}
	var b strings.Builder
	prevKind, prevTurn := sourceKind(255), -2
	for _, sn := range sents {
		label := ""
		if labelled && sn.kind == kindTranscript && sn.speaker >= 0 && sn.turn != prevTurn && sn.labelStart >= 0 {
			label = cleanSpan(kindTranscript, d.src.Transcript[sn.labelStart:sn.labelEnd])
		}
		switch {
		case b.Len() == 0:
		case sn.kind != prevKind:
			b.WriteString("\n\n")
		case label != "":
			b.WriteString("\n")
		default:
			b.WriteString(" ")
		}
		if label != "" {
			b.WriteString(label)
			b.WriteString(" ")
			sec.Sources = append(sec.Sources, note.Span{Source: note.SourceTranscript, Start: sn.labelStart, End: sn.labelEnd})
		}
		b.WriteString(sn.text)
		sec.Sources = append(sec.Sources, note.Span{Source: sourceName(sn.kind), Start: sn.start, End: sn.end})
		prevKind, prevTurn = sn.kind, sn.turn
	}
	sec.Text = b.String()
	return sec
}

func sourceName(k sourceKind) string {
	if k == kindTranscript {
		return note.SourceTranscript
	}
	return note.SourceSummary
}
