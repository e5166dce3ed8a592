//go:build js && wasm

// Command sidebar is the Sidenote sidebar compiled to WebAssembly. It wires
// the view-model (internal/app) to the page: it renders internal/view's
// slots into the DOM and turns DOM events into view-model actions.
package main

import (
	"context"
	"strings"
	"sync"
	"syscall/js"
	"time"

	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/shared/note"
	"github.com/sidenote/sidenote/wasm/internal/app"
	"github.com/sidenote/sidenote/wasm/internal/client"
	"github.com/sidenote/sidenote/wasm/internal/jsbridge"
	"github.com/sidenote/sidenote/wasm/internal/view"
)

// noticeFor is how long a confirmation stays on screen (errors stay).
const noticeFor = 6 * time.Second

var (
	global = js.Global()
	doc    = global.Get("document")
)

func byID(id string) js.Value { return doc.Call("getElementById", id) }

type ui struct {
	app *app.App
	api *client.Client
	ctx context.Context

	mu        sync.Mutex
	scheduled bool
	pageKey   string
	html      map[string]string
	rows      map[string]rowsState
	scroll    map[string]float64
	saveTimer *time.Timer
	observer  js.Value
	recorder  js.Value
	recStop   chan struct{}
	// recording is true from Record until the recording stops or fails
	// to start: a second Record in between (while the permission prompt
	// is open) would open a second microphone stream.
	recording bool
	// stopSoon is set when a stop is asked for between Record and the
	// recorder's start: the recording stops as soon as it has started.
	stopSoon  bool
	inExt     bool
	noticeSeq int
}

type rowsState struct {
	key string
	n   int
}

func main() {
	host := jsbridge.FindHost()
	creds := "same-origin"
	if host != nil {
		creds = "omit"
	}
	api := client.New(jsbridge.Fetch{Credentials: creds})
	var store app.Storage = jsbridge.NewMemoryStorage()
	if ls := jsbridge.LocalStorage(); ls != nil {
		store = ls
	}
	u := &ui{api: api, ctx: context.Background(), html: map[string]string{}, rows: map[string]rowsState{}, scroll: map[string]float64{}, inExt: host != nil}
	deps := app.Deps{API: api, Store: store, Clipboard: jsbridge.Clipboard{}, OnChange: u.schedule, ScheduleSave: u.scheduleSave}
	if host != nil {
		deps.Host = host
	}
	deps.NewKey = newKey
	deps.StopRecording = u.stopRecording
	deps.Call = u.callDeps()
	u.app = app.New(deps)
	u.wire()
	u.schedule()
	go u.open()
	go u.retryLoop()
	global.Set("sidenoteReady", true)
	select {}
}

// newKey returns a random idempotency key.
func newKey() string {
	c := global.Get("crypto")
	if c.Get("randomUUID").Type() == js.TypeFunction {
		return c.Call("randomUUID").String()
	}
	return time.Now().UTC().Format("20060102T150405.000000000")
}

// schedule renders at the next animation frame, once however many changes
// arrive before it.
func (u *ui) schedule() {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.scheduled {
		return
	}
	u.scheduled = true
	var f js.Func
	f = js.FuncOf(func(js.Value, []js.Value) any {
		f.Release()
		u.mu.Lock()
		u.scheduled = false
		u.mu.Unlock()
		u.render()
		return nil
	})
	global.Call("requestAnimationFrame", f)
}

func (u *ui) env() view.Env {
	origin := u.api.BaseURL()
	if origin == "" {
		origin = global.Get("location").Get("origin").String()
	}
	return view.Env{Origin: origin, Now: time.Now(), Loc: time.Local}
}

