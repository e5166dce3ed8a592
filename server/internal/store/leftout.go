package store

import (
	"context"
	"encoding/json"
	"sort"
	"strconv"
	"strings"

	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/shared/note"
)

// LeftOutOf decodes what a note left out.
func LeftOutOf(raw string) []note.LeftOut { return jsonList[note.LeftOut](raw) }

func encodeLeftOut(items []note.LeftOut) string {
	if items == nil {
		items = []note.LeftOut{}
	}
	b, _ := json.Marshal(items)
	return string(b)
}

// uniqueLeftOutIDs gives every item an id no other item of the note has,
// keeping the generator's where it is usable: the sidebar places an item
// by its id, so a blank or repeated one would place the wrong text.
func uniqueLeftOutIDs(items []note.LeftOut) []note.LeftOut {
	out := make([]note.LeftOut, len(items))
	seen := map[string]bool{}
	for i, it := range items {
		if it.ID == "" || seen[it.ID] || len(it.ID) > 64 {
			for n := i + 1; ; n++ {
				it.ID = "left-out-" + strconv.Itoa(n)
				if !seen[it.ID] {
					break
				}
			}
		}
		if it.Sources == nil {
			it.Sources = []note.Span{}
		}
		seen[it.ID] = true
		out[i] = it
	}
	return out
}

var errNoLeftOutItem = ErrNotFound("Left-out item")

// PlaceLeftOut puts a left-out item into a section of the clinician's
// choice, at its end (a new paragraph, or a new bullet when the section
// ends with a list), with the item's sources, and saves a new version.
func (s *Store) PlaceLeftOut(ctx context.Context, clinicianID, id, itemID string, req api.PlaceLeftOutRequest) (*Note, error) {
	n, err := s.editableNote(ctx, clinicianID, id, req.Version)
	if err != nil {
		return nil, err
	}
	if req.Section == "" {
		return nil, invalid("section", "Choose the section to put this sentence in.")
	}
	tmpl, _ := note.Lookup(note.TemplateID(n.Template))
	if !hasSection(tmpl, req.Section) {
		return nil, invalid("section", "This note has no section "+quote(req.Section)+".")
	}
	items := LeftOutOf(n.LeftOut)
	at := -1
	for i := range items {
		if items[i].ID == itemID {
			at = i
		}
	}
	if at < 0 {
		return nil, errNoLeftOutItem
	}
	sections := sectionsOrTemplate(n)
	idx := sectionIndex(sections, req.Section)
	if idx < 0 {
		return nil, invalid("section", "This note has no section "+quote(req.Section)+".")
	}
	appendToSection(&sections[idx], items[at])
	rest := make([]note.LeftOut, 0, len(items)-1)
	rest = append(append(rest, items[:at]...), items[at+1:]...)
	return s.saveVersion(ctx, n, req.Version, sections, rest)
}

// appendToSection adds the item's text at the end of the section as a
// sentence with the item's sources.
func appendToSection(sec *note.Section, item note.LeftOut) {
	text := strings.TrimSpace(item.Text)
	if strings.TrimSpace(sec.Text) == "" {
		sec.Text, sec.Sentences = "", nil
	}
	joiner := paragraphJoiner(sec.Text)
	if marker, ok := nextBullet(lastLine(sec.Text)); ok {
		joiner = marker
		if !strings.HasSuffix(sec.Text, "\n") {
			joiner = "\n" + marker
		}
	}
	start := len(sec.Text) + len(joiner)
	sec.Text += joiner + text
	sources := append([]note.Span{}, item.Sources...)
	sec.Sentences = append(sec.Sentences, note.Sentence{Start: start, End: start + len(text), Sources: sources})
	sec.Sources = append(append([]note.Span{}, sec.Sources...), sources...)
	sec.NotDocumented = false
}

// paragraphJoiner is what starts a new paragraph after text.
func paragraphJoiner(text string) string {
	switch {
	case text == "" || strings.HasSuffix(text, "\n\n"):
		return ""
	case strings.HasSuffix(text, "\n"):
		return "\n"
	}
	return "\n\n"
}

func lastLine(text string) string {
	text = strings.TrimRight(text, " \t\n")
	return text[strings.LastIndexByte(text, '\n')+1:]
}

// nextBullet returns the marker of the list item that follows line ("- ",
// "• ", "3. " after "2. "), keeping its indentation, when line is one.
func nextBullet(line string) (string, bool) {
	body := strings.TrimLeft(line, " \t")
	indent := line[:len(line)-len(body)]
	for _, m := range []string{"- ", "* ", "• ", "– ", "· "} {
		if strings.HasPrefix(body, m) {
			return indent + m, true
		}
	}
	digits := len(body) - len(strings.TrimLeft(body, "0123456789"))
	if digits == 0 || digits > 3 || len(body) < digits+2 || !strings.Contains(".)", body[digits:digits+1]) || body[digits+1] != ' ' {
		return "", false
	}
	n, _ := strconv.Atoi(body[:digits]) // digits only, at most 3
	return indent + strconv.Itoa(n+1) + body[digits:digits+2], true
}

// editSection replaces a section's text with the clinician's. Sentences
// whose text is still there keep their sources, re-located; the others are
// dropped, so a source never vouches for words the clinician rewrote.
func editSection(sec *note.Section, text string) {
	kept := relocateSentences(sec.Text, text, sec.Sentences)
	sources := []note.Span{}
	for _, st := range kept {
		sources = append(sources, st.Sources...)
	}
	sec.Text, sec.Sentences, sec.Sources = text, kept, sources
	sec.NotDocumented = strings.TrimSpace(text) == ""
}

// relocateSentences finds each sentence of oldText in newText, in order
// where it can (so a sentence said twice keeps its own place), and returns
// those found, by position.
func relocateSentences(oldText, newText string, sentences []note.Sentence) []note.Sentence {
	var kept []note.Sentence
	from := 0
	for _, st := range sentences {
		if st.Start < 0 || st.End > len(oldText) || st.Start >= st.End {
			continue
		}
		frag := oldText[st.Start:st.End]
		at := -1
		if i := strings.Index(newText[from:], frag); i >= 0 {
			at = from + i
		} else {
			at = freeOccurrence(newText, frag, kept)
		}
		if at < 0 {
			continue
		}
		kept = append(kept, note.Sentence{Start: at, End: at + len(frag), Sources: st.Sources})
		from = at + len(frag)
	}
	sort.Slice(kept, func(i, j int) bool { return kept[i].Start < kept[j].Start })
	return kept
}

// freeOccurrence is the first place frag occurs in text that overlaps no
// sentence already kept, or -1.
func freeOccurrence(text, frag string, kept []note.Sentence) int {
	for off := 0; off <= len(text); {
		i := strings.Index(text[off:], frag)
		if i < 0 {
			return -1
		}
		at := off + i
		free := true
		for _, k := range kept {
			if at < k.End && k.Start < at+len(frag) {
				free = false
				break
			}
		}
		if free {
			return at
		}
		off = at + 1
	}
	return -1
}
