package api

import (
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sidenote/sidenote/server/internal/config"
	"github.com/sidenote/sidenote/server/internal/store/storetest"
	"github.com/sidenote/sidenote/shared/api"
)

// guestEmail is the address the guest types; it must end up nowhere.
const guestEmail = "river.guest.7f3a@example.org"

func joinForm(email, consent string) rawBody {
	v := url.Values{"email": {email}}
	if consent != "" {
		v.Set("consent", consent)
	}
	return rawBody{contentType: "application/x-www-form-urlencoded", data: v.Encode()}
}

// joinPath turns a join URL into the path on the test server.
func joinPath(t *testing.T, ts *testServer, joinURL string) string {
	t.Helper()
	if !strings.HasPrefix(joinURL, ts.cfg.PublicURL+"/join/") {
		t.Fatalf("join_url %q is not under %s/join/", joinURL, ts.cfg.PublicURL)
	}
	return strings.TrimPrefix(joinURL, ts.cfg.PublicURL)
}

func TestTelehealthJoin(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, databaseURL string) {
		ts := newTestServer(t, databaseURL)
		a, b := ts.login("a@example.com"), ts.login("b@example.com")
		var sess api.Session
		ts.do(a, http.MethodPost, "/api/v1/sessions", api.CreateSessionRequest{
			Type: api.SessionTelehealth, Consent: &api.Consent{Obtained: true, Method: api.ConsentElectronic},
		}, http.StatusCreated, &sess)
		path := joinPath(t, ts, sess.JoinURL)
		code := strings.TrimPrefix(path, "/join/")
		if len(code) < 22 {
			t.Fatalf("join code %q is shorter than 128 bits", code)
		}

		// The page is a form without script.
		page := ts.raw("", http.MethodGet, path, nil)
		if page.Status != http.StatusOK || !strings.Contains(string(page.Body), `name="email"`) || !strings.Contains(string(page.Body), `name="consent"`) {
			t.Fatalf("join page: %d %s", page.Status, page.Body)
		}
		if strings.Contains(string(page.Body), "<script") || !strings.Contains(page.Header.Get("Content-Security-Policy"), "default-src 'none'") {
			t.Fatalf("join page must carry no script and a strict CSP; CSP %q", page.Header.Get("Content-Security-Policy"))
		}
		if !strings.Contains(string(page.Body), `name="viewport"`) {
			t.Fatal("join page has no viewport meta for phones")
		}

		// Unknown code: an HTML page, not JSON. Bad email, missing consent,
		// a form posted from another site: nothing recorded.
		unknown := ts.raw("", http.MethodGet, "/join/"+strings.Repeat("A", 22), nil)
		if unknown.Status != http.StatusNotFound || !strings.HasPrefix(unknown.Header.Get("Content-Type"), "text/html") ||
			!strings.Contains(string(unknown.Body), "This link does not work") {
			t.Fatalf("unknown code: %d %q %s", unknown.Status, unknown.Header.Get("Content-Type"), unknown.Body)
		}
		if res := ts.raw("", http.MethodPost, path, joinForm("not an email", "yes")); res.Status != http.StatusUnprocessableEntity {
			t.Fatalf("bad email: %d", res.Status)
		}
		noConsent := ts.raw("", http.MethodPost, path, joinForm(guestEmail, ""))
		if noConsent.Status != http.StatusUnprocessableEntity || !strings.Contains(string(noConsent.Body), "Tick the consent box") ||
			!strings.Contains(string(noConsent.Body), `name="consent"`) {
			t.Fatalf("no consent: %d %s", noConsent.Status, noConsent.Body)
		}
		if res := ts.raw("", http.MethodPost, path, joinForm(guestEmail, "yes"), "Origin", "https://elsewhere.example"); res.Status != http.StatusForbidden {
			t.Fatalf("form posted from another origin: %d", res.Status)
		}
		var link api.TelehealthLink
		ts.do(a, http.MethodGet, "/api/v1/sessions/"+sess.ID+"/telehealth", nil, http.StatusOK, &link)
		if link.GuestJoinedAt != nil {
			t.Fatal("a rejected form recorded a join")
		}

		// Joining answers the call page: who invited the guest, that the
		// session is recorded, its script and a ticket for its socket.
		res := ts.raw("", http.MethodPost, path, joinForm(guestEmail, "yes"), "Origin", ts.http.URL)
		body := string(res.Body)
		if res.Status != http.StatusOK || !strings.Contains(body, `id="call"`) || guestTicket(body) == "" ||
			!strings.Contains(body, "Your session with Dr a@example.com") || !strings.Contains(body, "This session is recorded") ||
			!strings.Contains(body, `<script src="/join-call.js"></script>`) || !strings.Contains(body, `data-socket="`+path+`/call"`) {
			t.Fatalf("join: %d %s", res.Status, res.Body)
		}
		if script := ts.raw("", http.MethodGet, "/join-call.js", nil); script.Status != http.StatusOK ||
			!strings.HasPrefix(script.Header.Get("Content-Type"), "text/javascript") || !strings.Contains(string(script.Body), "RTCPeerConnection") {
			t.Fatalf("call script: %d %q", script.Status, script.Header.Get("Content-Type"))
		}
		// The link can be shown (and copied) again while the session is open.
		ts.do(a, http.MethodGet, "/api/v1/sessions/"+sess.ID+"/telehealth", nil, http.StatusOK, &link)
		if link.GuestJoinedAt == nil || link.GuestConsentedAt == nil || link.JoinURL != sess.JoinURL {
			t.Fatalf("after join: %+v, want join_url %s", link, sess.JoinURL)
		}
		// Submitting again (a reload, a second device) keeps the first time.
		if again := ts.raw("", http.MethodPost, path, joinForm(guestEmail, "yes")); again.Status != http.StatusOK {
			t.Fatalf("second join: %d %s", again.Status, again.Body)
		}
		var afterAgain api.TelehealthLink
		ts.do(a, http.MethodGet, "/api/v1/sessions/"+sess.ID+"/telehealth", nil, http.StatusOK, &afterAgain)
		if !afterAgain.GuestJoinedAt.Equal(*link.GuestJoinedAt) {
			t.Fatalf("a second join moved the join time from %v to %v", link.GuestJoinedAt, afterAgain.GuestJoinedAt)
		}
		// Another clinician sees nothing; no client profile was created.
		ts.do(b, http.MethodGet, "/api/v1/sessions/"+sess.ID+"/telehealth", nil, http.StatusNotFound, nil)
		var clients api.Page[api.Client]
		ts.do(a, http.MethodGet, "/api/v1/clients", nil, http.StatusOK, &clients)
		if len(clients.Items) != 0 {
			t.Fatalf("joining created client profiles: %+v", clients.Items)
		}

		// A renewed link replaces the old code.
		var renewed api.TelehealthLink
		ts.do(a, http.MethodPost, "/api/v1/sessions/"+sess.ID+"/telehealth", nil, http.StatusCreated, &renewed)
		ts.do(a, http.MethodGet, "/api/v1/sessions/"+sess.ID+"/telehealth", nil, http.StatusOK, &link)
		if link.JoinURL != renewed.JoinURL || renewed.JoinURL == sess.JoinURL {
			t.Fatalf("after renewal GET shows %q, want the new %q", link.JoinURL, renewed.JoinURL)
		}
		if ts.raw("", http.MethodGet, path, nil).Status != http.StatusNotFound {
			t.Fatal("the replaced code still works")
		}
		if ts.raw("", http.MethodGet, joinPath(t, ts, renewed.JoinURL), nil).Status != http.StatusOK {
			t.Fatal("the renewed code does not work")
		}
		// Past its expiry the link shows the invalid page and records nothing.
		if err := ts.store.DB().Exec("UPDATE telehealth_links SET expires_at = ? WHERE session_id = ?",
			time.Now().Add(-time.Minute), sess.ID).Error; err != nil {
			t.Fatal(err)
		}
		for _, method := range []string{http.MethodGet, http.MethodPost} {
			if res := ts.raw("", method, joinPath(t, ts, renewed.JoinURL), joinForm(guestEmail, "yes")); res.Status != http.StatusNotFound ||
				!strings.Contains(string(res.Body), "This link does not work") {
				t.Fatalf("%s of an expired link: %d %s", method, res.Status, res.Body)
			}
		}
		// End the session as Anonymous individual and write a note, so job
		// tables hold rows too when the database is searched below.
		anon := api.AnonymousIndividual
		ts.do(a, http.MethodPost, "/api/v1/sessions/"+sess.ID+"/end", api.EndSessionRequest{Anonymous: &anon}, http.StatusOK, nil)
		// Once the session has ended its link is neither shown nor renewed.
		var ended api.TelehealthLink
		ts.do(a, http.MethodGet, "/api/v1/sessions/"+sess.ID+"/telehealth", nil, http.StatusOK, &ended)
		if ended.JoinURL != "" {
			t.Fatalf("an ended session's link is still shown: %+v", ended)
		}
		ts.do(a, http.MethodPost, "/api/v1/sessions/"+sess.ID+"/telehealth", nil, http.StatusConflict, nil)
		ts.do(a, http.MethodPut, "/api/v1/sessions/"+sess.ID+"/summary", api.TextRequest{Text: "Client reports feeling calmer this week. Plan to continue weekly sessions."}, http.StatusOK, nil)
		ts.generateNote(a, sess.ID, "soap")

		assertNowhere(t, ts, guestEmail)
	})
}

