package app

import (
	"strings"
	"testing"
	"time"

	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/wasm/internal/client"
)

func TestStartRequiresConsentAndMethod(t *testing.T) {
	f := newFixture(t)
	f.signedIn(nil, "")
	f.app.Init(bg)
	f.app.OpenStart(bg)
	f.app.SetStart(StartForm{Type: api.SessionInPerson, Who: WhoAnonymousCouple})
	f.app.StartSession(bg)

	st := f.state()
	if st.Start.Errors["consent"] == "" || st.Start.Errors["consent_method"] == "" {
		t.Fatalf("errors = %v", st.Start.Errors)
	}
	if f.api.count("POST /api/v1/sessions") != 0 {
		t.Fatal("started without consent")
	}
	// Fixing a field clears its error at once.
	f.app.SetStart(StartForm{Type: api.SessionInPerson, Who: WhoAnonymousCouple, Consent: true})
	if errs := f.state().Start.Errors; errs["consent"] != "" || errs["consent_method"] == "" {
		t.Errorf("errors after ticking consent = %v", errs)
	}
}

func TestStartAnonymousCoupleSession(t *testing.T) {
	f := newFixture(t)
	f.signedIn(sessions(1, "old"), "")
	f.app.Init(bg)
	created := session("s-new", t0, api.AnonymousCouple)
	created.Status = api.SessionOpen
	f.api.on("POST /api/v1/sessions", func(*client.Request) reply { return reply{201, created} })
	f.app.OpenStart(bg)
	f.app.SetStart(StartForm{Type: api.SessionInPerson, Who: WhoAnonymousCouple, Consent: true, ConsentMethod: api.ConsentVerbal})
	f.app.StartSession(bg)

	var body map[string]any
	f.api.last("POST /api/v1/sessions", &body)
	if body["anonymous"] != "couple" || body["client_id"] != nil || body["type"] != "in_person" {
		t.Errorf("body = %v", body)
	}
	if c := body["consent"].(map[string]any); c["obtained"] != true || c["method"] != "verbal" {
		t.Errorf("consent = %v", c)
	}
	st := f.state()
	if st.Screen != ScreenSession || st.Session.Session.ID != "s-new" {
		t.Fatalf("screen %q session %q", st.Screen, st.Session.Session.ID)
	}
	if st.List.Items[0].ID != "s-new" {
		t.Error("the new session must head the list when going back")
	}
}

func TestStartWithNewPseudonymousClient(t *testing.T) {
	f := newFixture(t)
	f.signedIn(nil, "")
	f.app.Init(bg)
	f.api.on("POST /api/v1/clients", func(*client.Request) reply {
		return reply{201, api.Client{ID: "cl-1", DisplayName: "Client R", Kind: api.ClientIndividual}}
	})
	f.api.on("POST /api/v1/sessions", func(*client.Request) reply {
		return reply{201, api.Session{ID: "s1", Type: api.SessionTelehealth, DisplayLabel: "Client R", JoinURL: "/join/abc"}}
	})
	f.app.OpenStart(bg)
	f.app.SetStart(StartForm{Type: api.SessionTelehealth, Who: WhoClient, NewClientName: " Client R ", NewClientKind: api.ClientIndividual, Consent: true, ConsentMethod: api.ConsentElectronic})
	f.app.StartSession(bg)

	var cl api.CreateClientRequest
	f.api.last("POST /api/v1/clients", &cl)
	if cl.DisplayName != "Client R" || cl.Kind != api.ClientIndividual {
		t.Errorf("client body = %+v", cl)
	}
	var sess api.CreateSessionRequest
	f.api.last("POST /api/v1/sessions", &sess)
	if sess.ClientID == nil || *sess.ClientID != "cl-1" || sess.Anonymous != nil {
		t.Errorf("session body = %+v", sess)
	}
	if f.state().Session.Session.JoinURL != "/join/abc" {
		t.Error("telehealth join link not kept for copying")
	}
}