func (u *ui) render() {
	var p view.Page
	var notice app.Notice
	env := u.env()
	u.app.View(func(s *app.State) { p = view.Render(s, env); notice = s.Notice })
	if notice.Text != "" && notice.Seq != u.noticeSeq {
		u.noticeSeq = notice.Seq
		time.AfterFunc(noticeFor, func() { u.app.ExpireNotice(notice.Seq) })
	}

	active := doc.Get("activeElement")
	activeID := ""
	var selStart, selEnd js.Value
	if active.Truthy() {
		activeID = active.Get("id").String()
		selStart, selEnd = active.Get("selectionStart"), active.Get("selectionEnd")
	}

	main := byID("main")
	newPage := p.Key != u.pageKey
	if newPage {
		u.scroll[u.pageKey] = byID("main").Get("scrollTop").Float()
		main.Set("innerHTML", p.Skeleton)
		u.html = map[string]string{"banner": u.html["banner"], "top": u.html["top"], "notice": u.html["notice"]}
		u.rows = map[string]rowsState{}
		u.pageKey = p.Key
		doc.Set("title", p.Title)
	}
	// A slot may sit inside another (a picker's matches inside its panel):
	// when the outer one is replaced, the inner one starts over empty.
	var replaced []js.Value
	inReplaced := func(el js.Value) bool {
		for _, r := range replaced {
			if r.Call("contains", el).Bool() {
				return true
			}
		}
		return false
	}
	for _, s := range p.Slots {
		el := byID(s.ID)
		if el.IsNull() {
			delete(u.html, s.ID)
			delete(u.rows, s.ID)
			continue
		}
		if s.RowsKey != "" {
			u.renderRows(el, s)
			continue
		}
		if cached, ok := u.html[s.ID]; ok && cached == s.HTML && !inReplaced(el) {
			continue
		}
		el.Set("innerHTML", s.HTML)
		u.html[s.ID] = s.HTML
		replaced = append(replaced, el)
	}
	for id, v := range p.Values {
		el := byID(id)
		if !el.IsNull() && el.Get("value").String() != v {
			el.Set("value", v)
		}
	}
	switch {
	case newPage:
		if h := byID("h"); !h.IsNull() {
			h.Call("focus", map[string]any{"preventScroll": true})
		}
		byID("main").Set("scrollTop", u.scroll[p.Key])
	case activeID != "" && !doc.Get("activeElement").Equal(active):
		// The focused element was re-rendered: focus its successor.
		if el := byID(activeID); !el.IsNull() {
			el.Call("focus", map[string]any{"preventScroll": true})
			if selStart.Type() == js.TypeNumber && el.Get("setSelectionRange").Type() == js.TypeFunction {
				el.Call("setSelectionRange", selStart, selEnd)
			}
		}
	}
	u.observeMore()
	u.rendered(p)
	attachCall()
	revealMarks()
}

// renderRows appends new rows when the list only grew, else replaces it.
func (u *ui) renderRows(el js.Value, s view.Slot) {
	prev := u.rows[s.ID]
	if prev.key == s.RowsKey && prev.n == len(s.Rows) {
		return
	}
	if prev.key == s.RowsKey && prev.n < len(s.Rows) {
		el.Call("insertAdjacentHTML", "beforeend", strings.Join(s.Rows[prev.n:], ""))
	} else {
		el.Set("innerHTML", strings.Join(s.Rows, ""))
	}
	u.rows[s.ID] = rowsState{key: s.RowsKey, n: len(s.Rows)}
	// Marks for the first-render benchmark (wasm/e2e).
	if len(s.Rows) > 0 && global.Get("sidenoteListRendered").IsUndefined() {
		global.Set("sidenoteListRendered", global.Get("performance").Call("now"))
	}
}

// observeMore loads the next page when the sentinel under the list scrolls
// into view (infinite scroll).
func (u *ui) observeMore() {
	if global.Get("IntersectionObserver").IsUndefined() {
		return
	}
	if u.observer.IsUndefined() {
		cb := js.FuncOf(func(_ js.Value, args []js.Value) any {
			entries := args[0]
			for i := 0; i < entries.Length(); i++ {
				if entries.Index(i).Get("isIntersecting").Bool() {
					go u.app.LoadMore(u.ctx)
				}
			}
			return nil
		})
		opts := map[string]any{"rootMargin": "600px", "root": byID("main")}
		u.observer = global.Get("IntersectionObserver").New(cb, opts)
	}
	u.observer.Call("disconnect")
	if s := byID("more-sentinel"); !s.IsNull() {
		u.observer.Call("observe", s)
	}
}

// run runs a view-model action off the event handler: actions block on
// the network, and a JavaScript callback must not.
func (u *ui) run(fn func(ctx context.Context)) { go fn(u.ctx) }

