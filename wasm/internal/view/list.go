package view

import (
	"strconv"
	"time"

	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/wasm/internal/app"
	"github.com/sidenote/sidenote/wasm/internal/stamp"
)

// duration is how long a session lasted, or that it is still going.
func duration(sess *api.Session, env Env) string {
	if sess.EndedAt == nil {
		if sess.Status == api.SessionOpen {
			return "in progress"
		}
		return "duration not recorded"
	}
	mins := int(sess.EndedAt.Sub(sess.StartedAt).Round(time.Minute) / time.Minute)
	switch {
	case mins < 1:
		return "under 1 min"
	case mins < 60:
		return strconv.Itoa(mins) + " min"
	case mins%60 == 0:
		return strconv.Itoa(mins/60) + " h"
	}
	return strconv.Itoa(mins/60) + " h " + strconv.Itoa(mins%60) + " min"
}

// searchField finds sessions by label, client name or date.
func searchField(p *Page, l *app.ListState) string {
	p.Values["f-q"] = l.Filter.Query
	if l.QueryTyped {
		p.Values["f-q"] = l.QueryText
	}
	return `<div class="search" role="search"><label for="f-q" class="sr-only">Search sessions</label>` +
		`<input type="search" id="f-q" data-input="search" autocomplete="off" placeholder="Search: client, label or date (2 Mar)" aria-describedby="f-q-hint"` + attrIf(l.Cached, "disabled") + `>` +
		`<span id="f-q-hint" class="sr-only">By client name, session label, or a date written as the list shows it.</span></div>`
}

// dateFilters are the from and to dates, typed and shown as the list shows
// dates ("2 Mar 2026"), not in the browser's own date-input format.
func dateFilters(b *builder, p *Page, l *app.ListState) {
	for i, d := range []struct{ id, label, iso string }{{"f-from", "From", l.Filter.From}, {"f-to", "To", l.Filter.To}} {
		b.w(`<label for="`, d.id, `">`, d.label, `</label><input type="text" inputmode="text" id="`, d.id, `" data-change="filter" data-input="date" data-arg="`, strconv.Itoa(i), `" placeholder="e.g. 2 Mar 2026" autocomplete="off" aria-describedby="f-dates-hint`)
		if l.DateErr != "" {
			b.w(` f-dates-err" aria-invalid="true`)
		}
		b.w(`"`, attrIf(l.Cached, "disabled"), `>`)
		v := stamp.ShowDate(d.iso)
		if l.DateTyped[i] {
			v = l.DateText[i]
		}
		p.Values[d.id] = v
	}
	b.w(`</div><p class="hint" id="f-dates-hint">Dates as the list shows them: 2 Mar 2026, or 2 Mar for this year.</p>`,
		errorText("f-dates-err", l.DateErr), `</details>`)
}

// labelLine is the session's own short label, and the field to change it.
func labelLine(ss *app.SessionState, offline bool) string {
	var b builder
	l := &ss.Label
	if l.Open {
		b.w(`<div class="label-edit"><label for="s-label" class="sr-only">Label for this session</label>`,
			`<input id="s-label" type="text" maxlength="`, strconv.Itoa(api.MaxSessionLabel), `" data-input="label" placeholder="e.g. Tue 4 pm couple" autocomplete="off" value="`, esc(l.Text), `">`,
			`<button type="button" class="primary" data-act="label-save"`, attrIf(l.Busy, "disabled"), `>`, busyLabel(l.Busy, "Save label", "Saving…"), `</button>`,
			`<button type="button" class="link" data-act="label-close">Cancel</button></div>`, errorText("label-err", l.Err))
		return b.String()
	}
	b.w(`<p class="meta">`)
	if ss.Session.Label != "" {
		b.w(`Label: <strong>`, esc(ss.Session.Label), `</strong> `)
	}
	if !offline && ss.Session.ID != "" {
		text := "Add a label"
		if ss.Session.Label != "" {
			text = "Change label"
		}
		b.w(`<button type="button" class="link" data-act="label-open">`, text, `</button>`)
	}
	b.w(`</p>`)
	return b.String()
}
