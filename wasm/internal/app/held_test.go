package app

import (
	"strings"
	"testing"

	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/wasm/internal/client"
)

// recorded is audio as MediaRecorder hands it over; a pointer, so a test
// can tell the very recording held from another.
func recorded() *bytesBlob {
	return &bytesBlob{name: "recording.webm", typ: "audio/webm", data: []byte("\x1a\x45\xdf\xa3 fictional opus frames")}
}

// heldFor returns the recordings held for a session.
func (s *State) heldFor(sessionID string) []HeldRecording {
	var out []HeldRecording
	for _, h := range s.Held {
		if h.SessionID == sessionID {
			out = append(out, h)
		}
	}
	return out
}

// openOther opens session s2, which has nothing yet.
func (f *fixture) openOther() {
	f.t.Helper()
	other := session("s2", t0, api.AnonymousIndividual)
	f.api.on("GET /api/v1/sessions/s2", func(*client.Request) reply { return ok(other) })
	f.api.on("GET /api/v1/sessions/s2/notes", func(*client.Request) reply { return ok(api.Page[api.Note]{}) })
	for _, kind := range []string{"summary", "transcript"} {
		f.api.on("GET /api/v1/sessions/s2/"+kind, func(*client.Request) reply { return ok(api.TextRequest{}) })
	}
	f.api.on("GET /api/v1/sessions/s2/recording", func(*client.Request) reply {
		return apiErr(404, api.CodeNotFound, "This session has no recording.")
	})
	f.app.OpenSession(bg, "s2")
	if st := f.state(); st.Session.Session.ID != "s2" {
		f.t.Fatalf("open s2: %+v", st.Session.Session)
	}
}

// acceptRecordings makes the server take s1's recording.
func (f *fixture) acceptRecordings() {
	f.api.on("POST /api/v1/sessions/s1/recording", func(*client.Request) reply { return reply{201, uploadedRecording()} })
}

// recordAndFail records in s1 and stops while the upload fails: with the
// server unreachable (down) or answering 503.
func (f *fixture) recordAndFail(down bool) *bytesBlob {
	f.t.Helper()
	f.api.on("POST /api/v1/sessions/s1/recording", func(*client.Request) reply {
		return apiErr(503, api.CodeUnavailable, "The database is unavailable.")
	})
	if !f.app.RecordingStarted("s1") {
		f.t.Fatal("recording refused in the open session")
	}
	b := recorded()
	f.api.setDown(down)
	f.app.RecordingStopped(bg, "s1", b)
	f.api.setDown(false)
	st := f.state()
	held := st.heldFor("s1")
	if len(held) != 1 || held[0].Blob != client.Blob(b) || held[0].Err == "" || held[0].Busy {
		f.t.Fatalf("held after a failed upload: %+v", held)
	}
	return b
}

// assertNoAudioStored fails if Storage holds anything of a recording.
func (f *fixture) assertNoAudioStored() {
	f.t.Helper()
	for _, k := range f.store.Keys("") {
		v, _ := f.store.Get(k)
		if strings.Contains(k, "record") || strings.Contains(v, "opus") {
			f.t.Errorf("stored %s = %q", k, v)
		}
	}
}

func TestFailedRecordingIsHeldAndRetriedToItsOwnSession(t *testing.T) {
	f := newFixtureInSession(t)
	b := f.recordAndFail(false)
	st := f.state()
	if st.Session.Upload.Active || st.Session.Upload.Done || st.Session.Upload.Err != "" {
		t.Errorf("upload state = %+v; the held recording says what failed", st.Session.Upload)
	}
	if h := st.Held[0]; h.Auto || h.SessionID != "s1" || h.Owner != "c1" || h.FileName() != "sidenote-recording-20260310-150000.webm" {
		t.Errorf("held = %+v (%s)", h, h.FileName())
	}
	f.assertNoAudioStored()

	// The clinician opens another session, then tries again from s1's
	// panel (or anywhere: the recording knows its session).
	f.openOther()
	f.acceptRecordings()
	f.app.RetryRecording(bg, st.Held[0].Seq)
	sent := f.api.sent("POST /api/v1/sessions/s1/recording")
	if len(sent) != 2 || sent[1].Blob != client.Blob(b) {
		t.Fatalf("recording sent %d times; last blob %v", len(sent), sent[len(sent)-1].Blob)
	}
	if n := f.api.count("POST /api/v1/sessions/s2/recording"); n != 0 {
		t.Fatal("the recording was sent to the session open now")
	}
	st = f.state()
	if len(st.Held) != 0 {
		t.Errorf("still held after the upload: %+v", st.Held)
	}
	if st.Session.Session.ID != "s2" || st.Session.Upload != (UploadState{}) {
		t.Errorf("open session %s shows upload %+v", st.Session.Session.ID, st.Session.Upload)
	}
	if !strings.Contains(st.Notice.Text, "Recording uploaded") {
		t.Errorf("notice = %q", st.Notice.Text)
	}
}

