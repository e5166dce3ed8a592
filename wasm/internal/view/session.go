package view

import (
	"strconv"
	"time"

	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/wasm/internal/app"
)

func renderSession(p *Page, s *app.State, env Env) {
	ss := &s.Session
	p.Key = "session:" + ss.Session.ID
	p.Title = "Session · Sidenote"
	// Two columns at desktop widths (app.css): the session's content, and
	// its note.
	p.Skeleton = `<div class="bar"><button type="button" class="link" data-act="back">← Sessions</button></div>` +
		`<div class="session-cols"><div class="session-main">` +
		`<div id="s-head"></div><div id="s-who"></div><div id="s-callv"></div><div id="s-call"></div><div id="s-next"></div><div id="s-capture"></div><div id="s-upload"></div><div id="s-audio"></div></div>` +
		`<section class="card note-col" aria-labelledby="note-h"><h2 id="note-h">Note</h2><div id="s-gen"></div><div id="s-notebar"></div><div id="s-save"></div><div class="note-body"><div id="s-note"></div><div id="s-sources"></div></div><div id="s-insert"></div><div id="s-record"></div><div id="s-regen"></div></section></div>`
	// One at a time: panels may add slots of their own after themselves.
	add := func(id, html string) { p.Slots = append(p.Slots, Slot{ID: id, HTML: html}) }
	add("s-head", sessionHead(ss, env, s.Offline))
	i := len(p.Slots)
	add("s-who", "")
	p.Slots[i].HTML = whoPanel(p, s)
	videos, call := callPanel(ss, env)
	add("s-callv", videos)
	add("s-call", call)
	add("s-next", nextPanel(ss))
	add("s-capture", capture(p, ss))
	add("s-rec", recorder(ss, s.CanRecordTab))
	add("s-upload", uploadStatus(ss)+heldPanel(s.Held, ss.Session.ID))
	add("s-audio", audioPanel(ss, env))
	top, bottom := generate(p, ss, &s.Templates)
	add("s-gen", top)
	add("s-notebar", noteBar(ss, s.CanInsert, env, &s.Templates))
	add("s-save", saveStatus(ss.Note))
	add("s-note", noteSections(p, ss.Note))
	add("s-sources", sourcePanel(ss.Note))
	add("s-insert", insertPanel(p, ss, s.CanInsert))
	add("s-record", recordPanel(p, ss, env))
	add("s-regen", bottom)
}

func sessionHead(ss *app.SessionState, env Env, offline bool) string {
	sess := &ss.Session
	var b builder
	b.w(`<h1 id="h" tabindex="-1">`, esc(app.WhoLabel(sess)), `</h1>`)
	if ss.Loading && sess.Type == "" {
		b.w(`<p role="status"><span class="spinner" aria-hidden="true"></span> Loading session…</p>`)
		return b.String()
	}
	b.w(`<p class="meta">`)
	if !sess.StartedAt.IsZero() {
		b.w(timeTag(sess.StartedAt, env), ` · `)
	}
	b.w(esc(app.TypeLabel(sess.Type)))
	switch sess.Status {
	case api.SessionOpen:
		b.w(` · <span class="badge badge-open">In progress</span>`)
	case api.SessionAwaitingTranscript:
		b.w(` · <span class="badge badge-generating">Waiting for transcript</span>`)
	}
	b.w(`</p>`, labelLine(ss, offline), errorText("session-err", ss.Err))
	if !offline {
		b.w(`<div class="actions">`)
		if sess.Status != api.SessionEnded {
			b.w(`<button type="button" data-act="end-open"`, attrIf(ss.End.Open, `aria-expanded="true"`), `>End session</button>`)
		}
		if sess.Anonymous != nil || (sess.Client == nil && sess.Status != api.SessionOpen) {
			b.w(`<button type="button" data-act="assign-open"`, attrIf(ss.Assign.Open, `aria-expanded="true"`), `>Assign to a client</button>`)
		} else if sess.Client != nil {
			b.w(`<button type="button" class="link" data-act="assign-open">Move to another client</button>`)
		}
		b.w(`</div>`)
	}
	return b.String()
}

