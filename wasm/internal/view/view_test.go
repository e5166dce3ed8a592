package view

import (
	"html"
	"strings"
	"testing"
	"time"

	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/shared/note"
	"github.com/sidenote/sidenote/wasm/internal/app"
)

var env = Env{Origin: "http://127.0.0.1:8080", Now: time.Date(2026, 3, 10, 18, 0, 0, 0, time.UTC), Loc: time.UTC}

func slot(t *testing.T, p Page, id string) Slot {
	t.Helper()
	for _, s := range p.Slots {
		if s.ID == id {
			return s
		}
	}
	t.Fatalf("no slot %q", id)
	return Slot{}
}

func TestEscMatchesHTMLEscapeString(t *testing.T) {
	for _, s := range []string{"", "plain", "&", `<b class="x">O'Neil & Co</b>`, "a<<>>b", "ends with &", "“ünïcode” ✓ <", "\x00\xff<"} {
		if got, want := esc(s), html.EscapeString(s); got != want {
			t.Errorf("esc(%q) = %q, want %q", s, got, want)
		}
	}
}

func TestSkeletonHoldsEverySlot(t *testing.T) {
	states := []app.State{
		{Screen: app.ScreenSignIn},
		{Screen: app.ScreenSessions},
		{Screen: app.ScreenStart, Start: app.StartState{Who: app.WhoClient}},
		{Screen: app.ScreenSession, Session: app.SessionState{Assign: app.AssignState{Open: true}}},
		{Screen: app.ScreenSession},
		{Screen: app.ScreenSession, SignOut: app.SignOutState{Confirm: true, Unsent: 2}},
	}
	for _, st := range states {
		p := Render(&st, env)
		// Every slot has a container in the skeleton or in an earlier slot.
		placed := p.Skeleton
		for _, s := range p.Slots {
			if s.ID == "banner" || s.ID == "top" || s.ID == "notice" {
				continue
			}
			if s.HTML != "" && !strings.Contains(placed, `id="`+s.ID+`"`) {
				t.Errorf("%s: slot %s has no container before it", st.Screen, s.ID)
			}
			placed += s.HTML
		}
		if !strings.Contains(p.Skeleton+slotHTML(p), `id="h"`) {
			t.Errorf("%s: no focusable heading", st.Screen)
		}
	}
}

func slotHTML(p Page) string {
	var b strings.Builder
	for _, s := range p.Slots {
		b.WriteString(s.HTML)
	}
	return b.String()
}

func TestRowsEscapeAndShowDateTypeStatus(t *testing.T) {
	anon := api.AnonymousCouple
	st := app.State{Screen: app.ScreenSessions, List: app.ListState{Loaded: true, Gen: 4, Items: []api.Session{
		{ID: "a1", Type: api.SessionTelehealth, DisplayLabel: `<img src=x onerror=alert(1)>`, StartedAt: env.Now.Add(-2 * time.Hour), NoteStatus: api.NoteReady},
		{ID: "a2", Type: api.SessionInPerson, Anonymous: &anon, DisplayLabel: anon.Label(), StartedAt: time.Date(2025, 12, 1, 9, 5, 0, 0, time.UTC)},
	}}}
	p := Render(&st, env)
	list := slot(t, p, "s-list")
	if len(list.Rows) != 2 || list.RowsKey != "g4" {
		t.Fatalf("rows %d key %q", len(list.Rows), list.RowsKey)
	}
	if strings.Contains(list.Rows[0], "<img") || !strings.Contains(list.Rows[0], "&lt;img") {
		t.Errorf("label not escaped: %s", list.Rows[0])
	}
	for _, want := range []string{"Today 16:00", "Telehealth", "Note ready"} {
		if !strings.Contains(list.Rows[0], want) {
			t.Errorf("row 0 lacks %q: %s", want, list.Rows[0])
		}
	}
	for _, want := range []string{"Anonymous couple", "1 Dec 2025, 09:05", "In person", "No note"} {
		if !strings.Contains(list.Rows[1], want) {
			t.Errorf("row 1 lacks %q: %s", want, list.Rows[1])
		}
	}
}

