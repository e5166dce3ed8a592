//go:build !js

package e2e

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/shared/note"
)

// summarySpan is where part is in the session summary.
func summarySpan(t *testing.T, part string) note.Span {
	t.Helper()
	i := strings.Index(summary, part)
	if i < 0 {
		t.Fatalf("%q is not in the summary", part)
	}
	return note.Span{Source: note.SourceSummary, Start: i, End: i + len(part)}
}

// sourcedSection is a section whose every sentence is a sentence of the
// summary, each citing where it is.
func sourcedSection(t *testing.T, key, title string, sentences ...string) note.Section {
	sec := note.Section{Key: key, Title: title, Sources: []note.Span{}}
	for _, s := range sentences {
		if sec.Text != "" {
			sec.Text += " "
		}
		span := summarySpan(t, s)
		sec.Sentences = append(sec.Sentences, note.Sentence{Start: len(sec.Text), End: len(sec.Text) + len(s), Sources: []note.Span{span}})
		sec.Sources = append(sec.Sources, span)
		sec.Text += s
	}
	return sec
}

// storeGenerated writes into the database what a generator that cites its
// sources and lists what it left out stores for the note (the built-in
// generator does not yet): sections with sentence sources, one left-out
// sentence, the risk flag. Written in clear, as rows from before encryption
// at rest are, which the server reads as they are.
func storeGenerated(t *testing.T, srv *server, noteID string) {
	t.Helper()
	sections := []note.Section{
		sourcedSection(t, "subjective", "Subjective", "Couple reports fewer arguments since the last session.", "They practised the time-out technique twice this week."),
		sourcedSection(t, "objective", "Objective", "Partner A appeared calm and engaged; partner B appeared tense at first."),
		sourcedSection(t, "assessment", "Assessment", "Both agree communication has improved but evenings remain difficult."),
		sourcedSection(t, "plan", "Plan", "Plan to continue the time-out technique and add a weekly check-in."),
	}
	leftOut := []note.LeftOut{{ID: "lo-1", Text: "Next session in two weeks.", Reason: note.LeftOutUnplaced,
		Sources: []note.Span{summarySpan(t, "Next session in two weeks.")}}}
	rawSections, err := json.Marshal(sections)
	if err != nil {
		t.Fatal(err)
	}
	rawLeftOut, err := json.Marshal(leftOut)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("pgx", srv.Env["SIDENOTE_DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{"UPDATE notes SET sections = $1, left_out = $2, risk_mentioned = TRUE WHERE id = $3", []any{string(rawSections), string(rawLeftOut), noteID}},
		{"UPDATE note_versions SET sections = $1 WHERE note_id = $2", []any{string(rawSections), noteID}},
	} {
		if res, err := db.ExecContext(context.Background(), q.sql, q.args...); err != nil {
			t.Fatal(err)
		} else if n, _ := res.RowsAffected(); n != 1 {
			t.Fatalf("%s: %d rows", q.sql, n)
		}
	}
}

func TestSidebarShowsSourcesAndPlacesWhatWasLeftOut(t *testing.T) {
	srv := startServer(t)
	token := srv.devToken(t, "dr.sources@example.test")
	n := srv.readyNote(t, token, api.AnonymousCouple, api.ConsentVerbal, "soap")
	storeGenerated(t, srv, n.ID)

	ctx := newBrowser(t)
	p := page{t: t, ctx: ctx}
	p.do(chromedp.EmulateViewport(1280, 900), chromedp.Navigate(srv.URL+"/app/"))
	eval[chromedp.Void](p, `localStorage.setItem('sidenote.token', `+jsString(token)+`)`)
	p.do(chromedp.Navigate(srv.URL + "/app/"))
	p.waitFor("the list", `document.querySelectorAll('#s-list li').length === 1`)
	p.click(`#s-list li button`)
	p.waitFor("the note", `!!document.querySelector('#sec-plan')`)

	// Beside the note: the risk flag; under it: what was left out, and why.
	if bar := p.text("#s-notebar"); !strings.Contains(bar, "Risk mentioned.") || !strings.Contains(bar, "written by the built-in generator") {
		t.Errorf("note bar: %q", bar)
	}
	if lo := p.text("#s-note .leftout"); !strings.Contains(lo, "Next session in two weeks.") || !strings.Contains(lo, "No section of this template fits it.") {
		t.Fatalf("left-out list: %q", lo)
	}

	// Show sources, then move through the sentences with the keyboard:
	// each one marks its own words in the summary.
	reads := auditReads(t, srv, token, n.SessionID)
	eval[chromedp.Void](p, `document.querySelector('[data-act="sources"]').focus()`)
	p.do(chromedp.KeyEvent("\r"))
	p.waitFor("the sources view", `document.querySelector('[data-act="sources"]')?.getAttribute('aria-pressed') === 'true' && !!document.querySelector('.sent') &&
		document.querySelector('#s-sources [role="status"]')?.textContent.startsWith('Focus or point')`)
	if !eval[bool](p, `document.activeElement === document.querySelector('#sources-toggle')`) {
		t.Error("the switch lost the focus when the note was rendered again")
	}
	if got := auditReads(t, srv, token, n.SessionID); got < reads+2 {
		t.Errorf("showing sources read the summary and transcript without an audited read (%d reads before, %d after)", reads, got)
	}
	wantMarked := func(sentence string) {
		t.Helper()
		p.waitFor("the focused sentence's source", `(() => {
			const f = document.activeElement, m = document.querySelector('#s-sources .src-text mark');
			return f?.classList.contains('sent') && f.textContent === `+jsString(sentence)+` && m?.textContent === `+jsString(sentence)+`; })()`)
	}
	p.do(chromedp.KeyEvent("\t")) // the Subjective section's Copy button
	p.do(chromedp.KeyEvent("\t"))
	wantMarked("Couple reports fewer arguments since the last session.")
	p.do(chromedp.KeyEvent("\t"))
	wantMarked("They practised the time-out technique twice this week.")
	if status := p.text("#s-sources [role=status]"); status != "Subjective, sentence 2 comes from the summary: “They practised the time-out technique twice this week.”." {
		t.Errorf("announced %q", status)
	}
	p.screenshot("sidebar-sources-1280x900.png")

	// Pointing at a sentence shows its source too.
	at := eval[[]float64](p, `(() => { const el = document.querySelector('.sent[data-src="s:plan:0"]'); el.scrollIntoView({block: 'center'});
		const r = el.getClientRects()[0]; return [r.x + 4, r.y + r.height / 2]; })()`)
	p.do(chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, at[0], at[1]))
	p.waitFor("the pointed sentence's source", `document.querySelector('#s-sources .src-text mark')?.textContent === 'Plan to continue the time-out technique and add a weekly check-in.'`)

	// At the side panel's width the source stays in view under the note.
	p.do(chromedp.EmulateViewport(400, 800))
	eval[chromedp.Void](p, `document.querySelector('.sent[data-src="s:objective:0"]').scrollIntoView({block: 'center'}); document.querySelector('.sent[data-src="s:objective:0"]').focus()`)
	wantMarked("Partner A appeared calm and engaged; partner B appeared tense at first.")
	p.screenshot("sidebar-sources-400x800.png")
	where := eval[[]float64](p, `(() => { const r = document.querySelector('#s-sources mark').getBoundingClientRect(), f = document.activeElement.getBoundingClientRect();
		return [r.top, r.bottom, f.top, f.bottom, innerHeight]; })()`)
	if where[0] < 0 || where[1] > where[4] || where[2] < 0 || where[3] > where[4] {
		t.Errorf("at 400 px the focused sentence (%v–%v) and its marked source (%v–%v) are not both in view (height %v)", where[2], where[3], where[0], where[1], where[4])
	}

	// Put the left-out sentence into the plan, in one click once the
	// section is chosen: a new version.
	p.click(`[data-act="sources"]`)
	p.waitFor("the editable note", `!!document.querySelector('#sec-plan') && !!document.querySelector('#lo-0')`)
	p.set("#lo-0", "plan", "change")
	p.click(`[data-act="lo-place"][data-arg="lo-1"]`)
	p.waitFor("the placed sentence", `!document.querySelector('.leftout') && document.querySelector('#sec-plan')?.value.endsWith('\n\nNext session in two weeks.')`)
	var placed api.Note
	srv.call(t, token, "GET", "/api/v1/notes/"+n.ID, nil, &placed)
	plan := placed.Sections[3]
	if placed.Version != n.Version+1 || len(placed.LeftOut) != 0 || len(plan.Sentences) != 2 ||
		plan.Text[plan.Sentences[1].Start:plan.Sentences[1].End] != "Next session in two weeks." {
		t.Fatalf("after placing: version %d, left out %+v, plan %+v", placed.Version, placed.LeftOut, plan)
	}
	if meta := p.text("#s-notebar .meta"); !strings.Contains(meta, "version 2") {
		t.Errorf("note bar after placing: %q", meta)
	}
	p.screenshot("sidebar-left-out-placed-400x800.png")
}

// auditReads counts the audited reads of a session's summary and
// transcript in the clinician's audit log.
func auditReads(t *testing.T, srv *server, token, sessionID string) int {
	t.Helper()
	var page api.Page[api.AuditEvent]
	srv.call(t, token, "GET", "/api/v1/audit?limit=200", nil, &page)
	n := 0
	for _, e := range page.Items {
		if e.ResourceID == sessionID && (e.Action == "summary.read" || e.Action == "transcript.read") {
			n++
		}
	}
	return n
}
