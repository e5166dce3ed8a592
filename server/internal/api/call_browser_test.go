package api

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sidenote/sidenote/internal/browsertest"
	"github.com/sidenote/sidenote/server/internal/store/storetest"
	"github.com/sidenote/sidenote/shared/api"
)

// clinicianCallJS plays the clinician's side of a call in a page of the
// server's origin (the sidebar's own call screen is tested with the
// sidebar): a ticket, the socket, a fake camera and microphone, the offer;
// it resolves once the peer connection is connected and the guest's track
// has arrived.
const clinicianCallJS = `new Promise((resolve, reject) => {
  setTimeout(() => reject(new Error('no call after 15 s: ' + JSON.stringify(window.callLog))), 15000);
  window.callLog = [];
  fetch('/api/v1/sessions/' + SESSION + '/call/ticket', {method: 'POST', headers: {Authorization: 'Bearer ' + TOKEN}})
    .then(r => r.json()).then(async ticket => {
      const stream = await navigator.mediaDevices.getUserMedia({audio: true, video: true});
      const pc = new RTCPeerConnection({iceServers: ticket.ice_servers});
      stream.getTracks().forEach(t => pc.addTrack(t, stream));
      let gotTrack = false;
      const done = () => { if (gotTrack && pc.connectionState === 'connected') resolve('connected'); };
      pc.ontrack = () => { gotTrack = true; done(); };
      pc.onconnectionstatechange = done;
      const ws = new WebSocket('ws://' + location.host + '/api/v1/sessions/' + SESSION + '/call?ticket=' + ticket.ticket);
      window.callSocket = ws;
      pc.onicecandidate = e => { if (e.candidate) ws.send(JSON.stringify({type: 'candidate', candidate: e.candidate.toJSON()})); };
      const offer = async () => {
        await pc.setLocalDescription(await pc.createOffer());
        ws.send(JSON.stringify({type: 'offer', sdp: pc.localDescription.sdp}));
      };
      ws.onmessage = async e => {
        const m = JSON.parse(e.data);
        window.callLog.push(m.type);
        if ((m.type === 'welcome' && m.peer_present) || m.type === 'peer_joined') await offer();
        if (m.type === 'answer') await pc.setRemoteDescription({type: 'answer', sdp: m.sdp});
        if (m.type === 'candidate') await pc.addIceCandidate(m.candidate);
      };
    }).catch(reject);
})`

