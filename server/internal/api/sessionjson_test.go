package api

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/sidenote/sidenote/shared/api"
)

// awkwardText needs every kind of escaping encoding/json does: quotes,
// backslash, control characters, HTML characters, U+2028/U+2029, invalid
// UTF-8, and multi-byte text that must pass through untouched.
const awkwardText = "Ré \"Q\" \\ <b>&amp;</b>\x00\x01\x1f\t\n\r\b\f\u2028\u2029\xff\xc3 ✓ 日本"

// fill sets every field reachable from v to a non-zero value, so that a
// field added to the shared/api types later shows up in json.Marshal's
// output and fails the comparison until appendSessionPage writes it too.
func fill(t *testing.T, v reflect.Value, at time.Time) {
	t.Helper()
	if v.Type() == reflect.TypeFor[time.Time]() {
		v.Set(reflect.ValueOf(at))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(awkwardText)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(7)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(t, v.Elem(), at)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fill(t, v.Index(i), at)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			fill(t, v.Field(i), at)
		}
	default:
		t.Fatalf("fill does not know how to set a %s (%s): teach it", v.Kind(), v.Type())
	}
}

func assertSameJSON(t *testing.T, page api.Page[api.Session]) {
	t.Helper()
	want, err := json.Marshal(page)
	if err != nil {
		t.Fatal(err)
	}
	got := appendSessionPage(nil, &page)
	if !bytes.Equal(got, want) {
		t.Fatalf("appendSessionPage differs from json.Marshal\n got: %s\nwant: %s", got, want)
	}
}

func TestSessionPageJSONMatchesEncodingJSON(t *testing.T) {
	paris := time.FixedZone("Europe/Paris", 3600)
	full := func(at time.Time) api.Session {
		var s api.Session
		fill(t, reflect.ValueOf(&s).Elem(), at)
		return s
	}
	anonymous := api.AnonymousCouple
	minimal := api.Session{ // what an anonymous session without a note looks like
		ID: "0193a1b2-0000-7000-8000-000000000001", Type: api.SessionInPerson, Status: api.SessionEnded,
		Anonymous: &anonymous, DisplayLabel: anonymous.Label(),
		Consent:   api.Consent{Obtained: true, Method: api.ConsentVerbal},
		StartedAt: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC),
	}
	cases := map[string]api.Page[api.Session]{
		"every field set, UTC":                 {Items: []api.Session{full(time.Date(2026, 11, 25, 9, 30, 0, 123456000, time.UTC))}, NextCursor: "c"},
		"every field set, offset, no fraction": {Items: []api.Session{full(time.Date(2026, 1, 2, 3, 4, 5, 0, paris))}},
		"zero values":                          {Items: []api.Session{{}}},
		"minimal and full together":            {Items: []api.Session{minimal, full(time.Date(2026, 6, 1, 0, 0, 0, 1, time.UTC)), minimal}, NextCursor: "bmV4dA"},
		"empty page":                           {Items: []api.Session{}},
		"nil items":                            {},
	}
	for name, page := range cases {
		t.Run(name, func(t *testing.T) { assertSameJSON(t, page) })
	}
}

func FuzzSessionPageJSON(f *testing.F) {
	f.Add("Client 1", "EHR-42", "bmV4dA", int64(0))
	f.Add(awkwardText, "", "", int64(1764063000123456789))
	f.Add("\xed\xa0\x80 surrogate", "\u2028", "<script>", int64(-62135596800))
	f.Fuzz(func(t *testing.T, name, ref, cursor string, unixNano int64) {
		at := time.Unix(0, unixNano).UTC()
		if at.Year() < 0 || at.Year() > 9999 {
			t.Skip("outside the years time.Time.MarshalJSON accepts")
		}
		kind := api.ClientKind(name)
		session := api.Session{
			ID: name, DisplayLabel: name, StartedAt: at, CreatedAt: at, UpdatedAt: at,
			Client:  &api.Client{ID: ref, DisplayName: name, Kind: kind, ExternalRef: &ref, ArchivedAt: &at, CreatedAt: at, UpdatedAt: at},
			Consent: api.Consent{Method: api.ConsentMethod(ref), RecordedAt: &at},
		}
		assertSameJSON(t, api.Page[api.Session]{Items: []api.Session{session}, NextCursor: cursor})
	})
}

// BenchmarkSessionPageJSON compares the hand encoder with encoding/json on
// a page of 50 assigned sessions.
func BenchmarkSessionPageJSON(b *testing.B) {
	at := time.Date(2026, 11, 25, 9, 30, 0, 123456000, time.UTC)
	page := api.Page[api.Session]{NextCursor: "MjAyNi0xMS0yNVQwOTozMDowMC4xMjM0NTZaADAxOTNhMWIy"}
	for range 50 {
		ref := "EHR-1234"
		page.Items = append(page.Items, api.Session{
			ID: "0193a1b2-0000-7000-8000-000000000001", Type: api.SessionInPerson, Status: api.SessionEnded,
			Client:       &api.Client{ID: "0193a1b2-0000-7000-8000-000000000002", DisplayName: "Client 7", Kind: api.ClientIndividual, ExternalRef: &ref, CreatedAt: at, UpdatedAt: at},
			DisplayLabel: "Client 7", Consent: api.Consent{Obtained: true, Method: api.ConsentVerbal, RecordedAt: &at},
			StartedAt: at, EndedAt: &at, NoteStatus: api.NoteSigned, CreatedAt: at, UpdatedAt: at,
		})
	}
	b.Run("append", func(b *testing.B) {
		var buf []byte
		for b.Loop() {
			buf = appendSessionPage(buf[:0], &page)
		}
		b.SetBytes(int64(len(buf)))
	})
	b.Run("encoding_json", func(b *testing.B) {
		var n int
		for b.Loop() {
			out, _ := json.Marshal(page)
			n = len(out)
		}
		b.SetBytes(int64(n))
	})
}

// TestUTCTimeMatchesAppendFormat checks the fast path against the standard
// formatter at the edges of its range, around leap days and century
// years, and at random instants.
func TestUTCTimeMatchesAppendFormat(t *testing.T) {
	check := func(at time.Time) {
		t.Helper()
		want := at.AppendFormat(nil, `"`+time.RFC3339Nano+`"`)
		if got := appendJSONTime(nil, at); !bytes.Equal(got, want) {
			t.Fatalf("%v: got %s, want %s", at.UnixNano(), got, want)
		}
	}
	for _, y := range []int{0, 1, 4, 99, 100, 400, 1600, 1700, 1900, 1969, 1970, 2000, 2024, 2026, 2100, 9999} {
		for _, md := range [][2]int{{1, 1}, {2, 28}, {2, 29}, {3, 1}, {12, 31}} {
			for _, ns := range []int{0, 1, 10, 120000000, 999999999} {
				check(time.Date(y, time.Month(md[0]), md[1], 0, 0, 0, ns, time.UTC))
				check(time.Date(y, time.Month(md[0]), md[1], 23, 59, 59, ns, time.UTC))
			}
		}
	}
	check(time.Date(2026, 11, 25, 9, 30, 0, 0, time.FixedZone("UTC+0", 0)))
	check(time.Date(2026, 11, 25, 9, 30, 0, 0, time.FixedZone("CET", 3600)))
	check(time.Date(-1, 12, 31, 23, 59, 59, 0, time.UTC))
	check(time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC))
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200000 {
		check(time.Unix(unixOfYear0+rng.Int64N(unixOfYear10000-unixOfYear0), rng.Int64N(1e9)).UTC())
	}
}
