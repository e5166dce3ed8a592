//go:build js && wasm

package jsbridge

import (
	"context"
	"strings"
	"syscall/js"
	"time"

	"github.com/sidenote/sidenote/shared/match"
	"github.com/sidenote/sidenote/wasm/internal/app"
	"github.com/sidenote/sidenote/wasm/internal/wire"
)

// Host is app.Host over the extension's globalThis.sidenoteHost (written by
// extension/src/host.js), whose methods return promises of the service
// worker's answers:
//
//	plan(noteId) → {ok, ...match.Plan}
//	insert(noteId, onFilled, mapping) → {ok, filled:[{section, field}], skipped:[{section, field, reason}]}
//	undo() → {ok, restored, failed}
//	connect(serverUrl, token) → {ok}
//	getConfig() → {serverUrl, token}   (optional; else chrome.storage.local "connection")
//	signIn(providerId) → {token}        (optional)
//
// mapping maps a section key to the signature of the field the clinician
// chose, "" to leave the section out. A failure is {ok:false, message}
// with a message written for the clinician.
type Host struct{ h js.Value }

// FindHost returns the extension host when the page has one.
func FindHost() *Host {
	h := js.Global().Get("sidenoteHost")
	if h.Type() != js.TypeObject || h.Get("kind").String() != "extension" {
		return nil
	}
	return &Host{h: h}
}

var errHostSilent = &app.HostError{Message: "The extension did not answer. Reload the side panel and try again."}

// call calls a host method and returns its answer, turning the service
// worker's {ok:false, message} into an error.
func (h *Host) call(ctx context.Context, method string, args ...any) (wire.Value, error) {
	if h.h.Get(method).Type() != js.TypeFunction {
		return wire.Value{}, &app.HostError{Message: "This version of the extension can't do that. Update Sidenote and try again."}
	}
	v, err := Call(ctx, h.h, method, args...)
	if err != nil {
		if ctx.Err() != nil {
			return wire.Value{}, ctx.Err()
		}
		return wire.Value{}, hostErr(err)
	}
	if v.IsUndefined() || v.IsNull() {
		return wire.Value{}, nil
	}
	out, err := FromJS(v)
	if err != nil {
		return wire.Value{}, &app.HostError{Message: "The extension sent a reply Sidenote could not read. Reload the side panel and try again."}
	}
	if ok := out.Get("ok"); ok.Kind() == wire.Bool && !ok.Bool() && out.Get("message").Str() != "" {
		return wire.Value{}, &app.HostError{Message: out.Get("message").Str()}
	}
	return out, nil
}

// Config returns the connection the extension stored.
func (h *Host) Config(ctx context.Context) (app.HostConfig, error) {
	var cfg app.HostConfig
	if h.h.Get("getConfig").Type() == js.TypeFunction {
		v, err := h.call(ctx, "getConfig")
		return app.HostConfig{ServerURL: v.Get("serverUrl").Str(), Token: v.Get("token").Str()}, err
	}
	local := chromeAPI("storage")
	if local.Type() == js.TypeObject {
		local = local.Get("local")
	}
	if local.Type() != js.TypeObject {
		return cfg, nil
	}
	v, err := Call(ctx, local, "get", "connection")
	if err != nil {
		return cfg, hostErr(err)
	}
	stored, _ := FromJS(v)
	conn := stored.Get("connection")
	return app.HostConfig{ServerURL: conn.Get("serverUrl").Str(), Token: conn.Get("token").Str()}, nil
}

// chromeAPI returns chrome[name], or undefined outside an extension page.
func chromeAPI(name string) js.Value {
	c := js.Global().Get("chrome")
	if c.Type() != js.TypeObject {
		return js.Undefined()
	}
	return c.Get(name)
}

func hostErr(err error) error {
	if je, ok := err.(*JSError); ok && je.Message != "" {
		return &app.HostError{Message: je.Message}
	}
	return errHostSilent
}

func (h *Host) Connect(ctx context.Context, serverURL, token string) error {
	_, err := h.call(ctx, "connect", serverURL, token)
	return err
}

