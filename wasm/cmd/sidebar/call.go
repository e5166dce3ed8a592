//go:build js && wasm

package main

import (
	"context"
	"errors"
	"syscall/js"

	"github.com/sidenote/sidenote/wasm/internal/app"
	"github.com/sidenote/sidenote/wasm/internal/client"
	"github.com/sidenote/sidenote/wasm/internal/jsbridge"
)

// callDeps connects the view-model's calls to media.js and WebSocket.
func (u *ui) callDeps() app.CallDeps {
	return app.CallDeps{
		Media:  func() app.CallMedia { return &callMedia{u: u} },
		Dial:   u.dialCall,
		Origin: global.Get("location").Get("origin").String(),
	}
}

// attachCall shows the call's streams in the video elements a render may
// have just made.
func attachCall() {
	if m := media(); m.Truthy() && !byID("call-local").IsNull() {
		m.Get("call").Call("attach")
	}
}

// callMedia is app.CallMedia over media.js's call object.
type callMedia struct {
	u     *ui
	funcs []js.Func
}

func (m *callMedia) call() js.Value { return media().Get("call") }

func (m *callMedia) Open(ctx context.Context, ice []client.ICEServer) error {
	if !media().Truthy() || global.Get("RTCPeerConnection").IsUndefined() {
		return &app.HostError{Message: "This browser can't make video calls here."}
	}
	onCandidate := js.FuncOf(func(_ js.Value, args []js.Value) any {
		m.u.app.CallCandidate(args[0].String())
		return nil
	})
	onState := js.FuncOf(func(_ js.Value, args []js.Value) any {
		m.u.app.CallPeerState(args[0].String())
		return nil
	})
	m.funcs = append(m.funcs, onCandidate, onState)
	_, err := jsbridge.Call(ctx, m.call(), "open", string(client.EncodeICEServers(ice)), onCandidate, onState)
	if err != nil {
		if why := micFailure(err); why == app.MicRefused {
			return app.ErrMediaRefused
		} else if why == app.MicNoDevice {
			return &app.HostError{Message: "No microphone was found. Connect one, then start the call again."}
		}
		return err
	}
	return nil
}

func (m *callMedia) Offer(ctx context.Context) (string, error) {
	v, err := jsbridge.Call(ctx, m.call(), "offer")
	if err != nil {
		return "", err
	}
	return v.String(), nil
}

func (m *callMedia) Answer(ctx context.Context, sdp string) error {
	_, err := jsbridge.Call(ctx, m.call(), "answer", sdp)
	return err
}

func (m *callMedia) Candidate(message string) error {
	m.call().Call("candidate", message)
	return nil
}

func (m *callMedia) SetMuted(muted bool)   { m.call().Call("mute", muted) }
func (m *callMedia) SetCameraOff(off bool) { m.call().Call("camera", off) }
func (m *callMedia) Record(sessionID string) {
	go m.u.recordCall(sessionID)
}

func (m *callMedia) Close() {
	if media().Truthy() {
		m.call().Call("close")
	}
	for _, f := range m.funcs {
		f.Release()
	}
	m.funcs = nil
}

// callSocket is app.CallSocket over the browser's WebSocket.
type callSocket struct {
	ws    js.Value
	funcs []js.Func
}

func (s *callSocket) Send(text string) error {
	if s.ws.Get("readyState").Int() != 1 {
		return errors.New("the call's socket is not open")
	}
	s.ws.Call("send", text)
	return nil
}

func (s *callSocket) Close() {
	s.ws.Call("close", 1000)
	for _, f := range s.funcs {
		f.Release()
	}
	s.funcs = nil
}

// dialCall opens the signalling socket and waits until it is open.
func (u *ui) dialCall(ctx context.Context, url string) (app.CallSocket, error) {
	ws := global.Get("WebSocket").New(url)
	s := &callSocket{ws: ws}
	opened := make(chan error, 1)
	on := func(event string, fn func(e js.Value)) {
		f := js.FuncOf(func(_ js.Value, args []js.Value) any {
			fn(args[0])
			return nil
		})
		s.funcs = append(s.funcs, f)
		ws.Call("addEventListener", event, f)
	}
	open := true
	// One goroutine handles the messages, in the order they came.
	msgs, done := make(chan string, 256), make(chan struct{})
	go func() {
		for {
			select {
			case text := <-msgs:
				u.app.CallMessage(u.ctx, text)
			case <-done:
				return
			}
		}
	}()
	on("open", func(js.Value) { opened <- nil })
	on("message", func(e js.Value) {
		text := e.Get("data").String()
		select {
		case msgs <- text:
		default:
			go func() {
				select {
				case msgs <- text:
				case <-done:
				}
			}()
		}
	})
	on("close", func(js.Value) {
		select {
		case opened <- errors.New("the call's socket closed"):
		default:
		}
		if open {
			u.run(u.app.CallClosed)
		}
		close(done)
	})
	select {
	case err := <-opened:
		if err != nil {
			open = false
			s.Close()
			return nil, err
		}
		return s, nil
	case <-ctx.Done():
		open = false
		s.Close()
		return nil, ctx.Err()
	}
}