// whoPanel is the end-session or assign panel, whichever is open.
func whoPanel(p *Page, s *app.State) string {
	ss := &s.Session
	var b builder
	switch {
	case ss.End.Open:
		b.w(`<div class="panel" role="group" aria-labelledby="end-h"><h2 id="end-h">End session</h2>`,
			`<p>Who was this session with?</p>`,
			`<label for="end-client">Select from existing clients</label><div class="inline"><select id="end-client"><option value="">Choose a client…</option>`)
		for _, c := range app.MatchClients(s.Clients.Items, "") {
			b.w(`<option value="`, esc(c.ID), `">`, esc(c.DisplayName), `</option>`)
		}
		b.w(`</select><button type="button" data-act="end-client"`, attrIf(ss.End.Busy, "disabled"), `>End</button></div>`,
			`<p class="or">or</p><div class="actions">`,
			`<button type="button" data-act="end-anon" data-arg="`, app.WhoAnonymousIndividual, `"`, attrIf(ss.End.Busy, "disabled"), `>Anonymous individual</button>`,
			`<button type="button" data-act="end-anon" data-arg="`, app.WhoAnonymousCouple, `"`, attrIf(ss.End.Busy, "disabled"), `>Anonymous couple</button>`,
			`<button type="button" class="link" data-act="end-close">Cancel</button></div>`,
			errorText("end-err", ss.End.Err), `</div>`)
	case ss.Assign.Open:
		as := &ss.Assign
		b.w(`<div class="panel" role="group" aria-labelledby="assign-h"><h2 id="assign-h">Assign to a client</h2>`,
			`<label for="as-query">Find a client</label><input id="as-query" type="search" autocomplete="off" data-input="assign">`)
		p.Values["as-query"] = as.Query
		b.w(`<div id="as-results"></div>`)
		// A slot of its own: typing in the search field re-renders only it.
		var r builder
		matches := app.MatchClients(s.Clients.Items, as.Query)
		r.w(`<ul class="rows compact" aria-label="Matching clients">`)
		for i, c := range matches {
			if i == 8 {
				break
			}
			r.w(`<li><button type="button" class="row" data-act="assign" data-arg="`, esc(c.ID), `"`, attrIf(as.Busy, "disabled"), `>Assign to `, esc(c.DisplayName), kindSuffix(c.Kind), `</button></li>`)
		}
		r.w(`</ul>`)
		if s.Clients.Loaded && len(matches) == 0 {
			r.w(`<p class="muted">No client matches.</p>`)
		}
		p.Slots = append(p.Slots, Slot{ID: "as-results", HTML: r.String()})
		b.w(`<form class="stack" data-submit="assign-new" novalidate><label for="as-new">New client <span class="muted">(a pseudonym works)</span></label>`,
			`<input id="as-new" type="text" autocomplete="off" data-input="assign">`,
			`<label for="as-kind">Client is</label><select id="as-kind" data-change="assign"><option value="individual">An individual</option><option value="couple">A couple</option></select>`,
			`<div class="actions"><button type="submit" class="primary"`, attrIf(as.Busy, "disabled"), `>`, busyLabel(as.Busy, "Create and assign", "Assigning…"), `</button>`,
			`<button type="button" class="link" data-act="assign-close">Cancel</button></div></form>`,
			errorText("assign-err", as.Err), `</div>`)
		p.Values["as-new"] = as.NewName
		p.Values["as-kind"] = string(as.NewKind)
	}
	return b.String()
}

func textStatus(id string, d *app.TextDraft) string {
	open := `<p class="save" id="` + id + `-status" role="status">`
	switch {
	case d.Saving:
		return open + `<span class="spinner" aria-hidden="true"></span> Saving…</p>`
	case d.Err != "":
		return `<p class="save error" id="` + id + `-status" role="alert">` + esc(d.Err) + `</p>`
	case d.Queued:
		return open + `<span class="warn">Not saved yet: the server can't be reached. It is kept on this device and saved when the connection returns.</span></p>`
	case d.Saved:
		return open + `<span class="ok">Saved</span></p>`
	case d.Text != "":
		return open + `<span class="muted">Kept on this device; saving shortly…</span></p>`
	}
	return open + `</p>`
}

