package app

import (
	"context"
	"time"

	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/shared/match"
	"github.com/sidenote/sidenote/shared/note"
)

// SaveStatus is where the note's autosave stands.
type SaveStatus string

const (
	SaveIdle     SaveStatus = ""
	SavePending  SaveStatus = "pending"  // typed, waiting for a pause
	SaveSaving   SaveStatus = "saving"   // on its way
	SaveSaved    SaveStatus = "saved"    // the server has every edit
	SaveQueued   SaveStatus = "queued"   // offline: kept here, retried
	SaveConflict SaveStatus = "conflict" // changed elsewhere: clinician decides
	SaveFailed   SaveStatus = "failed"
)

// NoteState is the open note and everything being done to it.
type NoteState struct {
	Note api.Note
	// Edits maps a section key to text typed here the server doesn't have.
	Edits map[string]string
	// Base maps an edited section key to its text before the edit, to tell
	// a real conflict from a change elsewhere to another section.
	Base     map[string]string
	Save     SaveStatus
	SaveErr  string
	Conflict *Conflict
	// Elapsed is how long the note has been generating.
	Elapsed     time.Duration
	GenerateErr string
	// GenerateBusy covers the request that starts generating.
	GenerateBusy bool
	SignConfirm  bool
	SignBusy     bool
	SignErr      string
	Insert       InsertState
	Sources      SourcesState
	LeftOut      LeftOutState
	Record       RecordState
}

// Conflict holds both versions of each section changed here and elsewhere.
type Conflict struct {
	Sections []ConflictSection
	// Signed is true when the note was signed elsewhere: the clinician's
	// text can only be copied now.
	Signed bool
	// BaseVersion and Base are what the edits were typed against; they are
	// kept with the draft so a reload finds the same conflict.
	BaseVersion int
	Base        map[string]string
}

// ConflictSection is one section's two versions.
type ConflictSection struct {
	Key, Title   string
	Mine, Saved  string
	SavedVersion int
}

// InsertState is an insertion into the EHR page.
type InsertState struct {
	Busy bool
	// Plan is shown for confirmation when the mapping is not confident.
	Plan    *match.Plan
	Confirm bool
	Result  *InsertResult
	Err     string
	// CanWait offers to wait for a note form that is not on the page yet;
	// Waiting is true while the extension waits.
	CanWait, Waiting bool
}

// noteDraft is a note's unsaved edits, kept on this device.
type noteDraft struct {
	SessionID string            `json:"session_id"`
	Version   int               `json:"version"`
	Sections  map[string]string `json:"sections"`
	Base      map[string]string `json:"base,omitempty"`
	// Conflict marks edits waiting for the clinician's decision; they are
	// never retried in the background.
	Conflict bool `json:"conflict,omitempty"`
}

// Text returns a section's text as the clinician sees it.
func (ns *NoteState) Text(key string) string {
	if t, ok := ns.Edits[key]; ok {
		return t
	}
	for _, s := range ns.Note.Sections {
		if s.Key == key {
			return s.Text
		}
	}
	return ""
}

// Sections returns the note's sections with local edits applied.
func (ns *NoteState) Sections() []note.Section {
	out := make([]note.Section, len(ns.Note.Sections))
	copy(out, ns.Note.Sections)
	for i := range out {
		if t, ok := ns.Edits[out[i].Key]; ok {
			out[i].Text = t
			out[i].NotDocumented = out[i].NotDocumented && t == ""
		}
	}
	return out
}

// Editable reports whether the note can be edited now.
func (ns *NoteState) Editable() bool {
	return ns.Note.Status == api.NoteReady && (ns.Conflict == nil || !ns.Conflict.Signed)
}

// InConflict reports whether key is waiting for the clinician's decision.
func (ns *NoteState) InConflict(key string) bool {
	if ns.Conflict == nil {
		return false
	}
	for _, c := range ns.Conflict.Sections {
		if c.Key == key {
			return true
		}
	}
	return false
}

func sectionText(n api.Note, key string) (string, string, bool) {
	for _, s := range n.Sections {
		if s.Key == key {
			return s.Text, s.Title, true
		}
	}
	return "", "", false
}

// openNote builds the state of a note, restoring edits kept on this device.
// Edits typed against an older version become a conflict if the section
// changed since.
func (a *App) openNote(n api.Note) *NoteState {
	ns := &NoteState{Note: n, Edits: map[string]string{}, Base: map[string]string{}}
	var d noteDraft
	if !a.loadJSON(keyNoteDraft+n.ID, &d) {
		return ns
	}
	a.reconcile(ns, d.Version, d.Sections, d.Base, n)
	a.storeNoteDraft(ns)
	return ns
}

