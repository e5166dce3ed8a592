package view

import (
	"strings"
	"testing"
	"time"

	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/shared/match"
	"github.com/sidenote/sidenote/shared/note"
	"github.com/sidenote/sidenote/wasm/internal/app"
)

func TestSignedNoteSaysWhoSignedAndOffersAddendaPDFAndHistory(t *testing.T) {
	st := readyState(false)
	at := time.Date(2026, 3, 10, 16, 5, 0, 0, time.UTC)
	ns := st.Session.Note
	ns.Note.Status, ns.Note.SignedAt, ns.Note.SignedBy = api.NoteSigned, &at, &api.Signer{ID: "c1", Name: "Dr Rowe <MD>"}
	ns.Note.Addenda = []api.Addendum{{ID: "a1", Text: "Phoned <later>.", CreatedAt: at}}
	ns.Edits = map[string]string{}
	p := Render(&st, env)
	bar := slot(t, p, "s-notebar").HTML
	if !strings.Contains(bar, "by Dr Rowe &lt;MD&gt;") || !strings.Contains(bar, `datetime="2026-03-10T16:05:00Z"`) {
		t.Errorf("signed line: %s", bar)
	}
	rec := slot(t, p, "s-record").HTML
	for _, want := range []string{"Phoned &lt;later&gt;.", `data-act="addendum-open"`, `data-act="pdf"`, "Download PDF", `data-act="history"`} {
		if !strings.Contains(rec, want) {
			t.Errorf("record panel lacks %q: %s", want, rec)
		}
	}
	ns.Record.HistoryOpen = true
	ns.Record.Versions = []api.NoteVersion{
		{Version: 1, Sections: ns.Note.Sections, CreatedAt: at},
		{Version: 2, Sections: append(append([]note.Section{}, ns.Note.Sections[:3]...), note.Section{Key: "plan", Title: "Plan", Text: "Text of Plan, revised."}), CreatedAt: at},
	}
	rec = slot(t, Render(&st, env), "s-record").HTML
	if !strings.Contains(rec, "Version 2") || !strings.Contains(rec, `<del><span class="sr-only">removed: </span>Plan.</del>`) || !strings.Contains(rec, "<ins>") {
		t.Errorf("history: %s", rec)
	}
}

func TestSignConfirmSaysAnOpenSessionEndsToo(t *testing.T) {
	st := readyState(false)
	st.Session.Note.SignConfirm = true
	if strings.Contains(slot(t, Render(&st, env), "s-notebar").HTML, "sign-ends") {
		t.Error("an ended session is said to end")
	}
	st.Session.Session.Status = api.SessionOpen
	if !strings.Contains(slot(t, Render(&st, env), "s-notebar").HTML, "signing ends it too") {
		t.Error("signing an open session does not say it ends it")
	}
}

func TestCheckPanelTakesFocusAndSaysDraft(t *testing.T) {
	st := readyState(true)
	ns := st.Session.Note
	ns.Insert = app.InsertState{Confirm: true, Plan: &match.Plan{
		Assignments: []match.Assignment{{Section: "plan", SectionTitle: "Plan", FieldID: "f2"}, {Section: "subjective", SectionTitle: "Subjective", FieldID: "f1"}},
		Unmatched:   []match.Unmatched{{Section: "assessment", Reason: match.ReasonNoField}, {Section: "objective", Reason: match.ReasonNotDocumented}},
		Candidates:  []match.Candidate{{FieldID: "f1", Label: "Notes"}, {FieldID: "f2", Label: "Plan"}},
	}}
	p := Render(&st, env)
	ins := slot(t, p, "s-insert").HTML
	if !strings.Contains(ins, `id="map-panel"`) || !strings.Contains(ins, "data-autofocus") || !strings.Contains(ins, `tabindex="-1"`) || !strings.Contains(ins, "draft") {
		t.Errorf("check panel: %s", ins)
	}
	s, a, pl := strings.Index(ins, `id="map-subjective"`), strings.Index(ins, `id="map-assessment"`), strings.Index(ins, `id="map-plan"`)
	if s < 0 || a < 0 || pl < 0 || !(s < a && a < pl) || strings.Contains(ins, "map-objective") {
		t.Errorf("rows not in note order: %d %d %d", s, a, pl)
	}
	if p.Values["map-plan"] != "f2" || p.Values["map-assessment"] != "" {
		t.Errorf("values %v", p.Values)
	}
}

