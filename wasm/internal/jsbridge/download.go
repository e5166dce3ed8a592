//go:build js && wasm

package jsbridge

import (
	"syscall/js"

	"github.com/sidenote/sidenote/wasm/internal/client"
)

// Download saves a Blob the browser holds as a file named name, through an
// object URL and an <a download>: the bytes never pass through Go memory.
// It reports false when b is not a browser Blob.
func Download(b client.Blob, name string) bool {
	jb, ok := b.(*Blob)
	if !ok {
		return false
	}
	g := js.Global()
	url := g.Get("URL").Call("createObjectURL", jb.v)
	doc := g.Get("document")
	a := doc.Call("createElement", "a")
	a.Set("href", url)
	a.Set("download", name)
	a.Get("style").Set("display", "none")
	doc.Get("body").Call("appendChild", a)
	a.Call("click")
	a.Call("remove")
	// The download has started by then; the URL would keep the audio in
	// memory after the recording is discarded.
	u := g.Get("URL")
	g.Call("setTimeout", u.Get("revokeObjectURL").Call("bind", u, url), 60000)
	return true
}
