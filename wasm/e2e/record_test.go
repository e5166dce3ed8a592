//go:build !js

package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/chromedp"

	"github.com/sidenote/sidenote/internal/audiotest"
	"github.com/sidenote/sidenote/shared/api"
)

// Headless Chromium has no microphone, but it has a fake capture device:
// --use-fake-device-for-media-stream gives getUserMedia a synthetic source,
// --use-file-for-fake-audio-capture feeds it a WAV file (looped), and
// --use-fake-ui-for-media-stream accepts the permission prompt as a
// clinician would.

// spyMedia keeps, in the page, the microphone streams getUserMedia hands
// the app and the bodies it sends with XMLHttpRequest (uploads), so a test
// can check the tracks were released and read the bytes uploaded. It only
// observes: every call goes on to the browser's own function.
const spyMedia = `(() => {
	window.spy = {streams: [], sent: []};
	const md = navigator.mediaDevices;
	const gum = md.getUserMedia.bind(md);
	md.getUserMedia = async (c) => { const s = await gum(c); spy.streams.push(s); return s; };
	const open = XMLHttpRequest.prototype.open, send = XMLHttpRequest.prototype.send;
	XMLHttpRequest.prototype.open = function (method, url, ...rest) { this.spyURL = method + ' ' + url; return open.call(this, method, url, ...rest); };
	XMLHttpRequest.prototype.send = function (body) { spy.sent.push({url: this.spyURL, body}); return send.call(this, body); };
})()`

// fakeMicrophone opens a browser whose microphone is Chromium's fake
// device, allowed without a prompt. It plays the WAV file wav in a loop,
// or Chromium's own beep when wav is "".
func fakeMicrophone(t *testing.T, wav string) page {
	opts := []chromedp.ExecAllocatorOption{
		chromedp.Flag("use-fake-device-for-media-stream", true),
		chromedp.Flag("use-fake-ui-for-media-stream", true),
	}
	if wav != "" {
		opts = append(opts, chromedp.Flag("use-file-for-fake-audio-capture", wav))
	}
	return page{t: t, ctx: newBrowser(t, opts...)}
}

// signInAndStartInPerson opens /app signed in as email and starts an
// in-person session with an anonymous individual, verbal consent
// recorded; it returns the session's id.
func signInAndStartInPerson(t *testing.T, srv *server, p page, token string) string {
	t.Helper()
	p.do(chromedp.EmulateViewport(400, 800), chromedp.Navigate(srv.URL+"/app/"))
	eval[chromedp.Void](p, `localStorage.setItem('sidenote.token', `+jsString(token)+`)`)
	p.do(chromedp.Navigate(srv.URL + "/app/"))
	p.waitFor("the empty list", `!!document.querySelector('.empty')`)
	p.click(`[data-act="start"]`)
	p.waitFor("the start form", `!!document.querySelector('#who-anonymous_individual')`)
	p.set("#st-type", "in_person", "change")
	p.click(`#who-anonymous_individual`)
	p.click(`#st-consent`)
	p.set("#st-method", "verbal", "change")
	p.click(`button[form="start-form"]`)
	p.waitFor("the session view", `document.querySelector('#h')?.textContent === 'Anonymous individual' && !!document.querySelector('[data-act="record"]')`)
	var sessions api.Page[api.Session]
	srv.call(t, token, "GET", "/api/v1/sessions", nil, &sessions)
	if len(sessions.Items) != 1 {
		t.Fatalf("sessions = %+v", sessions.Items)
	}
	s := sessions.Items[0]
	if s.Type != api.SessionInPerson || s.Anonymous == nil || *s.Anonymous != api.AnonymousIndividual || !s.Consent.Obtained {
		t.Fatalf("session = %+v", s)
	}
	return s.ID
}

// dominantHz analyses the first microphone stream the app opened for
// half a second and returns its loudest frequency.
func dominantHz(p page) float64 {
	p.t.Helper()
	hz, err := chromedp.Run(p.ctx, chromedp.Evaluate[float64](`(async () => {
		const ac = new AudioContext(); await ac.resume();
		const an = ac.createAnalyser(); an.fftSize = 4096;
		ac.createMediaStreamSource(spy.streams[0]).connect(an);
		await new Promise((ok) => setTimeout(ok, 500));
		const f = new Float32Array(an.frequencyBinCount); an.getFloatFrequencyData(f);
		let best = 1; for (let i = 2; i < f.length; i++) if (f[i] > f[best]) best = i;
		const hz = best * ac.sampleRate / an.fftSize; await ac.close(); return hz; })()`, chromedp.EvalAwaitPromise))
	if err != nil {
		p.t.Fatal(err)
	}
	return hz
}

