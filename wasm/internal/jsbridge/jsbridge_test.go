//go:build js && wasm

package jsbridge

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"syscall/js"
	"testing"
	"time"

	"github.com/sidenote/sidenote/shared/match"
	"github.com/sidenote/sidenote/wasm/internal/app"
	"github.com/sidenote/sidenote/wasm/internal/client"
)

var ctx = context.Background()

// jsEval evaluates JavaScript source in the global scope (Node here).
func jsEval(src string) js.Value {
	return js.Global().Get("Function").New("return (" + src + ")").Invoke()
}

func TestAwaitResolvesAndRejects(t *testing.T) {
	v, err := Await(ctx, jsEval(`Promise.resolve(42)`))
	if err != nil || v.Int() != 42 {
		t.Fatalf("resolved: %v %v", v, err)
	}
	_, err = Await(ctx, jsEval(`Promise.reject(Object.assign(new Error("denied"), {name: "NotAllowedError"}))`))
	var je *JSError
	if !errors.As(err, &je) || je.Name != "NotAllowedError" || je.Message != "denied" {
		t.Fatalf("rejected: %#v", err)
	}
	// A plain value is awaited like a resolved promise.
	if v, err := Await(ctx, js.ValueOf("x")); err != nil || v.String() != "x" {
		t.Fatalf("plain value: %v %v", v, err)
	}
}

func TestAwaitStopsWithContext(t *testing.T) {
	c, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	_, err := Await(c, jsEval(`new Promise(() => {})`))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
}

func TestCallTurnsThrowIntoError(t *testing.T) {
	obj := jsEval(`({ boom() { throw new TypeError("bad call"); } })`)
	_, err := Call(ctx, obj, "boom")
	var je *JSError
	if !errors.As(err, &je) || je.Name != "TypeError" {
		t.Fatalf("err = %#v", err)
	}
}

func TestJSONValueRoundTrip(t *testing.T) {
	in := match.Plan{
		Assignments: []match.Assignment{{Section: "plan", SectionTitle: "Plan", FieldID: "0:2", FieldLabel: "Plan “next”", Score: 0.8, Text: "Line 1\nLine 2 ✓"}},
		Unmatched:   []match.Unmatched{{Section: "objective", Reason: match.ReasonNotDocumented}},
		Candidates:  []match.Candidate{},
	}
	raw, err := json.Marshal(in) // the service worker's JSON for a plan
	if err != nil {
		t.Fatal(err)
	}
	v := ToJS(raw)
	if got := v.Get("assignments").Index(0).Get("text").String(); got != "Line 1\nLine 2 ✓" {
		t.Errorf("text in JS = %q", got)
	}
	back, err := FromJS(v)
	if err != nil {
		t.Fatal(err)
	}
	if out := DecodePlan(back); !reflect.DeepEqual(in, out) {
		t.Errorf("round trip:\n%+v\n%+v", in, out)
	}
	if _, err := FromJS(js.Undefined()); err == nil {
		t.Error("undefined decoded without error")
	}
}

// fakeLocalStorage is a Web Storage object in plain JavaScript.
const fakeLocalStorage = `(() => {
	const m = new Map();
	return {
		getItem: (k) => m.has(k) ? m.get(k) : null,
		setItem: (k, v) => { if (String(v).length > 64) throw Object.assign(new Error("quota"), {name: "QuotaExceededError"}); m.set(k, String(v)); },
		removeItem: (k) => { m.delete(k); },
		key: (i) => [...m.keys()][i] ?? null,
		get length() { return m.size; },
	};
})()`

