package view

import (
	"slices"
	"strconv"

	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/shared/note"
	"github.com/sidenote/sidenote/wasm/internal/app"
)

// renderTemplates is the screen of the clinician's own note templates: the
// list, or the form of the one being created or edited.
func renderTemplates(p *Page, s *app.State) {
	p.Key, p.Title = "templates", "Note templates · Sidenote"
	// The heading sits in a block of its own so that it lines up with the
	// centred column at 1280 px (main's children are centred, a bare h1's
	// margins are its own).
	p.Skeleton = `<div class="bar"><button type="button" class="link" data-act="back">← Sessions</button></div>` +
		`<div>` + skeleton("Note templates", "t-body") + `</div>`
	ed := &s.TemplateEditor
	html := templateList(s)
	if ed.Open {
		html = templateForm(p, ed)
	}
	p.Slots = append(p.Slots, Slot{ID: "t-body", HTML: html})
}

func templateList(s *app.State) string {
	var b builder
	own := s.Templates.OwnTemplates()
	switch {
	case s.Templates.Loading && !s.Templates.Loaded:
		b.w(`<p class="center" role="status"><span class="spinner" aria-hidden="true"></span> Loading templates…</p>`)
	case len(own) == 0:
		b.w(`<p class="empty">No templates of your own yet. The built-in ones (SOAP, DAP, BIRP, GIRP, narrative) are always offered.</p>`)
	default:
		b.w(`<ul class="rows" aria-label="Your templates">`)
		for _, t := range own {
			id, name := esc(string(t.ID)), esc(t.Name)
			b.w(`<li class="row"><span>`, name, `</span> <span class="actions">`,
				`<button type="button" class="link" data-act="tmpl-edit" data-arg="`, id, `" aria-label="Edit `, name, `">Edit</button> `,
				`<button type="button" class="link" data-act="tmpl-delete" data-arg="`, id, `" aria-label="Delete `, name, `">Delete</button></span></li>`)
		}
		b.w(`</ul>`)
	}
	if !s.Offline {
		b.w(`<div class="actions"><button type="button" class="primary" data-act="tmpl-new">New template</button></div>`)
	}
	return b.String()
}

func templateForm(p *Page, ed *app.TemplateEditor) string {
	var b builder
	title := "New template"
	if ed.ID != "" {
		title = "Edit template"
	}
	b.w(`<form id="tmpl-form" class="stack" data-submit="template" novalidate aria-label="`, title, `"><h2>`, title, `</h2>`)
	b.w(`<label for="t-name">Name</label><input id="t-name" type="text" maxlength="`, strconv.Itoa(api.MaxTemplateText),
		`" data-input="tmpl-name" autocomplete="off"`, describedBy(ed.Errors, "name"), `>`, fieldError(ed.Errors, "name"))
	p.Values["t-name"] = ed.Name
	b.w(fieldError(ed.Errors, "sections"))
	n := len(ed.Sections)
	for i, sec := range ed.Sections {
		is, at := strconv.Itoa(i), "sections["+strconv.Itoa(i)+"]"
		num := strconv.Itoa(i + 1)
		b.w(`<fieldset class="tmpl-section"><legend>Section `, num, `</legend>`)
		b.w(`<label for="t-title-`, is, `">Title</label><input id="t-title-`, is, `" type="text" maxlength="`, strconv.Itoa(api.MaxTemplateText),
			`" data-input="tmpl-title" data-arg="`, is, `" autocomplete="off"`, describedBy(ed.Errors, at+".title"), `>`, fieldError(ed.Errors, at+".title"))
		p.Values["t-title-"+is] = sec.Title
		b.w(`<label for="t-aliases-`, is, `">Other headings it may have (comma-separated)</label><input id="t-aliases-`, is, `" type="text" data-input="tmpl-aliases" data-arg="`, is,
			`" autocomplete="off"`, describedBy(ed.Errors, at+".aliases"), `>`, fieldError(ed.Errors, at+".aliases"))
		p.Values["t-aliases-"+is] = sec.Aliases
		b.w(`<fieldset class="kinds"`)
		if ed.Errors[at+".draws_from"] != "" {
			// A group takes no aria-invalid; the message is its description.
			b.w(` aria-describedby="err-`, at, `.draws_from"`)
		}
		b.w(`><legend>Written from</legend>`)
		for _, k := range note.Kinds() {
			id := "t-kind-" + is + "-" + k
			b.w(`<span class="choice"><input type="checkbox" id="`, id, `" data-change="tmpl-kind" data-arg="`, is, `:`, k, `"`, attrIf(slices.Contains(sec.DrawsFrom, k), "checked"), `>`,
				`<label for="`, id, `">`, k, `</label></span> `)
		}
		b.w(`</fieldset>`, fieldError(ed.Errors, at+".draws_from"), `<div class="actions">`,
			`<button type="button" id="t-up-`, is, `" data-act="tmpl-up" data-arg="`, is, `" aria-label="Move section `, num, ` up"`, attrIf(i == 0, "disabled"), `>Move up</button> `,
			`<button type="button" id="t-down-`, is, `" data-act="tmpl-down" data-arg="`, is, `" aria-label="Move section `, num, ` down"`, attrIf(i == n-1, "disabled"), `>Move down</button> `,
			`<button type="button" id="t-remove-`, is, `" data-act="tmpl-remove" data-arg="`, is, `" aria-label="Remove section `, num, `"`, attrIf(n == 1, "disabled"), `>Remove</button></div></fieldset>`)
	}
	b.w(`<div class="actions">`)
	if n < api.MaxTemplateSections {
		b.w(`<button type="button" id="t-add" data-act="tmpl-add">Add section</button> `)
	}
	b.w(`</div>`, errorText("tmpl-err", ed.Err), `<div class="actions">`,
		`<button type="submit" class="primary"`, attrIf(ed.Busy, "disabled"), `>`, busyLabel(ed.Busy, "Save template", "Saving…"), `</button> `,
		`<button type="button" class="link" data-act="tmpl-close">Cancel</button></div></form>`)
	return b.String()
}
