package api

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sidenote/sidenote/server/internal/notepdf/pdftest"
	"github.com/sidenote/sidenote/server/internal/store/storetest"
	"github.com/sidenote/sidenote/shared/api"
)

// TestNotePDF reads the PDF of a note back as text: the template's
// sections in order, the client, the date of service, signer and time,
// and addenda; a draft says so.
func TestNotePDF(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, databaseURL string) {
		ts := newTestServer(t, databaseURL)
		a := ts.login("a@example.com")
		client := ts.createClient(a, "Zoë O’Brien", api.ClientIndividual)
		var sess api.Session
		ts.do(a, http.MethodPost, "/api/v1/sessions", api.CreateSessionRequest{
			Type: api.SessionInPerson, ClientID: &client.ID, Consent: &api.Consent{Obtained: true, Method: api.ConsentVerbal},
			StartedAt: ptr(time.Date(2026, 12, 4, 15, 0, 0, 0, time.UTC)),
		}, http.StatusCreated, &sess)
		ts.do(a, http.MethodPut, "/api/v1/sessions/"+sess.ID+"/summary", api.TextRequest{Text: fictionalSummary}, http.StatusOK, nil)
		n := ts.generateNote(a, sess.ID, "soap")
		pdfPath := "/api/v1/notes/" + n.ID + "/pdf"

		text := func(path string) string {
			res := ts.do(a, http.MethodGet, path, nil, http.StatusOK, nil)
			if ct := res.Header.Get("Content-Type"); ct != "application/pdf" {
				t.Fatalf("Content-Type %q", ct)
			}
			if cd := res.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || strings.Contains(cd, "Zo") {
				t.Fatalf("Content-Disposition %q", cd)
			}
			return strings.Join(strings.Fields(pdftest.Text(t, res.Body)), " ")
		}
		draft := text(pdfPath)
		for _, want := range []string{"Progress note (SOAP)", "Zoë O’Brien", "Fri 4 Dec 2026, 15:00 UTC", "Draft — not signed", "Assessment Not documented"} {
			if !strings.Contains(draft, want) {
				t.Errorf("draft PDF lacks %q:\n%s", want, draft)
			}
		}

		ts.do(a, http.MethodPatch, "/api/v1/notes/"+n.ID, api.UpdateNoteRequest{Version: n.Version,
			Sections: []api.SectionEdit{{Key: "plan", Text: "Continue weekly sessions; “homework” — the panic log."}}}, http.StatusOK, nil)
		ts.do(a, http.MethodPost, "/api/v1/notes/"+n.ID+"/sign", signAndEnd(n.Version+1), http.StatusOK, nil)
		ts.do(a, http.MethodPost, "/api/v1/notes/"+n.ID+"/addenda", api.TextRequest{Text: "Client called to move the next appointment."}, http.StatusCreated, nil)

		kim := ts.createClient(a, "Kim (pseudonym)", api.ClientIndividual)
		ts.do(a, http.MethodPatch, "/api/v1/sessions/"+sess.ID, api.UpdateSessionRequest{Type: ptr(api.SessionTelehealth),
			Reason: ptr("Entered as in person by mistake (fictional).")}, http.StatusOK, nil)
		ts.do(a, http.MethodPost, "/api/v1/sessions/"+sess.ID+"/assign", api.AssignRequest{ClientID: kim.ID,
			Reason: ptr("Wrong client picked (fictional).")}, http.StatusOK, nil)

		signed := text(pdfPath + "?tz=America/New_York")
		for _, want := range []string{
			"Client Kim (pseudonym)", "Date of service Fri 4 Dec 2026, 10:00 EST", "Signed by Dr a@example.com", "Signed at",
			"Plan Continue weekly sessions; “homework” — the panic log.",
			"Addenda Addendum, ", "Client called to move the next appointment.",
			"Amendments Amendment, ", "Session type: in_person → telehealth. Reason: Entered as in person by mistake (fictional).",
			"Client: Zoë O’Brien → Kim (pseudonym). Reason: Wrong client picked (fictional).",
		} {
			if !strings.Contains(signed, want) {
				t.Errorf("signed PDF lacks %q:\n%s", want, signed)
			}
		}
		if strings.Contains(signed, "Draft") {
			t.Errorf("a signed note's PDF says draft:\n%s", signed)
		}
		last := -1
		for _, title := range []string{"Subjective", "Objective", "Assessment", "Plan", "Amendments", "Addenda"} {
			i := strings.Index(signed, title+" ")
			if i < last {
				t.Errorf("%s out of order:\n%s", title, signed)
			}
			last = i
		}
		if e := ts.do(a, http.MethodGet, pdfPath+"?tz=Mars/Olympus", nil, http.StatusUnprocessableEntity, nil).Error(); e.Field != "tz" {
			t.Errorf("bad tz: %+v", e)
		}
		if got := auditCount(t, ts, "note.read", n.ID); got < 2 {
			t.Errorf("%d note.read events for two PDFs", got)
		}
		b := ts.login("b@example.com")
		ts.do(b, http.MethodGet, pdfPath, nil, http.StatusNotFound, nil)
	})
}