func TestStorageKeepsDraftsAndReportsQuota(t *testing.T) {
	s := NewStorage(jsEval(fakeLocalStorage))
	if _, ok := s.Get("sidenote.draft.note.n1"); ok {
		t.Fatal("empty storage has a key")
	}
	for k, v := range map[string]string{"sidenote.draft.note.n1": `{"version":1}`, "sidenote.draft.summary.s1": `{"text":"x"}`, "sidenote.token": "t"} {
		if err := s.Set(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if v, ok := s.Get("sidenote.draft.note.n1"); !ok || v != `{"version":1}` {
		t.Errorf("Get = %q %v", v, ok)
	}
	keys := s.Keys("sidenote.draft.")
	if len(keys) != 2 {
		t.Errorf("Keys = %v", keys)
	}
	s.Remove("sidenote.draft.note.n1")
	if _, ok := s.Get("sidenote.draft.note.n1"); ok {
		t.Error("Remove kept the key")
	}
	var je *JSError
	if err := s.Set("big", string(make([]byte, 100))); !errors.As(err, &je) || je.Name != "QuotaExceededError" {
		t.Errorf("quota error = %v", err)
	}
	// The view-model runs on it as on any Storage.
	var _ app.Storage = s
}

func TestHostAdapterSpeaksTheServiceWorkerEnvelope(t *testing.T) {
	js.Global().Set("sidenoteHost", jsEval(`({
		kind: "extension",
		calls: [],
		connect(serverUrl, token) { this.calls.push(["connect", serverUrl, token]); return Promise.resolve({ok: true}); },
		plan(noteId) { this.calls.push(["plan", noteId]); return Promise.resolve({ok: true, origin: "https://ehr.example.test",
			assignments: [{section: "plan", section_title: "Plan", field_id: "0:1", field_label: "Plan", signature: "name:plan", score: 0.6}],
			unmatched: [], single_field: false, low_confidence: true, candidates: [{field_id: "0:1", label: "Plan", signature: "name:plan", has_text: false}]}); },
		insert(noteId, onFilled, mapping) { this.calls.push(["insert", noteId, onFilled, JSON.stringify(mapping)]);
			return Promise.resolve({ok: true, filled: [{section: "plan", field: "Plan"}], skipped: [{section: "objective", field: "", reason: "not documented"}]}); },
		undo() { return Promise.resolve({ok: false, error: "nothing_to_undo", message: "There is no insertion to undo in this tab."}); },
	})`))
	defer js.Global().Delete("sidenoteHost")
	h := FindHost()
	if h == nil {
		t.Fatal("host not found")
	}
	plan, err := h.Plan(ctx, "n1")
	if err != nil || !plan.LowConfidence || plan.Assignments[0].Signature != "name:plan" {
		t.Fatalf("plan = %+v, %v", plan, err)
	}
	res, err := h.Insert(ctx, "n1", app.FilledAppend, map[string]string{"subjective": "", "plan": "name:plan"})
	if err != nil || !res.OK || res.Filled[0].Field != "Plan" || res.Skipped[0].Reason != "not documented" {
		t.Fatalf("insert = %+v, %v", res, err)
	}
	if _, err := h.Insert(ctx, "n1", app.FilledSkip, nil); err != nil {
		t.Fatal(err)
	}
	if m := js.Global().Get("sidenoteHost").Get("calls").Index(2).Index(3); !m.IsUndefined() {
		t.Errorf("insert without choices sent mapping %v", m)
	}
	call := js.Global().Get("sidenoteHost").Get("calls").Index(1)
	if call.Index(2).String() != "append" || call.Index(3).String() != `{"plan":"name:plan","subjective":""}` {
		t.Errorf("insert called with %v %v", call.Index(2), call.Index(3))
	}
	err = h.Undo(ctx)
	var he *app.HostError
	if !errors.As(err, &he) || he.Message != "There is no insertion to undo in this tab." {
		t.Errorf("undo error = %v", err)
	}
	if err := h.Connect(ctx, "http://127.0.0.1:8080", "tok"); err != nil {
		t.Error(err)
	}
	if _, err := h.SignIn(ctx, "http://127.0.0.1:8080", "google"); !errors.As(err, &he) {
		t.Errorf("sign-in without a way to sign in = %v", err)
	}
}

func TestFindHostIgnoresWebPages(t *testing.T) {
	js.Global().Set("sidenoteHost", jsEval(`({kind: "web"})`))
	defer js.Global().Delete("sidenoteHost")
	if FindHost() != nil {
		t.Error("a web host was taken for the extension")
	}
}

func TestFetchTransportReadsStatusBodyAndCSRF(t *testing.T) {
	js.Global().Set("fetch", jsEval(`async (url, init) => {
		globalThis.lastFetch = {url, method: init.method, body: init.body, auth: init.headers["Authorization"], ct: init.headers["Content-Type"], creds: init.credentials};
		return new Response(JSON.stringify({error: {code: "version_conflict", message: "stale"}}), {status: 409, headers: {"X-CSRF-Token": "c-1"}});
	}`))
	defer js.Global().Delete("fetch")
	c := client.New(Fetch{Credentials: "same-origin"})
	c.SetToken("tok")
	err := c.PutSummary(ctx, "s1", "text ✓")
	if client.Code(err) != "version_conflict" {
		t.Fatalf("err = %v", err)
	}
	last := js.Global().Get("lastFetch")
	if last.Get("url").String() != "/api/v1/sessions/s1/summary" || last.Get("method").String() != "PUT" ||
		last.Get("body").String() != `{"text":"text ✓"}` || last.Get("auth").String() != "Bearer tok" ||
		last.Get("ct").String() != "application/json" || last.Get("creds").String() != "same-origin" {
		t.Errorf("fetch saw %v", js.Global().Get("JSON").Call("stringify", last))
	}
}

func TestFetchTransportFailureIsUnreachable(t *testing.T) {
	js.Global().Set("fetch", jsEval(`async () => { throw new TypeError("Failed to fetch"); }`))
	defer js.Global().Delete("fetch")
	_, err := client.New(Fetch{}).Me(ctx)
	if !errors.Is(err, client.ErrUnreachable) {
		t.Fatalf("err = %v", err)
	}
}

func TestBlobTypeDropsParametersAndGuessesFromName(t *testing.T) {
	b := NewBlob(jsEval(`new Blob(["abc"], {type: "audio/webm;codecs=opus"})`), "recording.webm")
	if b.Type() != "audio/webm" || b.Size() != 3 || b.Name() != "recording.webm" {
		t.Errorf("blob = %q %d %q", b.Type(), b.Size(), b.Name())
	}
	if got := NewBlob(jsEval(`new Blob(["a"])`), "visit.m4a").Type(); got != "audio/mp4" {
		t.Errorf("m4a guessed as %q", got)
	}
}
