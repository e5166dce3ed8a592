package notes

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/sidenote/sidenote/shared/note"
)

// TestFallbackOnTimeout: a model that does not answer in time leaves the
// note to the built-in generator, which says why.
func TestFallbackOnTimeout(t *testing.T) {
	srv, calls := fakeChat(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	llm, _ := newTestLLM(t, srv.URL, LLMConfig{Timeout: 50 * time.Millisecond, MaxAttempts: 2, Backoff: time.Millisecond})
	g := NewFallback(llm, NewBuiltin())
	if g.Name() != "llm:test-model" {
		t.Errorf("Name = %q, want the configured model", g.Name())
	}
	src := Source{Summary: llmSummary}
	res, err := g.Generate(context.Background(), soap(t), src)
	if err != nil {
		t.Fatal(err)
	}
	if res.Generator != "builtin" || res.GeneratorNote != "The language model did not answer in time; the built-in generator wrote this note." {
		t.Errorf("generator %q, note %q", res.Generator, res.GeneratorNote)
	}
	if calls.Load() != 2 {
		t.Errorf("%d requests, want 2 (the model's retries come first)", calls.Load())
	}
	want, _ := NewBuiltin().Generate(context.Background(), soap(t), src)
	if note.Compose(res.Sections) != note.Compose(want.Sections) {
		t.Errorf("fallback note differs from the built-in note")
	}
	checkResult(t, soap(t), src, res)
}

// TestFallbackOnUnusableAnswer: an answer with no supported sentence, or an
// error status, falls back with the reason; a good answer does not.
func TestFallbackOnUnusableAnswer(t *testing.T) {
	for name, tc := range map[string]struct {
		reply    func(w http.ResponseWriter)
		note     string
		fallback bool
	}{
		"invented": {func(w http.ResponseWriter) {
			writeJSON(w, chatCompletion(`{"sections": {"subjective": [{"text": "Mental status exam within normal limits.", "sources": [1]}]}}`))
		}, "The language model could not write this note (The note service's draft was not supported by the session's own sentences, so it was discarded.); the built-in generator wrote this note.", true},
		"not json": {func(w http.ResponseWriter) { writeJSON(w, chatCompletion("Here is the note.")) },
			"The language model could not write this note (The note service replied with something that is not a note.); the built-in generator wrote this note.", true},
		"unauthorized": {func(w http.ResponseWriter) { http.Error(w, `{"error":{}}`, http.StatusUnauthorized) },
			"The language model could not write this note (The note service rejected the API key.); the built-in generator wrote this note.", true},
		"supported": {func(w http.ResponseWriter) {
			writeJSON(w, chatCompletion(`{"sections": {"subjective": [{"text": "Client reports poor sleep this week.", "sources": [1]}]}}`))
		}, "", false},
	} {
		t.Run(name, func(t *testing.T) {
			srv, _ := fakeChat(t, func(_ int, w http.ResponseWriter, _ *http.Request) { tc.reply(w) })
			llm, _ := newTestLLM(t, srv.URL, LLMConfig{MaxAttempts: 1})
			res, err := NewFallback(llm, NewBuiltin()).Generate(context.Background(), soap(t), Source{Summary: llmSummary})
			if err != nil {
				t.Fatal(err)
			}
			wantGen := "llm:test-model"
			if tc.fallback {
				wantGen = "builtin"
			}
			if res.Generator != wantGen || res.GeneratorNote != tc.note {
				t.Errorf("generator %q note %q, want %q %q", res.Generator, res.GeneratorNote, wantGen, tc.note)
			}
		})
	}
}

func TestFallbackPassesNoSourceAndCancellation(t *testing.T) {
	llm, _ := newTestLLM(t, "http://127.0.0.1:1", LLMConfig{MaxAttempts: 1})
	g := NewFallback(llm, NewBuiltin())
	if _, err := g.Generate(context.Background(), soap(t), Source{}); !errors.Is(err, ErrNoSource) {
		t.Errorf("blank source: err = %v, want ErrNoSource", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := g.Generate(ctx, soap(t), Source{Summary: llmSummary}); err == nil {
		t.Error("a cancelled generation fell back instead of stopping")
	}
}
