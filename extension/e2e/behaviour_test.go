package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/sidenote/sidenote/shared/note"
)

// The prefilled page: Subjective (textarea) and Assessment (Tiptap) already
// hold the clinician's text; Objective and Plan are empty.
func TestEngineNeverClobbersFilledFields(t *testing.T) {
	needBrowser(t)
	n := engineNote(t, note.SOAP)
	text := func(key string) string { return sectionText(n.Sections, key) }

	t.Run("skip", func(t *testing.T) {
		p := openFixture(t, "prefilled")
		before := p.model(t)
		res := insertEngine(t, p, n, "skip")
		if got := strings.Join(res.filledSections(), ","); got != "objective,plan" {
			t.Fatalf("filled %s, want objective,plan (%+v)", got, res)
		}
		for _, key := range []string{"subjective", "assessment"} {
			if !hasSkip(res, key, "field already has text") {
				t.Errorf("%s not reported as skipped because it holds text: %+v", key, res.Skipped)
			}
		}
		after := p.model(t)
		for _, key := range []string{"subjective", "assessment", "assessmentHTML"} {
			if after[key] != before[key] {
				t.Errorf("%s changed: %q → %q", key, before[key], after[key])
			}
		}
		if after["objective"] != text("objective") || after["plan"] != text("plan") {
			t.Errorf("empty fields not filled: %q", after)
		}
		if u := undoEngine(t, p); !u.OK || u.Restored != 2 || !mapsEqual(p.model(t), before) {
			t.Errorf("undo = %+v; model %q, want %q", u, p.model(t), before)
		}
	})

	t.Run("replace", func(t *testing.T) {
		p := openFixture(t, "prefilled")
		before := p.model(t)
		res := insertEngine(t, p, n, "replace")
		if len(res.Filled) != 4 {
			t.Fatalf("filled %+v, want all four", res)
		}
		after := p.model(t)
		for _, key := range []string{"subjective", "objective", "assessment", "plan"} {
			if got := plainText(after[key]); got != text(key) {
				t.Errorf("%s = %q, want %q", key, got, text(key))
			}
		}
		if u := undoEngine(t, p); !u.OK || u.Restored != 4 {
			t.Errorf("undo = %+v", u)
		}
		if restored := p.model(t); !mapsEqual(restored, before) {
			t.Errorf("after undo %q\nwant %q", restored, before)
		}
	})

	t.Run("append", func(t *testing.T) {
		p := openFixture(t, "prefilled")
		before := p.model(t)
		res := insertEngine(t, p, n, "append")
		if len(res.Filled) != 4 {
			t.Fatalf("filled %+v, want all four", res)
		}
		after := p.model(t)
		if want := before["subjective"] + "\n\n" + text("subjective"); after["subjective"] != want {
			t.Errorf("subjective = %q, want %q", after["subjective"], want)
		}
		if want := before["assessment"] + "\n\n" + text("assessment"); after["assessment"] != want {
			t.Errorf("assessment = %q, want %q", after["assessment"], want)
		}
		if !strings.Contains(after["assessmentHTML"], "<strong>kept</strong>") {
			t.Errorf("append lost the existing formatting: %s", after["assessmentHTML"])
		}
		saved := p.save(t)
		if !strings.Contains(saved, "Earlier assessment") || !strings.Contains(saved, "Assessment second paragraph.") {
			t.Errorf("saved payload lacks old or new text: %s", saved)
		}
		if u := undoEngine(t, p); !u.OK || u.Restored != 4 {
			t.Errorf("undo = %+v", u)
		}
		if restored := p.model(t); !mapsEqual(restored, before) {
			t.Errorf("after undo %q\nwant %q", restored, before)
		}
	})
}

func hasSkip(res insertResult, section, reason string) bool {
	for _, s := range res.Skipped {
		if s.Section == section && s.Reason == reason {
			return true
		}
	}
	return false
}

