package notes

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/sidenote/sidenote/shared/note"
)

// A clinician's own template, generated with the real built-in generator.
func TestCustomTemplateDrawsFromBuiltinKinds(t *testing.T) {
	src := Source{Summary: "Client reports that panic attacks dropped from four to two this week. " +
		"Client appeared calm and made good eye contact. " +
		"Clinician reviewed the breathing exercise and practised it with the client. " +
		"Plan to continue weekly sessions and to keep the panic log as homework."}
	tmpl := note.Template{ID: "01a24222-06db-7e08-a8b3-126222f9eece", Name: "My intake", Sections: []note.SectionDef{
		{Key: "report", Title: "Client report", DrawsFrom: []string{"subjective", "data"}},
		{Key: "interventions", Title: "Interventions used", Aliases: []string{"Techniques"}, DrawsFrom: []string{"intervention"}},
		{Key: "homework", Title: "Homework", Aliases: []string{"Between-session tasks"}, DrawsFrom: []string{"plan"}},
		{Key: "impression", Title: "Clinical impression", DrawsFrom: []string{"assessment"}},
	}}
	g := WithCustom(NewBuiltin())
	res, err := g.Generate(context.Background(), tmpl, src)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Sections) != 4 {
		t.Fatalf("%d sections", len(res.Sections))
	}
	for i, d := range tmpl.Sections {
		s := res.Sections[i]
		if s.Key != d.Key || s.Title != d.Title || !reflect.DeepEqual(s.Aliases, d.Aliases) {
			t.Errorf("section %d = %s %q %v, want %s %q %v", i, s.Key, s.Title, s.Aliases, d.Key, d.Title, d.Aliases)
		}
	}
	byKey := map[string]note.Section{}
	for _, s := range res.Sections {
		byKey[s.Key] = s
	}
	// Each built-in kind as the built-in templates fill it.
	builtin := func(id note.TemplateID, key string) note.Section {
		tm, _ := note.Lookup(id)
		r, err := NewBuiltin().Generate(context.Background(), tm, src)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range r.Sections {
			if s.Key == key {
				return s
			}
		}
		t.Fatalf("%s has no %s", id, key)
		return note.Section{}
	}
	if want := builtin(note.DAP, "data").Text; byKey["report"].Text != want {
		t.Errorf("report = %q, want the data section %q alone (it holds the subjective one)", byKey["report"].Text, want)
	}
	if want := builtin(note.BIRP, "intervention").Text; want == "" || byKey["interventions"].Text != want {
		t.Errorf("interventions = %q, want %q", byKey["interventions"].Text, want)
	}
	if !strings.Contains(byKey["homework"].Text, "panic log") || byKey["homework"].NotDocumented {
		t.Errorf("homework = %+v", byKey["homework"])
	}
	// The summary holds no assessment: no built-in template finds one.
	if g := byKey["impression"]; !g.NotDocumented || g.Text != "" {
		t.Errorf("impression = %+v, want not documented", g)
	}
	// Sources point at the summary's own words.
	for _, s := range res.Sections {
		for _, sp := range s.Sources {
			if sp.Source != note.SourceSummary || sp.End > len(src.Summary) || !strings.Contains(s.Text, src.Summary[sp.Start:sp.End][:10]) {
				t.Errorf("%s: span %+v", s.Key, sp)
			}
		}
	}
	if len(res.LeftOut) != 0 {
		t.Errorf("left out %+v, though every sentence is in a section", res.LeftOut)
	}

	// A template without the observation's kind lists it as left out.
	brief := note.Template{ID: "01a24222-06db-7e08-a8b3-126222f9eecf", Sections: []note.SectionDef{
		{Key: "said", Title: "What the client said", DrawsFrom: []string{"subjective"}},
		{Key: "next", Title: "Next", DrawsFrom: []string{"plan"}},
	}}
	short, err := g.Generate(context.Background(), brief, src)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, lo := range short.LeftOut {
		if strings.Contains(lo.Text, "good eye contact") && lo.Reason == note.LeftOutUnplaced && len(lo.Sources) > 0 {
			found = true
		}
		if lo.ID == "" {
			t.Errorf("left-out item without an id: %+v", lo)
		}
	}
	if !found {
		t.Errorf("the observation vanished: left out %+v", short.LeftOut)
	}
	if res.Generator != "builtin" {
		t.Errorf("generator %q", res.Generator)
	}
}

func TestCustomLeavesBuiltinTemplatesAlone(t *testing.T) {
	src := Source{Summary: "Client reports stress at work. Plan to meet next week."}
	soap, _ := note.Lookup(note.SOAP)
	want, err := NewBuiltin().Generate(context.Background(), soap, src)
	if err != nil {
		t.Fatal(err)
	}
	got, err := WithCustom(NewBuiltin()).Generate(context.Background(), soap, src)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v, %v", got, err)
	}
	if _, err := WithCustom(NewBuiltin()).Generate(context.Background(), note.Template{ID: "x", Sections: []note.SectionDef{{Key: "a", DrawsFrom: []string{"plan"}}}}, Source{}); err != ErrNoSource {
		t.Errorf("blank sources: %v", err)
	}
}
