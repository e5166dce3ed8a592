package api

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sidenote/sidenote/internal/sidenotetest"
	"github.com/sidenote/sidenote/server/internal/store/storetest"
	"github.com/sidenote/sidenote/shared/api"
)

// Each route that decodes a JSON body has a fuzz target sending it arbitrary
// bodies through the real server with a real token. For every body: no
// status >= 500; a 4xx answers the JSON error shape and leaves the database
// exactly as it was (no partial write); a 2xx answers JSON. Seeds live in
// testdata/fuzz/<target>/; plain `go test` replays them, `make fuzz` fuzzes.

// jsonRoute is a route whose handler decodes a JSON body.
type jsonRoute struct {
	fuzz, method, path string
	// record is what the path's :id names: a record constant, or "".
	record string
}

// The records a fuzzed route can address, made for each fuzz server.
const (
	recordClient     = "client"
	recordSession    = "session"
	recordDraftNote  = "draft note"
	recordSignedNote = "signed note"
	recordRecording  = "session with a recording"
	recordTemplate   = "template"
	recordLeftOut    = "draft note with left-out sentences"
)

// leftOutItem is the :item of a fuzzed left-out route: an item of the
// recordLeftOut note, until a body places it.
const leftOutItem = "s2"

var jsonRoutes = []jsonRoute{
	{"FuzzDevLogin", http.MethodPost, "/api/v1/dev/login", ""},
	{"FuzzCreateClient", http.MethodPost, "/api/v1/clients", ""},
	{"FuzzUpdateClient", http.MethodPatch, "/api/v1/clients/:id", recordClient},
	{"FuzzCreateSession", http.MethodPost, "/api/v1/sessions", ""},
	{"FuzzUpdateSession", http.MethodPatch, "/api/v1/sessions/:id", recordSession},
	{"FuzzAssignSession", http.MethodPost, "/api/v1/sessions/:id/assign", recordSession},
	{"FuzzEndSession", http.MethodPost, "/api/v1/sessions/:id/end", recordSession},
	{"FuzzPutSummary", http.MethodPut, "/api/v1/sessions/:id/summary", recordSession},
	{"FuzzPutTranscript", http.MethodPut, "/api/v1/sessions/:id/transcript", recordSession},
	{"FuzzUpdateRecording", http.MethodPatch, "/api/v1/sessions/:id/recording", recordRecording},
	{"FuzzGenerateNote", http.MethodPost, "/api/v1/sessions/:id/notes", recordSession},
	{"FuzzUpdateNote", http.MethodPatch, "/api/v1/notes/:id", recordDraftNote},
	{"FuzzCreateTemplate", http.MethodPost, "/api/v1/templates", ""},
	{"FuzzUpdateTemplate", http.MethodPatch, "/api/v1/templates/:id", recordTemplate},
	{"FuzzSignNote", http.MethodPost, "/api/v1/notes/:id/sign", recordDraftNote},
	{"FuzzPlaceLeftOut", http.MethodPost, "/api/v1/notes/:id/left-out/:item/place", recordLeftOut},
	{"FuzzAddAddendum", http.MethodPost, "/api/v1/notes/:id/addenda", recordSignedNote},
	{"FuzzRecordInsertion", http.MethodPost, "/api/v1/notes/:id/insertions", recordDraftNote},
}

func FuzzDevLogin(f *testing.F)        { fuzzJSONRoute(f) }
func FuzzCreateClient(f *testing.F)    { fuzzJSONRoute(f) }
func FuzzSignNote(f *testing.F)        { fuzzJSONRoute(f) }
func FuzzCreateTemplate(f *testing.F)  { fuzzJSONRoute(f) }
func FuzzUpdateTemplate(f *testing.F)  { fuzzJSONRoute(f) }
func FuzzUpdateClient(f *testing.F)    { fuzzJSONRoute(f) }
func FuzzCreateSession(f *testing.F)   { fuzzJSONRoute(f) }
func FuzzUpdateSession(f *testing.F)   { fuzzJSONRoute(f) }
func FuzzAssignSession(f *testing.F)   { fuzzJSONRoute(f) }
func FuzzEndSession(f *testing.F)      { fuzzJSONRoute(f) }
func FuzzPutSummary(f *testing.F)      { fuzzJSONRoute(f) }
func FuzzPutTranscript(f *testing.F)   { fuzzJSONRoute(f) }
func FuzzUpdateRecording(f *testing.F) { fuzzJSONRoute(f) }
func FuzzGenerateNote(f *testing.F)    { fuzzJSONRoute(f) }
func FuzzUpdateNote(f *testing.F)      { fuzzJSONRoute(f) }
func FuzzPlaceLeftOut(f *testing.F)    { fuzzJSONRoute(f) }
func FuzzAddAddendum(f *testing.F)     { fuzzJSONRoute(f) }
func FuzzRecordInsertion(f *testing.F) { fuzzJSONRoute(f) }