// setMicrophone sets the microphone permission of the server's origin.
func setMicrophone(p page, origin string, setting browser.PermissionSetting) {
	p.t.Helper()
	if _, err := chromedp.CallBrowser(p.ctx, browser.SetPermission, browser.SetPermissionParams{
		Permission: &browser.PermissionDescriptor{Name: "microphone"}, Setting: setting, Origin: origin,
	}); err != nil {
		p.t.Fatal(err)
	}
}

func TestRecordWithFakeMicrophoneUploadsWebM(t *testing.T) {
	srv := startServer(t)
	token := srv.devToken(t, "dr.record@example.test")
	wav := filepath.Join(t.TempDir(), "tone.wav")
	if err := os.WriteFile(wav, audiotest.Tone(440, 3), 0o644); err != nil {
		t.Fatal(err)
	}
	p := fakeMicrophone(t, wav)
	downloads := allowDownloads(t, p)
	id := signInAndStartInPerson(t, srv, p, token)
	eval[chromedp.Void](p, spyMedia)

	p.click(`[data-act="record"]`)
	p.waitFor("two seconds of recording", `/Recording 0:0[2-9]/.test(document.querySelector('#s-capture .rec')?.textContent ?? '')`)
	if live := eval[int](p, `spy.streams.flatMap(s => s.getAudioTracks()).filter(t => t.readyState === 'live').length`); live != 1 {
		t.Fatalf("live microphone tracks while recording = %d, want 1", live)
	}
	p.screenshot("sidebar-recording-400x800.png")
	// What the microphone hears is the tone fed to the fake device.
	if hz := dominantHz(p); hz < 420 || hz > 460 {
		t.Errorf("the microphone's loudest frequency is %.0f Hz, want the 440 Hz tone", hz)
	}

	// The input level meter moves with the tone.
	p.waitFor("the level meter", `document.querySelector('#rec-level')?.value > 0.2`)

	// Pause: the time stands still; Resume: it goes on.
	p.click(`[data-act="record-pause"]`)
	p.waitFor("the pause", `/Paused 0:0[2-9]/.test(document.querySelector('#s-capture .rec')?.textContent ?? '')`)
	paused := p.text("#s-capture .rec")
	time.Sleep(2 * time.Second)
	if now := p.text("#s-capture .rec"); now != paused {
		t.Errorf("paused at %q, two seconds later %q", paused, now)
	}
	p.screenshot("sidebar-recording-paused-400x800.png")
	p.click(`[data-act="record-resume"]`)
	p.waitFor("the recording again", `/^ Recording/.test(document.querySelector('#s-capture .rec')?.textContent ?? '')`)
	// Past the 5 s timeslice: the first chunk is sent while recording.
	p.waitFor("a chunk sent while recording", `spy.sent.some(s => s.body instanceof Blob) && !!document.querySelector('[data-act="record-stop"]')`)
	p.click(`[data-act="record-stop"]`)

	// Without speech-to-text the sidebar offers the ways on.
	p.waitFor("the choice", `!!document.querySelector('[data-act="choose-transcript"]') && !!document.querySelector('#rec-keep')`)
	p.screenshot("sidebar-recording-next-400x800.png")
	if live := eval[int](p, `spy.streams.flatMap(s => s.getTracks()).filter(t => t.readyState !== 'ended').length`); live != 0 {
		t.Errorf("%d microphone tracks still open after Stop", live)
	}

	// The chunks sent are one WebM file of Opus audio, which the server
	// assembled.
	urls := eval[[]string](p, `spy.sent.filter(s => s.body instanceof Blob).map(s => s.url)`)
	for i, u := range urls {
		if u != "PUT /api/v1/sessions/"+id+"/recording/chunks/"+strconv.Itoa(i) {
			t.Errorf("upload %d = %q", i, u)
		}
	}
	if len(urls) < 2 {
		t.Errorf("uploads = %q, want a chunk while recording and the last at Stop", urls)
	}
	audio := sentChunks(p)
	if !bytes.HasPrefix(audio, []byte{0x1a, 0x45, 0xdf, 0xa3}) || !bytes.Contains(audio[:64], []byte("webm")) ||
		!bytes.Contains(audio, []byte{0x18, 0x53, 0x80, 0x67}) || !bytes.Contains(audio, []byte("A_OPUS")) {
		t.Errorf("recording is not a WebM file with Opus audio: % x", audio[:min(len(audio), 64)])
	}
	checkStored(t, srv, token, id, audio)
	var sess api.Session
	srv.call(t, token, "GET", "/api/v1/sessions/"+id, nil, &sess)
	if sess.Status != api.SessionAwaitingTranscript {
		t.Errorf("session status = %q, want %q (no speech-to-text configured)", sess.Status, api.SessionAwaitingTranscript)
	}
	if !eval[bool](p, `!!document.querySelector('[data-act="end-open"]')`) {
		t.Error("End session is not offered while the session awaits a transcript")
	}

	// Download the audio: the same bytes land in a file.
	p.click(`[data-act="download-audio"]`)
	waitDownload(t, downloads, audio)

	// Write a summary: the summary field takes the focus.
	p.click(`[data-act="choose-summary"]`)
	p.waitFor("the summary focused", `document.activeElement?.id === 'summary'`)
	// Paste a transcript: the transcript opens and takes the focus; saved,
	// the note can be written from it.
	p.click(`[data-act="choose-transcript"]`)
	p.waitFor("the transcript focused", `document.activeElement?.id === 'transcript' && document.querySelector('#transcript-box').open`)
	p.set("#transcript", sttTranscript, "input")
	p.waitFor("the choice gone", `!document.querySelector('[data-act="choose-transcript"]')`)
	var saved api.TextRequest
	srv.call(t, token, "GET", "/api/v1/sessions/"+id+"/transcript", nil, &saved)
	if saved.Text != sttTranscript {
		t.Errorf("transcript = %q", saved.Text)
	}
	srv.call(t, token, "GET", "/api/v1/sessions/"+id, nil, &sess)
	if sess.Status == api.SessionAwaitingTranscript {
		t.Errorf("session status = %q after the transcript was pasted", sess.Status)
	}
}

