package notes

import (
	"strconv"
	"strings"

	"github.com/sidenote/sidenote/shared/note"
)

// compose builds the note from the units' placement: one section per
// template section (sentences in source order, bullets kept as bullets,
// summary and transcript in separate paragraphs), and a LeftOut entry for
// every unit in no section.
func (d *document) compose(t note.Template, placement []int) Result {
	res := Result{Sections: make([]note.Section, len(t.Sections)), LeftOut: []note.LeftOut{}, RiskMentioned: d.risk}
	per := make([][]int, len(t.Sections))
	for ui, si := range placement {
		if si >= 0 {
			per[si] = append(per[si], ui)
			continue
		}
		reason := d.units[ui].leave
		if reason == "" {
			reason = note.LeftOutUnplaced
		}
		res.LeftOut = append(res.LeftOut, d.leftOut(ui, reason))
	}
	for i, def := range t.Sections {
		var items []sectionItem
		for _, ui := range per[i] {
			u := d.units[ui]
			items = append(items, sectionItem{text: d.phraseAt(ui), spans: d.spans(u), kind: u.sents[0].kind, bullet: u.sents[0].bullet})
		}
		res.Sections[i] = renderSection(def, items)
	}
	return res
}

// phraseAt words unit ui, once per note.
func (d *document) phraseAt(ui int) string {
	if d.phrased == nil {
		d.phrased = make([]string, len(d.units))
	}
	if d.phrased[ui] == "" {
		d.phrased[ui] = d.phrase(d.units[ui])
	}
	return d.phrased[ui]
}

// leftOut describes unit ui, which is in no section.
func (d *document) leftOut(ui int, reason string) note.LeftOut {
	u := d.units[ui]
	sn := u.sents[0]
	var text string
	switch {
	case sn.text == "":
		text = quote(d.speakerRef(sn)+" stated", strings.TrimSpace(d.text(sn.kind)[sn.start:sn.end]))
	case sn.question:
		text = quote(d.speakerRef(sn)+" asked", sn.text)
	case reason == note.LeftOutSmallTalk || reason == note.LeftOutDictation:
		text = quote(d.speakerRef(sn)+" stated", sn.text)
	case u.dupOf > 0 && d.units[u.dupOf-1].sents[0].text == sn.text:
		// Said again word for word by the same speaker: worded as before.
		text = d.phraseAt(u.dupOf - 1)
	default:
		text = d.phraseAt(ui)
	}
	return note.LeftOut{ID: leftOutID(sn), Text: text, Reason: reason, Sources: d.spans(u)}
}

// leftOutID is stable for a source sentence: its source and offset.
func leftOutID(sn sentence) string {
	k := "s"
	if sn.kind == kindTranscript {
		k = "t"
	}
	return k + strconv.Itoa(sn.start)
}

// spans lists a unit's source spans: each sentence, after its speaker's
// label when the note names the speaker.
func (d *document) spans(u unit) []note.Span {
	out := make([]note.Span, 0, 2*len(u.sents))
	for _, sn := range u.sents {
		if sn.labelStart >= 0 && sn.labelEnd > sn.labelStart {
			out = append(out, note.Span{Source: note.SourceTranscript, Start: sn.labelStart, End: sn.labelEnd})
		}
		out = append(out, note.Span{Source: sourceName(sn.kind), Start: sn.start, End: sn.end})
	}
	return out
}

// sectionItem is one sentence of a section before layout.
type sectionItem struct {
	text   string
	spans  []note.Span
	kind   sourceKind
	bullet bool
}

// renderSection lays items out: prose joined by spaces, a bullet on its own
// line as "- ...", a blank line between summary and transcript.
func renderSection(def note.SectionDef, items []sectionItem) note.Section {
	sec := note.Section{Key: def.Key, Title: def.Title, Sources: []note.Span{}}
	if len(items) == 0 {
		sec.NotDocumented = true
		return sec
	}
	var b strings.Builder
	prev := sectionItem{kind: 255}
	for i, it := range items {
		switch {
		case i == 0:
		case it.kind != prev.kind:
			b.WriteString("\n\n")
		case it.bullet || prev.bullet:
			b.WriteString("\n")
		default:
			b.WriteString(" ")
		}
		if it.bullet {
			b.WriteString("- ")
		}
		start := b.Len()
		b.WriteString(it.text)
		sec.Sentences = append(sec.Sentences, note.Sentence{Start: start, End: b.Len(), Sources: it.spans})
		sec.Sources = append(sec.Sources, it.spans...)
		prev = it
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
