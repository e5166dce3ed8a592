package view

import (
	"strconv"
	"strings"

	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/shared/note"
	"github.com/sidenote/sidenote/wasm/internal/app"
)

// hasSources reports whether anything in the note can show a source.
func hasSources(ns *app.NoteState) bool {
	for _, sec := range ns.Note.Sections {
		if len(app.ValidSentences(sec)) > 0 {
			return true
		}
	}
	for _, it := range ns.Note.LeftOut {
		if len(it.Sources) > 0 {
			return true
		}
	}
	return false
}

// sourcesBar is the switch between editing the note and seeing where each
// sentence came from.
func sourcesBar(ns *app.NoteState) string {
	if !hasSources(ns) {
		return ""
	}
	show := ns.Sources.Show
	pressed := "false"
	if show {
		pressed = "true"
	}
	var b builder
	// The id keeps the focus on the switch when the note is rendered again.
	b.w(`<div class="sources-bar"><button type="button" id="sources-toggle" data-act="sources" aria-pressed="`, pressed, `" aria-describedby="sources-hint">Show sources</button>`,
		`<span class="muted" id="sources-hint">`)
	switch {
	case !show:
		b.w(`See the words of the session each sentence was written from.`)
	case ns.Editable():
		b.w(`Focus or point at a sentence to see where it came from. Turn this off to edit.`)
	default:
		b.w(`Focus or point at a sentence to see where it came from.`)
	}
	b.w(`</span></div>`)
	return b.String()
}

// sentencesText writes a section's text with each generated sentence that
// has sources as a focusable span naming it.
func sentencesText(b *builder, sec note.Section) {
	b.w(`<p class="text sentences">`)
	at := 0
	for _, i := range app.ValidSentences(sec) {
		st := sec.Sentences[i]
		b.t(sec.Text[at:st.Start])
		if len(st.Sources) == 0 {
			b.t(sec.Text[st.Start:st.End])
		} else {
			b.w(`<span class="sent" tabindex="0" data-src="`, esc(app.SentenceRef(sec.Key, i)), `">`, esc(sec.Text[st.Start:st.End]), `</span>`)
		}
		at = st.End
	}
	b.t(sec.Text[at:])
	b.w(`</p>`)
}

// leftOutList lists what the sources said that is in no section, why, and
// (while the note can change) where to add each item.
func leftOutList(p *Page, ns *app.NoteState) string {
	items := ns.Note.LeftOut
	if len(items) == 0 {
		return ""
	}
	editable := ns.Editable()
	lo := &ns.LeftOut
	var b builder
	b.w(`<section class="leftout" aria-labelledby="lo-h"><h3 id="lo-h">Left out <span class="muted">(`, strconv.Itoa(len(items)), `)</span></h3>`,
		`<p class="muted">Said in the session but not in the note.`)
	if editable {
		b.w(` Add any of it to a section if it belongs there.`)
	}
	b.w(`</p><ul class="plain">`)
	for n, it := range items {
		num := strconv.Itoa(n)
		b.w(`<li class="lo-item"><p class="text" id="lo-t-`, num, `">`)
		if ns.Sources.Show && len(it.Sources) > 0 {
			b.w(`<span class="sent" tabindex="0" data-src="`, esc(app.LeftOutRef(it.ID)), `">`, esc(it.Text), `</span>`)
		} else {
			b.t(it.Text)
		}
		b.w(`</p><p class="lo-why">Why: `, esc(app.LeftOutReason(it.Reason)), `</p>`)
		if editable {
			id := "lo-" + num
			busy := lo.Busy == it.ID
			b.w(`<div class="inline"><label for="`, id, `">Add to</label><select id="`, id, `" data-change="lo-section" data-arg="`, esc(it.ID), `">`,
				`<option value="">Choose a section…</option>`)
			for _, sec := range ns.Note.Sections {
				b.w(`<option value="`, esc(sec.Key), `">`, esc(sec.Title), `</option>`)
			}
			b.w(`</select><button type="button" data-act="lo-place" data-arg="`, esc(it.ID), `" aria-describedby="lo-t-`, num, `"`,
				attrIf(busy, "disabled"), `>`, busyLabel(busy, "Add", "Adding…"), `</button></div>`)
			p.Values[id] = lo.Choice[it.ID]
			if lo.ErrItem == it.ID {
				b.w(errorText("lo-err-"+num, lo.Err))
			}
		}
		b.w(`</li>`)
	}
	b.w(`</ul></section>`)
	return b.String()
}

