package notes

import (
	"context"
	"maps"
	"strconv"
	"strings"

	"github.com/sidenote/sidenote/shared/note"
)

// WithCustom extends g to clinicians' own templates: a template that is
// not built in has sections that each draw from built-in section kinds
// (note.SectionDef.DrawsFrom). Its note is written by g with the built-in
// templates that cover those kinds, then composed: each custom section
// holds what its kinds hold, in the order it lists them, each source
// sentence once within it; a section with nothing is not documented. What the
// built-in notes held that no custom section draws from is listed as left
// out (unplaced), so nothing vanishes unseen. Built-in templates go to g
// unchanged. Only the Generator interface is used, not g's internals.
func WithCustom(g Generator) Generator { return custom{g} }

type custom struct{ Generator }

func (c custom) Generate(ctx context.Context, t note.Template, src Source) (Result, error) {
	if _, ok := note.Lookup(t.ID); ok {
		return c.Generator.Generate(ctx, t, src)
	}
	if src.empty() {
		return Result{}, ErrNoSource
	}
	var kinds []string
	for _, d := range t.Sections {
		kinds = append(kinds, d.DrawsFrom...)
	}
	// Each kind as the first built-in note that documents it has it: the
	// fewest templates covering every kind first, then, for a kind they
	// left empty, the other templates that have it.
	byKind := map[string]note.Section{}
	var merged Result
	var leftOut []note.LeftOut
	done := map[note.TemplateID]bool{}
	generate := func(bt note.Template) error {
		done[bt.ID] = true
		res, err := c.Generator.Generate(ctx, bt, src)
		if err != nil {
			return err
		}
		for _, s := range res.Sections {
			if prev, seen := byKind[s.Key]; !seen || documented(s) && !documented(prev) {
				byKind[s.Key] = s
			}
		}
		leftOut = append(leftOut, res.LeftOut...)
		merged.RiskMentioned = merged.RiskMentioned || res.RiskMentioned
		if merged.Generator == "" {
			merged.Generator = res.Generator
		}
		if merged.GeneratorNote == "" {
			merged.GeneratorNote = res.GeneratorNote
		}
		return nil
	}
	for _, bt := range coveringTemplates(kinds) {
		if err := generate(bt); err != nil {
			return Result{}, err
		}
	}
	for _, k := range kinds {
		for _, bt := range note.Templates() {
			if documented(byKind[k]) {
				break
			}
			if !done[bt.ID] && hasKind(bt, k) {
				if err := generate(bt); err != nil {
					return Result{}, err
				}
			}
		}
	}

	used := map[note.Span]bool{}
	drawn := map[string]bool{}
	for _, d := range t.Sections {
		var drawnHere []note.Section
		for _, k := range d.DrawsFrom {
			drawn[k] = true
			if s := byKind[k]; documented(s) {
				drawnHere = append(drawnHere, s)
			}
		}
		// Each source sentence once per section. Two sections may say the
		// same when the clinician made both draw from kinds that overlap.
		var pieces []note.Section
		inSection := map[note.Span]bool{}
		for _, s := range widest(drawnHere) {
			if p, ok := unused(s, inSection); ok {
				pieces = append(pieces, p)
			}
		}
		markUsed(sourcesOf(pieces), used)
		sec := compose(pieces)
		sec.Key, sec.Title, sec.Aliases = d.Key, d.Title, d.Aliases
		merged.Sections = append(merged.Sections, sec)
	}

	// What the built-in notes held in kinds this template does not use.
	for _, k := range note.Kinds() {
		if s := byKind[k]; !drawn[k] && documented(s) {
			if p, ok := unused(s, maps.Clone(used)); ok {
				leftOut = append(leftOut, note.LeftOut{Text: p.Text, Reason: note.LeftOutUnplaced, Sources: p.Sources})
			}
		}
	}
	seen := map[string]bool{}
	merged.LeftOut = []note.LeftOut{}
	for _, lo := range leftOut {
		if seen[lo.Text] || (len(lo.Sources) > 0 && allUsed(lo.Sources, used)) {
			continue // said twice, or placed by another built-in template
		}
		seen[lo.Text] = true
		lo.ID = "lo" + strconv.Itoa(len(merged.LeftOut)+1)
		merged.LeftOut = append(merged.LeftOut, lo)
	}
	return merged, nil
}