func TestOfflineListIsReadOnly(t *testing.T) {
	st := app.State{Screen: app.ScreenSessions, Offline: true, List: app.ListState{Loaded: true, Cached: true, Next: "x"}}
	p := Render(&st, env)
	if !strings.Contains(slot(t, p, "banner").HTML, "as last loaded") {
		t.Error("no offline banner")
	}
	if slot(t, p, "s-startbtn").HTML != "" {
		t.Error("Start session offered offline")
	}
	if strings.Contains(slot(t, p, "s-more").HTML, "Load more") {
		t.Error("Load more offered for the offline copy")
	}
	if !strings.Contains(slot(t, p, "s-filters").HTML, "disabled") {
		t.Error("filters enabled on the offline copy")
	}
}

func TestSignOutAsksBeforeDeletingUnsentDrafts(t *testing.T) {
	me := &api.Clinician{ID: "c1", Name: "Dr Rowe"}
	st := readyState(false)
	st.Me, st.Offline = me, true
	if top := slot(t, Render(&st, env), "top").HTML; !strings.Contains(top, `data-act="signout"`) {
		t.Errorf("sign-out not offered offline: %s", top)
	}

	st.SignOut = app.SignOutState{Busy: true}
	top := slot(t, Render(&st, env), "top").HTML
	if strings.Contains(top, `data-act="signout"`) || !strings.Contains(top, "Signing out…") || !strings.Contains(top, "disabled") {
		t.Errorf("top while sending drafts before signing out: %s", top)
	}

	st.SignOut = app.SignOutState{Confirm: true, Unsent: 2}
	p := Render(&st, env)
	if p.Key != "signout" || !strings.Contains(p.Skeleton, "Sign out?") {
		t.Fatalf("page %q: %s", p.Key, p.Skeleton)
	}
	q := slot(t, p, "s-signout").HTML
	for _, want := range []string{
		"2 unsaved drafts have not reached the server.", "Signing out deletes them from this device.",
		"keep them on this device until the connection returns",
		`class="primary" data-act="signout-cancel">Stay signed in</button>`,
		`class="danger" data-act="signout-confirm">Sign out and delete</button>`,
	} {
		if !strings.Contains(q, want) {
			t.Errorf("question lacks %q: %s", want, q)
		}
	}
	if strings.Contains(slotHTML(p), "Edited plan.") {
		t.Error("the note is shown under the question")
	}
	if strings.Contains(slot(t, p, "top").HTML, `data-act="signout"`) {
		t.Error("sign-out offered again while asking")
	}

	st.Offline = false
	st.SignOut.Unsent = 1
	q = slot(t, Render(&st, env), "s-signout").HTML
	for _, want := range []string{"1 unsaved draft has not reached the server.", "deletes it from this device", "open its session to save it"} {
		if !strings.Contains(q, want) {
			t.Errorf("question lacks %q: %s", want, q)
		}
	}

	// Sent meanwhile (Try again): nothing is deleted any more.
	st.SignOut.Unsent = 0
	q = slot(t, Render(&st, env), "s-signout").HTML
	if strings.Contains(q, "delete") || !strings.Contains(q, `data-act="signout-confirm">Sign out</button>`) {
		t.Errorf("question with nothing left to delete: %s", q)
	}

	st.SignOut = app.SignOutState{}
	if p := Render(&st, env); p.Key == "signout" {
		t.Error("staying signed in did not bring the session back")
	}
}

func readyState(canInsert bool) app.State {
	tmpl, _ := note.Lookup(note.SOAP)
	n := api.Note{ID: "n1", Template: note.SOAP, Status: api.NoteReady, Version: 3}
	for _, d := range tmpl.Sections {
		text := "Text of " + d.Title + "."
		n.Sections = append(n.Sections, note.Section{Key: d.Key, Title: d.Title, Text: text})
	}
	n.Sections[1].Text, n.Sections[1].NotDocumented = "", true
	return app.State{Screen: app.ScreenSession, CanInsert: canInsert, Session: app.SessionState{
		Session:  api.Session{ID: "s1", Type: api.SessionInPerson, Status: api.SessionEnded, DisplayLabel: "Anonymous individual"},
		Template: note.SOAP, OnFilled: app.FilledSkip,
		Note: &app.NoteState{Note: n, Edits: map[string]string{"plan": "Edited plan."}, Base: map[string]string{}, Save: app.SavePending},
	}}
}

