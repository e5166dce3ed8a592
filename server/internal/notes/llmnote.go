package notes

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/sidenote/sidenote/server/internal/provider"
	"github.com/sidenote/sidenote/shared/note"
)

// Generate implements Generator.
func (g *LLM) Generate(ctx context.Context, t note.Template, src Source) (Result, error) {
	if src.empty() {
		return Result{}, ErrNoSource
	}
	doc := analyze(src)
	ids := doc.numbered()
	body, err := json.Marshal(chatRequest{
		Model:          g.cfg.Model,
		Messages:       []chatMessage{{Role: "system", Content: systemPrompt(t)}, {Role: "user", Content: doc.userPrompt(t, ids)}},
		ResponseFormat: responseFormat{Type: "json_object"},
		Temperature:    0,
	})
	if err != nil {
		return Result{}, err
	}
	content, err := g.complete(ctx, body)
	if err != nil {
		return Result{}, err
	}
	var reply struct {
		Sections map[string]json.RawMessage `json:"sections"`
	}
	if err := json.Unmarshal([]byte(content), &reply); err != nil || reply.Sections == nil {
		if err == nil {
			err = errors.New(`reply has no "sections" object`)
		}
		return Result{}, &provider.Failure{Reason: "The note service replied with something that is not a note.", Err: err}
	}
	res, accepted, offered := doc.groundReply(t, ids, reply.Sections)
	if accepted == 0 && offered > 0 {
		return Result{}, &provider.Failure{
			Reason: "The note service's draft was not supported by the session's own sentences, so it was discarded.",
			Err:    errors.New("no sentence of the reply was supported by its cited sources"),
		}
	}
	res.Generator = g.Name()
	return res, nil
}

func systemPrompt(t note.Template) string {
	var keys []string
	for _, s := range t.Sections {
		keys = append(keys, fmt.Sprintf("%q", s.Key))
	}
	return `You write a psychotherapy progress note from a session's numbered sentences.
Rules:
- Write in the third person, as notes are written: the client's words as reported speech ("Client reported that ..."), or a quotation where rewording could change the meaning (Client stated, "..."); the clinician's actions as "Clinician ..."; partners and family members by their labels ("Partner A reported ..."). No I, me, my, we, our, you or your outside quotation marks.
- Every sentence you write must cite the ids of the session sentences it is written from and say nothing they do not say: reword only person, tense and reporting verbs, and leave out spoken fillers. Never add, infer or change a fact, number, name, negation, time or risk statement.
- Put each sentence in the one section it fits best. Leave out small talk.
- If the session holds nothing for a section, return an empty list for it. Never fill a section with assumed or typical content (for example a normal mental status exam, or a denial of suicidal ideation the session does not contain).
Reply with a JSON object {"sections": {"<key>": [{"text": "<note sentence>", "sources": [<ids>]}]}} with exactly these keys: ` + strings.Join(keys, ", ") + "."
}

// numbered lists the session's sentences in order; a sentence's id is its
// index plus one.
func (d *document) numbered() []sentence {
	var out []sentence
	for _, u := range d.units {
		out = append(out, u.sents...)
	}
	return out
}

func (d *document) userPrompt(t note.Template, ids []sentence) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Template: %s\nSections:\n", t.Name)
	for _, s := range t.Sections {
		fmt.Fprintf(&b, "- %s: %s\n", s.Key, s.Title)
	}
	b.WriteString("\nSession sentences (id, who, text):\n")
	for i, sn := range ids {
		who := "clinician's summary"
		if sn.kind == kindTranscript {
			who = d.speakerRef(sn)
		}
		fmt.Fprintf(&b, "[%d] (%s) %s\n", i+1, who, strings.ReplaceAll(d.sourceText(sn), "\n", " "))
	}
	return b.String()
}

// sourceText is a sentence as cleaned, or as written when nothing is left.
func (d *document) sourceText(sn sentence) string {
	if sn.text != "" {
		return sn.text
	}
	return strings.TrimSpace(d.text(sn.kind)[sn.start:sn.end])
}

// modelSentence is one sentence of a model's reply.
type modelSentence struct {
	Text    string `json:"text"`
	Sources []int  `json:"sources"`
}

