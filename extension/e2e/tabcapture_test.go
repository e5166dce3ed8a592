package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"github.com/sidenote/sidenote/internal/audiotest"
	"github.com/sidenote/sidenote/internal/browsertest"
	"github.com/sidenote/sidenote/shared/api"
)

// The telehealth page plays this tone; the clinician's fake microphone
// plays the other.
const (
	callTabHz    = 440
	microphoneHz = 1000
)

// callPage is a stand-in for a telehealth tab (Zoom, Doxy.me, the EHR's
// own video): it plays the far side's voice, here a tone, in a loop.
const callPage = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Fictional telehealth call</title></head>
<body><h1>Fictional telehealth call</h1><audio id="far" src="/far.wav" autoplay loop></audio></body></html>`

// tabCaptureBrowser starts a browser of its own for tab capture: the
// clinician's microphone is a WAV of the microphone tone, media plays
// without a gesture, and --allowlisted-extension-id stands in for the
// clinician's click on the Sidenote icon, which grants tab capture in the
// product and cannot be made through CDP (a test-only switch of Chromium;
// the extension asks for nothing more). --use-fake-ui-for-media-stream is
// left out on purpose: its fake prompt finds no device for a tab's stream
// id (NotFoundError); --auto-accept-camera-and-microphone-capture accepts
// the microphone and leaves tab capture to its real path.
func tabCaptureBrowser(t *testing.T) context.Context {
	t.Helper()
	mic := filepath.Join(t.TempDir(), "microphone.wav")
	if err := os.WriteFile(mic, audiotest.Tone(microphoneHz, 4), 0o644); err != nil {
		t.Fatal(err)
	}
	dist := filepath.Join(repoRoot(), "extension", "dist")
	return browsertest.New(t,
		chromedp.Flag("disable-extensions-except", dist),
		chromedp.Flag("load-extension", dist),
		chromedp.Flag("allowlisted-extension-id", extensionID),
		chromedp.Flag("auto-accept-camera-and-microphone-capture", true),
		chromedp.Flag("use-fake-device-for-media-stream", true),
		chromedp.Flag("use-file-for-fake-audio-capture", mic),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.Flag("disable-backgrounding-occluded-windows", true),
		chromedp.WindowSize(1200, 900),
	)
}

// serveCallPage serves callPage and its tone.
func serveCallPage(t *testing.T) string {
	t.Helper()
	far := audiotest.Tone(callTabHz, 4)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, callPage)
	})
	mux.HandleFunc("GET /far.wav", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "audio/wav")
		w.Write(far)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL + "/"
}

func waitJS(t *testing.T, ctx context.Context, what, expr string, timeout time.Duration) {
	t.Helper()
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](expr,
		chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(timeout)))
	if err != nil {
		var text string
		_ = evalAsync(ctx, `document.body.innerText`, &text)
		t.Fatalf("waiting for %s: %v; page: %q", what, err, text)
	}
}

func badgeText(t *testing.T, ext context.Context) string {
	t.Helper()
	var text string
	if err := evalAsync(ext, `chrome.action.getBadgeText({})`, &text); err != nil {
		t.Fatal(err)
	}
	return text
}

// tabCapture is a side panel showing a telehealth session, beside the
// call's tab, in a browser of its own.
type tabCapture struct {
	srv       *sidenoteServer
	sessionID string
	ext, call context.Context
	closeCall context.CancelFunc
}

// openTabCapture opens the session in the side panel (a tab at 400 px)
// and brings the playing call's tab to the front beside it.
func openTabCapture(t *testing.T) *tabCapture {
	t.Helper()
	srv := needServer(t)
	if !exists(filepath.Join(repoRoot(), "extension", "dist", "sidebar.wasm")) {
		t.Fatal("the sidebar was not built into extension/dist (make wasm extension)")
	}
	anon := api.AnonymousIndividual
	var sess api.Session
	if err := srv.call(http.MethodPost, "/sessions", api.CreateSessionRequest{
		Type: api.SessionTelehealth, Anonymous: &anon,
		Consent: &api.Consent{Obtained: true, Method: api.ConsentVerbal},
	}, &sess); err != nil {
		t.Fatal(err)
	}

	chrome := tabCaptureBrowser(t)
	ext, cancelExt := chromedp.NewContext(chrome)
	t.Cleanup(cancelExt)
	if err := openExtensionPage(ext); err != nil {
		t.Fatal(err)
	}
	// The clinician allowed the microphone for Sidenote (mic.html).
	if _, err := chromedp.CallBrowser(ext, browser.SetPermission, browser.SetPermissionParams{
		Permission: &browser.PermissionDescriptor{Name: "microphone"}, Setting: browser.PermissionSettingGranted,
		Origin: "chrome-extension://" + extensionID,
	}); err != nil {
		t.Fatal(err)
	}
	var reply struct {
		OK bool `json:"ok"`
	}
	if err := evalAsync(ext, fmt.Sprintf(`chrome.runtime.sendMessage({ type: 'sidenote.connect', serverUrl: %s, token: %s })`, jsArgs(srv.url), jsArgs(srv.token)), &reply); err != nil || !reply.OK {
		t.Fatalf("connect: %v %+v", err, reply)
	}
	if err := chromedp.Do(ext, chromedp.EmulateViewport(400, 800), chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ext, "the session in the list", fmt.Sprintf(`!!document.querySelector('[data-act="open"][data-arg=%s]')`, jsArgs(sess.ID)), 20*time.Second)
	if err := evalAsync(ext, fmt.Sprintf(`document.querySelector('[data-act="open"][data-arg=%s]').click()`, jsArgs(sess.ID)), nil); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ext, "Record this tab", `!!document.querySelector('[data-act="record-tab"]')`, 10*time.Second)
	screenshot(t, ext, "extension-record-this-tab-400x800.png")

	// The call's tab comes to the front, beside the panel, and plays.
	call, cancelCall := chromedp.NewContext(chrome)
	t.Cleanup(cancelCall)
	callURL := serveCallPage(t)
	if err := chromedp.Do(call, chromedp.Navigate(callURL)); err != nil {
		t.Fatal(err)
	}
	waitJS(t, call, "the far side playing", `document.getElementById('far').currentTime > 0.3`, 10*time.Second)
	if _, err := chromedp.CallBrowser(call, target.ActivateTarget, target.ActivateTargetParams{TargetID: chromedp.FromContext(call).Target.TargetID}); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ext, "the call's tab in front", fmt.Sprintf(`(async () => (await chrome.tabs.query({ active: true, lastFocusedWindow: true }))[0]?.url === %s)()`, jsArgs(callURL)), 5*time.Second)
	return &tabCapture{srv: srv, sessionID: sess.ID, ext: ext, call: call, closeCall: cancelCall}
}

// start clicks Record this tab and waits until the badge shows and
// seconds of recording have passed (a regexp of the elapsed time).
func (tc *tabCapture) start(t *testing.T, elapsed string) {
	t.Helper()
	if err := evalAsync(tc.ext, `document.querySelector('[data-act="record-tab"]').click()`, nil); err != nil {
		t.Fatal(err)
	}
	waitJS(t, tc.ext, "the tab recording", `/Recording this tab and your microphone 0:0[1-9]/.test(document.querySelector('#s-rec .rec')?.textContent ?? '')`, 15*time.Second)
	if got := badgeText(t, tc.ext); got != "REC" {
		t.Errorf("badge while recording = %q, want REC", got)
	}
	waitJS(t, tc.ext, "the recording's time", `/`+elapsed+`/.test(document.querySelector('#s-rec .rec')?.textContent ?? '')`, 15*time.Second)
}

// screenshot saves the page in ctx, scrolled to the recorder, as
// artifacts/NAME (ignored by git), for a look at the screen.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	if err := evalAsync(ctx, `document.getElementById('s-rec')?.scrollIntoView({ block: 'center' })`, nil); err != nil {
		t.Fatal(err)
	}
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(repoRoot(), "artifacts")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// recording is the session's recording as the server describes it.
func (tc *tabCapture) recording(t *testing.T) api.Recording {
	t.Helper()
	var rec api.Recording
	if err := tc.srv.call(http.MethodGet, "/sessions/"+tc.sessionID+"/recording", nil, &rec); err != nil {
		t.Fatal(err)
	}
	return rec
}

// waitBadgeCleared waits for the badge to go, reading it from ctx (an
// extension page).
func waitBadgeCleared(t *testing.T, ctx context.Context) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for badgeText(t, ctx) != "" {
		if time.Now().After(deadline) {
			t.Fatalf("badge = %q after the recording ended, want none", badgeText(t, ctx))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// From the side panel, "Record this tab" records the telehealth tab beside
// it mixed with the microphone; the badge shows while it records; the
// chunks reach the session and the recording holds both voices.
func TestRecordThisTabMixesTabAndMicrophone(t *testing.T) {
	tc := openTabCapture(t)
	srv, sess, ext, call := tc.srv, api.Session{ID: tc.sessionID}, tc.ext, tc.call
	// Past the 5 s timeslice: a chunk is uploaded while recording.
	tc.start(t, "0:0[7-9]")
	screenshot(t, ext, "extension-recording-this-tab-400x800.png")
	mid := tc.recording(t)
	if mid.Chunks < 1 || mid.Complete {
		t.Errorf("while recording the server holds %+v, want chunks of an incomplete recording", mid)
	}
	if err := evalAsync(ext, `document.querySelector('[data-act="record-stop"]').click()`, nil); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ext, "the recording uploaded", `!document.querySelector('[data-act="record-stop"]') && !/Sending the end/.test(document.querySelector('#s-rec')?.textContent ?? '')`, 20*time.Second)
	waitBadgeCleared(t, ext)
	// The tab keeps playing after the capture ended.
	waitJS(t, call, "the call still playing", `!document.getElementById('far').paused`, 2*time.Second)

	done := tc.recording(t)
	if !done.Complete || done.Chunks <= mid.Chunks || done.ContentType != "audio/webm" {
		t.Errorf("after stop the recording is %+v, want complete, more than %d chunks, audio/webm", done, mid.Chunks)
	}
	audio := recordingAudio(t, srv, sess.ID)
	samples := audiotest.Decode(t, audio)
	t.Logf("recording: %d bytes, %.1f s decoded", len(audio), float64(len(samples))/audiotest.Rate)
	if len(samples) < audiotest.Rate*5 {
		t.Fatalf("only %.1f s of audio decoded", float64(len(samples))/audiotest.Rate)
	}
	audiotest.CheckTones(t, samples, 30, callTabHz, microphoneHz)
}

// recordingAudio downloads the session's recording.
func recordingAudio(t *testing.T, srv *sidenoteServer, id string) []byte {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.url+api.Prefix+"/sessions/"+id+"/recording/audio", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+srv.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	audio, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET recording audio: %d %v", resp.StatusCode, err)
	}
	return audio
}

// Closing the recorded tab ends the recording: the panel says so, the
// badge goes, and what was recorded is the session's recording.
func TestRecordThisTabEndsWhenTheTabCloses(t *testing.T) {
	tc := openTabCapture(t)
	tc.start(t, "0:0[6-9]")
	tc.closeCall()
	waitJS(t, tc.ext, "the message", `/recorded tab was closed/.test(document.querySelector('#rec-err')?.textContent ?? '') && !document.querySelector('[data-act="record-stop"]')`, 15*time.Second)
	waitBadgeCleared(t, tc.ext)
	if rec := tc.recording(t); !rec.Complete || rec.Chunks < 2 {
		t.Errorf("after the tab closed the recording is %+v, want the chunks so far, complete", rec)
	}
	if len(audiotest.Decode(t, recordingAudio(t, tc.srv, tc.sessionID))) < audiotest.Rate*5 {
		t.Error("the recording kept is shorter than the 5 s recorded")
	}
}

// Closing the side panel while it records stops the capture (the panel
// is what uploads) and the badge goes; the chunks uploaded stay.
func TestRecordThisTabStopsWhenThePanelCloses(t *testing.T) {
	tc := openTabCapture(t)
	tc.start(t, "0:0[6-9]")
	// Another extension page reads the badge once the panel is gone.
	other, cancel := chromedp.NewContext(tc.call)
	defer cancel()
	if err := openExtensionPage(other); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(tc.ext, chromedp.Navigate("about:blank")); err != nil {
		t.Fatal(err)
	}
	waitBadgeCleared(t, other)
	if rec := tc.recording(t); rec.Chunks < 1 {
		t.Errorf("after the panel closed the server holds %+v, want the chunks uploaded", rec)
	}
	waitJS(t, tc.call, "the call still playing", `!document.getElementById('far').paused`, 2*time.Second)
}