// clientPlaceholder in a fuzzed body becomes the fuzz server's client id, so
// seeds can reference a real client.
const clientPlaceholder = "$CLIENT"

// junkSeeds are bodies every route must refuse cleanly; the route's own
// seeds (valid requests and field-specific traps) are in testdata.
var junkSeeds = []string{
	``, ` `, `null`, `{}`, `[]`, `"text"`, `0`, `-1e999`, `true`, `{"a":1}{"b":2}`, `{`, `}`,
	`{"":null}`, `{"x":{"y":{"z":[[[[[[[[[[]]]]]]]]]]}}}`, "\xff\xfe{}", "{\"\xc3\":1}", `{"\u0000":1}`,
	`[{"a":1}]`, `{"a":1,}`, `{'a':1}`, "\x00", `{"id":"00000000-0000-0000-0000-000000000000"}`,
}

// fuzzServer is one server the fuzzed bodies are sent to, with a signed-in
// clinician and the record each route addresses.
type fuzzServer struct {
	dialect string
	ts      *testServer
	token   string
	records map[string]string
}

func fuzzJSONRoute(f *testing.F) {
	i := slices.IndexFunc(jsonRoutes, func(r jsonRoute) bool { return r.fuzz == f.Name() })
	if i < 0 {
		f.Fatalf("%s is not in jsonRoutes", f.Name())
	}
	route := jsonRoutes[i]
	for _, seed := range junkSeeds {
		f.Add([]byte(seed))
	}
	var servers []*fuzzServer
	for _, dialect := range fuzzDialects() {
		servers = append(servers, newFuzzServer(f, dialect, route.record))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, fs := range servers {
			fs.send(t, route, body)
		}
	})
}

// fuzzDialects are the databases fuzzed bodies go to: SQLite always, and
// PostgreSQL when reachable (or required by REQUIRE_POSTGRES=1), since its
// stricter types and text reject values SQLite keeps. FUZZ_SQLITE_ONLY=1
// leaves PostgreSQL out, for a quicker fuzzing run (make fuzz-ci).
func fuzzDialects() []string {
	if os.Getenv("FUZZ_SQLITE_ONLY") == "1" {
		return []string{storetest.SQLite}
	}
	if sidenotetest.RequirePostgres() || postgresReachable() {
		return []string{storetest.SQLite, storetest.Postgres}
	}
	return []string{storetest.SQLite}
}

