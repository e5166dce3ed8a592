package view

import (
	"strings"
	"testing"

	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/wasm/internal/app"
)

func sessionState(ss app.SessionState) *app.State {
	if ss.Session.ID == "" {
		ss.Session.ID = "s1"
	}
	return &app.State{Screen: app.ScreenSession, Session: ss}
}

func TestRecorderShowsPauseLevelAndElapsedTime(t *testing.T) {
	st := sessionState(app.SessionState{Session: api.Session{Status: api.SessionOpen}, Recording: app.RecordingState{Active: true, Seconds: 75}})
	html := slot(t, Render(st, env), "s-rec").HTML
	for _, want := range []string{`data-act="record-pause"`, `data-act="record-stop"`, `Recording 1:15`, `<meter id="rec-level"`} {
		if !strings.Contains(html, want) {
			t.Errorf("recording controls lack %s:\n%s", want, html)
		}
	}
	st.Session.Recording.Paused = true
	html = slot(t, Render(st, env), "s-rec").HTML
	if !strings.Contains(html, `data-act="record-resume"`) || !strings.Contains(html, "Paused 1:15") {
		t.Errorf("paused controls:\n%s", html)
	}
}

func TestEndSessionStaysAvailableWhileAwaitingATranscript(t *testing.T) {
	for _, status := range []api.SessionStatus{api.SessionOpen, api.SessionAwaitingTranscript} {
		st := sessionState(app.SessionState{Session: api.Session{Status: status, Type: api.SessionInPerson}})
		if !strings.Contains(slot(t, Render(st, env), "s-head").HTML, `data-act="end-open"`) {
			t.Errorf("no End session while %s", status)
		}
	}
	st := sessionState(app.SessionState{Session: api.Session{Status: api.SessionEnded}})
	if strings.Contains(slot(t, Render(st, env), "s-head").HTML, `data-act="end-open"`) {
		t.Error("End session offered for an ended session")
	}
}

func TestRecordingWithoutSpeechToTextOffersPasteWriteDownload(t *testing.T) {
	rec := &api.Recording{TranscriptionStatus: app.TranscriptionNotConfigured, UploadedAt: env.Now}
	st := sessionState(app.SessionState{Session: api.Session{Status: api.SessionAwaitingTranscript}, Audio: app.AudioState{Rec: rec}})
	html := slot(t, Render(st, env), "s-next").HTML
	for _, want := range []string{`data-act="choose-transcript"`, `data-act="choose-summary"`, `data-act="download-audio"`, "not set up"} {
		if !strings.Contains(html, want) {
			t.Errorf("no %s:\n%s", want, html)
		}
	}
	rec.TranscriptionStatus = app.TranscriptionPending
	p := Render(st, env)
	if strings.Contains(slot(t, p, "s-next").HTML, "choose-transcript") || !strings.Contains(slot(t, p, "s-audio").HTML, "Transcribing the recording") {
		t.Errorf("while transcribing:\n%s", html)
	}
}

func TestInterruptedRecordingOffersToFinish(t *testing.T) {
	st := sessionState(app.SessionState{Session: api.Session{Status: api.SessionOpen}, Audio: app.AudioState{Interrupted: true, Chunks: 12}})
	p := Render(st, env)
	if html := slot(t, p, "s-next").HTML; !strings.Contains(html, `data-act="finish-interrupted"`) || !strings.Contains(html, "About 1:00") {
		t.Errorf("interrupted:\n%s", html)
	}
	if html := slot(t, p, "s-rec").HTML; !strings.Contains(html, `data-act="record" disabled`) {
		t.Errorf("record offered before the interrupted recording is finished:\n%s", html)
	}
}

func TestCallScreenPhases(t *testing.T) {
	st := sessionState(app.SessionState{Session: api.Session{Type: api.SessionTelehealth, Status: api.SessionOpen},
		Call: app.CallState{JoinURL: "/join/abc"}})
	p := Render(st, env)
	call := slot(t, p, "s-call").HTML
	for _, want := range []string{`data-act="call-start"`, `value="http://127.0.0.1:8080/join/abc"`, `data-act="copy-join"`, `data-act="renew-join"`} {
		if !strings.Contains(call, want) {
			t.Errorf("before the call, no %s:\n%s", want, call)
		}
	}
	if slot(t, p, "s-callv").HTML != "" {
		t.Error("videos before the call")
	}

	st.Session.Call.Phase = app.CallWaiting
	p = Render(st, env)
	call, videos := slot(t, p, "s-call").HTML, slot(t, p, "s-callv").HTML
	if !strings.Contains(call, "Waiting for the guest") || !strings.Contains(call, `data-act="call-end"`) || !strings.Contains(call, "Not recording") {
		t.Errorf("waiting:\n%s", call)
	}
	if !strings.Contains(videos, `id="call-remote"`) || !strings.Contains(videos, `id="call-local"`) {
		t.Errorf("videos:\n%s", videos)
	}

	st.Session.Call.Phase, st.Session.Call.GuestJoined, st.Session.Call.GuestConsented = app.CallConnected, true, true
	st.Session.Call.Muted = true
	st.Session.Recording = app.RecordingState{Active: true, Seconds: 61}
	p = Render(st, env)
	call = slot(t, p, "s-call").HTML
	for _, want := range []string{"Guest joined and consented", "Recording the call 1:01", `aria-pressed="true">Unmute`} {
		if !strings.Contains(call, want) {
			t.Errorf("connected, no %s:\n%s", want, call)
		}
	}
	if slot(t, p, "s-callv").HTML != videos {
		t.Error("the videos' HTML changed during the call: a render would restart them")
	}
}

func TestRecordThisTabOnlyInTheExtension(t *testing.T) {
	st := sessionState(app.SessionState{Session: api.Session{Status: api.SessionOpen, Type: api.SessionTelehealth}})
	if html := slot(t, Render(st, env), "s-rec").HTML; strings.Contains(html, `data-act="record-tab"`) || !strings.Contains(html, `data-act="record"`) {
		t.Errorf("outside the extension:\n%s", html)
	}
	st.CanRecordTab = true
	if html := slot(t, Render(st, env), "s-rec").HTML; !strings.Contains(html, `data-act="record-tab"`) || !strings.Contains(html, `data-act="record"`) {
		t.Errorf("in the extension, Record audio and Record this tab side by side:\n%s", html)
	}
	// While the tab records: its own label, the controls, no meter (the
	// level is measured where the tab and microphone are mixed).
	st.Session.Recording = app.RecordingState{Active: true, Tab: true, Seconds: 9}
	html := slot(t, Render(st, env), "s-rec").HTML
	for _, want := range []string{`Recording this tab and your microphone 0:09`, `data-act="record-pause"`, `data-act="record-stop"`} {
		if !strings.Contains(html, want) {
			t.Errorf("tab recording lacks %s:\n%s", want, html)
		}
	}
	if strings.Contains(html, `rec-level`) || strings.Contains(html, `data-act="record-tab"`) {
		t.Errorf("tab recording shows the microphone meter or a second Record:\n%s", html)
	}
}
