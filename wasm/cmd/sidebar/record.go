//go:build js && wasm

package main

import (
	"context"
	"syscall/js"
	"time"

	"github.com/sidenote/sidenote/wasm/internal/app"
	"github.com/sidenote/sidenote/wasm/internal/jsbridge"
)

// media is wasm/web/media.js, loaded by boot.js.
func media() js.Value { return global.Get("sidenoteMedia") }

// actCapture handles the recording's and the call's buttons.
func (u *ui) actCapture(act string) {
	a := u.app
	switch act {
	case "record":
		go u.startRecording()
	case "record-tab":
		go u.startTabRecording()
	case "record-stop":
		u.stopRecording()
	case "record-pause", "record-resume":
		u.pauseRecording(act == "record-pause")
	case "mic-page":
		global.Call("open", "mic.html", "_blank")
	case "camera-page":
		global.Call("open", "mic.html?camera=1", "_blank")
	case "finish-interrupted":
		u.run(a.FinishInterrupted)
	case "choose-transcript":
		if box := byID("transcript-box"); !box.IsNull() {
			box.Set("open", true)
		}
		focus("transcript")
	case "choose-summary":
		focus("summary")
	case "download-audio":
		u.downloadAudio()
	case "renew-join":
		u.run(a.RenewJoinLink)
	case "call-start":
		u.run(a.StartCall)
	case "call-end":
		u.run(a.EndCall)
	case "call-mute", "call-camera":
		var muted, off bool
		a.View(func(s *app.State) { muted, off = s.Session.Call.Muted, s.Session.Call.CameraOff })
		if act == "call-mute" {
			a.SetCallMuted(!muted)
		} else {
			a.SetCameraOff(!off)
		}
	}
}

func focus(id string) {
	if el := byID(id); !el.IsNull() {
		el.Call("focus")
		el.Call("scrollIntoView", map[string]any{"block": "center"})
	}
}

// downloadAudio saves the open session's recording to this device.
func (u *ui) downloadAudio() {
	var id string
	u.app.View(func(s *app.State) { id = s.Session.Session.ID })
	hdr := map[string]any{}
	for k, v := range u.api.AuthHeader() {
		hdr[k] = v
	}
	go func() {
		_, err := jsbridge.Call(u.ctx, media(), "download", u.api.RecordingAudioURL(id), hdr, "sidenote-recording-"+id+".webm")
		if err != nil {
			u.app.DownloadFailed()
		}
	}()
}

// micFailure reads why getUserMedia failed.
func micFailure(err error) app.MicFailure {
	je, _ := err.(*jsbridge.JSError)
	if je == nil {
		return app.MicBroken
	}
	switch je.Name {
	case "NotAllowedError", "SecurityError":
		return app.MicRefused
	case "NotFoundError", "OverconstrainedError":
		return app.MicNoDevice
	case "NotReadableError", "AbortError":
		return app.MicBusy
	}
	return app.MicBroken
}

// startRecording asks for the microphone and records it. A side panel
// cannot always show the permission prompt; the clinician is then offered
// the permission page (mic.html) once.
func (u *ui) startRecording() {
	if !u.claimRecorder() {
		return
	}
	var sessionID string
	u.app.View(func(s *app.State) { sessionID = s.Session.Session.ID })
	md := global.Get("navigator").Get("mediaDevices")
	if !md.Truthy() || global.Get("MediaRecorder").IsUndefined() || !media().Truthy() {
		u.recordingOver()
		u.app.RecordingFailed(app.MicUnsupported, false)
		return
	}
	stream, err := jsbridge.Call(u.ctx, md, "getUserMedia", map[string]any{"audio": true})
	if err != nil {
		u.recordingOver()
		why := micFailure(err)
		u.app.RecordingFailed(why, why == app.MicRefused && u.inExt)
		return
	}
	// The clinician may have left the session or begun signing out while
	// the microphone was being asked for: then it is released at once.
	if !u.app.RecordingStarted(sessionID) {
		stopTracks(stream)
		u.recordingOver()
		return
	}
	u.runRecorder(sessionID, app.MicBroken, func() { stopTracks(stream) }, mediaRecorder(stream))
}

// mediaRecorder starts media.js's recorder on stream.
func mediaRecorder(stream js.Value) func(map[string]any) (js.Value, error) {
	return func(handlers map[string]any) (js.Value, error) {
		return media().Call("record", stream, int(app.ChunkEvery()/time.Millisecond), handlers), nil
	}
}