func TestRecordWithMicrophoneBlockedSaysSoAndSessionGoesOn(t *testing.T) {
	srv := startServer(t)
	token := srv.devToken(t, "dr.nomic@example.test")
	// A microphone exists, but the permission is refused for the origin.
	ctx := newBrowser(t, chromedp.Flag("use-fake-device-for-media-stream", true))
	p := page{t: t, ctx: ctx}
	setMicrophone(p, srv.URL, browser.PermissionSettingDenied)
	id := signInAndStartInPerson(t, srv, p, token)
	eval[chromedp.Void](p, spyMedia)

	p.click(`[data-act="record"]`)
	p.waitFor("the refusal", `!!document.querySelector('#rec-err')`)
	msg := p.text("#rec-err")
	if !strings.Contains(msg, "microphone is blocked") || !strings.Contains(msg, "site settings") {
		t.Errorf("message = %q", msg)
	}
	for _, raw := range []string{"NotAllowedError", "Permission denied", "DOMException", "undefined"} {
		if strings.Contains(msg, raw) {
			t.Errorf("message shows %q: %q", raw, msg)
		}
	}
	if eval[bool](p, `!!document.querySelector('[data-act="record-stop"]') || !!document.querySelector('#s-upload progress')`) {
		t.Error("the panel shows a recording or an upload")
	}
	if n := eval[int](p, `spy.sent.length`); n != 0 {
		t.Errorf("%d requests sent with XMLHttpRequest", n)
	}
	if code := srv.call(t, token, "GET", "/api/v1/sessions/"+id+"/recording", nil, nil); code != 404 {
		t.Errorf("GET recording = %d, want 404", code)
	}

	// The session goes on: a summary can be saved.
	p.set("#summary", summary, "input")
	p.waitFor("the summary saved", `document.querySelector('#s-capture .ok')?.textContent === 'Saved'`)
	var saved api.TextRequest
	srv.call(t, token, "GET", "/api/v1/sessions/"+id+"/summary", nil, &saved)
	if saved.Text != summary {
		t.Fatalf("saved summary = %q", saved.Text)
	}
	var sess api.Session
	srv.call(t, token, "GET", "/api/v1/sessions/"+id, nil, &sess)
	if sess.Status == api.SessionAwaitingTranscript {
		t.Errorf("session status = %q after a refused recording", sess.Status)
	}
}

