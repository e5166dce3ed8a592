package wire

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"
	"time"
)

// toAny converts a Value to what encoding/json decodes into an interface.
func toAny(v Value) any {
	switch v.Kind() {
	case Bool:
		return v.Bool()
	case Number:
		return v.Float()
	case String:
		return v.Str()
	case Array:
		out := []any{}
		for _, it := range v.Items() {
			out = append(out, toAny(it))
		}
		return out
	case Object:
		out := map[string]any{}
		for _, k := range v.Keys() {
			out[k] = toAny(v.Get(k))
		}
		return out
	}
	return nil
}

func TestParseAgreesWithEncodingJSON(t *testing.T) {
	docs := []string{
		`null`, `true`, `false`, `0`, `-12.5e3`, `1E-2`, `""`, `"plain"`,
		`"esc \" \\ \/ \b \f \n \r \t"`, `"\u00e9\u2713 \ud83d\ude00"`, `"lone \ud800 surrogate"`,
		`[]`, `{}`, ` { "a" : [1, {"b": null}, "c"] , "d": {"e": true} } `,
		`{"text":"Client reports “better” sleep.\nPlan: continue."}`,
		`"raw ✓ ünïcode"`,
	}
	for _, d := range docs {
		var want any
		if err := json.Unmarshal([]byte(d), &want); err != nil {
			t.Fatalf("%s: %v", d, err)
		}
		v, err := Parse([]byte(d))
		if err != nil {
			t.Errorf("%s: %v", d, err)
			continue
		}
		if got := toAny(v); !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %#v\nwant %#v", d, got, want)
		}
	}
}

func TestParseRejectsMalformed(t *testing.T) {
	for _, d := range []string{``, `{`, `[1,]`, `{"a"}`, `{"a":1,}`, `tru`, `01x`, `-`, `1.`, `1e`, `"unterminated`, "\"ctl \x01\"", `"\x"`, `"\u12"`, `[1] 2`, `{a:1}`} {
		if _, err := Parse([]byte(d)); err == nil {
			t.Errorf("%q parsed", d)
		}
	}
	deep := make([]byte, 0, 1000)
	for range 500 {
		deep = append(deep, '[')
	}
	if _, err := Parse(deep); err == nil {
		t.Error("unbounded nesting parsed")
	}
}

func TestInvalidUTF8BecomesReplacementCharacter(t *testing.T) {
	v, err := Parse([]byte("\"a\xffb\""))
	if err != nil || v.Str() != "a\uFFFDb" {
		t.Errorf("got %q, %v", v.Str(), err)
	}
}

func TestStringMapMatchesEncodingJSON(t *testing.T) {
	for _, m := range []map[string]string{
		nil, {}, {"only": "one"},
		{"subjective": "Client reports <better> sleep.", "objective": "Calm, \"engaged\".", "assessment": "é ✓", "plan": "Continue.\n", "Zeta": "", "a": "x", "ab": "y", "": "empty key"},
	} {
		want, _ := json.Marshal(m)
		if m == nil {
			want = []byte("{}")
		}
		if got := StringMap(m); string(got) != string(want) {
			t.Errorf("got %s\nwant %s", got, want)
		}
	}
}

func TestWriterMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{"", "plain", "quote \" backslash \\", "tab\tnewline\nreturn\r", "ctl \x01\x1f", "<b>&amp;</b>", "é ✓ 😀", "bad \xff byte", "line\u2028sep\u2029"} {
		want, _ := json.Marshal(s)
		if got := AppendString(nil, s); string(got) != string(want) {
			t.Errorf("%q: got %s want %s", s, got, want)
		}
	}
	at := time.Date(2026, 3, 10, 15, 4, 5, 123000000, time.FixedZone("", 3600))
	got := NewObj().Str("s", "x").StrOmit("empty", "").StrPtr("nil", nil).Int("n", -3).Float("f", 0.1).Float("big", math.MaxFloat64).
		Bool("b", true).Time("t", at).TimePtr("tn", nil).Raw("r", List(2, func(i int) []byte { return []byte{'1' + byte(i)} })).Bytes()
	var m map[string]any
	if err := json.Unmarshal(got, &m); err != nil {
		t.Fatalf("%s: %v", got, err)
	}
	wantT, _ := json.Marshal(at)
	if m["s"] != "x" || m["nil"] != nil || m["n"] != -3.0 || m["f"] != 0.1 || m["big"] != math.MaxFloat64 || m["b"] != true ||
		`"`+m["t"].(string)+`"` != string(wantT) || len(m["r"].([]any)) != 2 {
		t.Errorf("object = %s", got)
	}
	if _, has := m["empty"]; has {
		t.Error("StrOmit wrote an empty string")
	}
	v, _ := Parse(got)
	if !v.Get("t").Time().Equal(at) || v.Get("tn").TimePtr() != nil || v.Get("nil").StrPtr() != nil || *v.Get("s").StrPtr() != "x" {
		t.Errorf("read back: %s", got)
	}
}