// TestCallInBrowser opens the guest page in Chromium with a fake camera
// and microphone: the form leads to the call page, whose script opens its
// socket under the page's CSP and receives welcome; the clinician's open
// socket hears guest_joined within 1 s; the recording indicator follows the
// clinician; a real WebRTC connection comes up with a clinician page; the
// session's end reaches the guest.
func TestCallInBrowser(t *testing.T) {
	browsertest.Need(t)
	storetest.EachDialect(t, func(t *testing.T, databaseURL string) {
		ts := newTestServer(t, databaseURL)
		ts.cfg.PublicURL = ts.http.URL // the guest opens the link on the server's own origin
		f := newCallFixture(t, ts, "a@example.com")
		clinician, _ := dial(t, f.clinicianURL(f.ticket(t).Ticket), ts.http.URL)
		expect(t, clinician, api.CallWelcome)

		browser := browsertest.New(t,
			chromedp.Flag("use-fake-ui-for-media-stream", true),
			chromedp.Flag("use-fake-device-for-media-stream", true),
			chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
			chromedp.Flag("allow-loopback-in-peer-connection", true),
			chromedp.Flag("disable-features", "WebRtcHideLocalIpsWithMdns"),
			chromedp.WindowSize(375, 812))
		guest, cancel := context.WithTimeout(browser, 30*time.Second)
		defer cancel()
		err := chromedp.Do(guest,
			chromedp.EmulateViewport(375, 812),
			chromedp.Navigate(f.session.JoinURL),
			chromedp.SendKeys(chromedp.CSS("#email"), guestEmail),
			chromedp.Click(chromedp.CSS("#consent")),
		)
		if err != nil {
			t.Fatal(err)
		}
		submitted := time.Now()
		if err := chromedp.Do(guest, chromedp.Click(chromedp.CSS("button[type=submit]"))); err != nil {
			t.Fatal(err)
		}
		m, data := read(t, clinician, time.Second)
		if m.Type != api.CallGuestJoined {
			t.Fatalf("clinician got %s, want guest_joined", data)
		}
		t.Logf("guest_joined on the clinician's socket %v after the click", time.Since(submitted))
		if err := chromedp.Do(guest, chromedp.WaitVisible(chromedp.CSS(`#call[data-state="waiting"]`))); err != nil {
			state, _ := chromedp.Run(context.WithoutCancel(guest), chromedp.Evaluate[string](`document.body.innerText`))
			t.Fatalf("the call page did not receive welcome: %v\n%s", err, state)
		}
		expect(t, clinician, api.CallPeerJoined)

		send(t, clinician, `{"type":"recording","on":true}`)
		if err := chromedp.Do(guest, chromedp.WaitVisible(chromedp.CSS("#recording"))); err != nil {
			t.Fatalf("the recording indicator did not show: %v", err)
		}
		width, err := chromedp.Run(guest, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
		if err != nil || width > 375 {
			t.Fatalf("the call page is %d px wide at 375 px (%v)", width, err)
		}
		clinician.CloseNow()

		// A clinician page makes a real peer connection with the guest page.
		page, cancelPage := chromedp.NewContext(browser)
		defer cancelPage()
		page, cancelPageTimeout := context.WithTimeout(page, 30*time.Second)
		defer cancelPageTimeout()
		if err := chromedp.Do(page, chromedp.Navigate(ts.http.URL+"/healthz")); err != nil {
			t.Fatal(err)
		}
		session, _ := json.Marshal(f.session.ID)
		token, _ := json.Marshal(f.token)
		script := "const SESSION = " + string(session) + ", TOKEN = " + string(token) + "; " + clinicianCallJS
		state, err := chromedp.Run(page, chromedp.Evaluate[string](script, chromedp.EvalAwaitPromise))
		if err != nil || state != "connected" {
			t.Fatalf("clinician page: %q, %v", state, err)
		}
		if err := chromedp.Do(guest, chromedp.WaitVisible(chromedp.CSS(`#call[data-state="connected"]`))); err != nil {
			t.Fatalf("the guest page did not connect: %v", err)
		}
		playing, err := chromedp.Run(guest, chromedp.Poll[bool](`document.getElementById('remote').videoWidth > 0`, chromedp.WithPollingTimeout(10*time.Second)))
		if err != nil || !playing {
			t.Fatalf("the guest sees no video from the clinician: %v", err)
		}

		// SIDENOTE_SCREENSHOT_DIR keeps a picture of the call at phone width.
		if dir := os.Getenv("SIDENOTE_SCREENSHOT_DIR"); dir != "" {
			shot, err := chromedp.Run(guest, chromedp.FullScreenshot(100))
			if err == nil {
				err = os.WriteFile(filepath.Join(dir, "guest-call-375.png"), shot, 0o600)
			}
			if err != nil {
				t.Fatal(err)
			}
		}

		anon := api.AnonymousIndividual
		ts.do(f.token, http.MethodPost, "/api/v1/sessions/"+f.session.ID+"/end", api.EndSessionRequest{Anonymous: &anon}, http.StatusOK, nil)
		if err := chromedp.Do(guest, chromedp.WaitVisible(chromedp.CSS(`#call[data-state="ended"]`))); err != nil {
			t.Fatalf("the guest page did not learn the session ended: %v", err)
		}
		assertNowhere(t, ts, guestEmail)
	})
}
