package app

import (
	"context"
	"time"
)

// FormWait is how long the sidebar waits for a note form to appear on the
// page (the extension's own limit is 30 s).
const FormWait = 30 * time.Second

// WaitForForm inserts the note once a note form appears on the page (a
// form opened after a click, in a dialog, after a route change), after
// Insert found none. The clinician opens the form meanwhile.
func (a *App) WaitForForm(ctx context.Context) {
	id, ok := a.startInsertStep(func(ns *NoteState) bool {
		if !ns.Insert.CanWait {
			return false
		}
		ns.Insert = InsertState{Busy: true, Waiting: true}
		return true
	})
	if !ok {
		return
	}
	onFilled := read(a, func(s *State) OnFilled { return s.Session.OnFilled })
	res, err := a.d.Host.InsertWhenReady(ctx, id, onFilled, FormWait)
	if err == nil && len(res.Filled) == 0 && res.NoFields {
		a.setInsert(id, func(in *InsertState) {
			in.Busy, in.Waiting, in.CanWait = false, false, true
			in.Err = "No note form appeared within " + FormWait.String() + ". Open the note form in your EHR, then try again."
		})
		return
	}
	a.setInsert(id, func(in *InsertState) { in.Waiting = false })
	a.finishInsert(id, res, err)
}
