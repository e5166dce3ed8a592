package e2e

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/shared/note"
)

// sendMessage sends a contract message from the extension page, the way
// the side panel does.
func sendMessage(tb testing.TB, message string, out any) {
	tb.Helper()
	if err := evalAsync(suite.ext, `(async () => chrome.runtime.sendMessage(`+message+`))()`, out); err != nil {
		tb.Fatalf("sendMessage %s: %v", message, err)
	}
}

func connectExtension(s *sidenoteServer) error {
	var reply struct {
		OK bool `json:"ok"`
	}
	err := evalAsync(suite.ext, fmt.Sprintf(`chrome.runtime.sendMessage({ type: 'sidenote.connect', serverUrl: %s, token: %s })`, jsArgs(s.url), jsArgs(s.token)), &reply)
	if err == nil && !reply.OK {
		err = fmt.Errorf("connect refused")
	}
	return err
}

func insertMessage(tb testing.TB, p *page, noteID, onFilled string) insertResult {
	tb.Helper()
	var res insertResult
	sendMessage(tb, fmt.Sprintf(`{ type: 'sidenote.insert', tabId: %s, noteId: %s, onFilled: %s }`,
		p.tabExpr(), jsArgs(noteID), jsArgs(onFilled)), &res)
	return res
}

func undoMessage(tb testing.TB, p *page) undoResult {
	tb.Helper()
	var res undoResult
	sendMessage(tb, fmt.Sprintf(`{ type: 'sidenote.undo', tabId: %s }`, p.tabExpr()), &res)
	return res
}

var firstSentence = regexp.MustCompile(`^[^"'\n]{1,40}`)

// fragment is a short leading piece of a text without quotes, to look for
// in saved payloads whatever their encoding.
func fragment(text string) string {
	return strings.TrimSpace(firstSentence.FindString(text))
}

// Every fixture page through the automation contract: the service worker
// fetches the server's note, fills the page, and records a receipt.
func TestInsertEachFixtureThroughTheServer(t *testing.T) {
	srv := needServer(t)
	notes := map[note.TemplateID]api.Note{}
	for _, tc := range fixtureCases {
		t.Run(tc.page, func(t *testing.T) {
			n, ok := notes[tc.template]
			if !ok {
				n = srv.readyNote(t, tc.template)
				notes[tc.template] = n
			}
			p := openFixture(t, tc.page)
			before := p.model(t)
			receiptsBefore := len(srv.insertions(t, n.ID))

			res := insertMessage(t, p, n.ID, "skip")
			if !res.OK {
				t.Fatalf("insert: %+v", res)
			}
			var documented []string
			for _, s := range n.Sections {
				if !s.NotDocumented && s.Text != "" {
					documented = append(documented, s.Key)
				}
			}
			wantFilled := slices.DeleteFunc(slices.Sorted(mapValues(tc.fields)), func(k string) bool { return !slices.Contains(documented, k) })
			if got := slices.Sorted(slices.Values(res.filledSections())); !slices.Equal(got, wantFilled) {
				t.Fatalf("filled %v, want %v (%+v)", got, wantFilled, res)
			}
			t.Logf("%s note %s: filled %v, skipped %v", tc.template, n.ID, res.filledSections(), res.Skipped)
			after := p.model(t)
			for key, section := range tc.fields {
				if got, want := plainText(after[key]), strings.TrimSpace(sectionText(n.Sections, section)); got != want {
					t.Errorf("model[%s] = %q\nwant %q", key, got, want)
				}
			}
			saved := p.save(t)
			for _, s := range n.Sections {
				if f := fragment(s.Text); f != "" && !strings.Contains(strings.ReplaceAll(saved, "&nbsp;", " "), f) {
					t.Errorf("saved payload lacks %q: %s", f, saved)
				}
			}

			// The receipt is sent right after the reply.
			receipts := srv.insertions(t, n.ID)
			for deadline := time.Now().Add(5 * time.Second); len(receipts) == receiptsBefore && time.Now().Before(deadline); {
				time.Sleep(20 * time.Millisecond)
				receipts = srv.insertions(t, n.ID)
			}
			if res.Receipt != "queued" || len(receipts) != receiptsBefore+1 {
				t.Fatalf("receipt %q; receipts %d, want %d", res.Receipt, len(receipts), receiptsBefore+1)
			}
			last := receipts[len(receipts)-1]
			if last.Origin != strings.TrimSuffix(suite.fixtures, "/") || last.NoteVersion != n.Version || len(last.Fields) != len(res.Filled) {
				t.Errorf("receipt %+v for reply %+v", last, res)
			}

			if u := undoMessage(t, p); !u.OK {
				t.Errorf("undo: %+v", u)
			}
			if restored := p.model(t); !mapsEqual(restored, before) {
				t.Errorf("after undo %q\nwant %q", restored, before)
			}
		})
	}
}