func TestTelehealthMayStartUnassignedAndEndAsks(t *testing.T) {
	f := newFixture(t)
	f.signedIn(nil, "")
	f.app.Init(bg)
	open := api.Session{ID: "s1", Type: api.SessionTelehealth, Status: api.SessionOpen, JoinURL: "/join/xyz"}
	f.api.on("POST /api/v1/sessions", func(*client.Request) reply { return reply{201, open} })
	f.app.OpenStart(bg)
	f.app.SetStart(StartForm{Type: api.SessionTelehealth, Who: WhoLater, Consent: true, ConsentMethod: api.ConsentElectronic})
	f.app.StartSession(bg)
	var body map[string]any
	f.api.last("POST /api/v1/sessions", &body)
	if _, has := body["anonymous"]; has {
		t.Errorf("telehealth started later-assigned sent %v", body)
	}
	if _, has := body["client_id"]; has {
		t.Errorf("telehealth started later-assigned sent %v", body)
	}

	f.app.CopyJoinLink(bg, "http://127.0.0.1:8080/join/xyz")
	if f.clip.text != "http://127.0.0.1:8080/join/xyz" {
		t.Errorf("clipboard = %q", f.clip.text)
	}

	ended := open
	ended.Status, ended.Anonymous, ended.DisplayLabel = api.SessionEnded, anonPtr(api.AnonymousIndividual), "Anonymous individual"
	f.api.on("POST /api/v1/sessions/s1/end", func(*client.Request) reply { return ok(ended) })
	f.app.OpenEnd(bg, true)
	f.app.EndSession(bg, WhoClient, "")
	if f.state().Session.End.Err == "" || f.api.count("POST /api/v1/sessions/s1/end") != 0 {
		t.Fatal("ending without a choice must be refused locally")
	}
	f.app.EndSession(bg, WhoAnonymousIndividual, "")
	var end api.EndSessionRequest
	f.api.last("POST /api/v1/sessions/s1/end", &end)
	if end.Anonymous == nil || *end.Anonymous != api.AnonymousIndividual || end.ClientID != nil {
		t.Errorf("end body = %+v", end)
	}
	if st := f.state(); st.Session.Session.Status != api.SessionEnded || st.Session.End.Open {
		t.Errorf("after end: %+v", st.Session.End)
	}
}

// newFixtureInSession is a fixture signed in, started, with session s1
// (nothing recorded or written yet) open.
func newFixtureInSession(t *testing.T) *fixture {
	t.Helper()
	f := newFixture(t)
	f.signedIn(nil, "")
	f.app.Init(bg)
	f.openSession()
	return f
}

// openSession opens session s1 with the given notes.
func (f *fixture) openSession(notes ...api.Note) {
	f.t.Helper()
	s := session("s1", t0, api.AnonymousCouple)
	f.api.on("GET /api/v1/sessions/s1", func(*client.Request) reply { return ok(s) })
	f.api.on("GET /api/v1/sessions/s1/notes", func(*client.Request) reply { return ok(api.Page[api.Note]{Items: notes}) })
	for _, kind := range []string{"summary", "transcript"} {
		text := f.saved[kind]
		f.api.on("GET /api/v1/sessions/s1/"+kind, func(*client.Request) reply { return ok(api.TextRequest{Text: text}) })
	}
	f.api.on("GET /api/v1/sessions/s1/recording", func(*client.Request) reply {
		if f.rec == nil {
			return apiErr(404, api.CodeNotFound, "This session has no recording.")
		}
		return ok(*f.rec)
	})
	f.app.OpenSession(bg, "s1")
	if st := f.state(); st.Screen != ScreenSession || st.Session.Err != "" {
		f.t.Fatalf("open session: screen %q err %q", st.Screen, st.Session.Err)
	}
}

func TestSummaryDraftSurvivesReloadAndIsSaved(t *testing.T) {
	f := newFixtureInSession(t)
	f.app.SetText(TextSummary, "Couple reports fewer arguments this week.")

	// The panel reloads before saving.
	f.start(nil)
	f.app.Init(bg)
	f.openSession()
	if got := f.state().Session.Summary.Text; got != "Couple reports fewer arguments this week." {
		t.Fatalf("draft after reload = %q", got)
	}

	f.api.on("PUT /api/v1/sessions/s1/summary", func(*client.Request) reply { return reply{204, nil} })
	f.app.SaveText(bg, TextSummary)
	var body api.TextRequest
	f.api.last("PUT /api/v1/sessions/s1/summary", &body)
	if body.Text != "Couple reports fewer arguments this week." {
		t.Errorf("summary sent = %q", body.Text)
	}
	if st := f.state(); !st.Session.Summary.Saved || st.Session.Summary.Err != "" {
		t.Errorf("summary state = %+v", st.Session.Summary)
	}
	if keys := f.store.Keys(keyDraftPrefix); len(keys) != 0 {
		t.Errorf("draft kept after save: %v", keys)
	}
}

