//go:build js && wasm

// Command matcher is the field matcher (shared/match) compiled to
// WebAssembly for the extension's service worker. It installs
// globalThis.sidenoteMatch(requestJSON) → planJSON and stays alive.
//
// A failed request returns {"error":"..."} rather than throwing, so the
// service worker has one shape to check.
package main

import (
	"encoding/json"
	"syscall/js"

	"github.com/sidenote/sidenote/shared/match"
)

func main() {
	js.Global().Set("sidenoteMatch", js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) != 1 || args[0].Type() != js.TypeString {
			return errorJSON("sidenoteMatch takes one JSON string")
		}
		return handle(args[0].String())
	}))
	js.Global().Set("sidenotePathPattern", js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) != 1 || args[0].Type() != js.TypeString {
			return "/"
		}
		return match.PathPattern(args[0].String())
	}))
	select {}
}

func handle(requestJSON string) string {
	var req match.Request
	if err := json.Unmarshal([]byte(requestJSON), &req); err != nil {
		return errorJSON("malformed match request: " + err.Error())
	}
	plan, err := match.Run(req)
	if err != nil {
		return errorJSON(err.Error())
	}
	out, err := json.Marshal(plan)
	if err != nil {
		return errorJSON(err.Error())
	}
	return string(out)
}

func errorJSON(msg string) string {
	out, _ := json.Marshal(map[string]string{"error": msg})
	return string(out)
}
