package app

import (
	"context"
	"strings"

	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/shared/note"
)

// RecordState is what is done to a note's record beside editing it: its
// addenda, its version history and its PDF.
type RecordState struct {
	// Addendum is the addendum being written to a signed note.
	Addendum     string
	AddendumOpen bool
	AddendumBusy bool
	AddendumErr  string

	HistoryOpen    bool
	HistoryLoading bool
	HistoryErr     string
	// Versions are the note's saved versions, as the server lists them.
	Versions []api.NoteVersion

	PDFBusy bool
	PDFErr  string
}

// OpenAddendum shows or hides the addendum form of a signed note.
func (a *App) OpenAddendum(open bool) {
	a.update(func(s *State) {
		if ns := s.Session.Note; ns != nil && ns.Note.Status == api.NoteSigned {
			ns.Record.AddendumOpen, ns.Record.AddendumErr = open, ""
		}
	})
}

// SetAddendum keeps the addendum as it is typed.
func (a *App) SetAddendum(text string) {
	a.mu.Lock()
	if ns := a.st.Session.Note; ns != nil {
		ns.Record.Addendum = text
	}
	a.mu.Unlock()
}

// AddAddendum adds the typed addendum to the signed note.
func (a *App) AddAddendum(ctx context.Context) {
	var id, text string
	ok := false
	a.update(func(s *State) {
		ns := s.Session.Note
		if ns == nil || ns.Note.Status != api.NoteSigned || ns.Record.AddendumBusy {
			return
		}
		r := &ns.Record
		text, r.AddendumErr = strings.TrimSpace(r.Addendum), ""
		if text == "" {
			r.AddendumErr = "Write the addendum first."
			return
		}
		r.AddendumBusy, id, ok = true, ns.Note.ID, true
	})
	if !ok {
		return
	}
	add, err := a.d.API.AddAddendum(ctx, id, text)
	a.update(func(s *State) {
		ns := s.Session.Note
		if ns == nil || ns.Note.ID != id {
			return
		}
		r := &ns.Record
		r.AddendumBusy = false
		if err != nil {
			r.AddendumErr = s.failed(err)
			return
		}
		s.reached()
		ns.Note.Addenda = append(ns.Note.Addenda, add)
		r.Addendum, r.AddendumOpen = "", false
		s.notify(NoticeSuccess, "Addendum added.")
	})
}

// ToggleHistory shows the note's versions, loading them, or hides them.
func (a *App) ToggleHistory(ctx context.Context) {
	var id string
	load := false
	a.update(func(s *State) {
		ns := s.Session.Note
		if ns == nil || ns.Note.ID == "" {
			return
		}
		r := &ns.Record
		r.HistoryOpen = !r.HistoryOpen
		if r.HistoryOpen && !r.HistoryLoading {
			r.HistoryLoading, r.HistoryErr, id, load = true, "", ns.Note.ID, true
		}
	})
	if !load {
		return
	}
	vs, err := a.d.API.NoteVersions(ctx, id)
	a.update(func(s *State) {
		ns := s.Session.Note
		if ns == nil || ns.Note.ID != id {
			return
		}
		r := &ns.Record
		r.HistoryLoading = false
		if err != nil {
			r.HistoryErr = s.failed(err)
			return
		}
		s.reached()
		r.Versions = vs
	})
}

// SectionChange is what changed in one section from a version to the next.
type SectionChange struct {
	Key, Title string
	Parts      []DiffPart
}

// VersionChange is one version of a note and what changed in it.
type VersionChange struct {
	Version api.NoteVersion
	// Sections are the sections changed since the version before, in
	// the note's order; the first version has none.
	Sections []SectionChange
}

// History lists the note's versions newest first, each with its changes.
func History(listed []api.NoteVersion) []VersionChange {
	// Oldest first, whatever order the server lists them in.
	vs := append([]api.NoteVersion(nil), listed...)
	for i := 1; i < len(vs); i++ {
		for j := i; j > 0 && vs[j].Version < vs[j-1].Version; j-- {
			vs[j], vs[j-1] = vs[j-1], vs[j]
		}
	}
	out := make([]VersionChange, 0, len(vs))
	for i := len(vs) - 1; i >= 0; i-- {
		vc := VersionChange{Version: vs[i]}
		if i > 0 {
			prev := map[string]string{}
			for _, s := range vs[i-1].Sections {
				prev[s.Key] = s.Text
			}
			for _, s := range vs[i].Sections {
				if parts := WordDiff(prev[s.Key], s.Text); Changed(parts) {
					vc.Sections = append(vc.Sections, SectionChange{Key: s.Key, Title: s.Title, Parts: parts})
				}
			}
		}
		out = append(out, vc)
	}
	return out
}

// NotePDF fetches the open note as a PDF and returns it with a file name
// for saving; ok is false when it could not be had (the reason shows).
func (a *App) NotePDF(ctx context.Context) (pdf []byte, name string, ok bool) {
	var id string
	a.update(func(s *State) {
		ns := s.Session.Note
		if ns == nil || ns.Note.ID == "" || ns.Record.PDFBusy {
			return
		}
		ns.Record.PDFBusy, ns.Record.PDFErr, id = true, "", ns.Note.ID
		name = pdfName(s.Session.Session, ns.Note)
	})
	if id == "" {
		return nil, "", false
	}
	pdf, err := a.d.API.NotePDF(ctx, id)
	a.update(func(s *State) {
		ns := s.Session.Note
		if ns == nil || ns.Note.ID != id {
			return
		}
		ns.Record.PDFBusy = false
		if err != nil {
			ns.Record.PDFErr = s.failed(err)
			return
		}
		s.reached()
	})
	return pdf, name, err == nil
}

// pdfName names the file after the template and the date of service, never
// the client: file names end up in download lists and sync folders.
func pdfName(sess api.Session, n api.Note) string {
	tmpl, _ := note.Lookup(n.Template)
	day := sess.StartedAt.Format("2006-01-02")
	if sess.StartedAt.IsZero() {
		day = n.CreatedAt.Format("2006-01-02")
	}
	return "progress-note-" + strings.ToLower(string(tmpl.ID)) + "-" + day + ".pdf"
}