func TestSavedSummaryShownUnlessADraftReplacesIt(t *testing.T) {
	f := newFixture(t)
	f.signedIn(nil, "")
	f.app.Init(bg)
	f.saved = map[string]string{"summary": "Saved summary.", "transcript": "Clinician: Hello."}
	f.openSession()
	st := f.state().Session
	if st.Summary.Text != "Saved summary." || !st.Summary.Saved || st.Transcript.Text != "Clinician: Hello." {
		t.Fatalf("summary %+v transcript %+v", st.Summary, st.Transcript)
	}
	f.app.SetText(TextSummary, "Typed here, not saved yet.")
	f.start(nil)
	f.signedIn(nil, "")
	f.app.Init(bg)
	f.openSession()
	if st := f.state().Session; st.Summary.Text != "Typed here, not saved yet." || st.Summary.Saved {
		t.Errorf("draft lost to the saved text: %+v", st.Summary)
	}
}

func TestEmptySummaryRefusedLocally(t *testing.T) {
	f := newFixtureInSession(t)
	f.app.SetText(TextSummary, "   ")
	f.app.SaveText(bg, TextSummary)
	if f.state().Session.Summary.Err == "" {
		t.Error("no message for an empty summary")
	}
}

func TestTranscriptSavedOfflineIsQueuedAndRetried(t *testing.T) {
	f := newFixtureInSession(t)
	f.app.SetText(TextTranscript, "Clinician: How was the week?\nClient: Better.")
	f.api.setDown(true)
	f.app.SaveText(bg, TextTranscript)
	st := f.state()
	if !st.Offline || !st.Session.Transcript.Queued || st.Session.Transcript.Err == "" {
		t.Fatalf("offline save: %+v offline %v", st.Session.Transcript, st.Offline)
	}
	if !f.app.HasPending() {
		t.Error("HasPending false with a queued transcript")
	}

	f.api.setDown(false)
	f.api.on("PUT /api/v1/sessions/s1/transcript", func(*client.Request) reply { return reply{204, nil} })
	f.app.RetryPending(bg)
	var body api.TextRequest
	f.api.last("PUT /api/v1/sessions/s1/transcript", &body)
	if !strings.HasPrefix(body.Text, "Clinician: How was the week?") {
		t.Errorf("retried transcript = %q", body.Text)
	}
	if st := f.state(); st.Offline || st.Session.Transcript.Queued || !st.Session.Transcript.Saved {
		t.Errorf("after retry: %+v", st.Session.Transcript)
	}
}

type bytesBlob struct {
	name, typ string
	data      []byte
}

func (b bytesBlob) Size() int64  { return int64(len(b.data)) }
func (b bytesBlob) Type() string { return b.typ }
func (b bytesBlob) Name() string { return b.name }

func TestRecordingUploadShowsProgressAndAwaitingTranscript(t *testing.T) {
	f := newFixtureInSession(t)
	var percents []int
	f.app.d.OnChange = func() {
		f.app.View(func(s *State) {
			if s.Session.Upload.Active {
				percents = append(percents, s.Session.Upload.Percent())
			}
		})
	}
	f.api.on("POST /api/v1/sessions/s1/recording", func(*client.Request) reply { return reply{201, map[string]string{"status": "stored"}} })
	after := session("s1", t0, api.AnonymousCouple)
	after.Status = api.SessionAwaitingTranscript
	f.api.on("GET /api/v1/sessions/s1", func(*client.Request) reply { return ok(after) })

	f.app.RecordingStarted("s1")
	f.now = f.now.Add(42 * time.Second)
	f.app.RecordingTick()
	if st := f.state(); !st.Session.Recording.Active || st.Session.Recording.Seconds != 42 {
		t.Fatalf("recording = %+v", st.Session.Recording)
	}
	f.app.RecordingStopped(bg, "s1", bytesBlob{name: "recording.webm", typ: "audio/webm;codecs=opus", data: make([]byte, 1000)})

	r := f.api.last("POST /api/v1/sessions/s1/recording", nil)
	if r.ContentType != "audio/webm;codecs=opus" || r.Blob == nil || r.Body != nil {
		t.Errorf("upload request: type %q blob %v", r.ContentType, r.Blob)
	}
	if len(percents) < 2 || percents[len(percents)-1] != 100 {
		t.Errorf("progress seen = %v", percents)
	}
	st := f.state()
	if !st.Session.Upload.Done || st.Session.Session.Status != api.SessionAwaitingTranscript {
		t.Errorf("after upload: %+v status %q", st.Session.Upload, st.Session.Session.Status)
	}
	if !strings.Contains(st.Notice.Text, "transcript") {
		t.Errorf("notice = %q", st.Notice.Text)
	}
}