func TestNoteViewWeb(t *testing.T) {
	st := readyState(false)
	p := Render(&st, env)
	bar := slot(t, p, "s-notebar").HTML
	if strings.Contains(bar, "Insert into page") || !strings.Contains(bar, "Copy note") {
		t.Errorf("web note bar: %s", bar)
	}
	if slot(t, p, "s-insert").HTML != "" {
		t.Error("insert panel on the web")
	}
	notes := slot(t, p, "s-note").HTML
	if !strings.Contains(notes, "Not documented") || !strings.Contains(notes, `aria-describedby="nd-objective"`) {
		t.Errorf("not documented section not shown as such: %s", notes)
	}
	if p.Values["sec-plan"] != "Edited plan." || p.Values["sec-subjective"] != "Text of Subjective." {
		t.Errorf("section values = %v", p.Values)
	}
	if strings.Contains(notes, "Edited plan.") {
		t.Error("typed text inside the slot HTML would re-render the field on every key")
	}
	if !strings.Contains(slot(t, p, "s-save").HTML, "kept on this device") {
		t.Error("pending save not announced")
	}
}

func TestNoteViewExtensionConflictAndResult(t *testing.T) {
	st := readyState(true)
	ns := st.Session.Note
	ns.Conflict = &app.Conflict{Sections: []app.ConflictSection{{Key: "plan", Title: "Plan", Mine: "Mine <b>", Saved: "Theirs"}}}
	ns.Save = app.SaveConflict
	ns.Insert.Result = &app.InsertResult{OK: true, Filled: []app.FilledField{{Section: "subjective", Field: "Chief complaint"}},
		Skipped: []app.SkippedField{{Section: "plan", Field: "Plan", Reason: "field already had text"}}}
	p := Render(&st, env)
	notes := slot(t, p, "s-note").HTML
	for _, want := range []string{"Your version", "Mine &lt;b&gt;", "Saved version", "Theirs", `data-act="keep-mine"`, `data-act="keep-saved"`} {
		if !strings.Contains(notes, want) {
			t.Errorf("conflict lacks %q", want)
		}
	}
	if _, has := p.Values["sec-plan"]; has {
		t.Error("a conflicting section must not also be editable")
	}
	ins := slot(t, p, "s-insert").HTML
	for _, want := range []string{"Subjective → Chief complaint", "Plan not inserted into Plan: field already had text", `data-act="undo"`} {
		if !strings.Contains(ins, want) {
			t.Errorf("insert result lacks %q: %s", want, ins)
		}
	}
	if !strings.Contains(slot(t, p, "s-notebar").HTML, "Insert into page") {
		t.Error("no Insert in the extension")
	}
	if strings.Contains(ins, `data-act="copy-section" data-arg="plan"`) {
		t.Error("Copy offered for a section skipped because its field had text")
	}

	// A field too small for its section: the reply's limit brings a Copy
	// for that section beside the reason.
	ns.Insert.Result.Skipped = []app.SkippedField{{Section: "plan", Field: "Plan", Limit: 40,
		Reason: "too long for this field: it holds at most 40 characters, the section has 92; copy it instead"}}
	ins = slot(t, Render(&st, env), "s-insert").HTML
	for _, want := range []string{"it holds at most 40 characters", `data-act="copy-section" data-arg="plan" aria-label="Copy Plan">Copy</button>`} {
		if !strings.Contains(ins, want) {
			t.Errorf("insert result lacks %q: %s", want, ins)
		}
	}

	// No form on the page yet: the offer to wait, then what it is doing.
	ns.Insert = app.InsertState{CanWait: true, Err: "Sidenote found no field for this note on the page."}
	if ins = slot(t, Render(&st, env), "s-insert").HTML; !strings.Contains(ins, `data-act="insert-wait">Wait for the form</button>`) {
		t.Errorf("no offer to wait: %s", ins)
	}
	ns.Insert = app.InsertState{Busy: true, Waiting: true}
	if ins = slot(t, Render(&st, env), "s-insert").HTML; !strings.Contains(ins, `role="status">Waiting for the note form`) || strings.Contains(ins, "insert-wait") {
		t.Errorf("waiting not shown: %s", ins)
	}
}

func TestSignedNoteIsReadOnly(t *testing.T) {
	st := readyState(false)
	st.Session.Note.Note.Status = api.NoteSigned
	st.Session.Note.Edits = map[string]string{}
	p := Render(&st, env)
	if strings.Contains(slot(t, p, "s-note").HTML, "<textarea") || strings.Contains(slot(t, p, "s-notebar").HTML, "Sign…") {
		t.Error("signed note still editable or signable")
	}
}

