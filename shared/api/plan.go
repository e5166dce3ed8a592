package api

import "time"

// TreatmentPlan is a draft plan built from a client's signed notes. Every
// item is a sentence taken verbatim from those notes, with its sources; a
// list stays empty rather than being filled with assumptions.
type TreatmentPlan struct {
	ClientID      string     `json:"client_id"`
	Problems      []PlanItem `json:"problems"`
	Goals         []PlanItem `json:"goals"`
	Objectives    []PlanItem `json:"objectives"`
	Interventions []PlanItem `json:"interventions"`
	// NotesUsed is how many signed notes the draft was built from.
	NotesUsed int       `json:"notes_used"`
	CreatedAt time.Time `json:"created_at"`
}

// PlanItem is one sentence of a plan and the notes it came from.
type PlanItem struct {
	Text    string       `json:"text"`
	Sources []PlanSource `json:"sources"`
}

// PlanSource names the note section a plan item was taken from.
type PlanSource struct {
	NoteID     string `json:"note_id"`
	SectionKey string `json:"section_key"`
}