func TestRecordingStoppedAfterOpeningAnotherSessionUploadsToItsOwn(t *testing.T) {
	f := newFixtureInSession(t)
	f.app.RecordingStarted("s1")
	f.openOther()
	f.api.on("POST /api/v1/sessions/s1/recording", func(*client.Request) reply { return reply{201, uploadedRecording()} })

	f.app.RecordingStopped(bg, "s1", bytesBlob{name: "recording.webm", typ: "audio/webm", data: make([]byte, 1000)})
	if r := f.api.last("POST /api/v1/sessions/s1/recording", nil); r.Blob == nil {
		t.Fatal("the recording was not sent to its session")
	}
	if n := len(f.api.sent("POST /api/v1/sessions/s2/recording")); n != 0 {
		t.Fatal("the recording was sent to the session open now")
	}
	st := f.state()
	if st.Session.Session.ID != "s2" || st.Session.Upload != (UploadState{}) || st.Session.Audio.Rec != nil {
		t.Errorf("the open session shows %+v, upload %+v, audio %+v", st.Session.Session.ID, st.Session.Upload, st.Session.Audio.Rec)
	}
	if !strings.Contains(st.Notice.Text, "Recording uploaded") {
		t.Errorf("notice = %q", st.Notice.Text)
	}
}

func TestUnsupportedUploadExplained(t *testing.T) {
	f := newFixtureInSession(t)
	f.api.on("POST /api/v1/sessions/s1/recording", func(*client.Request) reply {
		return apiErr(415, api.CodeUnsupportedMedia, "unsupported media type text/plain")
	})
	f.app.Upload(bg, bytesBlob{name: "notes.txt", typ: "text/plain", data: []byte("x")})
	if got := f.state().Session.Upload.Err; !strings.Contains(got, "WebM") {
		t.Errorf("upload error = %q", got)
	}
}

func TestMicrophonePermissionOffersPermissionPage(t *testing.T) {
	f := newFixture(t)
	f.app.RecordingFailed(MicRefused, true)
	if r := f.state().Session.Recording; !r.NeedsPermissionPage || r.Err == "" {
		t.Errorf("recording = %+v", r)
	}
	f.app.RecordingFailed(MicRefused, false)
	if r := f.state().Session.Recording; r.NeedsPermissionPage || r.Err == "" {
		t.Errorf("recording = %+v", r)
	}
}

func TestAssignAnonymousSessionToNewPseudonymousClient(t *testing.T) {
	f := newFixture(t)
	f.signedIn(sessions(2, "s"), "")
	f.app.Init(bg)
	f.openSession()
	f.app.OpenAssign(bg, true)
	if k := f.state().Session.Assign.NewKind; k != api.ClientCouple {
		t.Errorf("a couple session proposes a %q client", k)
	}
	f.app.AssignToNewClient(bg)
	if f.state().Session.Assign.Err == "" || f.api.count("POST /api/v1/clients") != 0 {
		t.Fatal("assigning to a nameless client must be refused locally")
	}

	f.api.on("POST /api/v1/clients", func(*client.Request) reply {
		return reply{201, api.Client{ID: "cl-7", DisplayName: "Couple K", Kind: api.ClientCouple}}
	})
	assigned := session("s1", t0, api.AnonymousCouple)
	assigned.Anonymous, assigned.DisplayLabel = nil, "Couple K"
	assigned.Client = &api.Client{ID: "cl-7", DisplayName: "Couple K", Kind: api.ClientCouple}
	f.api.on("POST /api/v1/sessions/s1/assign", func(*client.Request) reply { return ok(assigned) })
	f.app.SetAssign("", "Couple K", "")
	f.app.AssignToNewClient(bg)

	var cl api.CreateClientRequest
	f.api.last("POST /api/v1/clients", &cl)
	if cl.DisplayName != "Couple K" || cl.Kind != api.ClientCouple {
		t.Errorf("client = %+v", cl)
	}
	var as api.AssignRequest
	f.api.last("POST /api/v1/sessions/s1/assign", &as)
	if as.ClientID != "cl-7" {
		t.Errorf("assign body = %+v", as)
	}
	st := f.state()
	if st.Session.Session.DisplayLabel != "Couple K" || st.Session.Assign.Open {
		t.Errorf("after assign: %q open %v", st.Session.Session.DisplayLabel, st.Session.Assign.Open)
	}
	if st.Clients.Items[0].ID != "cl-7" {
		t.Error("new client missing from pickers")
	}
}