func TestHeldRecordingIsDiscardedOnlyWhenConfirmed(t *testing.T) {
	f := newFixtureInSession(t)
	f.recordAndFail(false)
	seq := f.state().Held[0].Seq

	f.app.DiscardRecording(seq)
	if len(f.state().Held) != 1 {
		t.Fatal("discarded without asking")
	}
	f.app.AskDiscardRecording(seq, true)
	f.app.AskDiscardRecording(seq, false) // Keep it
	f.app.DiscardRecording(seq)
	if len(f.state().Held) != 1 {
		t.Fatal("discarded after the clinician chose to keep it")
	}
	if _, name, ok := f.app.HeldBlob(seq); !ok || !strings.HasSuffix(name, ".webm") {
		t.Errorf("HeldBlob = %q, %v", name, ok)
	}
	f.app.HeldSaved(seq)
	f.app.AskDiscardRecording(seq, true)
	f.app.DiscardRecording(seq)
	if held := f.state().Held; len(held) != 0 {
		t.Fatalf("held after discarding: %+v", held)
	}
	if _, _, ok := f.app.HeldBlob(seq); ok {
		t.Error("the discarded audio is still reachable")
	}
}

func TestHeldRecordingIsSentWhenTheConnectionReturns(t *testing.T) {
	f := newFixtureInSession(t)
	b := f.recordAndFail(true)
	st := f.state()
	if !st.Offline || !st.Held[0].Auto {
		t.Fatalf("offline %v, held %+v", st.Offline, st.Held[0])
	}
	if !f.app.HasPending() {
		t.Error("HasPending false with a recording held offline")
	}
	f.openOther()

	// Still offline: tried, kept.
	f.api.setDown(true)
	f.app.RetryPending(bg)
	f.api.setDown(false)
	if len(f.state().Held) != 1 || !f.state().Offline {
		t.Fatalf("after a retry offline: %+v", f.state().Held)
	}

	f.acceptRecordings()
	f.app.RetryPending(bg)
	if r := f.api.last("POST /api/v1/sessions/s1/recording", nil); r.Blob != client.Blob(b) {
		t.Error("the held recording was not sent to its session")
	}
	if st := f.state(); len(st.Held) != 0 || st.Offline {
		t.Errorf("after the connection returned: held %+v, offline %v", st.Held, st.Offline)
	}
	if f.app.HasPending() {
		t.Error("HasPending true with nothing left")
	}
}

func TestSignOutWithAHeldRecordingAsksAndCountsIt(t *testing.T) {
	for _, confirm := range []bool{true, false} {
		name := "stay"
		if confirm {
			name = "confirm"
		}
		t.Run(name, func(t *testing.T) {
			f := newFixture(t)
			f.twoDrafts() // offline: a note edit and a summary
			f.api.setDown(false)
			b := f.recordAndFail(true)
			f.signOutRoutes()
			f.api.setDown(true)

			f.app.SignOut(bg)
			st := f.state()
			if !st.SignOut.Confirm || st.SignOut.Unsent != 2 || len(st.Held) != 1 {
				t.Fatalf("sign-out = %+v with %d held, want a question about 2 drafts and 1 recording", st.SignOut, len(st.Held))
			}
			if f.app.RecordingStarted("s1") {
				t.Error("a recording may start while the sign-out question is asked")
			}
			if !confirm {
				f.app.StaySignedIn()
				st := f.state()
				if held := st.heldFor("s1"); len(held) != 1 || held[0].Blob != client.Blob(b) {
					t.Fatalf("held after staying: %+v", held)
				}
				// The connection returns: everything is sent.
				f.api.setDown(false)
				f.acceptRecordings()
				f.api.on("PATCH /api/v1/notes/n1", func(*client.Request) reply { return ok(soapNote("n1", 2, api.NoteReady)) })
				f.api.on("PUT /api/v1/sessions/s1/summary", func(*client.Request) reply { return reply{204, nil} })
				f.app.RetryPending(bg)
				if st := f.state(); len(st.Held) != 0 || len(f.store.Keys(keyDraftPrefix)) != 0 {
					t.Errorf("after the connection returned: held %+v", st.Held)
				}
				if r := f.api.last("POST /api/v1/sessions/s1/recording", nil); r.Blob != client.Blob(b) {
					t.Error("the held recording was not sent")
				}
				return
			}
			f.app.ConfirmSignOut(bg)
			f.assertNothingTypedStored()
			f.assertNothingTypedInState()
			if held := f.state().Held; len(held) != 0 {
				t.Errorf("recordings kept after signing out: %+v", held)
			}
			f.assertNoAudioStored()
		})
	}
}

