//go:build js && wasm

// Command matcher is the field matcher (shared/match) compiled to
// WebAssembly for the extension's service worker. It installs
// globalThis.sidenoteMatch(request) → plan, on plain JavaScript objects
// shaped like match.Request and match.Plan (their JSON field names), and
// globalThis.sidenotePathPattern(path) → pattern, then stays alive.
//
// It reads and writes JavaScript values directly instead of going through
// encoding/json: that keeps the binary about a third smaller, and the
// service worker compiles it every time it wakes. A failed request returns
// {error: "..."} rather than throwing, so the caller has one shape to check.
package main

import (
	"syscall/js"

	"github.com/sidenote/sidenote/shared/match"
)

func main() {
	js.Global().Set("sidenoteMatch", js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) != 1 || args[0].Type() != js.TypeObject {
			return errorObject("sidenoteMatch takes one request object")
		}
		plan, err := match.Run(decodeRequest(args[0]))
		if err != nil {
			return errorObject(err.Error())
		}
		return encodePlan(plan)
	}))
	js.Global().Set("sidenotePathPattern", js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) != 1 || args[0].Type() != js.TypeString {
			return "/"
		}
		return match.PathPattern(args[0].String())
	}))
	select {}
}

func errorObject(msg string) map[string]any {
	return map[string]any{"error": msg}
}
