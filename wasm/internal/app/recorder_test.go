package app

import (
	"bytes"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/wasm/internal/client"
)

// chunkServer answers the chunked-upload routes of session s1 as the
// server's contract says: chunks in order from 0, the same bytes again
// accepted, a wrong index refused with 409; complete assembles them.
type chunkServer struct {
	mu       sync.Mutex
	chunks   [][]byte
	complete bool
	// asr is the transcription status a completed recording gets.
	asr string
	// transcribed is how many GETs of the recording pass before a
	// pending transcription is done.
	transcribed int
}

func (f *fixture) chunkServer(asr string) *chunkServer {
	cs := &chunkServer{asr: asr}
	for i := range 20 {
		f.api.on("PUT /api/v1/sessions/s1/recording/chunks/"+strconv.Itoa(i), func(r *client.Request) reply {
			cs.mu.Lock()
			defer cs.mu.Unlock()
			data := r.Blob.(bytesBlob).data
			switch {
			case i < len(cs.chunks) && bytes.Equal(cs.chunks[i], data):
				return ok(map[string]int{"next": len(cs.chunks)})
			case i != len(cs.chunks) || cs.complete:
				return apiErr(409, api.CodeConflict, "Expected another chunk.")
			}
			cs.chunks = append(cs.chunks, data)
			return reply{201, map[string]int{"next": len(cs.chunks)}}
		})
	}
	f.api.on("POST /api/v1/sessions/s1/recording/complete", func(*client.Request) reply {
		cs.mu.Lock()
		defer cs.mu.Unlock()
		cs.complete = true
		return ok(cs.recording())
	})
	f.api.on("GET /api/v1/sessions/s1/recording", func(*client.Request) reply {
		cs.mu.Lock()
		defer cs.mu.Unlock()
		if len(cs.chunks) == 0 {
			return apiErr(404, api.CodeNotFound, "This session has no recording.")
		}
		if cs.complete && cs.asr == TranscriptionPending {
			if cs.transcribed--; cs.transcribed < 0 {
				cs.asr = TranscriptionDone
			}
		}
		return ok(cs.recording())
	})
	return cs
}

func (cs *chunkServer) recording() map[string]any {
	status := cs.asr
	if !cs.complete {
		status = ""
	}
	return map[string]any{"content_type": "audio/webm", "size_bytes": 10, "transcription_status": status,
		"uploaded_at": t0, "keep": false, "chunks": len(cs.chunks), "complete": cs.complete}
}

func (cs *chunkServer) got() (n int, complete bool) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return len(cs.chunks), cs.complete
}

func chunk(n int) bytesBlob {
	return bytesBlob{name: "recording.webm", typ: "audio/webm", data: []byte("fictional opus chunk " + strconv.Itoa(n))}
}

func whole() bytesBlob {
	return bytesBlob{name: "recording.webm", typ: "audio/webm", data: []byte("fictional whole recording")}
}

func TestRecordingUploadsChunksAsItRunsThenShowsTheTranscript(t *testing.T) {
	f := newFixtureInSession(t)
	cs := f.chunkServer(TranscriptionPending)
	cs.transcribed = 2
	f.api.on("GET /api/v1/sessions/s1/transcript", func(*client.Request) reply {
		return ok(api.TextRequest{Text: "Clinician: How was the week?"})
	})
	if !f.app.RecordingStarted("s1") {
		t.Fatal("recording refused")
	}
	for i := range 3 {
		f.app.RecordingChunk(bg, "s1", chunk(i))
		if n, _ := cs.got(); n != i+1 {
			t.Fatalf("after chunk %d the server has %d", i, n)
		}
	}
	if r := f.state().Session.Recording; r.Uploaded != 3 || r.Waiting != 0 || !r.Active {
		t.Errorf("recording = %+v", r)
	}
	f.app.RecordingStopped(bg, "s1", whole())
	if n, complete := cs.got(); n != 3 || !complete {
		t.Fatalf("server: %d chunks, complete %v", n, complete)
	}
	if f.api.count("POST /api/v1/sessions/s1/recording") != 0 {
		t.Error("the recording was uploaded whole as well as in chunks")
	}
	st := f.state()
	if st.Session.Transcript.Text != "Clinician: How was the week?" || !st.Session.Transcript.Saved {
		t.Errorf("transcript = %+v", st.Session.Transcript)
	}
	if st.Session.Audio.Rec == nil || st.Session.Audio.Rec.TranscriptionStatus != TranscriptionDone || st.Session.NeedsText() {
		t.Errorf("audio = %+v", st.Session.Audio)
	}
}