// startTabRecording records the telehealth tab beside the side panel mixed
// with the microphone: the extension captures and mixes them in its
// offscreen document (extension/src/tabrecorder.js) and hands the chunks
// here, where they are uploaded like the microphone's own.
func (u *ui) startTabRecording() {
	if !u.claimRecorder() {
		return
	}
	var sessionID string
	u.app.View(func(s *app.State) { sessionID = s.Session.Session.ID })
	host := global.Get("sidenoteHost")
	if !u.inExt || host.Get("captureTab").Type() != js.TypeFunction {
		u.recordingOver()
		u.app.RecordingFailed(app.MicUnsupported, false)
		return
	}
	// Started before the capture so that no chunk arrives unclaimed.
	if !u.app.TabRecordingStarted(sessionID) {
		u.recordingOver()
		return
	}
	u.runRecorder(sessionID, app.TabEnded, func() {}, func(handlers map[string]any) (js.Value, error) {
		rec, err := jsbridge.Call(u.ctx, host, "captureTab", int(app.ChunkEvery()/time.Millisecond), handlers)
		if err == nil {
			return rec, nil
		}
		why := micFailure(err)
		if je, _ := err.(*jsbridge.JSError); je != nil && je.Name == "TabCaptureError" {
			why = app.TabUncapturable
		}
		u.run(func(ctx context.Context) {
			u.app.RecordingStopped(ctx, sessionID, nil)
			u.app.RecordingFailed(why, why == app.MicRefused)
		})
		return js.Undefined(), err
	})
}

// recordCall records the call's mixed audio (app.CallMedia.Record).
func (u *ui) recordCall(sessionID string) {
	if !u.claimRecorder() {
		return
	}
	stream := media().Get("call").Call("mixedStream")
	if !u.app.RecordingStarted(sessionID) {
		u.recordingOver()
		return
	}
	u.runRecorder(sessionID, app.MicBroken, func() {}, mediaRecorder(stream))
}

// claimRecorder reserves the one recorder: a second Record while the
// permission prompt is open would open a second microphone stream.
func (u *ui) claimRecorder() bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.recording {
		return false
	}
	u.recording, u.stopSoon = true, false
	return true
}

// runRecorder records in chunks, each sent as it arrives, until
// stopRecording: start starts the recorder with the chunk, stop and error
// handlers; release frees the stream's devices; brokenWhy is what a
// recorder's error means.
func (u *ui) runRecorder(sessionID string, brokenWhy app.MicFailure, release func(), start func(handlers map[string]any) (js.Value, error)) {
	broken := false
	var onChunk, onStop, onError js.Func
	onChunk = js.FuncOf(func(_ js.Value, args []js.Value) any {
		if cu := u.app.QueueChunk(sessionID, jsbridge.NewBlob(args[0], "recording.webm")); cu != nil {
			go u.app.SendChunks(u.ctx, cu)
		}
		return nil
	})
	onError = js.FuncOf(func(js.Value, []js.Value) any {
		broken = true
		return nil
	})
	onStop = js.FuncOf(func(_ js.Value, args []js.Value) any {
		release()
		onChunk.Release()
		onStop.Release()
		onError.Release()
		b := jsbridge.NewBlob(args[0], "recording.webm")
		u.recordingOver()
		u.stopTicker()
		u.run(func(ctx context.Context) {
			u.app.RecordingStopped(ctx, sessionID, b)
			if broken {
				u.app.RecordingFailed(brokenWhy, false)
			}
		})
		return nil
	})
	handlers := map[string]any{"chunk": onChunk, "stop": onStop, "error": onError}
	rec, err := start(handlers)
	if err != nil {
		release()
		onChunk.Release()
		onStop.Release()
		onError.Release()
		u.recordingOver()
		return
	}
	stop := make(chan struct{})
	u.mu.Lock()
	u.recorder, u.recStop = rec, stop
	stopNow := u.stopSoon
	u.mu.Unlock()
	if stopNow {
		u.stopRecording()
	}
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			u.app.RecordingTick()
		case <-stop:
			return
		}
	}
}

// stopTicker ends runRecorder's loop when the recorder stopped by itself
// (its microphone went away).
func (u *ui) stopTicker() {
	u.mu.Lock()
	stop := u.recStop
	u.recorder, u.recStop = js.Undefined(), nil
	u.mu.Unlock()
	if stop != nil {
		close(stop)
	}
}

func (u *ui) pauseRecording(pause bool) {
	u.mu.Lock()
	rec := u.recorder
	u.mu.Unlock()
	if rec.IsUndefined() || rec.IsNull() {
		return
	}
	if pause {
		rec.Call("pause")
	} else {
		rec.Call("resume")
	}
	u.app.RecordingPaused(pause)
}

// stopTracks releases the microphone: its indicator goes off.
func stopTracks(stream js.Value) {
	tracks := stream.Call("getTracks")
	for i := 0; i < tracks.Length(); i++ {
		tracks.Index(i).Call("stop")
	}
}

// recordingOver lets Record start a new recording.
func (u *ui) recordingOver() {
	u.mu.Lock()
	u.recording = false
	u.mu.Unlock()
}

// stopRecording stops the recording, which then uploads to its session.
// Asked between Record and the recorder's start, it stops the recording as
// soon as it starts.
func (u *ui) stopRecording() {
	u.mu.Lock()
	rec, stop := u.recorder, u.recStop
	u.recorder, u.recStop = js.Undefined(), nil
	if stop == nil && u.recording {
		u.stopSoon = true
	}
	u.mu.Unlock()
	if stop == nil {
		return
	}
	close(stop)
	rec.Call("stop")
}