func capture(p *Page, ss *app.SessionState) string {
	var b builder
	// Once there is a note, the content folds away so the note comes first
	// in a narrow panel; unsaved text keeps it open.
	hasNote := ss.Note != nil && ss.Note.Note.ID != ""
	open := !hasNote || (ss.Summary.Text != "" && !ss.Summary.Saved) || (ss.Transcript.Text != "" && !ss.Transcript.Saved) ||
		ss.Recording.Active || ss.Recording.Err != "" || ss.NeedsText()
	b.w(`<details class="card capture"`, attrIf(open, "open"), `><summary><h2 id="cap-h">Session content</h2></summary>`)
	b.w(`<label for="summary">Summary</label><textarea id="summary" rows="5" data-input="summary" placeholder="Type or paste your summary of the session"></textarea>`,
		textStatus("summary", &ss.Summary))
	p.Values["summary"] = ss.Summary.Text
	b.w(`<details`, attrIf(ss.Transcript.Text != "" || ss.Session.Status == api.SessionAwaitingTranscript, "open"), ` id="transcript-box"`, `><summary>Transcript</summary>`,
		`<label for="transcript">Transcript <span class="muted">(lines may start with “Clinician:” or “Client:”)</span></label>`,
		`<textarea id="transcript" rows="6" data-input="transcript"></textarea>`,
		textStatus("transcript", &ss.Transcript), `</details>`)
	p.Values["transcript"] = ss.Transcript.Text

	b.w(`<div id="s-rec"></div></details>`)
	return b.String()
}

func clock(sec int) string {
	m, s := sec/60, sec%60
	out := strconv.Itoa(m) + ":"
	if s < 10 {
		out += "0"
	}
	return out + strconv.Itoa(s)
}

func uploadStatus(ss *app.SessionState) string {
	u := &ss.Upload
	switch {
	case u.Active:
		return `<div class="progress" role="status"><label for="up-progress">Uploading ` + esc(u.Name) + `: ` + strconv.Itoa(u.Percent()) + `%</label>` +
			`<progress id="up-progress" max="100" value="` + strconv.Itoa(u.Percent()) + `"></progress></div>`
	case u.Err != "":
		return errorText("upload-err", u.Err)
	case u.Done:
		return `<p class="ok" role="status">` + esc(u.Name) + ` uploaded.</p>`
	}
	return ""
}

// heldPanel offers what can be done with the session's recordings that
// failed to upload: try again, save to this device, or discard.
func heldPanel(held []app.HeldRecording, sessionID string) string {
	var b builder
	for i := range held {
		h := &held[i]
		if h.SessionID != sessionID {
			continue
		}
		seq := strconv.Itoa(h.Seq)
		b.w(`<div class="panel warn" role="group" aria-label="Recording not uploaded" id="held-`, seq, `">`)
		if h.Busy {
			b.w(`<p role="status"><span class="spinner" aria-hidden="true"></span> Uploading the recording again…</p></div>`)
			continue
		}
		b.w(`<p class="error" role="alert">The recording has not reached the server. `, esc(h.Err), `</p>`,
			`<p class="muted">It is kept in this panel until it is uploaded; closing the panel loses it. Save it to this device to keep a copy.</p>`)
		if h.Saved {
			b.w(`<p class="ok" role="status">Saved to this device as `, esc(h.FileName()), `.</p>`)
		}
		if h.ConfirmDiscard {
			b.w(`<p><strong>Discard this recording?</strong> It has not reached the server`)
			if h.Saved {
				b.w(`; the copy saved to this device stays.`)
			} else {
				b.w(` and has not been saved to this device: it can't be recovered afterwards.`)
			}
			b.w(`</p><div class="actions">`,
				`<button type="button" class="danger" data-act="held-discard" data-arg="`, seq, `">Discard recording</button>`,
				`<button type="button" class="link" data-act="held-keep" data-arg="`, seq, `">Keep it</button></div></div>`)
			continue
		}
		b.w(`<div class="actions"><button type="button" class="primary" data-act="held-retry" data-arg="`, seq, `">Try again</button>`,
			`<button type="button" data-act="held-save" data-arg="`, seq, `">Save to this device</button>`,
			`<button type="button" class="link" data-act="held-discard-ask" data-arg="`, seq, `">Discard…</button></div></div>`)
	}
	return b.String()
}

