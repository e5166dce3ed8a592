package app

import (
	"github.com/sidenote/sidenote/shared/match"
	"github.com/sidenote/sidenote/shared/note"
)

// plausibleScore is the least label score at which a field is proposed
// for a section the matcher left without one: below Match's own bar,
// since the clinician checks every proposal before anything is written.
const plausibleScore = 0.3

// proposeFields gives each section the matcher found no field for the free
// field whose label fits it best, when one fits at all, so that checking
// the mapping is confirming it rather than building it; a section stays
// left out only when no free field is plausible. Assignments end in the
// note's order.
func proposeFields(plan *match.Plan, ns *NoteState) {
	tmpl, _ := note.Lookup(ns.Note.Template)
	defs := map[string]note.SectionDef{}
	for _, d := range tmpl.Sections {
		defs[d.Key] = d
	}
	used := map[string]bool{}
	for _, as := range plan.Assignments {
		used[as.FieldID] = true
	}
	// Best pairs first, over every open section and free field, as Match
	// does: a field that fits two sections goes to the one it fits best.
	type pair struct {
		unmatched, cand int
		score           float64
	}
	var pairs []pair
	for ui, u := range plan.Unmatched {
		_, title, ok := sectionText(ns.Note, u.Section)
		if u.Reason != match.ReasonNoField || !ok || plan.SingleField {
			continue
		}
		def, ok := defs[u.Section]
		if !ok {
			// A section of the clinician's own template: its title and
			// aliases travel with the note.
			def = note.SectionDef{Key: u.Section, Title: title}
			for _, sec := range ns.Note.Sections {
				if sec.Key == u.Section {
					def.Aliases = sec.Aliases
				}
			}
		}
		for ci, c := range plan.Candidates {
			if sc := match.LabelScore(def, c.Label); !used[c.FieldID] && sc >= plausibleScore {
				pairs = append(pairs, pair{ui, ci, sc})
			}
		}
	}
	for i := 1; i < len(pairs); i++ {
		for j := i; j > 0 && pairs[j].score > pairs[j-1].score; j-- {
			pairs[j], pairs[j-1] = pairs[j-1], pairs[j]
		}
	}
	placed := map[int]bool{}
	for _, pr := range pairs {
		c := plan.Candidates[pr.cand]
		if placed[pr.unmatched] || used[c.FieldID] {
			continue
		}
		placed[pr.unmatched], used[c.FieldID] = true, true
		key := plan.Unmatched[pr.unmatched].Section
		text, title, _ := sectionText(ns.Note, key)
		if t, edited := ns.Edits[key]; edited {
			text = t
		}
		plan.Assignments = append(plan.Assignments, match.Assignment{Section: key, SectionTitle: title,
			FieldID: c.FieldID, FieldLabel: c.Label, Signature: c.Signature, Score: pr.score, Text: text})
	}
	var left []match.Unmatched
	for i, u := range plan.Unmatched {
		if !placed[i] {
			left = append(left, u)
		}
	}
	plan.Unmatched = left
	sortAssignments(plan.Assignments, ns.Note.Sections)
}

// sortAssignments puts assignments in the order of the note's sections.
func sortAssignments(as []match.Assignment, sections []note.Section) {
	pos := map[string]int{}
	for i, s := range sections {
		pos[s.Key] = i
	}
	for i := 1; i < len(as); i++ {
		for j := i; j > 0 && pos[as[j].Section] < pos[as[j-1].Section]; j-- {
			as[j], as[j-1] = as[j-1], as[j]
		}
	}
}

// MappingRow is one section of the mapping the clinician checks: where it
// goes ("" left out).
type MappingRow struct {
	Section, Title, FieldID string
}

// MappingRows lists every section the clinician can place, in the note's
// order, with the field it goes into now. Sections with nothing
// documented are not offered.
func MappingRows(ns *NoteState) []MappingRow {
	p := ns.Insert.Plan
	if p == nil {
		return nil
	}
	field := map[string]string{}
	title := map[string]string{}
	for _, as := range p.Assignments {
		field[as.Section], title[as.Section] = as.FieldID, as.SectionTitle
	}
	offered := map[string]bool{}
	for k := range field {
		offered[k] = true
	}
	for _, u := range p.Unmatched {
		if u.Reason != match.ReasonNotDocumented {
			offered[u.Section] = true
		}
	}
	var rows []MappingRow
	if p.SingleField {
		for _, as := range p.Assignments {
			rows = append(rows, MappingRow{as.Section, as.SectionTitle, as.FieldID})
		}
		return rows
	}
	for _, s := range ns.Note.Sections {
		if offered[s.Key] {
			rows = append(rows, MappingRow{s.Key, s.Title, field[s.Key]})
		}
	}
	return rows
}