func TestRecordWithoutAMicrophoneSaysSo(t *testing.T) {
	srv := startServer(t)
	token := srv.devToken(t, "dr.nodevice@example.test")
	// Prompts are accepted, but this browser has no capture device at all.
	p := page{t: t, ctx: newBrowser(t, chromedp.Flag("use-fake-ui-for-media-stream", true))}
	signInAndStartInPerson(t, srv, p, token)
	n, err := chromedp.Run(p.ctx, chromedp.Evaluate[int](`navigator.mediaDevices.enumerateDevices().then(d => d.filter(x => x.kind === 'audioinput').length)`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Skipf("this machine has %d microphones", n)
	}
	p.click(`[data-act="record"]`)
	p.waitFor("the message", `!!document.querySelector('#rec-err')`)
	msg := p.text("#rec-err")
	if !strings.Contains(msg, "No microphone was found") || strings.Contains(msg, "unexpectedly") || strings.Contains(msg, "NotFoundError") {
		t.Errorf("message = %q", msg)
	}
	if !eval[bool](p, `!!document.querySelector('[data-act="record"]') && !!document.querySelector('[data-act="end-open"]')`) {
		t.Error("Record again or End session is not offered")
	}
}

func TestLeavingTheSessionWhileRecordingStopsAndUploads(t *testing.T) {
	srv := startServer(t)
	token := srv.devToken(t, "dr.leave@example.test")
	p := fakeMicrophone(t, "")
	id := signInAndStartInPerson(t, srv, p, token)
	eval[chromedp.Void](p, spyMedia)

	p.click(`[data-act="record"]`)
	p.waitFor("a second of recording", `/Recording 0:0[1-9]/.test(document.querySelector('#s-capture .rec')?.textContent ?? '')`)
	p.click(`[data-act="back"]`)
	p.waitFor("the list", `document.querySelectorAll('#s-list li').length === 1`)
	p.waitFor("the microphone released", `spy.streams.length === 1 && spy.streams[0].getTracks().every(t => t.readyState === 'ended')`)
	p.waitFor("the upload notice", `document.body.innerText.includes('Recording uploaded')`)
	var rec api.Recording
	srv.call(t, token, "GET", "/api/v1/sessions/"+id+"/recording", nil, &rec)
	if rec.ContentType != "audio/webm" || rec.SizeBytes < 1000 {
		t.Fatalf("recording = %+v", rec)
	}

	// Back in the session, Record starts a new recording; pressed twice
	// before the microphone answers, it still opens one stream.
	p.click(`#s-list li button`)
	p.waitFor("the session's recording", `!!document.querySelector('#rec-keep') && !!document.querySelector('[data-act="record"]')`)
	p.waitFor("Record pressed twice", `(() => { const el = document.querySelector('[data-act="record"]');
		if (!el || el.disabled) return false; el.click(); el.click(); return true; })()`)
	p.waitFor("the new recording", `/Recording 0:0[1-9]/.test(document.querySelector('#s-capture .rec')?.textContent ?? '')`)
	if n := eval[int](p, `spy.streams.length`); n != 2 {
		t.Errorf("microphone streams opened = %d, want 2 (one per recording)", n)
	}
	p.click(`[data-act="record-stop"]`)
	p.waitFor("the second upload", `document.querySelector('#s-upload')?.textContent.includes('recording.webm uploaded.')`)
	if open := eval[int](p, `spy.streams.flatMap(s => s.getTracks()).filter(t => t.readyState !== 'ended').length`); open != 0 {
		t.Errorf("%d microphone tracks still open after Stop", open)
	}
}

// fakeSTT speaks the speech-to-text protocol the server calls (POST
// /v1/audio/transcriptions, multipart, field "file") and keeps what it
// was sent.
type fakeSTT struct {
	mu    sync.Mutex
	files [][]byte
	types []string
}

// A fictional transcript.
const sttTranscript = "Clinician: What helped this week?\nClient: Walking after dinner, most evenings."

func (f *fakeSTT) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/audio/transcriptions" {
		http.NotFound(w, r)
		return
	}
	file, hdr, err := r.FormFile("file")
	if err != nil {
		http.Error(w, `{"error":{"message":"file is required"}}`, http.StatusBadRequest)
		return
	}
	b, err := io.ReadAll(file)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.files = append(f.files, b)
	f.types = append(f.types, hdr.Header.Get("Content-Type"))
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]string{"text": sttTranscript})
}

