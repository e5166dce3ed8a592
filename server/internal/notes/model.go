package notes

import (
	_ "embed"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/sidenote/sidenote/shared/note"
)

// The section of a sentence is chosen by a small linear model per template:
// a weight per (feature, section), summed over the sentence's features. The
// features are explainable (who spoke, mood, tense, heading, cue category
// scores, the clinician's previous move, content words), and the weights
// were learned offline by an averaged perceptron (server/cmd/notes-train)
// on the labelled panel's tuned cases only, never the held-out ones. They
// live in model.tsv; Explain lists what decided a sentence.

//go:embed model.tsv
var modelTSV string

// linearModel holds, per template, the section keys and each feature's
// weight per section.
type linearModel struct {
	classes map[note.TemplateID][]string
	weights map[note.TemplateID]map[string][]float32
}

var sectionModel = parseModel(modelTSV)

func parseModel(tsv string) *linearModel {
	m := &linearModel{classes: map[note.TemplateID][]string{}, weights: map[note.TemplateID]map[string][]float32{}}
	var cur note.TemplateID
	for _, line := range strings.Split(tsv, "\n") {
		f := strings.Split(line, "\t")
		if len(f) < 2 || strings.HasPrefix(line, "#") {
			continue
		}
		if f[0] == "template" {
			cur = note.TemplateID(f[1])
			m.classes[cur] = f[2:]
			m.weights[cur] = map[string][]float32{}
			continue
		}
		ws := make([]float32, 0, len(f)-1)
		for _, v := range f[1:] {
			x, err := strconv.ParseFloat(v, 32)
			if err != nil {
				panic(fmt.Sprintf("notes: model.tsv: %q: %v", line, err)) // the file is generated; a bad one is a build defect
			}
			ws = append(ws, float32(x))
		}
		m.weights[cur][f[0]] = ws
	}
	return m
}

// feature is a named value; most are 1.
type feature struct {
	name string
	val  float32
}

// unitFeatures lists the features of a unit's (main) sentence.
func (d *document) unitFeatures(u unit, dst []feature) []feature {
	sn := u.sents[len(u.sents)-1]
	if len(u.sents) == 2 {
		sn = u.sents[0]
	}
	r := d.roleOf(sn)
	roleName := [...]string{"summary", "clinician", "client"}[r]
	if r == roleUnknown && sn.kind == kindTranscript {
		roleName = "unlabelled"
	}
	moodName := [...]string{"statement", "instruction", "request", "question"}[sn.mood]
	dst = append(dst, feature{"bias", 1}, feature{d.name("role=", roleName, "", ""), 1}, feature{d.name("mood=", moodName, "", ""), 1},
		feature{d.name("role+mood=", roleName, "+", moodName), 1})
	if sn.head >= 0 {
		dst = append(dst, feature{d.name("head=", category(sn.head).String(), "", ""), 1})
	}
	if sn.ctx != "" {
		dst = append(dst, feature{d.name("ctx=", sn.ctx, "", ""), 1}, feature{d.name("ctx+role=", sn.ctx, "+", roleName), 1})
	}
	for c := range numCategories {
		if v := u.scores[c]; v != 0 {
			dst = append(dst, feature{d.name("cue=", c.String(), "", ""), v}, feature{d.name("cue+role=", c.String(), "+", roleName), v})
		}
	}
	if d.sentences[sn.kind] >= 8 {
		// Where in the session a sentence is says something only in a
		// session long enough to have a beginning, middle and end.
		third := [...]string{"0", "1", "2"}[sn.third]
		dst = append(dst, feature{d.name("pos=", third, "", ""), 1}, feature{d.name("pos=", third, "+", roleName), 1})
	}
	if sn.afterIntervention {
		dst = append(dst, feature{d.name("phase=after+", roleName, "", ""), 1})
	}
	flags := []struct {
		on   bool
		name string
	}{{sn.question, "question"}, {sn.bullet, "bullet"}, {sn.risk, "risk"}, {sn.future, "future"},
		{sn.past, "past"}, {sn.score, "score"}, {sn.reported, "frame=report"}, {len(u.sents) == 2, "pair"}}
	for _, f := range flags {
		if f.on {
			dst = append(dst, feature{f.name, 1})
		}
	}
	d.fw = words(d.fw[:0], sn.text)
	ws := d.fw
	if len(ws) <= 4 {
		dst = append(dst, feature{"short", 1})
	}
	first, second := false, false
	for i, w := range ws {
		switch w {
		case "i", "i'm", "i've", "i'll", "i'd", "me", "my", "we", "we're", "our", "us":
			first = true
		case "you", "you're", "your", "you've", "you'll", "yourself":
			second = true
		}
		if i == 0 {
			dst = append(dst, feature{d.name("first=", w, "", ""), 1})
			for _, suf := range []string{"ed", "ing", "s"} {
				if len(w) > 4 && strings.HasSuffix(w, suf) {
					dst = append(dst, feature{d.name("firstsuffix=", suf, "+", roleName), 1})
					break
				}
			}
		}
		if !stopWords[w] {
			dst = append(dst, feature{d.wordFeature(w), 1})
		}
	}
	if first {
		dst = append(dst, feature{"person=1", 1})
	}
	if second {
		dst = append(dst, feature{"person=2", 1})
	}
	return dst
}

