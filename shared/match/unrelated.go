package match

import (
	"slices"

	"github.com/sidenote/sidenote/shared/note"
)

// Fields that are clearly something else are never targets, however their
// label scores: a note must never land in a search box, a diagnosis code, a
// billing code, a duration, a date, a name or a contact field.

// unrelatedWords mark a label or name as another kind of field.
var unrelatedWords = map[string]bool{
	"search": true, "find": true, "query": true, "filter": true, "lookup": true,
	"diagnosis": true, "diagnose": true, "icd": true, "icd10": true, "dsm": true,
	"cpt": true, "billing": true, "bill": true, "code": true, "modifier": true,
	"unit": true, "pos": true, "payer": true, "insurance": true, "copay": true,
	"fee": true, "amount": true, "npi": true,
	"duration": true, "minutes": true, "hours": true, "length": true,
	"date": true, "time": true, "dob": true, "birth": true, "birthday": true, "year": true,
	"name": true, "firstname": true, "lastname": true, "surname": true,
	"email": true, "mail": true, "phone": true, "mobile": true, "fax": true,
	"password": true, "passcode": true, "pin": true, "username": true, "login": true,
	"address": true, "street": true, "city": true, "zip": true, "postcode": true,
	"ssn": true, "mrn": true, "signature": true,
}

func init() {
	// Labels are compared after stemming, so the word lists are stemmed too.
	for _, set := range []map[string]bool{unrelatedWords, sectionWords, decoyWords} {
		for w := range set {
			set[stem(w)] = true
		}
	}
}

// decoyWords mark a field that sits among the note fields but is never
// one of them, even when its label also names a section ("Risk
// assessment", "Safety plan", "Next appointment"): a note section written
// there would be a clinical error, not a misplaced paragraph.
var decoyWords = map[string]bool{
	"risk": true, "suicide": true, "suicidal": true, "homicidal": true, "safety": true, "lethality": true,
	"appointment": true, "scheduled": true, "schedule": true,
}

// decoyPhrases are labels of several words that name another field.
var decoyPhrases = [][]string{
	tokens("place of service"), tokens("client name"), tokens("patient name"), tokens("next session date"),
}

// noteInputTypes are the <input> types that take free text.
var noteInputTypes = map[string]bool{"": true, "text": true}

// unrelatedAutocomplete are autocomplete tokens of identity and contact fields.
var unrelatedAutocomplete = map[string]bool{
	"name": true, "given-name": true, "family-name": true, "email": true, "tel": true,
	"username": true, "current-password": true, "new-password": true, "one-time-code": true,
	"bday": true, "street-address": true, "postal-code": true, "address-line1": true,
}

// sectionWords are the words that make a label a note section even when it
// also names something else ("Assessment / diagnosis" is the assessment).
var sectionWords = map[string]bool{
	"subjective": true, "objective": true, "assessment": true, "plan": true,
	"data": true, "behavior": true, "intervention": true, "response": true,
	"goal": true, "narrative": true, "progress": true, "note": true,
}

// claimedDecoys returns the decoy words that name one of the note's own
// sections: a clinician's template with a "Risk assessment" section is meant
// for the EHR's "Risk assessment" field, which stays a decoy for every other
// note.
func claimedDecoys(sections []note.Section) map[string]bool {
	claimed := map[string]bool{}
	for _, s := range sections {
		for _, name := range append([]string{s.Title}, s.Aliases...) {
			for _, w := range tokens(name) {
				if decoyWords[w] {
					claimed[w] = true
				}
			}
		}
	}
	return claimed
}

// isCandidate reports whether a field may receive note text; claimed are
// decoy words a section of this note is named by (claimedDecoys).
func isCandidate(f Field, claimed map[string]bool) bool {
	switch f.Kind {
	case KindTextarea, KindContentEditable, KindCKEditor5, KindTinyMCE, KindQuill, KindProseMirror, KindLexical,
		KindSlate, KindDraftJS, KindTrix, KindCKEditor4, KindIframe:
	case KindInput:
		if !noteInputTypes[f.InputType] {
			return false
		}
	default:
		return false
	}
	if unrelatedAutocomplete[f.Autocomplete] {
		return false
	}
	for _, w := range tokens(f.Autocomplete) {
		if unrelatedWords[w] {
			return false
		}
	}
	// The field's own label decides, or its placeholder, or the heading
	// above it when it has neither; its name attribute is always checked.
	for _, label := range []string{f.Label, f.Placeholder, f.Context} {
		if label != "" {
			if namesSomethingElse(label, f.Multiline, claimed) {
				return false
			}
			break
		}
	}
	if f.Name != "" && namesSomethingElse(f.Name, f.Multiline, claimed) {
		return false
	}
	return true
}

// namesSomethingElse reports whether a label names a non-note field. A
// multi-line field whose label also names a section stays a candidate.
func namesSomethingElse(label string, multiline bool, claimed map[string]bool) bool {
	words := tokens(label)
	for _, p := range decoyPhrases {
		if containsPhrase(words, p) {
			return true
		}
	}
	other, section := false, false
	for _, w := range words {
		if decoyWords[w] && !claimed[w] {
			return true
		}
		if unrelatedWords[w] {
			other = true
		}
		if sectionWords[w] {
			section = true
		}
	}
	return other && !(multiline && section)
}

// containsPhrase reports whether words holds phrase as consecutive words.
func containsPhrase(words, phrase []string) bool {
	for i := 0; i+len(phrase) <= len(words); i++ {
		if slices.Equal(words[i:i+len(phrase)], phrase) {
			return true
		}
	}
	return false
}
