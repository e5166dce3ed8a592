package view

import (
	"strconv"

	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/wasm/internal/app"
)

func fieldError(errs map[string]string, field string) string {
	return errorText("err-"+field, errs[field])
}

func describedBy(errs map[string]string, field string) string {
	if errs[field] == "" {
		return ""
	}
	return ` aria-invalid="true" aria-describedby="err-` + field + `"`
}

func renderStart(p *Page, s *app.State) {
	p.Key, p.Title = "start", "Start a session · Sidenote"
	p.Skeleton = `<div class="bar"><button type="button" class="link" data-act="back">← Sessions</button></div>` +
		skeleton("Start a session", "s-start", "s-clients", "s-start-submit")
	st := &s.Start
	var b builder
	b.w(`<form id="start-form" class="stack" data-submit="start" novalidate>`)

	b.w(`<label for="st-type">Session type</label><select id="st-type" data-change="start">`)
	for _, t := range app.SessionTypes {
		b.w(`<option value="`, string(t.Type), `">`, esc(t.Label), `</option>`)
	}
	b.w(`</select>`)
	p.Values["st-type"] = string(st.Type)

	b.w(`<fieldset><legend>Who is the session with?</legend>`, fieldError(st.Errors, "who"))
	who := []struct{ v, label string }{
		{app.WhoClient, "A client"},
		{app.WhoAnonymousIndividual, "Anonymous individual"},
		{app.WhoAnonymousCouple, "Anonymous couple"},
	}
	if st.Type == api.SessionTelehealth {
		who = append(who, struct{ v, label string }{app.WhoLater, "Decide when the session ends"})
	}
	for _, w := range who {
		b.w(`<div class="choice"><input type="radio" name="who" id="who-`, w.v, `" value="`, w.v, `" data-change="start"`, attrIf(st.Who == w.v, "checked"), `>`,
			`<label for="who-`, w.v, `">`, w.label, `</label></div>`)
	}
	b.w(`</fieldset>`)

	// For telehealth the attestation is hidden, not removed: its choices
	// stay for the next session of another type.
	guest := st.Type == api.SessionTelehealth
	b.w(`<fieldset><legend>Consent</legend>`)
	if guest {
		b.w(`<p class="muted" id="st-guest-consent">The client gives consent on the join page before the call starts; Sidenote records it there. Nothing to confirm here.</p>`)
	}
	b.w(`<div`, attrIf(guest, "hidden"), `><div class="choice"><input type="checkbox" id="st-consent" data-change="start"`, attrIf(st.Consent, "checked"), describedBy(st.Errors, "consent"), `>`,
		`<label for="st-consent">The client consented to this session being documented with Sidenote</label></div>`,
		fieldError(st.Errors, "consent"),
		`<label for="st-method">How consent was given</label><select id="st-method" data-change="start"`, describedBy(st.Errors, "consent_method"), `>`,
		`<option value="">Choose…</option><option value="verbal">Verbally</option><option value="written">In writing</option><option value="electronic">Electronically</option></select>`,
		fieldError(st.Errors, "consent_method"),
		`</div></fieldset></form>`)
	p.Values["st-method"] = string(st.ConsentMethod)

	// The client picker is its own slot: it changes as the clinician types.
	var c builder
	results := ""
	if st.Who == app.WhoClient {
		c.w(`<fieldset class="stack"><legend>Client</legend>`, fieldError(st.Errors, "client"),
			`<label for="st-query">Find a client</label><input id="st-query" type="search" autocomplete="off" data-input="start" aria-controls="st-results">`)
		p.Values["st-query"] = st.ClientQuery
		c.w(`<div id="st-results" class="picker" role="radiogroup" aria-label="Clients"></div>`)
		// The matches are their own slot inside this one, so typing in the
		// search field re-renders only them, never the field.
		var r builder
		matches := app.MatchClients(s.Clients.Items, st.ClientQuery)
		if s.Clients.Loading {
			r.w(`<p role="status"><span class="spinner" aria-hidden="true"></span> Loading clients…</p>`)
		}
		for i, cl := range matches {
			if i == 8 {
				r.w(`<p class="muted">`, strconv.Itoa(len(matches)-8), ` more: type to narrow.</p>`)
				break
			}
			r.w(`<div class="choice"><input type="radio" name="client" id="cl-`, esc(cl.ID), `" value="`, esc(cl.ID), `" data-change="start"`, attrIf(st.ClientID == cl.ID, "checked"), `>`,
				`<label for="cl-`, esc(cl.ID), `">`, esc(cl.DisplayName), kindSuffix(cl.Kind), `</label></div>`)
		}
		if s.Clients.Loaded && len(matches) == 0 {
			r.w(`<p class="muted">No client matches. Create one below.</p>`)
		}
		results = r.String()
		c.w(`<label for="st-new">Or create a client <span class="muted">(a pseudonym works)</span></label>`,
			`<input id="st-new" type="text" autocomplete="off" data-input="start">`,
			`<label for="st-newkind">Client is</label><select id="st-newkind" data-change="start"><option value="individual">An individual</option><option value="couple">A couple</option></select>`,
			`</fieldset>`)
		p.Values["st-new"] = st.NewClientName
		p.Values["st-newkind"] = string(st.NewClientKind)
	}

	var sub builder
	sub.w(errorText("start-err", st.Err),
		`<button type="submit" form="start-form" class="primary wide"`, attrIf(st.Busy, "disabled"), `>`, busyLabel(st.Busy, "Start session", "Starting…"), `</button>`)

	p.Slots = append(p.Slots, Slot{ID: "s-start", HTML: b.String()}, Slot{ID: "s-clients", HTML: c.String()}, Slot{ID: "st-results", HTML: results}, Slot{ID: "s-start-submit", HTML: sub.String()})
}

func kindSuffix(k api.ClientKind) string {
	if k == api.ClientCouple {
		return ` <span class="muted">(couple)</span>`
	}
	return ""
}
