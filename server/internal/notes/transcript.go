package notes

import (
	"regexp"
	"strings"
)

// A transcript arrives in many shapes: "Client: ...", "[00:03:12] Therapist:
// ...", "Client (00:01:12): ...", WebVTT ("WEBVTT", cue timings, "<v Partner
// A>...") and SRT (cue numbers and "00:00:01,000 --> ..." lines). The parser
// reads it line by line into speaker turns of text segments; cue numbers,
// timings and headers are structure, never sentences.

const timestamp = `(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?`

var (
	// speakerLine matches a speaker label at the start of a line, optionally
	// after a timestamp or with a timestamp after the name. A label is one to
	// three capitalised words, so "Here's the thing: ..." is not one. Group 1
	// is the name.
	speakerLine = regexp.MustCompile(`^[ \t]*(?:[\[(]?` + timestamp + `[\])]?[ \t]*(?:-[ \t]*)?)?` +
		`(\p{Lu}[\p{L}\p{N}'.\-]*(?:[ \t]+[\p{Lu}\p{N}][\p{L}\p{N}'.\-]*){0,2})` +
		`(?:[ \t]*[\[(]` + timestamp + `[\])])?[ \t]*:(?:[ \t]|$)`)
	// voiceTag matches a WebVTT voice span "<v Partner A>" at a line start.
	voiceTag  = regexp.MustCompile(`^[ \t]*<v(?:\.[\w.-]+)?[ \t]+([^>]{1,40})>`)
	cueTiming = regexp.MustCompile(`^[ \t]*` + timestamp + `[ \t]*-->`)
)

var clinicianNames = map[string]bool{
	"clinician": true, "therapist": true, "counselor": true, "counsellor": true,
	"provider": true, "psychologist": true, "psychiatrist": true, "social worker": true,
	"interviewer": true, "doctor": true, "lcsw": true, "lpc": true, "mft": true, "np": true,
}

// clientSideNames are labels that are speakers even when they occur once.
var clientSideNames = map[string]bool{
	"client": true, "patient": true, "pt": true, "partner a": true, "partner b": true, "partner": true,
	"mom": true, "mum": true, "dad": true, "mother": true, "father": true, "parent": true, "son": true,
	"daughter": true, "sister": true, "brother": true, "grandmother": true, "grandfather": true,
	"wife": true, "husband": true, "child": true, "teen": true, "guardian": true, "caregiver": true,
}

func roleOf(name string) role {
	n := strings.ToLower(name)
	if clinicianNames[n] || strings.HasPrefix(n, "dr.") || strings.HasPrefix(n, "dr ") ||
		strings.HasPrefix(n, "therapist") || strings.HasPrefix(n, "clinician") || strings.HasPrefix(n, "counselor") {
		return roleClinician
	}
	return roleClient
}

func (d *document) speakerIndex(name string) int {
	for i, s := range d.speakers {
		if strings.EqualFold(s.name, name) {
			return i
		}
	}
	r := roleOf(name)
	if r == roleClient {
		d.clients++
	}
	d.speakers = append(d.speakers, speaker{name: name, role: r})
	return len(d.speakers) - 1
}

// turn is one speaker's stretch of a transcript: the label's byte range and
// the text segments (runs of lines without structure between them).
type turn struct {
	speaker            int
	labelStart, labelE int
	segs               [][2]int
}

type lineMatch struct {
	from, to         int // the line, without its newline
	text             int // where the spoken text starts
	nameFrom, nameTo int // the speaker name, -1 when none
	noise            bool
}

// parseTurns splits a transcript into turns.
func (d *document) parseTurns(s string) []turn {
	var lines []lineMatch
	counts := map[string]int{}
	for from := 0; from < len(s); {
		to := strings.IndexByte(s[from:], '\n')
		if to < 0 {
			to = len(s)
		} else {
			to += from
		}
		lm := lineMatch{from: from, to: to, text: from, nameFrom: -1, nameTo: -1}
		line := s[from:to]
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "" || strings.HasPrefix(trimmed, "WEBVTT") || strings.HasPrefix(trimmed, "NOTE ") || trimmed == "NOTE" ||
			strings.Contains(line, "-->") && cueTiming.MatchString(line):
			lm.noise = true
		case strings.Trim(trimmed, "0123456789") == "" && nextLineIsTiming(s, to):
			lm.noise = true
		default:
			if m := voiceTagAt(line); m != nil {
				lm.nameFrom, lm.nameTo, lm.text = from+m[2], from+m[3], from+m[1]
			} else if m := speakerLine.FindStringSubmatchIndex(line); m != nil {
				lm.nameFrom, lm.nameTo, lm.text = from+m[2], from+m[3], from+m[1]
			}
			if lm.nameFrom >= 0 {
				counts[strings.ToLower(s[lm.nameFrom:lm.nameTo])]++
			}
		}
		lines = append(lines, lm)
		from = to + 1
	}
	var turns []turn
	cur := turn{speaker: -1, labelStart: -1, labelE: -1}
	open := false // the last segment of cur may be extended by the next line
	for _, lm := range lines {
		if lm.noise {
			open = false
			continue
		}
		if lm.nameFrom >= 0 {
			name := s[lm.nameFrom:lm.nameTo]
			n := strings.ToLower(name)
			if counts[n] >= 2 || clientSideNames[n] || roleOf(name) == roleClinician || strings.HasPrefix(n, "speaker") {
				if len(cur.segs) > 0 || cur.speaker >= 0 {
					turns = append(turns, cur)
				}
				cur = turn{speaker: d.speakerIndex(name), labelStart: lm.nameFrom, labelE: lm.nameTo}
				cur.segs = append(cur.segs, [2]int{lm.text, lm.to})
				open = true
				continue
			}
		}
		if open && len(cur.segs) > 0 {
			cur.segs[len(cur.segs)-1][1] = lm.to
		} else {
			cur.segs = append(cur.segs, [2]int{lm.from, lm.to})
		}
		open = true
	}
	if len(cur.segs) > 0 || cur.speaker >= 0 {
		turns = append(turns, cur)
	}
	d.guessGenericClinician(s, turns)
	return turns
}

func voiceTagAt(line string) []int {
	if !strings.Contains(line, "<v") {
		return nil
	}
	return voiceTag.FindStringSubmatchIndex(line)
}

func nextLineIsTiming(s string, nl int) bool {
	if nl >= len(s) {
		return false
	}
	rest := s[nl+1:]
	if i := strings.IndexByte(rest, '\n'); i >= 0 {
		rest = rest[:i]
	}
	return strings.Contains(rest, "-->") && cueTiming.MatchString(rest)
}

// guessGenericClinician handles diarised transcripts ("Speaker 1:",
// "SPEAKER_00:") with no named clinician: the speaker who asks the most
// questions is taken to be the clinician.
func (d *document) guessGenericClinician(s string, turns []turn) {
	if len(d.speakers) < 2 {
		return
	}
	for _, sp := range d.speakers {
		if sp.role == roleClinician || !strings.HasPrefix(strings.ToLower(sp.name), "speaker") {
			return
		}
	}
	questions := make([]int, len(d.speakers))
	for _, t := range turns {
		if t.speaker < 0 {
			continue
		}
		for _, sg := range t.segs {
			questions[t.speaker] += strings.Count(s[sg[0]:sg[1]], "?")
		}
	}
	best := 0
	for i, q := range questions {
		if q > questions[best] {
			best = i
		}
	}
	d.speakers[best].role = roleClinician
	d.clients--
}
