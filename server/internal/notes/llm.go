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
	"github.com/sidenote/sidenote/shared/note"
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

// Replies larger than this are not notes.
const maxReplyBytes = 4 << 20

// LLM generates notes with a language model, then enforces the no-invention
// rule itself: the model is asked to copy sentences from the session, and
// every sentence it returns is looked up among the session's own sentences.
// Sentences that are not found are dropped, and the note shows the session's
// text for those that are, with their source spans. The model therefore only
// chooses which sentence goes in which section; it cannot add words.
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

// Generate implements Generator.
func (g *LLM) Generate(ctx context.Context, t note.Template, src Source) (Result, error) {
	if src.empty() {
		return Result{}, ErrNoSource
	}
	body, err := json.Marshal(chatRequest{
		Model:          g.cfg.Model,
		Messages:       []chatMessage{{Role: "system", Content: systemPrompt(t)}, {Role: "user", Content: userPrompt(t, src)}},
		ResponseFormat: responseFormat{Type: "json_object"},
		Temperature:    0,
	})
	if err != nil {
		return Result{}, err
	}
	content, err := g.complete(ctx, body)
	if err != nil {
		return Result{}, err
	}
	var reply struct {
		Sections map[string]json.RawMessage `json:"sections"`
	}
	if err := json.Unmarshal([]byte(content), &reply); err != nil || reply.Sections == nil {
		if err == nil {
			err = errors.New(`reply has no "sections" object`)
		}
		return Result{}, &provider.Failure{Reason: "The note service replied with something that is not a note.", Retryable: false, Err: err}
	}
	doc := analyze(src, true)
	placement, kept := placeReply(t, doc, reply.Sections)
	if kept == 0 && len(doc.units) > 0 && replyHasText(reply.Sections) {
		return Result{}, &provider.Failure{
			Reason: "The note service's draft did not use the session's own sentences, so it was discarded.",
			Err:    errors.New("no sentence of the reply was found in the source"),
		}
	}
	return Result{Sections: doc.render(t, placement), Generator: g.Name()}, nil
}

// placeReply maps each section's returned sentences onto the source's
// sentences. Keys the template does not have are ignored; a sentence that
// is not in the source is dropped (this is where the no-invention rule is
// enforced, whatever the model did with the prompt). A source sentence is
// used at most once.
func placeReply(t note.Template, doc *document, sections map[string]json.RawMessage) (placement []int, kept int) {
	placement = make([]int, len(doc.units))
	for i := range placement {
		placement[i] = -1
	}
	index := map[string][]int{}
	var ws []string
	for ui, u := range doc.units {
		ws = words(ws[:0], u.sents[0].text)
		k := strings.Join(ws, " ")
		index[k] = append(index[k], ui)
	}
	for si, def := range t.Sections {
		for _, text := range sectionTexts(sections[def.Key]) {
			splitSentences(text, 0, len(text), func(start, end int) {
				s := text[start:end]
				if m := speakerLine.FindStringSubmatchIndex(s); m != nil && m[0] == 0 {
					s = s[m[1]:] // the model may keep "Partner A:" labels
				}
				// Summaries keep parenthesised text, transcripts drop it as
				// annotation; the sentence may come from either.
				for _, kind := range []sourceKind{kindSummary, kindTranscript} {
					ws = words(ws[:0], cleanSpan(kind, s))
					for _, ui := range index[strings.Join(ws, " ")] {
						if placement[ui] < 0 {
							placement[ui] = si
							kept++
							return
						}
					}
				}
			})
		}
	}
	return placement, kept
}

// sectionTexts accepts a section as a string or a list of strings.
func sectionTexts(raw json.RawMessage) []string {
	if len(raw) == 0 {
		return nil
	}
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}
	}
	var many []string
	if json.Unmarshal(raw, &many) == nil {
		return many
	}
	return nil
}

func replyHasText(sections map[string]json.RawMessage) bool {
	for _, raw := range sections {
		for _, s := range sectionTexts(raw) {
			if strings.TrimSpace(s) != "" {
				return true
			}
		}
	}
	return false
}

func systemPrompt(t note.Template) string {
	var keys []string
	for _, s := range t.Sections {
		keys = append(keys, fmt.Sprintf("%q", s.Key))
	}
	return `You sort a psychotherapy session's text into the sections of a progress note.
Rules:
- Use only sentences that appear in the session text, copied word for word. You may leave out spoken fillers such as "um" or "you know". Never paraphrase, summarise, translate, add, infer or correct anything.
- Put each sentence you use in the one section it fits best. Leave out small talk.
- If the session text holds nothing for a section, return an empty string for it. Never fill a section with assumed or typical content (for example a normal mental status exam).
Reply with a JSON object {"sections": {"<key>": "<text>"}} with exactly these keys: ` + strings.Join(keys, ", ") + "."
}

func userPrompt(t note.Template, src Source) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Template: %s\nSections:\n", t.Name)
	for _, s := range t.Sections {
		fmt.Fprintf(&b, "- %s: %s\n", s.Key, s.Title)
	}
	if strings.TrimSpace(src.Summary) != "" {
		b.WriteString("\nClinician's summary:\n<<<\n")
		b.WriteString(src.Summary)
		b.WriteString("\n>>>\n")
	}
	if strings.TrimSpace(src.Transcript) != "" {
		b.WriteString("\nSession transcript:\n<<<\n")
		b.WriteString(src.Transcript)
		b.WriteString("\n>>>\n")
	}
	return b.String()
}

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
		return &provider.Failure{Reason: "The note service did not answer in time.", Retryable: true, Err: err}
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
