package view

import (
	"strconv"
	"strings"
	"time"

	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/wasm/internal/app"
)

// recorder is the microphone's controls: record, pause, stop, elapsed
// time and the input level, which the DOM layer moves in #rec-level. In
// the extension it also offers to record the telehealth tab beside the
// panel (its level is measured where it is mixed, not here).
func recorder(ss *app.SessionState, canRecordTab bool) string {
	r := &ss.Recording
	var b builder
	b.w(`<div class="actions">`)
	switch {
	case r.Active:
		if r.Paused {
			b.w(`<button type="button" class="primary" data-act="record-resume">Resume</button>`)
		} else {
			b.w(`<button type="button" data-act="record-pause">Pause</button>`)
		}
		b.w(`<button type="button" class="danger" data-act="record-stop">Stop recording</button>`)
		if r.Paused {
			b.w(`<span class="rec paused" role="status">Paused `, clock(r.Seconds), `</span>`)
		} else {
			what := "Recording "
			if r.Tab {
				what = "Recording this tab and your microphone "
			}
			b.w(`<span class="rec" role="status"><span class="dot" aria-hidden="true"></span> `, what, clock(r.Seconds), `</span>`)
		}
	case r.Finishing:
		b.w(`<span role="status"><span class="spinner" aria-hidden="true"></span> Sending the end of the recording…</span>`)
	case ss.Call.Phase != app.CallIdle && ss.Call.Phase != app.CallEnded:
		b.w(`<p class="muted">The call is recorded once you and the guest are connected and both consented.</p>`)
	default:
		busy := ss.Upload.Active || ss.Audio.Interrupted
		b.w(`<button type="button" data-act="record"`, attrIf(busy, "disabled"), `>Record audio</button>`)
		if canRecordTab {
			b.w(`<button type="button" data-act="record-tab"`, attrIf(busy, "disabled"), ` title="Records the call in the tab beside this panel, with your microphone">Record this tab</button>`)
		}
		b.w(
			`<label class="button" for="file">Upload audio file</label><input id="file" class="visually-hidden-file" type="file" accept="audio/*,.m4a,.mp3,.wav,.ogg,.webm" data-change="file"`, attrIf(busy, "disabled"), `>`)
	}
	b.w(`</div>`)
	if r.Active && !r.Tab {
		b.w(`<div class="level"><label for="rec-level">Microphone level</label><meter id="rec-level" min="0" max="1" low="0.05" high="0.9" optimum="0.3" value="0"></meter></div>`)
		if r.Waiting > 1 {
			b.w(`<p class="warn" role="status">`, strconv.Itoa(r.Waiting), ` parts of the recording are waiting for the connection. They are kept here and sent when it returns; keep this panel open.</p>`)
		}
	}
	if r.Err != "" {
		b.w(errorText("rec-err", r.Err))
		if r.NeedsPermissionPage {
			b.w(`<button type="button" data-act="mic-page">Open the microphone permission page</button>`)
		}
	}
	return b.String()
}

func transcriptionLabel(status string) string {
	switch status {
	case app.TranscriptionPending:
		return " · being transcribed"
	case app.TranscriptionDone:
		return " · transcribed"
	case app.TranscriptionFailed:
		return " · transcription failed"
	}
	return ""
}

// audioPanel is the session's recording: its transcription's progress
// and what becomes of it once the note is signed.
func audioPanel(ss *app.SessionState, env Env) string {
	au := &ss.Audio
	var b builder
	if au.Interrupted {
		return ""
	}
	fate := au.Fate()
	if fate == app.AudioNone {
		return ""
	}
	r := au.Rec
	b.w(`<div class="audio" role="group" aria-label="Recording"><p class="meta">Recording uploaded `, timeTag(r.UploadedAt, env), transcriptionLabel(r.TranscriptionStatus), `</p>`)
	if r.TranscriptionStatus == app.TranscriptionPending && fate != app.AudioDeleted {
		b.w(`<div class="progress" role="status"><span>Transcribing the recording… `, clock(int(au.Transcribing/time.Second)), `</span>`,
			`<progress aria-label="Transcribing"></progress></div>`)
	}
	if fate != app.AudioDeleted {
		b.w(`<div class="choice"><input type="checkbox" id="rec-keep" data-change="keep-recording" aria-describedby="rec-fate"`,
			attrIf(r.Keep, "checked"), attrIf(au.Busy, "disabled"), `><label for="rec-keep">Keep the recording after the note is signed</label></div>`)
	}
	b.w(`<p class="muted" id="rec-fate">`)
	switch {
	case fate == app.AudioDeleted:
		b.w(`The recording was deleted after the note was signed (`, timeTag(*r.DeletedAt, env), `).`)
	case fate == app.AudioKept:
		b.w(`The recording is kept after the note is signed.`)
	case fate == app.AudioDeleting && r.DeleteAfter.After(env.Now):
		b.w(`The note is signed: the recording will be deleted `, timeTag(*r.DeleteAfter, env), `.`)
	case fate == app.AudioDeleting:
		b.w(`The note is signed: the recording is being deleted.`)
	default:
		b.w(`The recording will be deleted when the note is signed.`)
	}
	b.w(`</p></div>`)
	return b.String()
}

