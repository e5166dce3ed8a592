package app

import (
	"strings"
	"testing"
	"time"

	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/wasm/internal/client"
)

func uploadedRecording() *api.Recording {
	return &api.Recording{ContentType: "audio/webm", SizeBytes: 1000, SHA256: "ab12", TranscriptionStatus: "pending", UploadedAt: t0}
}

func TestOpeningSessionLoadsItsRecording(t *testing.T) {
	f := newFixtureInSession(t)
	if au := f.state().Session.Audio; au.Rec != nil || au.Fate() != AudioNone {
		t.Fatalf("a session without a recording shows %+v", au)
	}

	f.rec = uploadedRecording()
	f.openSession()
	au := f.state().Session.Audio
	if au.Rec == nil || au.Rec.SHA256 != "ab12" || au.Fate() != AudioDeletedAtSigning {
		t.Fatalf("audio = %+v fate %v", au.Rec, au.Fate())
	}
}

func TestUploadShowsTheNewRecording(t *testing.T) {
	f := newFixtureInSession(t)
	f.api.on("POST /api/v1/sessions/s1/recording", func(*client.Request) reply { return reply{201, uploadedRecording()} })
	f.rec = uploadedRecording()
	f.app.Upload(bg, bytesBlob{name: "session.webm", typ: "audio/webm", data: make([]byte, 1000)})
	if au := f.state().Session.Audio; au.Rec == nil || au.Fate() != AudioDeletedAtSigning {
		t.Fatalf("after upload: %+v", au.Rec)
	}
}

func TestKeepRecordingSendsChoiceAndShowsServersAnswer(t *testing.T) {
	f := newFixture(t)
	f.signedIn(nil, "")
	f.app.Init(bg)
	f.rec = uploadedRecording()
	f.openSession()
	var busySeen bool
	f.app.d.OnChange = func() { f.app.View(func(s *State) { busySeen = busySeen || s.Session.Audio.Busy }) }
	f.api.on("PATCH /api/v1/sessions/s1/recording", func(r *client.Request) reply {
		kept := *uploadedRecording()
		kept.Keep = strings.Contains(string(r.Body), "true")
		return ok(kept)
	})

	f.app.KeepRecording(bg, true)
	var body api.RecordingSettingsRequest
	f.api.last("PATCH /api/v1/sessions/s1/recording", &body)
	if body.Keep == nil || !*body.Keep {
		t.Fatalf("body = %+v", body)
	}
	st := f.state()
	if au := st.Session.Audio; au.Busy || au.Fate() != AudioKept || !busySeen {
		t.Errorf("after keep: busy %v fate %v busy seen %v", au.Busy, au.Fate(), busySeen)
	}
	if st.Notice.Kind != NoticeSuccess {
		t.Errorf("notice = %+v", st.Notice)
	}
	// Asking for what is already so sends nothing.
	f.app.KeepRecording(bg, true)
	if n := f.api.count("PATCH /api/v1/sessions/s1/recording"); n != 1 {
		t.Errorf("%d requests for one change", n)
	}

	f.app.KeepRecording(bg, false)
	f.api.last("PATCH /api/v1/sessions/s1/recording", &body)
	if *body.Keep || f.state().Session.Audio.Fate() != AudioDeletedAtSigning {
		t.Errorf("after letting go: body %v fate %v", *body.Keep, f.state().Session.Audio.Fate())
	}
}

func TestKeepingADeletedRecordingExplainsAndRefreshes(t *testing.T) {
	f := newFixture(t)
	f.signedIn(nil, "")
	f.app.Init(bg)
	f.rec = uploadedRecording()
	f.openSession()
	// Meanwhile the note was signed elsewhere and the audio deleted.
	deleted := t0.Add(time.Hour)
	f.rec = uploadedRecording()
	f.rec.DeleteAfter, f.rec.DeletedAt = &deleted, &deleted
	f.api.on("PATCH /api/v1/sessions/s1/recording", func(*client.Request) reply {
		return apiErr(409, api.CodeConflict, "The recording was already deleted.")
	})
	f.app.KeepRecording(bg, true)
	st := f.state()
	if st.Notice.Kind != NoticeError || !strings.Contains(st.Notice.Text, "already deleted") {
		t.Errorf("notice = %+v", st.Notice)
	}
	if au := st.Session.Audio; au.Busy || au.Fate() != AudioDeleted {
		t.Errorf("after conflict: busy %v fate %v", au.Busy, au.Fate())
	}
}

func TestKeepRecordingOfflineSaysSo(t *testing.T) {
	f := newFixture(t)
	f.signedIn(nil, "")
	f.app.Init(bg)
	f.rec = uploadedRecording()
	f.openSession()
	f.api.setDown(true)
	f.app.KeepRecording(bg, true)
	st := f.state()
	if st.Notice.Kind != NoticeError || st.Notice.Text != msgUnreachable || !st.Offline {
		t.Errorf("notice = %+v offline %v", st.Notice, st.Offline)
	}
	if au := st.Session.Audio; au.Busy || au.Fate() != AudioDeletedAtSigning {
		t.Errorf("a failed change shows as made: %+v", au)
	}
}

func TestSigningShowsTheRecordingsDeletion(t *testing.T) {
	f := newFixture(t)
	f.rec = uploadedRecording()
	f.readyNote()
	signed := soapNote("n1", 1, api.NoteSigned)
	signedAt := t0.Add(time.Hour)
	signed.SignedAt = &signedAt
	f.api.on("POST /api/v1/notes/n1/sign", func(*client.Request) reply {
		f.rec.DeleteAfter = &signedAt
		return ok(signed)
	})
	f.app.RequestSign(true)
	f.app.SignNote(bg)
	if au := f.state().Session.Audio; au.Fate() != AudioDeleting || !au.Rec.DeleteAfter.Equal(signedAt) {
		t.Errorf("after signing: fate %v rec %+v", au.Fate(), au.Rec)
	}
}