func TestRecordingIsTranscribedBySpeechToText(t *testing.T) {
	stt := &fakeSTT{}
	sttSrv := httptest.NewServer(stt)
	t.Cleanup(sttSrv.Close)
	srv := startServer(t, "SIDENOTE_ASR_URL="+sttSrv.URL+"/v1")
	token := srv.devToken(t, "dr.stt@example.test")
	p := fakeMicrophone(t, "")
	id := signInAndStartInPerson(t, srv, p, token)

	p.click(`[data-act="record"]`)
	p.waitFor("two seconds of recording", `/Recording 0:0[2-9]/.test(document.querySelector('#s-capture .rec')?.textContent ?? '')`)
	p.click(`[data-act="record-stop"]`)
	// The transcript lands in the sidebar without a reload.
	p.waitFor("the transcript", `document.querySelector('#transcript')?.value === `+jsString(sttTranscript))

	var rec api.Recording
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		srv.call(t, token, "GET", "/api/v1/sessions/"+id+"/recording", nil, &rec)
		if rec.TranscriptionStatus != "pending" || time.Now().After(deadline) {
			break
		}
	}
	if rec.TranscriptionStatus != "done" {
		t.Fatalf("recording = %+v", rec)
	}
	var transcript api.TextRequest
	srv.call(t, token, "GET", "/api/v1/sessions/"+id+"/transcript", nil, &transcript)
	if transcript.Text != sttTranscript {
		t.Errorf("transcript = %q", transcript.Text)
	}

	// The service got the recording as uploaded: WebM, the same bytes.
	stt.mu.Lock()
	defer stt.mu.Unlock()
	if len(stt.files) != 1 {
		t.Fatalf("speech-to-text calls = %d", len(stt.files))
	}
	audio, sum := stt.files[0], sha256.Sum256(stt.files[0])
	if !bytes.HasPrefix(audio, []byte{0x1a, 0x45, 0xdf, 0xa3}) || !bytes.Contains(audio, []byte("A_OPUS")) || stt.types[0] != "audio/webm" {
		t.Errorf("sent %s: % x", stt.types[0], audio[:min(len(audio), 32)])
	}
	if rec.SHA256 != hex.EncodeToString(sum[:]) || rec.SizeBytes != int64(len(audio)) {
		t.Errorf("service got %d bytes (sha256 %x); server holds %+v", len(audio), sum, rec)
	}
}

// failRecordingUploads answers the sidebar's recording uploads (its chunks
// and their completion, or the whole file) with 503 while the returned flag is set, in the browser
// (CDP Fetch), before they reach the server; every other request goes on.
func failRecordingUploads(t *testing.T, p page, srv *server) *atomic.Bool {
	t.Helper()
	failing := &atomic.Bool{}
	failing.Store(true)
	paused := make(chan *fetch.EventRequestPaused, 16)
	if err := chromedp.Listen(p.ctx, func(ev any) {
		if e, ok := ev.(*fetch.EventRequestPaused); ok {
			paused <- e
		}
	}); err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			var e *fetch.EventRequestPaused
			select {
			case e = <-paused:
			case <-p.ctx.Done():
				return
			}
			var err error
			if e.Request.Method != "GET" && failing.Load() {
				_, err = chromedp.Call(p.ctx, fetch.FulfillRequest, fetch.FulfillRequestParams{
					RequestID: e.RequestID, ResponseCode: 503,
					ResponseHeaders: []*fetch.HeaderEntry{{Name: "Content-Type", Value: "application/json"}},
					Body:            []byte(`{"error":{"code":"unavailable","message":"The service is unavailable."}}`),
				})
			} else {
				_, err = chromedp.Call(p.ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: e.RequestID})
			}
			if err != nil && p.ctx.Err() == nil {
				t.Errorf("answering %s %s: %v", e.Request.Method, e.Request.URL, err)
			}
		}
	}()
	if _, err := chromedp.Call(p.ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{
		{URLPattern: srv.URL + "/api/v1/sessions/*/recording", RequestStage: fetch.RequestStageRequest},
		{URLPattern: srv.URL + "/api/v1/sessions/*/recording/*", RequestStage: fetch.RequestStageRequest},
	}}); err != nil {
		t.Fatal(err)
	}
	return failing
}

