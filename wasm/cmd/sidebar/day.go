//go:build js && wasm

package main

import (
	"syscall/js"

	"github.com/sidenote/sidenote/wasm/internal/view"
)

// open starts the view-model.
func (u *ui) open() {
	u.app.Init(u.ctx)
}

// rendered runs after each render.
func (u *ui) rendered(p view.Page) {}

// wireDay listens to the events of the clinician's-day screens.
func (u *ui) wireDay(listen func(target js.Value, event string, fn func(e js.Value))) {}

// actDay handles the clicks of the clinician's-day screens.
func (u *ui) actDay(act, arg string, el js.Value) {}

// inputDay handles typing in the clinician's-day screens.
func (u *ui) inputDay(kind, arg string, el js.Value) {}
