//go:build js && wasm

package jsbridge

import (
	"strings"
	"syscall/js"
)

// Storage is app.Storage over a Web Storage object (localStorage). A quota
// or privacy-mode failure is reported by Set, never panics.
type Storage struct{ s js.Value }

// NewStorage wraps a Storage-like object: getItem, setItem, removeItem, key,
// length.
func NewStorage(s js.Value) *Storage { return &Storage{s: s} }

// LocalStorage returns the page's localStorage, or nil when the browser
// refuses access to it.
func LocalStorage() (st *Storage) {
	defer func() {
		if recover() != nil {
			st = nil
		}
	}()
	ls := js.Global().Get("localStorage")
	if ls.IsUndefined() || ls.IsNull() {
		return nil
	}
	return NewStorage(ls)
}

func (s *Storage) Get(key string) (string, bool) {
	v := s.s.Call("getItem", key)
	if v.Type() != js.TypeString {
		return "", false
	}
	return v.String(), true
}

func (s *Storage) Set(key, value string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if je, ok := r.(js.Error); ok {
				err = toError(je.Value)
				return
			}
			panic(r)
		}
	}()
	s.s.Call("setItem", key, value)
	return nil
}

func (s *Storage) Remove(key string) { s.s.Call("removeItem", key) }

func (s *Storage) Keys(prefix string) []string {
	var out []string
	n := s.s.Get("length").Int()
	for i := 0; i < n; i++ {
		k := s.s.Call("key", i)
		if k.Type() == js.TypeString && strings.HasPrefix(k.String(), prefix) {
			out = append(out, k.String())
		}
	}
	return out
}

// MemoryStorage keeps strings in memory, for browsers that refuse
// localStorage: drafts then last as long as the page.
type MemoryStorage struct{ m map[string]string }

func NewMemoryStorage() *MemoryStorage { return &MemoryStorage{m: map[string]string{}} }

func (s *MemoryStorage) Get(k string) (string, bool) { v, ok := s.m[k]; return v, ok }
func (s *MemoryStorage) Set(k, v string) error       { s.m[k] = v; return nil }
func (s *MemoryStorage) Remove(k string)             { delete(s.m, k) }
func (s *MemoryStorage) Keys(prefix string) []string {
	var out []string
	for k := range s.m {
		if strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
	}
	return out
}
