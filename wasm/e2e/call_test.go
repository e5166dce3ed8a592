//go:build !js

package e2e

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sidenote/sidenote/internal/audiotest"
	"github.com/sidenote/sidenote/shared/api"
)

// Calls run between two separate headless Chromium instances on loopback,
// each with its own fake camera and a WAV of its own tone as microphone:
// the clinician's 440 Hz, the guest's 1000 Hz.
const (
	clinicianHz = 440
	guestHz     = 1000
)

// callBrowser opens a browser whose microphone plays a tone of hz (flags
// measured in /work/shared/NOTES.md).
func callBrowser(t *testing.T, hz float64) page {
	t.Helper()
	wav := filepath.Join(t.TempDir(), "tone.wav")
	if err := os.WriteFile(wav, audiotest.Tone(hz, 4), 0o644); err != nil {
		t.Fatal(err)
	}
	return page{t: t, ctx: newBrowser(t,
		chromedp.Flag("use-fake-device-for-media-stream", true),
		chromedp.Flag("use-fake-ui-for-media-stream", true),
		chromedp.Flag("use-file-for-fake-audio-capture", wav),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
		chromedp.Flag("allow-loopback-in-peer-connection", true),
		chromedp.Flag("disable-features", "WebRtcHideLocalIpsWithMdns"),
	)}
}

// callSetup is a telehealth session with its call started on the
// clinician's side (/app) and the guest's browser on the join link.
type callSetup struct {
	srv       *server
	token     string
	id        string
	clinician page
	guest     page
	joinURL   string
}

// startCall opens a telehealth session in /app, starts its call and opens
// the join link in the guest's browser.
func startCall(t *testing.T, srv *server, email string) *callSetup {
	t.Helper()
	c := &callSetup{srv: srv, token: srv.devToken(t, email), clinician: callBrowser(t, clinicianHz), guest: callBrowser(t, guestHz)}
	c.open(t)
	return c
}

// open starts a new telehealth session and its call in the setup's
// browsers.
func (c *callSetup) open(t *testing.T) {
	t.Helper()
	srv := c.srv
	var sess api.Session
	srv.call(t, c.token, "POST", "/api/v1/sessions", api.CreateSessionRequest{Type: api.SessionTelehealth,
		Consent: &api.Consent{Obtained: true, Method: api.ConsentVerbal}}, &sess)
	c.id = sess.ID
	p := c.clinician
	p.do(chromedp.EmulateViewport(400, 800), chromedp.Navigate(srv.URL+"/app/"))
	eval[chromedp.Void](p, `localStorage.setItem('sidenote.token', `+jsString(c.token)+`)`)
	p.do(chromedp.Navigate(srv.URL + "/app/"))
	p.click(`#s-list li button[data-arg="` + c.id + `"]`)
	p.waitFor("the call panel", `!!document.querySelector('[data-act="call-start"]') && !!document.querySelector('#join-link')`)
	c.joinURL = eval[string](p, `document.querySelector('#join-link').value`)
	if !strings.HasPrefix(c.joinURL, srv.URL+"/join/") {
		t.Fatalf("join link = %q", c.joinURL)
	}
	p.click(`[data-act="call-start"]`)
	p.waitFor("waiting for the guest", `document.querySelector('#call-guest')?.textContent.includes('Waiting for the guest')`)
	// When the guest's join shows, in the page's clock.
	eval[chromedp.Void](p, `(() => { window.joinedAt = 0; new MutationObserver(() => {
		if (!joinedAt && document.querySelector('#call-guest')?.textContent.includes('Guest joined and consented')) joinedAt = Date.now();
	}).observe(document.body, {childList: true, subtree: true, characterData: true}); })()`)
	c.guest.do(chromedp.EmulateViewport(400, 800), chromedp.Navigate(c.joinURL))
	c.guest.waitFor("the join form", `!!document.querySelector('#email')`)
}

// guestJoins fills the guest's form and returns how long the clinician's
// screen took to show the join, from the submit.
func (c *callSetup) guestJoins(t *testing.T) time.Duration {
	t.Helper()
	c.guest.set("#email", "guest.caller@example.test", "input")
	c.guest.click("#consent")
	submitted := eval[float64](c.guest, `(() => { const t = Date.now(); document.querySelector('button[type=submit]').click(); return t; })()`)
	c.clinician.waitFor("the guest's join", `joinedAt > 0`)
	return time.Duration(eval[float64](c.clinician, `joinedAt`)-submitted) * time.Millisecond
}

// connected waits until both sides see the other's media and the call is
// recorded.
func (c *callSetup) connected(t *testing.T) {
	t.Helper()
	c.clinician.waitFor("the guest's video", `document.querySelector('#call-remote')?.readyState >= 2`)
	c.clinician.waitFor("the recording indicator", `document.querySelector('#call-rec')?.textContent.includes('Recording the call')`)
	c.guest.waitFor("the guest's recording indicator", `document.querySelector('#recording') && !document.querySelector('#recording').hidden`)
}