func TestGeneratingShowsProgress(t *testing.T) {
	st := readyState(false)
	st.Session.Note = &app.NoteState{Note: api.Note{ID: "n1", Status: api.NoteGenerating}, Elapsed: 4 * time.Second}
	p := Render(&st, env)
	g := slot(t, p, "s-gen").HTML
	if !strings.Contains(g, "<progress") || !strings.Contains(g, "4 s") || !strings.Contains(g, `role="status"`) {
		t.Errorf("progress: %s", g)
	}
}

func TestStartFormShowsErrorsAndTelehealthChoice(t *testing.T) {
	st := app.State{Screen: app.ScreenStart, Start: app.StartState{Type: api.SessionTelehealth, Who: app.WhoClient,
		Errors: map[string]string{"consent": "Confirm that consent was obtained before starting."}}}
	p := Render(&st, env)
	form := slot(t, p, "s-start").HTML
	if !strings.Contains(form, `aria-invalid="true" aria-describedby="err-consent"`) || !strings.Contains(form, `id="err-consent"`) {
		t.Errorf("consent error not tied to its field: %s", form)
	}
	if !strings.Contains(form, "Decide when the session ends") {
		t.Error("telehealth lacks the decide-later choice")
	}
	if !strings.Contains(slot(t, p, "s-clients").HTML, "a pseudonym works") {
		t.Error("client picker lacks the create option")
	}
}

func TestJoinLinkIsAbsolute(t *testing.T) {
	st := app.State{Screen: app.ScreenSession, Session: app.SessionState{Session: api.Session{ID: "s1", Type: api.SessionTelehealth, Status: api.SessionOpen, JoinURL: "/join/abc"}}}
	p := Render(&st, env)
	if !strings.Contains(slot(t, p, "s-call").HTML, `value="http://127.0.0.1:8080/join/abc"`) {
		t.Error("join link not absolute")
	}
}

func BenchmarkRenderThousandRows(b *testing.B) {
	items := make([]api.Session, 1000)
	for i := range items {
		items[i] = api.Session{ID: "s" + string(rune('a'+i%26)), Type: api.SessionInPerson, DisplayLabel: "Anonymous individual", StartedAt: env.Now.Add(-time.Duration(i) * time.Hour), NoteStatus: api.NoteReady}
	}
	st := app.State{Screen: app.ScreenSessions, List: app.ListState{Loaded: true, Items: items}}
	b.ReportAllocs()
	for b.Loop() {
		Render(&st, env)
	}
}

func TestRecordingShowsWhatBecomesOfIt(t *testing.T) {
	uploaded := time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC)
	soon, past := env.Now.Add(time.Hour), time.Date(2026, 3, 9, 16, 5, 0, 0, time.UTC)
	cases := []struct {
		name     string
		rec      api.Recording
		busy     bool
		checkbox string // "" for none, else "checked" or "unchecked"
		line     string
	}{
		{"unsigned", api.Recording{TranscriptionStatus: "pending"}, false, "unchecked", "The recording will be deleted when the note is signed."},
		{"kept", api.Recording{Keep: true}, false, "checked", "The recording is kept after the note is signed."},
		{"saving the choice", api.Recording{Keep: true}, true, "checked", "kept after the note is signed"},
		{"signed, retention left", api.Recording{DeleteAfter: &soon}, false, "unchecked", `will be deleted <time datetime="2026-03-10T19:00:00Z">Today 19:00</time>.`},
		{"signed, due now", api.Recording{DeleteAfter: &past}, false, "unchecked", "the recording is being deleted."},
		{"deleted", api.Recording{DeleteAfter: &past, DeletedAt: &past}, false, "", `deleted after the note was signed (<time datetime="2026-03-09T16:05:00Z">Mon 9 Mar, 16:05</time>).`},
	}
	for _, c := range cases {
		st := readyState(false)
		rec := c.rec
		rec.ContentType, rec.SizeBytes, rec.UploadedAt = "audio/webm", 1000, uploaded
		st.Session.Audio = app.AudioState{Rec: &rec, Busy: c.busy}
		html := slot(t, Render(&st, env), "s-audio").HTML
		if !strings.Contains(html, c.line) || !strings.Contains(html, "Recording uploaded <time") {
			t.Errorf("%s: %s", c.name, html)
		}
		box := strings.Contains(html, `type="checkbox" id="rec-keep" data-change="keep-recording"`) && strings.Contains(html, `<label for="rec-keep">Keep the recording after the note is signed</label>`)
		switch c.checkbox {
		case "":
			if strings.Contains(html, "checkbox") {
				t.Errorf("%s: a deleted recording offers a choice: %s", c.name, html)
			}
		default:
			if !box || strings.Contains(html, " checked") != (c.checkbox == "checked") || strings.Contains(html, " disabled") != c.busy {
				t.Errorf("%s: checkbox should be %s (busy %v): %s", c.name, c.checkbox, c.busy, html)
			}
		}
	}
	if got := strings.Contains(slot(t, Render(&app.State{Screen: app.ScreenSession}, env), "s-audio").HTML, "Recording"); got {
		t.Error("a session without a recording shows one")
	}
}

