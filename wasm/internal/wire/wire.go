// Package wire reads and writes JSON without reflection. encoding/json
// (with reflect and fmt behind it) is about 0.4 MB of the compressed
// WebAssembly binary on its own; the sidebar knows its few message types, so
// it parses JSON into a small tree and writes it with a builder instead.
package wire

import (
	"errors"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/sidenote/sidenote/wasm/internal/stamp"
)

// Kind is the type of a JSON value.
type Kind byte

const (
	Null Kind = iota // also a missing value
	Bool
	Number
	String
	Array
	Object
)

// Value is a parsed JSON value. The zero Value is null.
type Value struct {
	kind Kind
	b    bool
	num  float64
	str  string
	arr  []Value
	obj  []member
}

type member struct {
	key string
	val Value
}

// Kind returns the value's type.
func (v Value) Kind() Kind { return v.kind }

// Get returns the member key of an object; null when absent or when v is not
// an object.
//
// Not inlined: the codecs call Get at some hundred sites, and inlining its
// loop at each was 16 KB of the compressed WebAssembly binary.
//
//go:noinline
func (v Value) Get(key string) Value {
	for i := range v.obj {
		if v.obj[i].key == key {
			return v.obj[i].val
		}
	}
	return Value{}
}

// Has reports whether an object has the member key.
func (v Value) Has(key string) bool {
	for i := range v.obj {
		if v.obj[i].key == key {
			return true
		}
	}
	return false
}

// Keys returns an object's member names in document order.
func (v Value) Keys() []string {
	out := make([]string, len(v.obj))
	for i := range v.obj {
		out[i] = v.obj[i].key
	}
	return out
}

// Items returns an array's elements; nil for anything else.
func (v Value) Items() []Value { return v.arr }

// Str returns a string value, "" for anything else.
func (v Value) Str() string { return v.str }

// StrPtr returns a pointer to a string value, nil for null or absent.
func (v Value) StrPtr() *string {
	if v.kind != String {
		return nil
	}
	s := v.str
	return &s
}

// Float returns a number, 0 for anything else.
func (v Value) Float() float64 { return v.num }

// Int returns a number as an int.
func (v Value) Int() int { return int(v.num) }

// Bool returns a boolean, false for anything else.
func (v Value) Bool() bool { return v.b }

// Time parses an RFC 3339 string; the zero time for anything else.
func (v Value) Time() time.Time {
	t, _ := stamp.ParseRFC3339(v.str)
	return t
}

// TimePtr is Time for optional fields: nil for null or absent.
func (v Value) TimePtr() *time.Time {
	if v.kind != String {
		return nil
	}
	t := v.Time()
	return &t
}

// ErrSyntax reports malformed JSON.
var ErrSyntax = errors.New("malformed JSON")

// maxDepth bounds nesting, so hostile input cannot exhaust the stack.
const maxDepth = 200

// Parse parses one JSON document.
func Parse(data []byte) (Value, error) {
	p := parser{s: data}
	p.space()
	v, err := p.value(0)
	if err != nil {
		return Value{}, err
	}
	p.space()
	if p.i != len(p.s) {
		return Value{}, ErrSyntax
	}
	return v, nil
}

type parser struct {
	s []byte
	i int
}

func (p *parser) space() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *parser) literal(word string) bool {
	if len(p.s)-p.i >= len(word) && string(p.s[p.i:p.i+len(word)]) == word {
		p.i += len(word)
		return true
	}
	return false
}

func (p *parser) value(depth int) (Value, error) {
	if depth > maxDepth || p.i >= len(p.s) {
		return Value{}, ErrSyntax
	}
	switch c := p.s[p.i]; {
	case c == '{':
		return p.object(depth)
	case c == '[':
		return p.array(depth)
	case c == '"':
		s, err := p.string()
		return Value{kind: String, str: s}, err
	case c == 't':
		if p.literal("true") {
			return Value{kind: Bool, b: true}, nil
		}
	case c == 'f':
		if p.literal("false") {
			return Value{kind: Bool}, nil
		}
	case c == 'n':
		if p.literal("null") {
			return Value{}, nil
		}
	case c == '-' || ('0' <= c && c <= '9'):
		return p.number()
	}
	return Value{}, ErrSyntax
}

