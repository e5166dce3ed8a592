package notes

import (
	"regexp"
	"strings"
	"time"

	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/shared/note"
)

// SignedNote is a signed note a treatment plan may draw from.
type SignedNote struct {
	ID       string
	SignedAt time.Time
	Sections []note.Section
}

// Which list a sentence of a section goes to, by the section it stands in.
var planListBySection = map[string]string{
	"assessment":   "problems",
	"data":         "problems",
	"behavior":     "problems",
	"subjective":   "problems",
	"goal":         "goals",
	"intervention": "interventions",
	"plan":         "objectives",
}

var (
	// goalCue marks a sentence that states a goal wherever it stands.
	goalCue = regexp.MustCompile(`(?i)\b(goals?|working (on|toward|towards)|wants? to|hopes? to|would like to)\b`)
	// measurableCue marks a plan sentence that can serve as an objective:
	// a count, a frequency or a date.
	measurableCue = regexp.MustCompile(`(?i)(\d|\b(once|twice|daily|weekly|every|each|per|times|by (the )?(next|end)|within|until)\b)`)
	// problemCue marks a report that names a difficulty.
	problemCue = regexp.MustCompile(`(?i)\b(anxi\w*|depress\w*|panic|worr\w*|stress\w*|conflict\w*|argu\w*|difficult\w*|struggl\w*|trouble|sleep\w*|insomnia|avoid\w*|low mood|irritab\w*|grief|trauma\w*|symptom\w*|risk\w*|craving\w*|relapse\w*)\b`)
)

// BuildTreatmentPlan drafts a plan from signed notes, oldest first, with the
// no-invention rule of note generation: every item is a sentence copied
// from a note section, de-duplicated, with every note and section it came
// from. Sentences of the assessment-like sections that name a difficulty
// become problems; goal sections and sentences stating a goal become goals;
// measurable plan sentences become objectives; intervention sections become
// interventions. Nothing is paraphrased or added.
func BuildTreatmentPlan(clientID string, notes []SignedNote, now time.Time) api.TreatmentPlan {
	plan := api.TreatmentPlan{
		ClientID: clientID, NotesUsed: len(notes), CreatedAt: now,
		Problems: []api.PlanItem{}, Goals: []api.PlanItem{}, Objectives: []api.PlanItem{}, Interventions: []api.PlanItem{},
	}
	lists := map[string]*[]api.PlanItem{
		"problems": &plan.Problems, "goals": &plan.Goals, "objectives": &plan.Objectives, "interventions": &plan.Interventions,
	}
	seen := map[string]int{} // list + normalised sentence → index in its list
	for _, n := range notes {
		for _, sec := range n.Sections {
			if sec.NotDocumented {
				continue
			}
			src := api.PlanSource{NoteID: n.ID, SectionKey: sec.Key}
			for _, sentence := range planSentences(sec.Text) {
				list := planList(sec.Key, sentence)
				if list == "" {
					continue
				}
				items := lists[list]
				key := list + "\x00" + strings.ToLower(strings.Join(strings.Fields(sentence), " "))
				if i, ok := seen[key]; ok {
					if last := (*items)[i].Sources; last[len(last)-1] != src {
						(*items)[i].Sources = append(last, src)
					}
					continue
				}
				seen[key] = len(*items)
				*items = append(*items, api.PlanItem{Text: sentence, Sources: []api.PlanSource{src}})
			}
		}
	}
	return plan
}

// planList decides where a sentence of section key belongs ("" for none).
func planList(key, sentence string) string {
	if goalCue.MatchString(sentence) && key != "intervention" {
		return "goals"
	}
	switch list := planListBySection[key]; list {
	case "problems":
		if key == "assessment" || problemCue.MatchString(sentence) {
			return list
		}
		return ""
	case "objectives":
		if measurableCue.MatchString(sentence) {
			return list
		}
		return ""
	default:
		return list
	}
}

// planSentences splits a section's text into sentences, verbatim.
func planSentences(text string) []string {
	var out []string
	splitSentences(text, 0, len(text), func(start, end int) {
		if s := strings.TrimSpace(text[start:end]); s != "" {
			out = append(out, s)
		}
	})
	return out
}
