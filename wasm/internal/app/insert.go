package app

import (
	"context"
	"strconv"

	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/shared/match"
)

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
	id, ok := a.startInsertStep(func(ns *NoteState) bool {
		if ns.Note.Status != api.NoteReady && ns.Note.Status != api.NoteSigned {
			return false
		}
		ns.Insert = InsertState{Busy: true}
		return true
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
		a.update(func(s *State) {
			if ns := s.Session.Note; ns != nil && ns.Note.ID == id {
				proposeFields(&plan, ns)
				ns.Insert.Busy, ns.Insert.Plan, ns.Insert.Confirm = false, &plan, true
			}
		})
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
			// A draft may go into the EHR, which has its own signing;
			// the clinician is told it is not signed here yet.
			draft := ""
			if ns := s.Session.Note; ns != nil && ns.Note.Status != api.NoteSigned {
				draft = " It is a draft: not signed in Sidenote yet."
			}
			switch {
			case len(res.Filled) == 0:
				s.notify(NoticeError, "Nothing was inserted. See the list below for why.")
			case len(res.Skipped) > 0:
				s.notify(NoticeInfo, "Inserted "+plural(len(res.Filled), "section")+"; "+plural(len(res.Skipped), "section")+" left out."+draft)
			default:
				s.notify(NoticeSuccess, "Inserted "+plural(len(res.Filled), "section")+"."+draft)
			}
		})
	}
}

// UndoInsert restores the page fields the last insertion touched.
func (a *App) UndoInsert(ctx context.Context) {
	id, ok := a.startInsertStep(func(ns *NoteState) bool {
		if ns.Insert.Result == nil {
			return false
		}
		ns.Insert.Busy, ns.Insert.Err = true, ""
		return true
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

// startInsertStep begins an insert, undo or wait on the open note when the
// page can be reached, no other step is running and begin accepts the note
// (begin marks the step busy); it returns the note's id.
func (a *App) startInsertStep(begin func(ns *NoteState) bool) (noteID string, ok bool) {
	if a.d.Host == nil {
		return "", false
	}
	a.update(func(s *State) {
		ns := s.Session.Note
		if ns == nil || ns.Insert.Busy || !begin(ns) {
			return
		}
		noteID, ok = ns.Note.ID, true
	})
	return noteID, ok
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
