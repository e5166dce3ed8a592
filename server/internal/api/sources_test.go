package api

import (
	"bytes"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sidenote/sidenote/server/internal/store/storetest"
	"github.com/sidenote/sidenote/shared/api"
)

// fakeTranscriber speaks the OpenAI-compatible /v1/audio/transcriptions
// protocol. It checks the multipart form and answers with reply, or with
// status when status is not 200.
type fakeTranscriber struct {
	t      *testing.T
	status atomic.Int32
	reply  string
	want   []byte // the audio the request must carry
	calls  atomic.Int32
}

func (f *fakeTranscriber) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.calls.Add(1)
	if r.Method != http.MethodPost || r.URL.Path != "/v1/audio/transcriptions" {
		f.t.Errorf("transcription request %s %s", r.Method, r.URL.Path)
		http.NotFound(w, r)
		return
	}
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		f.t.Errorf("multipart form: %v", err)
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	if got := r.FormValue("model"); got != "whisper-test" {
		f.t.Errorf("model %q", got)
	}
	if got := r.FormValue("response_format"); got != "json" {
		f.t.Errorf("response_format %q", got)
	}
	file, _, err := r.FormFile("file")
	if err != nil {
		f.t.Errorf("file field: %v", err)
		http.Error(w, "no file", http.StatusBadRequest)
		return
	}
	audio, _ := io.ReadAll(file)
	if !bytes.Equal(audio, f.want) {
		f.t.Errorf("transcription got %d audio bytes, not the uploaded %d", len(audio), len(f.want))
	}
	if code := int(f.status.Load()); code != http.StatusOK {
		http.Error(w, `{"error":{"message":"model crashed"}}`, code)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]string{"text": f.reply})
}

// newTestServerWithTranscriber starts a test server whose speech-to-text
// provider is a fake that expects audio and answers reply.
func newTestServerWithTranscriber(t *testing.T, databaseURL string, audio []byte, reply string) (*testServer, *fakeTranscriber) {
	t.Helper()
	fake := &fakeTranscriber{t: t, reply: reply, want: audio}
	fake.status.Store(http.StatusOK)
	asr := httptest.NewServer(fake)
	t.Cleanup(asr.Close)
	ts := newTestServer(t, databaseURL, map[string]string{
		"SIDENOTE_ASR_URL":   asr.URL + "/v1",
		"SIDENOTE_ASR_MODEL": "whisper-test",
	})
	return ts, fake
}

func TestSourcesBelongToTheirClinician(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, databaseURL string) {
		ts := newTestServer(t, databaseURL)
		a, b := ts.login("a@example.com"), ts.login("b@example.com")
		sess := ts.createAnonymousSession(a, api.SessionInPerson, api.AnonymousIndividual)
		base := "/api/v1/sessions/" + sess.ID
		for _, tc := range []struct{ method, path string }{
			{http.MethodPut, base + "/summary"},
			{http.MethodPut, base + "/transcript"},
			{http.MethodGet, base + "/summary"},
			{http.MethodGet, base + "/transcript"},
		} {
			var body any
			if tc.method == http.MethodPut {
				body = api.TextRequest{Text: "Client reports sleeping better."}
			}
			if res := ts.do(b, tc.method, tc.path, body, http.StatusNotFound, nil); res.Error().Code != api.CodeNotFound {
				t.Errorf("%s %s by another clinician: %s", tc.method, tc.path, res.Body)
			}
		}
		ts.upload(b, sess.ID, "audio/wav", []byte("RIFF...."), http.StatusNotFound)
		for _, action := range []string{"summary.write", "transcript.write", "transcript.read", "recording.write"} {
			if n := auditCount(t, ts, action, sess.ID); n != 0 {
				t.Errorf("%d %s audit events for refused attempts", n, action)
			}
		}
	})
}

func TestRecordingReuploadKeepsOneFile(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, databaseURL string) {
		ts := newTestServer(t, databaseURL)
		a := ts.login("a@example.com")
		sess := ts.createAnonymousSession(a, api.SessionUploadedRecording, api.AnonymousIndividual)
		for i := range 3 {
			ts.upload(a, sess.ID, "audio/mpeg", bytes.Repeat([]byte{byte(i)}, 2000), http.StatusCreated)
		}
		var files []string
		err := filepath.WalkDir(filepath.Join(ts.cfg.DataDir, "recordings"), func(path string, d fs.DirEntry, err error) error {
			if err == nil && d.Type().IsRegular() {
				files = append(files, path)
			}
			return err
		})
		if err != nil || len(files) != 1 {
			t.Fatalf("files on disk after three uploads: %v (%v)", files, err)
		}
	})
}

func TestRecordingTranscription(t *testing.T) {
	const spoken = "Clinician: How did the week go?\nClient: I reported my panic attacks in the log every day.\nClinician: Plan to keep the log as homework."
	storetest.EachDialect(t, func(t *testing.T, databaseURL string) {
		audio := bytes.Repeat([]byte("OggS-fictional-audio-"), 100)
		ts, fake := newTestServerWithTranscriber(t, databaseURL, audio, spoken)
		a := ts.login("a@example.com")

		t.Run("transcript arrives and a note is written from it", func(t *testing.T) {
			sess := ts.createAnonymousSession(a, api.SessionUploadedRecording, api.AnonymousIndividual)
			ts.upload(a, sess.ID, "audio/ogg; codecs=opus", audio, http.StatusCreated)
			got := waitTranscript(t, ts, a, sess.ID)
			if got != spoken {
				t.Fatalf("transcript %q", got)
			}
			var rec api.Recording
			ts.do(a, http.MethodGet, "/api/v1/sessions/"+sess.ID+"/recording", nil, http.StatusOK, &rec)
			if rec.TranscriptionStatus != "done" {
				t.Fatalf("transcription status %q", rec.TranscriptionStatus)
			}
			n := ts.generateNote(a, sess.ID, "soap")
			if n.Status != api.NoteReady || sectionText(n, "plan") == "" {
				t.Fatalf("note from the transcript: %+v", n)
			}
		})

		t.Run("a failing provider leaves a readable reason", func(t *testing.T) {
			fake.status.Store(http.StatusInternalServerError)
			sess := ts.createAnonymousSession(a, api.SessionUploadedRecording, api.AnonymousIndividual)
			ts.upload(a, sess.ID, "audio/webm", audio, http.StatusCreated)
			rec := ts.waitTranscription(a, sess.ID)
			if rec.TranscriptionStatus != "failed" || rec.TranscriptionError == "" {
				t.Fatalf("recording after a 500: %+v", rec)
			}
			var s api.Session
			ts.do(a, http.MethodGet, "/api/v1/sessions/"+sess.ID, nil, http.StatusOK, &s)
			if s.Status != api.SessionAwaitingTranscript {
				t.Fatalf("session status %q, want awaiting_transcript", s.Status)
			}
			// Once the provider is back, a retry transcribes.
			fake.status.Store(http.StatusOK)
			ts.do(a, http.MethodPost, "/api/v1/sessions/"+sess.ID+"/recording/transcribe", nil, http.StatusAccepted, nil)
			if got := waitTranscript(t, ts, a, sess.ID); got != spoken {
				t.Fatalf("transcript after retry %q", got)
			}
		})
	})
}

// waitTranscript polls GET /sessions/:id/transcript until it has text.
func waitTranscript(t *testing.T, ts *testServer, token, sessionID string) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		res := ts.raw(token, http.MethodGet, "/api/v1/sessions/"+sessionID+"/transcript", nil)
		if res.Status == http.StatusOK {
			var got api.TextRequest
			decodeInto(t, res, &got)
			if got.Text != "" {
				return got.Text
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no transcript after 30s: %d %s", res.Status, res.Body)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
