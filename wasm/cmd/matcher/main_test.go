//go:build js && wasm

package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/sidenote/sidenote/shared/match"
)

func TestHandle(t *testing.T) {
	req := `{"template":"dap","sections":[{"key":"data","title":"Data","text":"Fictional data."},{"key":"assessment","title":"Assessment","text":"Fictional assessment."},{"key":"plan","title":"Plan","text":""}],
		"fields":[{"id":"0:0","label":"Data","kind":"textarea","multiline":true},{"id":"0:1","label":"Assessment","kind":"quill","multiline":true},{"id":"0:2","label":"Search","kind":"input","input_type":"search"}]}`
	var plan match.Plan
	if err := json.Unmarshal([]byte(handle(req)), &plan); err != nil {
		t.Fatal(err)
	}
	if len(plan.Assignments) != 2 || plan.Assignments[0].FieldID != "0:0" || plan.Assignments[1].FieldID != "0:1" {
		t.Errorf("plan = %+v", plan)
	}
	if len(plan.Unmatched) != 1 || plan.Unmatched[0].Reason != match.ReasonNotDocumented {
		t.Errorf("unmatched = %+v", plan.Unmatched)
	}
}

func TestHandleErrors(t *testing.T) {
	for _, req := range []string{`{`, `{"template":"nope"}`} {
		if out := handle(req); !strings.HasPrefix(out, `{"error":`) {
			t.Errorf("handle(%q) = %s", req, out)
		}
	}
}
