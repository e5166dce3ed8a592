package notes

import (
	"context"
	"strings"
	"testing"

	"github.com/sidenote/sidenote/shared/note"
)

// generate runs the built-in generator and checks the note contract.
func generate(t *testing.T, id note.TemplateID, src Source) Result {
	t.Helper()
	tmpl, _ := note.Lookup(id)
	res, err := NewBuiltin().Generate(context.Background(), tmpl, src)
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, tmpl, src, res)
	return res
}

// sectionOf returns the key of the section whose text holds want, or the
// left-out reason, or "".
func sectionOf(res Result, want string) string {
	for _, s := range res.Sections {
		if strings.Contains(s.Text, want) {
			return s.Key
		}
	}
	for _, lo := range res.LeftOut {
		if strings.Contains(lo.Text, want) {
			return "left_out:" + lo.Reason
		}
	}
	return ""
}

// The misfilings issue 12 names, each as a clinician would file it.
func TestUnderstandingNotBagOfWords(t *testing.T) {
	for _, tc := range []struct {
		name string
		src  Source
		id   note.TemplateID
		want map[string]string // note text -> section
	}{
		{"past-tense schedule is a report", Source{Summary: "He says he stuck to the bedtime schedule on five nights."}, note.SOAP,
			map[string]string{"stuck to the bedtime schedule": "subjective"}},
		{"the main clause over a sub-clause", Source{Summary: "Client appeared tired. Client reports that she arrived late to work twice because the bus broke down. Plan to review sleep next week."}, note.SOAP,
			map[string]string{"Client reports that she arrived late to work twice because the bus broke down.": "subjective"}},
		{"homework reported done", Source{Summary: "Affect bright. She finished the worksheet from last time and brought it in. Plan: continue weekly sessions."}, note.SOAP,
			map[string]string{"She finished the worksheet from last time and brought it in.": "subjective"}},
		{"grief is not a plan", Source{Transcript: "Therapist: What are the mornings like?\nClient: I make two coffees, then I'll see his coat and fall apart.\n"}, note.SOAP,
			map[string]string{"see his coat and fall apart": "subjective"}},
		{"instruction without cue words", Source{Transcript: "Client: The bus is still the hard one.\nTherapist: Before Thursday, try the bus ride on your own.\n"}, note.SOAP,
			map[string]string{"Clinician asked client to try the bus ride on their own, before Thursday.": "plan"}},
		{"means restriction as a question", Source{Transcript: "Client: I keep the old prescription in the drawer.\nTherapist: Could your brother keep the spare pills at his place for now?\n"}, note.DAP,
			map[string]string{"Clinician asked if client's brother could keep the spare pills at his place for now.": "plan"}},
		{"observation said to the client", Source{Transcript: "Client: It was a long week at work.\nTherapist: You're tapping your foot a lot while you tell me this.\n"}, note.SOAP,
			map[string]string{"Clinician noted that client is tapping their foot a lot while client tells the clinician this.": "objective"}},
		{"headings steer and are not copied", Source{Summary: "Check-in:\n- Slept six hours most nights.\nPlan: continue weekly sessions.\n"}, note.SOAP,
			map[string]string{"- Slept six hours most nights.": "subjective", "Continue weekly sessions.": "plan"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := generate(t, tc.id, tc.src)
			for text, want := range tc.want {
				if got := sectionOf(res, text); got != want {
					t.Errorf("%q is in %q, want %q\nnote: %q", text, got, want, note.Compose(res.Sections))
				}
			}
			for _, s := range res.Sections {
				if strings.Contains(s.Text, "Plan:") || strings.Contains(s.Text, "Check-in:") {
					t.Errorf("a source heading was copied into %s: %q", s.Key, s.Text)
				}
			}
		})
	}
}

