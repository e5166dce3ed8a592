package view

import (
	"strconv"

	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/wasm/internal/app"
)

// signedLine says who signed the note and when.
func signedLine(n *api.Note, env Env) string {
	if n.SignedAt == nil {
		return ""
	}
	var b builder
	b.w(`<p class="signed"><span class="badge badge-signed">Signed</span> `)
	if n.SignedBy != nil && n.SignedBy.Name != "" {
		b.w(`by `, esc(n.SignedBy.Name), ` `)
	}
	b.w(timeTag(*n.SignedAt, env), `</p>`)
	return b.String()
}

// signEndsSession tells the clinician that signing also ends a session
// still in progress: a signed note of a running session would contradict it.
func signEndsSession(ss *app.SessionState) string {
	if ss.Session.Status == api.SessionEnded || ss.Session.Status == "" {
		return ""
	}
	return `<p class="warn" id="sign-ends">The session is still in progress: signing ends it too, in the same step.</p>`
}

// recordPanel is the note's record beside its text: the PDF, the version
// history with what changed, and, once signed, the addenda.
func recordPanel(p *Page, ss *app.SessionState, env Env) string {
	ns := ss.Note
	if ns == nil || (ns.Note.Status != api.NoteReady && ns.Note.Status != api.NoteSigned) {
		return ""
	}
	r := &ns.Record
	var b builder
	signed := ns.Note.Status == api.NoteSigned
	if signed {
		b.w(`<section class="addenda" aria-labelledby="add-h"><h3 id="add-h">Addenda</h3>`)
		if len(ns.Note.Addenda) == 0 {
			b.w(`<p class="muted">None yet. An addendum adds to the signed note without changing it.</p>`)
		} else {
			b.w(`<ol class="plain">`)
			for _, ad := range ns.Note.Addenda {
				b.w(`<li><p class="meta">`, timeTag(ad.CreatedAt, env), `</p><p class="text">`, esc(ad.Text), `</p></li>`)
			}
			b.w(`</ol>`)
		}
		if r.AddendumOpen {
			b.w(`<label for="addendum">Addendum</label><textarea id="addendum" rows="3" data-input="addendum"></textarea>`,
				`<div class="actions"><button type="button" class="primary" data-act="addendum-add"`, attrIf(r.AddendumBusy, "disabled"), `>`, busyLabel(r.AddendumBusy, "Add addendum", "Adding…"), `</button>`,
				`<button type="button" class="link" data-act="addendum-close">Cancel</button></div>`)
			p.Values["addendum"] = r.Addendum
		} else {
			b.w(`<button type="button" data-act="addendum-open">Add an addendum</button>`)
		}
		b.w(errorText("addendum-err", r.AddendumErr), `</section>`)
	}
	b.w(`<div class="actions">`,
		`<button type="button" data-act="pdf"`, attrIf(r.PDFBusy, "disabled"), `>`, busyLabel(r.PDFBusy, "Download PDF", "Preparing PDF…"), `</button>`,
		`<button type="button" data-act="history" aria-expanded="`, strconv.FormatBool(r.HistoryOpen), `" aria-controls="history">Version history</button></div>`,
		errorText("pdf-err", r.PDFErr))
	if r.HistoryOpen {
		b.w(historyPanel(r, env))
	}
	return b.String()
}

func historyPanel(r *app.RecordState, env Env) string {
	var b builder
	b.w(`<section id="history" class="panel" aria-labelledby="hist-h"><h3 id="hist-h">Version history</h3>`)
	switch {
	case r.HistoryLoading:
		b.w(`<p role="status"><span class="spinner" aria-hidden="true"></span> Loading versions…</p>`)
	case r.HistoryErr != "":
		b.w(errorText("history-err", r.HistoryErr))
	default:
		b.w(`<p class="muted">Newest first. <ins>Added</ins> and <del>removed</del> words are marked.</p><ol class="plain history">`)
		for _, vc := range app.History(r.Versions) {
			v := strconv.Itoa(vc.Version.Version)
			b.w(`<li><h4>Version `, v, ` <span class="meta">`, timeTag(vc.Version.CreatedAt, env), `</span></h4>`)
			switch {
			case vc.Version.Version == 1 || len(r.Versions) == 1:
				b.w(`<p class="muted">As written from the session content.</p>`)
			case len(vc.Sections) == 0:
				b.w(`<p class="muted">No change to the text.</p>`)
			}
			for _, sc := range vc.Sections {
				b.w(`<p class="diff"><strong>`, esc(sc.Title), `:</strong> `)
				for _, part := range sc.Parts {
					switch part.Op {
					case app.DiffAdded:
						b.w(`<ins><span class="sr-only">added: </span>`, esc(part.Text), `</ins>`)
					case app.DiffRemoved:
						b.w(`<del><span class="sr-only">removed: </span>`, esc(part.Text), `</del>`)
					default:
						b.w(esc(part.Text))
					}
				}
				b.w(`</p>`)
			}
			b.w(`</li>`)
		}
		b.w(`</ol>`)
	}
	b.w(`</section>`)
	return b.String()
}