func TestRecordingWithoutSpeechToTextOffersAChoice(t *testing.T) {
	f := newFixtureInSession(t)
	f.chunkServer(TranscriptionNotConfigured)
	f.app.RecordingStarted("s1")
	f.app.RecordingChunk(bg, "s1", chunk(0))
	f.app.RecordingStopped(bg, "s1", whole())
	ss := f.state().Session
	if !ss.NeedsText() || ss.Recording.Finishing {
		t.Fatalf("after stopping without speech-to-text: needs text %v, %+v", ss.NeedsText(), ss.Recording)
	}
	f.api.on("PUT /api/v1/sessions/s1/transcript", func(*client.Request) reply { return reply{204, nil} })
	f.app.SetText(TextTranscript, "Clinician: Welcome back.")
	f.app.SaveText(bg, TextTranscript)
	if ss := f.state().Session; ss.NeedsText() {
		t.Error("still asking for text once a transcript was saved")
	}
}

func TestChunksWaitForTheConnectionAndAreSentInOrder(t *testing.T) {
	f := newFixtureInSession(t)
	cs := f.chunkServer(TranscriptionNotConfigured)
	f.app.RecordingStarted("s1")
	f.app.RecordingChunk(bg, "s1", chunk(0))
	f.api.setDown(true)
	f.app.RecordingChunk(bg, "s1", chunk(1))
	f.app.RecordingChunk(bg, "s1", chunk(2))
	st := f.state()
	if r := st.Session.Recording; r.Uploaded != 1 || r.Waiting != 2 || !st.Offline {
		t.Fatalf("offline: %+v offline %v", r, st.Offline)
	}
	f.api.setDown(false)
	f.app.RecordingChunk(bg, "s1", chunk(3))
	if n, _ := cs.got(); n != 4 {
		t.Fatalf("server has %d chunks", n)
	}
	for i, c := range cs.chunks {
		if !bytes.Equal(c, chunk(i).data) {
			t.Errorf("chunk %d = %q", i, c)
		}
	}
}

func TestStopWhileOfflineHoldsTheRecordingAndRetryResumesTheChunks(t *testing.T) {
	f := newFixtureInSession(t)
	cs := f.chunkServer(TranscriptionNotConfigured)
	f.app.RecordingStarted("s1")
	f.app.RecordingChunk(bg, "s1", chunk(0))
	f.app.RecordingChunk(bg, "s1", chunk(1))
	f.api.setDown(true)
	f.app.RecordingChunk(bg, "s1", chunk(2))
	f.app.RecordingStopped(bg, "s1", whole())
	f.api.setDown(false)
	st := f.state()
	held := st.heldFor("s1")
	if len(held) != 1 || held[0].chunks == nil || held[0].Err == "" {
		t.Fatalf("held = %+v", held)
	}
	puts := len(f.api.sent("PUT /api/v1/sessions/s1/recording/chunks/0"))
	f.app.RetryRecording(bg, held[0].Seq)
	if n, complete := cs.got(); n != 3 || !complete {
		t.Fatalf("server: %d chunks, complete %v", n, complete)
	}
	if again := len(f.api.sent("PUT /api/v1/sessions/s1/recording/chunks/0")); again != puts {
		t.Error("the retry sent the uploaded chunks again")
	}
	if f.api.count("POST /api/v1/sessions/s1/recording") != 0 {
		t.Error("the retry uploaded the recording whole")
	}
	st = f.state()
	if held := st.heldFor("s1"); len(held) != 0 {
		t.Errorf("still held: %+v", held)
	}
}

func TestLostAnswerToAChunkIsNotAConflict(t *testing.T) {
	f := newFixtureInSession(t)
	cs := f.chunkServer(TranscriptionNotConfigured)
	f.app.RecordingStarted("s1")
	// The server stored chunk 0 but its answer was lost; the retry of the
	// same bytes is accepted, a different chunk 0 is not.
	cs.chunks = append(cs.chunks, chunk(0).data)
	f.app.RecordingChunk(bg, "s1", chunk(0))
	f.app.RecordingChunk(bg, "s1", chunk(1))
	if n, _ := cs.got(); n != 2 {
		t.Fatalf("server has %d chunks", n)
	}
	if r := f.state().Session.Recording; r.Uploaded != 2 {
		t.Errorf("recording = %+v", r)
	}
}

