package app

import (
	"strings"
	"testing"

	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/wasm/internal/client"
)

// Fictional text typed in the tests below; none of it may stay on the
// device after signing out.
const (
	typedPlan    = "Plan to practise the breathing exercise before bed."
	typedSummary = "Couple discussed shared chores; both felt heard."
)

// signOutRoutes answers the requests signing out makes.
func (f *fixture) signOutRoutes() {
	f.api.on("POST /auth/logout", func(*client.Request) reply { return reply{204, nil} })
	f.api.on("GET /auth/providers", func(*client.Request) reply { return ok([]client.Provider{}) })
}

// twoDrafts leaves an unsaved edit of note n1 (open) and a summary of s1
// queued while offline. The server stays unreachable.
func (f *fixture) twoDrafts() {
	f.t.Helper()
	f.readyNote()
	f.app.EditSection("plan", typedPlan)
	f.app.SetText(TextSummary, typedSummary)
	f.api.setDown(true)
	f.app.SaveNote(bg)
	f.app.SaveText(bg, TextSummary)
	if n := len(f.store.Keys(keyDraftPrefix)); n != 2 {
		f.t.Fatalf("%d drafts kept offline, want 2", n)
	}
}

// assertNothingTypedStored fails if any stored value holds text typed in
// the tests, or a draft or token remains.
func (f *fixture) assertNothingTypedStored() {
	f.t.Helper()
	if keys := f.store.Keys(keyDraftPrefix); len(keys) != 0 {
		f.t.Errorf("drafts kept after sign-out: %v", keys)
	}
	for _, k := range []string{keyToken, keySignedIn, keyListCache, keyOwner} {
		if v, ok := f.store.Get(k); ok {
			f.t.Errorf("%s kept after sign-out: %q", k, v)
		}
	}
	for _, k := range f.store.Keys("") {
		v, _ := f.store.Get(k)
		for _, typed := range []string{typedPlan, typedSummary, "breathing", "chores"} {
			if strings.Contains(v, typed) {
				f.t.Errorf("stored %s still holds typed text: %q", k, v)
			}
		}
	}
}

func (f *fixture) assertNothingTypedInState() {
	f.t.Helper()
	st := f.state()
	if st.Screen != ScreenSignIn || st.Me != nil {
		f.t.Errorf("after sign-out: screen %q, me %v", st.Screen, st.Me)
	}
	if st.Session.Note != nil || st.Session.Summary.Text != "" || st.Session.Transcript.Text != "" || st.Session.Session.ID != "" {
		f.t.Errorf("session kept in memory after sign-out: %+v", st.Session)
	}
	if len(st.List.Items) != 0 || st.SignOut != (SignOutState{}) {
		f.t.Errorf("list %d items, sign-out %+v", len(st.List.Items), st.SignOut)
	}
}

func TestSignOutSendsDraftsFirstAndLeavesNone(t *testing.T) {
	f := newFixture(t)
	f.twoDrafts()
	f.api.setDown(false)
	f.signOutRoutes()
	f.api.on("PATCH /api/v1/notes/n1", func(*client.Request) reply { return ok(soapNote("n1", 2, api.NoteReady)) })
	f.api.on("PUT /api/v1/sessions/s1/summary", func(*client.Request) reply { return reply{204, nil} })

	f.app.SignOut(bg)

	var note api.UpdateNoteRequest
	f.api.last("PATCH /api/v1/notes/n1", &note)
	if len(note.Sections) != 1 || note.Sections[0] != (api.SectionEdit{Key: "plan", Text: typedPlan}) {
		t.Errorf("note edit sent = %+v", note)
	}
	var summary api.TextRequest
	f.api.last("PUT /api/v1/sessions/s1/summary", &summary)
	if summary.Text != typedSummary {
		t.Errorf("summary sent = %q", summary.Text)
	}
	if r := f.api.last("POST /auth/logout", nil); r.Header["Authorization"] != "Bearer tok-1" {
		t.Error("sign-out did not end the sign-in on the server")
	}
	f.assertNothingTypedStored()
	f.assertNothingTypedInState()
}