// The mixed page holds hidden, invisible, disabled, read-only, password and
// unrelated (search, diagnosis, CPT, duration, name) fields next to the four
// note fields; only the note fields may change.
func TestEngineNeverTouchesHiddenDisabledOrUnrelatedFields(t *testing.T) {
	p := openFixture(t, "mixed")
	n := engineNote(t, note.SOAP)
	before := p.model(t)
	res := insertEngine(t, p, n, "replace")

	wantFields := map[string]string{"subjective": "Subjective (client report)", "objective": "Objective findings", "assessment": "Clinical assessment", "plan": "Plan"}
	if len(res.Filled) != 4 {
		t.Fatalf("filled %+v", res)
	}
	for _, f := range res.Filled {
		if wantFields[f.Section] != f.Field {
			t.Errorf("%s went into %q, want %q", f.Section, f.Field, wantFields[f.Section])
		}
	}
	after := p.model(t)
	noteIDs := map[string]string{"s": "subjective", "o": "objective", "a": "assessment", "p": "plan"}
	for id, v := range before {
		if section, ok := noteIDs[id]; ok {
			if after[id] != sectionText(n.Sections, section) {
				t.Errorf("%s = %q", id, after[id])
			}
			continue
		}
		if after[id] != v {
			t.Errorf("field %s was touched: %q → %q", id, v, after[id])
		}
	}
}

// One note field on the page: a SOAP note goes there whole, with headings.
func TestEngineWholeNoteIntoTheOnlyNoteField(t *testing.T) {
	p := openFixture(t, "single")
	n := engineNote(t, note.SOAP)
	before := p.model(t)
	res := insertEngine(t, p, n, "skip")
	if !res.OK || !res.SingleField || len(res.Filled) != 4 {
		t.Fatalf("result %+v, want the four sections in one field", res)
	}
	after := p.model(t)
	if want := note.Compose(n.Sections); after["note"] != want {
		t.Errorf("note = %q\nwant %q", after["note"], want)
	}
	for _, key := range []string{"client", "date", "search"} {
		if after[key] != before[key] {
			t.Errorf("%s changed", key)
		}
	}
}

// Web pages cannot reach the service worker, and a script running in a web
// page (even our own content-script world) is refused.
func TestMessagesFromWebPagesAreRefused(t *testing.T) {
	p := openFixture(t, "plain")

	var reach struct {
		Reachable bool   `json:"reachable"`
		Detail    string `json:"detail"`
	}
	expr := fmt.Sprintf(`(async () => {
		if (typeof chrome === 'undefined' || typeof chrome.runtime?.sendMessage !== 'function') return { reachable: false, detail: 'no chrome.runtime' };
		try {
			const reply = await chrome.runtime.sendMessage(%s, { type: 'sidenote.connect', serverUrl: 'http://127.0.0.1:9', token: 'page' });
			return { reachable: reply?.ok === true, detail: JSON.stringify(reply) };
		} catch (e) { return { reachable: false, detail: e.message }; }
	})()`, jsArgs(extensionID))
	if err := evalAsync(p.ctx, expr, &reach); err != nil {
		t.Fatal(err)
	}
	if reach.Reachable {
		t.Errorf("a web page reached the service worker: %s", reach.Detail)
	}

	var reply struct {
		OK    bool   `json:"ok"`
		Error string `json:"error"`
	}
	expr = fmt.Sprintf(`(async () => {
		const [r] = await chrome.scripting.executeScript({
			target: { tabId: %s },
			func: () => chrome.runtime.sendMessage({ type: 'sidenote.connect', serverUrl: 'http://127.0.0.1:9', token: 'from-a-page' }),
		});
		return r.result;
	})()`, p.tabExpr())
	if err := evalAsync(suite.ext, expr, &reply); err != nil {
		t.Fatal(err)
	}
	if reply.OK || reply.Error != "refused" {
		t.Errorf("message from a page's script answered %+v, want refused", reply)
	}
	var token string
	if err := evalAsync(suite.ext, `chrome.storage.local.get('connection').then(({ connection }) => connection?.token ?? '')`, &token); err != nil {
		t.Fatal(err)
	}
	if token == "from-a-page" {
		t.Error("a refused message changed the stored connection")
	}
}

