// Package view renders the sidebar's state as HTML, in plain Go so it is
// tested on the host. The page is a fixed skeleton per screen with named
// slots; the DOM layer replaces only the slots whose HTML changed, appends
// new rows to the sessions list, and sets form values separately so typing
// never re-renders the field being typed in.
package view

import (
	"strconv"
	"strings"
	"time"

	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/wasm/internal/app"
)

// Slot is one independently updated region of the page.
type Slot struct {
	ID   string
	HTML string
	// Rows, when RowsKey is set, replaces HTML: while RowsKey stays the same
	// the list only grows, so the DOM appends the new rows.
	Rows    []string
	RowsKey string
}

// Page is the rendered state.
type Page struct {
	// Key identifies the skeleton of <main>; when it changes the DOM layer
	// rebuilds <main> and moves focus to its heading.
	Key      string
	Skeleton string
	Title    string
	Slots    []Slot
	// Values are the values of form fields by element id, applied after
	// the slots so they never cause a slot to be re-rendered.
	Values map[string]string
}

// Env is what rendering needs from the browser.
type Env struct {
	// Origin is the server's origin, to show absolute join links.
	Origin string
	Now    time.Time
	Loc    *time.Location
}

// esc escapes text for HTML content and double- or single-quoted attribute
// values, as html.EscapeString does. It is written out because
// strings.Replacer links all four of its algorithms into the WebAssembly
// binary.
func esc(s string) string {
	var b []byte
	last := 0
	for i := 0; i < len(s); i++ {
		var r string
		switch s[i] {
		case '&':
			r = "&amp;"
		case '\'':
			r = "&#39;"
		case '<':
			r = "&lt;"
		case '>':
			r = "&gt;"
		case '"':
			r = "&#34;"
		default:
			continue
		}
		b = append(append(b, s[last:i]...), r...)
		last = i + 1
	}
	if b == nil {
		return s
	}
	return string(append(b, s[last:]...))
}

type builder struct{ strings.Builder }

// w is not inlined: the view calls it at a few hundred sites, and inlining
// it there was 23 KB of the compressed WebAssembly binary.
//
//go:noinline
func (b *builder) w(parts ...string) {
	for _, p := range parts {
		b.WriteString(p)
	}
}

// t writes escaped text.
func (b *builder) t(s string) { b.WriteString(esc(s)) }

func attrIf(cond bool, attr string) string {
	if cond {
		return " " + attr
	}
	return ""
}

// Render renders the whole page.
func Render(s *app.State, env Env) Page {
	if env.Loc == nil {
		env.Loc = time.Local
	}
	p := Page{Values: map[string]string{}}
	p.Slots = append(p.Slots, Slot{ID: "banner", HTML: banner(s)}, Slot{ID: "top", HTML: top(s)}, Slot{ID: "notice", HTML: notice(s)})
	if s.SignOut.Confirm {
		// Asked over whichever screen was open, which comes back if the
		// clinician stays signed in.
		renderSignOut(&p, s)
		return p
	}
	switch s.Screen {
	case app.ScreenSignIn:
		renderSignIn(&p, s)
	case app.ScreenSessions:
		renderSessions(&p, s, env)
	case app.ScreenStart:
		renderStart(&p, s)
	case app.ScreenTemplates:
		renderTemplates(&p, s)
	case app.ScreenSession:
		renderSession(&p, s, env)
	default:
		p.Key = "loading"
		p.Title = "Sidenote"
		p.Skeleton = `<div class="center" role="status"><span class="spinner" aria-hidden="true"></span> Loading…</div>`
	}
	return p
}

func skeleton(title string, slots ...string) string {
	var b builder
	b.w(`<h1 id="h" tabindex="-1">`, esc(title), `</h1>`)
	for _, s := range slots {
		b.w(`<div id="`, s, `"></div>`)
	}
	return b.String()
}

func banner(s *app.State) string {
	if !s.Offline {
		return ""
	}
	msg := "Sidenote can't reach the server. What you type is kept on this device and saved when the connection returns."
	if s.Screen == app.ScreenSessions && s.List.Cached {
		msg = "You're offline. This is the list as last loaded; it can't be changed until the connection returns."
	}
	return `<div class="banner" role="status"><strong>Offline.</strong> ` + esc(msg) + ` <button type="button" data-act="retry">Try again</button></div>`
}