func TestOfflineSignOutAsksAndStayingKeepsEverything(t *testing.T) {
	f := newFixture(t)
	f.twoDrafts()
	f.signOutRoutes()

	f.app.SignOut(bg)
	st := f.state()
	if !st.SignOut.Confirm || st.SignOut.Unsent != 2 || st.SignOut.Busy {
		t.Fatalf("sign-out state = %+v, want a question about 2 drafts", st.SignOut)
	}
	if st.Me == nil || st.Screen != ScreenSession {
		t.Errorf("signed out before the clinician answered: screen %q", st.Screen)
	}
	if f.api.count("POST /auth/logout") != 0 {
		t.Error("the sign-in was ended on the server before the clinician answered")
	}

	f.app.StaySignedIn()
	st = f.state()
	if st.SignOut != (SignOutState{}) || st.Me == nil || st.Screen != ScreenSession {
		t.Fatalf("after staying: sign-out %+v, screen %q", st.SignOut, st.Screen)
	}
	if tok, _ := f.store.Get(keyToken); tok != "tok-1" {
		t.Errorf("token after staying = %q", tok)
	}
	if n := len(f.store.Keys(keyDraftPrefix)); n != 2 {
		t.Errorf("%d drafts after staying, want 2", n)
	}
	if got := st.Session.Note.Text("plan"); got != typedPlan || st.Session.Summary.Text != typedSummary {
		t.Errorf("typed text lost on screen: plan %q, summary %q", got, st.Session.Summary.Text)
	}

	// Back online, the kept drafts are sent as before.
	f.api.setDown(false)
	f.api.on("PATCH /api/v1/notes/n1", func(*client.Request) reply { return ok(soapNote("n1", 2, api.NoteReady)) })
	f.api.on("PUT /api/v1/sessions/s1/summary", func(*client.Request) reply { return reply{204, nil} })
	f.app.RetryPending(bg)
	if keys := f.store.Keys(keyDraftPrefix); len(keys) != 0 {
		t.Errorf("drafts kept after the connection returned: %v", keys)
	}
}

func TestOfflineSignOutAndDeleteLeavesNoText(t *testing.T) {
	f := newFixture(t)
	f.twoDrafts()
	f.signOutRoutes()

	f.app.SignOut(bg)
	if !f.state().SignOut.Confirm {
		t.Fatal("no question before deleting unsent drafts")
	}
	f.app.ConfirmSignOut(bg)

	f.assertNothingTypedStored()
	f.assertNothingTypedInState()
	if r := f.api.last("POST /auth/logout", nil); r.Header["Authorization"] != "Bearer tok-1" {
		t.Error("ending the sign-in on the server was not even tried")
	}

	// Typing after sign-out has nowhere to go.
	f.app.SetText(TextSummary, typedSummary)
	f.app.EditSection("plan", typedPlan)
	f.assertNothingTypedStored()
}

func TestSaveOnItsWayDuringSignOutDoesNotWriteItBack(t *testing.T) {
	f := newFixture(t)
	f.twoDrafts()
	f.signOutRoutes()
	f.api.setDown(false)
	f.app.SetText(TextSummary, typedSummary+" More typed.")

	// The clinician saves the summary; while that request is on its way
	// they sign out, offline, and delete the drafts. Then the save fails.
	signedOut := false
	f.api.before = func(r *client.Request) {
		if signedOut || !strings.HasSuffix(r.URL, "/api/v1/sessions/s1/summary") || r.Method != "PUT" {
			return
		}
		signedOut = true
		f.api.setDown(true)
		f.app.SignOut(bg)
		f.app.ConfirmSignOut(bg)
	}
	f.app.SaveText(bg, TextSummary)

	if !signedOut {
		t.Fatal("the summary was never sent")
	}
	f.assertNothingTypedStored()
	f.assertNothingTypedInState()
}

