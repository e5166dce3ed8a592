//go:build js && wasm

package jsbridge

import (
	"context"
	"errors"
	"strings"
	"syscall/js"

	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/wasm/internal/client"
)

// Fetch is a client.Transport over the browser's fetch, and over
// XMLHttpRequest for uploads, whose progress fetch cannot report.
type Fetch struct {
	// Credentials is fetch's credentials mode: "same-origin" on /app (the
	// session cookie), "omit" in the extension (bearer token only).
	Credentials string
}

var errAborted = errors.New("request aborted")

func headers(req *client.Request) js.Value {
	h := js.Global().Get("Object").New()
	for k, v := range req.Header {
		h.Set(k, v)
	}
	if req.ContentType != "" {
		h.Set("Content-Type", req.ContentType)
	}
	h.Set("Accept", "application/json")
	return h
}

// Do sends req and reads the whole response body.
func (f Fetch) Do(ctx context.Context, req *client.Request) (*client.Response, error) {
	if req.Blob != nil {
		return f.upload(ctx, req)
	}
	init := js.Global().Get("Object").New()
	init.Set("method", req.Method)
	init.Set("headers", headers(req))
	if f.Credentials != "" {
		init.Set("credentials", f.Credentials)
	}
	if req.Body != nil {
		// JSON bodies are UTF-8 text; a string avoids a byte copy.
		init.Set("body", string(req.Body))
	}
	ctrl := js.Global().Get("AbortController").New()
	init.Set("signal", ctrl.Get("signal"))
	stop := context.AfterFunc(ctx, func() { ctrl.Call("abort") })
	defer stop()

	resp, err := Call(ctx, js.Global(), "fetch", req.URL, init)
	if err != nil {
		return nil, err
	}
	buf, err := Call(ctx, resp, "arrayBuffer")
	if err != nil {
		return nil, err
	}
	out := &client.Response{Status: resp.Get("status").Int(), Body: bytesOf(buf)}
	if t := resp.Get("headers").Call("get", api.CSRFHeader); t.Type() == js.TypeString {
		out.CSRFToken = t.String()
	}
	return out, nil
}

func bytesOf(arrayBuffer js.Value) []byte {
	u8 := js.Global().Get("Uint8Array").New(arrayBuffer)
	b := make([]byte, u8.Get("length").Int())
	js.CopyBytesToGo(b, u8)
	return b
}

// upload sends a Blob with XMLHttpRequest, reporting upload progress.
func (f Fetch) upload(ctx context.Context, req *client.Request) (*client.Response, error) {
	b, ok := req.Blob.(*Blob)
	if !ok {
		return nil, errors.New("upload body is not a browser Blob")
	}
	xhr := js.Global().Get("XMLHttpRequest").New()
	xhr.Call("open", req.Method, req.URL)
	xhr.Set("responseType", "arraybuffer")
	xhr.Set("withCredentials", f.Credentials == "include")
	for k, v := range req.Header {
		xhr.Call("setRequestHeader", k, v)
	}
	if req.ContentType != "" {
		xhr.Call("setRequestHeader", "Content-Type", req.ContentType)
	}
	xhr.Call("setRequestHeader", "Accept", "application/json")

	done := make(chan error, 1)
	var funcs []js.Func
	on := func(target js.Value, event string, fn func(e js.Value)) {
		jf := js.FuncOf(func(_ js.Value, args []js.Value) any {
			fn(args[0])
			return nil
		})
		funcs = append(funcs, jf)
		target.Call("addEventListener", event, jf)
	}
	if req.Progress != nil {
		on(xhr.Get("upload"), "progress", func(e js.Value) {
			if e.Get("lengthComputable").Bool() {
				// Report outside the event handler: Progress may block.
				sent, total := int64(e.Get("loaded").Float()), int64(e.Get("total").Float())
				go req.Progress(sent, total)
			}
		})
	}
	on(xhr, "load", func(js.Value) { done <- nil })
	on(xhr, "error", func(js.Value) { done <- errors.New("network error") })
	on(xhr, "abort", func(js.Value) { done <- errAborted })
	on(xhr, "timeout", func(js.Value) { done <- errors.New("timeout") })
	defer func() {
		for _, jf := range funcs {
			jf.Release()
		}
	}()
	xhr.Call("send", b.v)

	select {
	case err := <-done:
		if err != nil {
			return nil, err
		}
	case <-ctx.Done():
		xhr.Call("abort")
		<-done
		return nil, ctx.Err()
	}
	body := []byte{}
	if r := xhr.Get("response"); r.Truthy() {
		body = bytesOf(r)
	}
	out := &client.Response{Status: xhr.Get("status").Int(), Body: body}
	if t := xhr.Call("getResponseHeader", api.CSRFHeader); t.Type() == js.TypeString {
		out.CSRFToken = t.String()
	}
	return out, nil
}

// Blob is a browser Blob or File to upload.
type Blob struct {
	v    js.Value
	name string
	typ  string
}

// NewBlob wraps a Blob; name is used when the Blob is not a File.
func NewBlob(v js.Value, name string) *Blob {
	if n := v.Get("name"); n.Type() == js.TypeString && n.String() != "" {
		name = n.String()
	}
	typ := v.Get("type").String()
	// MediaRecorder says "audio/webm;codecs=opus": the server wants the
	// media type; parameters are not part of it.
	typ, _, _ = strings.Cut(typ, ";")
	if typ == "" {
		typ = typeFromName(name)
	}
	return &Blob{v: v, name: name, typ: strings.TrimSpace(typ)}
}

// typeFromName guesses an audio type the browser left empty (it does for
// .m4a on some systems).
func typeFromName(name string) string {
	ext := name[strings.LastIndexByte(name, '.')+1:]
	switch strings.ToLower(ext) {
	case "webm":
		return "audio/webm"
	case "ogg", "oga", "opus":
		return "audio/ogg"
	case "mp3":
		return "audio/mpeg"
	case "wav":
		return "audio/wav"
	case "m4a", "mp4":
		return "audio/mp4"
	}
	return "application/octet-stream"
}

func (b *Blob) Size() int64  { return int64(b.v.Get("size").Float()) }
func (b *Blob) Type() string { return b.typ }
func (b *Blob) Name() string { return b.name }
