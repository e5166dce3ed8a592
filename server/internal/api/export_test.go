package api

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/sidenote/sidenote/server/internal/store/storetest"
	"github.com/sidenote/sidenote/shared/api"
)

// account is everything one clinician wrote through the API: every kind of
// row Sidenote keeps, so an export or a deletion has something of each.
type account struct {
	email, token, spareToken string
	clientID, archivedID     string
	signedSession            string // assigned, with a transcript and a signed note
	reassignedSession        string // anonymous, then assigned: two history entries; recording
	telehealthSession        string // a guest joined
	deletedSession           string
	signedNote, readyNote    string
	transcript, summary      string
	edit, addendum           string
	templateID               string
	audio                    []byte
}

// seedAccount signs email in and writes a full account's worth of
// fictional data; marker makes its texts unique.
func seedAccount(t *testing.T, ts *testServer, email, marker string) *account {
	t.Helper()
	a := &account{
		email: email, token: ts.login(email), spareToken: ts.login(email),
		transcript: "Client: I kept the " + marker + " sleep diary every night.\nClinician: Let us keep going.",
		summary:    "Client reports the " + marker + " breathing exercise helps before work.",
		edit:       "Edited by the clinician: " + marker + " diary reviewed.",
		addendum:   "Addendum: " + marker + " follow-up call booked.",
		audio:      []byte("fictional audio " + marker),
	}
	a.templateID = string(ts.createTemplate(a.token, "Intake "+marker).ID)
	a.clientID = ts.createClient(a.token, "Robin "+marker+" (pseudonym)", api.ClientIndividual).ID
	a.archivedID = ts.createClient(a.token, "Sam "+marker+" (pseudonym)", api.ClientCouple).ID
	ts.do(a.token, http.MethodDelete, "/api/v1/clients/"+a.archivedID, nil, http.StatusNoContent, nil)

	var signed api.Session
	ts.do(a.token, http.MethodPost, "/api/v1/sessions", api.CreateSessionRequest{
		Type: api.SessionInPerson, ClientID: &a.clientID, Consent: &api.Consent{Obtained: true, Method: api.ConsentWritten},
	}, http.StatusCreated, &signed)
	a.signedSession = signed.ID
	ts.do(a.token, http.MethodPut, "/api/v1/sessions/"+a.signedSession+"/transcript", api.TextRequest{Text: a.transcript}, http.StatusOK, nil)
	n := ts.generateNote(a.token, a.signedSession, "soap")
	a.signedNote = n.ID
	ts.do(a.token, http.MethodPatch, "/api/v1/notes/"+n.ID, api.UpdateNoteRequest{
		Version: n.Version, Sections: []api.SectionEdit{{Key: "subjective", Text: a.edit}},
	}, http.StatusOK, nil)
	ts.do(a.token, http.MethodPost, "/api/v1/notes/"+n.ID+"/insertions", api.InsertionRequest{
		Origin: "https://ehr.example.com", NoteVersion: 2, Fields: []api.InsertionField{{Section: "subjective", FieldLabel: "Subjective"}},
	}, http.StatusCreated, nil)
	ts.do(a.token, http.MethodPost, "/api/v1/notes/"+n.ID+"/sign", signAndEnd(n.Version+1), http.StatusOK, nil)
	ts.do(a.token, http.MethodPost, "/api/v1/notes/"+n.ID+"/addenda", api.TextRequest{Text: a.addendum}, http.StatusCreated, nil)

	a.reassignedSession = ts.createAnonymousSession(a.token, api.SessionDictation, api.AnonymousIndividual).ID
	ts.do(a.token, http.MethodPut, "/api/v1/sessions/"+a.reassignedSession+"/summary", api.TextRequest{Text: a.summary}, http.StatusOK, nil)
	a.readyNote = ts.generateNote(a.token, a.reassignedSession, "dap").ID
	ts.upload(a.token, a.reassignedSession, "audio/webm", a.audio, http.StatusCreated)
	ts.do(a.token, http.MethodPost, "/api/v1/sessions/"+a.reassignedSession+"/assign", api.AssignRequest{ClientID: a.clientID}, http.StatusOK, nil)

	var tele api.Session
	ts.do(a.token, http.MethodPost, "/api/v1/sessions", api.CreateSessionRequest{
		Type: api.SessionTelehealth, Consent: &api.Consent{Obtained: true, Method: api.ConsentElectronic},
	}, http.StatusCreated, &tele)
	a.telehealthSession = tele.ID
	if res := ts.raw("", http.MethodPost, joinPath(t, ts, tele.JoinURL), joinForm(guestEmail, "yes")); res.Status != http.StatusOK {
		t.Fatalf("guest join: %d", res.Status)
	}

	a.deletedSession = ts.createAnonymousSession(a.token, api.SessionWrittenSummary, api.AnonymousCouple).ID
	ts.do(a.token, http.MethodPut, "/api/v1/sessions/"+a.deletedSession+"/summary", api.TextRequest{Text: a.summary}, http.StatusOK, nil)
	ts.do(a.token, http.MethodDelete, "/api/v1/sessions/"+a.deletedSession, nil, http.StatusNoContent, nil)
	return a
}