func TestSignOutAsksWhenAnEditConflicts(t *testing.T) {
	f := newFixture(t)
	f.readyNote()
	f.app.EditSection("plan", typedPlan)
	f.api.setDown(true)
	f.app.SaveNote(bg)
	f.app.Back(bg)
	f.api.setDown(false)
	f.signOutRoutes()
	f.api.on("PATCH /api/v1/notes/n1", func(*client.Request) reply {
		return apiErr(409, api.CodeVersionConflict, "The note changed since version 1.")
	})

	tried := f.api.count("PATCH /api/v1/notes/n1")
	f.app.SignOut(bg)
	st := f.state()
	if n := f.api.count("PATCH /api/v1/notes/n1") - tried; n != 1 {
		t.Errorf("the edit was sent %d times before asking, want 1", n)
	}
	if !st.SignOut.Confirm || st.SignOut.Unsent != 1 || st.Offline {
		t.Fatalf("sign-out = %+v offline %v, want a question about 1 draft", st.SignOut, st.Offline)
	}
	f.app.ConfirmSignOut(bg)
	f.assertNothingTypedStored()
	f.assertNothingTypedInState()
}

func TestRetryWhileAskingUpdatesTheCount(t *testing.T) {
	f := newFixture(t)
	f.twoDrafts()
	f.signOutRoutes()
	f.app.SignOut(bg)

	f.api.setDown(false)
	f.api.on("PATCH /api/v1/notes/n1", func(*client.Request) reply { return ok(soapNote("n1", 2, api.NoteReady)) })
	f.api.on("PUT /api/v1/sessions/s1/summary", func(*client.Request) reply { return reply{204, nil} })
	f.app.RetryPending(bg) // "Try again" in the offline banner
	if so := f.state().SignOut; !so.Confirm || so.Unsent != 0 {
		t.Fatalf("after the drafts were sent: %+v", so)
	}
	f.app.ConfirmSignOut(bg)
	f.assertNothingTypedStored()
	f.assertNothingTypedInState()
}

func TestEmptyDraftsAreNotAskedAbout(t *testing.T) {
	f := newFixtureInSession(t)
	f.app.SetText(TextSummary, "  ")
	f.signOutRoutes()
	f.app.SignOut(bg)
	if st := f.state(); st.SignOut.Confirm || st.Screen != ScreenSignIn {
		t.Fatalf("asked about a blank summary: %+v", st.SignOut)
	}
	f.assertNothingTypedStored()
}

func otherClinician() api.Clinician {
	return api.Clinician{ID: "c2", Email: "dr.okafor@example.test", Name: "Dr Okafor", CreatedAt: t0}
}

func TestDraftsOfAnotherClinicianAreDeletedUnsentOnStart(t *testing.T) {
	f := newFixture(t)
	f.twoDrafts()
	tried := f.api.count("PATCH /api/v1/notes/n1") + f.api.count("PUT /api/v1/sessions/s1/summary")
	// The panel starts again with another clinician signed in (on /app a
	// provider's sign-in sets a new session cookie).
	f.start(nil)
	f.api.setDown(false)
	f.api.on("GET /api/v1/me", func(*client.Request) reply { return ok(otherClinician()) })
	f.app.Init(bg)

	if n := f.api.count("PATCH /api/v1/notes/n1") + f.api.count("PUT /api/v1/sessions/s1/summary") - tried; n != 0 {
		t.Fatalf("%d of another clinician's drafts were sent", n)
	}
	if keys := f.store.Keys(keyDraftPrefix); len(keys) != 0 {
		t.Errorf("another clinician's drafts kept: %v", keys)
	}
	if owner, _ := f.store.Get(keyOwner); owner != "c2" {
		t.Errorf("owner = %q", owner)
	}
	if n := f.state().Notice; n.Kind != NoticeInfo || !strings.Contains(n.Text, "2 unsaved drafts") {
		t.Errorf("notice = %+v", n)
	}
	f.openSession(soapNote("n1", 1, api.NoteReady))
	if st := f.state().Session; st.Summary.Text != "" || st.Note.Text("plan") == typedPlan {
		t.Errorf("another clinician's text shown: summary %q, plan %q", st.Summary.Text, st.Note.Text("plan"))
	}
}