func postgresReachable() bool {
	db, err := sql.Open("pgx", sidenotetest.AdminURL())
	if err != nil {
		return false
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return db.PingContext(ctx) == nil
}

// newFuzzServer starts a server with a clinician, a client and a session
// with a summary, plus the notes a note route needs.
func newFuzzServer(f *testing.F, dialect, record string) *fuzzServer {
	ts := newTestServer(f, storetest.URL(f, dialect))
	token := ts.login("fuzz@example.org")
	sess := ts.createAnonymousSession(token, api.SessionInPerson, api.AnonymousIndividual)
	fs := &fuzzServer{dialect: dialect, ts: ts, token: token, records: map[string]string{
		recordClient:  ts.createClient(token, "Avery Example", api.ClientIndividual).ID,
		recordSession: sess.ID,
	}}
	switch record {
	case recordTemplate:
		fs.records[recordTemplate] = string(ts.createTemplate(token, "Fuzzed template").ID)
	case recordRecording:
		ts.upload(token, sess.ID, "audio/webm", []byte("fictional audio"), http.StatusCreated)
		fs.records[recordRecording] = sess.ID
	case recordDraftNote, recordSignedNote:
		ts.do(token, http.MethodPut, "/api/v1/sessions/"+sess.ID+"/summary",
			api.TextRequest{Text: "Client reports sleeping better since starting a wind-down routine."}, http.StatusOK, nil)
		fs.records[recordDraftNote] = ts.generateNote(token, sess.ID, "soap").ID
		signed := ts.generateNote(token, sess.ID, "dap")
		ts.do(token, http.MethodPost, "/api/v1/notes/"+signed.ID+"/sign", signAndEnd(signed.Version), http.StatusOK, nil)
		fs.records[recordSignedNote] = signed.ID
	case recordLeftOut:
		fs.records[recordLeftOut] = ts.noteWithLeftOut(token).ID
	}
	return fs
}

// send posts body to route and checks the answer and the database.
func (fs *fuzzServer) send(t *testing.T, route jsonRoute, body []byte) {
	ts := *fs.ts
	ts.t = t
	body = bytes.ReplaceAll(body, []byte(clientPlaceholder), []byte(fs.records[recordClient]))
	path := strings.Replace(strings.Replace(route.path, ":id", fs.records[route.record], 1), ":item", leftOutItem, 1)
	waitJobsDone(t, &ts)
	before := dumpTables(t, &ts)
	res := ts.raw(fs.token, route.method, path, body)
	where := fs.dialect + ": " + route.method + " " + route.path
	switch {
	case res.Status >= 500:
		t.Fatalf("%s: status %d %s; server log:\n%s", where, res.Status, res.Body, lastError(ts.logs.String()))
	case res.Status >= 400:
		checkErrorBody(t, res)
		if after := dumpTables(t, &ts); after != before {
			t.Fatalf("%s answered %d %s but changed the database", where, res.Status, res.Body)
		}
	case res.Status != http.StatusNoContent && !json.Valid(res.Body):
		t.Fatalf("%s: status %d with a body that is not JSON: %q", where, res.Status, res.Body)
	}
}

// lastError is the server's last error log line.
func lastError(log string) string {
	lines := strings.Split(log, "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.Contains(lines[i], `"level":"ERROR"`) {
			return lines[i]
		}
	}
	return "(none)"
}

// checkErrorBody fails unless res is exactly the API's error shape, with a
// code that maps to the status it came with.
func checkErrorBody(t *testing.T, res response) {
	t.Helper()
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("status %d with Content-Type %q", res.Status, ct)
	}
	dec := json.NewDecoder(bytes.NewReader(res.Body))
	dec.DisallowUnknownFields()
	var e api.ErrorBody
	if err := dec.Decode(&e); err != nil || e.Error.Code == "" || e.Error.Message == "" || StatusOf(e.Error.Code) != res.Status {
		t.Fatalf("status %d: not a well-formed error (%v): %s", res.Status, err, res.Body)
	}
}

// waitJobsDone waits for the jobs earlier bodies queued (a note being
// generated), so their writes are not mistaken for a rejected request's.
func waitJobsDone(t *testing.T, ts *testServer) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		var n int64
		if err := ts.store.DB().Table("river_job").Where("state IN ?", []string{"available", "running"}).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d jobs still to run after 20s", n)
		}
	}
}

// TestEveryJSONRouteIsFuzzed finds the routes that decode a JSON body by
// asking each state-changing route, and checks each has its fuzz target and
// seed corpus: a new JSON route cannot go unfuzzed.
func TestEveryJSONRouteIsFuzzed(t *testing.T) {
	ts := newTestServer(t, storetest.SQLiteURL(t))
	fuzzed := map[string]jsonRoute{}
	for _, r := range jsonRoutes {
		fuzzed[r.method+" "+r.path] = r
		if _, err := os.Stat(filepath.Join("testdata", "fuzz", r.fuzz)); err != nil {
			t.Errorf("%s has no seed corpus: %v", r.fuzz, err)
		}
	}
	for _, r := range ts.srv.Routes() {
		if r.Method != http.MethodPost && r.Method != http.MethodPut && r.Method != http.MethodPatch {
			continue
		}
		key := r.Method + " " + r.Path
		// A fresh token each time: the probe may be a sign-out.
		token := ts.login("probe@example.org")
		path := strings.ReplaceAll(strings.ReplaceAll(r.Path, ":id", "00000000-0000-0000-0000-000000000000"), ":", "")
		res := ts.raw(token, r.Method, path, `{"fuzz_probe":1}`)
		decodesJSON := res.Status == http.StatusBadRequest && res.Error().Code == api.CodeUnknownField
		if _, ok := fuzzed[key]; ok != decodesJSON {
			t.Errorf("%s: decodes a JSON body = %v, has a fuzz target = %v", key, decodesJSON, ok)
		}
		delete(fuzzed, key)
	}
	for key := range fuzzed {
		t.Errorf("jsonRoutes lists %s, which is not a route", key)
	}
}