// The whole SOAP note into the one note field of a page, with headings.
func TestInsertWholeSOAPNoteIntoSingleFieldThroughTheServer(t *testing.T) {
	srv := needServer(t)
	n := srv.readyNote(t, note.SOAP)
	p := openFixture(t, "single")
	res := insertMessage(t, p, n.ID, "skip")
	if !res.OK || !res.SingleField {
		t.Fatalf("insert: %+v", res)
	}
	if got, want := p.model(t)["note"], note.Compose(n.Sections); got != want {
		t.Errorf("note field = %q\nwant %q", got, want)
	}
}

func TestUndoWithoutInsertion(t *testing.T) {
	needBrowser(t)
	p := openFixture(t, "plain")
	if u := undoMessage(t, p); u.OK || u.Error != "nothing_to_undo" {
		t.Errorf("undo = %+v, want nothing_to_undo", u)
	}
}

// sidenote.plan shows the side panel where each section would go, without
// writing anything and without note text.
func TestPlanThroughTheServer(t *testing.T) {
	srv := needServer(t)
	n := srv.readyNote(t, note.SOAP)
	p := openFixture(t, "mixed")
	before := p.model(t)
	var reply struct {
		OK            bool                `json:"ok"`
		Origin        string              `json:"origin"`
		PathPattern   string              `json:"path_pattern"`
		Assignments   []map[string]any    `json:"assignments"`
		Candidates    []map[string]any    `json:"candidates"`
		Unmatched     []map[string]string `json:"unmatched"`
		LowConfidence bool                `json:"low_confidence"`
	}
	sendMessage(t, fmt.Sprintf(`{ type: 'sidenote.plan', tabId: %s, noteId: %s }`, p.tabExpr(), jsArgs(n.ID)), &reply)
	if !reply.OK || reply.PathPattern != "/mixed.html" || reply.Origin != suite.fixtures {
		t.Fatalf("plan reply %+v", reply)
	}
	labels := map[string]string{}
	for _, a := range reply.Assignments {
		if _, hasText := a["text"]; hasText {
			t.Errorf("plan reply carries note text: %v", a)
		}
		labels[a["section"].(string)] = a["field_label"].(string)
	}
	documented := 0
	for _, s := range n.Sections {
		if s.Text != "" {
			documented++
		}
	}
	if len(labels) != documented || (labels["plan"] != "" && labels["plan"] != "Plan") {
		t.Errorf("plan labels %v for %d documented sections", labels, documented)
	}
	if len(reply.Candidates) != 4 {
		t.Errorf("candidates %v: only the four note fields may be offered", reply.Candidates)
	}
	if after := p.model(t); !mapsEqual(after, before) {
		t.Errorf("plan wrote into the page: %q", after)
	}
}

// A receipt a previous service-worker life could not send stays queued and
// goes out on the next flush (here: reconnecting).
func TestQueuedReceiptIsSentLater(t *testing.T) {
	srv := needServer(t)
	n := srv.readyNote(t, note.DAP)
	receipt := map[string]any{"origin": "https://ehr.example.test", "note_version": n.Version,
		"fields": []map[string]string{{"section": "data", "field_label": "Data"}}}
	queued := []map[string]any{{"id": "left-over", "serverUrl": srv.url, "noteId": n.ID, "receipt": receipt}}
	if err := evalAsync(suite.ext, fmt.Sprintf(`chrome.storage.local.set({ pendingReceipts: %s })`, jsArgs(queued)), nil); err != nil {
		t.Fatal(err)
	}
	if err := connectExtension(srv); err != nil {
		t.Fatal(err)
	}
	var got []api.Insertion
	for deadline := time.Now().Add(5 * time.Second); len(got) == 0 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		got = srv.insertions(t, n.ID)
	}
	if len(got) != 1 || got[0].Origin != "https://ehr.example.test" || got[0].Fields[0].FieldLabel != "Data" {
		t.Fatalf("insertions %+v", got)
	}
	var left []any
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if err := evalAsync(suite.ext, `chrome.storage.local.get('pendingReceipts').then((r) => r.pendingReceipts ?? [])`, &left); err != nil {
			t.Fatal(err)
		}
		if len(left) == 0 {
			return
		}
	}
	t.Errorf("receipt still queued after it was sent: %v", left)
}
