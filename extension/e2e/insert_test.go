package e2e

import (
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/shared/note"
)

type placement struct {
	Section string `json:"section"`
	Field   string `json:"field"`
	Reason  string `json:"reason,omitempty"`
	Limit   int    `json:"limit,omitempty"`
}

type insertResult struct {
	OK            bool        `json:"ok"`
	Error         string      `json:"error"`
	Message       string      `json:"message"`
	Filled        []placement `json:"filled"`
	Skipped       []placement `json:"skipped"`
	SingleField   bool        `json:"single_field"`
	LowConfidence bool        `json:"low_confidence"`
	Receipt       string      `json:"receipt"`
	Timings       struct {
		InsertMS  float64 `json:"insert_ms"`
		ReceiptMS float64 `json:"receipt_ms"`
	} `json:"timings"`
}

func (r insertResult) filledSections() []string {
	var out []string
	for _, p := range r.Filled {
		out = append(out, p.Section)
	}
	return out
}

type undoResult struct {
	OK       bool   `json:"ok"`
	Error    string `json:"error"`
	Restored int    `json:"restored"`
	Failed   int    `json:"failed"`
}

// fictionalText is a section body with a line break and a paragraph break,
// so tests see whether structure survives each editor.
func fictionalText(title string) string {
	return fmt.Sprintf("%s line one for a fictional client.\n%s line two, same paragraph.\n\n%s second paragraph.", title, title, title)
}

// engineNote builds a ready note of the template as the API would return it.
func engineNote(tb testing.TB, id note.TemplateID) api.Note {
	tb.Helper()
	tmpl, ok := note.Lookup(id)
	if !ok {
		tb.Fatalf("unknown template %s", id)
	}
	n := api.Note{ID: "engine-" + string(id), Template: id, Status: api.NoteReady, Version: 1}
	for _, d := range tmpl.Sections {
		n.Sections = append(n.Sections, note.Section{Key: d.Key, Title: d.Title, Text: fictionalText(d.Title), Sources: []note.Span{}})
	}
	return n
}

// insertEngine runs the extension's insertion code (collect, WASM match,
// fill, read back) from the extension page against a fixture tab, with the
// note handed over directly instead of fetched from the server.
func insertEngine(tb testing.TB, p *page, n api.Note, onFilled string) insertResult {
	tb.Helper()
	var res insertResult
	expr := fmt.Sprintf(`(async () => {
		const { insertNote } = await import('./insertion.js');
		try { return await insertNote(%s, %s, { onFilled: %s }); }
		catch (e) { return { ok: false, error: e.code ?? 'failed', message: e.message }; }
	})()`, p.tabExpr(), jsArgs(n), jsArgs(onFilled))
	if err := evalAsync(suite.ext, expr, &res); err != nil {
		tb.Fatalf("%s: insert: %v", p.name, err)
	}
	return res
}

func undoEngine(tb testing.TB, p *page) undoResult {
	tb.Helper()
	var res undoResult
	expr := fmt.Sprintf(`(async () => {
		const { undoLast } = await import('./insertion.js');
		try { return await undoLast(%s); }
		catch (e) { return { ok: false, error: e.code ?? 'failed', message: e.message }; }
	})()`, p.tabExpr())
	if err := evalAsync(suite.ext, expr, &res); err != nil {
		tb.Fatalf("%s: undo: %v", p.name, err)
	}
	return res
}

var (
	breakTag       = regexp.MustCompile(`(?i)<br\s*/?>`)
	tagThenNewline = regexp.MustCompile(`>[ \t]*\n\s*`)
	paragraphEnd   = regexp.MustCompile(`(?i)</p>\s*`)
	anyTag         = regexp.MustCompile(`<[^>]*>`)
	blankLines     = regexp.MustCompile(`\n{3,}`)
)

// plainText turns an editor's HTML (getData, getContent) into the text a
// reader sees: paragraphs separated by a blank line, <br> as a newline.
func plainText(s string) string {
	if strings.Contains(s, "<") {
		// Source formatting (CKEditor 4 puts a newline after each <br />)
		// is not text.
		s = tagThenNewline.ReplaceAllString(s, ">")
		s = breakTag.ReplaceAllString(s, "\n")
		s = paragraphEnd.ReplaceAllString(s, "\n\n")
		s = html.UnescapeString(anyTag.ReplaceAllString(s, ""))
	}
	s = strings.ReplaceAll(s, "\u00a0", " ")
	return strings.TrimSpace(blankLines.ReplaceAllString(s, "\n\n"))
}
