package app

import (
	"context"
	"strconv"
	"strings"

	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/shared/note"
	"github.com/sidenote/sidenote/wasm/internal/stamp"
)

// SourcesState is the note shown with its sources: each generated sentence
// can show the words of the summary or transcript it was written from, the
// proof that nothing was invented.
type SourcesState struct {
	Show    bool
	Loading bool
	Err     string
	// Texts holds the session's summary and transcript as the server keeps
	// them, by note.Span source name; nil until loaded.
	Texts map[string]string
	// Active is the sentence whose sources are shown.
	Active *SourceRef
}

// SourceRef is one sentence of the note, or one left-out item, with the
// spans of the sources it came from.
type SourceRef struct {
	// Ref is what the view names it by (SentenceRef, LeftOutRef).
	Ref string
	// Label says where it is in the note: "Plan, sentence 2", "Left out".
	Label string
	Text  string
	Spans []note.Span
}

// LeftOutState is the clinician's handling of what the note left out.
type LeftOutState struct {
	// Choice maps a left-out item to the section chosen for it.
	Choice map[string]string
	// Busy is the item being placed; ErrItem and Err say what failed.
	Busy    string
	ErrItem string
	Err     string
}

// SentenceRef names sentence i of a section for ShowSource.
func SentenceRef(key string, i int) string { return "s:" + key + ":" + strconv.Itoa(i) }

// LeftOutRef names a left-out item for ShowSource.
func LeftOutRef(id string) string { return "l:" + id }

// ValidSentences returns the section's sentences that lie inside its text,
// in order and without overlap, with their index in sec.Sentences.
func ValidSentences(sec note.Section) (idx []int) {
	end := 0
	for _, i := range sentenceOrder(sec.Sentences) {
		st := sec.Sentences[i]
		if st.Start < end || st.Start >= st.End || st.End > len(sec.Text) {
			continue
		}
		idx = append(idx, i)
		end = st.End
	}
	return idx
}

// sentenceOrder is the indexes of ss by start (insertion sort: a section
// has a few sentences, and package sort would grow the WebAssembly).
func sentenceOrder(ss []note.Sentence) []int {
	order := make([]int, len(ss))
	for i := range order {
		order[i] = i
		for j := i; j > 0 && ss[order[j]].Start < ss[order[j-1]].Start; j-- {
			order[j], order[j-1] = order[j-1], order[j]
		}
	}
	return order
}

// ShowSources turns the sources view on or off. Turned on the first time,
// it loads the session's summary and transcript from the server.
func (a *App) ShowSources(ctx context.Context, show bool) {
	var sessionID, noteID string
	load := false
	a.update(func(s *State) {
		ns := s.Session.Note
		if ns == nil {
			return
		}
		src := &ns.Sources
		src.Show, src.Active = show, nil
		if show && src.Texts == nil && !src.Loading {
			src.Loading, src.Err = true, ""
			sessionID, noteID, load = ns.Note.SessionID, ns.Note.ID, true
		}
	})
	if !load {
		return
	}
	texts := map[string]string{}
	var err error
	for _, kind := range []string{note.SourceSummary, note.SourceTranscript} {
		var text string
		text, err = a.d.API.Text(ctx, sessionID, kind)
		if err != nil && !isCode(err, api.CodeNotFound) {
			break
		}
		err = nil
		texts[kind] = text
	}
	a.update(func(s *State) {
		ns := s.Session.Note
		if ns == nil || ns.Note.ID != noteID {
			return
		}
		ns.Sources.Loading = false
		if err != nil {
			ns.Sources.Err = s.failed(err)
			return
		}
		s.reached()
		ns.Sources.Texts = texts
	})
}

// ToggleSources turns the sources view on when it is off, and off when on.
func (a *App) ToggleSources(ctx context.Context) {
	show := read(a, func(s *State) bool { return s.Session.Note != nil && !s.Session.Note.Sources.Show })
	a.ShowSources(ctx, show)
}

// ShowSource shows where a sentence (SentenceRef) or a left-out item
// (LeftOutRef) came from; an unknown ref changes nothing.
func (a *App) ShowSource(ref string) {
	a.update(func(s *State) {
		ns := s.Session.Note
		if ns == nil || !ns.Sources.Show || (ns.Sources.Active != nil && ns.Sources.Active.Ref == ref) {
			return
		}
		if r := ns.resolveSource(ref); r != nil {
			ns.Sources.Active = r
		}
	})
}

