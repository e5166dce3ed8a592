// Package asr sends session audio to an OpenAI-compatible speech-to-text
// service (POST {URL}/audio/transcriptions; whisper.cpp's server speaks the
// same protocol when started with --inference-path /v1/audio/transcriptions).
// Audio is streamed: the multipart body is written through a pipe as the
// request is sent, so a long recording is never held in memory.
package asr

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/sidenote/sidenote/server/internal/provider"
)

// Config configures the speech-to-text client.
type Config struct {
	URL     string        // base URL, e.g. http://127.0.0.1:8081/v1
	Model   string        // e.g. "whisper-1"; whisper.cpp ignores it
	APIKey  string        // sent as a bearer token when set
	Timeout time.Duration // for the whole upload and transcription; default 30m
	// HTTPClient defaults to a client without its own timeout.
	HTTPClient *http.Client
}

// Client transcribes audio.
type Client struct {
	cfg      Config
	endpoint string
	client   *http.Client
}

// Replies larger than this are not a transcript of one session.
const maxReplyBytes = 16 << 20

// New checks cfg and returns a client.
func New(cfg Config) (*Client, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("asr: URL must be an http(s) base URL such as http://127.0.0.1:8081/v1, got %q", cfg.URL)
	}
	if cfg.Model == "" {
		cfg.Model = "whisper-1"
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Minute
	}
	client := cfg.HTTPClient
	if client == nil {
		client = &http.Client{}
	}
	return &Client{cfg: cfg, endpoint: strings.TrimRight(cfg.URL, "/") + "/audio/transcriptions", client: client}, nil
}

// Transcribe uploads audio and returns its transcript. filename is sent as
// the file part's name (services use its extension to pick a decoder) and
// contentType as its type. The request is not retried here: audio is a
// stream that cannot be replayed, so a retryable *provider.Failure goes
// back to the caller, which can reopen the file.
func (c *Client) Transcribe(ctx context.Context, filename, contentType string, audio io.Reader) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()

	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	writeDone := make(chan error, 1)
	go func() {
		err := writeForm(mw, c.cfg.Model, filename, contentType, audio)
		// Closing with a nil error ends the body; otherwise the request fails
		// with the reader's error.
		pw.CloseWithError(err)
		writeDone <- err
	}()

	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, pr)
	if err != nil {
		pr.CloseWithError(err)
		<-writeDone
		return "", &provider.Failure{Reason: "The transcription service address is not valid.", Err: err}
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Accept", "application/json")
	if c.cfg.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+c.cfg.APIKey)
	}
	resp, err := c.client.Do(req)
	// Whatever happened, stop the writer before returning so it no longer
	// reads the caller's audio, which the caller may close next.
	pr.CloseWithError(errors.New("asr: request finished"))
	writeErr := <-writeDone
	if err != nil {
		if writeErr != nil && !errors.Is(writeErr, io.ErrClosedPipe) && ctx.Err() == nil {
			return "", &provider.Failure{Reason: "The recording could not be read.", Err: writeErr}
		}
		return "", transportFailure(ctx, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return "", statusFailure(resp.StatusCode)
	}
	var reply struct {
		Text *string `json:"text"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxReplyBytes)).Decode(&reply); err != nil || reply.Text == nil {
		if err == nil {
			err = errors.New(`reply has no "text" field`)
		}
		if ctx.Err() != nil {
			return "", transportFailure(ctx, err)
		}
		return "", &provider.Failure{Reason: "The transcription service sent a reply that could not be read.", Retryable: true, Err: err}
	}
	return strings.TrimSpace(*reply.Text), nil
}

// writeForm writes the multipart form: the model and response format
// fields, then the audio copied straight from the reader.
func writeForm(mw *multipart.Writer, model, filename, contentType string, audio io.Reader) error {
	if err := mw.WriteField("model", model); err != nil {
		return err
	}
	if err := mw.WriteField("response_format", "json"); err != nil {
		return err
	}
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	h := make(textproto.MIMEHeader)
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, safeFilename(filename)))
	h.Set("Content-Type", contentType)
	part, err := mw.CreatePart(h)
	if err != nil {
		return err
	}
	if _, err := io.Copy(part, audio); err != nil {
		return err
	}
	return mw.Close()
}

// safeFilename keeps the base name and drops characters that would break
// the Content-Disposition header; the name may hold a client's name, so it is
// reduced to what the service needs: an extension.
func safeFilename(name string) string {
	ext := strings.ToLower(path.Ext(strings.ReplaceAll(name, `\`, "/")))
	clean := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' {
			return r
		}
		return -1
	}, ext)
	if clean == "" || clean == "." {
		return "audio"
	}
	return "audio" + clean
}

func transportFailure(ctx context.Context, err error) *provider.Failure {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return &provider.Failure{Reason: "The transcription service did not finish in time.", Retryable: true, Err: err}
	}
	if errors.Is(ctx.Err(), context.Canceled) {
		return &provider.Failure{Reason: "The transcription was cancelled.", Retryable: true, Err: err}
	}
	return &provider.Failure{Reason: "The transcription service could not be reached.", Retryable: true, Err: err}
}

func statusFailure(code int) *provider.Failure {
	err := fmt.Errorf("audio transcriptions: HTTP %d", code)
	switch {
	case code == http.StatusUnauthorized:
		return &provider.Failure{Reason: "The transcription service rejected the API key.", Err: err}
	case code == http.StatusForbidden:
		return &provider.Failure{Reason: "The transcription service refused access for this API key.", Err: err}
	case code == http.StatusNotFound:
		return &provider.Failure{Reason: "The transcription service address or model was not found.", Err: err}
	case code == http.StatusRequestEntityTooLarge:
		return &provider.Failure{Reason: "The recording is too large for the transcription service.", Err: err}
	case code == http.StatusBadRequest || code == http.StatusUnsupportedMediaType || code == http.StatusUnprocessableEntity:
		return &provider.Failure{Reason: "The transcription service could not process this recording; check its format.", Err: err}
	case code == http.StatusTooManyRequests:
		return &provider.Failure{Reason: "The transcription service is busy with too many requests.", Retryable: true, Err: err}
	case code == http.StatusRequestTimeout || code >= 500:
		return &provider.Failure{Reason: "The transcription service had a temporary problem.", Retryable: true, Err: err}
	default:
		return &provider.Failure{Reason: fmt.Sprintf("The transcription service refused the recording (HTTP %d).", code), Err: err}
	}
}
