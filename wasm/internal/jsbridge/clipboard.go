//go:build js && wasm

package jsbridge

import (
	"context"
	"syscall/js"
)

// Clipboard writes through navigator.clipboard, falling back to a hidden
// textarea and execCommand("copy") where the async API is refused (an
// unfocused side panel, an insecure origin).
type Clipboard struct{}

func (Clipboard) WriteText(ctx context.Context, text string) error {
	cb := js.Global().Get("navigator").Get("clipboard")
	if cb.Truthy() {
		if _, err := Call(ctx, cb, "writeText", text); err == nil {
			return nil
		}
	}
	return execCopy(text)
}

func execCopy(text string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &JSError{Message: "copy refused"}
		}
	}()
	doc := js.Global().Get("document")
	active := doc.Get("activeElement")
	ta := doc.Call("createElement", "textarea")
	ta.Set("value", text)
	ta.Call("setAttribute", "readonly", "")
	ta.Get("style").Set("position", "fixed")
	ta.Get("style").Set("opacity", "0")
	doc.Get("body").Call("appendChild", ta)
	ta.Call("select")
	ok := doc.Call("execCommand", "copy").Bool()
	ta.Call("remove")
	if active.Truthy() {
		active.Call("focus")
	}
	if !ok {
		return &JSError{Message: "copy refused"}
	}
	return nil
}
