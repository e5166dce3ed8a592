package notes

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sidenote/sidenote/server/internal/provider"
	"github.com/sidenote/sidenote/shared/note"
)

const llmSummary = "Client reports poor sleep this week. Client appeared tired, with flat affect. We practiced box breathing. Plan to review a sleep diary next session."

// chatCompletion is a reply as an OpenAI-compatible server sends it.
func chatCompletion(content string) map[string]any {
	return map[string]any{
		"id":      "chatcmpl-test",
		"object":  "chat.completion",
		"created": 1764000000,
		"model":   "test-model",
		"choices": []map[string]any{{
			"index":         0,
			"message":       map[string]any{"role": "assistant", "content": content},
			"finish_reason": "stop",
		}},
		"usage": map[string]int{"prompt_tokens": 100, "completion_tokens": 50, "total_tokens": 150},
	}
}

func sectionsJSON(t *testing.T, sections map[string]any) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{"sections": sections})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// fakeChat serves /v1/chat/completions, checks each request's protocol, and
// answers with reply(n) for the n-th request (1-based).
func fakeChat(t *testing.T, reply func(n int, w http.ResponseWriter, r *http.Request)) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(calls.Add(1))
		if r.Method != http.MethodPost || r.URL.Path != "/v1/chat/completions" {
			t.Errorf("request %s %s, want POST /v1/chat/completions", r.Method, r.URL.Path)
		}
		if got := r.Header.Get("Authorization"); got != "Bearer sk-test" {
			t.Errorf("Authorization = %q", got)
		}
		if got := r.Header.Get("Content-Type"); got != "application/json" {
			t.Errorf("Content-Type = %q", got)
		}
		var req struct {
			Model          string `json:"model"`
			ResponseFormat struct {
				Type string `json:"type"`
			} `json:"response_format"`
			Messages []struct {
				Role    string `json:"role"`
				Content string `json:"content"`
			} `json:"messages"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			t.Errorf("request body: %v", err)
		}
		if req.Model != "test-model" || req.ResponseFormat.Type != "json_object" || len(req.Messages) != 2 {
			t.Errorf("request = %+v", req)
		} else {
			if req.Messages[0].Role != "system" || !strings.Contains(req.Messages[0].Content, "must cite the ids of the session sentences") ||
				!strings.Contains(req.Messages[0].Content, `"subjective"`) {
				t.Errorf("system message does not state the no-invention rule and keys: %q", req.Messages[0].Content)
			}
			if req.Messages[1].Role != "user" || !strings.Contains(req.Messages[1].Content, "Session sentences (id, who, text):\n[1] (") {
				t.Errorf("user message does not number the summary's sentences: %q", req.Messages[1].Content)
			}
		}
		reply(n, w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func newTestLLM(t *testing.T, url string, cfg LLMConfig) (*LLM, *[]time.Duration) {
	t.Helper()
	cfg.URL, cfg.Model, cfg.APIKey = url+"/v1", "test-model", "sk-test"
	g, err := NewLLM(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var waits []time.Duration
	g.sleep = func(ctx context.Context, d time.Duration) error { waits = append(waits, d); return ctx.Err() }
	return g, &waits
}

func soap(t *testing.T) note.Template {
	tmpl, ok := note.Lookup(note.SOAP)
	if !ok {
		t.Fatal("no SOAP template")
	}
	return tmpl
}

// cite is a model sentence with the ids it cites.
func cite(text string, ids ...int) map[string]any {
	return map[string]any{"text": text, "sources": ids}
}

func TestLLMSuccess(t *testing.T) {
	content := sectionsJSON(t, map[string]any{
		"subjective": []any{cite("Client reported poor sleep this week.", 1)},
		"objective":  []any{cite("Client appeared tired, with flat affect.", 2), cite("Clinician and client practiced box breathing.", 3)},
		"plan":       []any{cite("Plan to review a sleep diary next session.", 4)},
		"extra":      "Unknown keys are ignored.",
	})
	srv, calls := fakeChat(t, func(_ int, w http.ResponseWriter, _ *http.Request) { writeJSON(w, chatCompletion(content)) })
	g, _ := newTestLLM(t, srv.URL, LLMConfig{})
	if g.Name() != "llm:test-model" {
		t.Errorf("Name = %q", g.Name())
	}
	src := Source{Summary: llmSummary}
	res, err := g.Generate(context.Background(), soap(t), src)
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, soap(t), src, res)
	got := res.Sections
	want := []string{"Client reported poor sleep this week.", "Client appeared tired, with flat affect. Clinician and client practiced box breathing.", "", "Plan to review a sleep diary next session."}
	for i, s := range got {
		if s.Text != want[i] {
			t.Errorf("%s = %q, want %q", s.Key, s.Text, want[i])
		}
	}
	if !got[2].NotDocumented {
		t.Errorf("assessment (missing from the reply) should be not documented")
	}
	if sp := got[0].Sentences[0].Sources; len(sp) != 1 || src.Summary[sp[0].Start:sp[0].End] != "Client reports poor sleep this week." {
		t.Errorf("subjective sentence spans = %+v", sp)
	}
	if res.Generator != "llm:test-model" || len(res.LeftOut) != 0 {
		t.Errorf("generator %q, left out %+v", res.Generator, res.LeftOut)
	}
	if calls.Load() != 1 {
		t.Errorf("%d requests, want 1", calls.Load())
	}
}

func TestLLMRetriesServerError(t *testing.T) {
	content := sectionsJSON(t, map[string]any{"subjective": "Client reports poor sleep this week."})
	srv, calls := fakeChat(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n == 1 {
			http.Error(w, `{"error":{"message":"overloaded"}}`, http.StatusInternalServerError)
			return
		}
		writeJSON(w, chatCompletion(content))
	})
	g, waits := newTestLLM(t, srv.URL, LLMConfig{MaxAttempts: 3, Backoff: 100 * time.Millisecond})
	res, err := g.Generate(context.Background(), soap(t), Source{Summary: llmSummary})
	got := res.Sections
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Text != "Client reports poor sleep this week." {
		t.Errorf("subjective = %q", got[0].Text)
	}
	if calls.Load() != 2 {
		t.Errorf("%d requests, want 2", calls.Load())
	}
	if len(*waits) != 1 || (*waits)[0] < 50*time.Millisecond || (*waits)[0] > 100*time.Millisecond {
		t.Errorf("waits = %v, want one in [50ms, 100ms] (base with equal jitter)", *waits)
	}
}

func TestLLMRespectsRetryAfter(t *testing.T) {
	content := sectionsJSON(t, map[string]any{"plan": "Plan to review a sleep diary next session."})
	srv, _ := fakeChat(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n == 1 {
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		writeJSON(w, chatCompletion(content))
	})
	g, waits := newTestLLM(t, srv.URL, LLMConfig{MaxAttempts: 2, Backoff: time.Millisecond})
	if _, err := g.Generate(context.Background(), soap(t), Source{Summary: llmSummary}); err != nil {
		t.Fatal(err)
	}
	if len(*waits) != 1 || (*waits)[0] != 7*time.Second {
		t.Errorf("waits = %v, want [7s]", *waits)
	}
}

func TestLLMUnauthorizedIsNotRetried(t *testing.T) {
	srv, calls := fakeChat(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		http.Error(w, `{"error":{"message":"Incorrect API key provided"}}`, http.StatusUnauthorized)
	})
	g, _ := newTestLLM(t, srv.URL, LLMConfig{MaxAttempts: 3, Backoff: time.Millisecond})
	_, err := g.Generate(context.Background(), soap(t), Source{Summary: llmSummary})
	var f *provider.Failure
	if !errors.As(err, &f) {
		t.Fatalf("err = %v, want *provider.Failure", err)
	}
	if f.Retryable || f.Reason != "The note service rejected the API key." {
		t.Errorf("failure = %+v", f)
	}
	if calls.Load() != 1 {
		t.Errorf("%d requests, want 1 (no retry on 401)", calls.Load())
	}
}

func TestLLMTimeoutIsRetryable(t *testing.T) {
	srv, calls := fakeChat(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		select { // slower than the per-attempt timeout
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	g, waits := newTestLLM(t, srv.URL, LLMConfig{Timeout: 50 * time.Millisecond, MaxAttempts: 2, Backoff: time.Millisecond})
	_, err := g.Generate(context.Background(), soap(t), Source{Summary: llmSummary})
	var f *provider.Failure
	if !errors.As(err, &f) {
		t.Fatalf("err = %v, want *provider.Failure", err)
	}
	if !f.Retryable || f.Reason != "The note service did not answer in time." {
		t.Errorf("failure = %+v", f)
	}
	if calls.Load() != 2 || len(*waits) != 1 {
		t.Errorf("%d requests and %d waits, want 2 and 1", calls.Load(), len(*waits))
	}
}

func TestLLMMalformedContent(t *testing.T) {
	for name, content := range map[string]string{
		"not json":    "Here is your note: Subjective ...",
		"no sections": `{"note": "Client reports poor sleep this week."}`,
	} {
		t.Run(name, func(t *testing.T) {
			srv, _ := fakeChat(t, func(_ int, w http.ResponseWriter, _ *http.Request) { writeJSON(w, chatCompletion(content)) })
			g, _ := newTestLLM(t, srv.URL, LLMConfig{})
			_, err := g.Generate(context.Background(), soap(t), Source{Summary: llmSummary})
			var f *provider.Failure
			if !errors.As(err, &f) || f.Reason != "The note service replied with something that is not a note." {
				t.Fatalf("err = %v", err)
			}
			if strings.Contains(f.Error(), "poor sleep") {
				t.Errorf("failure leaks note text: %q", f.Error())
			}
		})
	}
}

// TestLLMGrounding sends answers that invent a normal mental status exam,
// a denial of suicidal ideation and a changed number, next to a supported
// paraphrase: only the paraphrase reaches the note, the rest is listed as
// unsupported with the model's own text, and the source sentences it
// misrepresented stay visible in left_out.
func TestLLMGrounding(t *testing.T) {
	const summary = "Client reports sleeping 5.5 hours a night. She described a racing mind before meetings. We practiced box breathing."
	const transcript = "Client: I'm still having trouble falling asleep.\nTherapist: Let's plan a wind-down routine for this week.\n"
	content := sectionsJSON(t, map[string]any{
		"subjective": []any{
			cite("Client reported that she is still having trouble falling asleep.", 4), // supported paraphrase
			cite("Client reports sleeping 6 hours a night.", 1),                         // changed number
			cite("Client denies suicidal ideation, intent or plan.", 2),                 // invented denial
			cite("She described a racing mind before meetings.", 2),                     // verbatim
		},
		"objective": []any{
			cite("Mental status exam within normal limits; alert and oriented x3.", 3), // invented MSE
			cite("Clinician and client practiced box breathing.", 3),
		},
		"plan": []any{cite("Clinician proposed a wind-down routine for this week.", 5)},
	})
	srv, _ := fakeChat(t, func(_ int, w http.ResponseWriter, _ *http.Request) { writeJSON(w, chatCompletion(content)) })
	g, _ := newTestLLM(t, srv.URL, LLMConfig{})
	src := Source{Summary: summary, Transcript: transcript}
	res, err := g.Generate(context.Background(), soap(t), src)
	if err != nil {
		t.Fatal(err)
	}
	got := res.Sections
	if want := "Client reported that she is still having trouble falling asleep. She described a racing mind before meetings."; got[0].Text != want {
		// The model's order is kept: it wrote the transcript's sentence first.
		t.Errorf("subjective = %q, want %q", got[0].Text, want)
	}
	if want := "Clinician and client practiced box breathing."; got[1].Text != want {
		t.Errorf("objective = %q, want %q", got[1].Text, want)
	}
	unsupported := map[string]bool{}
	var sourceLeft []string
	for _, lo := range res.LeftOut {
		switch lo.Reason {
		case note.LeftOutUnsupported:
			unsupported[lo.Text] = true
		default:
			sourceLeft = append(sourceLeft, lo.Text)
		}
	}
	for _, text := range []string{"Client reports sleeping 6 hours a night.", "Client denies suicidal ideation, intent or plan.",
		"Mental status exam within normal limits; alert and oriented x3.", "Clinician proposed a wind-down routine for this week."} {
		if !unsupported[text] {
			t.Errorf("%q is not listed as unsupported; left out: %+v", text, res.LeftOut)
		}
	}
	// The sentences the model misrepresented are not lost: 5.5 hours and the
	// wind-down plan are listed, in note wording.
	if len(sourceLeft) != 2 || !strings.Contains(sourceLeft[0], "5.5 hours") || !strings.Contains(sourceLeft[1], "wind-down routine") {
		t.Errorf("source sentences left out = %q", sourceLeft)
	}
	if res.RiskMentioned {
		t.Error("risk_mentioned set from the model's invented denial")
	}
	for _, s := range got {
		if strings.Contains(s.Text, "suicidal") || strings.Contains(s.Text, "normal limits") || strings.Contains(s.Text, "6 hours") {
			t.Errorf("%s holds invented text: %q", s.Key, s.Text)
		}
	}
	checkResult(t, soap(t), src, res)
}

// TestLLMKeepsRiskTheModelDropped: a risk statement the model leaves out is
// placed by the built-in generator, never lost.
func TestLLMKeepsRiskTheModelDropped(t *testing.T) {
	const transcript = "Client: I slept badly all week.\nClient: Sometimes I think everyone would be better off if I wasn't here.\n"
	content := sectionsJSON(t, map[string]any{"subjective": []any{cite("Client reported that they slept badly all week.", 5)}})
	src := Source{Summary: llmSummary, Transcript: transcript}
	res, err := generateWith(t, content, src)
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, soap(t), src, res)
	if !res.RiskMentioned || !strings.Contains(note.Compose(res.Sections), `"Sometimes I think everyone would be better off if I wasn't here."`) {
		t.Errorf("risk statement not kept verbatim: risk=%v note=%q", res.RiskMentioned, note.Compose(res.Sections))
	}
}

// generateWith runs the LLM generator against a fake server answering content.
func generateWith(t *testing.T, content string, src Source) (Result, error) {
	t.Helper()
	srv, _ := fakeChat(t, func(_ int, w http.ResponseWriter, _ *http.Request) { writeJSON(w, chatCompletion(content)) })
	g, _ := newTestLLM(t, srv.URL, LLMConfig{})
	return g.Generate(context.Background(), soap(t), src)
}

func TestLLMAllInventedIsAFailure(t *testing.T) {
	content := sectionsJSON(t, map[string]any{"subjective": []any{cite("The client is doing great overall.", 1)}})
	_, err := generateWith(t, content, Source{Summary: llmSummary})
	var f *provider.Failure
	if !errors.As(err, &f) || f.Retryable {
		t.Fatalf("err = %v, want a non-retryable *provider.Failure", err)
	}
}

// TestLLMAcceptsUncitedCopies: a model that answers in the older format
// (plain sentences copied from the session) still gets its copies placed.
func TestLLMAcceptsUncitedCopies(t *testing.T) {
	transcript := "Therapist: Um, how did the week go?\nClient: Um, I- I slept, like, maybe four hours a night.\nTherapist: Let's try box breathing together.\n"
	content := sectionsJSON(t, map[string]any{
		"subjective": "Client: I slept maybe four hours a night.",
		"objective":  []string{"Let's try box breathing together.", "She has a history of trauma."},
	})
	src := Source{Summary: llmSummary, Transcript: transcript}
	res, err := generateWith(t, content, src)
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, soap(t), src, res)
	if got := res.Sections[0].Text; got != "Client reported that they slept maybe four hours a night." {
		t.Errorf("subjective = %q", got)
	}
	if got := res.Sections[1].Text; got != "Clinician asked client to try box breathing together." {
		t.Errorf("objective = %q", got)
	}
	reasons := map[string]string{}
	for _, lo := range res.LeftOut {
		reasons[lo.Text] = lo.Reason
	}
	if reasons["She has a history of trauma."] != note.LeftOutUnsupported {
		t.Errorf("left out = %+v", res.LeftOut)
	}
}

func TestLLMNoSource(t *testing.T) {
	g, _ := newTestLLM(t, "http://127.0.0.1:1", LLMConfig{})
	if _, err := g.Generate(context.Background(), soap(t), Source{}); !errors.Is(err, ErrNoSource) {
		t.Fatalf("err = %v, want ErrNoSource", err)
	}
}

func TestNewLLMValidates(t *testing.T) {
	for _, cfg := range []LLMConfig{{URL: "", Model: "m"}, {URL: "ftp://x/v1", Model: "m"}, {URL: "http://x/v1"}} {
		if _, err := NewLLM(cfg); err == nil {
			t.Errorf("NewLLM(%+v) accepted", cfg)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Duration{
		"":                              0,
		"3":                             3 * time.Second,
		"-1":                            0,
		"soon":                          0,
		"Wed, 25 Nov 2026 08:00:30 GMT": 30 * time.Second,
		"Wed, 25 Nov 2026 07:00:00 GMT": 0,
	} {
		if got := parseRetryAfter(in, now); got != want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", in, got, want)
		}
	}
}