// coveringTemplates picks built-in templates that together hold every
// kind: each time the one holding most kinds not yet covered.
func coveringTemplates(kinds []string) []note.Template {
	need := map[string]bool{}
	for _, k := range kinds {
		need[k] = true
	}
	var out []note.Template
	for len(need) > 0 {
		best, bestN := note.Template{}, 0
		for _, t := range note.Templates() {
			n := 0
			for _, d := range t.Sections {
				if need[d.Key] {
					n++
				}
			}
			if n > bestN {
				best, bestN = t, n
			}
		}
		if bestN == 0 {
			break // a kind no built-in template has (validated away before)
		}
		for _, d := range best.Sections {
			delete(need, d.Key)
		}
		out = append(out, best)
	}
	return out
}

func documented(s note.Section) bool {
	return !s.NotDocumented && strings.TrimSpace(s.Text) != ""
}

func hasKind(t note.Template, kind string) bool {
	for _, d := range t.Sections {
		if d.Key == kind {
			return true
		}
	}
	return false
}

// widest drops the sections whose sources another of ss holds too (DAP's
// data holds SOAP's subjective and objective): the wider one says it all.
func widest(ss []note.Section) []note.Section {
	var out []note.Section
	for i, s := range ss {
		covered := false
		for j, o := range ss {
			if i == j || len(s.Sources) == 0 || len(o.Sources) < len(s.Sources) {
				continue
			}
			spans := map[note.Span]bool{}
			markUsed(o.Sources, spans)
			// Of two equal ones, the first stays.
			if allUsed(s.Sources, spans) && (len(o.Sources) > len(s.Sources) || j < i) {
				covered = true
				break
			}
		}
		if !covered {
			out = append(out, s)
		}
	}
	return out
}

// unused returns s without the sentences whose sources are all in used,
// and marks the sources it keeps as used. Without sentence positions the
// section is kept or dropped whole.
func unused(s note.Section, used map[note.Span]bool) (note.Section, bool) {
	if len(s.Sentences) == 0 {
		if len(s.Sources) > 0 && allUsed(s.Sources, used) {
			return note.Section{}, false
		}
		markUsed(s.Sources, used)
		return s, true
	}
	var kept []note.Sentence
	for _, sn := range s.Sentences {
		if len(sn.Sources) == 0 || !allUsed(sn.Sources, used) {
			kept = append(kept, sn)
		}
	}
	if len(kept) == 0 {
		return note.Section{}, false
	}
	markUsed(s.Sources, used)
	if len(kept) == len(s.Sentences) {
		return s, true
	}
	out := note.Section{Sources: []note.Span{}}
	var b strings.Builder
	for _, sn := range kept {
		if b.Len() > 0 {
			b.WriteString(" ")
		}
		start := b.Len()
		b.WriteString(s.Text[sn.Start:sn.End])
		out.Sentences = append(out.Sentences, note.Sentence{Start: start, End: b.Len(), Sources: sn.Sources})
		out.Sources = append(out.Sources, sn.Sources...)
	}
	out.Text = b.String()
	return out, true
}

func sourcesOf(ss []note.Section) []note.Span {
	var out []note.Span
	for _, s := range ss {
		out = append(out, s.Sources...)
	}
	return out
}

// compose joins pieces into one section, a blank line between them.
func compose(pieces []note.Section) note.Section {
	out := note.Section{Sources: []note.Span{}}
	if len(pieces) == 0 {
		out.NotDocumented = true
		return out
	}
	var b strings.Builder
	for _, p := range pieces {
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		offset := b.Len()
		b.WriteString(p.Text)
		out.Sources = append(out.Sources, p.Sources...)
		for _, sn := range p.Sentences {
			out.Sentences = append(out.Sentences, note.Sentence{Start: sn.Start + offset, End: sn.End + offset, Sources: sn.Sources})
		}
	}
	out.Text = b.String()
	return out
}

func allUsed(spans []note.Span, used map[note.Span]bool) bool {
	for _, sp := range spans {
		if !used[sp] {
			return false
		}
	}
	return true
}

func markUsed(spans []note.Span, used map[note.Span]bool) {
	for _, sp := range spans {
		used[sp] = true
	}
}