// sourcePanel shows the summary or transcript with the words the active
// sentence came from marked.
func sourcePanel(ns *app.NoteState) string {
	if ns == nil || !ns.Sources.Show || (ns.Note.Status != api.NoteReady && ns.Note.Status != api.NoteSigned) {
		return ""
	}
	src := &ns.Sources
	var b builder
	b.w(`<aside class="sources" aria-labelledby="src-h"><h3 id="src-h">Sources</h3>`)
	switch {
	case src.Loading:
		b.w(`<p class="muted" role="status">Loading the summary and transcript…</p>`)
	case src.Err != "":
		b.w(errorText("src-err", src.Err))
	case src.Active == nil:
		b.w(`<p class="muted" role="status">Focus or point at a sentence of the note to see the words of the session it came from.</p>`)
	default:
		activeSource(&b, src)
	}
	b.w(`</aside>`)
	return b.String()
}

func activeSource(b *builder, src *app.SourcesState) {
	act := src.Active
	if len(act.Spans) == 0 {
		b.w(`<p role="status"><strong>`, esc(act.Label), `</strong> has no source: it was added by hand or by the language model.</p>`)
		return
	}
	// The status names the sources, and reads the marked words to a screen
	// reader, which does not see the marks.
	var names, words []string
	for _, kind := range []string{note.SourceSummary, note.SourceTranscript} {
		spans := spansOf(act.Spans, kind)
		if spans == nil {
			continue
		}
		names = append(names, "the "+kind)
		if text := src.Texts[kind]; fits(spans, text) {
			for _, sp := range spans {
				words = append(words, text[sp.Start:sp.End])
			}
		}
	}
	b.w(`<p role="status"><strong>`, esc(act.Label), `</strong> comes from `, strings.Join(names, " and "))
	if len(words) > 0 {
		b.w(`<span class="sr-only">: “`, esc(strings.Join(words, " … ")), `”</span>`)
	}
	b.w(`.</p>`)
	for _, kind := range []string{note.SourceSummary, note.SourceTranscript} {
		spans := spansOf(act.Spans, kind)
		if spans == nil {
			continue
		}
		text := src.Texts[kind]
		title := "Summary"
		if kind == note.SourceTranscript {
			title = "Transcript"
		}
		b.w(`<h4>`, title, `</h4>`)
		if !fits(spans, text) {
			b.w(`<p class="warn">The `, kind, ` has changed since the note was written: these words can no longer be found in it.</p>`)
			continue
		}
		b.w(`<div class="src-text" tabindex="0" role="region" aria-label="`, title, `, with the source marked">`)
		markSpans(b, text, spans)
		b.w(`</div>`)
	}
}

// spansOf returns the spans in source kind, ordered by start.
func spansOf(spans []note.Span, kind string) []note.Span {
	var out []note.Span
	for _, sp := range spans {
		if sp.Source != kind {
			continue
		}
		out = append(out, sp)
		for j := len(out) - 1; j > 0 && out[j].Start < out[j-1].Start; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

func fits(spans []note.Span, text string) bool {
	for _, sp := range spans {
		if sp.Start < 0 || sp.End > len(text) || sp.Start >= sp.End {
			return false
		}
	}
	return true
}

// markSpans writes text with each span (ordered, inside text) in <mark>;
// overlapping spans are marked once.
func markSpans(b *builder, text string, spans []note.Span) {
	at := 0
	for _, sp := range spans {
		start := max(sp.Start, at)
		if start >= sp.End {
			continue
		}
		b.t(text[at:start])
		b.w(`<mark>`, esc(text[start:sp.End]), `</mark>`)
		at = sp.End
	}
	b.t(text[at:])
}

// generatorLine says which generator wrote the note, and why when it is
// not the configured one.
func generatorLine(n *api.Note) string {
	var b builder
	switch g := n.Generator; {
	case g == "builtin":
		b.w(` · written by the built-in generator`)
	case strings.HasPrefix(g, "llm:"):
		b.w(` · written by the language model `, esc(strings.TrimPrefix(g, "llm:")))
	case g != "":
		b.w(` · written by `, esc(g))
	}
	return b.String()
}

// riskNote is shown beside a note whose sources mention risk: plainly, and
// without alarm.
func riskNote(n *api.Note) string {
	if !n.RiskMentioned {
		return ""
	}
	return `<p class="risk" role="note"><strong>Risk mentioned.</strong> The session content mentions suicidal or homicidal ideation, self-harm, abuse or a safety plan. Check that the note keeps it as it was said.</p>`
}
