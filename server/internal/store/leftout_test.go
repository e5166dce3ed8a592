package store_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/sidenote/sidenote/server/internal/seal"
	"github.com/sidenote/sidenote/server/internal/store"
	"github.com/sidenote/sidenote/server/internal/store/storetest"
	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/shared/note"
)

// newGeneratedNote stores g as a SOAP note of a new session and returns
// the store, the acting context, the clinician's id and the note.
func newGeneratedNote(t *testing.T, dbURL string, g store.GeneratedNote) (*store.Store, context.Context, string, *store.Note) {
	t.Helper()
	s := storetest.MustOpen(t, dbURL)
	ctx := context.Background()
	c, err := s.SignIn(ctx, "dev", "left", "left@example.com", "Dr Left")
	if err != nil {
		t.Fatal(err)
	}
	ctx = storetest.As(ctx, c.ID)
	anon := api.AnonymousIndividual
	sess, err := s.CreateSession(ctx, c.ID, api.CreateSessionRequest{Type: api.SessionWrittenSummary, Anonymous: &anon, Consent: &api.Consent{Obtained: true, Method: api.ConsentVerbal}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PutSource(ctx, c.ID, sess.ID, store.SourceSummary, storetest.GeneratedSummary, nil); err != nil {
		t.Fatal(err)
	}
	n, _, err := s.CreateNote(ctx, c.ID, sess.ID, note.SOAP, "", noJob)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CompleteNote(ctx, c.ID, n.ID, g); err != nil {
		t.Fatal(err)
	}
	n, err = s.Note(ctx, c.ID, n.ID)
	if err != nil {
		t.Fatal(err)
	}
	return s, ctx, c.ID, n
}

func TestGeneratedNoteKeepsLeftOutRiskAndSentenceSources(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, dbURL string) {
		g := storetest.GeneratedSOAP()
		s, ctx, clinician, n := newGeneratedNote(t, dbURL, g)

		if got := store.LeftOutOf(n.LeftOut); !reflect.DeepEqual(got, g.LeftOut) {
			t.Fatalf("left out read back as %+v, want %+v", got, g.LeftOut)
		}
		if !n.RiskMentioned || n.GeneratorNote != g.GeneratorNote || n.Generator != "builtin" {
			t.Fatalf("risk %v, generator %q, note %q", n.RiskMentioned, n.Generator, n.GeneratorNote)
		}
		if got := store.SectionsOf(n.Sections); !reflect.DeepEqual(got, g.Sections) {
			t.Fatalf("sections read back as %+v", got)
		}
		versions, err := s.NoteVersions(ctx, clinician, n.ID)
		if err != nil || len(versions) != 1 {
			t.Fatalf("versions %v, %v", versions, err)
		}
		if got := store.SectionsOf(versions[0].Sections); !reflect.DeepEqual(got[0].Sentences, g.Sections[0].Sentences) {
			t.Fatalf("version 1 lost the sentences: %+v", got[0].Sentences)
		}

		// At rest the left-out text is sealed, like the sections.
		var raw string
		if err := s.DB().Raw("SELECT left_out FROM notes WHERE id = ?", n.ID).Scan(&raw).Error; err != nil {
			t.Fatal(err)
		}
		if !seal.IsSealed(raw) || strings.Contains(raw, "bus ride") {
			t.Fatalf("notes.left_out is stored in clear: %.60q", raw)
		}
	})
}

func TestPlaceLeftOut(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, dbURL string) {
		s, ctx, clinician, n := newGeneratedNote(t, dbURL, storetest.GeneratedSOAP())

		placed, err := s.PlaceLeftOut(ctx, clinician, n.ID, "s2", api.PlaceLeftOutRequest{Version: 1, Section: "plan"})
		if err != nil {
			t.Fatal(err)
		}
		if placed.Version != 2 {
			t.Fatalf("version %d after placing, want 2", placed.Version)
		}
		plan := store.SectionsOf(placed.Sections)[3]
		want := note.Section{Key: "plan", Title: "Plan", Text: storetest.GeneratedHomework, Sources: []note.Span{storetest.SummarySpan(storetest.GeneratedHomework)},
			Sentences: []note.Sentence{{Start: 0, End: len(storetest.GeneratedHomework), Sources: []note.Span{storetest.SummarySpan(storetest.GeneratedHomework)}}}}
		if !reflect.DeepEqual(plan, want) {
			t.Fatalf("plan after placing:\n%+v\nwant\n%+v", plan, want)
		}
		if left := store.LeftOutOf(placed.LeftOut); len(left) != 1 || left[0].ID != "s3" {
			t.Fatalf("left out after placing: %+v", left)
		}
		reread, err := s.Note(ctx, clinician, n.ID)
		if err != nil || reread.Sections != placed.Sections || reread.LeftOut != placed.LeftOut {
			t.Fatalf("the placement was not saved: %v", err)
		}
		versions, err := s.NoteVersions(ctx, clinician, n.ID)
		if err != nil || len(versions) != 2 || !strings.Contains(versions[0].Sections, storetest.GeneratedHomework) {
			t.Fatalf("version 2 not kept: %v", err)
		}

		// A second item goes into the same section as a new paragraph.
		placed, err = s.PlaceLeftOut(ctx, clinician, n.ID, "s3", api.PlaceLeftOutRequest{Version: 2, Section: "plan"})
		if err != nil {
			t.Fatal(err)
		}
		plan = store.SectionsOf(placed.Sections)[3]
		if plan.Text != storetest.GeneratedHomework+"\n\n"+storetest.GeneratedThanks || len(plan.Sentences) != 2 || plan.Text[plan.Sentences[1].Start:plan.Sentences[1].End] != storetest.GeneratedThanks {
			t.Fatalf("second placement: %q %+v", plan.Text, plan.Sentences)
		}

		for name, tc := range map[string]struct {
			item    string
			req     api.PlaceLeftOutRequest
			code    string
			field   string
			signFst bool
		}{
			"stale version":  {"s3", api.PlaceLeftOutRequest{Version: 1, Section: "plan"}, api.CodeVersionConflict, "", false},
			"unknown item":   {"s9", api.PlaceLeftOutRequest{Version: 3, Section: "plan"}, api.CodeNotFound, "", false},
			"placed already": {"s2", api.PlaceLeftOutRequest{Version: 3, Section: "plan"}, api.CodeNotFound, "", false},
			"DAP section":    {"s3", api.PlaceLeftOutRequest{Version: 3, Section: "data"}, api.CodeInvalidField, "section", false},
		} {
			_, err := s.PlaceLeftOut(ctx, clinician, n.ID, tc.item, tc.req)
			var e *api.Error
			if !errors.As(err, &e) || e.Code != tc.code || e.Field != tc.field {
				t.Errorf("%s: %v, want %s naming %q", name, err, tc.code, tc.field)
			}
		}
		if _, err := s.PlaceLeftOut(ctx, "someone-else", n.ID, "s3", api.PlaceLeftOutRequest{Version: 3, Section: "plan"}); !store.IsNotFound(err) {
			t.Errorf("another clinician placing: %v, want not found", err)
		}
	})
}

