package app

import (
	"context"
	"errors"
	"time"

	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/wasm/internal/client"
)

// RecordingState is audio being recorded in the panel: from the microphone,
// or a call's two sides mixed.
type RecordingState struct {
	Active bool
	// Tab is true when the recording is of the telehealth tab beside the
	// panel mixed with the microphone (the extension's tab capture).
	Tab     bool
	Paused  bool
	Seconds int
	Err     string
	// NeedsPermissionPage is true when the panel could not ask for the
	// microphone itself and the clinician must allow it in a tab once.
	NeedsPermissionPage bool
	// Uploaded counts the chunks the server has; Waiting those recorded
	// here and not sent yet (the connection is away).
	Uploaded, Waiting int
	// Finishing is true from Stop until the last chunk reached the server.
	Finishing bool
}

// MicFailure says why the microphone could not record.
type MicFailure int

const (
	// MicBroken: recording went wrong after it started.
	MicBroken MicFailure = iota
	// MicRefused: the permission was refused.
	MicRefused
	// MicNoDevice: there is no microphone.
	MicNoDevice
	// MicBusy: the microphone is in use elsewhere or can't be read.
	MicBusy
	// MicUnsupported: this browser can't record here.
	MicUnsupported
	// TabUncapturable: the tab beside the panel could not be recorded
	// (Sidenote was not invoked on it, or it is a browser page).
	TabUncapturable
	// TabEnded: the recorded tab was closed, or its capture ended, while
	// recording.
	TabEnded
)

// chunkEvery is MediaRecorder's timeslice: closing the panel loses at most
// this much of a recording.
const chunkEvery = 5 * time.Second

// ChunkEvery is the recorder's timeslice, for the DOM layer.
func ChunkEvery() time.Duration { return chunkEvery }

// chunkUpload is one recording being uploaded in chunks while it runs. The
// chunks stay in memory until the server has them; a failed chunk is tried
// again when the next one arrives and when the recording stops.
type chunkUpload struct {
	sessionID string
	// queue holds the chunks not yet on the server; first is the index of
	// queue[0].
	queue []client.Blob
	first int
	// sent counts the chunks the server has.
	sent    int
	pumping bool
	idle    chan struct{}
	// broken is set when the server refused a chunk for good (another
	// recording's chunks are there): the whole recording is sent at the
	// end instead.
	broken bool
	// startedAt, pausedAt and paused measure the recording's length.
	startedAt, pausedAt time.Time
	paused              time.Duration
}

// RecordingStarted asks whether a recording may start in sessionID, and
// notes that the microphone is recording if so. It may not once the
// clinician has left that session or is signing out: the DOM layer then
// releases the microphone at once.
func (a *App) RecordingStarted(sessionID string) bool {
	return a.recordingStarted(sessionID, false)
}

// TabRecordingStarted is RecordingStarted for the recording of the
// telehealth tab beside the panel, mixed with the microphone.
func (a *App) TabRecordingStarted(sessionID string) bool {
	return a.recordingStarted(sessionID, true)
}

func (a *App) recordingStarted(sessionID string, tab bool) bool {
	ok := false
	a.update(func(s *State) {
		if s.Me == nil || s.Screen != ScreenSession || s.Session.Session.ID != sessionID || s.SignOut.Busy || s.SignOut.Confirm || a.chunks != nil {
			return
		}
		s.Session.Recording = RecordingState{Active: true, Tab: tab}
		a.chunks = &chunkUpload{sessionID: sessionID, startedAt: a.d.Now()}
		a.recordingBegun()
		ok = true
	})
	if ok {
		a.callRecording(sessionID, true)
	}
	return ok
}

// RecordingTick updates the elapsed recording time, paused time left out.
func (a *App) RecordingTick() {
	a.update(func(s *State) {
		cu := a.chunks
		if cu == nil || !s.Session.Recording.Active || s.Session.Session.ID != cu.sessionID {
			return
		}
		s.Session.Recording.Seconds = int(cu.elapsed(a.d.Now()) / time.Second)
	})
}

func (cu *chunkUpload) elapsed(now time.Time) time.Duration {
	d := now.Sub(cu.startedAt) - cu.paused
	if !cu.pausedAt.IsZero() {
		d -= now.Sub(cu.pausedAt)
	}
	return d
}

// RecordingPaused notes that the recorder paused (or resumed).
func (a *App) RecordingPaused(paused bool) {
	a.update(func(s *State) {
		cu := a.chunks
		if cu == nil || cu.pausedAt.IsZero() != paused {
			return
		}
		now := a.d.Now()
		if paused {
			cu.pausedAt = now
		} else {
			cu.paused += now.Sub(cu.pausedAt)
			cu.pausedAt = time.Time{}
		}
		if s.Session.Session.ID == cu.sessionID {
			s.Session.Recording.Paused = paused
			s.Session.Recording.Seconds = int(cu.elapsed(now) / time.Second)
		}
	})
	if cu := read(a, func(*State) *chunkUpload { return a.chunks }); cu != nil {
		a.callRecording(cu.sessionID, !paused)
	}
}

