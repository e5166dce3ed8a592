package app

import (
	"strings"
	"testing"

	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/shared/note"
	"github.com/sidenote/sidenote/wasm/internal/client"
)

// A fictional summary and transcript, and a note written from them whose
// sentences cite them.
const (
	srcSummary    = "Client reports sleeping better since the last session. Mood appears improved."
	srcTranscript = "Clinician: Before Thursday, try the sleep diary again.\nClient: Thanks, see you then."
)

func spanIn(source, text, part string) note.Span {
	i := strings.Index(text, part)
	return note.Span{Source: source, Start: i, End: i + len(part)}
}

func noteWithSources() api.Note {
	n := soapNote("n1", 2, api.NoteReady)
	subj := &n.Sections[0]
	subj.Sentences = []note.Sentence{{Start: 0, End: len(subj.Text), Sources: []note.Span{spanIn(note.SourceSummary, srcSummary, "Client reports sleeping better since the last session.")}}}
	plan := &n.Sections[3]
	plan.Sentences = []note.Sentence{{Start: 0, End: len(plan.Text), Sources: []note.Span{
		spanIn(note.SourceSummary, srcSummary, "Mood appears improved."), spanIn(note.SourceTranscript, srcTranscript, "try the sleep diary again"),
	}}}
	n.LeftOut = []note.LeftOut{
		{ID: "t1", Text: "Before Thursday, try the sleep diary again.", Reason: note.LeftOutUnplaced, Sources: []note.Span{spanIn(note.SourceTranscript, srcTranscript, "Before Thursday, try the sleep diary again.")}},
		{ID: "t2", Text: "Thanks, see you then.", Reason: note.LeftOutSmallTalk, Sources: []note.Span{spanIn(note.SourceTranscript, srcTranscript, "Thanks, see you then.")}},
	}
	n.RiskMentioned = true
	return n
}

func newFixtureWithSources(t *testing.T) *fixture {
	t.Helper()
	f := newFixture(t)
	f.saved = map[string]string{"summary": srcSummary, "transcript": srcTranscript}
	f.signedIn(nil, "")
	f.app.Init(bg)
	f.openSession(noteWithSources())
	return f
}

func TestShowSourcesLoadsTheSourcesAndMarksWhereASentenceCameFrom(t *testing.T) {
	f := newFixtureWithSources(t)
	reads := f.api.count("GET /api/v1/sessions/s1/summary")

	f.app.ShowSource(SentenceRef("subjective", 0)) // ignored while sources are hidden
	if f.state().Session.Note.Sources.Active != nil {
		t.Fatal("a source was shown with sources hidden")
	}
	f.app.ToggleSources(bg)
	src := f.state().Session.Note.Sources
	if !src.Show || src.Loading || src.Err != "" || src.Texts[note.SourceSummary] != srcSummary || src.Texts[note.SourceTranscript] != srcTranscript {
		t.Fatalf("sources after turning them on: %+v", src)
	}
	if got := f.api.count("GET /api/v1/sessions/s1/summary"); got != reads+1 {
		t.Fatalf("the summary was read %d times, want once", got-reads)
	}

	f.app.ShowSource(SentenceRef("plan", 0))
	act := f.state().Session.Note.Sources.Active
	if act == nil || act.Label != "Plan, sentence 1" || act.Text != "Plan to continue the sleep diary; next session in two weeks." || len(act.Spans) != 2 {
		t.Fatalf("active source: %+v", act)
	}
	f.app.ShowSource(LeftOutRef("t2"))
	if act := f.state().Session.Note.Sources.Active; act == nil || act.Label != "Left out" || act.Spans[0].Source != note.SourceTranscript {
		t.Fatalf("left-out source: %+v", act)
	}
	for _, ref := range []string{SentenceRef("plan", 1), SentenceRef("nope", 0), "s:plan:x", "s:plan:-1", LeftOutRef("zz"), "junk"} {
		f.app.ShowSource(ref)
		if act := f.state().Session.Note.Sources.Active; act == nil || act.Ref != LeftOutRef("t2") {
			t.Fatalf("%q changed the active source to %+v", ref, act)
		}
	}

	// A section edited here has no sources until the server has the edit.
	f.app.ToggleSources(bg)
	f.app.EditSection("plan", "Plan to walk daily.")
	f.app.ToggleSources(bg)
	f.app.ShowSource(SentenceRef("plan", 0))
	if act := f.state().Session.Note.Sources.Active; act != nil {
		t.Fatalf("an edited section showed stale sources: %+v", act)
	}
	if got := f.api.count("GET /api/v1/sessions/s1/summary"); got != reads+1 {
		t.Fatalf("turning sources on again read the summary again (%d reads)", got-reads)
	}
}

func TestShowSourcesWhenTheServerFails(t *testing.T) {
	f := newFixtureWithSources(t)
	f.api.on("GET /api/v1/sessions/s1/transcript", func(*client.Request) reply {
		return apiErr(503, api.CodeUnavailable, "busy")
	})
	f.app.ToggleSources(bg)
	if src := f.state().Session.Note.Sources; src.Err != codeMessages[api.CodeUnavailable] || src.Texts != nil || src.Loading {
		t.Fatalf("sources after a failed read: %+v", src)
	}
}