// SignIn runs the provider's sign-in in a browser window the extension
// controls (chrome.identity.launchWebAuthFlow); the server ends it by
// redirecting to the extension's chromiumapp.org URI with #token=.
func (h *Host) SignIn(ctx context.Context, serverURL, provider string) (string, error) {
	var token string
	if h.h.Get("signIn").Type() == js.TypeFunction {
		v, err := h.call(ctx, "signIn", serverURL, provider)
		if err != nil {
			return "", err
		}
		token = v.Get("token").Str()
	} else if identity := chromeAPI("identity"); identity.Type() == js.TypeObject {
		redirect := identity.Call("getRedirectURL").String()
		enc := js.Global().Get("encodeURIComponent")
		u := serverURL + "/auth/" + enc.Invoke(provider).String() + "?redirect_uri=" + enc.Invoke(redirect).String()
		v, err := Call(ctx, identity, "launchWebAuthFlow", map[string]any{"url": u, "interactive": true})
		if err != nil {
			if ctx.Err() != nil {
				return "", ctx.Err()
			}
			return "", &app.HostError{Message: "Sign-in was cancelled or could not finish. Please try again."}
		}
		if v.Type() == js.TypeString {
			frag := js.Global().Get("URL").New(v.String()).Get("hash").String()
			params := js.Global().Get("URLSearchParams").New(strings.TrimPrefix(frag, "#"))
			if t := params.Call("get", "token"); t.Type() == js.TypeString {
				token = t.String()
			}
		}
	} else {
		return "", &app.HostError{Message: "This version of the extension can't sign in. Update Sidenote and try again."}
	}
	if token == "" {
		return "", &app.HostError{Message: "Sign-in did not finish. Please try again."}
	}
	return token, nil
}

func (h *Host) Plan(ctx context.Context, noteID string) (match.Plan, error) {
	v, err := h.call(ctx, "plan", noteID)
	if err != nil {
		return match.Plan{}, err
	}
	return DecodePlan(v), nil
}

// DecodePlan reads the matcher's plan as the service worker sends it.
func DecodePlan(v wire.Value) match.Plan {
	p := match.Plan{Assignments: []match.Assignment{}, Unmatched: []match.Unmatched{}, Candidates: []match.Candidate{},
		SingleField: v.Get("single_field").Bool(), LowConfidence: v.Get("low_confidence").Bool()}
	for _, a := range v.Get("assignments").Items() {
		p.Assignments = append(p.Assignments, match.Assignment{
			Section: a.Get("section").Str(), SectionTitle: a.Get("section_title").Str(), FieldID: a.Get("field_id").Str(),
			FieldLabel: a.Get("field_label").Str(), Signature: a.Get("signature").Str(), Score: a.Get("score").Float(),
			Remembered: a.Get("remembered").Bool(), Text: a.Get("text").Str(),
		})
	}
	for _, u := range v.Get("unmatched").Items() {
		p.Unmatched = append(p.Unmatched, match.Unmatched{Section: u.Get("section").Str(), Reason: u.Get("reason").Str()})
	}
	for _, c := range v.Get("candidates").Items() {
		p.Candidates = append(p.Candidates, match.Candidate{FieldID: c.Get("field_id").Str(), Label: c.Get("label").Str(), Signature: c.Get("signature").Str(), HasText: c.Get("has_text").Bool()})
	}
	return p
}

func (h *Host) Insert(ctx context.Context, noteID string, onFilled app.OnFilled, mapping map[string]string) (app.InsertResult, error) {
	jsMapping := js.Undefined()
	if mapping != nil {
		jsMapping = ToJS(wire.StringMap(mapping))
	}
	v, err := h.call(ctx, "insert", noteID, string(onFilled), jsMapping)
	if err != nil {
		return app.InsertResult{}, err
	}
	return insertResult(v), nil
}

func (h *Host) InsertWhenReady(ctx context.Context, noteID string, onFilled app.OnFilled, wait time.Duration) (app.InsertResult, error) {
	v, err := h.call(ctx, "insertWhenReady", noteID, string(onFilled), int(wait.Milliseconds()))
	if err != nil {
		return app.InsertResult{}, err
	}
	return insertResult(v), nil
}

func insertResult(v wire.Value) app.InsertResult {
	res := app.InsertResult{OK: v.Get("ok").Bool(), Filled: []app.FilledField{}, Skipped: []app.SkippedField{}, NoFields: v.Get("no_fields").Bool()}
	for _, f := range v.Get("filled").Items() {
		res.Filled = append(res.Filled, app.FilledField{Section: f.Get("section").Str(), Field: f.Get("field").Str()})
	}
	for _, f := range v.Get("skipped").Items() {
		res.Skipped = append(res.Skipped, app.SkippedField{Section: f.Get("section").Str(), Field: f.Get("field").Str(), Reason: f.Get("reason").Str(), Limit: f.Get("limit").Int()})
	}
	return res
}

func (h *Host) Undo(ctx context.Context) error {
	v, err := h.call(ctx, "undo")
	if err != nil {
		return err
	}
	if ok := v.Get("ok"); ok.Kind() == wire.Bool && !ok.Bool() && v.Get("failed").Int() > 0 {
		return &app.HostError{Message: "Some fields could not be restored: the page may have changed since the insertion. Check the form before saving it."}
	}
	return nil
}
