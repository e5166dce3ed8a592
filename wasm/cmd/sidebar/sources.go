//go:build js && wasm

package main

import (
	"context"
	"syscall/js"
)

// The note's sources view and left-out list: focusing or pointing at a
// sentence shows where it came from; a left-out item goes into a section.

func (u *ui) sourcesAct(act, arg string) {
	a := u.app
	switch act {
	case "sources":
		u.run(a.ToggleSources)
	case "lo-place":
		u.run(func(ctx context.Context) { a.PlaceLeftOut(ctx, arg) })
	}
}

// wireSources shows a sentence's source when it gets the focus (keyboard)
// or the pointer. A sentence that scrolls under a pointer at rest (the page
// moving as the keyboard walks the note) does not take the source panel
// from the focused one.
func (u *ui) wireSources(listen func(target js.Value, event string, fn func(e js.Value))) {
	show := func(e js.Value) {
		t := e.Get("target")
		if t.Get("closest").Type() != js.TypeFunction {
			return
		}
		if el := t.Call("closest", "[data-src]"); !el.IsNull() {
			u.app.ShowSource(el.Get("dataset").Get("src").String())
		}
	}
	var lastX, lastY float64
	listen(doc, "focusin", show)
	listen(doc, "mouseover", func(e js.Value) {
		x, y := e.Get("screenX").Float(), e.Get("screenY").Float()
		if x == lastX && y == lastY {
			return
		}
		lastX, lastY = x, y
		show(e)
	})
}

// revealMarks scrolls each source text so its first marked span is in view,
// a third of the way down, without scrolling the page.
func revealMarks() {
	texts := doc.Call("querySelectorAll", ".src-text")
	for i := 0; i < texts.Length(); i++ {
		box := texts.Index(i)
		mark := box.Call("querySelector", "mark")
		if mark.IsNull() || box.Get("dataset").Get("revealed").Truthy() {
			continue // a box not re-rendered keeps where the clinician scrolled it
		}
		top := mark.Get("offsetTop").Float() - box.Get("clientHeight").Float()/3
		box.Set("scrollTop", max(top, 0))
		box.Get("dataset").Set("revealed", "1")
	}
}