// name returns a+b+c+e, built once per document: feature names repeat.
func (d *document) name(a, b, c, e string) string {
	k := [4]string{a, b, c, e}
	if n, ok := d.names4[k]; ok {
		return n
	}
	if d.names4 == nil {
		d.names4 = map[[4]string]string{}
	}
	n := a + b + c + e
	d.names4[k] = n
	return n
}

// wordFeature is "w=" and the stem of w, cached for the document.
func (d *document) wordFeature(w string) string {
	if f, ok := d.wordFeatures[w]; ok {
		return f
	}
	if d.wordFeatures == nil {
		d.wordFeatures = map[string]string{}
	}
	f := "w=" + stem(w)
	d.wordFeatures[w] = f
	return f
}

// scoreRe finds a measure with its score ("PHQ-9 = 16", "GAD-7 12", "SUDS 3").
var scoreRe = regexp.MustCompile(`\b[A-Z][A-Z0-9]{1,6}(?:-\d{1,2})?\s*(?:=|:|of|was|score)?\s*\d`)

// classify returns the index of t's section the model prefers, or -1 when
// the model has no weights for t.
func (m *linearModel) classify(t note.Template, fs []feature) int {
	classes, ok := m.classes[t.ID]
	if !ok || len(classes) == 0 {
		return -1
	}
	w := m.weights[t.ID]
	sums := make([]float32, len(classes))
	for _, f := range fs {
		if ws, ok := w[f.name]; ok {
			for i := range sums {
				sums[i] += ws[i] * f.val
			}
		}
	}
	best := 0
	for i := range sums {
		if sums[i] > sums[best] {
			best = i
		}
	}
	for i, s := range t.Sections {
		if s.Key == classes[best] {
			return i
		}
	}
	return -1
}

// Explain lists, for each sentence of src the model would place in t, the
// features that weighed most for the chosen section: how a placement came
// about, for whoever tunes or doubts it.
func Explain(w io.Writer, t note.Template, src Source) error {
	d := analyze(src)
	placement := assignByCues(t, d)
	var fs []feature
	for ui, u := range d.units {
		if placement[ui] < 0 {
			continue
		}
		key := t.Sections[placement[ui]].Key
		fs = d.unitFeatures(u, fs[:0])
		ci := indexOf(sectionModel.classes[t.ID], key)
		type contrib struct {
			name string
			v    float32
		}
		var cs []contrib
		for _, f := range fs {
			if ws, ok := sectionModel.weights[t.ID][f.name]; ok && ci >= 0 {
				cs = append(cs, contrib{f.name, ws[ci] * f.val})
			}
		}
		sort.SliceStable(cs, func(i, j int) bool { return cs[i].v > cs[j].v })
		if len(cs) > 5 {
			cs = cs[:5]
		}
		if _, err := fmt.Fprintf(w, "%-12s %q\n", key, d.phrase(u)); err != nil {
			return err
		}
		for _, c := range cs {
			if _, err := fmt.Fprintf(w, "             %+.2f %s\n", c.v, c.name); err != nil {
				return err
			}
		}
	}
	return nil
}

func indexOf(xs []string, x string) int {
	for i, v := range xs {
		if v == x {
			return i
		}
	}
	return -1
}

// TrainingUnit is a placeable sentence of a session as the offline trainer
// sees it: its source span and its features.
type TrainingUnit struct {
	Span     note.Span
	Features []string
	Values   []float32
}

// TrainingUnits lists the placeable units of src with their features, for
// server/cmd/notes-train.
func TrainingUnits(src Source) []TrainingUnit {
	d := analyze(src)
	var out []TrainingUnit
	for _, u := range d.units {
		if u.leave != "" {
			continue
		}
		sn := u.sents[len(u.sents)-1]
		tu := TrainingUnit{Span: note.Span{Source: sourceName(sn.kind), Start: sn.start, End: sn.end}}
		for _, f := range d.unitFeatures(u, nil) {
			tu.Features = append(tu.Features, f.name)
			tu.Values = append(tu.Values, f.val)
		}
		out = append(out, tu)
	}
	return out
}
