//go:build !js

package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/sidenote/sidenote/shared/api"
)

// What the recording tests read back: the chunks the page sent, the files
// it downloaded, and what the server stored.

// allowDownloads saves the browser's downloads in a new directory.
func allowDownloads(t *testing.T, p page) string {
	t.Helper()
	dir := t.TempDir()
	if _, err := chromedp.CallBrowser(p.ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir,
	}); err != nil {
		t.Fatal(err)
	}
	return dir
}

// waitDownload waits until dir holds one recording holding want.
func waitDownload(t *testing.T, dir string, want []byte) {
	t.Helper()
	var got []byte
	var files []string
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		files, _ = filepath.Glob(filepath.Join(dir, "sidenote-recording-*.webm"))
		if len(files) == 1 {
			if got, _ = os.ReadFile(files[0]); bytes.Equal(got, want) {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("downloads %q; got %d bytes, want %d", files, len(got), len(want))
		}
	}
}

// sentChunks returns the recording's chunks the page sent (spyMedia), each
// index once, joined.
func sentChunks(p page) []byte {
	p.t.Helper()
	dataURL, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](`(async () => {
		const byIndex = [];
		for (const s of spy.sent) {
			const m = / \/api\/v1\/sessions\/[^/]+\/recording\/chunks\/(\d+)$/.exec(s.url);
			if (m && s.body instanceof Blob) byIndex[+m[1]] = s.body;
		}
		const b = new Blob(byIndex);
		return await new Promise((ok) => { const r = new FileReader(); r.onload = () => ok(r.result); r.readAsDataURL(b); });
	})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		p.t.Fatal(err)
	}
	_, b64, _ := strings.Cut(dataURL, ";base64,")
	audio, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		p.t.Fatal(err)
	}
	return audio
}

// checkStored fails unless the server holds audio as session id's recording.
func checkStored(t *testing.T, srv *server, token, id string, audio []byte) {
	t.Helper()
	var rec api.Recording
	srv.call(t, token, "GET", "/api/v1/sessions/"+id+"/recording", nil, &rec)
	sum := sha256.Sum256(audio)
	if len(audio) < 1000 || !bytes.HasPrefix(audio, []byte{0x1a, 0x45, 0xdf, 0xa3}) {
		t.Errorf("sent %d bytes: % x", len(audio), audio[:min(len(audio), 16)])
	}
	if rec.SizeBytes != int64(len(audio)) || rec.SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("server holds %+v; sent %d bytes, sha256 %x", rec, len(audio), sum)
	}
}