func (u *ui) wire() {
	listen := func(target js.Value, event string, fn func(e js.Value)) {
		target.Call("addEventListener", event, js.FuncOf(func(_ js.Value, args []js.Value) any {
			fn(args[0])
			return nil
		}))
	}
	listen(doc, "click", func(e js.Value) {
		el := e.Get("target").Call("closest", "[data-act]")
		if el.IsNull() {
			return
		}
		u.act(el.Get("dataset").Get("act").String(), dataArg(el), el)
	})
	listen(doc, "input", func(e js.Value) {
		el := e.Get("target")
		kind := el.Get("dataset").Get("input")
		if kind.IsUndefined() {
			return
		}
		u.input(kind.String(), dataArg(el), el)
	})
	listen(doc, "change", func(e js.Value) {
		el := e.Get("target")
		kind := el.Get("dataset").Get("change")
		if kind.IsUndefined() {
			return
		}
		u.change(kind.String(), dataArg(el), el)
	})
	listen(doc, "submit", func(e js.Value) {
		e.Call("preventDefault")
		switch e.Get("target").Get("dataset").Get("submit").String() {
		case "devlogin":
			u.input("devlogin", "", js.Null())
			u.run(u.app.DevLogin)
		case "start":
			u.run(u.app.StartSession)
		case "server":
			url := value("server-url")
			u.run(func(ctx context.Context) { u.app.SetServerURL(ctx, url) })
		case "template":
			u.run(u.app.SaveTemplate)
		case "assign-new":
			u.input("assign", "", js.Null())
			u.run(u.app.AssignToNewClient)
		}
	})
	listen(global, "online", func(js.Value) { u.run(u.app.RetryPending) })
	u.wireDay(listen)
	u.wireSources(listen)
	// Escape closes the open panel, as a keyboard user expects.
	listen(doc, "keydown", func(e js.Value) {
		if e.Get("key").String() != "Escape" {
			return
		}
		for _, act := range []string{"signout-cancel", "tmpl-close", "insert-cancel", "sign-cancel", "assign-close", "end-close"} {
			if el := doc.Call("querySelector", `[data-act="`+act+`"]`); !el.IsNull() {
				u.act(act, "", el)
				return
			}
		}
	})
}

func (u *ui) act(act, arg string, el js.Value) {
	a := u.app
	switch act {
	case "retry":
		u.run(a.RetryPending)
	case "reload":
		u.run(a.LoadSessions)
	case "signout":
		u.run(a.SignOut)
	case "signout-confirm":
		u.run(a.ConfirmSignOut)
	case "signout-cancel":
		a.StaySignedIn()
	case "dismiss":
		a.DismissNotice()
	case "provider":
		u.run(func(ctx context.Context) {
			if to := a.ProviderSignIn(ctx, arg); to != "" {
				global.Get("location").Call("assign", to)
			}
		})
	case "start":
		u.run(a.OpenStart)
	case "back":
		// Leaving the session stops its recording, which then uploads
		// there: otherwise the microphone stays on with no Stop button.
		u.stopRecording()
		u.run(a.Back)
	case "open":
		u.run(func(ctx context.Context) { a.OpenSession(ctx, arg) })
	case "more":
		u.run(a.LoadMore)
	case "copy-join":
		u.run(func(ctx context.Context) { a.CopyJoinLink(ctx, arg) })
	case "end-open":
		u.run(func(ctx context.Context) { a.OpenEnd(ctx, true) })
	case "end-close":
		u.run(func(ctx context.Context) { a.OpenEnd(ctx, false) })
	case "end-client":
		id := value("end-client")
		u.run(func(ctx context.Context) { a.EndSession(ctx, app.WhoClient, id) })
	case "end-anon":
		u.run(func(ctx context.Context) { a.EndSession(ctx, arg, "") })
	case "assign-open":
		u.run(func(ctx context.Context) { a.OpenAssign(ctx, true) })
	case "assign-close":
		u.run(func(ctx context.Context) { a.OpenAssign(ctx, false) })
	case "assign":
		u.run(func(ctx context.Context) { a.AssignTo(ctx, arg) })
	case "save-text":
		u.run(func(ctx context.Context) { a.SaveText(ctx, arg) })
	case "held-retry":
		seq := atoi(arg)
		u.run(func(ctx context.Context) { a.RetryRecording(ctx, seq) })
	case "held-save":
		seq := atoi(arg)
		if b, name, ok := a.HeldBlob(seq); ok && jsbridge.Download(b, name) {
			a.HeldSaved(seq)
		}
	case "held-discard-ask":
		a.AskDiscardRecording(atoi(arg), true)
	case "held-keep":
		a.AskDiscardRecording(atoi(arg), false)
	case "held-discard":
		a.DiscardRecording(atoi(arg))
	case "generate":
		u.run(a.GenerateNote)
	case "copy-note":
		u.run(a.CopyNote)
	case "copy-section":
		u.run(func(ctx context.Context) { a.CopySection(ctx, arg) })
	case "sign-ask":
		a.RequestSign(true)
	case "sign-cancel":
		a.RequestSign(false)
	case "sign":
		u.run(a.SignNote)
	case "keep-mine":
		a.ResolveConflict(arg, true)
	case "keep-saved":
		a.ResolveConflict(arg, false)
	case "discard-signed":
		a.DiscardSignedEdits()
	case "insert":
		u.run(a.Insert)
	case "insert-confirm":
		u.run(a.ConfirmInsert)
	case "insert-wait":
		u.run(a.WaitForForm)
	case "insert-cancel":
		a.CancelInsert()
	case "undo":
		u.run(a.UndoInsert)
	default:
		// Each handles its own acts and ignores the others'.
		u.actCapture(act)
		u.sourcesAct(act, arg)
		u.actDay(act, arg, el)
		u.actTemplates(act, arg)
	}
}

