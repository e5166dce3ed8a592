package api

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/sidenote/sidenote/server/internal/config"
	"github.com/sidenote/sidenote/server/internal/store/storetest"
	"github.com/sidenote/sidenote/shared/api"
)

func uniqueMarker(prefix string) string {
	var raw [6]byte
	rand.Read(raw[:])
	return prefix + hex.EncodeToString(raw[:])
}

// After DELETE /me, neither the SQLite file nor its write-ahead log holds the
// clinician's email or a client's name; the file is its owner's only.
func TestDeletedAccountLeavesNoTraceInSQLiteFiles(t *testing.T) {
	ts := newTestServer(t, storetest.SQLiteURL(t))
	_, dsn, err := config.ParseDatabaseURL(ts.cfg.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	email := strings.ToLower(uniqueMarker("wombat")) + "@example.org"
	name := uniqueMarker("Quenda")
	a := ts.login(email)
	stays := ts.login("stays@example.org")
	ts.createClient(stays, "Kept (pseudonym)", api.ClientIndividual)
	client := ts.createClient(a, name, api.ClientIndividual)
	ts.do(a, http.MethodPatch, "/api/v1/clients/"+client.ID, api.UpdateClientRequest{DisplayName: ptr(name + " B.")}, http.StatusOK, nil)
	sess := ts.createAnonymousSession(a, api.SessionWrittenSummary, api.AnonymousIndividual)
	ts.do(a, http.MethodPut, "/api/v1/sessions/"+sess.ID+"/summary", api.TextRequest{Text: "Client reports sleeping better (fictional)."}, http.StatusOK, nil)
	ts.generateNote(a, sess.ID, "soap")
	if dump := rawDatabaseDump(t, ts.cfg); !bytes.Contains(dump, []byte(email)) {
		t.Fatal("the email is not in the files before deletion: the scan would prove nothing")
	}

	ts.do(a, http.MethodDelete, "/api/v1/me", map[string]string{"confirm": email}, http.StatusNoContent, nil)
	dump := rawDatabaseDump(t, ts.cfg)
	for _, marker := range []string{email, name, strings.ToLower(name)} {
		if bytes.Contains(dump, []byte(marker)) {
			t.Errorf("%q is still in the SQLite file or its log after the account was deleted", marker)
		}
	}
	for _, suffix := range []string{"", "-wal"} {
		info, err := os.Stat(dsn + suffix)
		if err != nil {
			t.Fatal(err)
		}
		if mode := info.Mode().Perm(); mode != 0o600 {
			t.Errorf("%s has mode %o, want 600", dsn+suffix, mode)
		}
	}
	ts.do(stays, http.MethodGet, "/api/v1/clients", nil, http.StatusOK, nil)
}

// Client names and external references are sealed at rest like note text;
// the API reads them back, and the clients list still finds them.
func TestClientNamesAreSealedAtRest(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, dbURL string) {
		ts := newTestServer(t, dbURL)
		a := ts.login("names@example.org")
		name, ref := uniqueMarker("Numbat"), uniqueMarker("MRN-")
		var c api.Client
		ts.do(a, http.MethodPost, "/api/v1/clients", api.CreateClientRequest{DisplayName: name, Kind: api.ClientCouple, ExternalRef: &ref}, http.StatusCreated, &c)
		ts.createClient(a, "Another (pseudonym)", api.ClientIndividual)
		var sess api.Session
		ts.do(a, http.MethodPost, "/api/v1/sessions", api.CreateSessionRequest{
			Type: api.SessionInPerson, ClientID: &c.ID, Consent: &api.Consent{Obtained: true, Method: api.ConsentVerbal},
		}, http.StatusCreated, &sess)

		var found api.Page[api.Client]
		ts.do(a, http.MethodGet, "/api/v1/clients?q="+url.QueryEscape(strings.ToUpper(name[2:10])), nil, http.StatusOK, &found)
		if len(found.Items) != 1 || found.Items[0].DisplayName != name || *found.Items[0].ExternalRef != ref {
			t.Fatalf("search by part of the name: %+v", found.Items)
		}
		var sessions api.Page[api.Session]
		ts.do(a, http.MethodGet, "/api/v1/sessions?assignment=assigned", nil, http.StatusOK, &sessions)
		if len(sessions.Items) != 1 || sessions.Items[0].DisplayLabel != name || sessions.Items[0].Client.DisplayName != name {
			t.Fatalf("sessions list: %+v", sessions.Items)
		}
		var one api.Session
		ts.do(a, http.MethodGet, "/api/v1/sessions/"+sess.ID, nil, http.StatusOK, &one)
		if one.DisplayLabel != name || *one.Client.ExternalRef != ref {
			t.Fatalf("session: %+v", one)
		}

		dump := rawDatabaseDump(t, ts.cfg)
		if !bytes.Contains(dump, []byte(c.ID)) {
			t.Fatal("the dump lacks the client's id: it is not a dump of this database")
		}
		for _, marker := range []string{name, strings.ToLower(name), ref} {
			if bytes.Contains(dump, []byte(marker)) {
				t.Errorf("%q is in the raw database dump", marker)
			}
		}
	})
}

// Display names and external references refuse control and bidirectional
// characters, naming the field; scripts, emoji and joiners are fine.
func TestClientNamesRefuseHiddenControls(t *testing.T) {
	ts := newTestServer(t, storetest.SQLiteURL(t))
	a := ts.login("bidi@example.org")
	for _, tc := range []struct {
		body  any
		field string
	}{
		{api.CreateClientRequest{DisplayName: "Robin\u202Eegap", Kind: api.ClientIndividual}, "display_name"},
		{api.CreateClientRequest{DisplayName: "Robin\u2066x\u2069", Kind: api.ClientIndividual}, "display_name"},
		{api.CreateClientRequest{DisplayName: "Robin\u200F", Kind: api.ClientIndividual}, "display_name"},
		{api.CreateClientRequest{DisplayName: "Robin\nSmith", Kind: api.ClientIndividual}, "display_name"},
		{api.CreateClientRequest{DisplayName: "Rob\u2028in", Kind: api.ClientIndividual}, "display_name"},
		{api.CreateClientRequest{DisplayName: "Robin", Kind: api.ClientIndividual, ExternalRef: ptr("MRN\u202E12")}, "external_ref"},
	} {
		res := ts.raw(a, http.MethodPost, "/api/v1/clients", tc.body)
		if res.Status != http.StatusUnprocessableEntity || res.Error().Field != tc.field {
			t.Errorf("%+q: %d %s, want 422 naming %s", tc.body, res.Status, res.Body, tc.field)
		}
	}
	c := ts.createClient(a, "ربيع 🙂 👩\u200D👩\u200D👧 e\u0301", api.ClientCouple)
	res := ts.raw(a, http.MethodPatch, "/api/v1/clients/"+c.ID, api.UpdateClientRequest{DisplayName: ptr("Ash\u202D")})
	if res.Status != http.StatusUnprocessableEntity || res.Error().Field != "display_name" {
		t.Errorf("rename with a bidi override: %d %s", res.Status, res.Body)
	}
	if n := countRows(t, ts.store, "clients"); n != 1 {
		t.Errorf("%d clients stored, want only the valid one", n)
	}
}
