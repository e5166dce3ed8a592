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
	var left []match.Unmatched
	for _, u := range plan.Unmatched {
		text, title, ok := sectionText(ns.Note, u.Section)
		if t, edited := ns.Edits[u.Section]; edited {
			text = t
		}
		if u.Reason != match.ReasonNoField || !ok || plan.SingleField {
			left = append(left, u)
			continue
		}
		def, ok := defs[u.Section]
		if !ok {
			def = note.SectionDef{Key: u.Section, Title: title}
		}
		best, bestScore := -1, plausibleScore
		for i, c := range plan.Candidates {
			if sc := match.LabelScore(def, c.Label); !used[c.FieldID] && sc >= bestScore {
				best, bestScore = i, sc
			}
		}
		if best < 0 {
			left = append(left, u)
			continue
		}
		c := plan.Candidates[best]
		used[c.FieldID] = true
		plan.Assignments = append(plan.Assignments, match.Assignment{Section: u.Section, SectionTitle: title,
			FieldID: c.FieldID, FieldLabel: c.Label, Signature: c.Signature, Score: bestScore, Text: text})
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