// reconcile lays edits made against version base onto the server's note n.
func (a *App) reconcile(ns *NoteState, baseVersion int, edits, base map[string]string, n api.Note) {
	ns.Note = n
	ns.Edits = map[string]string{}
	ns.Base = map[string]string{}
	conflict := Conflict{BaseVersion: baseVersion, Base: map[string]string{}}
	for key, mine := range edits {
		saved, title, ok := sectionText(n, key)
		switch {
		case !ok:
			continue
		case saved == mine:
			// The server already has it.
		case n.Status == api.NoteSigned:
			conflict.Signed = true
			conflict.Sections = append(conflict.Sections, ConflictSection{Key: key, Title: title, Mine: mine, Saved: saved, SavedVersion: n.Version})
			ns.Edits[key] = mine
		case baseVersion == n.Version:
			ns.Edits[key], ns.Base[key], conflict.Base[key] = mine, saved, saved
		case base[key] == saved && base != nil:
			// Changed elsewhere, but not this section: the edit applies.
			ns.Edits[key], ns.Base[key], conflict.Base[key] = mine, saved, saved
		default:
			conflict.Sections = append(conflict.Sections, ConflictSection{Key: key, Title: title, Mine: mine, Saved: saved, SavedVersion: n.Version})
			ns.Edits[key], ns.Base[key] = mine, saved
			if b, ok := base[key]; ok {
				conflict.Base[key] = b
			}
		}
	}
	ns.Conflict = nil
	if len(conflict.Sections) > 0 {
		sortConflicts(conflict.Sections, n)
		ns.Conflict = &conflict
		ns.Save = SaveConflict
	} else if len(ns.Edits) > 0 {
		ns.Save = SavePending
	}
}

// sortConflicts orders conflicting sections as the template does.
func sortConflicts(cs []ConflictSection, n api.Note) {
	pos := map[string]int{}
	for i, s := range n.Sections {
		pos[s.Key] = i
	}
	for i := 1; i < len(cs); i++ {
		for j := i; j > 0 && pos[cs[j].Key] < pos[cs[j-1].Key]; j-- {
			cs[j], cs[j-1] = cs[j-1], cs[j]
		}
	}
}

func (a *App) storeNoteDraft(ns *NoteState) {
	if len(ns.Edits) == 0 {
		a.d.Store.Remove(keyNoteDraft + ns.Note.ID)
		return
	}
	d := noteDraft{SessionID: ns.Note.SessionID, Version: ns.Note.Version, Sections: ns.Edits, Base: ns.Base}
	if c := ns.Conflict; c != nil {
		d.Version, d.Base, d.Conflict = c.BaseVersion, c.Base, true
	}
	a.saveJSON(keyNoteDraft+ns.Note.ID, d)
}

// EditSection keeps a section's text as it is typed: on this device at once,
// on the server after the clinician pauses (autosave).
func (a *App) EditSection(key, text string) {
	a.mu.Lock()
	ns := a.st.Session.Note
	if ns == nil || !ns.Editable() {
		a.mu.Unlock()
		return
	}
	saved, _, ok := sectionText(ns.Note, key)
	if !ok {
		a.mu.Unlock()
		return
	}
	if _, editing := ns.Edits[key]; !editing {
		ns.Base[key] = saved
	}
	ns.Edits[key] = text
	changed := false
	if ns.Save != SaveConflict && ns.Save != SaveSaving {
		changed = ns.Save != SavePending
		ns.Save = SavePending
	}
	a.storeNoteDraft(ns)
	a.mu.Unlock()
	if changed && a.d.OnChange != nil {
		a.d.OnChange()
	}
	if a.d.ScheduleSave != nil {
		a.d.ScheduleSave()
	}
}

// SaveNote sends the open note's edits, checked against the version last
// seen. A conflict shows both versions; no connection queues the edits.
func (a *App) SaveNote(ctx context.Context) {
	var id string
	var req api.UpdateNoteRequest
	var sent map[string]string
	ok := false
	a.update(func(s *State) {
		ns := s.Session.Note
		if ns == nil || len(ns.Edits) == 0 || ns.Save == SaveSaving || ns.Conflict != nil || !ns.Editable() {
			return
		}
		id = ns.Note.ID
		sent = map[string]string{}
		req.Version = ns.Note.Version
		for _, sec := range ns.Note.Sections {
			if t, ok := ns.Edits[sec.Key]; ok {
				req.Sections = append(req.Sections, api.SectionEdit{Key: sec.Key, Text: t})
				sent[sec.Key] = t
			}
		}
		ns.Save, ns.SaveErr = SaveSaving, ""
		ok = true
	})
	if !ok {
		return
	}
	updated, err := a.d.API.UpdateNote(ctx, id, req)
	if isCode(err, api.CodeVersionConflict) || isCode(err, api.CodeNoteSigned) {
		a.conflictWith(ctx, id, req.Version)
		return
	}
	again := false
	a.update(func(s *State) {
		ns := s.Session.Note
		if ns == nil || ns.Note.ID != id {
			return
		}
		switch {
		case err == nil:
			s.reached()
			ns.Note = updated
			for k, v := range sent {
				if ns.Edits[k] == v {
					delete(ns.Edits, k)
					delete(ns.Base, k)
				} else {
					// Typed more while saving: the base is what was saved.
					ns.Base[k] = v
				}
			}
			ns.Save = SaveSaved
			if len(ns.Edits) > 0 {
				ns.Save = SavePending
				again = true
			}
		case isUnreachable(err):
			s.failed(err)
			ns.Save = SaveQueued
		default:
			ns.Save, ns.SaveErr = SaveFailed, s.failed(err)
		}
		a.storeNoteDraft(ns)
	})
	if again && a.d.ScheduleSave != nil {
		a.d.ScheduleSave()
	}
}

