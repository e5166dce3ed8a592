package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/wasm/internal/client"
)

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// apiCodes lists every error code constant of shared/api.
func apiCodes() []string {
	return []string{
		api.CodeMalformedJSON, api.CodeUnknownField, api.CodeWrongType, api.CodeInvalidUTF8, api.CodeBadRequest,
		api.CodeUnauthenticated, api.CodeForbidden, api.CodeNotFound, api.CodeConflict, api.CodeVersionConflict,
		api.CodeNoteSigned, api.CodeSessionUnassigned, api.CodeBodyTooLarge, api.CodeUnsupportedMedia,
		api.CodeInvalidField, api.CodeConsentRequired, api.CodeNoSource, api.CodeRateLimited, api.CodeInternal,
		api.CodeUnavailable,
	}
}

func TestEveryErrorCodeReadsAsASentence(t *testing.T) {
	for _, code := range apiCodes() {
		// The server's message is deliberately technical here: only
		// validation codes may pass it through.
		err := &client.Error{Status: 400, API: api.Error{Code: code, Message: "json: cannot unmarshal"}}
		got := Message(err)
		if _, ok := codeMessages[code]; !ok && code != api.CodeInvalidField && code != api.CodeBadRequest {
			t.Errorf("no sentence of its own for %s", code)
		}
		if got == "" || (strings.Contains(code, "_") && strings.Contains(got, code)) || strings.ContainsAny(got, "{}") {
			t.Errorf("%s → %q", code, got)
		}
		if code != api.CodeInvalidField && code != api.CodeBadRequest && strings.Contains(got, "unmarshal") {
			t.Errorf("%s passes the server's text through: %q", code, got)
		}
	}
}

func TestValidationMessagePassesThrough(t *testing.T) {
	err := &client.Error{Status: 422, API: api.Error{Code: api.CodeInvalidField, Message: "Display name is required.", Field: "display_name"}}
	if got := Message(err); got != "Display name is required." {
		t.Errorf("Message = %q", got)
	}
}

func TestTransportFailureAndUnknownErrors(t *testing.T) {
	if got := Message(errors.Join(client.ErrUnreachable, errors.New("Failed to fetch"))); got != msgUnreachable {
		t.Errorf("unreachable → %q", got)
	}
	if got := Message(fmt.Errorf("wrapped: %w", &client.Error{Status: 418, API: api.Error{Code: "teapot"}})); strings.Contains(got, "teapot") || got == "" {
		t.Errorf("unknown code → %q", got)
	}
	if got := Message(errors.New("runtime error: index out of range")); strings.Contains(got, "runtime") {
		t.Errorf("Go error leaked: %q", got)
	}
}
