//go:build js && wasm

package main

import (
	"syscall/js"

	"github.com/sidenote/sidenote/shared/match"
	"github.com/sidenote/sidenote/shared/note"
)

// str, boolean and list read a property leniently: a missing or mistyped
// property is the zero value, as encoding/json would leave it.
func str(v js.Value, name string) string {
	if p := v.Get(name); p.Type() == js.TypeString {
		return p.String()
	}
	return ""
}

func boolean(v js.Value, name string) bool {
	p := v.Get(name)
	return p.Type() == js.TypeBoolean && p.Bool()
}

func list(v js.Value, name string) []js.Value {
	p := v.Get(name)
	if p.Type() != js.TypeObject || !js.Global().Get("Array").Call("isArray", p).Bool() {
		return nil
	}
	out := make([]js.Value, p.Length())
	for i := range out {
		out[i] = p.Index(i)
	}
	return out
}

func decodeRequest(v js.Value) match.Request {
	req := match.Request{Template: note.TemplateID(str(v, "template"))}
	for _, s := range list(v, "sections") {
		sec := note.Section{
			Key: str(s, "key"), Title: str(s, "title"), Text: str(s, "text"), NotDocumented: boolean(s, "not_documented"),
		}
		for _, a := range list(s, "aliases") {
			if a.Type() == js.TypeString {
				sec.Aliases = append(sec.Aliases, a.String())
			}
		}
		req.Sections = append(req.Sections, sec)
	}
	for _, f := range list(v, "fields") {
		req.Fields = append(req.Fields, match.Field{
			ID: str(f, "id"), Label: str(f, "label"), Context: str(f, "context"), Placeholder: str(f, "placeholder"),
			Name: str(f, "name"), Kind: match.Kind(str(f, "kind")), InputType: str(f, "input_type"),
			Autocomplete: str(f, "autocomplete"), Multiline: boolean(f, "multiline"), HasText: boolean(f, "has_text"),
		})
	}
	if r := v.Get("remembered"); r.Type() == js.TypeObject {
		keys := js.Global().Get("Object").Call("keys", r)
		req.Remembered = make(map[string]string, keys.Length())
		for i := range keys.Length() {
			k := keys.Index(i).String()
			req.Remembered[k] = str(r, k)
		}
	}
	return req
}

func encodePlan(p match.Plan) map[string]any {
	assignments := make([]any, len(p.Assignments))
	for i, a := range p.Assignments {
		out := map[string]any{
			"section": a.Section, "section_title": a.SectionTitle, "field_id": a.FieldID,
			"field_label": a.FieldLabel, "signature": a.Signature, "score": a.Score, "text": a.Text,
		}
		if a.Remembered {
			out["remembered"] = true
		}
		assignments[i] = out
	}
	unmatched := make([]any, len(p.Unmatched))
	for i, u := range p.Unmatched {
		unmatched[i] = map[string]any{"section": u.Section, "reason": u.Reason}
	}
	candidates := make([]any, len(p.Candidates))
	for i, c := range p.Candidates {
		candidates[i] = map[string]any{"field_id": c.FieldID, "label": c.Label, "signature": c.Signature, "has_text": c.HasText}
	}
	return map[string]any{
		"assignments": assignments, "unmatched": unmatched, "candidates": candidates,
		"single_field": p.SingleField, "low_confidence": p.LowConfidence,
	}
}