// RecordingFailed reports that recording could not start or went wrong.
// canOpenPermissionPage is true in the side panel, which may not show the
// permission prompt itself.
func (a *App) RecordingFailed(why MicFailure, canOpenPermissionPage bool) {
	a.update(func(s *State) {
		r := &s.Session.Recording
		*r = RecordingState{}
		switch {
		case why == MicRefused && canOpenPermissionPage:
			r.NeedsPermissionPage = true
			r.Err = "Sidenote needs permission to use the microphone. Open the permission page, choose Allow, then come back and record."
		case why == MicRefused:
			r.Err = "The microphone is blocked for this page. Allow it in the browser's site settings (the icon left of the address), then try again."
		case why == MicNoDevice:
			r.Err = "No microphone was found. Connect one or switch it on, then try again. You can also upload an audio file or type a summary."
		case why == MicBusy:
			r.Err = "The microphone can't be used: another app may be using it. Close that app, then try again."
		case why == TabUncapturable:
			r.Err = "Sidenote can't record this tab. Bring the call's tab to the front, click the Sidenote icon there, then choose Record this tab."
		case why == TabEnded:
			r.Err = "The recorded tab was closed or stopped sharing its sound, so the recording stopped. What was recorded is kept."
		case why == MicUnsupported:
			r.Err = "This browser can't record audio here. Upload an audio file or type a summary instead."
		default:
			r.Err = "Recording stopped unexpectedly. What was recorded is kept; check the microphone and try again."
		}
	})
}

// RecordingChunk takes the next chunk of the recording of sessionID and
// sends it, after any still waiting.
func (a *App) RecordingChunk(ctx context.Context, sessionID string, b client.Blob) {
	if cu := a.QueueChunk(sessionID, b); cu != nil {
		_ = a.pump(ctx, cu, false)
	}
}

// QueueChunk keeps the next chunk of the recording of sessionID without
// blocking, so the DOM layer keeps the recorder's order; SendChunks sends
// it. It returns nil when there is nothing to send.
func (a *App) QueueChunk(sessionID string, b client.Blob) *ChunkSender {
	if b == nil || b.Size() == 0 {
		return nil
	}
	var cu *chunkUpload
	a.update(func(s *State) {
		if cu = a.chunks; cu == nil || cu.sessionID != sessionID {
			cu = nil
			return
		}
		cu.queue = append(cu.queue, b)
		a.showChunks(s, cu)
	})
	if cu == nil || cu.broken {
		return nil
	}
	return cu
}

// ChunkSender is a recording whose queued chunks SendChunks sends.
type ChunkSender = chunkUpload

// SendChunks sends the queued chunks of cu unless a send is running.
func (a *App) SendChunks(ctx context.Context, cu *ChunkSender) { _ = a.pump(ctx, cu, false) }

// showChunks shows the upload's progress in the recording's session.
// The caller holds the lock.
func (a *App) showChunks(s *State, cu *chunkUpload) {
	if s.Session.Session.ID == cu.sessionID {
		s.Session.Recording.Uploaded, s.Session.Recording.Waiting = cu.sent, len(cu.queue)
	}
}