func TestTelehealthStartFormAsksNoConsentOfTheClinician(t *testing.T) {
	st := app.State{Screen: app.ScreenStart, Start: app.StartState{Type: api.SessionTelehealth, Who: app.WhoLater, ConsentMethod: api.ConsentWritten}}
	form := slot(t, Render(&st, env), "s-start").HTML
	if !strings.Contains(form, "consent on the join page") || !strings.Contains(form, `<div hidden><div class="choice"><input type="checkbox" id="st-consent"`) {
		t.Errorf("telehealth consent: %s", form)
	}
	st.Start.Type = api.SessionInPerson
	p := Render(&st, env)
	if strings.Contains(slot(t, p, "s-start").HTML, "join page") || p.Values["st-method"] != "written" {
		t.Errorf("in person: method %q", p.Values["st-method"])
	}
}

func TestTypedSummaryShowsItsSaveState(t *testing.T) {
	st := readyState(false)
	st.Session.Note = nil
	st.Session.Summary = app.TextDraft{Text: "Typed."}
	if c := slot(t, Render(&st, env), "s-capture").HTML; !strings.Contains(c, "saving shortly") || strings.Contains(c, "save-text") {
		t.Errorf("pending summary: %s", c)
	}
	st.Session.Summary.Queued = true
	if c := slot(t, Render(&st, env), "s-capture").HTML; !strings.Contains(c, "can't be reached") {
		t.Errorf("queued summary: %s", c)
	}
	st.Session.Summary = app.TextDraft{Text: "Typed.", Saved: true}
	if c := slot(t, Render(&st, env), "s-capture").HTML; !strings.Contains(c, ">Saved<") {
		t.Errorf("saved summary: %s", c)
	}
}

func TestListRowsTellSessionsApart(t *testing.T) {
	start := time.Date(2026, 3, 10, 16, 0, 0, 0, time.UTC)
	end := start.Add(50 * time.Minute)
	rows := []api.Session{
		{ID: "a", Type: api.SessionInPerson, Status: api.SessionEnded, DisplayLabel: "Anonymous couple", Label: "Tue 4 pm couple", StartedAt: start, EndedAt: &end, NoteStatus: api.NoteSigned},
		{ID: "b", Type: api.SessionTelehealth, Status: api.SessionOpen, StartedAt: start},
	}
	a, b := Row(&rows[0], env), Row(&rows[1], env)
	for _, want := range []string{"Tue 4 pm couple", "Anonymous couple", "50 min", "In person", "Signed"} {
		if !strings.Contains(a, want) {
			t.Errorf("row lacks %q: %s", want, a)
		}
	}
	if !strings.Contains(b, app.Unassigned) || !strings.Contains(b, "in progress") {
		t.Errorf("unassigned row: %s", b)
	}
	st := app.State{Screen: app.ScreenSessions, List: app.ListState{Loaded: true, Items: rows[:1], Filter: app.Filter{Assignment: "all", From: "2026-03-02"}}}
	p := Render(&st, env)
	if m := slot(t, p, "s-more").HTML; !strings.Contains(m, ">1 session<") {
		t.Errorf("count: %s", m)
	}
	if p.Values["f-from"] != "2 Mar 2026" || !strings.Contains(slot(t, p, "s-filters").HTML, `type="search"`) {
		t.Errorf("filters: from %q", p.Values["f-from"])
	}
}

func TestTemplatePickerOffersTheClinicianOwnTemplates(t *testing.T) {
	st := readyState(false)
	st.Session.Note = nil
	st.Templates = app.TemplatesState{Loaded: true, Items: []api.NoteTemplate{{ID: "soap", Name: "SOAP", Builtin: true}, {ID: "c-1", Name: "Couples <intake>"}}}
	st.Session.Template = "c-1"
	p := Render(&st, env)
	g := slot(t, p, "s-gen").HTML
	if !strings.Contains(g, `<optgroup label="Your templates"><option value="c-1">Couples &lt;intake&gt;</option></optgroup>`) || p.Values["template"] != "c-1" {
		t.Errorf("picker: %s", g)
	}
}

func TestConnectScreenOffersTheAddressWithoutAnError(t *testing.T) {
	st := app.State{Screen: app.ScreenSignIn, SignIn: app.SignInState{AskServer: true, FirstRun: true, ServerURL: app.DefaultServerURL}}
	p := Render(&st, env)
	c := slot(t, p, "s-connect").HTML
	if p.Title != "Connect to your Sidenote server · Sidenote" || p.Values["server-url"] != app.DefaultServerURL ||
		strings.Contains(c, `role="alert"`) || strings.Contains(c, "Loading sign-in options") {
		t.Errorf("connect screen: %s", c)
	}
	st.SignIn.Err = "Sidenote can't reach the server."
	if c := slot(t, Render(&st, env), "s-connect").HTML; !strings.Contains(c, `aria-invalid="true"`) || !strings.Contains(c, "can&#39;t reach") {
		t.Errorf("connect error: %s", c)
	}
}
