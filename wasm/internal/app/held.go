package app

import (
	"context"
	"strings"

	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/wasm/internal/client"
)

// HeldRecording is a recording from the microphone whose upload failed.
// Its audio stays in memory, for the session it was recorded in, until it
// reaches the server or the clinician discards it: never in Storage, which
// is too small for audio and outlives the sign-in. Closing the panel loses
// it, so the clinician may also save it to this device as a file.
type HeldRecording struct {
	// Seq identifies the recording among those held.
	Seq       int
	SessionID string
	// Owner is the clinician who recorded it: only their sign-in sends it.
	Owner string
	Blob  client.Blob
	// At is when it was recorded (stopped), for the saved file's name.
	At  string
	Err string
	// Auto is true when the last try failed for want of a connection or
	// of a sign-in: RetryPending tries it again once both are back.
	Auto bool
	Busy bool
	// Saved is true once the clinician saved it to this device.
	Saved bool
	// ConfirmDiscard is true while the clinician is asked whether to
	// discard it.
	ConfirmDiscard bool
	// chunks is the chunked upload to resume, nil to send Blob whole.
	chunks *chunkUpload
	// Not comparable, so no equality function is generated for it: the
	// sidebar's binary is kept small.
	_ [0]func()
}

// FileName is the name of the file the recording is saved to: no client
// name, only when it was recorded.
func (h *HeldRecording) FileName() string {
	ext := ".webm"
	name := h.Blob.Name()
	if i := strings.LastIndexByte(name, '.'); i > 0 {
		ext = name[i:]
	}
	return "sidenote-recording-" + h.At + ext
}

func (s *State) held(seq int) *HeldRecording {
	for i := range s.Held {
		if s.Held[i].Seq == seq {
			return &s.Held[i]
		}
	}
	return nil
}

func (s *State) dropHeld(seq int) {
	for i := range s.Held {
		if s.Held[i].Seq == seq {
			s.Held = append(s.Held[:i:i], s.Held[i+1:]...)
			return
		}
	}
}

// keepHeldOf drops the recordings held for anyone but clinician id.
func (s *State) keepHeldOf(id string) {
	for i := len(s.Held) - 1; i >= 0; i-- {
		if s.Held[i].Owner != id {
			s.dropHeld(s.Held[i].Seq)
		}
	}
}

// hold keeps b, the recording of session id that failed to upload with
// err (msg is the sentence for it); seq is the held recording retried, 0
// for a new one. It returns the held recording, nil if it was discarded
// meanwhile.
func (a *App) hold(s *State, seq int, id, owner string, b client.Blob, err error, msg string) *HeldRecording {
	h := s.held(seq)
	if h == nil && seq > 0 {
		// Discarded meanwhile (signing out).
		return nil
	}
	if h == nil {
		a.heldSeq++
		s.Held = append(s.Held, HeldRecording{Seq: a.heldSeq, SessionID: id, Owner: owner, Blob: b,
			At: a.d.Now().Format("20060102-150405")})
		h = &s.Held[len(s.Held)-1]
	}
	if isUnreachable(err) {
		// Not "kept on this device": it is in memory only.
		msg = "Sidenote can't reach the server. It will be sent when the connection returns."
	}
	h.Busy, h.Err = false, msg
	h.Auto = isUnreachable(err) || isCode(err, api.CodeUnauthenticated)
	// Told once, elsewhere: retries repeat while offline.
	if seq == 0 && (s.Session.Session.ID != id || s.Screen != ScreenSession) {
		s.notify(NoticeError, "A recording could not be uploaded. "+msg+" It is kept in this panel: open its session to try again or save it to this device.")
	}
	return h
}

// RetryRecording uploads a held recording again, to the session it was
// recorded in, whichever session is open.
func (a *App) RetryRecording(ctx context.Context, seq int) {
	a.retryRecording(ctx, seq)
}

// retryRecording returns the upload's error; nil also when there was
// nothing to send.
func (a *App) retryRecording(ctx context.Context, seq int) error {
	var id string
	var b client.Blob
	var cu *chunkUpload
	a.update(func(s *State) {
		h := s.held(seq)
		if h == nil || h.Busy {
			return
		}
		h.Busy, h.Err, h.ConfirmDiscard = true, "", false
		id, b, cu = h.SessionID, h.Blob, h.chunks
	})
	if b == nil {
		return nil
	}
	if cu == nil || cu.broken {
		return a.upload(ctx, id, b, seq)
	}
	err := a.finishChunks(ctx, cu)
	if err != nil && read(a, func(*State) bool { return cu.broken }) {
		a.update(func(s *State) {
			if h := s.held(seq); h != nil {
				h.chunks = nil
			}
		})
		return a.upload(ctx, id, b, seq)
	}
	a.update(func(s *State) {
		if err == nil {
			s.dropHeld(seq)
			return
		}
		a.hold(s, seq, id, "", b, err, s.failed(err))
	})
	return err
}

// HeldBlob returns a held recording's audio and the name to save it as.
func (a *App) HeldBlob(seq int) (b client.Blob, name string, ok bool) {
	a.View(func(s *State) {
		if h := s.held(seq); h != nil {
			b, name, ok = h.Blob, h.FileName(), true
		}
	})
	return
}

// HeldSaved notes that the clinician saved a held recording to this device.
func (a *App) HeldSaved(seq int) {
	a.update(func(s *State) {
		if h := s.held(seq); h != nil {
			h.Saved = true
		}
	})
}

// AskDiscardRecording asks whether to discard a held recording (ask), or
// stops asking.
func (a *App) AskDiscardRecording(seq int, ask bool) {
	a.update(func(s *State) {
		if h := s.held(seq); h != nil && !h.Busy {
			h.ConfirmDiscard = ask
		}
	})
}

// DiscardRecording forgets a held recording the clinician was asked about.
func (a *App) DiscardRecording(seq int) {
	a.update(func(s *State) {
		if h := s.held(seq); h != nil && h.ConfirmDiscard && !h.Busy {
			s.dropHeld(seq)
			s.notify(NoticeInfo, "The recording was discarded.")
		}
	})
}

// retryHeld sends again the held recordings of the clinician signed in
// whose last try failed for want of a connection or of a sign-in. It
// reports whether the server could be reached.
func (a *App) retryHeld(ctx context.Context) bool {
	var seqs []int
	a.View(func(s *State) {
		for i := range s.Held {
			if h := &s.Held[i]; s.Me != nil && h.Owner == s.Me.ID && h.Auto && !h.Busy {
				seqs = append(seqs, h.Seq)
			}
		}
	})
	for _, seq := range seqs {
		if isUnreachable(a.retryRecording(ctx, seq)) {
			return false
		}
	}
	return true
}

// recordingBegun counts a recording from its start until its upload ends:
// signing out waits for it. The caller holds the lock.
func (a *App) recordingBegun() {
	if a.recBusy == 0 {
		a.recIdle = make(chan struct{})
	}
	a.recBusy++
}

func (a *App) recordingEnded() {
	a.mu.Lock()
	if a.recBusy > 0 {
		a.recBusy--
		if a.recBusy == 0 {
			close(a.recIdle)
			a.recIdle = nil
		}
	}
	a.mu.Unlock()
}

// recordingsIdle returns a channel closed once no recording is running or
// uploading, nil when none is.
func (a *App) recordingsIdle() <-chan struct{} {
	a.mu.Lock()
	idle := a.recIdle
	a.mu.Unlock()
	return idle
}
