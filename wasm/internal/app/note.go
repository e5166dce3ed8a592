package app

import (
	"context"
	"strconv"
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

// kickSave asks for an autosave when the open note has pending edits.
func (a *App) kickSave() {
	pending := read(a, func(s *State) bool { return s.Session.Note != nil && s.Session.Note.Save == SavePending })
	if pending && a.d.ScheduleSave != nil {
		a.d.ScheduleSave()
	}
}

// SetTemplate chooses the template for the next note.
func (a *App) SetTemplate(id note.TemplateID) {
	if _, ok := note.Lookup(id); !ok {
		return
	}
	a.update(func(s *State) { s.Session.Template = id })
}

// Polling of a generating note: every pollEvery, for at most pollFor.
const (
	pollEvery = 700 * time.Millisecond
	pollFor   = 5 * time.Minute
)

// GenerateNote asks the server for a note from the session's sources and
// follows it until it is ready or failed.
func (a *App) GenerateNote(ctx context.Context) {
	var sessionID string
	var tmpl note.TemplateID
	ok := false
	a.update(func(s *State) {
		ss := &s.Session
		if ss.Note != nil && (ss.Note.GenerateBusy || ss.Note.Note.Status == api.NoteGenerating) {
			return
		}
		if ss.Note == nil {
			// A placeholder without a note carries the progress until the
			// server answers; a previous note stays visible meanwhile.
			ss.Note = &NoteState{Edits: map[string]string{}, Base: map[string]string{}}
		}
		ss.Note.GenerateBusy, ss.Note.GenerateErr = true, ""
		sessionID, tmpl = ss.Session.ID, ss.Template
		ok = true
	})
	if !ok {
		return
	}
	// Unsaved edits of the current note must not be lost by replacing it.
	if !a.flushBefore(ctx, "writing a new note") {
		a.update(func(s *State) {
			if s.Session.Note != nil {
				s.Session.Note.GenerateBusy = false
			}
		})
		return
	}
	// A failed note is tried again as it was; anything else asks for a new one.
	retry := read(a, func(s *State) string {
		if ns := s.Session.Note; ns != nil && ns.Note.Status == api.NoteFailed && ns.Note.Template == tmpl {
			return ns.Note.ID
		}
		return ""
	})
	var n api.Note
	var err error
	if retry != "" {
		n, err = a.d.API.RetryNote(ctx, retry)
	} else {
		n, err = a.d.API.GenerateNote(ctx, sessionID, tmpl, a.d.NewKey())
	}
	a.update(func(s *State) {
		if s.Session.Session.ID != sessionID {
			return
		}
		if err != nil {
			if s.Session.Note != nil {
				s.Session.Note.GenerateBusy = false
				s.Session.Note.GenerateErr = s.failed(err)
			}
			return
		}
		s.reached()
		s.Session.Note = a.openNote(n)
		s.Session.Session.NoteStatus = n.Status
		s.upsertSession(s.Session.Session)
	})
	if err == nil && n.Status == api.NoteGenerating {
		a.pollNote(ctx, n.ID)
	}
}

// pollNote follows a generating note while it is the open one.
func (a *App) pollNote(ctx context.Context, id string) {
	start := a.d.Now()
	for {
		if a.d.Now().Sub(start) > pollFor {
			a.update(func(s *State) {
				if ns := s.Session.Note; ns != nil && ns.Note.ID == id {
					ns.GenerateErr = "This note is taking much longer than usual. Come back to this session later to see it."
				}
			})
			return
		}
		if err := a.d.Sleep(ctx, pollEvery); err != nil {
			return
		}
		if !read(a, func(s *State) bool { return s.Session.Note != nil && s.Session.Note.Note.ID == id }) {
			return // the clinician moved on
		}
		n, err := a.d.API.Note(ctx, id)
		done := false
		a.update(func(s *State) {
			ns := s.Session.Note
			if ns == nil || ns.Note.ID != id {
				done = true
				return
			}
			ns.Elapsed = a.d.Now().Sub(start)
			if err != nil {
				// Keep polling through a blip; say so if it persists.
				if isUnreachable(err) {
					s.failed(err)
				} else {
					ns.GenerateErr = s.failed(err)
					done = true
				}
				return
			}
			s.reached()
			if n.Status == api.NoteGenerating {
				return
			}
			done = true
			*ns = *a.openNote(n)
			s.Session.Session.NoteStatus = n.Status
			s.upsertSession(s.Session.Session)
			if n.Status == api.NoteFailed {
				ns.GenerateErr = failureMessage(n.FailureReason)
			} else {
				s.notify(NoticeSuccess, "Note ready. Review each section before signing.")
			}
		})
		if done {
			return
		}
	}
}

func failureMessage(reason string) string {
	if reason == "" {
		return "The note could not be written. Try again, or choose another template."
	}
	return "The note could not be written: " + reason + " You can try again."
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

// RequestSign asks the clinician to confirm signing.
func (a *App) RequestSign(confirm bool) {
	a.update(func(s *State) {
		if ns := s.Session.Note; ns != nil {
			ns.SignConfirm, ns.SignErr = confirm, ""
		}
	})
}

// SignNote saves any pending edit, then signs the note.
func (a *App) SignNote(ctx context.Context) {
	var id string
	ok := false
	a.update(func(s *State) {
		ns := s.Session.Note
		if ns == nil || ns.SignBusy || ns.Note.Status != api.NoteReady {
			return
		}
		ns.SignBusy, ns.SignErr = true, ""
		id = ns.Note.ID
		ok = true
	})
	if !ok {
		return
	}
	if !a.flushBefore(ctx, "signing") {
		a.update(func(s *State) {
			if ns := s.Session.Note; ns != nil {
				ns.SignBusy = false
			}
		})
		return
	}
	n, err := a.d.API.SignNote(ctx, id)
	a.update(func(s *State) {
		ns := s.Session.Note
		if ns == nil || ns.Note.ID != id {
			return
		}
		ns.SignBusy = false
		if err != nil {
			ns.SignErr = s.failed(err)
			return
		}
		s.reached()
		ns.Note, ns.SignConfirm = n, false
		s.Session.Session.NoteStatus = n.Status
		s.upsertSession(s.Session.Session)
		s.notify(NoticeSuccess, "Note signed.")
	})
	if err == nil {
		// Signing starts the recording's retention: show when it goes.
		a.loadAudio(ctx, n.SessionID)
	}
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

// SetOnFilled chooses what insertion does with fields that hold text.
func (a *App) SetOnFilled(m OnFilled) {
	switch m {
	case FilledSkip, FilledReplace, FilledAppend:
		a.update(func(s *State) { s.Session.OnFilled = m })
	}
}

// Insert puts the note into the EHR page. When the host is not confident of
// the mapping, it is shown first for the clinician to check or change.
func (a *App) Insert(ctx context.Context) {
	if a.d.Host == nil {
		return
	}
	var id string
	ok := false
	a.update(func(s *State) {
		ns := s.Session.Note
		if ns == nil || ns.Insert.Busy || (ns.Note.Status != api.NoteReady && ns.Note.Status != api.NoteSigned) {
			return
		}
		ns.Insert = InsertState{Busy: true}
		id = ns.Note.ID
		ok = true
	})
	if !ok {
		return
	}
	// The extension fetches the note from the server: it must have every edit.
	if !a.flushBefore(ctx, "inserting") {
		a.setInsert(id, func(in *InsertState) { in.Busy = false })
		return
	}
	plan, err := a.d.Host.Plan(ctx, id)
	if err != nil {
		a.setInsert(id, func(in *InsertState) { in.Busy, in.Err = false, Message(err) })
		return
	}
	if len(plan.Assignments) == 0 {
		a.setInsert(id, func(in *InsertState) {
			in.Busy, in.CanWait = false, true
			in.Err = "Sidenote found no field for this note on the page. Open the note form in your EHR, then try again, or wait for it to open, or copy the note instead."
		})
		return
	}
	if plan.LowConfidence {
		a.setInsert(id, func(in *InsertState) { in.Busy, in.Plan, in.Confirm = false, &plan, true })
		return
	}
	a.insertWith(ctx, id, nil)
}

// ChangeMapping sends a section to another field, or leaves it out when
// fieldID is empty.
func (a *App) ChangeMapping(section, fieldID string) {
	a.update(func(s *State) {
		ns := s.Session.Note
		if ns == nil || ns.Insert.Plan == nil {
			return
		}
		p := ns.Insert.Plan
		var cand *match.Candidate
		for i := range p.Candidates {
			if p.Candidates[i].FieldID == fieldID {
				cand = &p.Candidates[i]
			}
		}
		idx := -1
		for i := range p.Assignments {
			if p.Assignments[i].Section == section {
				idx = i
			}
		}
		if fieldID == "" || cand == nil {
			if idx >= 0 {
				p.Assignments = append(p.Assignments[:idx:idx], p.Assignments[idx+1:]...)
				p.Unmatched = append(p.Unmatched, match.Unmatched{Section: section, Reason: match.ReasonClinician})
			}
			return
		}
		if idx >= 0 {
			as := &p.Assignments[idx]
			as.FieldID, as.FieldLabel, as.Signature, as.Score, as.Remembered = cand.FieldID, cand.Label, cand.Signature, 1, false
			return
		}
		text, title, ok := sectionText(ns.Note, section)
		if !ok {
			return
		}
		if t, edited := ns.Edits[section]; edited {
			text = t
		}
		for i, u := range p.Unmatched {
			if u.Section == section {
				p.Unmatched = append(p.Unmatched[:i:i], p.Unmatched[i+1:]...)
				break
			}
		}
		p.Assignments = append(p.Assignments, match.Assignment{Section: section, SectionTitle: title, FieldID: cand.FieldID, FieldLabel: cand.Label, Signature: cand.Signature, Score: 1, Text: text})
	})
}

// ConfirmInsert writes the note with the mapping as the clinician left it.
func (a *App) ConfirmInsert(ctx context.Context) {
	var id string
	var plan match.Plan
	ok := false
	a.update(func(s *State) {
		ns := s.Session.Note
		if ns == nil || ns.Insert.Plan == nil || ns.Insert.Busy {
			return
		}
		id, plan, ok = ns.Note.ID, *ns.Insert.Plan, true
		ns.Insert.Busy, ns.Insert.Err = true, ""
	})
	if !ok {
		return
	}
	if len(plan.Assignments) == 0 {
		a.setInsert(id, func(in *InsertState) {
			in.Busy, in.Err = false, "Every section is left out. Choose a field for at least one section."
		})
		return
	}
	a.insertWith(ctx, id, Mapping(plan))
}

// Mapping is the clinician's reviewed plan as the extension takes it:
// section key → field signature, "" for a section left out.
func Mapping(plan match.Plan) map[string]string {
	m := map[string]string{}
	for _, a := range plan.Assignments {
		if a.Signature != "" {
			m[a.Section] = a.Signature
		}
	}
	for _, u := range plan.Unmatched {
		if u.Reason == match.ReasonClinician {
			m[u.Section] = ""
		}
	}
	return m
}

// CancelInsert closes the mapping without writing anything.
func (a *App) CancelInsert() {
	a.update(func(s *State) {
		if ns := s.Session.Note; ns != nil && !ns.Insert.Busy {
			ns.Insert = InsertState{}
		}
	})
}

func (a *App) insertWith(ctx context.Context, id string, mapping map[string]string) {
	onFilled := read(a, func(s *State) OnFilled { return s.Session.OnFilled })
	res, err := a.d.Host.Insert(ctx, id, onFilled, mapping)
	a.finishInsert(id, res, err)
}

// finishInsert shows an insertion's result.
func (a *App) finishInsert(id string, res InsertResult, err error) {
	a.setInsert(id, func(in *InsertState) {
		in.Busy, in.Plan, in.Confirm = false, nil, false
		if err != nil {
			in.Err = Message(err)
			return
		}
		in.Result = &res
	})
	if err == nil {
		a.update(func(s *State) {
			switch {
			case len(res.Filled) == 0:
				s.notify(NoticeError, "Nothing was inserted. See the list below for why.")
			case len(res.Skipped) > 0:
				s.notify(NoticeInfo, "Inserted "+plural(len(res.Filled), "section")+"; "+plural(len(res.Skipped), "section")+" left out.")
			default:
				s.notify(NoticeSuccess, "Inserted "+plural(len(res.Filled), "section")+".")
			}
		})
	}
}

// UndoInsert restores the page fields the last insertion touched.
func (a *App) UndoInsert(ctx context.Context) {
	if a.d.Host == nil {
		return
	}
	var id string
	ok := false
	a.update(func(s *State) {
		ns := s.Session.Note
		if ns == nil || ns.Insert.Busy || ns.Insert.Result == nil {
			return
		}
		ns.Insert.Busy, ns.Insert.Err = true, ""
		id, ok = ns.Note.ID, true
	})
	if !ok {
		return
	}
	err := a.d.Host.Undo(ctx)
	a.setInsert(id, func(in *InsertState) {
		in.Busy = false
		if err != nil {
			in.Err = Message(err)
			return
		}
		in.Result = nil
	})
	if err == nil {
		a.update(func(s *State) {
			s.notify(NoticeSuccess, "Insertion undone. The page fields hold what they held before.")
		})
	}
}

func (a *App) setInsert(noteID string, fn func(in *InsertState)) {
	a.update(func(s *State) {
		if ns := s.Session.Note; ns != nil && ns.Note.ID == noteID {
			fn(&ns.Insert)
		}
	})
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}
