//go:build js && wasm

// Package jsbridge connects the sidebar's plain-Go parts to the browser:
// fetch and XMLHttpRequest for the API, localStorage for drafts, the
// clipboard, and the extension's sidenoteHost object. It is the only package
// besides cmd/sidebar that imports syscall/js.
package jsbridge

import (
	"context"
	"errors"
	"syscall/js"

	"github.com/sidenote/sidenote/wasm/internal/wire"
)

// JSError is a rejection or exception from JavaScript.
type JSError struct {
	Name    string
	Message string
}

func (e *JSError) Error() string {
	if e.Name != "" {
		return e.Name + ": " + e.Message
	}
	return e.Message
}

// toError turns a thrown JavaScript value into a Go error.
func toError(v js.Value) error {
	e := &JSError{}
	switch v.Type() {
	case js.TypeObject:
		if n := v.Get("name"); n.Type() == js.TypeString {
			e.Name = n.String()
		}
		if m := v.Get("message"); m.Type() == js.TypeString {
			e.Message = m.String()
		}
	case js.TypeString:
		e.Message = v.String()
	}
	if e.Message == "" && e.Name == "" {
		e.Message = "unknown JavaScript error"
	}
	return e
}

type settled struct {
	v   js.Value
	err error
}

// Await blocks until the promise p settles or ctx is done. It must not be
// called from a JavaScript callback (that would deadlock the event loop);
// call it from a goroutine.
func Await(ctx context.Context, p js.Value) (js.Value, error) {
	ch := make(chan settled, 1)
	var onOK, onErr js.Func
	onOK = js.FuncOf(func(_ js.Value, args []js.Value) any {
		v := js.Undefined()
		if len(args) > 0 {
			v = args[0]
		}
		ch <- settled{v: v}
		return nil
	})
	onErr = js.FuncOf(func(_ js.Value, args []js.Value) any {
		v := js.Undefined()
		if len(args) > 0 {
			v = args[0]
		}
		ch <- settled{err: toError(v)}
		return nil
	})
	release := func() { onOK.Release(); onErr.Release() }
	// Promise.resolve accepts plain values too, so callers may pass either.
	js.Global().Get("Promise").Call("resolve", p).Call("then", onOK, onErr)
	select {
	case r := <-ch:
		release()
		return r.v, r.err
	case <-ctx.Done():
		// The callbacks stay alive until the promise settles.
		go func() { <-ch; release() }()
		return js.Undefined(), ctx.Err()
	}
}

// Call calls method on obj and awaits its result, turning a synchronous
// throw into an error too.
func Call(ctx context.Context, obj js.Value, method string, args ...any) (v js.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			if je, ok := r.(js.Error); ok {
				v, err = js.Undefined(), toError(je.Value)
				return
			}
			panic(r)
		}
	}()
	return Await(ctx, obj.Call(method, args...))
}

// ToJS parses JSON text into a JavaScript value.
func ToJS(jsonText []byte) js.Value {
	return js.Global().Get("JSON").Call("parse", string(jsonText))
}

// FromJS reads a JavaScript value as parsed JSON.
func FromJS(v js.Value) (wire.Value, error) {
	if v.IsUndefined() {
		return wire.Value{}, errors.New("no value")
	}
	s := js.Global().Get("JSON").Call("stringify", v)
	if s.Type() != js.TypeString {
		return wire.Value{}, errors.New("value cannot be represented as JSON")
	}
	return wire.Parse([]byte(s.String()))
}
