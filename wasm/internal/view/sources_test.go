package view

import (
	"strings"
	"testing"

	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/shared/note"
	"github.com/sidenote/sidenote/wasm/internal/app"
)

// A fictional summary, and a note with one sentence from it and one typed
// by the clinician.
const viewSummary = "Client said the <new> routine helps. Slept six hours."

func sourcedState() app.State {
	st := readyState(false)
	ns := st.Session.Note
	ns.Edits, ns.Save = map[string]string{}, app.SaveIdle
	subj := &ns.Note.Sections[0]
	subj.Text = "Client reported that the <new> routine helps. Typed by hand."
	end := strings.Index(subj.Text, " Typed")
	subj.Sentences = []note.Sentence{{Start: 0, End: end, Sources: []note.Span{{Source: note.SourceSummary, Start: 0, End: 36}}}}
	ns.Note.LeftOut = []note.LeftOut{{ID: "x1", Text: "Slept six hours.", Reason: note.LeftOutDuplicate,
		Sources: []note.Span{{Source: note.SourceSummary, Start: 37, End: 53}}}}
	ns.Note.RiskMentioned = true
	ns.Note.Generator = "builtin"
	ns.Note.GeneratorNote = "The language model did not answer in time."
	return st
}

func TestNoteShowsLeftOutRiskAndGenerator(t *testing.T) {
	st := sourcedState()
	p := Render(&st, env)
	bar := slot(t, p, "s-notebar").HTML
	for _, want := range []string{"written by the built-in generator", "The language model did not answer in time.", `class="risk" role="note"`, "Risk mentioned."} {
		if !strings.Contains(bar, want) {
			t.Errorf("note bar lacks %q: %s", want, bar)
		}
	}
	notes := slot(t, p, "s-note").HTML
	for _, want := range []string{`aria-labelledby="lo-h"`, "Left out", "Slept six hours.", "Why: Says again what the note already holds.",
		`<label for="lo-0">Add to</label>`, `data-change="lo-section" data-arg="x1"`, `data-act="lo-place" data-arg="x1" aria-describedby="lo-t-0"`,
		`<option value="plan">Plan</option>`, `aria-pressed="false"`} {
		if !strings.Contains(notes, want) {
			t.Errorf("note lacks %q: %s", want, notes)
		}
	}
	if strings.Contains(notes, `class="sent"`) || slot(t, p, "s-sources").HTML != "" {
		t.Error("sources shown before the clinician asked")
	}
	if _, ok := p.Values["lo-0"]; !ok {
		t.Error("the section choice is not set as a value")
	}

	st.Session.Note.LeftOut = app.LeftOutState{Busy: "x1"}
	if notes := slot(t, Render(&st, env), "s-note").HTML; !strings.Contains(notes, "Adding…") {
		t.Errorf("placing not shown: %s", notes)
	}
	st.Session.Note.Note.Status, st.Session.Note.Note.RiskMentioned = api.NoteSigned, false
	p = Render(&st, env)
	if notes := slot(t, p, "s-note").HTML; strings.Contains(notes, "lo-place") || !strings.Contains(notes, "Slept six hours.") {
		t.Errorf("a signed note's left-out list: %s", notes)
	}
	if strings.Contains(slot(t, p, "s-notebar").HTML, "risk") {
		t.Error("risk shown for a note without it")
	}
}

func TestSourcesViewMarksTheSpanOfTheFocusedSentence(t *testing.T) {
	st := sourcedState()
	ns := st.Session.Note
	ns.Sources = app.SourcesState{Show: true, Texts: map[string]string{note.SourceSummary: viewSummary, note.SourceTranscript: ""}}
	p := Render(&st, env)
	notes := slot(t, p, "s-note").HTML
	want := `<p class="text sentences"><span class="sent" tabindex="0" data-src="s:subjective:0">Client reported that the &lt;new&gt; routine helps.</span> Typed by hand.</p>`
	if !strings.Contains(notes, want) {
		t.Errorf("sentences not focusable as expected:\n%s", notes)
	}
	if strings.Contains(notes, `<textarea id="sec-subjective"`) || !strings.Contains(notes, `aria-pressed="true"`) || !strings.Contains(notes, `data-src="l:x1"`) {
		t.Errorf("sources view: %s", notes)
	}
	panel := slot(t, p, "s-sources").HTML
	if !strings.Contains(panel, `role="status">Focus or point at a sentence`) {
		t.Errorf("empty source panel: %s", panel)
	}

	ns.Sources.Active = &app.SourceRef{Ref: "s:subjective:0", Label: "Subjective, sentence 1", Text: "Client reported…",
		Spans: []note.Span{{Source: note.SourceSummary, Start: 0, End: 36}}}
	panel = slot(t, Render(&st, env), "s-sources").HTML
	for _, want := range []string{`<strong>Subjective, sentence 1</strong> comes from the summary<span class="sr-only">: “Client said the &lt;new&gt; routine helps.”</span>.`, `<h4>Summary</h4>`,
		`<div class="src-text" tabindex="0" role="region" aria-label="Summary, with the source marked"><mark>Client said the &lt;new&gt; routine helps.</mark> Slept six hours.</div>`} {
		if !strings.Contains(panel, want) {
			t.Errorf("source panel lacks %q:\n%s", want, panel)
		}
	}
	if strings.Contains(panel, "Transcript") {
		t.Error("a source the sentence does not cite is shown")
	}

	// Spans beyond a source that changed since, and a sentence without any.
	ns.Sources.Active.Spans = []note.Span{{Source: note.SourceTranscript, Start: 0, End: 9}}
	if panel := slot(t, Render(&st, env), "s-sources").HTML; !strings.Contains(panel, "The transcript has changed since the note was written") || strings.Contains(panel, "<mark>") {
		t.Errorf("a span outside the source: %s", panel)
	}
	ns.Sources.Active.Spans = nil
	if panel := slot(t, Render(&st, env), "s-sources").HTML; !strings.Contains(panel, "has no source") {
		t.Errorf("a sentence without sources: %s", panel)
	}
}

func TestMarkSpansMergesOverlaps(t *testing.T) {
	var b builder
	markSpans(&b, "abcdefghij", spansOf([]note.Span{{Source: "summary", Start: 6, End: 9}, {Source: "summary", Start: 1, End: 4}, {Source: "summary", Start: 3, End: 5}}, "summary"))
	if got := b.String(); got != "a<mark>bcd</mark><mark>e</mark>f<mark>ghi</mark>j" {
		t.Errorf("markSpans = %s", got)
	}
}
