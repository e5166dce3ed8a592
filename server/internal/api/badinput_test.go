package api

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/sidenote/sidenote/server/internal/store/storetest"
	"github.com/sidenote/sidenote/shared/api"
)

// Every rejected write must answer a clear error naming the field and leave
// the database exactly as it was.
func TestBadInputChangesNothing(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, dbURL string) {
		ts := newTestServer(t, dbURL)
		a := ts.login("a@example.org")
		robin := ts.createClient(a, "Robin", api.ClientIndividual)
		sess := ts.createAnonymousSession(a, api.SessionInPerson, api.AnonymousIndividual)

		const consent = `"consent":{"obtained":true,"method":"verbal"}`
		big := `{"display_name":"` + strings.Repeat("x", 1<<20) + `","kind":"individual"}`
		cases := []struct {
			name, method, path, body string
			status                   int
			code, field              string
		}{
			{"malformed json", "POST", "/api/v1/clients", `{"display_name":`, 400, api.CodeMalformedJSON, ""},
			{"not json", "POST", "/api/v1/sessions", `type=in_person`, 400, api.CodeMalformedJSON, ""},
			{"empty body", "POST", "/api/v1/clients", ``, 400, api.CodeMalformedJSON, ""},
			{"two values", "POST", "/api/v1/clients", `{"display_name":"A","kind":"individual"}{}`, 400, api.CodeMalformedJSON, ""},
			{"array not object", "POST", "/api/v1/clients", `[]`, 400, api.CodeWrongType, ""},
			{"unknown field", "POST", "/api/v1/clients", `{"display_name":"A","kind":"individual","diagnosis":"x"}`, 400, api.CodeUnknownField, "diagnosis"},
			{"wrong type", "POST", "/api/v1/clients", `{"display_name":7,"kind":"individual"}`, 400, api.CodeWrongType, "display_name"},
			{"wrong nested type", "POST", "/api/v1/sessions", `{"type":"in_person","anonymous":"individual","consent":{"obtained":"yes","method":"verbal"}}`, 400, api.CodeWrongType, "consent.obtained"},
			{"time past year 9999", "POST", "/api/v1/sessions", `{"type":"in_person","anonymous":"individual",` + consent + `,"started_at":"9999-12-31T23:59:59-01:00"}`, 422, api.CodeInvalidField, "started_at"},
			{"patch time past year 9999", "PATCH", "/api/v1/sessions/" + sess.ID, `{"ended_at":"9999-12-31T23:00:00-01:00"}`, 422, api.CodeInvalidField, "ended_at"},
			{"bad time", "POST", "/api/v1/sessions", `{"type":"in_person","anonymous":"individual",` + consent + `,"started_at":"yesterday"}`, 400, api.CodeWrongType, ""},
			{"invalid utf-8", "POST", "/api/v1/clients", "{\"display_name\":\"\xff\xfe\",\"kind\":\"individual\"}", 400, api.CodeInvalidUTF8, ""},
			{"nul character", "POST", "/api/v1/clients", `{"display_name":"Ro\u0000bin","kind":"individual"}`, 400, api.CodeBadRequest, ""},
			{"too large", "POST", "/api/v1/clients", big, 413, api.CodeBodyTooLarge, ""},
			{"invalid kind", "POST", "/api/v1/clients", `{"display_name":"A","kind":"family"}`, 422, api.CodeInvalidField, "kind"},
			{"blank name", "POST", "/api/v1/clients", `{"display_name":"  ","kind":"couple"}`, 422, api.CodeInvalidField, "display_name"},
			{"invalid session type", "POST", "/api/v1/sessions", `{"type":"phone","anonymous":"individual",` + consent + `}`, 422, api.CodeInvalidField, "type"},
			{"invalid anonymous", "POST", "/api/v1/sessions", `{"type":"in_person","anonymous":"group",` + consent + `}`, 422, api.CodeInvalidField, "anonymous"},
			{"client and anonymous", "POST", "/api/v1/sessions", `{"type":"in_person","anonymous":"couple","client_id":"` + robin.ID + `",` + consent + `}`, 422, api.CodeInvalidField, "anonymous"},
			{"neither client nor anonymous", "POST", "/api/v1/sessions", `{"type":"in_person",` + consent + `}`, 422, api.CodeInvalidField, "client_id"},
			{"no consent", "POST", "/api/v1/sessions", `{"type":"in_person","anonymous":"individual"}`, 422, api.CodeConsentRequired, "consent"},
			{"consent not obtained", "POST", "/api/v1/sessions", `{"type":"dictation","anonymous":"couple","consent":{"obtained":false,"method":"verbal"}}`, 422, api.CodeConsentRequired, "consent"},
			{"invalid consent method", "POST", "/api/v1/sessions", `{"type":"in_person","anonymous":"individual","consent":{"obtained":true,"method":"telepathy"}}`, 422, api.CodeInvalidField, "consent.method"},
			{"unknown client", "POST", "/api/v1/sessions", `{"type":"in_person","client_id":"00000000-0000-0000-0000-000000000000",` + consent + `}`, 404, api.CodeNotFound, "client_id"},
			{"patch invalid type", "PATCH", "/api/v1/sessions/" + sess.ID, `{"type":"séance"}`, 422, api.CodeInvalidField, "type"},
			{"patch unknown field", "PATCH", "/api/v1/clients/" + robin.ID, `{"display_name":"R","ssn":"1"}`, 400, api.CodeUnknownField, "ssn"},
			{"assign without client", "POST", "/api/v1/sessions/" + sess.ID + "/assign", `{}`, 422, api.CodeInvalidField, "client_id"},
			{"assign missing client", "POST", "/api/v1/sessions/" + sess.ID + "/assign", `{"client_id":"00000000-0000-0000-0000-000000000000"}`, 404, api.CodeNotFound, "client_id"},
			{"end with both", "POST", "/api/v1/sessions/" + sess.ID + "/end", `{"anonymous":"couple","client_id":"` + robin.ID + `"}`, 422, api.CodeInvalidField, "anonymous"},
			{"bad limit", "GET", "/api/v1/sessions?limit=0", ``, 422, api.CodeInvalidField, "limit"},
			{"bad assignment filter", "GET", "/api/v1/sessions?assignment=some", ``, 422, api.CodeInvalidField, "assignment"},
			{"bad date filter", "GET", "/api/v1/sessions?from=last-week", ``, 422, api.CodeInvalidField, "from"},
			{"unknown route", "GET", "/api/v1/nothing-here", ``, 404, api.CodeNotFound, ""},
			{"unknown method", "PUT", "/api/v1/clients", `{}`, 404, api.CodeNotFound, ""},
		}
		before := dumpTables(t, ts)
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				var body any
				if tc.body != "" {
					body = tc.body
				}
				res := ts.raw(a, tc.method, tc.path, body)
				e := res.Error()
				if res.Status != tc.status || e.Code != tc.code || e.Field != tc.field || e.Message == "" {
					t.Fatalf("got %d %+v, want %d code=%s field=%q", res.Status, e, tc.status, tc.code, tc.field)
				}
				if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
					t.Fatalf("Content-Type %q", ct)
				}
				if after := dumpTables(t, ts); after != before {
					t.Fatalf("database changed by a rejected request")
				}
			})
		}
	})
}

// dumpTables renders every table as sorted text, for before/after checks.
// Left out: tokens (authenticating may slide a token's expiry) and the job
// queue's own bookkeeping, which its leader updates in the background.
func dumpTables(t testing.TB, ts *testServer) string {
	t.Helper()
	tables, err := ts.store.DB().Migrator().GetTables()
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, table := range tables {
		if table == "api_tokens" || strings.HasPrefix(table, "river_") || strings.HasPrefix(table, "sqlite_") {
			continue
		}
		lines = append(lines, dumpRows(t, ts, table)...)
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

// dumpRows renders each row of table as one line.
func dumpRows(t testing.TB, ts *testServer, table string) []string {
	t.Helper()
	rows, err := ts.store.DB().Raw("SELECT * FROM " + table).Rows()
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var lines []string
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		b.WriteString(table)
		for _, v := range vals {
			if bs, ok := v.([]byte); ok {
				v = string(bs)
			}
			fmt.Fprintf(&b, "|%v", v)
		}
		lines = append(lines, b.String())
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}