// generate is the template picker and generation progress: above the note
// while there is none, below it (a second note is the exception) once there is.
func generate(p *Page, ss *app.SessionState, ts *app.TemplatesState) (top, bottom string) {
	ns := ss.Note
	var b builder
	generating := ns != nil && (ns.GenerateBusy || ns.Note.Status == api.NoteGenerating)
	if generating {
		secs := int(ns.Elapsed / time.Second)
		b.w(`<div class="progress" role="status"><span>Writing the note from the session content… `, strconv.Itoa(secs), ` s</span>`,
			`<progress aria-label="Writing the note"></progress></div>`)
		return b.String(), ""
	}
	if ns != nil && ns.Note.Status == api.NoteSigned {
		return "", ""
	}
	again := ns != nil && ns.Note.ID != "" && ns.Note.Status != api.NoteFailed
	if again {
		b.w(`<details class="regen"><summary>Write a new note</summary><p class="muted">The note above stays as it is; the new one replaces it here.</p>`)
	}
	b.w(`<div class="inline"><label for="template">Template</label><select id="template" data-change="template">`)
	var own builder
	for _, t := range ts.Offered() {
		opt := `<option value="` + esc(string(t.ID)) + `">` + esc(t.Name) + `</option>`
		if t.Builtin {
			b.w(opt)
		} else {
			own.w(opt)
		}
	}
	if own.Len() > 0 {
		b.w(`<optgroup label="Your templates">`, own.String(), `</optgroup>`)
	}
	if again {
		b.w(`</select><button type="button" data-act="generate">Write a new note</button></div></details>`)
	} else {
		b.w(`</select><button type="button" class="primary" data-act="generate">Write note</button></div>`)
	}
	p.Values["template"] = string(ss.Template)
	if ns != nil {
		b.w(errorText("gen-err", ns.GenerateErr))
	}
	if again {
		return "", b.String()
	}
	return b.String(), ""
}

func noteBar(ss *app.SessionState, canInsert bool, env Env, ts *app.TemplatesState) string {
	ns := ss.Note
	if ns == nil || (ns.Note.Status != api.NoteReady && ns.Note.Status != api.NoteSigned) {
		return ""
	}
	var b builder
	b.w(`<p class="meta">`, esc(ts.Name(ns.Note.Template)), ` · version `, strconv.Itoa(ns.Note.Version), generatorLine(&ns.Note))
	b.w(`</p>`, signedLine(&ns.Note, env))
	if ns.Note.GeneratorNote != "" {
		b.w(`<p class="meta">`, esc(ns.Note.GeneratorNote), `</p>`)
	}
	b.w(riskNote(&ns.Note), `<div class="actions">`)
	if canInsert {
		b.w(`<button type="button" class="primary" data-act="insert"`, attrIf(ns.Insert.Busy, "disabled"), `>`, busyLabel(ns.Insert.Busy, "Insert into page", "Inserting…"), `</button>`,
			`<button type="button" data-act="copy-note">Copy note</button>`)
	} else {
		b.w(`<button type="button" class="primary" data-act="copy-note">Copy note</button>`)
	}
	if ns.Note.Status == api.NoteReady && !ns.SignConfirm {
		b.w(`<button type="button" data-act="sign-ask">Sign…</button>`)
	}
	b.w(`</div>`)
	if ns.SignConfirm {
		b.w(`<div class="panel" role="group" aria-labelledby="sign-h"><h3 id="sign-h">Sign this note?</h3>`,
			`<p>Signing makes the note final: it can't be edited afterwards; addenda can be added.</p>`, signEndsSession(ss), `<div class="actions">`,
			`<button type="button" class="primary" data-act="sign"`, attrIf(ns.SignBusy, "disabled"), `>`, busyLabel(ns.SignBusy, "Sign note", "Signing…"), `</button>`,
			`<button type="button" class="link" data-act="sign-cancel">Cancel</button></div>`,
			errorText("sign-err", ns.SignErr), `</div>`)
	}
	return b.String()
}