func TestAnotherRecordingsChunksFallBackToAWholeUpload(t *testing.T) {
	f := newFixtureInSession(t)
	cs := f.chunkServer(TranscriptionNotConfigured)
	cs.chunks = [][]byte{[]byte("someone else's chunk")}
	f.acceptRecordings()
	f.app.RecordingStarted("s1")
	f.app.RecordingChunk(bg, "s1", chunk(0))
	f.app.RecordingChunk(bg, "s1", chunk(1))
	f.app.RecordingStopped(bg, "s1", whole())
	if r := f.api.last("POST /api/v1/sessions/s1/recording", nil); r.Blob.Name() != "recording.webm" || r.Blob.Size() != whole().Size() {
		t.Errorf("whole upload = %+v", r.Blob)
	}
}

func TestPauseLeavesPausedTimeOutOfTheElapsedTime(t *testing.T) {
	f := newFixtureInSession(t)
	f.app.RecordingStarted("s1")
	f.now = f.now.Add(10 * time.Second)
	f.app.RecordingPaused(true)
	f.now = f.now.Add(30 * time.Second)
	f.app.RecordingTick()
	if r := f.state().Session.Recording; !r.Paused || r.Seconds != 10 {
		t.Fatalf("paused: %+v", r)
	}
	f.app.RecordingPaused(false)
	f.now = f.now.Add(5 * time.Second)
	f.app.RecordingTick()
	if r := f.state().Session.Recording; r.Paused || r.Seconds != 15 {
		t.Fatalf("resumed: %+v", r)
	}
}

func TestMicrophoneFailuresAreExplained(t *testing.T) {
	f := newFixtureInSession(t)
	for why, want := range map[MicFailure]string{
		MicNoDevice: "No microphone was found", MicRefused: "blocked", MicBusy: "another app", MicUnsupported: "can't record audio here",
	} {
		f.app.RecordingFailed(why, false)
		if got := f.state().Session.Recording.Err; !strings.Contains(got, want) || strings.Contains(got, "unexpectedly") {
			t.Errorf("failure %d: %q", why, got)
		}
	}
}

func TestInterruptedRecordingIsOfferedAndFinished(t *testing.T) {
	f := newFixtureInSession(t)
	cs := f.chunkServer(TranscriptionNotConfigured)
	cs.chunks = [][]byte{chunk(0).data, chunk(1).data}
	f.app.OpenSession(bg, "s1")
	au := f.state().Session.Audio
	if !au.Interrupted || au.Chunks != 2 || au.Rec != nil {
		t.Fatalf("audio after reopening = %+v", au)
	}
	f.api.on("GET /api/v1/sessions/s1", func(*client.Request) reply { return ok(session("s1", t0, api.AnonymousCouple)) })
	f.app.FinishInterrupted(bg)
	if _, complete := cs.got(); !complete {
		t.Fatal("not completed")
	}
	if ss := f.state().Session; ss.Audio.Interrupted || !ss.NeedsText() {
		t.Errorf("after finishing: %+v", ss.Audio)
	}
}

func TestTabRecordingUploadsLikeTheMicrophonesAndSaysWhyATabCannotBeRecorded(t *testing.T) {
	f := newFixtureInSession(t)
	cs := f.chunkServer(TranscriptionNotConfigured)
	if !f.app.TabRecordingStarted("s1") {
		t.Fatal("tab recording refused")
	}
	if r := f.state().Session.Recording; !r.Active || !r.Tab {
		t.Errorf("recording = %+v, want an active tab recording", r)
	}
	if f.app.RecordingStarted("s1") {
		t.Error("a second recording started beside the tab's")
	}
	f.app.RecordingChunk(bg, "s1", chunk(0))
	f.app.RecordingStopped(bg, "s1", whole())
	if n, complete := cs.got(); n != 1 || !complete {
		t.Fatalf("server: %d chunks, complete %v", n, complete)
	}

	f.app.RecordingFailed(TabUncapturable, false)
	if r := f.state().Session.Recording; r.Active || !strings.Contains(r.Err, "click the Sidenote icon") || r.NeedsPermissionPage {
		t.Errorf("after a refused tab: %+v", r)
	}
}