func TestPlaceLeftOutSavesANewVersion(t *testing.T) {
	f := newFixtureWithSources(t)
	var placed api.Note
	f.api.on("POST /api/v1/notes/n1/left-out/t1/place", func(r *client.Request) reply {
		placed = noteWithSources()
		placed.Version = 3
		placed.Sections[3].Text += "\n\nBefore Thursday, try the sleep diary again."
		placed.LeftOut = placed.LeftOut[1:]
		return ok(placed)
	})

	f.app.PlaceLeftOut(bg, "t1")
	if lo := f.state().Session.Note.LeftOut; lo.ErrItem != "t1" || lo.Err == "" || f.api.count("POST /api/v1/notes/n1/left-out/t1/place") != 0 {
		t.Fatalf("placing without a section: %+v", lo)
	}
	f.app.ChooseLeftOutSection("t1", "plan")
	if lo := f.state().Session.Note.LeftOut; lo.Err != "" {
		t.Fatalf("choosing a section kept the error: %+v", lo)
	}
	f.app.PlaceLeftOut(bg, "t1")
	var body api.PlaceLeftOutRequest
	f.api.last("POST /api/v1/notes/n1/left-out/t1/place", &body)
	if body.Version != 2 || body.Section != "plan" {
		t.Fatalf("request %+v", body)
	}
	st := f.state()
	ns := st.Session.Note
	if ns.Note.Version != 3 || len(ns.Note.LeftOut) != 1 || ns.LeftOut.Busy != "" || ns.LeftOut.Choice["t1"] != "" {
		t.Fatalf("after placing: version %d, left out %+v, state %+v", ns.Note.Version, ns.Note.LeftOut, ns.LeftOut)
	}
	if st.Notice.Kind != NoticeSuccess || st.Notice.Text != "Added to Plan. Saved as version 3." {
		t.Fatalf("notice %+v", st.Notice)
	}
}

func TestPlaceLeftOutSavesEditsFirstAndShowsAConflict(t *testing.T) {
	f := newFixtureWithSources(t)
	edited := noteWithSources()
	edited.Version = 3
	edited.Sections[2].Text = "Mood improved."
	f.api.on("PATCH /api/v1/notes/n1", func(*client.Request) reply { return ok(edited) })
	elsewhere := edited
	elsewhere.Version = 4
	f.api.on("POST /api/v1/notes/n1/left-out/t2/place", func(*client.Request) reply {
		return apiErr(409, api.CodeVersionConflict, "changed")
	})
	f.api.on("GET /api/v1/notes/n1", func(*client.Request) reply { return ok(elsewhere) })

	f.app.EditSection("assessment", "Mood improved.")
	f.app.ChooseLeftOutSection("t2", "assessment")
	f.app.PlaceLeftOut(bg, "t2")
	if f.api.count("PATCH /api/v1/notes/n1") != 1 {
		t.Fatal("the pending edit was not saved before placing")
	}
	var body api.PlaceLeftOutRequest
	f.api.last("POST /api/v1/notes/n1/left-out/t2/place", &body)
	if body.Version != 3 {
		t.Fatalf("placed against version %d, want the saved edit's 3", body.Version)
	}
	ns := f.state().Session.Note
	if ns.Note.Version != 4 || ns.LeftOut.ErrItem != "t2" || !strings.Contains(ns.LeftOut.Err, "nothing was added") || ns.Conflict != nil {
		t.Fatalf("after a conflict: version %d, %+v, conflict %+v", ns.Note.Version, ns.LeftOut, ns.Conflict)
	}
}

func TestLeftOutReasonsAreWords(t *testing.T) {
	if got := LeftOutReason("off_topic"); got != "Off topic." {
		t.Errorf("an unknown reason reads %q", got)
	}
	for _, r := range []string{note.LeftOutSmallTalk, note.LeftOutFillerOnly, note.LeftOutDuplicate, note.LeftOutQuestion, note.LeftOutUnsupported, note.LeftOutUnplaced, "dictation", ""} {
		if got := LeftOutReason(r); got == r || strings.Contains(got, "_") || !strings.HasSuffix(got, ".") {
			t.Errorf("reason %q reads %q", r, got)
		}
	}
}

func TestValidSentencesSkipsWhatDoesNotFit(t *testing.T) {
	sec := note.Section{Text: "One. Two. Three.", Sentences: []note.Sentence{
		{Start: 10, End: 16}, {Start: 0, End: 4}, {Start: 2, End: 8}, {Start: 5, End: 9}, {Start: 12, End: 40}, {Start: 3, End: 3},
	}}
	got := ValidSentences(sec)
	if len(got) != 3 || got[0] != 1 || got[1] != 3 || got[2] != 0 {
		t.Fatalf("ValidSentences = %v, want [1 3 0]", got)
	}
}
