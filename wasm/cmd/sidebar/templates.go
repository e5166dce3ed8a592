//go:build js && wasm

package main

import (
	"context"
	"strings"
	"syscall/js"

	"github.com/sidenote/sidenote/wasm/internal/app"
)

// The screen of the clinician's own note templates.

// actTemplates handles the template screen's clicks.
func (u *ui) actTemplates(act, arg string) {
	a := u.app
	i := atoi(arg)
	switch act {
	case "templates":
		u.run(a.OpenTemplates)
	case "tmpl-new":
		a.NewTemplate()
	case "tmpl-edit":
		u.run(func(ctx context.Context) { a.EditTemplate(ctx, arg) })
	case "tmpl-delete":
		if global.Call("confirm", "Delete this template? Notes already written with it keep their sections.").Bool() {
			u.run(func(ctx context.Context) { a.DeleteTemplate(ctx, arg) })
		}
	case "tmpl-close":
		a.CloseTemplate()
	case "tmpl-add":
		a.AddTemplateSection()
	case "tmpl-remove":
		a.RemoveTemplateSection(i)
	case "tmpl-up":
		a.MoveTemplateSection(i, -1)
	case "tmpl-down":
		a.MoveTemplateSection(i, 1)
	}
}

// inputTemplates handles typing in the template form.
func (u *ui) inputTemplates(kind, arg string, el js.Value) {
	v := el.Get("value").String()
	switch kind {
	case "tmpl-name":
		u.app.SetTemplateName(v)
	case "tmpl-title":
		u.app.EditTemplateSection(atoi(arg), func(s *app.EditedSection) { s.Title = v })
	case "tmpl-aliases":
		u.app.EditTemplateSection(atoi(arg), func(s *app.EditedSection) { s.Aliases = v })
	}
}

// changeTemplates handles a ticked or unticked built-in section kind
// (data-arg "index:kind").
func (u *ui) changeTemplates(kind, arg string, el js.Value) {
	if kind != "tmpl-kind" {
		return
	}
	i, k, _ := strings.Cut(arg, ":")
	on := el.Get("checked").Bool()
	u.app.EditTemplateSection(atoi(i), func(s *app.EditedSection) { s.SetDrawsFrom(k, on) })
}
