//go:build js && wasm

package jsbridge

import (
	"context"
	"strings"
	"syscall/js"

	"github.com/sidenote/sidenote/shared/match"
	"github.com/sidenote/sidenote/wasm/internal/app"
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

// hostReply is the envelope of every answer of the service worker.
type hostReply struct {
	OK      *bool  `json:"ok"`
	Error   string `json:"error"`
	Message string `json:"message"`
}

var errHostSilent = &app.HostError{Message: "The extension did not answer. Reload the side panel and try again."}

func (h *Host) call(ctx context.Context, method string, out any, args ...any) error {
	if h.h.Get(method).Type() != js.TypeFunction {
		return &app.HostError{Message: "This version of the extension can't do that. Update Sidenote and try again."}
	}
	v, err := Call(ctx, h.h, method, args...)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if je, ok := err.(*JSError); ok && je.Message != "" {
			return &app.HostError{Message: je.Message}
		}
		return errHostSilent
	}
	if v.IsUndefined() || v.IsNull() {
		if out == nil {
			return nil
		}
		return errHostSilent
	}
	var env hostReply
	if err := FromJS(v, &env); err == nil && env.OK != nil && !*env.OK && env.Message != "" {
		return &app.HostError{Message: env.Message}
	}
	if out == nil {
		return nil
	}
	if err := FromJS(v, out); err != nil {
		return &app.HostError{Message: "The extension sent a reply Sidenote could not read. Reload the side panel and try again."}
	}
	return nil
}

// Config returns the connection the extension stored.
func (h *Host) Config(ctx context.Context) (app.HostConfig, error) {
	var cfg app.HostConfig
	if h.h.Get("getConfig").Type() == js.TypeFunction {
		err := h.call(ctx, "getConfig", &cfg)
		return cfg, err
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
	var stored struct {
		Connection app.HostConfig `json:"connection"`
	}
	_ = FromJS(v, &stored)
	return stored.Connection, nil
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
	return h.call(ctx, "connect", nil, serverURL, token)
}

// SignIn runs the provider's sign-in in a browser window the extension
// controls (chrome.identity.launchWebAuthFlow); the server ends it by
// redirecting to the extension's chromiumapp.org URI with #token=.
func (h *Host) SignIn(ctx context.Context, serverURL, provider string) (string, error) {
	var out struct {
		Token string `json:"token"`
	}
	if h.h.Get("signIn").Type() == js.TypeFunction {
		if err := h.call(ctx, "signIn", &out, serverURL, provider); err != nil {
			return "", err
		}
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
				out.Token = t.String()
			}
		}
	} else {
		return "", &app.HostError{Message: "This version of the extension can't sign in. Update Sidenote and try again."}
	}
	if out.Token == "" {
		return "", &app.HostError{Message: "Sign-in did not finish. Please try again."}
	}
	return out.Token, nil
}

func (h *Host) Plan(ctx context.Context, noteID string) (match.Plan, error) {
	var p match.Plan
	err := h.call(ctx, "plan", &p, noteID)
	return p, err
}

// Mapping turns a plan the clinician may have changed into the extension's
// mapping: section key → field signature, "" for a section left out.
func Mapping(plan match.Plan) map[string]string {
	m := map[string]string{}
	for _, a := range plan.Assignments {
		if a.Signature != "" {
			m[a.Section] = a.Signature
		}
	}
	for _, u := range plan.Unmatched {
		if u.Reason == match.ReasonClinician {
			m[u.Section] = ""
		}
	}
	return m
}

func (h *Host) Insert(ctx context.Context, noteID string, onFilled app.OnFilled, plan match.Plan) (app.InsertResult, error) {
	var res app.InsertResult
	mapping, err := ToJS(Mapping(plan))
	if err != nil {
		return res, err
	}
	err = h.call(ctx, "insert", &res, noteID, string(onFilled), mapping)
	return res, err
}

func (h *Host) Undo(ctx context.Context) error {
	var res struct {
		OK     bool `json:"ok"`
		Failed int  `json:"failed"`
	}
	if err := h.call(ctx, "undo", &res); err != nil {
		return err
	}
	if !res.OK && res.Failed > 0 {
		return &app.HostError{Message: "Some fields could not be restored: the page may have changed since the insertion. Check the form before saving it."}
	}
	return nil
}
