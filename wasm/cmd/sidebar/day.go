//go:build js && wasm

package main

import (
	"context"
	"strconv"
	"strings"
	"syscall/js"
	"time"

	"github.com/sidenote/sidenote/wasm/internal/app"
	"github.com/sidenote/sidenote/wasm/internal/jsbridge"

	"github.com/sidenote/sidenote/wasm/internal/view"
)

// open starts the view-model on the screen the page's address names.
func (u *ui) open() {
	if zone := global.Get("Intl").Call("DateTimeFormat").Call("resolvedOptions").Get("timeZone"); zone.Type() == js.TypeString {
		u.app.SetZone(zone.String())
	}
	if !u.routed() {
		u.app.Init(u.ctx)
		return
	}
	r := currentRoute()
	if r.Screen == app.ScreenSessions {
		// Init opens the list, with the address's filters.
		u.app.PresetFilter(r.Filter)
		u.app.Init(u.ctx)
		return
	}
	// Until the screen asked for is shown, the list Init opens on must not
	// take its address.
	setRouting(currentPath())
	u.app.Init(u.ctx)
	u.app.Go(u.ctx, r)
	setRouting("")
	u.schedule()
}

// routed reports whether screens have addresses: on the /app page, not in
// the extension's side panel.
func (u *ui) routed() bool {
	return !u.inExt && strings.HasPrefix(global.Get("location").Get("pathname").String(), app.AppPath)
}

func currentPath() string {
	loc := global.Get("location")
	return loc.Get("pathname").String() + loc.Get("search").String()
}

func currentRoute() app.Route {
	loc := global.Get("location")
	return app.ParseRoute(loc.Get("pathname").String(), strings.TrimPrefix(loc.Get("search").String(), "?"))
}

// setRouting marks (or clears, with "") a move to an address in progress,
// on <body>, so renders on the way don't record their screens in history.
func setRouting(path string) {
	ds := doc.Get("body").Get("dataset")
	if path == "" {
		ds.Delete("routing")
		return
	}
	ds.Set("routing", path)
}

// rendered runs after each render.
func (u *ui) rendered(p view.Page) {
	autofocus()
	if u.routed() {
		u.recordAddress()
	}
}

// recordAddress puts the address of the screen shown in the browser's
// history: a new entry for a new screen, the same entry for the list's
// filters (Back leaves the list rather than undoing each filter).
func (u *ui) recordAddress() {
	if r := doc.Get("body").Get("dataset").Get("routing"); r.Type() == js.TypeString {
		return
	}
	var path string
	u.app.View(func(s *app.State) { path = s.Path() })
	cur := currentPath()
	if path == "" {
		return
	}
	h := global.Get("history")
	isList := func(p string) bool { return p == app.AppPath || strings.HasPrefix(p, app.AppPath+"?") }
	switch {
	case path == cur:
	case h.Get("state").IsNull() || (isList(path) && isList(cur)):
		// The page's first screen, or the list's filters: the same entry.
		h.Call("replaceState", map[string]any{"sidenote": true}, "", path)
	default:
		h.Call("pushState", map[string]any{"sidenote": true}, "", path)
	}
	if h.Get("state").IsNull() {
		h.Call("replaceState", map[string]any{"sidenote": true}, "", path)
	}
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
func (u *ui) wireDay(listen func(target js.Value, event string, fn func(e js.Value))) {
	// Escape closes the label and addendum fields, as it does other panels.
	listen(doc, "keydown", func(e js.Value) {
		if e.Get("key").String() != "Escape" {
			return
		}
		for _, act := range []string{"label-close", "addendum-close"} {
			if el := doc.Call("querySelector", `[data-act="`+act+`"]`); !el.IsNull() {
				u.actDay(act, "", el)
				return
			}
		}
	})
	listen(global, "popstate", func(js.Value) {
		if !u.routed() {
			return
		}
		r := currentRoute()
		setRouting(currentPath())
		var leaving bool
		u.app.View(func(s *app.State) {
			leaving = s.Screen == app.ScreenSession && (r.Screen != app.ScreenSession || r.SessionID != s.Session.Session.ID)
		})
		if leaving {
			// As the Sessions button does: the recording stops and uploads.
			u.stopRecording()
		}
		u.run(func(ctx context.Context) {
			u.app.Go(ctx, r)
			setRouting("")
			u.schedule()
		})
	})
}

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
	case "label-open":
		a.OpenLabel(true)
	case "label-close":
		a.OpenLabel(false)
	case "label-save":
		u.run(a.SaveLabel)
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
	case "label":
		u.app.SetLabelText(el.Get("value").String())
	case "search":
		u.search(el)
	case "date":
		u.app.TypeDate(atoi(arg), el.Get("value").String())
	}
}

// searchDelay is the pause in typing a search after which the list is
// searched.
const searchDelay = 350 * time.Millisecond

// search searches the list once the clinician pauses typing: each key
// numbers the search on the field, and only the latest one runs.
func (u *ui) search(el js.Value) {
	u.app.TypeQuery(el.Get("value").String())
	ds := el.Get("dataset")
	seq := 1
	if n := ds.Get("seq"); n.Type() == js.TypeString {
		seq = atoi(n.String()) + 1
	}
	ds.Set("seq", strconv.Itoa(seq))
	u.run(func(ctx context.Context) {
		time.Sleep(searchDelay)
		if ds.Get("seq").String() == strconv.Itoa(seq) {
			u.app.SetQuery(ctx, el.Get("value").String())
		}
	})
}
