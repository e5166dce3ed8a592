//go:build js && wasm

package main

import "syscall/js"

// Small readers of the DOM the event handlers share.

func dataArg(el js.Value) string {
	if a := el.Get("dataset").Get("arg"); a.Type() == js.TypeString {
		return a.String()
	}
	return ""
}

// atoi reads a small decimal number; strconv.Atoi would link strconv's
// quoting tables (for its errors) into the binary.
func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

func value(id string) string {
	if el := byID(id); !el.IsNull() {
		return el.Get("value").String()
	}
	return ""
}

func checked(id string) bool {
	el := byID(id)
	return !el.IsNull() && el.Get("checked").Bool()
}

func radio(name string) string {
	el := doc.Call("querySelector", `input[name="`+name+`"]:checked`)
	if el.IsNull() {
		return ""
	}
	return el.Get("value").String()
}
