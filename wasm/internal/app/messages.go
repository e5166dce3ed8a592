package app

import (
	"context"
	"errors"

	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/wasm/internal/client"
)

// Sentences a clinician reads instead of error codes.
const (
	msgUnreachable = "Sidenote can't reach the server. Your work is kept on this device and will be saved when the connection returns."
	msgOfflineList = "You're offline. This is the list as last loaded; it can't be changed until the connection returns."
	msgSignedOut   = "Your sign-in has ended. Please sign in again."
)

var codeMessages = map[string]string{
	api.CodeUnauthenticated:   msgSignedOut,
	api.CodeForbidden:         "You don't have permission to do that.",
	api.CodeNotFound:          "This item no longer exists. It may have been deleted.",
	api.CodeVersionConflict:   "This note was changed somewhere else since you opened it. Both versions are shown; choose what to keep.",
	api.CodeNoteSigned:        "This note is signed and can no longer be edited.",
	api.CodeSessionUnassigned: "Assign this session to a client first. A pseudonym works.",
	api.CodeBodyTooLarge:      "That is too large to upload.",
	api.CodeUnsupportedMedia:  "That file type isn't supported. Use an audio recording (WebM, Ogg, MP3, WAV or M4A).",
	api.CodeConsentRequired:   "Record the client's consent before starting the session.",
	api.CodeNoSource:          "Add a summary, a transcript or a recording before writing a note.",
	api.CodeRateLimited:       "Too many requests in a short time. Wait a moment and try again.",
	api.CodeInternal:          "The server ran into a problem. Please try again in a moment.",
	api.CodeUnavailable:       "The server is busy or starting up. Please try again in a moment.",
	api.CodeConflict:          "That conflicts with a change made elsewhere. Reload and try again.",
	// Malformed requests are Sidenote's own bugs, not the clinician's.
	api.CodeMalformedJSON: "Sidenote sent a request the server could not read. Please reload the panel and try again.",
	api.CodeUnknownField:  "Sidenote sent a request the server could not read. Please reload the panel and try again.",
	api.CodeWrongType:     "Sidenote sent a request the server could not read. Please reload the panel and try again.",
	api.CodeInvalidUTF8:   "The text contains characters that can't be saved. Remove unusual symbols and try again.",
}

// Message turns an error into a sentence for the clinician. It never shows
// raw JSON, status codes or Go error strings.
func Message(err error) string {
	if err == nil {
		return ""
	}
	if errors.Is(err, client.ErrUnreachable) {
		return msgUnreachable
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return "That took too long and was stopped. Please try again."
	}
	if apiErr, ok := errors.AsType[*client.Error](err); ok {
		code := apiErr.API.Code
		// Validation messages from the server are written for people and
		// name the field; prefer them when present.
		if (code == api.CodeInvalidField || code == api.CodeBadRequest) && apiErr.API.Message != "" {
			return apiErr.API.Message
		}
		if m, ok := codeMessages[code]; ok {
			return m
		}
		if code == api.CodeInvalidField || code == api.CodeBadRequest {
			return "Some of what was entered isn't valid. Please check the form and try again."
		}
		return "Something went wrong. Please try again."
	}
	if hostErr, ok := errors.AsType[*HostError](err); ok && hostErr.Message != "" {
		return hostErr.Message
	}
	return "Something went wrong. Please try again."
}

func isUnreachable(err error) bool { return errors.Is(err, client.ErrUnreachable) }

func isCode(err error, code string) bool { return client.Code(err) == code }
