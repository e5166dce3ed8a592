package view

import "github.com/sidenote/sidenote/wasm/internal/app"

// renderConnect is the extension's first screen: which Sidenote server to
// connect to, the address prefilled, and nothing said about a server that
// has not been tried yet.
func renderConnect(p *Page, si *app.SignInState) {
	p.Key, p.Title = "connect", "Connect to your Sidenote server · Sidenote"
	p.Skeleton = skeleton("Connect to your Sidenote server", "s-connect")
	var b builder
	b.w(`<p class="muted">Sidenote writes progress notes from your session summaries, beside your EHR. It keeps your notes on your Sidenote server; tell it where that is.</p>`,
		`<form class="stack" data-submit="server" novalidate><label for="server-url">Server address</label>`,
		`<input id="server-url" type="url" autocomplete="url" inputmode="url" aria-describedby="server-hint`)
	if si.Err != "" {
		b.w(` signin-err" aria-invalid="true`)
	}
	b.w(`">`,
		`<p class="hint muted" id="server-hint">The address Sidenote printed when it started, for example `, esc(app.DefaultServerURL), ` on this computer.</p>`,
		`<button type="submit" class="primary wide">Connect</button></form>`,
		errorText("signin-err", si.Err))
	p.Values["server-url"] = si.ServerURL
	p.Slots = append(p.Slots, Slot{ID: "s-connect", HTML: b.String()})
}