// sectionSentences accepts a section as a list of cited sentences, a list
// of strings or one string. A string that repeats a source sentence word for
// word cites it and is worded as the built-in generator words it (the model
// chose the section, not the wording); any other string cites nothing.
func (d *document) sectionSentences(raw json.RawMessage, ids []sentence) []modelSentence {
	if len(raw) == 0 {
		return nil
	}
	var cited []modelSentence
	if json.Unmarshal(raw, &cited) == nil {
		return cited
	}
	var texts []string
	var one string
	if json.Unmarshal(raw, &one) == nil {
		texts = []string{one}
	} else if json.Unmarshal(raw, &texts) != nil {
		return nil
	}
	var out []modelSentence
	for _, text := range texts {
		splitSentences(text, 0, len(text), func(start, end int) {
			s := text[start:end]
			if m := speakerLine.FindStringSubmatchIndex(s); m != nil && m[0] == 0 {
				s = s[m[1]:]
			}
			ms := modelSentence{Text: s}
			key := strings.Join(words(nil, s), " ")
			for i, sn := range ids {
				if key != "" && strings.Join(words(nil, sn.text), " ") == key {
					ms.Sources = []int{i + 1}
					ms.Text = d.phraseSentence(sn)
					break
				}
			}
			out = append(out, ms)
		})
	}
	return out
}

// groundReply keeps the model sentences their cited sources support. Source
// sentences no kept sentence cites are listed as left out, except a risk
// statement, which the built-in generator places: risk is never dropped.
func (d *document) groundReply(t note.Template, ids []sentence, sections map[string]json.RawMessage) (res Result, accepted, offered int) {
	res = Result{Sections: make([]note.Section, len(t.Sections)), LeftOut: []note.LeftOut{}, RiskMentioned: d.risk}
	usedIn := make([]int, len(ids)) // section index + 1 that cites the sentence
	items := make([][]sectionItem, len(t.Sections))
	n := 0
	for si, def := range t.Sections {
		for _, ms := range d.sectionSentences(sections[def.Key], ids) {
			text := strings.TrimSpace(ms.Text)
			if text == "" {
				continue
			}
			offered++
			n++
			reason, spans := d.checkModelSentence(text, ms.Sources, ids, usedIn, si)
			if reason != "" {
				// Not the sources' words: it cites nothing, so placing it
				// later claims no source either.
				res.LeftOut = append(res.LeftOut, note.LeftOut{ID: fmt.Sprintf("m%d", n), Text: text, Reason: reason, Sources: []note.Span{}})
				continue
			}
			for _, id := range ms.Sources {
				usedIn[id-1] = si + 1
			}
			accepted++
			items[si] = append(items[si], sectionItem{text: text, spans: spans})
		}
	}
	placement := assignByCues(t, d)
	k := 0
	for ui, u := range d.units {
		cited := false
		for range u.sents {
			if usedIn[k] > 0 {
				cited = true
			}
			k++
		}
		switch {
		case cited:
		case u.sents[0].risk && placement[ui] >= 0:
			si := placement[ui]
			items[si] = append(items[si], sectionItem{text: d.phrase(u), spans: d.spans(u), kind: u.sents[0].kind, bullet: u.sents[0].bullet})
		case u.leave != "":
			res.LeftOut = append(res.LeftOut, d.leftOut(ui, u.leave))
		default:
			res.LeftOut = append(res.LeftOut, d.leftOut(ui, note.LeftOutUnplaced))
		}
	}
	for i, def := range t.Sections {
		res.Sections[i] = renderSection(def, items[i])
	}
	return res, accepted, offered
}

// checkModelSentence returns why a model sentence cannot be kept ("" when
// it can), with the spans of its cited sources.
func (d *document) checkModelSentence(text string, cites []int, ids []sentence, usedIn []int, section int) (string, []note.Span) {
	var texts, labels []string
	var spans []note.Span
	for _, id := range cites {
		if id < 1 || id > len(ids) {
			return note.LeftOutUnsupported, spans
		}
		sn := ids[id-1]
		if usedIn[id-1] > 0 && usedIn[id-1] != section+1 {
			return note.LeftOutDuplicate, spans
		}
		texts = append(texts, d.sourceText(sn))
		if sn.labelStart >= 0 {
			labels = append(labels, d.src.Transcript[sn.labelStart:sn.labelEnd])
		}
		spans = append(spans, d.spans(unit{sents: []sentence{sn}})...)
	}
	if len(cites) == 0 {
		return note.LeftOutUnsupported, spans
	}
	if ok, _ := newEvidence(texts, labels).supports(text); !ok {
		return note.LeftOutUnsupported, spans
	}
	return "", spans
}