// conflictWith loads the server's version of a note after a rejected save
// and shows both versions of every section changed on both sides.
func (a *App) conflictWith(ctx context.Context, id string, baseVersion int) {
	n, err := a.d.API.Note(ctx, id)
	a.update(func(s *State) {
		ns := s.Session.Note
		if ns == nil || ns.Note.ID != id {
			return
		}
		if err != nil {
			ns.Save, ns.SaveErr = SaveFailed, s.failed(err)
			return
		}
		s.reached()
		// The conflict is shown where the clinician is typing, and its
		// status is announced; a notice would only cover it.
		a.reconcile(ns, baseVersion, ns.Edits, ns.Base, n)
		a.storeNoteDraft(ns)
	})
	a.kickSave()
}

// ResolveConflict keeps the clinician's text of a section (saved over the
// other version) or takes the saved one (the clinician's text is dropped).
func (a *App) ResolveConflict(key string, keepMine bool) {
	a.update(func(s *State) {
		ns := s.Session.Note
		if ns == nil || ns.Conflict == nil || ns.Conflict.Signed {
			return
		}
		cs := ns.Conflict.Sections
		for i, c := range cs {
			if c.Key != key {
				continue
			}
			if keepMine {
				// Typed over the saved version, as if it had been the base.
				ns.Base[key], ns.Conflict.Base[key] = c.Saved, c.Saved
			} else {
				delete(ns.Edits, key)
				delete(ns.Base, key)
			}
			ns.Conflict.Sections = append(cs[:i:i], cs[i+1:]...)
			break
		}
		if len(ns.Conflict.Sections) == 0 {
			ns.Conflict = nil
			ns.Save = SaveSaved
			if len(ns.Edits) > 0 {
				ns.Save = SavePending
			}
		}
		a.storeNoteDraft(ns)
	})
	a.kickSave()
}

// DiscardSignedEdits drops text typed for a note that was signed elsewhere,
// once the clinician has copied what they need.
func (a *App) DiscardSignedEdits() {
	a.update(func(s *State) {
		ns := s.Session.Note
		if ns == nil || ns.Conflict == nil || !ns.Conflict.Signed {
			return
		}
		ns.Conflict, ns.Edits, ns.Base, ns.Save = nil, map[string]string{}, map[string]string{}, SaveIdle
		a.storeNoteDraft(ns)
	})
}

// flushBefore saves pending edits before an action that needs the server to
// have them, and says why the action can't go ahead otherwise.
func (a *App) flushBefore(ctx context.Context, action string) bool {
	if read(a, func(s *State) bool { return s.Session.Note != nil && len(s.Session.Note.Edits) > 0 }) {
		a.SaveNote(ctx)
	}
	ok := read(a, func(s *State) bool { return s.Session.Note == nil || len(s.Session.Note.Edits) == 0 })
	if !ok {
		a.update(func(s *State) {
			s.notify(NoticeError, "Your latest changes aren't saved yet, so Sidenote can't go ahead with "+action+". Check the note, then try again.")
		})
	}
	return ok
}

// CopySection copies one section's text.
func (a *App) CopySection(ctx context.Context, key string) {
	text, title := "", ""
	a.View(func(s *State) {
		if ns := s.Session.Note; ns != nil {
			text = ns.Text(key)
			_, title, _ = sectionText(ns.Note, key)
		}
	})
	a.copy(ctx, text, title+" copied.")
}

// CopyNote copies the whole note with a heading per section.
func (a *App) CopyNote(ctx context.Context) {
	text := read(a, func(s *State) string {
		if ns := s.Session.Note; ns != nil {
			return note.Compose(ns.Sections())
		}
		return ""
	})
	a.copy(ctx, text, "Note copied.")
}