func (ns *NoteState) resolveSource(ref string) *SourceRef {
	kind, rest, _ := strings.Cut(ref, ":")
	switch kind {
	case "l":
		for _, it := range ns.Note.LeftOut {
			if it.ID == rest {
				return &SourceRef{Ref: ref, Label: "Left out", Text: it.Text, Spans: it.Sources}
			}
		}
	case "s":
		key, num, _ := strings.Cut(rest, ":")
		i, ok := stamp.Digits(num)
		if _, edited := ns.Edits[key]; !ok || num == "" || len(num) > 6 || edited {
			return nil
		}
		for _, sec := range ns.Note.Sections {
			if sec.Key != key || i < 0 || i >= len(sec.Sentences) {
				continue
			}
			for n, v := range ValidSentences(sec) {
				if v == i {
					st := sec.Sentences[i]
					return &SourceRef{Ref: ref, Label: sec.Title + ", sentence " + strconv.Itoa(n+1), Text: sec.Text[st.Start:st.End], Spans: st.Sources}
				}
			}
		}
	}
	return nil
}

// ChooseLeftOutSection remembers the section chosen for a left-out item.
func (a *App) ChooseLeftOutSection(id, key string) {
	a.update(func(s *State) {
		ns := s.Session.Note
		if ns == nil {
			return
		}
		if ns.LeftOut.Choice == nil {
			ns.LeftOut.Choice = map[string]string{}
		}
		ns.LeftOut.Choice[id] = key
		if ns.LeftOut.ErrItem == id {
			ns.LeftOut.ErrItem, ns.LeftOut.Err = "", ""
		}
	})
}

// PlaceLeftOut puts a left-out item at the end of the section chosen for
// it; the server saves that as a new version.
func (a *App) PlaceLeftOut(ctx context.Context, id string) {
	var noteID, key string
	var version int
	ok := false
	a.update(func(s *State) {
		ns := s.Session.Note
		if ns == nil || ns.LeftOut.Busy != "" || !ns.Editable() {
			return
		}
		key = ns.LeftOut.Choice[id]
		if key == "" {
			ns.LeftOut.ErrItem, ns.LeftOut.Err = id, "Choose the section to put this in first."
			return
		}
		ns.LeftOut.Busy, ns.LeftOut.ErrItem, ns.LeftOut.Err = id, "", ""
		noteID, ok = ns.Note.ID, true
	})
	if !ok {
		return
	}
	// The placement is a new version: the server must have the edits first.
	if !a.flushBefore(ctx, "adding the sentence") {
		a.update(func(s *State) {
			if ns := s.Session.Note; ns != nil {
				ns.LeftOut.Busy = ""
			}
		})
		return
	}
	version = read(a, func(s *State) int { return s.Session.Note.Note.Version })
	n, err := a.d.API.PlaceLeftOut(ctx, noteID, id, api.PlaceLeftOutRequest{Version: version, Section: key})
	a.update(func(s *State) {
		ns := s.Session.Note
		if ns == nil || ns.Note.ID != noteID {
			return
		}
		lo := &ns.LeftOut
		lo.Busy = ""
		switch {
		case isCode(err, api.CodeVersionConflict):
			lo.ErrItem, lo.Err = id, "The note was changed somewhere else, so nothing was added. It now shows the latest version: try again."
			return
		case err != nil:
			lo.ErrItem, lo.Err = id, s.failed(err)
			return
		}
		s.reached()
		ns.Note = n
		delete(lo.Choice, id)
		_, title, _ := sectionText(n, key)
		s.notify(NoticeSuccess, "Added to "+title+". Saved as version "+strconv.Itoa(n.Version)+".")
	})
	if isCode(err, api.CodeVersionConflict) || isCode(err, api.CodeNoteSigned) {
		// Changed elsewhere: show the note as it is now.
		a.conflictWith(ctx, noteID, version)
	}
}

// LeftOutReason says in plain words why a sentence was left out.
func LeftOutReason(reason string) string {
	switch reason {
	case note.LeftOutSmallTalk:
		return "Small talk: greetings, scheduling or thanks."
	case note.LeftOutFillerOnly:
		return "Only filler words."
	case note.LeftOutDuplicate:
		return "Says again what the note already holds."
	case note.LeftOutQuestion:
		return "A question; its answer is in the note."
	case note.LeftOutUnsupported:
		return "Written by the language model but not supported by the session content, so not added."
	case note.LeftOutUnplaced:
		return "No section of this template fits it."
	case "dictation":
		return "Part of the dictation itself, such as its preamble or sign-off."
	case "":
		return "No reason given."
	}
	// A reason newer than this sidebar: its name, as words.
	out := []byte(reason)
	for i, c := range out {
		if c == '_' {
			out[i] = ' '
		}
	}
	if out[0] >= 'a' && out[0] <= 'z' {
		out[0] -= 'a' - 'A'
	}
	return string(out) + "."
}