func (p *parser) object(depth int) (Value, error) {
	p.i++ // {
	v := Value{kind: Object, obj: []member{}}
	p.space()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		return v, nil
	}
	for {
		p.space()
		if p.i >= len(p.s) || p.s[p.i] != '"' {
			return Value{}, ErrSyntax
		}
		key, err := p.string()
		if err != nil {
			return Value{}, err
		}
		p.space()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return Value{}, ErrSyntax
		}
		p.i++
		p.space()
		val, err := p.value(depth + 1)
		if err != nil {
			return Value{}, err
		}
		v.obj = append(v.obj, member{key, val})
		done, err := p.next('}')
		if err != nil {
			return Value{}, err
		}
		if done {
			return v, nil
		}
	}
}

func (p *parser) array(depth int) (Value, error) {
	p.i++ // [
	v := Value{kind: Array, arr: []Value{}}
	p.space()
	if p.i < len(p.s) && p.s[p.i] == ']' {
		p.i++
		return v, nil
	}
	for {
		p.space()
		item, err := p.value(depth + 1)
		if err != nil {
			return Value{}, err
		}
		v.arr = append(v.arr, item)
		done, err := p.next(']')
		if err != nil {
			return Value{}, err
		}
		if done {
			return v, nil
		}
	}
}

// next consumes what follows a member or an item: a comma, or closing,
// which ends the object or array (done).
func (p *parser) next(closing byte) (done bool, err error) {
	p.space()
	if p.i >= len(p.s) {
		return false, ErrSyntax
	}
	switch p.s[p.i] {
	case ',':
		p.i++
		return false, nil
	case closing:
		p.i++
		return true, nil
	}
	return false, ErrSyntax
}

func (p *parser) number() (Value, error) {
	start := p.i
	if p.s[p.i] == '-' {
		p.i++
	}
	digits := func() int {
		n := 0
		for p.i < len(p.s) && '0' <= p.s[p.i] && p.s[p.i] <= '9' {
			p.i++
			n++
		}
		return n
	}
	if digits() == 0 {
		return Value{}, ErrSyntax
	}
	if p.i < len(p.s) && p.s[p.i] == '.' {
		p.i++
		if digits() == 0 {
			return Value{}, ErrSyntax
		}
	}
	if p.i < len(p.s) && (p.s[p.i] == 'e' || p.s[p.i] == 'E') {
		p.i++
		if p.i < len(p.s) && (p.s[p.i] == '+' || p.s[p.i] == '-') {
			p.i++
		}
		if digits() == 0 {
			return Value{}, ErrSyntax
		}
	}
	f, ok := toFloat(p.s[start:p.i])
	if !ok {
		return Value{}, ErrSyntax
	}
	return Value{kind: Number, num: f}, nil
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		r <<= 4
		switch {
		case '0' <= c && c <= '9':
			r |= rune(c - '0')
		case 'a' <= c && c <= 'f':
			r |= rune(c - 'a' + 10)
		case 'A' <= c && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, false
		}
	}
	return r, true
}

func (p *parser) string() (string, error) {
	p.i++ // opening quote
	start := p.i
	// Fast path: no escapes.
	for p.i < len(p.s) {
		c := p.s[p.i]
		if c == '"' {
			s := p.s[start:p.i]
			p.i++
			if utf8.Valid(s) {
				return string(s), nil
			}
			return string([]rune(string(s))), nil // invalid bytes become U+FFFD
		}
		if c == '\\' || c < 0x20 {
			break
		}
		p.i++
	}
	out := append([]byte(nil), p.s[start:p.i]...)
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			if !utf8.Valid(out) {
				return string([]rune(string(out))), nil
			}
			return string(out), nil
		case c < 0x20:
			return "", ErrSyntax
		case c != '\\':
			out = append(out, c)
			p.i++
			continue
		}
		p.i++ // backslash
		if p.i >= len(p.s) {
			return "", ErrSyntax
		}
		e := p.s[p.i]
		p.i++
		switch e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := hex4(p.s[p.i:])
			if !ok {
				return "", ErrSyntax
			}
			p.i += 4
			if utf16.IsSurrogate(r) {
				r2, ok := rune(0), false
				if len(p.s)-p.i >= 6 && p.s[p.i] == '\\' && p.s[p.i+1] == 'u' {
					r2, ok = hex4(p.s[p.i+2:])
				}
				if dec := utf16.DecodeRune(r, r2); ok && dec != utf8.RuneError {
					p.i += 6
					r = dec
				} else {
					r = utf8.RuneError
				}
			}
			out = utf8.AppendRune(out, r)
		default:
			return "", ErrSyntax
		}
	}
	return "", ErrSyntax
}