// pump sends the waiting chunks in order. With wait, it first waits for a
// pump already running; without, it leaves the work to that one.
func (a *App) pump(ctx context.Context, cu *chunkUpload, wait bool) error {
	for {
		a.mu.Lock()
		if !cu.pumping {
			break
		}
		idle := cu.idle
		a.mu.Unlock()
		if !wait {
			return nil
		}
		select {
		case <-idle:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	cu.pumping, cu.idle = true, make(chan struct{})
	a.mu.Unlock()
	defer func() {
		a.mu.Lock()
		cu.pumping = false
		close(cu.idle)
		a.mu.Unlock()
	}()
	for {
		a.mu.Lock()
		if len(cu.queue) == 0 || cu.broken {
			a.mu.Unlock()
			return nil
		}
		b, index := cu.queue[0], cu.first
		a.mu.Unlock()
		err := a.d.API.PutRecordingChunk(ctx, cu.sessionID, index, b)
		if err != nil && !transient(err) {
			// A 409: other bytes are at that index (the same bytes
			// are accepted again), another recording's chunks; or a
			// server without chunked uploads. The recording is sent
			// whole when it stops.
			a.mu.Lock()
			cu.broken = true
			a.mu.Unlock()
			return err
		}
		if err != nil {
			a.update(func(s *State) {
				if s.Session.Session.ID == cu.sessionID && isUnreachable(err) {
					s.failed(err)
				}
			})
			return err
		}
		a.update(func(s *State) {
			s.reached()
			cu.queue[0] = nil
			cu.queue = cu.queue[1:]
			cu.first++
			cu.sent++
			a.showChunks(s, cu)
		})
	}
}

// RecordingStopped finishes the recording of sessionID: the chunks still
// waiting are sent and the server assembles them. b is the whole
// recording, held in memory (HeldRecording) if the upload can't finish;
// a recording that never sent chunks is uploaded whole.
func (a *App) RecordingStopped(ctx context.Context, sessionID string, b client.Blob) {
	defer a.recordingEnded()
	var cu *chunkUpload
	empty := b == nil || b.Size() == 0
	owner := ""
	a.update(func(s *State) {
		if a.chunks != nil && a.chunks.sessionID == sessionID {
			cu = a.chunks
			a.chunks = nil
		}
		if s.Me != nil {
			owner = s.Me.ID
		}
		if s.Session.Session.ID == sessionID {
			s.Session.Recording = RecordingState{}
			if empty {
				s.Session.Recording.Err = "Nothing was recorded. Check the microphone and try again."
			} else if cu != nil && cu.sent+len(cu.queue) > 0 && !cu.broken {
				s.Session.Recording.Finishing = true
				a.showChunks(s, cu)
			}
		}
	})
	a.callRecording(sessionID, false)
	if empty {
		return
	}
	if cu == nil || cu.sent+len(cu.queue) == 0 || cu.broken {
		a.upload(ctx, sessionID, b, 0)
		return
	}
	err := a.finishChunks(ctx, cu)
	if err != nil && read(a, func(*State) bool { return cu.broken }) {
		// Refused while stopping (the final chunk was the first).
		a.update(func(s *State) {
			if s.Session.Session.ID == sessionID {
				s.Session.Recording.Finishing = false
			}
		})
		a.upload(ctx, sessionID, b, 0)
		return
	}
	if err != nil {
		a.update(func(s *State) {
			if s.Session.Session.ID == sessionID {
				s.Session.Recording.Finishing = false
			}
			if h := a.hold(s, 0, sessionID, owner, b, err, s.failed(err)); h != nil {
				h.chunks = cu
			}
		})
	}
}

// finishChunks sends the chunks still waiting, then completes the
// recording and shows what the server made of it.
func (a *App) finishChunks(ctx context.Context, cu *chunkUpload) error {
	err := a.pump(ctx, cu, true)
	if err == nil && read(a, func(*State) bool { return cu.broken }) {
		err = errChunksRefused
	}
	if err == nil {
		err = a.d.API.CompleteRecording(ctx, cu.sessionID)
	}
	if err != nil {
		return err
	}
	a.recordingArrived(ctx, cu.sessionID)
	return nil
}

// transient reports whether err may pass by itself: no connection, a
// server busy or restarting, or a sign-in to renew.
func transient(err error) bool {
	if isUnreachable(err) || isCode(err, api.CodeUnauthenticated) {
		return true
	}
	e, ok := errors.AsType[*client.Error](err)
	return !ok || e.Status >= 500 || e.Status == 429
}

var errChunksRefused = &client.Error{Status: 409, API: api.Error{Code: api.CodeConflict,
	Message: "The server already holds another recording for this session."}}

// recordingArrived shows a session's new recording and, when it is being
// transcribed, follows the transcription.
func (a *App) recordingArrived(ctx context.Context, id string) {
	sess, err := a.d.API.Session(ctx, id)
	a.update(func(s *State) {
		if s.Session.Session.ID == id {
			s.Session.Recording.Finishing = false
			if err == nil {
				s.Session.Session = sess
			}
		}
		if err == nil {
			s.reached()
			s.upsertSession(sess)
		}
		s.notify(NoticeSuccess, "Recording uploaded.")
	})
	a.loadAudio(ctx, id)
	a.followTranscription(ctx, id)
}

// FinishInterrupted completes a recording whose recorder stopped before it
// was finished (the panel was closed or reloaded): what was uploaded
// becomes the session's recording.
func (a *App) FinishInterrupted(ctx context.Context) {
	var id string
	a.update(func(s *State) {
		au := &s.Session.Audio
		if !au.Interrupted || au.Busy {
			return
		}
		au.Busy = true
		id = s.Session.Session.ID
	})
	if id == "" {
		return
	}
	err := a.d.API.CompleteRecording(ctx, id)
	a.update(func(s *State) {
		if s.Session.Session.ID != id {
			return
		}
		s.Session.Audio.Busy = false
		if err != nil {
			s.notify(NoticeError, s.failed(err))
		}
	})
	if err == nil {
		a.recordingArrived(ctx, id)
	}
}
