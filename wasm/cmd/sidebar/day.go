//go:build js && wasm

package main

import (
	"context"
	"syscall/js"

	"github.com/sidenote/sidenote/wasm/internal/jsbridge"

	"github.com/sidenote/sidenote/wasm/internal/view"
)

// open starts the view-model.
func (u *ui) open() {
	u.app.Init(u.ctx)
}

// rendered runs after each render.
func (u *ui) rendered(p view.Page) {
	autofocus()
}

// autofocus moves focus to a panel marked data-autofocus when it appears
// (the insert check panel, the answer to a click below the fold),
// scrolling it into view. The panel's id is kept on <body> while it stays
// open, so re-renders of the same panel leave focus where the clinician is.
func autofocus() {
	body := doc.Get("body")
	el := doc.Call("querySelector", "[data-autofocus]")
	if el.IsNull() {
		body.Get("dataset").Delete("autofocused")
		return
	}
	id := el.Get("id").String()
	if done := body.Get("dataset").Get("autofocused"); done.Type() == js.TypeString && done.String() == id {
		return
	}
	body.Get("dataset").Set("autofocused", id)
	el.Call("scrollIntoView", map[string]any{"block": "start"})
	el.Call("focus", map[string]any{"preventScroll": true})
}

// wireDay listens to the events of the clinician's-day screens.
func (u *ui) wireDay(listen func(target js.Value, event string, fn func(e js.Value))) {}

// actDay handles the clicks of the clinician's-day screens.
func (u *ui) actDay(act, arg string, el js.Value) {
	a := u.app
	switch act {
	case "addendum-open":
		a.OpenAddendum(true)
	case "addendum-close":
		a.OpenAddendum(false)
	case "addendum-add":
		u.run(a.AddAddendum)
	case "history":
		u.run(a.ToggleHistory)
	case "pdf":
		u.run(func(ctx context.Context) {
			if pdf, name, ok := a.NotePDF(ctx); ok {
				jsbridge.SaveBytes(pdf, name, "application/pdf")
			}
		})
	}
}

// inputDay handles typing in the clinician's-day screens.
func (u *ui) inputDay(kind, arg string, el js.Value) {
	switch kind {
	case "addendum":
		u.app.SetAddendum(el.Get("value").String())
	}
}