func top(s *app.State) string {
	var b builder
	b.w(`<span class="brand">Sidenote</span>`)
	if s.Me != nil {
		name := s.Me.Name
		if name == "" {
			name = s.Me.Email
		}
		b.w(`<span class="who" title="Signed in">`, esc(name), `</span>`)
		// Offline too: signing out asks before deleting what couldn't be
		// sent, and a shared computer must not stay signed in.
		switch {
		case s.SignOut.Busy:
			b.w(`<button type="button" class="link" disabled>`, busyLabel(true, "", "Signing out…"), `</button>`)
		case !s.SignOut.Confirm:
			b.w(`<button type="button" class="link" data-act="signout">Sign out</button>`)
		}
	}
	return b.String()
}

func notice(s *app.State) string {
	if s.Notice.Text == "" {
		return ""
	}
	return `<div class="notice notice-` + string(s.Notice.Kind) + `" data-seq="` + strconv.Itoa(s.Notice.Seq) + `"><span>` + esc(s.Notice.Text) +
		`</span><button type="button" class="link" data-act="dismiss" aria-label="Dismiss message">✕</button></div>`
}

func errorText(id, msg string) string {
	if msg == "" {
		return ""
	}
	return `<p class="error" id="` + id + `" role="alert">` + esc(msg) + `</p>`
}

func renderSignIn(p *Page, s *app.State) {
	if s.SignIn.FirstRun {
		renderConnect(p, &s.SignIn)
		return
	}
	p.Key, p.Title = "signin", "Sign in · Sidenote"
	p.Skeleton = skeleton("Sign in to Sidenote", "s-signin")
	si := &s.SignIn
	var b builder
	b.w(`<p class="muted">Sidenote writes progress notes from your session summaries, beside your EHR.</p>`)
	if si.AskServer {
		b.w(`<form class="stack" data-submit="server" novalidate><label for="server-url">Sidenote server address</label>`,
			`<div class="inline"><input id="server-url" type="url" autocomplete="url" inputmode="url"><button type="submit">Connect</button></div></form>`)
		p.Values["server-url"] = si.ServerURL
	}
	if !si.ProvidersLoaded {
		b.w(`<p role="status"><span class="spinner" aria-hidden="true"></span> Loading sign-in options…</p>`)
	}
	for _, pr := range si.Providers {
		if pr.ID == "dev" {
			continue
		}
		b.w(`<button type="button" class="wide" data-act="provider" data-arg="`, esc(pr.ID), `"`, attrIf(si.Busy, "disabled"), `>Sign in with `, esc(pr.Name), `</button>`)
	}
	if si.DevLoginOffered() {
		b.w(`<form class="stack" data-submit="devlogin" novalidate>`,
			`<h2>Sign in on this computer</h2>`,
			`<p class="muted">Local mode: for a clinician running Sidenote on their own machine.</p>`,
			`<label for="dev-email">Email</label>`,
			`<input id="dev-email" type="email" autocomplete="email" required data-input="devlogin"`, attrIf(si.Err != "", `aria-describedby="signin-err"`), `>`,
			`<label for="dev-name">Name <span class="muted">(optional)</span></label>`,
			`<input id="dev-name" type="text" autocomplete="name" data-input="devlogin">`,
			`<button type="submit" class="primary"`, attrIf(si.Busy, "disabled"), `>`, busyLabel(si.Busy, "Sign in", "Signing in…"), `</button>`,
			`</form>`)
		p.Values["dev-email"], p.Values["dev-name"] = si.DevEmail, si.DevName
	}
	b.w(errorText("signin-err", si.Err))
	p.Slots = append(p.Slots, Slot{ID: "s-signin", HTML: b.String()})
}

