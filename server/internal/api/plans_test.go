package api

import (
	"net/http"
	"strings"
	"testing"

	"github.com/sidenote/sidenote/server/internal/store/storetest"
	"github.com/sidenote/sidenote/shared/api"
)

func TestTreatmentPlans(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, databaseURL string) {
		ts := newTestServer(t, databaseURL)
		a := ts.login("a@example.com")
		client := ts.createClient(a, "Jo (pseudonym)", api.ClientIndividual)
		var assigned api.Session
		ts.do(a, http.MethodPost, "/api/v1/sessions", api.CreateSessionRequest{
			Type: api.SessionInPerson, ClientID: &client.ID, Consent: &api.Consent{Obtained: true, Method: api.ConsentVerbal},
		}, http.StatusCreated, &assigned)
		ts.do(a, http.MethodPut, "/api/v1/sessions/"+assigned.ID+"/summary", api.TextRequest{Text: fictionalSummary}, http.StatusOK, nil)

		// Before any note is signed the draft is empty: nothing is invented.
		var plan api.TreatmentPlan
		ts.do(a, http.MethodPost, "/api/v1/clients/"+client.ID+"/treatment-plan", nil, http.StatusOK, &plan)
		if plan.NotesUsed != 0 || len(plan.Problems)+len(plan.Goals)+len(plan.Objectives)+len(plan.Interventions) != 0 {
			t.Fatalf("plan without signed notes: %+v", plan)
		}
		n := ts.generateNote(a, assigned.ID, "soap")
		ts.do(a, http.MethodPost, "/api/v1/notes/"+n.ID+"/sign", nil, http.StatusOK, nil)
		ts.do(a, http.MethodPost, "/api/v1/clients/"+client.ID+"/treatment-plan", nil, http.StatusOK, &plan)
		if plan.NotesUsed != 1 || plan.ClientID != client.ID || len(plan.Problems)+len(plan.Objectives) == 0 {
			t.Fatalf("plan: %+v", plan)
		}
		for _, items := range [][]api.PlanItem{plan.Problems, plan.Goals, plan.Objectives, plan.Interventions} {
			for _, item := range items {
				if !strings.Contains(fictionalSummary, item.Text) {
					t.Errorf("plan item %q is not from the signed note", item.Text)
				}
			}
		}
		var fromSession api.TreatmentPlan
		ts.do(a, http.MethodPost, "/api/v1/sessions/"+assigned.ID+"/treatment-plan", nil, http.StatusOK, &fromSession)
		if fromSession.NotesUsed != 1 || fromSession.ClientID != client.ID {
			t.Fatalf("plan through the session: %+v", fromSession)
		}

		// Anonymous: refused with a message saying what to do.
		anon := ts.createAnonymousSession(a, api.SessionInPerson, api.AnonymousCouple)
		res := ts.do(a, http.MethodPost, "/api/v1/sessions/"+anon.ID+"/treatment-plan", nil, http.StatusConflict, nil)
		if e := res.Error(); e.Code != api.CodeSessionUnassigned || !strings.Contains(e.Message, "Assign") || !strings.Contains(e.Message, "pseudonymous") {
			t.Fatalf("anonymous session: %s", res.Body)
		}
		if got := auditCount(t, ts, "treatment_plan.create", client.ID); got != 3 {
			t.Fatalf("%d treatment_plan.create audit events, want 3", got)
		}
	})
}
