package notes

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/sidenote/sidenote/server/internal/provider"
)

// LLMConfig configures an OpenAI-compatible chat-completions provider.
type LLMConfig struct {
	URL         string        // base URL, e.g. http://127.0.0.1:8080/v1
	Model       string        // model name sent with each request
	APIKey      string        // sent as a bearer token when set
	Timeout     time.Duration // per attempt; default 60s
	MaxAttempts int           // attempts on retryable failures; default 3
	Backoff     time.Duration // first retry delay, doubled each retry; default 1s
	HTTPClient  *http.Client  // default: a client without its own timeout
}

// Longest Retry-After the generator waits for; a provider asking for more
// gets a retryable provider.Failure so the job queue can come back later.
const maxRetryAfter = 2 * time.Minute

// reasonTimeout is the failure reason of a provider that did not answer in
// time.
const reasonTimeout = "The note service did not answer in time."

// Replies larger than this are not notes.
const maxReplyBytes = 4 << 20

// LLM generates notes with a language model and checks every sentence it
// writes: the prompt numbers the session's sentences, the model returns
// note sentences each citing the ids it was written from, and a sentence is
// accepted only when the cited sentences support it (grounding.go). A
// sentence that is not supported goes to Result.LeftOut as "unsupported"
// with the model's text; it never reaches the note.
type LLM struct {
	cfg      LLMConfig
	endpoint string
	client   *http.Client
	// sleep waits between attempts; tests replace it to record the delays.
	sleep func(ctx context.Context, d time.Duration) error
}

// NewLLM checks cfg and returns the generator.
func NewLLM(cfg LLMConfig) (*LLM, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("notes: LLM URL must be an http(s) base URL such as http://127.0.0.1:8080/v1, got %q", cfg.URL)
	}
	if strings.TrimSpace(cfg.Model) == "" {
		return nil, errors.New("notes: LLM model is required")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 60 * time.Second
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 3
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = time.Second
	}
	client := cfg.HTTPClient
	if client == nil {
		client = &http.Client{}
	}
	return &LLM{
		cfg:      cfg,
		endpoint: strings.TrimRight(cfg.URL, "/") + "/chat/completions",
		client:   client,
		sleep:    sleepCtx,
	}, nil
}

// Name implements Generator.
func (g *LLM) Name() string { return "llm:" + g.cfg.Model }

type chatRequest struct {
	Model          string         `json:"model"`
	Messages       []chatMessage  `json:"messages"`
	ResponseFormat responseFormat `json:"response_format"`
	Temperature    float64        `json:"temperature"`
}

type chatMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type responseFormat struct {
	Type string `json:"type"`
}

type chatResponse struct {
	Choices []struct {
		Message chatMessage `json:"message"`
	} `json:"choices"`
}

// complete posts body, retrying retryable failures with exponential backoff
// and jitter (or the provider's Retry-After), and returns the reply content.
func (g *LLM) complete(ctx context.Context, body []byte) (string, error) {
	for attempt := 1; ; attempt++ {
		content, retryAfter, fail := g.attempt(ctx, body)
		if fail == nil {
			return content, nil
		}
		if err := ctx.Err(); err != nil {
			return "", err
		}
		if !fail.Retryable || attempt >= g.cfg.MaxAttempts {
			return "", fail
		}
		wait := backoff(g.cfg.Backoff, attempt)
		if retryAfter > maxRetryAfter {
			return "", fail
		}
		wait = max(wait, retryAfter)
		if err := g.sleep(ctx, wait); err != nil {
			return "", err
		}
	}
}

// backoff returns the delay before retry number attempt (1-based): base
// doubled per attempt, with "equal jitter" (half fixed, half random) so that
// many jobs failing together do not retry in lockstep.
func backoff(base time.Duration, attempt int) time.Duration {
	d := base << min(attempt-1, 16)
	half := d / 2
	return half + rand.N(half+1)
}

func (g *LLM) attempt(ctx context.Context, body []byte) (content string, retryAfter time.Duration, fail *provider.Failure) {
	actx, cancel := context.WithTimeout(ctx, g.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodPost, g.endpoint, bytes.NewReader(body))
	if err != nil {
		return "", 0, &provider.Failure{Reason: "The note service address is not valid.", Err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if g.cfg.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+g.cfg.APIKey)
	}
	resp, err := g.client.Do(req)
	if err != nil {
		return "", 0, transportFailure(actx, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // let the connection be reused; the body is not kept
		f := statusFailure(resp.StatusCode)
		return "", parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()), f
	}
	var cr chatResponse
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxReplyBytes)).Decode(&cr); err != nil {
		if actx.Err() != nil {
			return "", 0, transportFailure(actx, err)
		}
		return "", 0, &provider.Failure{Reason: "The note service sent a reply that could not be read.", Retryable: true, Err: fmt.Errorf("decoding chat completion: %w", err)}
	}
	if len(cr.Choices) == 0 {
		return "", 0, &provider.Failure{Reason: "The note service sent an empty reply.", Retryable: true, Err: errors.New("chat completion has no choices")}
	}
	return cr.Choices[0].Message.Content, 0, nil
}

func transportFailure(actx context.Context, err error) *provider.Failure {
	if errors.Is(actx.Err(), context.DeadlineExceeded) {
		return &provider.Failure{Reason: reasonTimeout, Retryable: true, Err: err}
	}
	return &provider.Failure{Reason: "The note service could not be reached.", Retryable: true, Err: err}
}

func statusFailure(code int) *provider.Failure {
	err := fmt.Errorf("chat completions: HTTP %d", code)
	switch {
	case code == http.StatusUnauthorized:
		return &provider.Failure{Reason: "The note service rejected the API key.", Err: err}
	case code == http.StatusForbidden:
		return &provider.Failure{Reason: "The note service refused access for this API key.", Err: err}
	case code == http.StatusNotFound:
		return &provider.Failure{Reason: "The note service does not offer the configured model or address.", Err: err}
	case code == http.StatusBadRequest || code == http.StatusUnprocessableEntity:
		return &provider.Failure{Reason: "The note service rejected the request; the session may be too long for the model.", Err: err}
	case code == http.StatusTooManyRequests:
		return &provider.Failure{Reason: "The note service is busy with too many requests.", Retryable: true, Err: err}
	case code == http.StatusRequestTimeout || code >= 500:
		return &provider.Failure{Reason: "The note service had a temporary problem.", Retryable: true, Err: err}
	default:
		return &provider.Failure{Reason: fmt.Sprintf("The note service refused the request (HTTP %d).", code), Err: err}
	}
}

// parseRetryAfter reads a Retry-After header in seconds or as an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(v); err == nil && secs >= 0 {
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