// A field that cuts the text short is never left holding part of a
// section: it ends as it began, and the reply names the section and the
// field's limit.
func TestEngineReportsTextThatDidNotLand(t *testing.T) {
	p := openFixture(t, "rejecting")
	n := engineNote(t, note.SOAP)
	res := insertEngine(t, p, n, "skip")
	if got := strings.Join(res.filledSections(), ","); got != "subjective,objective,assessment" {
		t.Errorf("filled %s (%+v)", got, res)
	}
	want := fmt.Sprintf("too long for this field: it holds at most 20 characters, the section has %d; copy it instead", len(sectionText(n.Sections, "plan")))
	if !hasSkip(res, "plan", want) || limitOf(res, "plan") != 20 {
		t.Errorf("plan not reported with its limit: %+v", res.Skipped)
	}
	if m := p.model(t); m["plan"] != "" {
		t.Errorf("the truncating field kept part of the section: %q", m["plan"])
	}
	if u := undoEngine(t, p); !u.OK || u.Restored != 3 {
		t.Errorf("undo = %+v", u)
	}
	if m := p.model(t); m["plan"] != "" || m["subjective"] != "" {
		t.Errorf("after undo %q", m)
	}
}

func limitOf(res insertResult, section string) int {
	for _, s := range res.Skipped {
		if s.Section == section {
			return s.Limit
		}
	}
	return 0
}

// After the page reloads its fields are new: undo says it could not
// restore them instead of claiming success.
func TestEngineUndoAfterReloadReportsFailure(t *testing.T) {
	p := openFixture(t, "plain")
	if res := insertEngine(t, p, engineNote(t, note.SOAP), "skip"); len(res.Filled) != 4 {
		t.Fatalf("insert %+v", res)
	}
	if err := chromedp.Do(p.ctx, chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	u := undoEngine(t, p)
	if u.OK || u.Failed == 0 || u.Restored != 0 {
		t.Errorf("undo after reload = %+v, want a reported failure", u)
	}
}

// Connecting with an empty token signs the extension out: the token is
// forgotten, the server address kept.
func TestConnectWithEmptyTokenSignsOut(t *testing.T) {
	var before struct {
		ServerURL string `json:"serverUrl"`
		Token     string `json:"token"`
	}
	if err := evalAsync(suite.ext, `chrome.storage.local.get('connection').then(({ connection }) => connection ?? {})`, &before); err != nil {
		t.Fatal(err)
	}
	if before.ServerURL == "" {
		t.Skip("the suite has not connected the extension to a server")
	}
	defer func() {
		// Restore the suite's connection for the tests that follow.
		restore := fmt.Sprintf(`chrome.runtime.sendMessage({ type: 'sidenote.connect', serverUrl: %q, token: %q })`, before.ServerURL, before.Token)
		var ok struct{ OK bool }
		if err := evalAsync(suite.ext, restore, &ok); err != nil || !ok.OK {
			t.Fatalf("restore connection: %v %+v", err, ok)
		}
	}()
	var reply struct{ OK bool }
	expr := fmt.Sprintf(`chrome.runtime.sendMessage({ type: 'sidenote.connect', serverUrl: %q, token: '' })`, before.ServerURL)
	if err := evalAsync(suite.ext, expr, &reply); err != nil || !reply.OK {
		t.Fatalf("sign out: %v %+v", err, reply)
	}
	var after struct {
		ServerURL string `json:"serverUrl"`
		Token     string `json:"token"`
	}
	if err := evalAsync(suite.ext, `chrome.storage.local.get('connection').then(({ connection }) => connection ?? {})`, &after); err != nil {
		t.Fatal(err)
	}
	if after.Token != "" || after.ServerURL != before.ServerURL {
		t.Fatalf("after sign-out the connection is %+v", after)
	}
}
