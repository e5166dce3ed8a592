package client

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/shared/note"
	"github.com/sidenote/sidenote/wasm/internal/wire"
)

var (
	at      = time.Date(2026, 3, 10, 15, 4, 5, 120000000, time.UTC)
	later   = at.Add(time.Hour)
	ref     = "EHR-17 <x>"
	clientA = api.Client{ID: "cl-1", DisplayName: "Couple K “pseudonym”", Kind: api.ClientCouple, ExternalRef: &ref, ArchivedAt: &later, CreatedAt: at, UpdatedAt: later}
)

func couple() *api.Anonymous { a := api.AnonymousCouple; return &a }

func fullSession() api.Session {
	cid := "cl-1"
	return api.Session{
		ID: "s-1", Type: api.SessionTelehealth, Status: api.SessionEnded, Client: &clientA, DisplayLabel: clientA.DisplayName, Label: "Tue 4 pm “couple”",
		Consent: api.Consent{Obtained: true, Method: api.ConsentElectronic, RecordedAt: &at}, StartedAt: at, EndedAt: &later,
		NoteStatus: api.NoteSigned, JoinURL: "/join/abc",
		History:   []api.Assignment{{Anonymous: couple(), ChangedAt: at}, {ClientID: &cid, ChangedAt: later}},
		CreatedAt: at, UpdatedAt: later,
	}
}

func anonSession() api.Session {
	return api.Session{ID: "s-2", Type: api.SessionInPerson, Status: api.SessionOpen, Anonymous: couple(), DisplayLabel: "Anonymous couple",
		Consent: api.Consent{Obtained: true, Method: api.ConsentVerbal}, StartedAt: at, CreatedAt: at, UpdatedAt: at}
}

func fullNote() api.Note {
	return api.Note{
		ID: "n-1", SessionID: "s-1", Template: note.SOAP, Status: api.NoteFailed, FailureReason: "timed out", Version: 3, Generator: "builtin",
		Sections: []note.Section{
			{Key: "subjective", Title: "Subjective", Text: "Client reports \"better\" sleep.\nStill tired.", Sources: []note.Span{{Source: "summary", Start: 0, End: 40}},
				Sentences: []note.Sentence{{Start: 0, End: 31, Sources: []note.Span{{Source: "summary", Start: 0, End: 29}}}, {Start: 32, End: 44, Sources: []note.Span{}}}},
			{Key: "objective", Title: "Objective", NotDocumented: true, Sources: []note.Span{}},
			{Key: "homework", Title: "Homework", Aliases: []string{"Between-session tasks", "HW"}, Text: "Keep the log.", Sources: []note.Span{}},
		},
		GeneratorNote: "The model timed out.", RiskMentioned: true,
		LeftOut:  []note.LeftOut{{ID: "s4", Text: "Thanks, see you \"Thursday\".", Reason: note.LeftOutSmallTalk, Sources: []note.Span{{Source: "transcript", Start: 3, End: 30}}}},
		SignedAt: &later, SignedBy: &api.Signer{ID: "c-1", Name: "Dr Zoë O’Brien"}, Addenda: []api.Addendum{{ID: "a-1", Text: "Addendum ✓", CreatedAt: later}}, CreatedAt: at, UpdatedAt: later,
	}
}

// decodeLike parses what encoding/json writes for v and decodes it with fn.
func decodeLike[T any](t *testing.T, v T, fn func(wire.Value) T) T {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := wire.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return fn(parsed)
}

// sameJSON reports whether two JSON texts hold the same values.
func sameJSON(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatalf("%s: %v", a, err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	return reflect.DeepEqual(x, y)
}

func TestSessionCodecMatchesEncodingJSON(t *testing.T) {
	for _, s := range []api.Session{fullSession(), anonSession()} {
		if got := decodeLike(t, s, DecodeSession); !reflect.DeepEqual(got, s) {
			t.Errorf("decode:\n got %+v\nwant %+v", got, s)
		}
		want, _ := json.Marshal(s)
		if got := EncodeSession(s); !sameJSON(t, got, want) {
			t.Errorf("encode:\n got %s\nwant %s", got, want)
		}
	}
	page := api.Page[api.Session]{Items: []api.Session{fullSession(), anonSession()}, NextCursor: "c2"}
	if got := decodeLike(t, page, decodeSessionPage); !reflect.DeepEqual(got, page) {
		t.Errorf("page: %+v", got)
	}
}

func TestClientAndClinicianCodecs(t *testing.T) {
	plain := api.Client{ID: "cl-2", DisplayName: "R", Kind: api.ClientIndividual, CreatedAt: at, UpdatedAt: at}
	for _, c := range []api.Client{clientA, plain} {
		if got := decodeLike(t, c, DecodeClient); !reflect.DeepEqual(got, c) {
			t.Errorf("decode: %+v", got)
		}
		want, _ := json.Marshal(c)
		if !sameJSON(t, EncodeClient(c), want) {
			t.Errorf("encode: %s", EncodeClient(c))
		}
	}
	me := api.Clinician{ID: "c1", Email: "dr@example.test", Name: "Dr R", CreatedAt: at}
	if got := decodeLike(t, me, DecodeClinician); got != me {
		t.Errorf("clinician: %+v", got)
	}
	want, _ := json.Marshal(me)
	if !sameJSON(t, EncodeClinician(me), want) {
		t.Error("clinician encode differs")
	}
	cp := api.Page[api.Client]{Items: []api.Client{plain}, NextCursor: ""}
	if got := decodeLike(t, cp, decodeClientPage); !reflect.DeepEqual(got, cp) {
		t.Errorf("client page: %+v", got)
	}
}

func TestNoteCodecMatchesEncodingJSON(t *testing.T) {
	n := fullNote()
	if got := decodeLike(t, n, DecodeNote); !reflect.DeepEqual(got, n) {
		t.Errorf("decode:\n got %+v\nwant %+v", got, n)
	}
	gen := api.Note{ID: "n-2", Status: api.NoteGenerating, CreatedAt: at, UpdatedAt: at}
	if got := decodeLike(t, gen, DecodeNote); !reflect.DeepEqual(got, gen) {
		t.Errorf("generating note: %+v", got)
	}
	list := []api.Note{n, gen}
	if got := decodeLike(t, list, decodeNotes); !reflect.DeepEqual(got, list) {
		t.Error("note list differs")
	}
	page := api.Page[api.Note]{Items: list}
	if got := decodeLike(t, page, func(v wire.Value) api.Page[api.Note] { return api.Page[api.Note]{Items: decodeNotes(v)} }); !reflect.DeepEqual(got, page) {
		t.Error("note page differs")
	}
}

func TestRecordingCodecMatchesEncodingJSON(t *testing.T) {
	kept := api.Recording{ContentType: "audio/webm", SizeBytes: 3 << 30, SHA256: "ab12", TranscriptionStatus: "failed",
		TranscriptionError: "The speech service timed out.", UploadedAt: at, Keep: true}
	deleted := api.Recording{ContentType: "audio/ogg", SizeBytes: 1000, SHA256: "cd34", TranscriptionStatus: "done",
		UploadedAt: at, DeleteAfter: &later, DeletedAt: &later}
	chunked := api.Recording{ContentType: "audio/webm", SizeBytes: 4096, TranscriptionStatus: "not_configured", UploadedAt: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), Chunks: 7}
	for _, r := range []api.Recording{kept, deleted, chunked} {
		if got := decodeLike(t, r, DecodeRecording); !reflect.DeepEqual(got, r) {
			t.Errorf("decode:\n got %+v\nwant %+v", got, r)
		}
	}
}

