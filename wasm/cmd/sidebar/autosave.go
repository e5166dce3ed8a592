//go:build js && wasm

package main

import "time"

// autosaveDelay is the pause in typing after which a note, a summary or a
// transcript is saved.
const autosaveDelay = 800 * time.Millisecond

// retryEvery is how often kept work is retried while the server is away.
const retryEvery = 10 * time.Second

func (u *ui) scheduleSave() {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.saveTimer != nil {
		u.saveTimer.Stop()
	}
	u.saveTimer = time.AfterFunc(autosaveDelay, func() { u.app.Autosave(u.ctx) })
}

func (u *ui) retryLoop() {
	for range time.Tick(retryEvery) {
		if u.app.HasPending() {
			u.app.RetryPending(u.ctx)
		}
	}
}