// expireThenSignInAs leaves an unsent edit of n1 by c1, whose sign-in then
// expires; who signs in next on this device is the question.
func (f *fixture) expireThenSignInAs(who api.Clinician) {
	f.t.Helper()
	f.readyNote()
	f.app.EditSection("plan", typedPlan)
	f.api.on("PATCH /api/v1/notes/n1", func(*client.Request) reply { return apiErr(401, api.CodeUnauthenticated, "Token expired.") })
	f.app.SaveNote(bg)
	if st := f.state(); st.Screen != ScreenSignIn || st.Me != nil {
		f.t.Fatalf("expired sign-in: screen %q", st.Screen)
	}
	// The connection comes back while nobody is signed in: nothing is sent.
	patches := f.api.count("PATCH /api/v1/notes/n1")
	f.app.RetryPending(bg)
	if f.api.count("PATCH /api/v1/notes/n1") != patches {
		f.t.Error("a draft was sent while nobody was signed in")
	}
	f.api.on("GET /api/v1/me", func(r *client.Request) reply {
		if r.Header["Authorization"] == "Bearer dev-token" {
			return ok(who)
		}
		return apiErr(401, api.CodeUnauthenticated, "")
	})
	f.api.on("POST /api/v1/dev/login", func(*client.Request) reply { return ok(api.TokenResponse{Token: "dev-token"}) })
	f.api.on("PATCH /api/v1/notes/n1", func(*client.Request) reply { return ok(soapNote("n1", 2, api.NoteReady)) })
	f.app.SetDevLogin(who.Email, who.Name)
	f.app.DevLogin(bg)
	if st := f.state(); st.Screen != ScreenSessions || st.Me == nil || st.Me.ID != who.ID {
		f.t.Fatalf("after signing in as %s: screen %q", who.ID, st.Screen)
	}
}

func TestAnotherClinicianSigningInDeletesDraftsUnsent(t *testing.T) {
	f := newFixture(t)
	f.expireThenSignInAs(otherClinician())
	for _, r := range f.api.sent("PATCH /api/v1/notes/n1") {
		if r.Header["Authorization"] == "Bearer dev-token" {
			t.Fatal("c1's edit was sent with c2's sign-in")
		}
	}
	if keys := f.store.Keys(keyDraftPrefix); len(keys) != 0 {
		t.Errorf("c1's drafts kept for c2: %v", keys)
	}
	if st := f.state(); st.Session.Note != nil || st.Session.Session.ID != "" {
		t.Errorf("c1's note kept in memory for c2: %+v", st.Session)
	}
}

func TestSameClinicianSigningInAgainSendsDrafts(t *testing.T) {
	f := newFixture(t)
	f.expireThenSignInAs(clinician())
	var body api.UpdateNoteRequest
	r := f.api.last("PATCH /api/v1/notes/n1", &body)
	if r.Header["Authorization"] != "Bearer dev-token" || body.Sections[0].Text != typedPlan {
		t.Errorf("edit not sent after signing in again: %+v", body)
	}
	if keys := f.store.Keys(keyDraftPrefix); len(keys) != 0 {
		t.Errorf("drafts kept after they were sent: %v", keys)
	}
}

func TestDraftsKeptBeforeOwnersWereRecorded(t *testing.T) {
	for _, tc := range []struct {
		name      string
		cacheFor  *api.Clinician
		wantSent  bool
		wantDraft bool
	}{
		{"list copy of the same clinician", ptr(clinician()), true, false},
		{"list copy of another clinician", ptr(otherClinician()), false, false},
		{"no list copy", nil, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.signedIn(nil, "")
			f.app.saveJSON(keyNoteDraft+"n1", noteDraft{SessionID: "s1", Version: 1, Sections: map[string]string{"plan": typedPlan}})
			if tc.cacheFor != nil {
				f.app.saveJSON(keyListCache, listCache{Me: tc.cacheFor, Filter: Filter{Assignment: "all"}})
			}
			f.api.on("PATCH /api/v1/notes/n1", func(*client.Request) reply { return ok(soapNote("n1", 2, api.NoteReady)) })
			f.app.Init(bg)
			if sent := f.api.count("PATCH /api/v1/notes/n1") == 1; sent != tc.wantSent {
				t.Errorf("draft sent: %v, want %v", sent, tc.wantSent)
			}
			if kept := len(f.store.Keys(keyDraftPrefix)) > 0; kept != tc.wantDraft {
				t.Errorf("draft kept: %v, want %v", kept, tc.wantDraft)
			}
			if owner, _ := f.store.Get(keyOwner); owner != "c1" {
				t.Errorf("owner = %q", owner)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }
