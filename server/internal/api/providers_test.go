package api

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sidenote/sidenote/server/internal/store/storetest"
	"github.com/sidenote/sidenote/shared/api"
)

// fakeLLM is an OpenAI-compatible chat-completions server whose behaviour
// the test switches: "ok" answers with the summary's own sentences,
// "error" answers 503, "slow" answers after the client gave up.
type fakeLLM struct {
	mode  atomic.Value // string
	calls atomic.Int32
}

func newFakeLLM(t *testing.T) (*fakeLLM, *httptest.Server) {
	f := &fakeLLM{}
	f.mode.Store("ok")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v1/chat/completions" {
			http.NotFound(w, r)
			return
		}
		f.calls.Add(1)
		var req struct {
			Model    string `json:"model"`
			Messages []struct{ Role, Content string }
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || len(req.Messages) == 0 {
			http.Error(w, `{"error":{"message":"bad request"}}`, http.StatusBadRequest)
			return
		}
		switch f.mode.Load() {
		case "error":
			http.Error(w, `{"error":{"message":"model overloaded"}}`, http.StatusServiceUnavailable)
			return
		case "slow":
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
			return
		}
		sections := map[string]string{
			"subjective": "Client reports that panic attacks dropped from four to two this week.",
			"objective":  "Client appeared calm and made good eye contact.",
			"assessment": "",
			"plan":       "Plan to continue weekly sessions and to keep the panic log as homework.",
		}
		content, _ := json.Marshal(map[string]any{"sections": sections})
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"id": "chatcmpl-test", "object": "chat.completion", "model": req.Model,
			"choices": []map[string]any{{"index": 0, "finish_reason": "stop",
				"message": map[string]string{"role": "assistant", "content": string(content)}}},
		})
	}))
	t.Cleanup(srv.Close)
	return f, srv
}

func TestLLMGenerator(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, databaseURL string) {
		llm, fake := newFakeLLM(t)
		ts := newTestServer(t, databaseURL, map[string]string{
			"SIDENOTE_LLM_URL": fake.URL + "/v1", "SIDENOTE_LLM_MODEL": "test-model", "SIDENOTE_LLM_TIMEOUT": "200ms",
		})
		a := ts.login("a@example.com")
		sess := ts.createAnonymousSession(a, api.SessionWrittenSummary, api.AnonymousIndividual)
		ts.do(a, http.MethodPut, "/api/v1/sessions/"+sess.ID+"/summary", api.TextRequest{Text: fictionalSummary}, http.StatusOK, nil)

		// A provider that fails or is too slow does not cost the clinician
		// the note: the built-in generator writes it, and the note says why.
		for _, mode := range []string{"error", "slow"} {
			llm.mode.Store(mode)
			n := ts.generateNote(a, sess.ID, "soap")
			if n.Status != api.NoteReady || n.Generator != "builtin" || n.GeneratorNote == "" || strings.Contains(n.GeneratorNote, "HTTP") {
				t.Fatalf("%s: note %s by %q, note %q; want ready by builtin with a readable reason", mode, n.Status, n.Generator, n.GeneratorNote)
			}
			if mode == "slow" && !strings.Contains(n.GeneratorNote, "in time") {
				t.Errorf("slow reply: generator note %q does not say it timed out", n.GeneratorNote)
			}
			var s api.Session
			ts.do(a, http.MethodGet, "/api/v1/sessions/"+sess.ID, nil, http.StatusOK, &s)
			if s.NoteStatus != api.NoteReady {
				t.Fatalf("%s: session note_status %q", mode, s.NoteStatus)
			}
			// A ready note is not retried.
			ts.do(a, http.MethodPost, "/api/v1/notes/"+n.ID+"/retry", nil, http.StatusConflict, nil)
		}
		// The provider is back: the next note is the model's.
		llm.mode.Store("ok")
		done := ts.generateNote(a, sess.ID, "soap")
		if done.Status != api.NoteReady || done.Generator != "llm:test-model" || done.GeneratorNote != "" ||
			sectionText(done, "objective") != "Client appeared calm and made good eye contact." {
			t.Fatalf("provider back: %+v", done)
		}
		if llm.calls.Load() < 3 {
			t.Fatalf("the fake LLM saw %d calls", llm.calls.Load())
		}
		if strings.Contains(ts.logs.String(), "panic attacks") {
			t.Fatal("session text reached the log")
		}
	})
}

// fakeASR speaks POST /v1/audio/transcriptions (multipart, field "file").
type fakeASR struct {
	fail atomic.Bool
	mu   sync.Mutex
	sums []string // SHA-256 of each file received
}

const fakeTranscript = "Clinician: How did the week go?\nClient: I slept better and kept the sleep diary."

func newFakeASR(t *testing.T) (*fakeASR, *httptest.Server) {
	f := &fakeASR{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v1/audio/transcriptions" {
			http.NotFound(w, r)
			return
		}
		file, _, err := r.FormFile("file")
		if err != nil || r.FormValue("model") == "" {
			http.Error(w, `{"error":{"message":"file and model are required"}}`, http.StatusBadRequest)
			return
		}
		h := sha256.New()
		io.Copy(h, file)
		f.mu.Lock()
		f.sums = append(f.sums, hex.EncodeToString(h.Sum(nil)))
		f.mu.Unlock()
		if f.fail.Load() {
			http.Error(w, `{"error":{"message":"unavailable"}}`, http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"text": fakeTranscript})
	}))
	t.Cleanup(srv.Close)
	return f, srv
}

func TestTranscription(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, databaseURL string) {
		asr, fake := newFakeASR(t)
		ts := newTestServer(t, databaseURL, map[string]string{"SIDENOTE_ASR_URL": fake.URL + "/v1", "SIDENOTE_ASR_MODEL": "whisper-1"})
		a := ts.login("a@example.com")
		audio := []byte("RIFF fictional wave bytes for a dictation")
		sum := sha256.Sum256(audio)

		sess := ts.createAnonymousSession(a, api.SessionDictation, api.AnonymousIndividual)
		var rec api.Recording
		decodeInto(t, ts.upload(a, sess.ID, "audio/wav", audio, http.StatusCreated), &rec)
		if rec.TranscriptionStatus != "pending" {
			t.Fatalf("with a provider the recording is %q, want pending", rec.TranscriptionStatus)
		}
		if rec = ts.waitTranscription(a, sess.ID); rec.TranscriptionStatus != "done" {
			t.Fatalf("transcription: %+v", rec)
		}
		var text api.TextRequest
		ts.do(a, http.MethodGet, "/api/v1/sessions/"+sess.ID+"/transcript", nil, http.StatusOK, &text)
		if text.Text != fakeTranscript {
			t.Fatalf("transcript %q", text.Text)
		}
		asr.mu.Lock()
		if len(asr.sums) != 1 || asr.sums[0] != hex.EncodeToString(sum[:]) {
			t.Fatalf("the provider received %v, want one file with SHA-256 %x", asr.sums, sum)
		}
		asr.mu.Unlock()
		if n := ts.generateNote(a, sess.ID, "dap"); n.Status != api.NoteReady {
			t.Fatalf("note from the transcript: %+v", n)
		}

		// The provider is down: visible failure, session waits, retry works.
		asr.fail.Store(true)
		other := ts.createAnonymousSession(a, api.SessionDictation, api.AnonymousIndividual)
		ts.upload(a, other.ID, "audio/mpeg", audio, http.StatusCreated)
		if rec = ts.waitTranscription(a, other.ID); rec.TranscriptionStatus != "failed" || rec.TranscriptionError == "" {
			t.Fatalf("provider down: %+v", rec)
		}
		var s api.Session
		ts.do(a, http.MethodGet, "/api/v1/sessions/"+other.ID, nil, http.StatusOK, &s)
		if s.Status != api.SessionAwaitingTranscript {
			t.Fatalf("after a failed transcription the session is %q", s.Status)
		}
		asr.fail.Store(false)
		ts.do(a, http.MethodPost, "/api/v1/sessions/"+other.ID+"/recording/transcribe", nil, http.StatusAccepted, nil)
		if rec = ts.waitTranscription(a, other.ID); rec.TranscriptionStatus != "done" {
			t.Fatalf("retry: %+v", rec)
		}
		ts.do(a, http.MethodGet, "/api/v1/sessions/"+other.ID, nil, http.StatusOK, &s)
		if s.Status == api.SessionAwaitingTranscript {
			t.Fatal("the retried transcription left the session awaiting a transcript")
		}
		ts.do(a, http.MethodPost, "/api/v1/sessions/"+other.ID+"/recording/transcribe", nil, http.StatusConflict, nil)
		if strings.Contains(ts.logs.String(), "sleep diary") {
			t.Fatal("transcript text reached the log")
		}
	})
}