// renderSignOut asks before signing out deletes drafts the server doesn't
// have from this device, and recordings held in memory.
func renderSignOut(p *Page, s *app.State) {
	p.Key, p.Title = "signout", "Sign out? · Sidenote"
	p.Skeleton = skeleton("Sign out?", "s-signout")
	drafts, recs := s.SignOut.Unsent, len(s.Held)
	n := drafts + recs
	var b builder
	b.w(`<div class="panel warn" role="group" aria-labelledby="h" aria-describedby="signout-msg">`)
	if n == 0 {
		b.w(`<p id="signout-msg">Everything typed or recorded on this device has now reached the server.</p>`)
	} else {
		var what []string
		if recs > 0 {
			what = append(what, count(recs, "recording", "recordings"))
		}
		if drafts > 0 {
			what = append(what, count(drafts, "unsaved draft", "unsaved drafts"))
		}
		verb, them := " has", "it"
		if n > 1 {
			verb, them = " have", "them"
		}
		b.w(`<p id="signout-msg"><strong>`, strings.Join(what, " and "), verb, ` not reached the server.</strong> Signing out deletes `, them, ` from this device.</p>`)
	}
	them, their := "them", "their sessions"
	if n == 1 {
		them, their = "it", "its session"
	}
	switch {
	case n > 0 && s.Offline:
		b.w(`<p class="muted">Stay signed in to keep `, them, ` on this device until the connection returns and `, them, ` can be saved.</p>`)
	case n > 0:
		b.w(`<p class="muted">Stay signed in to keep `, them, `, then open `, their, ` to save `, them, ` or settle what changed elsewhere.</p>`)
	}
	if recs > 0 {
		b.w(`<p class="muted">A recording is kept only while this panel stays open: in its session, Save to this device keeps a copy.</p>`)
	}
	b.w(`<div class="actions"><button type="button" class="primary" data-act="signout-cancel">Stay signed in</button>`)
	if n == 0 {
		b.w(`<button type="button" data-act="signout-confirm">Sign out</button>`)
	} else {
		b.w(`<button type="button" class="danger" data-act="signout-confirm">Sign out and delete</button>`)
	}
	b.w(`</div></div>`)
	p.Slots = append(p.Slots, Slot{ID: "s-signout", HTML: b.String()})
}

// count is "1 recording" or "3 recordings".
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

func busyLabel(busy bool, idle, working string) string {
	if busy {
		return `<span class="spinner" aria-hidden="true"></span> ` + esc(working)
	}
	return esc(idle)
}

var noteStatusLabel = map[api.NoteStatus]string{
	"":                 "No note",
	api.NoteGenerating: "Note in progress",
	api.NoteReady:      "Note ready",
	api.NoteFailed:     "Note failed",
	api.NoteSigned:     "Signed",
}

func noteBadge(st api.NoteStatus) string {
	label, ok := noteStatusLabel[st]
	if !ok {
		label = string(st)
	}
	cls := string(st)
	if cls == "" {
		cls = "none"
	}
	return `<span class="badge badge-` + esc(cls) + `">` + esc(label) + `</span>`
}

// when formats a session's start for the list: the time alone today,
// otherwise the date, with the year only when it is not this year.
func when(t time.Time, env Env) string {
	t = t.In(env.Loc)
	now := env.Now.In(env.Loc)
	switch {
	case t.Year() == now.Year() && t.YearDay() == now.YearDay():
		return "Today " + t.Format("15:04")
	case t.Year() == now.Year():
		return t.Format("Mon 2 Jan, 15:04")
	default:
		return t.Format("2 Jan 2006, 15:04")
	}
}

// timeTag is a <time> element showing t as when does.
func timeTag(t time.Time, env Env) string {
	return `<time datetime="` + t.UTC().Format(time.RFC3339) + `">` + esc(when(t, env)) + `</time>`
}

// Row renders one session of the list: the clinician's label when it has
// one, who it was with, and what tells sessions apart (date and time, type,
// duration, note status).
func Row(sess *api.Session, env Env) string {
	var b builder
	who := app.WhoLabel(sess)
	b.w(`<li><button type="button" class="row" data-act="open" data-arg="`, esc(sess.ID), `">`, `<span class="row-label">`)
	meta := ""
	if sess.Label != "" {
		// The label names the row; who it was with leads the line below.
		b.w(esc(sess.Label))
		meta = esc(who) + ` · `
	} else {
		b.w(esc(who))
	}
	b.w(`</span><span class="row-meta">`, meta, timeTag(sess.StartedAt, env), ` · `, esc(app.TypeLabel(sess.Type)), ` · `, esc(duration(sess, env)), `</span>`,
		noteBadge(sess.NoteStatus), `</button></li>`)
	return b.String()
}