func saveStatus(ns *app.NoteState) string {
	if ns == nil || ns.Note.Status != api.NoteReady {
		return ""
	}
	msg, cls := "", "muted"
	switch ns.Save {
	case app.SavePending:
		msg = "Changes kept on this device; saving shortly…"
	case app.SaveSaving:
		msg = "Saving…"
	case app.SaveSaved:
		msg, cls = "All changes saved", "ok"
	case app.SaveQueued:
		msg, cls = "Not saved yet: the server can't be reached. Your changes are kept on this device and will be saved when the connection returns.", "warn"
	case app.SaveConflict:
		msg, cls = "This note was changed somewhere else. Choose which version to keep for each section below.", "warn"
	case app.SaveFailed:
		msg, cls = "Not saved: "+ns.SaveErr+" Your changes are kept on this device.", "error"
	}
	if msg == "" {
		return ""
	}
	return `<p class="save ` + cls + `" role="status">` + esc(msg) + `</p>`
}

func noteSections(p *Page, ns *app.NoteState) string {
	if ns == nil || (ns.Note.Status != api.NoteReady && ns.Note.Status != api.NoteSigned) {
		return ""
	}
	var b builder
	b.w(sourcesBar(ns))
	// Showing sources, sentences are shown to be focused, not edited.
	editable := ns.Editable() && !ns.Sources.Show
	if ns.Conflict != nil && ns.Conflict.Signed {
		b.w(`<div class="panel warn" role="group" aria-label="Unsaved text of a signed note"><p>This note was signed elsewhere before your changes were saved. Your text is kept here so you can copy it.</p>`)
		for _, c := range ns.Conflict.Sections {
			b.w(`<h3>`, esc(c.Title), ` — your text</h3><p class="text">`, esc(c.Mine), `</p>`,
				`<button type="button" data-act="copy-section" data-arg="`, esc(c.Key), `">Copy your `, esc(c.Title), `</button>`)
		}
		b.w(`<button type="button" class="link" data-act="discard-signed">I have copied what I need: discard</button></div>`)
	}
	for _, sec := range ns.Sections() {
		id := "sec-" + sec.Key
		b.w(`<div class="section">`)
		b.w(`<div class="section-head">`)
		if editable {
			b.w(`<label for="`, esc(id), `">`, esc(sec.Title), `</label>`)
		} else {
			b.w(`<h3>`, esc(sec.Title), `</h3>`)
		}
		if sec.Text != "" {
			b.w(`<button type="button" class="link" data-act="copy-section" data-arg="`, esc(sec.Key), `" aria-label="Copy `, esc(sec.Title), `">Copy</button>`)
		}
		b.w(`</div>`)
		if sec.NotDocumented {
			b.w(`<p class="nd" id="nd-`, esc(sec.Key), `">Not documented: the session content says nothing for this section.</p>`)
		}
		if ns.InConflict(sec.Key) && !ns.Conflict.Signed {
			for _, c := range ns.Conflict.Sections {
				if c.Key != sec.Key {
					continue
				}
				b.w(`<div class="conflict" role="group" aria-label="Two versions of `, esc(sec.Title), `">`,
					`<h4>Your version</h4><p class="text">`, esc(c.Mine), `</p>`,
					`<h4>Saved version (changed elsewhere)</h4><p class="text">`, esc(c.Saved), `</p>`,
					`<div class="actions"><button type="button" data-act="keep-mine" data-arg="`, esc(c.Key), `">Keep mine</button>`,
					`<button type="button" data-act="keep-saved" data-arg="`, esc(c.Key), `">Use saved version</button>`,
					`<button type="button" class="link" data-act="copy-section" data-arg="`, esc(c.Key), `">Copy mine</button></div></div>`)
			}
			b.w(`</div>`)
			continue
		}
		_, edited := ns.Edits[sec.Key]
		if ns.Sources.Show && !edited && sec.Text != "" {
			sentencesText(&b, sec)
		} else if editable {
			b.w(`<textarea id="`, esc(id), `" class="grow" rows="3" data-input="section" data-arg="`, esc(sec.Key), `"`)
			if sec.NotDocumented {
				b.w(` aria-describedby="nd-`, esc(sec.Key), `" placeholder="Not documented"`)
			}
			b.w(`></textarea>`)
			p.Values[id] = sec.Text
		} else if sec.Text != "" {
			b.w(`<p class="text">`, esc(sec.Text), `</p>`)
		}
		b.w(`</div>`)
	}
	b.w(leftOutList(p, ns))
	return b.String()
}

