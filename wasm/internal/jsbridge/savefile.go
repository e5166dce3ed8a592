//go:build js && wasm

package jsbridge

import "syscall/js"

// SaveBytes offers data to the clinician as a downloaded file named name,
// through a Blob of type contentType.
func SaveBytes(data []byte, name, contentType string) bool {
	g := js.Global()
	arr := g.Get("Uint8Array").New(len(data))
	js.CopyBytesToJS(arr, data)
	blob := g.Get("Blob").New([]any{arr}, map[string]any{"type": contentType})
	return Download(NewBlob(blob, name), name)
}