func TestFailedRecordingUploadIsHeldSavedAndTriedAgain(t *testing.T) {
	srv := startServer(t)
	token := srv.devToken(t, "dr.retry@example.test")
	p := fakeMicrophone(t, "")
	downloads := allowDownloads(t, p)
	id := signInAndStartInPerson(t, srv, p, token)
	eval[chromedp.Void](p, spyMedia)
	failing := failRecordingUploads(t, p, srv)

	p.click(`[data-act="record"]`)
	p.waitFor("two seconds of recording", `/Recording 0:0[2-9]/.test(document.querySelector('#s-capture .rec')?.textContent ?? '')`)
	p.click(`[data-act="record-stop"]`)
	p.waitFor("Try again", `!!document.querySelector('#s-upload [data-act="held-retry"]')`)
	if msg := p.text("#s-upload"); !strings.Contains(msg, "has not reached the server") || !strings.Contains(msg, "Save to this device") {
		t.Errorf("upload panel = %q", msg)
	}
	p.screenshot("sidebar-recording-held-400x800.png")
	if code := srv.call(t, token, "GET", "/api/v1/sessions/"+id+"/recording", nil, nil); code != 404 {
		t.Fatalf("GET recording = %d while uploads fail, want 404", code)
	}
	if open := eval[int](p, `spy.streams.flatMap(s => s.getTracks()).filter(t => t.readyState !== 'ended').length`); open != 0 {
		t.Errorf("%d microphone tracks still open after Stop", open)
	}
	first := sentChunks(p)

	// Save to this device: the same bytes land in a file.
	p.click(`[data-act="held-save"]`)
	p.waitFor("the saved notice", `document.querySelector('#s-upload')?.textContent.includes('Saved to this device as sidenote-recording-')`)
	waitDownload(t, downloads, first)

	// The server comes back; Try again sends the chunks still waiting to
	// the recording's session and finishes it.
	failing.Store(false)
	p.click(`[data-act="held-retry"]`)
	p.waitFor("the recording", `!!document.querySelector('#rec-keep')`)
	if eval[bool](p, `!!document.querySelector('[data-act="held-retry"]')`) {
		t.Error("Try again still offered after the upload")
	}
	for _, u := range eval[[]string](p, `spy.sent.filter(s => s.body instanceof Blob).map(s => s.url)`) {
		if !strings.HasPrefix(u, "PUT /api/v1/sessions/"+id+"/recording/chunks/") {
			t.Errorf("upload sent to %q", u)
		}
	}
	checkStored(t, srv, token, id, sentChunks(p))
	checkStored(t, srv, token, id, first)
}

// watchSignOut records, in window.order, when a recording upload ends
// ("upload STATUS") and when the sign-in screen appears ("signin").
const watchSignOut = `(() => {
	window.order = [];
	const send = XMLHttpRequest.prototype.send;
	XMLHttpRequest.prototype.send = function (body) {
		if (body instanceof Blob) this.addEventListener('loadend', () => order.push('upload ' + this.status));
		return send.call(this, body);
	};
	new MutationObserver(() => {
		if (document.querySelector('#s-signin') && !order.includes('signin')) order.push('signin');
	}).observe(document.body, {childList: true, subtree: true});
})()`

func TestSignOutWhileRecordingUploadsFirstAndReleasesTheMicrophone(t *testing.T) {
	srv := startServer(t)
	const email = "dr.signout.rec@example.test"
	token := srv.devToken(t, email)
	p := fakeMicrophone(t, "")
	id := signInAndStartInPerson(t, srv, p, token)
	eval[chromedp.Void](p, spyMedia)
	eval[chromedp.Void](p, watchSignOut)

	p.click(`[data-act="record"]`)
	p.waitFor("two seconds of recording", `/Recording 0:0[2-9]/.test(document.querySelector('#s-capture .rec')?.textContent ?? '')`)
	p.click(`[data-act="signout"]`)
	p.waitFor("the sign-in screen", `order.includes('signin')`)
	if order := eval[[]string](p, `order`); len(order) != 2 || order[0] != "upload 201" || order[1] != "signin" {
		t.Fatalf("events = %q, want the upload (201) before the sign-in screen", order)
	}
	if open := eval[int](p, `spy.streams.flatMap(s => s.getTracks()).filter(t => t.readyState !== 'ended').length`); open != 0 || eval[int](p, `spy.streams.length`) != 1 {
		t.Errorf("%d microphone tracks still open after signing out", open)
	}
	if eval[bool](p, `!!document.querySelector('[data-act="record-stop"]') || document.body.innerText.includes('Sign out?')`) {
		t.Error("a Stop button or the sign-out question is shown after signing out")
	}
	// The sign-in screen comes first and the server's sign-out right
	// after it (the clinician may leave the device at once): the token
	// stops working then.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		code := srv.call(t, token, "GET", "/api/v1/me", nil, nil)
		if code == 401 {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("the signed-out token answers %d, want 401", code)
			break
		}
	}
	checkStored(t, srv, srv.devToken(t, email), id, sentChunks(p))
}