func insertPanel(p *Page, ss *app.SessionState, canInsert bool) string {
	ns := ss.Note
	if !canInsert || ns == nil || (ns.Note.Status != api.NoteReady && ns.Note.Status != api.NoteSigned) {
		return ""
	}
	in := &ns.Insert
	var b builder
	b.w(`<div class="inline"><label for="onfilled">Fields that already have text</label><select id="onfilled" data-change="onfilled">`,
		`<option value="skip">Leave them as they are</option><option value="append">Add the note after their text</option><option value="replace">Replace their text</option></select></div>`)
	p.Values["onfilled"] = string(ss.OnFilled)
	if in.Confirm && in.Plan != nil {
		// The panel takes focus and scrolls into view when it opens
		// (data-autofocus): it is the answer to the click on Insert.
		b.w(`<div class="panel" id="map-panel" role="group" aria-labelledby="map-h" tabindex="-1" data-autofocus><h3 id="map-h">Check where each section goes</h3>`,
			`<p>Sidenote isn't sure about some fields on this page. Change any that look wrong, then insert.</p>`)
		if ns.Note.Status != api.NoteSigned {
			b.w(`<p class="muted">This note is a draft: it is not signed in Sidenote yet.</p>`)
		}
		for _, r := range app.MappingRows(ns) {
			id := "map-" + r.Section
			b.w(`<label for="`, esc(id), `">`, esc(r.Title), ` goes into</label><select id="`, esc(id), `" data-change="mapping" data-arg="`, esc(r.Section), `">`,
				`<option value="">Leave out</option>`)
			for _, c := range in.Plan.Candidates {
				b.w(`<option value="`, esc(c.FieldID), `">`, esc(c.Label))
				if c.HasText {
					b.w(` (has text)`)
				}
				b.w(`</option>`)
			}
			b.w(`</select>`)
			p.Values[id] = r.FieldID
		}
		b.w(`<div class="actions"><button type="button" class="primary" data-act="insert-confirm"`, attrIf(in.Busy, "disabled"), `>`, busyLabel(in.Busy, "Insert", "Inserting…"), `</button>`,
			`<button type="button" class="link" data-act="insert-cancel">Cancel</button></div></div>`)
	}
	b.w(errorText("insert-err", in.Err))
	switch {
	case in.Waiting:
		b.w(`<p role="status">Waiting for the note form to open in your EHR…</p>`)
	case in.CanWait:
		b.w(`<div class="actions"><button type="button" data-act="insert-wait">Wait for the form</button></div>`)
	}
	if r := in.Result; r != nil {
		b.w(`<div class="panel" role="group" aria-labelledby="ins-h"><h3 id="ins-h">What went where</h3>`)
		if ns.Note.Status != api.NoteSigned {
			b.w(`<p class="muted">A draft was inserted: the note is not signed in Sidenote yet.</p>`)
		}
		b.w(`<ul class="plain">`)
		for _, f := range r.Filled {
			_, title := sectionTitle(ns, f.Section)
			b.w(`<li><span class="ok">✓</span> `, esc(title), ` → `, esc(f.Field), `</li>`)
		}
		for _, f := range r.Skipped {
			known, title := sectionTitle(ns, f.Section)
			b.w(`<li><span class="warn">–</span> `, esc(title), ` not inserted`)
			if f.Field != "" {
				b.w(` into `, esc(f.Field))
			}
			if f.Reason != "" {
				b.w(`: `, esc(f.Reason))
			}
			if known && f.Limit > 0 {
				// The field cannot hold the section: the clinician pastes
				// what fits, or shortens it, from the copy.
				b.w(` <button type="button" class="link" data-act="copy-section" data-arg="`, esc(f.Section), `" aria-label="Copy `, esc(title), `">Copy</button>`)
			}
			b.w(`</li>`)
		}
		b.w(`</ul><button type="button" data-act="undo"`, attrIf(in.Busy, "disabled"), `>Undo insertion</button></div>`)
	}
	return b.String()
}

func sectionTitle(ns *app.NoteState, key string) (bool, string) {
	for _, s := range ns.Note.Sections {
		if s.Key == key {
			return true, s.Title
		}
	}
	if key == "" {
		return false, "Whole note"
	}
	return false, key
}