func renderSessions(p *Page, s *app.State, env Env) {
	p.Key, p.Title = "sessions", "Sessions · Sidenote"
	var sk builder
	sk.w(`<div class="bar"><h1 id="h" tabindex="-1">Sessions</h1><div id="s-startbtn"></div></div>`,
		`<div id="s-filters"></div><div id="s-liststatus"></div>`,
		`<ul id="s-list" class="rows" aria-label="Sessions, newest first"></ul><div id="s-more"></div>`)
	p.Skeleton = sk.String()
	l := &s.List

	start := ""
	if !s.Offline {
		start = `<button type="button" class="link" data-act="templates">Templates</button> <button type="button" class="primary" data-act="start">Start session</button>`
	}

	var f builder
	f.w(searchField(p, l), `<fieldset class="segmented"><legend class="sr-only">Show</legend>`)
	for _, o := range []struct{ v, label string }{{"all", "All"}, {"anonymous", "Anonymous"}, {"assigned", "Assigned"}} {
		f.w(`<input type="radio" name="assignment" id="f-`, o.v, `" value="`, o.v, `" data-change="filter"`, attrIf(l.Filter.Assignment == o.v, "checked"), attrIf(l.Cached, "disabled"), `>`,
			`<label for="f-`, o.v, `">`, o.label, `</label>`)
	}
	f.w(`</fieldset><details class="more-filters"`, attrIf(l.Filter.ClientID != "" || l.Filter.From != "" || l.Filter.To != "" || l.DateErr != "", "open"), `><summary>Client and date</summary><div class="filters">`)
	if l.Filter.Assignment != "anonymous" {
		f.w(`<label for="f-client">Client</label><select id="f-client" data-change="filter"`, attrIf(l.Cached, "disabled"), `><option value="">All clients</option>`)
		for _, c := range app.MatchClients(s.Clients.Items, "") {
			f.w(`<option value="`, esc(c.ID), `">`, esc(c.DisplayName), `</option>`)
		}
		f.w(`</select>`)
		p.Values["f-client"] = l.Filter.ClientID
	}
	dateFilters(&f, p, l)

	var st builder
	switch {
	case l.Err != "":
		st.w(errorText("list-err", l.Err), `<button type="button" data-act="reload">Try again</button>`)
	case l.Loaded && len(l.Items) == 0 && !l.Loading:
		if l.Filter == (app.Filter{Assignment: "all"}) && l.DateErr == "" {
			st.w(`<p class="empty">No sessions yet. Start one to write your first note.</p>`)
		} else {
			st.w(`<p class="empty">No sessions match these filters.</p>`)
		}
	}

	rows := make([]string, len(l.Items))
	for i := range l.Items {
		rows[i] = Row(&l.Items[i], env)
	}

	var m builder
	if l.Loaded && !l.Cached && !l.Loading {
		m.w(`<div class="actions center-row"><button type="button" class="link" data-act="reload">Refresh the list</button></div>`)
	}
	switch {
	case l.Loading:
		m.w(`<p class="center" role="status"><span class="spinner" aria-hidden="true"></span> Loading sessions…</p>`)
	case l.More():
		// The sentinel loads more when scrolled into view; the button is
		// the keyboard's way to the same.
		m.w(`<div id="more-sentinel"></div><button type="button" class="wide" data-act="more">Load more sessions</button>`)
	case l.Loaded && len(l.Items) > 0:
		m.w(`<p class="end muted">`, count(len(l.Items), "session", "sessions"), `</p>`)
	}

	p.Slots = append(p.Slots,
		Slot{ID: "s-startbtn", HTML: start},
		Slot{ID: "s-filters", HTML: f.String()},
		Slot{ID: "s-liststatus", HTML: st.String()},
		Slot{ID: "s-list", Rows: rows, RowsKey: "g" + strconv.Itoa(l.Gen)},
		Slot{ID: "s-more", HTML: m.String()},
	)
}