// exportDocument is what GET /export sends.
type exportDocument struct {
	exportHeader
	Clients     []api.Client       `json:"clients"`
	Templates   []api.NoteTemplate `json:"templates"`
	Sessions    []exportSession    `json:"sessions"`
	AuditEvents []api.AuditEvent   `json:"audit_events"`
}

func (ts *testServer) export(token string) (exportDocument, response) {
	ts.t.Helper()
	res := ts.do(token, http.MethodGet, "/api/v1/export", nil, http.StatusOK, nil)
	var doc exportDocument
	dec := json.NewDecoder(strings.NewReader(string(res.Body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil || dec.More() {
		ts.t.Fatalf("export is not one JSON document of the expected shape: %v\n%.400s", err, res.Body)
	}
	return doc, res
}

var uuidPattern = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

func (d exportDocument) session(t *testing.T, id string) exportSession {
	t.Helper()
	i := slices.IndexFunc(d.Sessions, func(s exportSession) bool { return s.ID == id })
	if i < 0 {
		t.Fatalf("session %s is not in the export", id)
	}
	return d.Sessions[i]
}

func noteOf(t *testing.T, s exportSession, id string) exportNote {
	t.Helper()
	i := slices.IndexFunc(s.Notes, func(n exportNote) bool { return n.ID == id })
	if i < 0 {
		t.Fatalf("note %s is not in session %s of the export", id, s.ID)
	}
	return s.Notes[i]
}

func TestExportHoldsEverythingOfTheCallerOnly(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, databaseURL string) {
		ts := newTestServer(t, databaseURL)
		a := seedAccount(t, ts, "a@example.org", "alder")
		b := seedAccount(t, ts, "b@example.org", "birch")

		doc, res := ts.export(a.token)
		if cd := res.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="sidenote-export-`) {
			t.Errorf("Content-Disposition %q", cd)
		}
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") || res.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("Content-Type %q, Cache-Control %q", ct, res.Header.Get("Cache-Control"))
		}
		if doc.Format != exportFormat || doc.FormatVersion != exportVersion || doc.Clinician.Email != a.email {
			t.Fatalf("header: %+v", doc.exportHeader)
		}

		var clients []string
		for _, c := range doc.Clients {
			clients = append(clients, c.ID)
		}
		if slices.Sort(clients); !slices.Equal(clients, sorted(a.clientID, a.archivedID)) {
			t.Errorf("clients %v, want the active and the archived one", clients)
		}
		if len(doc.Templates) != 1 || string(doc.Templates[0].ID) != a.templateID || doc.Templates[0].Name != "Intake alder" ||
			len(doc.Templates[0].Sections) != 2 || doc.Templates[0].Builtin {
			t.Errorf("templates %+v, want A's own one", doc.Templates)
		}
		var sessions []string
		for _, s := range doc.Sessions {
			sessions = append(sessions, s.ID)
		}
		if !slices.Equal(sessions, sorted(a.signedSession, a.reassignedSession, a.telehealthSession, a.deletedSession)) {
			t.Errorf("sessions %v, want all four (deleted included), in id order", sessions)
		}

		signed := doc.session(t, a.signedSession)
		if signed.Transcript == nil || signed.Transcript.Text != a.transcript || signed.Consent.Method != api.ConsentWritten ||
			signed.ClientID == nil || *signed.ClientID != a.clientID || len(signed.History) != 1 {
			t.Errorf("signed session: %+v", signed)
		}
		n := noteOf(t, signed, a.signedNote)
		if n.Status != api.NoteSigned || len(n.Versions) != 2 || n.Versions[0].Version != 1 || n.Versions[1].Version != 2 ||
			sectionText(n.Note, "subjective") != a.edit || sectionText(api.Note{Sections: n.Versions[1].Sections}, "subjective") != a.edit ||
			sectionText(api.Note{Sections: n.Versions[0].Sections}, "subjective") == a.edit {
			t.Errorf("signed note: status %s, %d versions", n.Status, len(n.Versions))
		}
		if len(n.Addenda) != 1 || n.Addenda[0].Text != a.addendum || len(n.Insertions) != 1 || n.Insertions[0].Fields[0].FieldLabel != "Subjective" {
			t.Errorf("signed note: addenda %+v, insertions %+v", n.Addenda, n.Insertions)
		}

		reassigned := doc.session(t, a.reassignedSession)
		sum := sha256.Sum256(a.audio)
		if reassigned.Summary == nil || reassigned.Summary.Text != a.summary || len(reassigned.History) != 2 ||
			reassigned.History[0].Anonymous == nil || reassigned.History[1].ClientID == nil || *reassigned.History[1].ClientID != a.clientID {
			t.Errorf("reassigned session: summary %+v, history %+v", reassigned.Summary, reassigned.History)
		}
		if reassigned.Recording == nil || reassigned.Recording.SHA256 != hex.EncodeToString(sum[:]) {
			t.Errorf("recording metadata %+v", reassigned.Recording)
		}
		if ready := noteOf(t, reassigned, a.readyNote); ready.Status != api.NoteReady || len(ready.Versions) != 1 {
			t.Errorf("ready note: %s, %d versions", ready.Status, len(ready.Versions))
		}
		if tele := doc.session(t, a.telehealthSession); tele.Telehealth == nil || tele.Telehealth.GuestConsentedAt == nil {
			t.Errorf("telehealth link %+v", tele.Telehealth)
		}
		if del := doc.session(t, a.deletedSession); del.DeletedAt == nil || del.Summary == nil {
			t.Errorf("deleted session: deleted_at %v, summary %+v", del.DeletedAt, del.Summary)
		}

		// Audited, and the audit log is in it, this export included.
		if n := auditCount(t, ts, "export", doc.Clinician.ID); n != 1 {
			t.Errorf("%d export audit events, want 1", n)
		}
		actions := map[string]bool{}
		for _, e := range doc.AuditEvents {
			actions[e.Action] = true
		}
		for _, want := range []string{"sign_in", "note.sign", "export"} {
			if !actions[want] {
				t.Errorf("the exported audit log has no %s event", want)
			}
		}

		// Nothing of B's: no text, no id.
		body := string(res.Body)
		if strings.Contains(body, "birch") || strings.Contains(body, b.email) {
			t.Error("A's export holds B's text")
		}
		bDoc, bRes := ts.export(b.token)
		bIDs := uuidPattern.FindAllString(string(bRes.Body), -1)
		if !slices.Contains(bIDs, bDoc.Clinician.ID) || !slices.Contains(bIDs, b.signedNote) {
			t.Fatalf("B's export lacks B's own ids")
		}
		for _, id := range bIDs {
			if strings.Contains(body, id) {
				t.Errorf("A's export holds B's id %s", id)
			}
		}
	})
}

func sorted(ids ...string) []string {
	slices.Sort(ids)
	return ids
}

func TestExportNeedsSignIn(t *testing.T) {
	ts := newTestServer(t, storetest.SQLiteURL(t))
	if res := ts.raw("", http.MethodGet, "/api/v1/export", nil); res.Status != http.StatusUnauthorized {
		t.Fatalf("export without a token: %d", res.Status)
	}
}