// guestTicketPattern finds the call ticket in the call page.
var guestTicketPattern = regexp.MustCompile(`data-ticket="([A-Za-z0-9_-]+)"`)

// guestTicket is the call ticket of a call page, or "".
func guestTicket(page string) string {
	if m := guestTicketPattern.FindStringSubmatch(page); m != nil {
		return m[1]
	}
	return ""
}

// assertNowhere fails if needle occurs in any column of any row of any table
// of the test's database, in any file under the data directory, or in any
// log line the server wrote.
func assertNowhere(t *testing.T, ts *testServer, needle string) {
	t.Helper()
	ctx := context.Background()
	db := ts.store.SQL()
	listTables := `SELECT name FROM sqlite_master WHERE type = 'table'`
	if ts.store.Dialect() == config.Postgres {
		listTables = `SELECT table_schema || '.' || table_name FROM information_schema.tables
			WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')`
	}
	rows, err := db.QueryContext(ctx, listTables)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	// The job queue's table holds job payloads: it must be among those searched.
	if !slices.ContainsFunc(tables, func(name string) bool { return strings.HasSuffix(name, "river_job") }) {
		t.Fatalf("river_job is not among the tables %v", tables)
	}
	needle = strings.ToLower(needle)
	cells := 0
	for _, table := range tables {
		rows, err := db.QueryContext(ctx, "SELECT * FROM "+table)
		if err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatalf("%s: %v", table, err)
			}
			for i, v := range vals {
				text := fmt.Sprint(v)
				if b, ok := v.([]byte); ok {
					text = string(b)
				}
				cells++
				if strings.Contains(strings.ToLower(text), needle) {
					t.Errorf("the guest email is stored in %s.%s", table, cols[i])
				}
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	files := 0
	err = filepath.WalkDir(ts.cfg.DataDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		if strings.Contains(strings.ToLower(string(data)), needle) {
			t.Errorf("the guest email is in the file %s", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	logs := ts.logs.String()
	if strings.Count(logs, "\n") < 5 {
		t.Fatalf("captured only %q from the server log", logs)
	}
	if strings.Contains(strings.ToLower(logs), needle) {
		t.Errorf("the guest email is in the server log")
	}
	t.Logf("searched %d cells in %d tables, %d files and %d log lines", cells, len(tables), files, strings.Count(logs, "\n"))
}
