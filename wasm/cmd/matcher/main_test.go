//go:build js && wasm

package main

import (
	"encoding/json"
	"reflect"
	"syscall/js"
	"testing"

	"github.com/sidenote/sidenote/shared/match"
	"github.com/sidenote/sidenote/shared/note"
)

// toJS and fromJS go through the JavaScript JSON object, the way the
// service worker's objects look to the codec.
func toJS(t *testing.T, v any) js.Value {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return js.Global().Get("JSON").Call("parse", string(b))
}

func fromJS(t *testing.T, v any, out any) {
	t.Helper()
	s := js.Global().Get("JSON").Call("stringify", js.ValueOf(v)).String()
	if err := json.Unmarshal([]byte(s), out); err != nil {
		t.Fatalf("%v: %s", err, s)
	}
}

// The hand-written codec must agree with the JSON tags of match.Request and
// match.Plan, which the extension's JavaScript uses.
func TestCodecAgreesWithJSONTags(t *testing.T) {
	req := match.Request{
		Template: note.SOAP,
		Sections: []note.Section{
			{Key: "subjective", Title: "Subjective", Text: "Fictional report."},
			{Key: "objective", Title: "Objective", NotDocumented: true},
			{Key: "assessment", Title: "Assessment", Text: "Fictional assessment."},
			{Key: "plan", Title: "Plan", Text: "Fictional plan."},
		},
		Fields: []match.Field{
			{ID: "0:0", Label: "Subjective", Kind: match.KindTextarea, Multiline: true},
			{ID: "0:1", Context: "Assessment", Name: "a", Kind: match.KindCKEditor5, Multiline: true, HasText: true},
			{ID: "0:2", Placeholder: "Plan", Kind: match.KindInput, InputType: "text", Autocomplete: "off"},
			{ID: "0:3", Label: "Search", Kind: match.KindInput, InputType: "search"},
		},
		Remembered: map[string]string{"plan": "label:plan"},
	}
	if got := decodeRequest(toJS(t, req)); !reflect.DeepEqual(got, req) {
		t.Errorf("decoded\n%+v\nwant\n%+v", got, req)
	}
	want, err := match.Run(req)
	if err != nil {
		t.Fatal(err)
	}
	var got match.Plan
	fromJS(t, encodePlan(want), &got)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("encoded plan\n%+v\nwant\n%+v", got, want)
	}
	if len(want.Assignments) == 0 || len(want.Unmatched) == 0 || len(want.Candidates) == 0 {
		t.Errorf("the example should exercise every part of a plan: %+v", want)
	}
}

func TestDecodeToleratesMissingAndMistypedProperties(t *testing.T) {
	got := decodeRequest(js.Global().Get("JSON").Call("parse", `{"template":"dap","sections":"x","fields":[{"id":7,"multiline":"yes"}],"remembered":null}`))
	want := match.Request{Template: note.DAP, Fields: []match.Field{{}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("decoded %+v, want %+v", got, want)
	}
	// A template id that is not built in is a clinician's own; a request
	// with none is refused.
	if _, err := match.Run(decodeRequest(js.Global().Get("JSON").Call("parse", `{"template":7}`))); err == nil {
		t.Error("a request without a template was accepted")
	}
}