func TestTelehealthCallConnectsIsRecordedAndEndsTheSession(t *testing.T) {
	srv := startServer(t)
	c := startCall(t, srv, "dr.call@example.test")
	p := c.clinician
	// The join shows live, with no reload. How fast (the issue asks within
	// 1 s) is TestCallBenchmark's figure: a timed assertion here would fail
	// on a loaded machine for reasons that are not the sidebar's.
	took := c.guestJoins(t)
	t.Logf("guest submit to joined on the clinician's screen: %v", took)
	c.connected(t)
	p.screenshot("sidebar-call-400x800.png")
	p.do(chromedp.EmulateViewport(1280, 900))
	p.screenshot("sidebar-call-1280x900.png")
	c.guest.screenshot("join-call-guest-400x800.png")

	// Mute and camera reach the clinician's tracks.
	p.click(`[data-act="call-mute"]`)
	p.waitFor("muted", `document.querySelector('[data-act="call-mute"]')?.getAttribute('aria-pressed') === 'true'`)
	if eval[bool](p, `sidenoteMedia.call.local.getAudioTracks()[0].enabled`) {
		t.Error("the microphone track is still enabled after Mute")
	}
	p.click(`[data-act="call-mute"]`)
	p.waitFor("unmuted", `sidenoteMedia.call.local.getAudioTracks()[0].enabled`)

	// Past the first 5 s chunk, then End call: the session is ended as
	// the clinician chooses.
	waitChunks(t, c, 1)
	p.click(`[data-act="call-end"]`)
	p.waitFor("the end panel", `!!document.querySelector('[data-act="end-anon"]')`)
	p.click(`[data-act="end-anon"][data-arg="anonymous_individual"]`)
	p.waitFor("the ended session", `!document.querySelector('[data-act="end-open"]') && !!document.querySelector('[data-act="generate"]')`)
	var sess api.Session
	srv.call(t, c.token, "GET", "/api/v1/sessions/"+c.id, nil, &sess)
	if sess.Status == api.SessionOpen || sess.Anonymous == nil || *sess.Anonymous != api.AnonymousIndividual {
		t.Errorf("session after End call = %+v", sess)
	}
	if live := eval[int](p, `document.querySelectorAll('video').length`); live != 0 {
		t.Errorf("%d videos still shown after the call", live)
	}
	c.guest.waitFor("the guest told", `!document.querySelector('#recording') || document.querySelector('#recording').hidden`)
	checkBothTones(t, c)
}

func TestClosingTheClinicianTabMidCallKeepsAPlayableRecording(t *testing.T) {
	srv := startServer(t)
	c := startCall(t, srv, "dr.closed@example.test")
	c.guestJoins(t)
	c.connected(t)
	waitChunks(t, c, 1)

	// The page goes away mid-call, as with a closed tab: the recorder and
	// the socket die with it. Opened again, it finds the recording's
	// uploaded part and finishes it.
	p := c.clinician
	p.do(chromedp.Navigate("about:blank"))
	p.do(chromedp.Navigate(srv.URL + "/app/"))
	var rec api.Recording
	srv.call(t, c.token, "GET", "/api/v1/sessions/"+c.id+"/recording", nil, &rec)
	if rec.Complete || rec.Chunks < 1 {
		t.Fatalf("recording after the tab closed = %+v", rec)
	}
	p.click(`#s-list li button`)
	p.waitFor("the interrupted recording", `!!document.querySelector('[data-act="finish-interrupted"]')`)
	p.screenshot("sidebar-recording-interrupted-400x800.png")
	p.click(`[data-act="finish-interrupted"]`)
	p.waitFor("the recording", `!!document.querySelector('#rec-keep')`)
	srv.call(t, c.token, "GET", "/api/v1/sessions/"+c.id+"/recording", nil, &rec)
	if !rec.Complete || rec.Chunks < 1 {
		t.Fatalf("recording after finishing = %+v", rec)
	}
	checkBothTones(t, c)
}

// waitChunks waits until the server holds n chunks of the session's
// recording.
func waitChunks(t *testing.T, c *callSetup, n int) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		var rec api.Recording
		if code := c.srv.call(t, c.token, "GET", "/api/v1/sessions/"+c.id+"/recording", nil, nil); code == 200 {
			c.srv.call(t, c.token, "GET", "/api/v1/sessions/"+c.id+"/recording", nil, &rec)
			if rec.Chunks >= n {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server holds %d chunks, want %d", rec.Chunks, n)
		}
	}
}

// checkBothTones downloads the session's recording, decodes it with ffmpeg
// and checks both sides' tones are in it.
func checkBothTones(t *testing.T, c *callSetup) {
	t.Helper()
	req, err := http.NewRequest("GET", c.srv.URL+"/api/v1/sessions/"+c.id+"/recording/audio", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	audio, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET audio: %d %v", resp.StatusCode, err)
	}
	samples := audiotest.Decode(t, audio)
	t.Logf("recording: %d bytes, %.1f s decoded", len(audio), float64(len(samples))/audiotest.Rate)
	if len(samples) < audiotest.Rate*3 {
		t.Fatalf("only %.1f s of audio decoded", float64(len(samples))/audiotest.Rate)
	}
	audiotest.CheckTones(t, samples, 30, clinicianHz, guestHz)
}
