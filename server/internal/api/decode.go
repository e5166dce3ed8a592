package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/sidenote/sidenote/shared/api"
)

// decode reads a JSON request body into dst strictly: the body must be
// valid UTF-8 and well-formed JSON of the right types, with no unknown
// fields and nothing after the value. Each failure names the field.
func decode(c *gin.Context, maxBytes int64, dst any) error {
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, maxBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return &api.Error{Code: api.CodeBodyTooLarge, Message: "The request is too large."}
		}
		return &api.Error{Code: api.CodeBadRequest, Message: "The request body could not be read."}
	}
	if !utf8.Valid(body) {
		return &api.Error{Code: api.CodeInvalidUTF8, Message: "The request is not valid UTF-8 text."}
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return &api.Error{Code: api.CodeMalformedJSON, Message: "The request body is empty; a JSON object is expected."}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	if dec.More() {
		return &api.Error{Code: api.CodeMalformedJSON, Message: "The request holds more than one JSON value."}
	}
	if escapesNUL(body) {
		return &api.Error{Code: api.CodeBadRequest, Message: "Text in the request may not contain the NUL character (\\u0000)."}
	}
	return nil
}

// escapesNUL reports whether a JSON text holds the escape \u0000. JSON
// cannot carry a raw NUL, so this is the only way one gets in; PostgreSQL
// text cannot store it. An odd run of backslashes before "u0000" is the
// escape; an even run is escaped backslashes followed by plain text.
func escapesNUL(body []byte) bool {
	for i := 0; ; i++ {
		j := bytes.Index(body[i:], []byte("u0000"))
		if j < 0 {
			return false
		}
		i += j
		k := i
		for k > 0 && body[k-1] == '\\' {
			k--
		}
		if (i-k)%2 == 1 {
			return true
		}
	}
}

func decodeError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		return &api.Error{Code: api.CodeMalformedJSON, Message: "The request is not well-formed JSON."}
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return &api.Error{Code: api.CodeWrongType, Message: "The request must be a JSON object."}
		}
		return &api.Error{Code: api.CodeWrongType, Field: field, Message: field + " must be a JSON " + jsonKind(typ.Type.Kind().String()) + "."}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &api.Error{Code: api.CodeUnknownField, Field: field, Message: "Unknown field " + field + "."}
	}
	// time.Time and other UnmarshalJSON errors: the value has the wrong form.
	return &api.Error{Code: api.CodeWrongType, Message: "A value in the request has the wrong form (times are RFC 3339, like 2026-11-25T09:00:00Z)."}
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "struct", "map":
		return "object"
	case "slice", "array":
		return "array"
	}
	return "number"
}
