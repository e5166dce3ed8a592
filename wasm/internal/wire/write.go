package wire

import (
	"strconv"
	"time"
	"unicode/utf8"
)

// Obj builds a JSON object. Methods append members in call order.
type Obj struct {
	b []byte
}

// NewObj starts an object.
func NewObj() *Obj { return &Obj{b: []byte{'{'}} }

func (o *Obj) key(k string) *Obj {
	if len(o.b) > 1 {
		o.b = append(o.b, ',')
	}
	o.b = AppendString(o.b, k)
	o.b = append(o.b, ':')
	return o
}

// Str adds a string member.
func (o *Obj) Str(k, v string) *Obj {
	o.key(k)
	o.b = AppendString(o.b, v)
	return o
}

// StrOmit adds a string member unless it is empty (omitempty).
func (o *Obj) StrOmit(k, v string) *Obj {
	if v == "" {
		return o
	}
	return o.Str(k, v)
}

// StrPtr adds a string member, null when v is nil.
func (o *Obj) StrPtr(k string, v *string) *Obj {
	if v == nil {
		return o.Raw(k, []byte("null"))
	}
	return o.Str(k, *v)
}

// Int adds a number member.
func (o *Obj) Int(k string, v int) *Obj {
	o.key(k)
	o.b = strconv.AppendInt(o.b, int64(v), 10)
	return o
}

// Float adds a number member.
func (o *Obj) Float(k string, v float64) *Obj {
	o.key(k)
	o.b = strconv.AppendFloat(o.b, v, 'g', -1, 64)
	return o
}

// Bool adds a boolean member.
func (o *Obj) Bool(k string, v bool) *Obj {
	o.key(k)
	o.b = strconv.AppendBool(o.b, v)
	return o
}

// Time adds an RFC 3339 time member, as encoding/json writes it.
func (o *Obj) Time(k string, t time.Time) *Obj {
	o.key(k)
	o.b = append(o.b, '"')
	o.b = t.AppendFormat(o.b, time.RFC3339Nano)
	o.b = append(o.b, '"')
	return o
}

// TimePtr adds a time member, null when t is nil.
func (o *Obj) TimePtr(k string, t *time.Time) *Obj {
	if t == nil {
		return o.Raw(k, []byte("null"))
	}
	return o.Time(k, *t)
}

// Raw adds a member whose value is already JSON.
func (o *Obj) Raw(k string, raw []byte) *Obj {
	o.key(k)
	o.b = append(o.b, raw...)
	return o
}

// Bytes closes the object and returns it.
func (o *Obj) Bytes() []byte { return append(o.b, '}') }

// List writes a JSON array of n elements, each written by item.
func List(n int, item func(i int) []byte) []byte {
	b := []byte{'['}
	for i := 0; i < n; i++ {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, item(i)...)
	}
	return append(b, ']')
}

// StringMap writes m as a JSON object, keys sorted as encoding/json sorts
// them. The maps are a note's sections, a handful of keys, so the keys are
// sorted as they are collected: slices.Sort's pdqsort is several KB of the
// compressed WebAssembly binary.
func StringMap(m map[string]string) []byte {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
		for i := len(keys) - 1; i > 0 && keys[i] < keys[i-1]; i-- {
			keys[i], keys[i-1] = keys[i-1], keys[i]
		}
	}
	o := NewObj()
	for _, k := range keys {
		o.Str(k, m[k])
	}
	return o.Bytes()
}

const hexDigits = "0123456789abcdef"

// AppendString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD, as
// encoding/json does; <, > and & are escaped likewise, so the output is the
// same bytes.
func AppendString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20 || c == '<' || c == '>' || c == '&':
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&15])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&15])
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
