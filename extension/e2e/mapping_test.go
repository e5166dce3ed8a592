package e2e

import (
	"fmt"
	"testing"

	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/shared/match"
	"github.com/sidenote/sidenote/shared/note"
)

type planResult struct {
	Plan match.Plan `json:"plan"`
	Page struct {
		Origin  string `json:"origin"`
		Pattern string `json:"pattern"`
	} `json:"page"`
}

func planEngine(tb testing.TB, p *page, n api.Note, mapping map[string]string) planResult {
	tb.Helper()
	var res planResult
	expr := fmt.Sprintf(`(async () => {
		const { planFor } = await import('./insertion.js');
		const { plan, page } = await planFor(%s, %s, { mapping: %s, remember: true });
		return { plan, page };
	})()`, p.tabExpr(), jsArgs(n), jsArgs(mapping))
	if err := evalAsync(suite.ext, expr, &res); err != nil {
		tb.Fatalf("plan: %v", err)
	}
	return res
}

// A clinician's choice of fields is remembered for the site's page pattern
// and used on the next insertion there.
func TestEngineRemembersTheClinicianMapping(t *testing.T) {
	p := openFixture(t, "plain")
	n := engineNote(t, note.SOAP)
	proposed := planEngine(t, p, n, nil)
	if len(proposed.Plan.Assignments) != 4 || proposed.Plan.LowConfidence || len(proposed.Plan.Candidates) != 4 {
		t.Fatalf("plan %+v", proposed.Plan)
	}
	key := "mapping:" + proposed.Page.Origin + proposed.Page.Pattern
	t.Cleanup(func() { evalAsync(suite.ext, fmt.Sprintf(`chrome.storage.local.remove(%s)`, jsArgs(key)), nil) })

	signature := map[string]string{}
	for _, a := range proposed.Plan.Assignments {
		signature[a.Section] = a.Signature
	}
	// The clinician swaps Subjective and Objective and leaves Plan out.
	choice := map[string]string{"subjective": signature["objective"], "objective": signature["subjective"], "plan": ""}
	chosen := planEngine(t, p, n, choice)
	got := map[string]string{}
	for _, a := range chosen.Plan.Assignments {
		got[a.Section] = a.FieldLabel
	}
	if got["subjective"] != "Objective" || got["objective"] != "Subjective" || got["plan"] != "" || got["assessment"] != "Assessment" {
		t.Fatalf("mapping after choice: %v", got)
	}

	// A new visit of the page: no mapping sent, the choice still applies.
	again := openFixture(t, "plain")
	res := insertEngine(t, again, n, "skip")
	if len(res.Filled) != 3 || !hasSkip(res, "plan", match.ReasonClinician) {
		t.Fatalf("insert %+v", res)
	}
	m := again.model(t)
	if m["subjective"] != sectionText(n.Sections, "objective") || m["objective"] != sectionText(n.Sections, "subjective") || m["plan"] != "" {
		t.Errorf("model %q", m)
	}
}

// A low-confidence plan is never written unseen: insert without a mapping
// is refused; once the clinician confirms, the choice is remembered.
func TestEngineAsksBeforeWritingAGuess(t *testing.T) {
	p := openFixture(t, "comments")
	n := engineNote(t, note.SOAP)
	res := insertEngine(t, p, n, "skip")
	if res.OK || res.Error != "needs_confirmation" {
		t.Fatalf("insert without confirmation = %+v", res)
	}
	if m := p.model(t); m["comments"] != "" {
		t.Fatalf("a guess was written: %q", m)
	}

	proposed := planEngine(t, p, n, nil)
	if !proposed.Plan.LowConfidence || !proposed.Plan.SingleField {
		t.Fatalf("plan %+v, want a low-confidence whole-note guess", proposed.Plan)
	}
	key := "mapping:" + proposed.Page.Origin + proposed.Page.Pattern
	t.Cleanup(func() { evalAsync(suite.ext, fmt.Sprintf(`chrome.storage.local.remove(%s)`, jsArgs(key)), nil) })
	a := proposed.Plan.Assignments[0]
	confirmed := insertWithMapping(t, p, n, map[string]string{a.Section: a.Signature})
	if !confirmed.OK || len(confirmed.Filled) != 4 {
		t.Fatalf("confirmed insert %+v", confirmed)
	}
	if got, want := p.model(t)["comments"], note.Compose(n.Sections); got != want {
		t.Errorf("comments = %q, want %q", got, want)
	}

	again := openFixture(t, "comments")
	if res := insertEngine(t, again, n, "skip"); !res.OK || len(res.Filled) != 4 || res.LowConfidence {
		t.Errorf("insert on the next visit = %+v, want the remembered choice", res)
	}
}

func insertWithMapping(tb testing.TB, p *page, n api.Note, mapping map[string]string) insertResult {
	tb.Helper()
	var res insertResult
	expr := fmt.Sprintf(`(async () => {
		const { insertNote } = await import('./insertion.js');
		try { return await insertNote(%s, %s, { onFilled: 'skip', mapping: %s }); }
		catch (e) { return { ok: false, error: e.code ?? 'failed', message: e.message }; }
	})()`, p.tabExpr(), jsArgs(n), jsArgs(mapping))
	if err := evalAsync(suite.ext, expr, &res); err != nil {
		tb.Fatalf("insert: %v", err)
	}
	return res
}