type audioBlob struct{}

func (audioBlob) Size() int64  { return 43000 }
func (audioBlob) Type() string { return "audio/webm" }
func (audioBlob) Name() string { return "recording.webm" }

func TestHeldRecordingOffersTryAgainSaveAndDiscard(t *testing.T) {
	st := readyState(false)
	st.Held = []app.HeldRecording{
		{Seq: 3, SessionID: st.Session.Session.ID, Blob: audioBlob{}, At: "20260310-150000", Err: "The server is busy or starting up."},
		{Seq: 4, SessionID: "another-session", Blob: audioBlob{}, Err: "Elsewhere."},
	}
	up := slot(t, Render(&st, env), "s-upload").HTML
	for _, want := range []string{
		"The recording has not reached the server. The server is busy or starting up.", "closing the panel loses it",
		`data-act="held-retry" data-arg="3">Try again</button>`, `data-act="held-save" data-arg="3">Save to this device</button>`,
		`data-act="held-discard-ask" data-arg="3">Discard…</button>`,
	} {
		if !strings.Contains(up, want) {
			t.Errorf("held panel lacks %q: %s", want, up)
		}
	}
	if strings.Contains(up, "Elsewhere") || strings.Contains(up, `data-arg="4"`) {
		t.Errorf("another session's recording shown here: %s", up)
	}

	st.Held[0].ConfirmDiscard = true
	up = slot(t, Render(&st, env), "s-upload").HTML
	for _, want := range []string{"Discard this recording?", "has not been saved to this device", "can't be recovered",
		`class="danger" data-act="held-discard" data-arg="3">Discard recording</button>`, `data-act="held-keep" data-arg="3">Keep it</button>`} {
		if !strings.Contains(up, want) {
			t.Errorf("discard question lacks %q: %s", want, up)
		}
	}
	st.Held[0].Saved = true
	up = slot(t, Render(&st, env), "s-upload").HTML
	if strings.Contains(up, "has not been saved") || strings.Contains(up, "recovered") || !strings.Contains(up, "the copy saved to this device stays") ||
		!strings.Contains(up, "Saved to this device as sidenote-recording-20260310-150000.webm.") {
		t.Errorf("after saving: %s", up)
	}

	st.Held[0].Busy = true
	up = slot(t, Render(&st, env), "s-upload").HTML
	if strings.Contains(up, "held-retry") || !strings.Contains(up, "Uploading the recording again") {
		t.Errorf("while retrying: %s", up)
	}
}

func TestSignOutQuestionCountsRecordings(t *testing.T) {
	st := readyState(false)
	st.Me = &api.Clinician{ID: "c1", Name: "Dr Rowe"}
	for _, tc := range []struct {
		drafts, recs int
		want         string
	}{
		{2, 1, "1 recording and 2 unsaved drafts have not reached the server."},
		{0, 1, "1 recording has not reached the server."},
		{1, 2, "2 recordings and 1 unsaved draft have not reached the server."},
	} {
		st.SignOut = app.SignOutState{Confirm: true, Unsent: tc.drafts}
		st.Held = make([]app.HeldRecording, tc.recs)
		q := slot(t, Render(&st, env), "s-signout").HTML
		if !strings.Contains(q, tc.want) || !strings.Contains(q, "Save to this device") || !strings.Contains(q, "Sign out and delete") {
			t.Errorf("%d drafts, %d recordings: %s", tc.drafts, tc.recs, q)
		}
	}
	st.SignOut = app.SignOutState{Confirm: true, Unsent: 1}
	st.Held = nil
	if q := slot(t, Render(&st, env), "s-signout").HTML; strings.Contains(q, "recording") {
		t.Errorf("recordings mentioned with none held: %s", q)
	}
}