func TestRetryWhileAskingCountsTheRecordingSent(t *testing.T) {
	f := newFixtureInSession(t)
	f.recordAndFail(true)
	f.signOutRoutes()
	f.api.setDown(true)
	f.app.SignOut(bg)
	if st := f.state(); !st.SignOut.Confirm || len(st.Held) != 1 || st.SignOut.Unsent != 0 {
		t.Fatalf("sign-out = %+v with %d held", st.SignOut, len(st.Held))
	}
	f.api.setDown(false)
	f.acceptRecordings()
	f.app.RetryPending(bg) // "Try again" in the offline banner
	if st := f.state(); !st.SignOut.Confirm || len(st.Held) != 0 {
		t.Fatalf("after the recording was sent: %+v with %d held", st.SignOut, len(st.Held))
	}
}

func TestSignOutWhileRecordingStopsItAndWaitsForTheUpload(t *testing.T) {
	for _, fails := range []bool{false, true} {
		name := "upload arrives"
		if fails {
			name = "upload fails"
		}
		t.Run(name, func(t *testing.T) {
			f := newFixture(t)
			f.signedIn(nil, "")
			f.app.Init(bg)
			f.openSession()
			f.signOutRoutes()
			f.acceptRecordings()
			b := recorded()
			stops := 0
			// As in the browser: stopping hands the recording over later,
			// from another goroutine.
			f.app.d.StopRecording = func() {
				stops++
				if fails {
					f.api.setDown(true)
				}
				go f.app.RecordingStopped(bg, "s1", b)
			}
			if !f.app.RecordingStarted("s1") {
				t.Fatal("recording refused")
			}
			f.app.SignOut(bg)
			if stops != 1 {
				t.Fatalf("the recording was stopped %d times", stops)
			}
			if r := f.api.last("POST /api/v1/sessions/s1/recording", nil); r.Blob != client.Blob(b) {
				t.Fatal("the recording was not uploaded to its session")
			}
			st := f.state()
			if fails {
				if !st.SignOut.Confirm || len(st.Held) != 1 || st.Me == nil {
					t.Fatalf("sign-out = %+v with %d held after the upload failed", st.SignOut, len(st.Held))
				}
				if f.api.count("POST /auth/logout") != 0 {
					t.Error("signed out before the clinician answered")
				}
				f.app.ConfirmSignOut(bg)
				if st := f.state(); len(st.Held) != 0 || st.Screen != ScreenSignIn {
					t.Errorf("after confirming: held %+v, screen %q", st.Held, st.Screen)
				}
				return
			}
			if st.Screen != ScreenSignIn || st.Me != nil || len(st.Held) != 0 {
				t.Fatalf("after sign-out: screen %q, held %+v", st.Screen, st.Held)
			}
			// The upload came first, then the sign-out on the server.
			f.api.mu.Lock()
			var order []string
			for _, r := range f.api.requests {
				if r.Method == "POST" {
					order = append(order, strings.TrimPrefix(r.URL, DefaultServerURL))
				}
			}
			f.api.mu.Unlock()
			if len(order) != 2 || order[0] != "/api/v1/sessions/s1/recording" || order[1] != "/auth/logout" {
				t.Errorf("requests = %q, want the upload, then the logout", order)
			}
		})
	}
}

func TestRecordingRefusedOnceTheSessionIsLeft(t *testing.T) {
	f := newFixtureInSession(t)
	f.app.Back(bg) // while the microphone permission was being asked
	if f.app.RecordingStarted("s1") {
		t.Error("a recording started in a session no longer open")
	}
	if f.app.recordingsIdle() != nil {
		t.Error("a refused recording is waited for")
	}
}

func TestHeldRecordingsOfAnotherClinicianAreDroppedAtSignIn(t *testing.T) {
	f := newFixtureInSession(t)
	f.api.on("POST /api/v1/sessions/s1/recording", func(*client.Request) reply {
		return apiErr(401, api.CodeUnauthenticated, "Token expired.")
	})
	f.app.RecordingStarted("s1")
	f.app.RecordingStopped(bg, "s1", recorded())
	if st := f.state(); len(st.Held) != 1 || !st.Held[0].Auto || st.Screen != ScreenSignIn {
		t.Fatalf("after the sign-in expired: screen %q, held %+v", st.Screen, st.Held)
	}
	f.api.on("GET /api/v1/me", func(*client.Request) reply { return ok(otherClinician()) })
	f.api.on("POST /api/v1/dev/login", func(*client.Request) reply { return ok(api.TokenResponse{Token: "dev-token"}) })
	f.app.SetDevLogin("dr.okafor@example.test", "Dr Okafor")
	f.app.DevLogin(bg)
	if st := f.state(); len(st.Held) != 0 || st.Me == nil || st.Me.ID != "c2" {
		t.Errorf("c1's recording kept for c2: %+v", st.Held)
	}
	if n := f.api.count("POST /api/v1/sessions/s1/recording"); n != 1 {
		t.Errorf("c1's recording sent %d times", n)
	}
}
