package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sidenote/sidenote/shared/note"
)

// planThenFill plans a note on the page, lets the page re-render (and
// another collect run, as a plan from the side panel would), then fills
// the first plan: what was planned for a field goes into that field.
func planThenFill(t *testing.T, p *page, mode string) insertResult {
	t.Helper()
	var res insertResult
	expr := fmt.Sprintf(`(async () => {
		const { planFor, fillPlan } = await import('./insertion.js');
		const tabId = %s;
		const note = %s;
		const planned = await planFor(tabId, note);
		await chrome.scripting.executeScript({ target: { tabId }, world: 'MAIN', func: (m) => window.fixtureRerender(m), args: [%s] });
		await planFor(tabId, note);
		return fillPlan(tabId, planned, 'skip');
	})()`, p.tabExpr(), jsArgs(engineNote(t, note.SOAP)), jsArgs(mode))
	if err := evalAsync(suite.ext, expr, &res); err != nil {
		t.Fatal(err)
	}
	return res
}

func TestEngineAddressesFieldsByStampAcrossReRenders(t *testing.T) {
	n := engineNote(t, note.SOAP)
	t.Run("reorder", func(t *testing.T) {
		p := openFixture(t, "rerender")
		res := planThenFill(t, p, "reorder")
		if len(res.Filled) != 4 {
			t.Fatalf("filled %+v", res)
		}
		m := p.model(t)
		for _, key := range []string{"subjective", "objective", "assessment", "plan"} {
			if m[key] != sectionText(n.Sections, key) {
				t.Errorf("%s = %q, want its own section", key, m[key])
			}
		}
		if m["safety"] != "" {
			t.Errorf("the field that appeared on re-render got %q", m["safety"])
		}
		if u := undoEngine(t, p); !u.OK || u.Restored != 4 {
			t.Errorf("undo = %+v", u)
		}
	})
	t.Run("remount", func(t *testing.T) {
		p := openFixture(t, "rerender")
		res := planThenFill(t, p, "remount")
		if len(res.Filled) != 0 {
			t.Fatalf("wrote into fields it never read: %+v", res)
		}
		for _, s := range res.Skipped {
			if s.Reason != "the page changed; try again" {
				t.Errorf("skipped %+v, want the page changed", s)
			}
		}
		for key, v := range p.model(t) {
			if v != "" {
				t.Errorf("%s = %q after a fill into replaced fields", key, v)
			}
		}
	})
}

// A maxlength the section exceeds is never written; an editor whose page
// keeps only part of the text is put back as it was. Both are reported
// with the field's limit, and the save carries no partial section.
func TestEngineNeverLeavesPartOfASection(t *testing.T) {
	p := openFixture(t, "limits")
	n := engineNote(t, note.SOAP)
	before := p.model(t)
	res := insertEngine(t, p, n, "skip")
	if got := strings.Join(res.filledSections(), ","); got != "subjective,assessment" {
		t.Errorf("filled %s (%+v)", got, res)
	}
	if l := limitOf(res, "objective"); l != 40 {
		t.Errorf("objective limit %d, want the maxlength 40 (%+v)", l, res.Skipped)
	}
	if l := limitOf(res, "plan"); l < 55 || l > 62 {
		t.Errorf("plan limit %d, want about the 60 characters the page keeps (%+v)", l, res.Skipped)
	}
	for _, s := range res.Skipped {
		if !strings.HasPrefix(s.Reason, "too long for this field") {
			t.Errorf("%s skipped for %q", s.Section, s.Reason)
		}
	}
	after := p.model(t)
	if after["objective"] != before["objective"] || after["plan"] != before["plan"] {
		t.Errorf("a field that cannot hold its section changed: %q", after)
	}
	if saved := p.save(t); strings.Contains(saved, "Plan line") || strings.Contains(saved, "Objective line") {
		t.Errorf("the save carries part of a section: %s", saved)
	}
	if u := undoEngine(t, p); !u.OK || u.Restored != 2 {
		t.Errorf("undo = %+v", u)
	}
	if restored := p.model(t); !mapsEqual(restored, before) {
		t.Errorf("after undo %q, want %q", restored, before)
	}
}

// A form that opens after a click: an insert before it says there is no
// field and offers to wait; an insert that waits fills the form once the
// clinician opens it.
func TestEngineWaitsForAFormThatAppearsLate(t *testing.T) {
	p := openFixture(t, "late")
	n := engineNote(t, note.DAP)
	var res struct {
		insertResult
		NoFields bool `json:"no_fields"`
	}
	expr := func(waitMs int) string {
		return fmt.Sprintf(`(async () => {
			const { insertNote } = await import('./insertion.js');
			try { return await insertNote(%s, %s, { waitMs: %d }); }
			catch (e) { return { ok: false, error: e.code ?? 'failed', message: e.message }; }
		})()`, p.tabExpr(), jsArgs(n), waitMs)
	}
	if err := evalAsync(suite.ext, expr(0), &res); err != nil {
		t.Fatal(err)
	}
	if !res.OK || len(res.Filled) != 0 || !res.NoFields {
		t.Fatalf("insert before the form opened = %+v, want no_fields", res)
	}
	clicked := make(chan error, 1)
	go func() {
		time.Sleep(400 * time.Millisecond)
		clicked <- chromedp.Do(p.ctx, chromedp.Click(`#open`))
	}()
	started := time.Now()
	if err := evalAsync(suite.ext, expr(10_000), &res); err != nil {
		t.Fatal(err)
	}
	if err := <-clicked; err != nil {
		t.Fatalf("open the form: %v", err)
	}
	if got := strings.Join(res.filledSections(), ","); got != "data,assessment,plan" {
		t.Fatalf("after waiting filled %s (%+v)", got, res)
	}
	if waited := time.Since(started); waited > 8*time.Second {
		t.Errorf("waited %s: the form was there after 0.4 s", waited)
	}
	m := p.model(t)
	if m["data"] != sectionText(n.Sections, "data") {
		t.Errorf("data = %q", m["data"])
	}
	if u := undoEngine(t, p); !u.OK || u.Restored != 3 {
		t.Errorf("undo = %+v", u)
	}
}
