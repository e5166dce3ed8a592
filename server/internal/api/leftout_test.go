package api

import (
	"context"
	"net/http"
	"reflect"
	"testing"

	"gorm.io/gorm"

	"github.com/sidenote/sidenote/server/internal/audit"
	"github.com/sidenote/sidenote/server/internal/store/storetest"
	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/shared/note"
)

// noteWithLeftOut makes a SOAP note of a new session of the token's
// clinician as the generation job stores one, with two left-out sentences
// ("s2", "s3") and the risk flag, and returns it as the API sends it.
func (ts *testServer) noteWithLeftOut(token string) api.Note {
	ts.t.Helper()
	var me api.Clinician
	ts.do(token, http.MethodGet, "/api/v1/me", nil, http.StatusOK, &me)
	sess := ts.createAnonymousSession(token, api.SessionWrittenSummary, api.AnonymousIndividual)
	ts.do(token, http.MethodPut, "/api/v1/sessions/"+sess.ID+"/summary", api.TextRequest{Text: storetest.GeneratedSummary}, http.StatusOK, nil)
	ctx := storetest.As(context.Background(), me.ID)
	n, _, err := ts.store.CreateNote(ctx, me.ID, sess.ID, note.SOAP, "", func(*gorm.DB, string) error { return nil })
	if err != nil {
		ts.t.Fatal(err)
	}
	if err := ts.store.CompleteNote(ctx, me.ID, n.ID, storetest.GeneratedSOAP()); err != nil {
		ts.t.Fatal(err)
	}
	var out api.Note
	ts.do(token, http.MethodGet, "/api/v1/notes/"+n.ID, nil, http.StatusOK, &out)
	return out
}

func TestPlaceLeftOutRoute(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, databaseURL string) {
		ts := newTestServer(t, databaseURL)
		a := ts.login("a@example.com")
		n := ts.noteWithLeftOut(a)
		if len(n.LeftOut) != 2 || !n.RiskMentioned || n.GeneratorNote == "" || len(n.Sections[0].Sentences) != 1 {
			t.Fatalf("the note as the API sends it: %+v", n)
		}
		place := func(item string) string { return "/api/v1/notes/" + n.ID + "/left-out/" + item + "/place" }
		writes := auditCount(t, ts, string(audit.NoteWrite), n.ID)

		// Refusals change nothing.
		for _, tc := range []struct {
			name, item string
			body       any
			status     int
			code       string
			field      string
		}{
			{"stale version", "s2", api.PlaceLeftOutRequest{Version: 0, Section: "plan"}, http.StatusConflict, api.CodeVersionConflict, ""},
			{"unknown item", "s9", api.PlaceLeftOutRequest{Version: 1, Section: "plan"}, http.StatusNotFound, api.CodeNotFound, ""},
			{"section of another template", "s2", api.PlaceLeftOutRequest{Version: 1, Section: "data"}, http.StatusUnprocessableEntity, api.CodeInvalidField, "section"},
			{"no section", "s2", api.PlaceLeftOutRequest{Version: 1}, http.StatusUnprocessableEntity, api.CodeInvalidField, "section"},
			{"mistyped version", "s2", map[string]any{"version": "1", "section": "plan"}, http.StatusBadRequest, api.CodeWrongType, "version"},
		} {
			res := ts.do(a, http.MethodPost, place(tc.item), tc.body, tc.status, nil)
			if e := res.Error(); e.Code != tc.code || e.Field != tc.field {
				t.Errorf("%s: %s, want %s naming %q", tc.name, res.Body, tc.code, tc.field)
			}
		}

		var placed api.Note
		ts.do(a, http.MethodPost, place("s2"), api.PlaceLeftOutRequest{Version: 1, Section: "plan"}, http.StatusOK, &placed)
		plan := placed.Sections[3]
		wantSentence := []note.Sentence{{Start: 0, End: len(storetest.GeneratedHomework), Sources: []note.Span{storetest.SummarySpan(storetest.GeneratedHomework)}}}
		if placed.Version != 2 || plan.Text != storetest.GeneratedHomework || plan.NotDocumented || !reflect.DeepEqual(plan.Sentences, wantSentence) {
			t.Fatalf("plan after placing: version %d, %+v", placed.Version, plan)
		}
		if len(placed.LeftOut) != 1 || placed.LeftOut[0].ID != "s3" || !placed.RiskMentioned {
			t.Fatalf("after placing: left out %+v, risk %v", placed.LeftOut, placed.RiskMentioned)
		}
		if got := auditCount(t, ts, string(audit.NoteWrite), n.ID); got != writes+1 {
			t.Fatalf("placing wrote %d audit events, want 1", got-writes)
		}
		var versions api.Page[api.NoteVersion]
		ts.do(a, http.MethodGet, "/api/v1/notes/"+n.ID+"/versions", nil, http.StatusOK, &versions)
		if len(versions.Items) != 2 || !reflect.DeepEqual(versions.Items[0].Sections[3].Sentences, wantSentence) ||
			len(versions.Items[1].Sections[0].Sentences) != 1 {
			t.Fatalf("versions: %+v", versions.Items)
		}
		if res := ts.do(a, http.MethodPost, place("s2"), api.PlaceLeftOutRequest{Version: 2, Section: "plan"}, http.StatusNotFound, nil); res.Error().Code != api.CodeNotFound {
			t.Fatalf("placing twice: %s", res.Body)
		}

		// The export carries the new fields.
		doc, _ := ts.export(a)
		exported := noteOf(t, doc.session(t, n.SessionID), n.ID)
		if !reflect.DeepEqual(exported.LeftOut, placed.LeftOut) || !exported.RiskMentioned || exported.GeneratorNote != n.GeneratorNote ||
			!reflect.DeepEqual(exported.Versions[1].Sections[3].Sentences, wantSentence) {
			t.Fatalf("exported note: %+v", exported)
		}

		ts.do(a, http.MethodPost, "/api/v1/notes/"+n.ID+"/sign", signAndEnd(2), http.StatusOK, nil)
		if res := ts.do(a, http.MethodPost, place("s3"), api.PlaceLeftOutRequest{Version: 2, Section: "plan"}, http.StatusConflict, nil); res.Error().Code != api.CodeNoteSigned {
			t.Fatalf("placing into a signed note: %s", res.Body)
		}
	})
}