func TestPlaceLeftOutInSignedNoteIsRefused(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, dbURL string) {
		s, ctx, clinician, n := newGeneratedNote(t, dbURL, storetest.GeneratedSOAP())
		if _, err := s.SignNote(ctx, clinician, n.ID, api.SignNoteRequest{Version: 1, EndSession: &api.EndSessionRequest{}}, s.Now(), nil); err != nil {
			t.Fatal(err)
		}
		_, err := s.PlaceLeftOut(ctx, clinician, n.ID, "s2", api.PlaceLeftOutRequest{Version: 1, Section: "plan"})
		var e *api.Error
		if !errors.As(err, &e) || e.Code != api.CodeNoteSigned {
			t.Fatalf("placing into a signed note: %v", err)
		}
	})
}

// An edit keeps the sources of the sentences it leaves as they were and
// drops those of the sentences it rewrites.
func TestEditKeepsSourcesOfUnchangedSentences(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, dbURL string) {
		s, ctx, clinician, n := newGeneratedNote(t, dbURL, storetest.GeneratedSOAP())
		added := "Clinician reviewed the exposure ladder. "
		edited, err := s.UpdateNote(ctx, clinician, n.ID, api.UpdateNoteRequest{Version: 1, Sections: []api.SectionEdit{{Key: "subjective", Text: added + storetest.GeneratedReported}}})
		if err != nil {
			t.Fatal(err)
		}
		subj := store.SectionsOf(edited.Sections)[0]
		if len(subj.Sentences) != 1 || subj.Sentences[0].Start != len(added) || subj.Text[subj.Sentences[0].Start:subj.Sentences[0].End] != storetest.GeneratedReported {
			t.Fatalf("the unchanged sentence was not re-located: %+v", subj.Sentences)
		}
		if !reflect.DeepEqual(subj.Sources, subj.Sentences[0].Sources) {
			t.Fatalf("section sources %+v, want the kept sentence's", subj.Sources)
		}

		rewritten := "Client storetest.GeneratedReported that the bus ride felt a little easier."
		edited, err = s.UpdateNote(ctx, clinician, n.ID, api.UpdateNoteRequest{Version: 2, Sections: []api.SectionEdit{{Key: "subjective", Text: rewritten}}})
		if err != nil {
			t.Fatal(err)
		}
		subj = store.SectionsOf(edited.Sections)[0]
		if len(subj.Sentences) != 0 || len(subj.Sources) != 0 {
			t.Fatalf("a rewritten sentence kept its sources: %+v", subj)
		}
		if left := store.LeftOutOf(edited.LeftOut); len(left) != 2 {
			t.Fatalf("an edit changed what was left out: %+v", left)
		}
	})
}

// A generator's blank or repeated ids are replaced, so each item can be
// placed by its id.
func TestLeftOutIDsAreMadeUnique(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, dbURL string) {
		g := storetest.GeneratedSOAP()
		g.LeftOut[0].ID, g.LeftOut[1].ID = "", ""
		g.LeftOut = append(g.LeftOut, note.LeftOut{ID: "left-out-1", Text: "Okay.", Reason: note.LeftOutFillerOnly})
		_, _, _, n := newGeneratedNote(t, dbURL, g)
		seen := map[string]bool{}
		for _, it := range store.LeftOutOf(n.LeftOut) {
			if it.ID == "" || seen[it.ID] || it.Sources == nil {
				t.Fatalf("left out ids after storing: %+v", store.LeftOutOf(n.LeftOut))
			}
			seen[it.ID] = true
		}
	})
}