func TestRequestBodiesMatchEncodingJSON(t *testing.T) {
	cid, ext := "cl-1", "EHR-1"
	started := at
	cases := []struct {
		name string
		got  []byte
		want any
	}{
		{"create session, anonymous", encodeCreateSession(api.CreateSessionRequest{Type: api.SessionInPerson, Anonymous: couple(), Consent: &api.Consent{Obtained: true, Method: api.ConsentVerbal}}),
			api.CreateSessionRequest{Type: api.SessionInPerson, Anonymous: couple(), Consent: &api.Consent{Obtained: true, Method: api.ConsentVerbal}}},
		{"create session, client", encodeCreateSession(api.CreateSessionRequest{Type: api.SessionTelehealth, ClientID: &cid, Consent: &api.Consent{Obtained: true, Method: api.ConsentWritten}, StartedAt: &started}),
			api.CreateSessionRequest{Type: api.SessionTelehealth, ClientID: &cid, Consent: &api.Consent{Obtained: true, Method: api.ConsentWritten}, StartedAt: &started}},
		{"end session", encodeEndSession(api.EndSessionRequest{ClientID: &cid}), api.EndSessionRequest{ClientID: &cid}},
		{"end anonymous", encodeEndSession(api.EndSessionRequest{Anonymous: couple()}), api.EndSessionRequest{Anonymous: couple()}},
		{"create client", encodeCreateClient(api.CreateClientRequest{DisplayName: "K", Kind: api.ClientCouple, ExternalRef: &ext}), api.CreateClientRequest{DisplayName: "K", Kind: api.ClientCouple, ExternalRef: &ext}},
		{"keep recording", encodeRecordingSettings(true), api.RecordingSettingsRequest{Keep: new(true)}},
		{"let recording go", encodeRecordingSettings(false), api.RecordingSettingsRequest{Keep: new(false)}},
		{"sign note", encodeSignNote(api.SignNoteRequest{Version: 3}), api.SignNoteRequest{Version: 3}},
		{"sign and end", encodeSignNote(api.SignNoteRequest{Version: 3, EndSession: &api.EndSessionRequest{Anonymous: couple()}}),
			api.SignNoteRequest{Version: 3, EndSession: &api.EndSessionRequest{Anonymous: couple()}}},
		{"place left out", encodePlaceLeftOut(api.PlaceLeftOutRequest{Version: 4, Section: "plan"}), api.PlaceLeftOutRequest{Version: 4, Section: "plan"}},
		{"update note", encodeUpdateNote(api.UpdateNoteRequest{Version: 2, Sections: []api.SectionEdit{{Key: "plan", Text: "Plan <b>\n"}}}),
			api.UpdateNoteRequest{Version: 2, Sections: []api.SectionEdit{{Key: "plan", Text: "Plan <b>\n"}}}},
	}
	for _, c := range cases {
		want, _ := json.Marshal(c.want)
		if !sameJSON(t, c.got, want) {
			t.Errorf("%s:\n got %s\nwant %s", c.name, c.got, want)
		}
	}
}

func TestErrorBodyAndProviders(t *testing.T) {
	e := api.ErrorBody{Error: api.Error{Code: "invalid_field", Message: "Display name is required.", Field: "display_name"}}
	if got := decodeLike(t, e, func(v wire.Value) api.ErrorBody { return api.ErrorBody{Error: decodeAPIError(v)} }); got != e {
		t.Errorf("error body: %+v", got)
	}
	ps := []api.AuthProvider{{ID: "google", Name: "Google"}}
	raw, _ := json.Marshal(ps)
	v, _ := wire.Parse(raw)
	if got := decodeProviders(v); len(got) != 1 || got[0] != (Provider{ID: "google", Name: "Google"}) {
		t.Errorf("providers: %+v", got)
	}
}