// nextPanel says what to do with a recording that was interrupted, or
// that will not become a transcript by itself; it sits above the
// session's content, which it leads to.
func nextPanel(ss *app.SessionState) string {
	au := &ss.Audio
	var b builder
	if au.Interrupted {
		b.w(`<div class="panel warn" role="group" aria-labelledby="int-h"><h2 id="int-h">A recording was interrupted</h2>`,
			`<p>The panel closed while recording. About `, clock(au.Chunks*int(app.ChunkEvery()/time.Second)), ` of it reached the server and is kept.</p>`,
			`<div class="actions"><button type="button" class="primary" data-act="finish-interrupted"`, attrIf(au.Busy, "disabled"), `>`,
			busyLabel(au.Busy, "Use the uploaded recording", "Finishing…"), `</button></div></div>`)
		return b.String()
	}
	if !ss.NeedsText() || au.Fate() == app.AudioDeleted {
		return ""
	}
	b.w(`<div class="panel" role="group" aria-labelledby="next-h"><h2 id="next-h">Recording uploaded: what next?</h2><p>`)
	if ss.Audio.Rec.TranscriptionStatus == app.TranscriptionFailed {
		b.w(`The recording could not be transcribed. `)
	} else {
		b.w(`Speech-to-text is not set up on this server, so the recording won't be transcribed. `)
	}
	b.w(`To write the note, add what was said:</p><div class="actions">`,
		`<button type="button" class="primary" data-act="choose-transcript">Paste a transcript</button>`,
		`<button type="button" data-act="choose-summary">Write a summary</button>`,
		`<button type="button" data-act="download-audio">Download the audio</button></div></div>`)
	return b.String()
}

// callPanel is a telehealth session's call: the guest's link, whether the
// guest joined, both videos and the call's controls. The videos are a slot
// of their own whose HTML stays the same during the call, so a render
// never replaces a playing video.
func callPanel(ss *app.SessionState, env Env) (videos, panel string) {
	sess := &ss.Session
	c := &ss.Call
	if sess.Type != api.SessionTelehealth {
		return "", ""
	}
	inCall := c.Phase != app.CallIdle && c.Phase != app.CallEnded
	if sess.Status != api.SessionOpen && !inCall {
		return "", ""
	}
	var b builder
	b.w(`<section class="card call" aria-labelledby="call-h"><h2 id="call-h">Call</h2>`)
	link := c.JoinURL
	if link == "" {
		link = sess.JoinURL
	}
	if strings.HasPrefix(link, "/") {
		link = env.Origin + link
	}
	if sess.Status == api.SessionOpen {
		b.w(`<div class="join"><label for="join-link">Link for the client to join</label>`)
		if link != "" {
			b.w(`<div class="inline"><input id="join-link" type="text" readonly value="`, esc(link), `">`,
				`<button type="button" data-act="copy-join" data-arg="`, esc(link), `">Copy link</button></div>`)
		} else {
			b.w(`<p class="muted" id="join-none">This session has no working join link. Make a new one to invite the client.</p>`)
		}
		b.w(`<button type="button" class="link" data-act="renew-join"`, attrIf(c.LinkBusy, "disabled"), `>`,
			busyLabel(c.LinkBusy, "Make a new link", "Making a new link…"), `</button></div>`)
	}
	b.w(`<p id="call-guest" role="status" aria-live="polite">`)
	switch {
	case c.GuestJoined && c.GuestConsented && c.GuestLeft:
		b.w(`<span class="badge badge-open">Guest joined and consented</span> The guest left the call; waiting for them to come back…`)
	case c.GuestJoined && c.GuestConsented:
		b.w(`<span class="badge badge-open">Guest joined and consented</span>`)
		if !c.JoinedAt.IsZero() {
			b.w(` `, timeTag(c.JoinedAt, env))
		}
	case c.GuestJoined:
		b.w(`The guest joined but has not consented to the recording: the call is not recorded.`)
	case inCall:
		b.w(`<span class="spinner" aria-hidden="true"></span> Waiting for the guest to join…`)
	default:
		b.w(`The guest has not joined yet.`)
	}
	b.w(`</p>`)
	switch c.Phase {
	case app.CallIdle, app.CallEnded:
		b.w(`<div class="actions"><button type="button" class="primary" data-act="call-start">Start the call</button></div>`,
			`<p class="muted">Your browser will ask to use the camera and microphone.</p>`)
	case app.CallConnecting:
		b.w(`<p role="status"><span class="spinner" aria-hidden="true"></span> Starting the camera and microphone…</p>`)
	default:
		b.w(`<div class="actions">`,
			`<button type="button" data-act="call-mute" aria-pressed="`, boolAttr(c.Muted), `">`, pick(c.Muted, "Unmute", "Mute"), `</button>`,
			`<button type="button" data-act="call-camera" aria-pressed="`, boolAttr(c.CameraOff), `">`, pick(c.CameraOff, "Turn camera on", "Turn camera off"), `</button>`,
			`<button type="button" class="danger" data-act="call-end">End call</button></div>`)
		if ss.Recording.Active {
			b.w(`<p class="rec" id="call-rec" role="status"><span class="dot" aria-hidden="true"></span> `, pick(ss.Recording.Paused, "Recording paused", "Recording the call"), ` `, clock(ss.Recording.Seconds), `</p>`)
		} else {
			b.w(`<p class="muted" id="call-rec" role="status">Not recording</p>`)
		}
	}
	b.w(errorText("call-err", c.Err))
	if c.NeedsPermissionPage {
		b.w(`<button type="button" data-act="camera-page">Open the camera and microphone permission page</button>`)
	}
	b.w(`</section>`)
	if inCall && c.Phase != app.CallConnecting {
		videos = `<div class="videos"><video id="call-remote" autoplay playsinline aria-label="The guest's video"></video>` +
			`<video id="call-local" autoplay playsinline muted aria-label="Your video"></video></div>`
	}
	return videos, b.String()
}

func boolAttr(v bool) string { return pick(v, "true", "false") }

func pick(cond bool, yes, no string) string {
	if cond {
		return yes
	}
	return no
}
