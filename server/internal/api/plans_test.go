package api

import (
	"net/http"
	"strings"
	"testing"

	"github.com/sidenote/sidenote/server/internal/store/storetest"
	"github.com/sidenote/sidenote/shared/api"
)

// secondSummary is a later fictional session of the same client.
const secondSummary = "Client reports avoiding the supermarket because of worry about a panic attack. " +
	"Goal is to shop alone for ten minutes by next month. " +
	"Clinician introduced graded exposure and built a fear ladder with the client. " +
	"Plan to try the first step of the ladder before the next session."

func TestTreatmentPlans(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, databaseURL string) {
		ts := newTestServer(t, databaseURL)
		a, b := ts.login("a@example.com"), ts.login("b@example.com")
		client := ts.createClient(a, "Jo (pseudonym)", api.ClientIndividual)
		clientPlan := "/api/v1/clients/" + client.ID + "/treatment-plan"

		// Two sessions of the client, each with a note from the built-in
		// generator; a third note stays unsigned and must not be used.
		sessionWith := func(summary string) api.Session {
			t.Helper()
			var sess api.Session
			ts.do(a, http.MethodPost, "/api/v1/sessions", api.CreateSessionRequest{
				Type: api.SessionInPerson, ClientID: &client.ID, Consent: &api.Consent{Obtained: true, Method: api.ConsentVerbal},
			}, http.StatusCreated, &sess)
			ts.do(a, http.MethodPut, "/api/v1/sessions/"+sess.ID+"/summary", api.TextRequest{Text: summary}, http.StatusOK, nil)
			return sess
		}
		first, second := sessionWith(fictionalSummary), sessionWith(secondSummary)
		firstNote, secondNote := ts.generateNote(a, first.ID, "soap"), ts.generateNote(a, second.ID, "girp")
		ts.generateNote(a, second.ID, "dap")

		// Nothing signed yet: refused, saying what to do, and not audited.
		res := ts.do(a, http.MethodPost, clientPlan, nil, http.StatusUnprocessableEntity, nil)
		if e := res.Error(); e.Code != api.CodeNoSource || !strings.Contains(e.Message, "Sign at least one note") {
			t.Fatalf("plan without signed notes: %s", res.Body)
		}

		for _, n := range []api.Note{firstNote, secondNote} {
			ts.do(a, http.MethodPost, "/api/v1/notes/"+n.ID+"/sign", signAndEnd(n.Version), http.StatusOK, nil)
		}
		var plan api.TreatmentPlan
		ts.do(a, http.MethodPost, clientPlan, nil, http.StatusOK, &plan)
		if plan.NotesUsed != 2 || plan.ClientID != client.ID {
			t.Fatalf("plan: %+v", plan)
		}
		signedNotes := map[string]string{firstNote.ID: fictionalSummary, secondNote.ID: secondSummary}
		usedNotes := map[string]bool{}
		items := 0
		for _, list := range [][]api.PlanItem{plan.Problems, plan.Goals, plan.Objectives, plan.Interventions} {
			for _, item := range list {
				items++
				if len(item.Sources) == 0 {
					t.Errorf("plan item %q has no source", item.Text)
				}
				for _, src := range item.Sources {
					summary, ok := signedNotes[src.NoteID]
					if !ok {
						t.Errorf("plan item %q cites note %s, which is not a signed note of the client", item.Text, src.NoteID)
					}
					// Verbatim: the sentence is in the summary its note came from.
					if !strings.Contains(summary, item.Text) {
						t.Errorf("plan item %q is not a sentence of note %s", item.Text, src.NoteID)
					}
					usedNotes[src.NoteID] = true
				}
			}
		}
		if items == 0 || len(usedNotes) != 2 {
			t.Fatalf("plan draws on %d notes with %d items, want both notes: %+v", len(usedNotes), items, plan)
		}
		if len(plan.Goals) == 0 || !strings.Contains(secondSummary, plan.Goals[0].Text) {
			t.Errorf("the stated goal is not in the plan's goals: %+v", plan.Goals)
		}

		// Through a session of the client: the same plan.
		var fromSession api.TreatmentPlan
		ts.do(a, http.MethodPost, "/api/v1/sessions/"+first.ID+"/treatment-plan", nil, http.StatusOK, &fromSession)
		if fromSession.NotesUsed != 2 || fromSession.ClientID != client.ID || len(fromSession.Problems) != len(plan.Problems) {
			t.Fatalf("plan through the session: %+v", fromSession)
		}

		// Anonymous and unassigned telehealth sessions: refused with a
		// message saying what to do.
		anon := ts.createAnonymousSession(a, api.SessionInPerson, api.AnonymousCouple)
		var telehealth api.Session
		ts.do(a, http.MethodPost, "/api/v1/sessions", api.CreateSessionRequest{
			Type: api.SessionTelehealth, Consent: &api.Consent{Obtained: true, Method: api.ConsentElectronic},
		}, http.StatusCreated, &telehealth)
		for _, id := range []string{anon.ID, telehealth.ID} {
			res := ts.do(a, http.MethodPost, "/api/v1/sessions/"+id+"/treatment-plan", nil, http.StatusConflict, nil)
			if e := res.Error(); e.Code != api.CodeSessionUnassigned || !strings.Contains(e.Message, "Assign") || !strings.Contains(e.Message, "pseudonymous") {
				t.Fatalf("unassigned session: %s", res.Body)
			}
		}

		// Another clinician's client and session are not found.
		ts.do(b, http.MethodPost, clientPlan, nil, http.StatusNotFound, nil)
		ts.do(b, http.MethodPost, "/api/v1/sessions/"+first.ID+"/treatment-plan", nil, http.StatusNotFound, nil)

		if got := auditCount(t, ts, "treatment_plan.create", client.ID); got != 2 {
			t.Fatalf("%d treatment_plan.create audit events, want 2 (the two plans built)", got)
		}
	})
}