func TestWordingThirdPerson(t *testing.T) {
	src := Source{Transcript: "Therapist: How have you been sleeping?\n" +
		"Client: Um, I'm still having trouble falling asleep, you know?\n" +
		"Partner A: We had another fight about the dishes.\n" +
		"Therapist: I noticed that you both leaned away just now.\n"}
	res := generate(t, note.Narrative, src)
	text := res.Sections[0].Text
	for _, want := range []string{
		"Client reported that they are still having trouble falling asleep.", // a statement, not a question
		`Partner A stated, "We had another fight about the dishes."`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("narrative lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "Partner A:") || strings.Contains(text, "Client:") {
		t.Errorf("speaker prefixes copied: %s", text)
	}
	if len(res.Sections[0].Sentences) < 3 {
		t.Errorf("sentences = %+v", res.Sections[0].Sentences)
	}
}

func TestTranscriptFormats(t *testing.T) {
	for name, transcript := range map[string]string{
		"webvtt":       "WEBVTT\n\n1\n00:00:01.000 --> 00:00:04.000\n<v Therapist>How was the week?</v>\n\n2\n00:00:05.000 --> 00:00:09.000\n<v Client>I slept better after the walks.</v>\n",
		"srt":          "1\n00:00:01,000 --> 00:00:04,000\nTherapist: How was the week?\n\n2\n00:00:05,000 --> 00:00:09,000\nClient: I slept better after the walks.\n",
		"name (time):": "Therapist (00:00:01): How was the week?\nClient (00:00:05): I slept better after the walks.\n",
	} {
		t.Run(name, func(t *testing.T) {
			res := generate(t, note.SOAP, Source{Transcript: transcript})
			if got := res.Sections[0].Text; got != "Client reported that they slept better after the walks." {
				t.Errorf("subjective = %q", got)
			}
			if sectionOf(res, "How was the week?") != "left_out:question" {
				t.Errorf("left out = %+v", res.LeftOut)
			}
		})
	}
}

func TestDictation(t *testing.T) {
	src := Source{Summary: "This is Dr. Reyes dictating a progress note period Client reports sleeping better period new paragraph Plan is to meet again next week period"}
	res := generate(t, note.SOAP, src)
	if got := sectionOf(res, "Client reports sleeping better."); got != "subjective" {
		t.Errorf("report in %q: %q", got, note.Compose(res.Sections))
	}
	if got := sectionOf(res, "Plan is to meet again next week."); got != "plan" {
		t.Errorf("plan in %q: %q", got, note.Compose(res.Sections))
	}
	if got := sectionOf(res, "This is Dr. Reyes dictating a progress note"); got != "left_out:"+note.LeftOutDictation {
		t.Errorf("preamble in %q", got)
	}
	if strings.Contains(note.Compose(res.Sections), "period") {
		t.Errorf("spoken punctuation copied: %q", note.Compose(res.Sections))
	}
}

func TestRiskKeptAndFlagged(t *testing.T) {
	src := Source{Transcript: "Therapist: Have you had any thoughts of ending your life?\nClient: Sometimes, yeah, at night.\n" +
		"Therapist: Would you be willing to call the crisis line if it gets worse?\nClient: Yes.\n"}
	res := generate(t, note.BIRP, src)
	if !res.RiskMentioned {
		t.Error("risk_mentioned not set")
	}
	all := note.Compose(res.Sections)
	for _, want := range []string{`"Have you had any thoughts of ending your life?"`, "crisis line"} {
		if !strings.Contains(all, want) {
			t.Errorf("note lacks %q: %q", want, all)
		}
	}
	if strings.Contains(strings.ToLower(all), "denie") {
		t.Errorf("a denial the source does not make: %q", all)
	}
	quiet := generate(t, note.SOAP, Source{Summary: "Client reports better sleep. Took her pills as prescribed."})
	if quiet.RiskMentioned {
		t.Error("risk_mentioned set for a note without risk")
	}
}

func TestBulletsStayBullets(t *testing.T) {
	res := generate(t, note.SOAP, Source{Summary: "Plan:\n- Continue worry window daily.\n- Next appointment in one week.\n"})
	if got := res.Sections[3].Text; got != "- Continue worry window daily.\n- Next appointment in one week." {
		t.Errorf("plan = %q", got)
	}
}

// TestExplain: the placement of a sentence can be explained by the features
// that weighed most for its section.
func TestExplain(t *testing.T) {
	var b strings.Builder
	tmpl, _ := note.Lookup(note.SOAP)
	if err := Explain(&b, tmpl, Source{Summary: "Plan: continue weekly sessions."}); err != nil {
		t.Fatal(err)
	}
	if out := b.String(); !strings.HasPrefix(out, `plan         "Continue weekly sessions."`) || !strings.Contains(out, "head=plan") {
		t.Errorf("explanation = %q", out)
	}
}