func (u *ui) input(kind, arg string, el js.Value) {
	a := u.app
	switch kind {
	case "devlogin":
		a.SetDevLogin(value("dev-email"), value("dev-name"))
	case "start":
		u.readStart()
	case "assign":
		a.SetAssign(value("as-query"), value("as-new"), api.ClientKind(value("as-kind")))
	case "summary":
		a.SetText(app.TextSummary, el.Get("value").String())
	case "transcript":
		a.SetText(app.TextTranscript, el.Get("value").String())
	case "section":
		a.EditSection(arg, el.Get("value").String())
	default:
		u.inputDay(kind, arg, el)
		u.inputTemplates(kind, arg, el)
	}
}

func (u *ui) readStart() {
	u.app.SetStart(app.StartForm{
		Type:          api.SessionType(value("st-type")),
		Who:           radio("who"),
		ClientQuery:   value("st-query"),
		ClientID:      radio("client"),
		NewClientName: value("st-new"),
		NewClientKind: api.ClientKind(value("st-newkind")),
		Consent:       checked("st-consent"),
		ConsentMethod: api.ConsentMethod(value("st-method")),
	})
}

func (u *ui) change(kind, arg string, el js.Value) {
	a := u.app
	switch kind {
	case "filter":
		f := app.Filter{Assignment: radio("assignment"), ClientID: value("f-client"), From: value("f-from"), To: value("f-to")}
		u.run(func(ctx context.Context) { a.SetFilter(ctx, f) })
	case "start":
		u.readStart()
	case "assign":
		u.input("assign", "", el)
	case "template":
		a.SetTemplate(note.TemplateID(el.Get("value").String()))
	case "onfilled":
		a.SetOnFilled(app.OnFilled(el.Get("value").String()))
	case "mapping":
		a.ChangeMapping(arg, el.Get("value").String())
	case "lo-section":
		a.ChooseLeftOutSection(arg, el.Get("value").String())
	case "keep-recording":
		keep := el.Get("checked").Bool()
		u.run(func(ctx context.Context) { a.KeepRecording(ctx, keep) })
	case "file":
		files := el.Get("files")
		if files.Length() == 0 {
			return
		}
		blob := jsbridge.NewBlob(files.Index(0), "recording")
		el.Set("value", "")
		u.run(func(ctx context.Context) { a.Upload(ctx, blob) })
	default:
		u.changeTemplates(kind, arg, el)
	}
}
